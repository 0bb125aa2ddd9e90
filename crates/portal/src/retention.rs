//! How long rows are kept.
//!
//! * The audit log is the school's record: kept until an administrator prunes it
//!   (`badgein-portal audit prune --before DATE`, [`Portal::prune_audit`]); the prune is itself
//!   recorded.
//! * Sessions and enrollment codes are working state, not a record (each sign-in and enrollment
//!   is in the audit log), and they hold token digests: `serve` deletes those that ended, expired
//!   or were used more than [`FINISHED_RETENTION`] ago, at start and then every
//!   [`PRUNE_EVERY`] ([`spawn_pruning`]).
//! * OpenID Connect codes and access tokens (digests) go by the same rule, counted from their
//!   expiry.
//! * Retired signing keys are deleted once they have left the JWKS
//!   (`idp::keys::RETIRED_KEY_PUBLISHED` after their rotation), by the same pass.

use std::time::Duration;

use tokio::task::JoinHandle;

use crate::clock::{Millis, rfc3339};
use crate::config::ms;
use crate::error::{PortalError, Result};
use crate::portal::Portal;
use crate::store::audit::{self, Entry};
use crate::store::prune;

/// Ended or expired sessions and used or expired enrollment codes are kept this long.
pub const FINISHED_RETENTION: Duration = Duration::from_secs(30 * 86_400);
/// How often `serve` prunes them.
pub const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// What one pruning pass deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    pub sessions: u64,
    pub enrollment_codes: u64,
    pub signing_keys: u64,
    /// OpenID Connect codes and access tokens.
    pub oauth: u64,
}

impl Portal {
    /// Deletes the audit rows written before `before` (which must not be in the future), in
    /// batches, then records the prune (count and date) in the audit log. Returns the count.
    pub async fn prune_audit(&self, before: Millis) -> Result<u64> {
        self.prune_audit_in_batches(before, prune::BATCH).await
    }

    /// [`Self::prune_audit`] with a chosen batch size (tests use small ones).
    pub async fn prune_audit_in_batches(&self, before: Millis, batch: i64) -> Result<u64> {
        if before > self.now() {
            return Err(PortalError::BadRequest(format!(
                "{} is in the future: only past audit rows can be pruned",
                rfc3339(before)
            )));
        }
        let deleted = prune::audit_before(self.db(), before, batch).await?;
        let mut entry = Entry::new(self.now(), "audit.prune", "ok");
        entry.detail = Some(format!(
            "deleted {deleted} audit row(s) before {}",
            rfc3339(before)
        ));
        audit::record(self.db(), &entry).await?;
        Ok(deleted)
    }

    /// Deletes sessions, enrollment codes and OpenID Connect codes and access tokens finished
    /// more than [`FINISHED_RETENTION`] ago, and records what it deleted when that is anything.
    pub async fn prune_finished(&self) -> Result<Pruned> {
        let before = self.now().saturating_sub(ms(FINISHED_RETENTION));
        let pruned = Pruned {
            sessions: prune::finished_sessions_before(self.db(), before, prune::BATCH).await?,
            enrollment_codes: prune::finished_enrollment_codes_before(
                self.db(),
                before,
                prune::BATCH,
            )
            .await?,
            signing_keys: crate::idp::keys::prune_unpublished(self.db(), self.now()).await?,
            oauth: prune::expired_oauth_before(self.db(), before, prune::BATCH).await?,
        };
        if pruned != Pruned::default() {
            let mut entry = Entry::new(self.now(), "retention.prune", "ok");
            entry.detail = Some(format!(
                "deleted {} session(s) and {} enrollment code(s) finished before {}, and {} \
                 retired signing key(s) no longer published, and {} OpenID Connect code(s) \
                 and access token(s) expired",
                pruned.sessions,
                pruned.enrollment_codes,
                rfc3339(before),
                pruned.signing_keys,
                pruned.oauth
            ));
            audit::record(self.db(), &entry).await?;
        }
        Ok(pruned)
    }
}

/// Runs [`Portal::prune_finished`] now and every [`PRUNE_EVERY`] until aborted. A
/// failed pass is logged and tried again at the next tick.
pub fn spawn_pruning(portal: Portal) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(PRUNE_EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match portal.prune_finished().await {
                Ok(p) if p != Pruned::default() => tracing::info!(
                    sessions = p.sessions,
                    enrollment_codes = p.enrollment_codes,
                    signing_keys = p.signing_keys,
                    oauth = p.oauth,
                    "pruned finished rows"
                ),
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "pruning finished rows failed"),
            }
        }
    })
}
