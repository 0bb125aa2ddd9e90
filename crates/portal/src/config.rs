//! Tunables of the service. The defaults are the production policy; tests shrink the
//! password-hashing cost and nothing else.

use std::time::Duration;

pub use crate::auth::rate_limit::Rate;
pub use crate::http::server::Limits as ServerLimits;
pub use ipnet::IpNet;

#[derive(Debug, Clone)]
pub struct Config {
    /// Origin the browser sees (`https://portal.example.org`), used in launch URLs. `None`:
    /// `http://<listen address>` (loopback development and tests).
    pub public_url: Option<String>,
    /// The key-encryption key file that seals the identity provider's signing keys
    /// (`idp::kek`). `None`: beside a SQLite database file (`<db>.kek`); PostgreSQL needs one.
    pub key_file: Option<std::path::PathBuf>,
    /// Argon2id cost for passwords.
    pub argon2: Argon2Cost,
    /// Argon2 worker threads: at most this many hashes at once, each worker holding
    /// `m_cost_kib` of memory for good.
    pub hashing_concurrency: usize,
    /// Password checks that may wait for a worker; more are refused at once (`unavailable`).
    pub hashing_queue: usize,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    pub ticket_lifetime: Duration,
    pub enrollment_code_lifetime: Duration,
    /// Badge lifetime when none is given: a school year.
    pub badge_lifetime: Duration,
    /// Every request's database work must finish within this, else `unavailable`.
    pub db_deadline: Duration,
    /// Largest accepted request body.
    pub body_limit: usize,
    /// Sign-in attempts of one kiosk. A real kiosk sees a child every few seconds at most (a
    /// line of children, each holding a badge up and walking away); the burst covers a class
    /// that hurries and a few misreads, and a kiosk stuck in a loop gets 5 attempts a second,
    /// a small share of the service. Benchmarks that drive kiosks faster than children can
    /// walk set their own.
    pub kiosk_rate: Rate,
    /// Sign-in attempts from one client address with a credential not known to be a kiosk's
    /// (a kiosk enrolled at another instance in the last minute, or someone guessing).
    pub address_rate: Rate,
    /// Password attempts (`/login`, typed kiosk sign-in) from one client address on a device
    /// not recognised for the account; a school's browsers often share one address.
    pub login_address_rate: Rate,
    /// Password attempts for one username from devices not recognised for it.
    pub login_username_rate: Rate,
    /// Password attempts from one recognised browser (device cookie) or one kiosk.
    pub login_device_rate: Rate,
    /// Lockout: failures per account and device (or address, when unrecognised) before
    /// that pair is locked for `lockout_duration`.
    pub lockout_failures: i64,
    pub lockout_duration: Duration,
    /// Failures per account from unrecognised devices before such devices are refused for
    /// it (NIST SP 800-63B: at most 100); recognised devices keep working.
    pub lockout_unrecognised_failures: i64,
    /// How long a browser stays recognised for an account after its last sign-in there.
    pub device_lifetime: Duration,
    /// Peers (reverse proxies) whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<IpNet>,
    /// Timeouts and the connection cap of the HTTP server.
    pub server: ServerLimits,
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
            key_file: None,
            argon2: Argon2Cost::PRODUCTION,
            // Half the cores: hashing never takes the CPU the badge sign-ins need (a
            // distributed login flood on 2 cores put the kiosks' p99 at 216 ms with 4).
            hashing_concurrency: std::thread::available_parallelism()
                .map_or(1, |n| n.get().div_ceil(2)),
            hashing_queue: 32,
            session_idle: Duration::from_secs(4 * 3600),
            session_absolute: Duration::from_secs(12 * 3600),
            ticket_lifetime: Duration::from_secs(60),
            enrollment_code_lifetime: Duration::from_secs(15 * 60),
            badge_lifetime: Duration::from_secs(365 * 86_400),
            db_deadline: Duration::from_millis(2500),
            body_limit: 16 * 1024,
            kiosk_rate: Rate {
                burst: 20,
                per_second: 5,
            },
            address_rate: Rate {
                burst: 300,
                per_second: 20,
            },
            // A class of 30 typing their first sign-in at once fits in the burst; one
            // laptop spraying gets 2 guesses a second, far below what the hashers take.
            login_address_rate: Rate {
                burst: 60,
                per_second: 2,
            },
            login_username_rate: Rate {
                burst: 10,
                per_second: 1,
            },
            login_device_rate: Rate {
                burst: 20,
                per_second: 2,
            },
            lockout_failures: 5,
            lockout_duration: Duration::from_secs(15 * 60),
            lockout_unrecognised_failures: 100,
            device_lifetime: Duration::from_secs(180 * 86_400),
            trusted_proxies: Vec::new(),
            server: ServerLimits::default(),
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

/// A public URL must be `https://`, except on loopback (development, tests): over plain HTTP
/// the session cookie cannot be `Secure` and anyone on the school network could read it.
pub fn check_public_url(url: &str) -> Result<(), String> {
    if let Some(rest) = url.strip_prefix("https://") {
        return if rest.is_empty() || rest.starts_with('/') {
            Err(format!("--public-url {url:?} has no host"))
        } else {
            Ok(())
        };
    }
    let Some(rest) = url.strip_prefix("http://") else {
        return Err(format!(
            "--public-url must start with https:// (got {url:?})"
        ));
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if loopback {
        Ok(())
    } else {
        Err(format!(
            "--public-url must be https:// unless it is loopback (got {url:?}): behind a TLS \
             reverse proxy give the https:// address browsers use"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_urls_are_https_or_loopback() {
        for ok in [
            "https://portal.example.org",
            "https://portal.example.org/",
            "http://127.0.0.1:8750",
            "http://localhost:8750",
            "http://[::1]:8750/",
            "http://127.9.9.9",
        ] {
            assert_eq!(check_public_url(ok), Ok(()), "{ok}");
        }
        for bad in [
            "http://portal.example.org",
            "http://10.0.0.5:8750",
            "http://127.0.0.1.example.org",
            "http://localhost.example.org",
            "ftp://x",
            "portal.example.org",
            "https://",
            "",
        ] {
            assert!(check_public_url(bad).is_err(), "{bad}");
        }
    }
}
