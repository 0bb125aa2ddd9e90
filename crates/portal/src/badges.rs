//! Issuing, voiding and signing in with badges. A badge's secret is shown once, at issue;
//! only its SHA-256 is stored.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use badgein_badge::Badge;
use badgein_proto::{ProblemCode, SignIn};

use crate::auth::origin::{is_staff, may_hold_badge};
use crate::auth::sign_in::elapsed_ms;
use crate::config::ms;
use crate::error::{PortalError, Result};
use crate::ids::UserId;
use crate::metrics::DbQuery;
use crate::portal::Portal;
use crate::store::audit::{self, Entry};
use crate::store::badges::{self as stored, VoidScope};
use crate::store::directory;
use crate::tokens;

/// Temporary badges last 1 to 12 hours.
pub const MAX_TEMPORARY_HOURS: u32 = 12;

/// Whether a badge may be issued to a member of staff (anyone but a student).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffBadges {
    /// Students only: a staff member's badge is refused ([`PortalError::StaffBadge`]).
    Refused,
    /// Staff too (`badge issue --staff`): some schools give aides badges. A badge session
    /// never opens the teacher pages (`crate::auth::origin::authority`), but it is still a
    /// sign-in as that person, so it is issued only on purpose.
    Allowed,
}

impl Portal {
    /// Issues a new badge for the student `user_id` and voids their previous ones. `hours`: a
    /// temporary badge (1 to 12 hours); otherwise the configured lifetime (a school year).
    /// Staff are refused: see [`Self::issue_badge_to`].
    pub async fn issue_badge(
        &self,
        user_id: impl Into<UserId>,
        hours: Option<u32>,
    ) -> Result<Badge> {
        self.issue_badge_to(user_id, hours, StaffBadges::Refused)
            .await
    }

    /// [`Self::issue_badge`], for staff too when `staff` allows it.
    pub async fn issue_badge_to(
        &self,
        user_id: impl Into<UserId>,
        hours: Option<u32>,
        staff: StaffBadges,
    ) -> Result<Badge> {
        let user_id = user_id.into();
        let lifetime = match hours {
            None => self.config().badge_lifetime,
            Some(h @ 1..=MAX_TEMPORARY_HOURS) => Duration::from_secs(u64::from(h) * 3600),
            Some(_) => {
                return Err(PortalError::BadRequest(format!(
                    "a temporary badge lasts 1 to {MAX_TEMPORARY_HOURS} hours"
                )));
            }
        };
        let user = directory::user(self.db(), &user_id)
            .await?
            .ok_or_else(|| PortalError::NotFound(format!("user {user_id}")))?;
        if user.disabled_at.is_some() {
            return Err(PortalError::Refused(ProblemCode::AccountDisabled));
        }
        if !may_hold_badge(user.role) {
            return Err(PortalError::BadRequest(
                "a parent or guardian gets no badge".into(),
            ));
        }
        if is_staff(user.role) && staff == StaffBadges::Refused {
            return Err(PortalError::StaffBadge {
                user: user.id,
                role: user.role,
            });
        }
        self.check_badge_allowed(&user).await?;
        let now = self.now();
        // A clash of 40-bit ids is rare but possible: draw again.
        for _ in 0..3 {
            let badge = Badge::generate().map_err(|e| PortalError::Hashing(e.to_string()))?;
            let id = badge.id().to_string();
            let hash = tokens::digest(badge.secret().expose_bytes());
            match stored::issue(self.db(), &id, &user_id, &hash, now, now + ms(lifetime)).await {
                Ok(()) => {
                    let mut entry = Entry::new(now, "badge.issue", "ok");
                    entry.badge_id = Some(id);
                    entry.user_id = Some(user_id.clone());
                    entry.detail = hours.map(|h| format!("temporary {h} h"));
                    audit::record(self.db(), &entry).await?;
                    return Ok(badge);
                }
                Err(PortalError::Conflict(_)) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(PortalError::Conflict(
            "could not draw a fresh badge id".into(),
        ))
    }

    /// Voids every live badge in `scope` and ends the sessions they started; returns how many
    /// badges.
    pub async fn void_badges(&self, scope: &VoidScope) -> Result<u64> {
        let now = self.now();
        let done = stored::void(self.db(), scope, now).await?;
        let (count, ended) = (done.badges, done.sessions_ended);
        if ended > 0 {
            self.wake_logouts();
        }
        let mut entry = Entry::new(now, "badge.void", "ok");
        entry.detail = Some(match scope {
            VoidScope::User(id) => format!("user {id}: {count}; ended {ended} sessions"),
            VoidScope::Class(id) => format!("class {id}: {count}; ended {ended} sessions"),
            VoidScope::School(id) => format!("school {id}: {count}; ended {ended} sessions"),
        });
        if let VoidScope::User(id) = scope {
            entry.user_id = Some(id.clone());
        }
        audit::record(self.db(), &entry).await?;
        Ok(count)
    }

    /// `POST /api/v1/sign-ins/badge`: a kiosk presents a badge.
    pub async fn sign_in_badge(
        &self,
        credential: &str,
        badge_text: &str,
        client_ip: IpAddr,
        base_url: &str,
    ) -> Result<SignIn> {
        let started = Instant::now();
        let now = self.now();
        let mut entry = Entry::new(now, "sign_in.badge", "ok");
        let result = async {
            // The kiosk is checked before the badge, so a caller without a working credential
            // learns nothing about badges; a well-formed badge and its kiosk come in one read.
            let Ok(badge) = Badge::parse(badge_text) else {
                let kiosk = self.active_kiosk(credential).await?;
                entry.kiosk_id = Some(kiosk.id);
                return Err(PortalError::Refused(ProblemCode::NotABadge));
            };
            let badge_id = badge.id().to_string();
            let credential = tokens::digest(credential.as_bytes());
            let (kiosk, owner) = self
                .metrics()
                .timed(
                    DbQuery::BadgeLookup,
                    stored::at_kiosk(self.db(), &credential, &badge_id),
                )
                .await?
                .ok_or(PortalError::Refused(ProblemCode::KioskNotEnrolled))?;
            if kiosk.revoked_at.is_some() {
                return Err(PortalError::Refused(ProblemCode::KioskRevoked));
            }
            entry.kiosk_id = Some(kiosk.id.clone());
            entry.badge_id = Some(badge_id.clone());
            let owner = owner.ok_or(PortalError::Refused(ProblemCode::BadgeUnknown))?;
            let presented = tokens::digest(badge.secret().expose_bytes());
            if !tokens::same(&presented, &owner.secret_hash) {
                return Err(PortalError::Refused(ProblemCode::BadgeUnknown));
            }
            entry.user_id = Some(owner.user.id.clone());
            let refusal = if owner.user.school_id != kiosk.school_id {
                Some(ProblemCode::WrongSchool)
            } else if owner.voided_at.is_some() {
                Some(ProblemCode::BadgeVoided)
            } else if owner.expires_at <= now {
                Some(ProblemCode::BadgeExpired)
            } else if owner.user.disabled_at.is_some() {
                Some(ProblemCode::AccountDisabled)
            } else {
                None
            };
            match refusal {
                Some(code) => Err(PortalError::Refused(code)),
                None => Ok((owner.user, kiosk, badge_id)),
            }
        }
        .await;
        entry.latency_ms = Some(elapsed_ms(started));
        match result {
            Ok((user, kiosk, badge_id)) => {
                self.start_badge_session(
                    &user,
                    &kiosk,
                    &badge_id,
                    &client_ip.to_string(),
                    base_url,
                    &entry,
                )
                .await
            }
            Err(e) => self.audit_failure(entry, e, client_ip).await,
        }
    }
}
