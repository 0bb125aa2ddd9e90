//! Tunables of the service. The defaults are the production policy; tests shrink the
//! password-hashing cost and nothing else.

use std::time::Duration;

pub use crate::auth::rate_limit::Rate;

#[derive(Debug, Clone)]
pub struct Config {
    /// Origin the browser sees (`https://portal.example.org`), used in launch URLs. `None`:
    /// `http://<listen address>` (loopback development and tests).
    pub public_url: Option<String>,
    /// Argon2id cost for passwords.
    pub argon2: Argon2Cost,
    /// At most this many Argon2 computations at once (each takes `m_cost_kib` of memory).
    pub hashing_concurrency: usize,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    pub ticket_lifetime: Duration,
    pub enrollment_code_lifetime: Duration,
    pub lockout_failures: i64,
    pub lockout_duration: Duration,
    /// Badge lifetime when none is given: a school year.
    pub badge_lifetime: Duration,
    /// Every request's database work must finish within this, else `unavailable`.
    pub db_deadline: Duration,
    /// Largest accepted request body.
    pub body_limit: usize,
    /// Sign-in attempts of one kiosk. A real kiosk sees a child every few seconds at most;
    /// this bounds one stuck in a loop to a small share of the service, and leaves room for
    /// the rush benchmark, whose 200 kiosks each present 20 or more badges a second.
    pub kiosk_rate: Rate,
    /// Sign-in attempts from one client address with a credential not known to be a kiosk's
    /// (a school's kiosks after a restart, or someone guessing).
    pub address_rate: Rate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Argon2Cost {
    pub m_cost_kib: u32,
    pub t_cost: u32,
    pub p_cost: u32,
}

impl Argon2Cost {
    /// OWASP's Argon2id recommendation (19 MiB, 2 passes, 1 lane).
    pub const PRODUCTION: Self = Self {
        m_cost_kib: 19_456,
        t_cost: 2,
        p_cost: 1,
    };
    /// For tests only: the same algorithm at a cost that takes microseconds.
    pub const CHEAP_FOR_TESTS: Self = Self {
        m_cost_kib: 64,
        t_cost: 1,
        p_cost: 1,
    };
}

impl Default for Config {
    fn default() -> Self {
        Self {
            public_url: None,
            argon2: Argon2Cost::PRODUCTION,
            hashing_concurrency: 4,
            session_idle: Duration::from_secs(4 * 3600),
            session_absolute: Duration::from_secs(12 * 3600),
            ticket_lifetime: Duration::from_secs(60),
            enrollment_code_lifetime: Duration::from_secs(15 * 60),
            lockout_failures: 5,
            lockout_duration: Duration::from_secs(15 * 60),
            badge_lifetime: Duration::from_secs(365 * 86_400),
            db_deadline: Duration::from_millis(2500),
            body_limit: 16 * 1024,
            kiosk_rate: Rate {
                burst: 200,
                per_second: 50,
            },
            address_rate: Rate {
                burst: 300,
                per_second: 20,
            },
        }
    }
}

impl Config {
    /// The production policy with cheap password hashing.
    pub fn for_tests() -> Self {
        Self {
            argon2: Argon2Cost::CHEAP_FOR_TESTS,
            ..Self::default()
        }
    }
}

pub(crate) fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}
