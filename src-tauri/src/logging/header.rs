//! The first line of every log file: the app's version and, once known, the kiosk's id, so a
//! file sent to IT on its own still says which build on which kiosk wrote it.
//!
//! The rolling appender opens a new file when the first event of a new (UTC) day asks it for a
//! writer; [`Headed`] asks for a writer itself on that day's first event, writes the header
//! through it, and only then hands out the writer for the event.

use std::io::Write as _;
use std::sync::{Mutex, PoisonError};

use tracing_subscriber::fmt::MakeWriter;

/// What the header says. The kiosk id is learned after the log starts (from the config, or at
/// enrollment); files begun after that carry it.
#[derive(Debug)]
pub struct Header {
    version: &'static str,
    kiosk_id: Mutex<Option<String>>,
}

impl Header {
    pub fn new(version: &'static str) -> Self {
        Self {
            version,
            kiosk_id: Mutex::new(None),
        }
    }

    /// Records the kiosk's id (`None` after it leaves its portal); `true` when it changed.
    pub fn set_kiosk_id(&self, id: Option<&str>) -> bool {
        let mut kiosk_id = self.kiosk_id.lock().unwrap_or_else(PoisonError::into_inner);
        if kiosk_id.as_deref() == id {
            return false;
        }
        *kiosk_id = id.map(str::to_owned);
        true
    }

    pub fn line(&self) -> String {
        let kiosk_id = self.kiosk_id.lock().unwrap_or_else(PoisonError::into_inner);
        match kiosk_id.as_deref() {
            Some(id) => format!("BadgeIn kiosk {}, kiosk id {id}\n", self.version),
            None => format!(
                "BadgeIn kiosk {}, kiosk id not known yet (not enrolled)\n",
                self.version
            ),
        }
    }
}

/// A [`MakeWriter`] that writes the [`Header`] before the first event of every day (the
/// rolling appender's period) into the file the appender uses from then on.
#[derive(Debug)]
pub struct Headed<M, D> {
    inner: M,
    header: std::sync::Arc<Header>,
    /// The current period of `inner`: days since the epoch, in UTC for the daily appender.
    today: D,
    /// The period whose file has its header; the lock also keeps other events out until it is
    /// written.
    headed: Mutex<Option<u64>>,
}

impl<M, D> Headed<M, D> {
    pub fn new(inner: M, header: std::sync::Arc<Header>, today: D) -> Self {
        Self {
            inner,
            header,
            today,
            headed: Mutex::new(None),
        }
    }
}

impl<'a, M, D> MakeWriter<'a> for Headed<M, D>
where
    M: MakeWriter<'a>,
    D: Fn() -> u64,
{
    type Writer = M::Writer;

    fn make_writer(&'a self) -> Self::Writer {
        let mut headed = self.headed.lock().unwrap_or_else(PoisonError::into_inner);
        // The appender rolls over, if due, when asked for a writer: ask first, then read the
        // day, so a day read here is never later than the file the next writer writes to.
        let writer = self.inner.make_writer();
        let today = (self.today)();
        if *headed == Some(today) {
            return writer;
        }
        drop(writer);
        let mut first = self.inner.make_writer();
        // A log that cannot be written has nobody to complain to.
        let _ = first.write_all(self.header.line().as_bytes());
        drop(first);
        *headed = Some(today);
        self.inner.make_writer()
    }
}

/// Days since the Unix epoch, UTC: the daily appender's period.
pub fn utc_day() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs() / 86_400)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::io;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;

    /// A rolling appender in memory: one "file" per day of a clock the test moves.
    #[derive(Default)]
    struct Files {
        day: Arc<AtomicU64>,
        files: Arc<Mutex<BTreeMap<u64, String>>>,
    }

    struct FileWriter {
        day: u64,
        files: Arc<Mutex<BTreeMap<u64, String>>>,
    }

    impl io::Write for FileWriter {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let mut files = self.files.lock().unwrap_or_else(PoisonError::into_inner);
            files
                .entry(self.day)
                .or_default()
                .push_str(&String::from_utf8_lossy(buf));
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Files {
        type Writer = FileWriter;
        fn make_writer(&'a self) -> FileWriter {
            FileWriter {
                day: self.day.load(Ordering::SeqCst),
                files: self.files.clone(),
            }
        }
    }

    fn log(headed: &Headed<Files, impl Fn() -> u64>, line: &str) {
        let mut writer = headed.make_writer();
        writer.write_all(line.as_bytes()).unwrap_or_default();
    }

    #[test]
    fn every_days_file_starts_with_the_header_and_learns_the_kiosk_id() {
        let files = Files::default();
        let day = files.day.clone();
        let written = files.files.clone();
        let header = Arc::new(Header::new("1.2.3"));
        let clock = day.clone();
        let headed = Headed::new(files, header.clone(), move || clock.load(Ordering::SeqCst));

        day.store(10, Ordering::SeqCst);
        log(&headed, "starting\n");
        log(&headed, "config read\n");
        assert!(header.set_kiosk_id(Some("k_7")));
        assert!(!header.set_kiosk_id(Some("k_7")), "no change");
        log(&headed, "enrolled\n");
        day.store(11, Ordering::SeqCst);
        log(&headed, "a new day\n");

        let files = written.lock().unwrap_or_else(PoisonError::into_inner);
        assert_eq!(
            files.get(&10).map(String::as_str),
            Some(
                "BadgeIn kiosk 1.2.3, kiosk id not known yet (not enrolled)\n\
                 starting\nconfig read\nenrolled\n"
            )
        );
        assert_eq!(
            files.get(&11).map(String::as_str),
            Some("BadgeIn kiosk 1.2.3, kiosk id k_7\na new day\n")
        );
    }

    #[test]
    fn a_day_that_turns_while_asking_heads_the_new_file_not_the_old() {
        // The appender was asked on day 20 (no rollover yet) and the clock then read day 21:
        // the header must land in day 21's file, which the next writer opens.
        let files = Files::default();
        let day = files.day.clone();
        let written = files.files.clone();
        day.store(20, Ordering::SeqCst);
        let headed = Headed::new(files, Arc::new(Header::new("1.0.0")), {
            let day = day.clone();
            move || {
                // The day turns between the appender's writer and this read.
                day.store(21, Ordering::SeqCst);
                21
            }
        });
        log(&headed, "first event\n");
        let files = written.lock().unwrap_or_else(PoisonError::into_inner);
        assert_eq!(files.get(&20), None, "nothing written in the old file");
        assert_eq!(
            files.get(&21).map(String::as_str),
            Some("BadgeIn kiosk 1.0.0, kiosk id not known yet (not enrolled)\nfirst event\n")
        );
    }
}
