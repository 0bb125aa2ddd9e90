//! A process's CPU time, for the benchmarks that report what an operation costs the server
//! and not only how long it waited.

use std::time::Duration;

/// The CPU time process `pid` has used so far, all its threads, user and system (Linux's
/// `/proc/PID/stat`, in clock ticks of 10 ms: `USER_HZ` is 100 there); `None` elsewhere.
pub fn process_cpu(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces: the fields counted from after its closing parenthesis,
    // where the state is field 3, utime 14 and stime 15.
    let mut fields = stat.rsplit_once(')')?.1.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some(Duration::from_millis((user + system) * 10))
}
