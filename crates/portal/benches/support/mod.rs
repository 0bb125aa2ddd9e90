//! Shared by the portal's benchmarks: a school of students with badges, settings from the
//! environment, the load average and latency percentiles.

use std::str::FromStr;
use std::time::Duration;

use badgein_portal::{NewUser, Portal, Role};

/// Adds `count` students `stu0`, `stu1`, ... (family name `family`) to school `school` and
/// returns their badges' payloads, in order.
pub async fn students_with_badges(
    portal: &Portal,
    school: &str,
    family: &str,
    count: usize,
) -> anyhow::Result<Vec<String>> {
    let mut badges = Vec::with_capacity(count);
    for i in 0..count {
        let id = format!("stu{i}");
        portal
            .add_user(&NewUser {
                id: id.clone().into(),
                school_id: school.into(),
                role: Role::Student,
                username: id.clone(),
                given_name: format!("Kid{i}"),
                family_name: family.into(),
                locale: "en".into(),
                email: None,
                grade: None,
            })
            .await?;
        badges.push(portal.issue_badge(&id, None).await?.encode());
    }
    Ok(badges)
}

/// The environment variable `name` parsed, or `default` when unset or unreadable.
pub fn env_or<T: FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The 1, 5 and 15 minute load averages: the benchmarks share the machine's cores, and their
/// numbers mean little without what else was running.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// Nearest-rank percentile `p` (0 to 100) of `sorted` latencies, in ms; 0 for none.
pub fn percentile_ms(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1000.0
}
