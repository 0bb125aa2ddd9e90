//! Asks the portal for this kiosk's settings now and then (`GET kiosks/me`): a school's change
//! (idle timeout, typed sign-in, allowed apps) reaches the kiosk within a minute or so, and a
//! revoked kiosk stops offering sign-ins and sends the children to the teacher. Only while the
//! kiosk is scanning: never while a child is signed in or signing in.

use std::time::Duration;

use badgein_proto::{KioskSettings, ProblemCode};
use tokio::task::JoinHandle;

use super::KioskHandle;
use crate::machine::{Event, Screen, SetupEvent};
use crate::portal_client::ClientError;

/// How often the settings are asked for, give or take a tenth (so kiosks started together
/// do not all ask at once).
pub const EVERY: Duration = Duration::from_secs(60);

/// Starts the poll on the current tokio runtime; `apply` gets every answer of a kiosk still
/// enrolled. It ends when the kiosk stops.
pub fn spawn(
    handle: KioskHandle,
    every: Duration,
    apply: impl Fn(KioskSettings) + Send + 'static,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(jittered(every)).await;
            if handle.is_stopped() {
                return;
            }
            if !matches!(handle.view().screen, Screen::Scanning { .. }) {
                continue;
            }
            let Some(client) = handle.client() else {
                continue;
            };
            match client.me().await {
                Ok(settings) if settings.revoked => {
                    handle.send(refused(ProblemCode::KioskRevoked));
                }
                Ok(settings) => apply(settings),
                Err(ClientError::Problem { code, .. })
                    if matches!(
                        code,
                        ProblemCode::KioskRevoked | ProblemCode::KioskNotEnrolled
                    ) =>
                {
                    handle.send(refused(code));
                }
                // The next poll tries again; sign-ins say for themselves when the portal is down.
                Err(error) => tracing::debug!(%error, "kiosk settings not polled"),
            }
        }
    })
}

fn refused(code: ProblemCode) -> Event {
    Event::Setup(SetupEvent::CredentialRefused(code.into()))
}

/// `every`, plus or minus up to a tenth of it.
pub(crate) fn jittered(every: Duration) -> Duration {
    let tenth = every / 10;
    let random = getrandom::u32().unwrap_or(0);
    let offset = tenth.mul_f64(f64::from(random) / f64::from(u32::MAX));
    every - tenth + offset * 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_within_a_tenth() {
        for _ in 0..100 {
            let d = jittered(Duration::from_secs(60));
            assert!(
                d >= Duration::from_secs(54) && d <= Duration::from_secs(66),
                "{d:?}"
            );
        }
    }
}
