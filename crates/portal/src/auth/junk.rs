//! Unauthenticated junk — made-up device credentials, badges, tickets, enrollment codes and
//! usernames — is counted here in memory instead of writing an audit row per attempt: a flood
//! must not be able to queue writes behind the single SQLite writer or fill the disk. The
//! counts go to the audit log as one row per kind and address at most once a minute
//! ([`crate::Portal::flush_junk`], run by the server). An entry's `detail` (what was refused,
//! e.g. a revoked fleet token's id) is part of its kind, so the row still says it.

use std::collections::HashMap;
use std::sync::Mutex;

use badgein_proto::ProblemCode;

use super::rate_limit::lock;
use crate::clock::Millis;
use crate::store::audit::Entry;

/// Distinct (kind, address) pairs kept between flushes; more go under one "other" address.
const MAX_KEYS: usize = 10_000;
const OTHER: &str = "other";

#[derive(Debug, Default)]
pub struct JunkLog {
    counts: Mutex<HashMap<Key, Tally>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    action: String,
    result: String,
    detail: Option<String>,
    address: String,
}

#[derive(Debug, Clone, Copy)]
struct Tally {
    count: u64,
    first: Millis,
    last: Millis,
}

/// Whether a refused attempt is junk: it names nobody real (no user was identified), or it
/// is a refusal that costs nothing to repeat (a locked account).
pub fn is_junk(entry: &Entry, code: ProblemCode) -> bool {
    match code {
        ProblemCode::KioskNotEnrolled
        | ProblemCode::NotABadge
        | ProblemCode::BadgeUnknown
        | ProblemCode::EnrollmentCodeInvalid
        | ProblemCode::AccountLocked
        | ProblemCode::RateLimited => true,
        ProblemCode::InvalidCredentials => entry.user_id.is_none(),
        _ => false,
    }
}

impl JunkLog {
    /// Counts one junk attempt of `entry`'s kind (action and result) from `address`.
    pub fn count(&self, entry: &Entry, address: &str) {
        let mut counts = lock(&self.counts);
        let mut key = Key {
            action: entry.action.clone(),
            result: entry.result.clone(),
            detail: entry.detail.clone(),
            address: address.to_owned(),
        };
        if counts.len() >= MAX_KEYS && !counts.contains_key(&key) {
            OTHER.clone_into(&mut key.address);
        }
        let tally = counts.entry(key).or_insert(Tally {
            count: 0,
            first: entry.at,
            last: entry.at,
        });
        tally.count += 1;
        tally.first = tally.first.min(entry.at);
        tally.last = tally.last.max(entry.at);
    }

    /// Takes the counts so far, oldest first.
    pub fn drain(&self) -> Vec<Summary> {
        let counts = std::mem::take(&mut *lock(&self.counts));
        let mut summaries: Vec<Summary> = counts
            .into_iter()
            .map(|(key, tally)| Summary { key, tally })
            .collect();
        summaries
            .sort_by(|a, b| (a.tally.last, &a.key.address).cmp(&(b.tally.last, &b.key.address)));
        summaries
    }

    /// Puts summaries that could not be written back, to go with the next flush.
    pub fn restore(&self, summaries: Vec<Summary>) {
        let mut counts = lock(&self.counts);
        for Summary { key, tally } in summaries {
            let kept = counts.entry(key).or_insert(Tally { count: 0, ..tally });
            kept.count += tally.count;
            kept.first = kept.first.min(tally.first);
            kept.last = kept.last.max(tally.last);
        }
    }
}

/// The junk of one kind from one address since the last flush.
#[derive(Debug, Clone)]
pub struct Summary {
    key: Key,
    tally: Tally,
}

impl Summary {
    /// The audit row: the kind's action and result, the count and address in `detail` (after
    /// the entries' own detail, if they had one).
    pub fn entry(&self) -> Entry {
        let counted = format!(
            "{} attempt(s) from {} since {}",
            self.tally.count,
            self.key.address,
            crate::clock::rfc3339(self.tally.first)
        );
        Entry {
            at: self.tally.last,
            action: self.key.action.clone(),
            result: self.key.result.clone(),
            detail: Some(match &self.key.detail {
                Some(detail) => format!("{detail}: {counted}"),
                None => counted,
            }),
            ..Entry::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn junk(at: Millis, action: &str, result: &str) -> Entry {
        Entry::new(at, action, result)
    }

    #[test]
    fn counts_are_summed_per_kind_and_address() {
        let log = JunkLog::default();
        for at in 0..5 {
            log.count(
                &junk(at, "sign_in.badge", "kiosk_not_enrolled"),
                "192.0.2.1",
            );
        }
        log.count(&junk(7, "sign_in.badge", "kiosk_not_enrolled"), "192.0.2.2");
        log.count(
            &junk(9, "kiosk.enroll", "enrollment_code_invalid"),
            "192.0.2.1",
        );
        let drained = log.drain();
        let rows: Vec<Entry> = drained.iter().map(Summary::entry).collect();
        assert_eq!(rows.len(), 3);
        assert_eq!(
            rows[0].detail.as_deref(),
            Some("5 attempt(s) from 192.0.2.1 since 1970-01-01T00:00:00Z")
        );
        assert_eq!(rows[0].at, 4);
        assert!(log.drain().is_empty(), "drained");
        log.restore(drained);
        log.count(&junk(8, "sign_in.badge", "kiosk_not_enrolled"), "192.0.2.1");
        let again: Vec<Entry> = log.drain().iter().map(Summary::entry).collect();
        assert_eq!(again.len(), 3);
        assert_eq!(
            again[0].detail.as_deref(),
            Some("1 attempt(s) from 192.0.2.2 since 1970-01-01T00:00:00Z")
        );
        assert!(again.iter().any(|e| {
            e.detail
                .as_deref()
                .unwrap()
                .starts_with("6 attempt(s) from 192.0.2.1")
        }));
    }

    #[test]
    fn what_was_refused_stays_in_the_row() {
        let log = JunkLog::default();
        let mut revoked = junk(3, "kiosk.enroll", "enrollment_code_invalid");
        revoked.detail = Some("fleet token ft-1 revoked".into());
        log.count(&revoked, "192.0.2.1");
        log.count(&revoked, "192.0.2.1");
        log.count(
            &junk(4, "kiosk.enroll", "enrollment_code_invalid"),
            "192.0.2.1",
        );
        let mut rows: Vec<String> = log
            .drain()
            .iter()
            .map(|s| s.entry().detail.unwrap())
            .collect();
        rows.sort();
        assert_eq!(
            rows,
            [
                "1 attempt(s) from 192.0.2.1 since 1970-01-01T00:00:00Z",
                "fleet token ft-1 revoked: 2 attempt(s) from 192.0.2.1 since 1970-01-01T00:00:00Z",
            ]
        );
    }

    #[test]
    fn many_addresses_stay_bounded() {
        let log = JunkLog::default();
        for i in 0..MAX_KEYS + 50 {
            log.count(&junk(1, "sign_in.badge", "badge_unknown"), &format!("a{i}"));
        }
        let rows: Vec<Entry> = log.drain().iter().map(Summary::entry).collect();
        assert_eq!(rows.len(), MAX_KEYS + 1);
        assert!(rows.iter().any(|r| {
            r.detail
                .as_deref()
                .unwrap()
                .starts_with("50 attempt(s) from other")
        }));
    }

    #[test]
    fn refusals_that_name_a_real_user_are_not_junk() {
        let mut e = junk(0, "sign_in.password", "invalid_credentials");
        assert!(is_junk(&e, ProblemCode::InvalidCredentials));
        e.user_id = Some("u1".into());
        assert!(!is_junk(&e, ProblemCode::InvalidCredentials));
        assert!(!is_junk(&e, ProblemCode::BadgeVoided));
        assert!(is_junk(&e, ProblemCode::KioskNotEnrolled));
    }
}
