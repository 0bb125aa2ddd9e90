//! Fleet enrollment tokens (issue 12; docs/fleet.md): one secret with which IT enrolls up to
//! `uses` kiosks of one school unattended, until it expires or is revoked. Made, listed and
//! revoked here (`badgein-portal kiosk token | tokens | token-revoke`); it is spent in the enroll
//! call where an enrollment code goes (`Portal::enroll`), and each kiosk still gets its own
//! device credential. Only its digest is stored; the audit log names it by its id.

use std::time::Duration;

use crate::clock::{Millis, rfc3339};
use crate::config::ms;
use crate::error::{PortalError, Result};
use crate::ids::{FleetTokenId, SchoolId};
use crate::portal::Portal;
use crate::store::audit::{self, Entry};
use crate::store::directory;
use crate::store::fleet_tokens::{self, FleetToken};
use crate::tokens;

/// The most kiosks one token may enroll: a district's rollout, not an unbounded licence.
pub const MAX_USES: u32 = 10_000;
/// The longest a token may live, in days: a rollout's weeks, not a standing secret.
pub const MAX_DAYS: u32 = 90;

const DAY: Duration = Duration::from_secs(24 * 3600);

/// A token just made: the secret is shown this once.
#[derive(Debug)]
pub struct IssuedFleetToken {
    pub id: FleetTokenId,
    pub token: String,
    pub expires_at: Millis,
}

impl Portal {
    /// A fleet token for `school_id` that enrolls up to `uses` kiosks within `days` days.
    pub async fn fleet_token(
        &self,
        school_id: impl Into<SchoolId>,
        uses: u32,
        days: u32,
    ) -> Result<IssuedFleetToken> {
        let school_id = school_id.into();
        if !(1..=MAX_USES).contains(&uses) {
            return Err(PortalError::BadRequest(format!(
                "uses must be 1 to {MAX_USES}"
            )));
        }
        if !(1..=MAX_DAYS).contains(&days) {
            return Err(PortalError::BadRequest(format!(
                "days must be 1 to {MAX_DAYS}"
            )));
        }
        if directory::school(self.db(), &school_id).await?.is_none() {
            return Err(PortalError::NotFound(format!("school {school_id}")));
        }
        let now = self.now();
        let token = tokens::fleet_token()?;
        let row = FleetToken {
            id: FleetTokenId::new(format!("ft-{}", tokens::random_hex(8)?)),
            school_id,
            uses: i64::from(uses),
            used: 0,
            created_at: now,
            expires_at: now.saturating_add(ms(DAY).saturating_mul(i64::from(days))),
            revoked_at: None,
        };
        let hash = tokens::digest(tokens::normalise_code(&token).as_bytes());
        fleet_tokens::create(self.db(), &row, &hash).await?;
        let mut entry = Entry::new(now, "kiosk.token", "ok");
        entry.detail = Some(format!(
            "fleet token {}, school {}, {uses} uses, until {}",
            row.id,
            row.school_id,
            rfc3339(row.expires_at)
        ));
        audit::record(self.db(), &entry).await?;
        Ok(IssuedFleetToken {
            id: row.id,
            token,
            expires_at: row.expires_at,
        })
    }

    /// The school's fleet tokens, oldest first (never the tokens themselves: only digests are
    /// kept).
    pub async fn fleet_tokens(&self, school_id: impl Into<SchoolId>) -> Result<Vec<FleetToken>> {
        let school_id = school_id.into();
        if directory::school(self.db(), &school_id).await?.is_none() {
            return Err(PortalError::NotFound(format!("school {school_id}")));
        }
        fleet_tokens::of_school(self.db(), &school_id).await
    }

    /// Revokes a fleet token: it enrolls no more kiosks. The kiosks it enrolled keep working
    /// (revoke each with `revoke_kiosk`; the audit log's `kiosk.enroll` rows name the token).
    pub async fn revoke_fleet_token(&self, id: impl Into<FleetTokenId>) -> Result<()> {
        let id = id.into();
        let now = self.now();
        let Some(school_id) = fleet_tokens::revoke(self.db(), &id, now).await? else {
            return Err(PortalError::NotFound(format!("fleet token {id}")));
        };
        let mut entry = Entry::new(now, "kiosk.token_revoke", "ok");
        entry.detail = Some(format!("fleet token {id}, school {school_id}"));
        audit::record(self.db(), &entry).await?;
        Ok(())
    }

    /// Why the token with digest `token_hash` enrolled nothing, for the audit log (its id,
    /// never the token); `None` if no token has that digest.
    pub(crate) async fn fleet_token_refusal(&self, token_hash: &[u8]) -> Result<Option<String>> {
        let now = self.now();
        Ok(fleet_tokens::by_hash(self.db(), token_hash)
            .await?
            .map(|token| format!("fleet token {} {}", token.id, why_refused(&token, now))))
    }
}

/// Why a token spent no use at `now`.
fn why_refused(token: &FleetToken, now: Millis) -> &'static str {
    if token.revoked_at.is_some() {
        "revoked"
    } else if token.expires_at <= now {
        "expired"
    } else if token.used >= token.uses {
        "used up"
    } else {
        // Refused a moment ago, usable now: it cannot become so (uses only go up, and neither
        // the expiry nor a revocation is ever taken back), so this is not expected.
        "refused"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_says_why_revocation_first() {
        let token = FleetToken {
            id: "ft-1".into(),
            school_id: "s1".into(),
            uses: 2,
            used: 2,
            created_at: 0,
            expires_at: 100,
            revoked_at: Some(50),
        };
        assert_eq!(why_refused(&token, 200), "revoked");
        let token = FleetToken {
            revoked_at: None,
            ..token
        };
        assert_eq!(why_refused(&token, 100), "expired");
        assert_eq!(why_refused(&token, 99), "used up");
        let token = FleetToken { used: 1, ..token };
        assert_eq!(why_refused(&token, 99), "refused");
    }
}
