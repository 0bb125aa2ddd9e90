//! Enrolling without a teacher at start: from the managed configuration (a fleet deployed by
//! IT: `portal_url` + `enrollment_token`) or from the environment (`BADGEIN_PORTAL_URL` +
//! `BADGEIN_ENROLL_CODE`, for demos and tests). Both take this one path: [`plan`] says what to
//! do, [`run`] enrolls (retrying with backoff while the portal cannot be reached, which is
//! usual at a fleet's first boot), hands the client to the driver and leaves setup for the
//! scan screen. The token is only ever in the request body: never logged, never shown.

use std::sync::Arc;
use std::time::Duration;

use crate::driver::KioskHandle;
use crate::enroll::{self, EnrollError, Enrollment};
use crate::machine::{Event, Language, Settings, SetupEvent, UserAction};
use crate::managed::{self, Managed};
use crate::portal_client::ClientError;
use crate::redacted::Redacted;
use crate::secrets::SecretStore;

/// The environment's unattended enrollment (demos, tests).
pub const PORTAL_VAR: &str = "BADGEIN_PORTAL_URL";
pub const CODE_VAR: &str = "BADGEIN_ENROLL_CODE";
pub const NAME_VAR: &str = "BADGEIN_KIOSK_NAME";

/// Where the code came from (for the log: never the code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Managed,
    Environment,
}

/// An enrollment to make at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub portal_url: String,
    pub code: Redacted,
    /// Empty means [`enroll::DEFAULT_KIOSK_NAME`].
    pub kiosk_name: String,
    pub source: Source,
}

/// What to enroll with, key by key the managed value first: the portal and the code each from
/// the managed configuration, else the environment; the name from the managed configuration,
/// else `BADGEIN_KIOSK_NAME`, else (for a managed token) the machine's host name. `None`
/// without both a portal and a code.
pub fn plan(
    managed: &Managed,
    var: impl Fn(&str) -> Option<String>,
    host_name: impl FnOnce() -> Option<String>,
) -> Option<Plan> {
    let var = |name: &str| var(name).filter(|v| !v.trim().is_empty());
    let portal_url = managed.portal_url.clone().or_else(|| var(PORTAL_VAR))?;
    let (code, source) = match &managed.enrollment_token {
        Some(token) => (token.clone(), Source::Managed),
        None => (Redacted::new(var(CODE_VAR)?), Source::Environment),
    };
    let kiosk_name = managed
        .kiosk_name
        .clone()
        .or_else(|| var(NAME_VAR))
        .or_else(|| {
            (source == Source::Managed)
                .then(host_name)
                .flatten()
                .and_then(|h| managed::kiosk_name(&h))
        })
        .unwrap_or_default();
    Some(Plan {
        portal_url,
        code,
        kiosk_name,
        source,
    })
}

/// [`plan`] for this process: its environment and this machine's host name.
pub fn plan_here(managed: &Managed) -> Option<Plan> {
    plan(
        managed,
        |name| std::env::var(name).ok(),
        || whoami::fallible::hostname().ok(),
    )
}

/// Waits between attempts: `first`, doubling up to `max`, each spread over its upper half so
/// that a fleet started together does not knock together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub first: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            first: Duration::from_secs(2),
            max: Duration::from_secs(300),
        }
    }
}

impl Backoff {
    /// The wait after the `failures`-th failure in a row (from 1); `spread` in `0.0..=1.0`
    /// picks within the upper half.
    pub fn wait(&self, failures: u32, spread: f64) -> Duration {
        let doubled = self.first.saturating_mul(
            1u32.checked_shl(failures.saturating_sub(1))
                .unwrap_or(u32::MAX),
        );
        let full = doubled.min(self.max);
        full.mul_f64(0.5 + spread.clamp(0.0, 1.0) / 2.0)
    }
}

/// Whether another try could succeed without anyone doing anything: the portal was not
/// reached or asked to come back, or the secret store is not up yet (nothing was sent then).
/// A refused code or a credential the store lost after enrolling are final.
pub fn worth_retrying(error: &EnrollError) -> bool {
    match error {
        EnrollError::NoPersistentStore(_) => true,
        EnrollError::Portal(ClientError::Unreachable(_)) => true,
        EnrollError::Portal(ClientError::Problem { code, .. }) => matches!(
            code,
            badgein_proto::ProblemCode::Unavailable | badgein_proto::ProblemCode::RateLimited
        ),
        EnrollError::Portal(_) | EnrollError::Store(_) => false,
    }
}

/// Enrolls as `plan` says and, once enrolled, calls `record` (the shell saves the config and
/// answers the settings and language to follow), gives the driver its client and leaves setup.
/// While the portal cannot be reached the setup screen says so and the next try waits longer.
/// Gives up on a final refusal (shown on the setup screen, where a teacher can still enroll),
/// when the kiosk has stopped, or when it was enrolled meanwhile (by hand).
pub async fn run(
    store: Arc<dyn SecretStore>,
    handle: &KioskHandle,
    plan: &Plan,
    backoff: Backoff,
    record: impl FnOnce(&Enrollment) -> (Settings, Language),
) -> Result<(), EnrollError> {
    tracing::info!(source = ?plan.source, "enrolling unattended");
    let mut failures = 0;
    let (client, enrollment) = loop {
        match enroll::enroll(
            store.clone(),
            &plan.portal_url,
            plan.code.expose(),
            &plan.kiosk_name,
        )
        .await
        {
            Ok(done) => break done,
            Err(error) if worth_retrying(&error) => {
                failures += 1;
                let wait = backoff.wait(failures, spread()).max(retry_after(&error));
                tracing::warn!(%error, failures, wait_secs = wait.as_secs(), "unattended enrollment failed; trying again");
                handle.send(Event::Setup(SetupEvent::Message(error.code())));
                tokio::time::sleep(wait).await;
                if handle.is_stopped() || handle.client().is_some() {
                    tracing::info!("unattended enrollment no longer needed");
                    return Ok(());
                }
            }
            Err(error) => {
                tracing::warn!(%error, "unattended enrollment refused");
                handle.send(Event::Setup(SetupEvent::Message(error.code())));
                return Err(error);
            }
        }
    };
    let (settings, language) = record(&enrollment);
    handle.use_client(Some(client));
    handle.send(Event::Setup(SetupEvent::Settings(settings)));
    handle.send(Event::User(UserAction::SetLanguage(language)));
    handle.send(Event::Setup(SetupEvent::Enrolled));
    // No teacher is at the setup screen to leave it: go scanning.
    handle.send(Event::User(UserAction::LeaveSetup));
    Ok(())
}

fn retry_after(error: &EnrollError) -> Duration {
    match error {
        EnrollError::Portal(ClientError::Problem {
            retry_after: Some(secs),
            ..
        }) => Duration::from_secs((*secs).min(3600)),
        _ => Duration::ZERO,
    }
}

/// A random number in `0.0..1.0` for the backoff's spread (a fixed middle if the OS has none).
fn spread() -> f64 {
    let mut b = [0u8; 2];
    match getrandom::fill(&mut b) {
        Ok(()) => f64::from(u16::from_le_bytes(b)) / 65536.0,
        Err(_) => 0.5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::managed::Value;

    fn managed(list: &[(&str, &str)]) -> Managed {
        let (m, problems) = Managed::from_entries(
            list.iter()
                .map(|(k, v)| ((*k).to_owned(), Value::Text((*v).to_owned()))),
        );
        assert_eq!(problems, []);
        m
    }

    fn vars(list: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            list.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    const ENV: &[(&str, &str)] = &[
        (PORTAL_VAR, "http://127.0.0.1:8080"),
        (CODE_VAR, "ABCDE-FGHIJ"),
        (NAME_VAR, "Demo kiosk"),
    ];

    #[test]
    fn the_environment_alone_enrolls_as_before() {
        let p = plan(&Managed::default(), vars(ENV), || Some("host".into())).unwrap();
        assert_eq!(p.portal_url, "http://127.0.0.1:8080");
        assert_eq!(p.code.expose(), "ABCDE-FGHIJ");
        assert_eq!(
            (p.kiosk_name.as_str(), p.source),
            ("Demo kiosk", Source::Environment)
        );
        let p = plan(
            &Managed::default(),
            vars(&[
                (PORTAL_VAR, "http://127.0.0.1:8080"),
                (CODE_VAR, "ABCDE-FGHIJ"),
            ]),
            || Some("host".into()),
        )
        .unwrap();
        assert_eq!(p.kiosk_name, "", "the default name, as before");
        assert_eq!(
            plan(&Managed::default(), vars(&[(PORTAL_VAR, "x")]), || None),
            None
        );
        assert_eq!(
            plan(
                &Managed::default(),
                vars(&[(PORTAL_VAR, "x"), (CODE_VAR, " ")]),
                || None
            ),
            None
        );
    }

    #[test]
    fn managed_values_win_key_by_key_and_the_host_name_names_a_fleet_kiosk() {
        let m = managed(&[
            ("portal_url", "https://portal.school.example"),
            ("enrollment_token", "BFT-K3M2ZQ7XW4PLN6RT5YJ2HV3ABC"),
        ]);
        let p = plan(&m, vars(&[]), || Some("lab-pc-07".into())).unwrap();
        assert_eq!(p.portal_url, "https://portal.school.example");
        assert_eq!(p.code.expose(), "BFT-K3M2ZQ7XW4PLN6RT5YJ2HV3ABC");
        assert_eq!(
            (p.kiosk_name.as_str(), p.source),
            ("lab-pc-07", Source::Managed)
        );
        let p = plan(&m, vars(ENV), || Some("lab-pc-07".into())).unwrap();
        assert_eq!(p.portal_url, "https://portal.school.example");
        assert_eq!(p.source, Source::Managed);
        assert_eq!(p.kiosk_name, "Demo kiosk");
        let named = managed(&[
            ("portal_url", "https://portal.school.example"),
            ("enrollment_token", "ABCDE-FGHIJ"),
            ("kiosk_name", "Library"),
        ]);
        assert_eq!(
            plan(&named, vars(ENV), || None).unwrap().kiosk_name,
            "Library"
        );
        // A host name the portal would refuse is not used.
        let p = plan(&m, vars(&[]), || Some("x".repeat(300))).unwrap();
        assert_eq!(p.kiosk_name, "");
        // A managed portal without a token takes the environment's code, for that portal.
        let portal_only = managed(&[("portal_url", "https://portal.school.example")]);
        let p = plan(&portal_only, vars(ENV), || None).unwrap();
        assert_eq!(
            (p.portal_url.as_str(), p.source),
            ("https://portal.school.example", Source::Environment)
        );
        assert_eq!(plan(&portal_only, vars(&[]), || None), None);
        assert!(!format!("{p:?}").contains("ABCDE"), "the code never prints");
    }

    #[test]
    fn the_backoff_doubles_to_its_cap_and_spreads() {
        let b = Backoff::default();
        assert_eq!(b.wait(1, 1.0), Duration::from_secs(2));
        assert_eq!(b.wait(2, 1.0), Duration::from_secs(4));
        assert_eq!(b.wait(5, 1.0), Duration::from_secs(32));
        assert_eq!(b.wait(9, 1.0), Duration::from_secs(300));
        assert_eq!(b.wait(u32::MAX, 1.0), Duration::from_secs(300));
        assert_eq!(b.wait(1, 0.0), Duration::from_secs(1));
        assert_eq!(b.wait(9, 0.0), Duration::from_secs(150));
        assert_eq!(
            b.wait(0, 7.0),
            Duration::from_secs(2),
            "out of range is clamped"
        );
    }

    #[test]
    fn only_what_time_can_fix_is_retried() {
        use crate::secrets::SecretError;
        use badgein_proto::ProblemCode;
        let problem = |code| {
            EnrollError::Portal(ClientError::Problem {
                code,
                retry_after: Some(30),
                until: None,
            })
        };
        assert!(worth_retrying(&EnrollError::Portal(
            ClientError::Unreachable("connection refused".into())
        )));
        assert!(worth_retrying(&problem(ProblemCode::Unavailable)));
        assert!(worth_retrying(&problem(ProblemCode::RateLimited)));
        assert_eq!(
            retry_after(&problem(ProblemCode::RateLimited)),
            Duration::from_secs(30)
        );
        assert!(worth_retrying(&EnrollError::NoPersistentStore(
            SecretError::Store("locked".into())
        )));
        assert!(!worth_retrying(&problem(
            ProblemCode::EnrollmentCodeInvalid
        )));
        assert!(!worth_retrying(&problem(ProblemCode::BadRequest)));
        assert!(!worth_retrying(&EnrollError::Store(SecretError::Store(
            "x".into()
        ))));
    }
}
