//! Whether the app still runs alone, so its environment may change (Linux): `setenv` is not
//! safe while another thread may read the environment, and the libraries read it at any time.

/// Threads that libraries start before `main`: WebKitGTK 2.50's JavaScriptCore starts its
/// allocator's scavenger as libwebkit2gtk is loaded (seen in gdb; a timer that returns free
/// pages, which never reads the environment). More than that, say a newer WebKit's, and the
/// app does not touch the environment.
const STARTED_BEFORE_MAIN: usize = 1;

/// Whether this process runs no more threads than `main`'s and [`STARTED_BEFORE_MAIN`].
pub fn alone() -> bool {
    std::fs::read_dir("/proc/self/task").is_ok_and(|tasks| tasks.count() <= 1 + STARTED_BEFORE_MAIN)
}

#[cfg(test)]
mod tests {
    use super::alone;

    #[test]
    fn threads_of_its_own_are_seen() {
        // Two more than the test's thread, whether or not the harness runs it on `main`.
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let wait = std::sync::Arc::new(std::sync::Mutex::new(wait));
        let others: Vec<_> = (0..2)
            .map(|_| {
                let wait = std::sync::Arc::clone(&wait);
                std::thread::spawn(move || wait.lock().unwrap().recv())
            })
            .collect();
        // Setting the environment now could race those threads: the callers must refuse.
        assert!(!alone());
        for _ in &others {
            release.send(()).unwrap();
        }
        for other in others {
            other.join().unwrap().unwrap();
        }
    }
}
