//! Kiosk enrollment (by enrollment code or fleet token) and authentication by device
//! credential.

use std::net::IpAddr;

use badgein_proto::{EnrollRequest, Enrolled, KioskSettings, ProblemCode, School};

use crate::config::ms;
use crate::error::{PortalError, Result};
use crate::ids::{KioskId, SchoolId};
use crate::portal::Portal;
use crate::store::audit::{self, Entry};
use crate::store::directory;
use crate::store::kiosks::{self, Claim, Claimed, Kiosk};
use crate::tokens::{self, EnrollmentSecret};

/// Longest kiosk name accepted.
const MAX_NAME_LEN: usize = 100;

impl Portal {
    /// A single-use enrollment code for `school_id`, valid for the configured lifetime.
    pub async fn enrollment_code(&self, school_id: impl Into<SchoolId>) -> Result<String> {
        let school_id = school_id.into();
        let now = self.now();
        if directory::school(self.db(), &school_id).await?.is_none() {
            return Err(PortalError::NotFound(format!("school {school_id}")));
        }
        let code = tokens::enrollment_code()?;
        let hash = tokens::digest(tokens::normalise_code(&code).as_bytes());
        let expires = now + ms(self.config().enrollment_code_lifetime);
        kiosks::create_code(self.db(), &hash, &school_id, expires).await?;
        let mut entry = Entry::new(now, "kiosk.code", "ok");
        entry.detail = Some(format!("school {school_id}"));
        audit::record(self.db(), &entry).await?;
        Ok(code)
    }

    /// Trades an enrollment code, or one use of a fleet token (`fleet_tokens`), for a device
    /// credential (shown this once). A wrong, spent, expired or revoked code or token is the
    /// same refusal, junk (`auth::junk`): counted for `client_ip` without a write, the token's
    /// id and why in the count's row. A field that is neither a code nor a token is refused
    /// before the database is asked.
    pub async fn enroll(&self, request: &EnrollRequest, client_ip: IpAddr) -> Result<Enrolled> {
        let now = self.now();
        let name = request.name.trim();
        if name.is_empty()
            || name.chars().count() > MAX_NAME_LEN
            || name.chars().any(char::is_control)
        {
            return Err(PortalError::BadRequest(format!(
                "name must be 1 to {MAX_NAME_LEN} printable characters"
            )));
        }
        let mut entry = Entry::new(now, "kiosk.enroll", "ok");
        let refused = PortalError::Refused(ProblemCode::EnrollmentCodeInvalid);
        let claim = match EnrollmentSecret::read(&request.code) {
            EnrollmentSecret::Code(code) => Claim::Code(tokens::digest(code.as_bytes())),
            EnrollmentSecret::FleetToken(token) => {
                Claim::FleetToken(tokens::digest(token.as_bytes()))
            }
            EnrollmentSecret::Malformed => {
                return self.audit_failure(entry, refused, client_ip).await;
            }
        };
        let kiosk_id = KioskId::new(format!("k-{}", tokens::random_hex(8)?));
        let credential = tokens::random_hex(32)?;
        let claimed = kiosks::enroll(
            self.db(),
            &claim,
            now,
            &kiosk_id,
            name,
            &tokens::digest(credential.as_bytes()),
        )
        .await?;
        let Some(Claimed {
            school_id,
            fleet_token,
        }) = claimed
        else {
            if let Claim::FleetToken(hash) = &claim {
                entry.detail = self.fleet_token_refusal(hash).await?;
            }
            return self.audit_failure(entry, refused, client_ip).await;
        };
        entry.kiosk_id = Some(kiosk_id.clone());
        entry.detail = fleet_token.map(|id| format!("fleet token {id}"));
        audit::record(self.db(), &entry).await?;
        // Its own rate-limit bucket from its first sign-in on.
        self.limiter()
            .recognise_all(vec![tokens::digest(credential.as_bytes())], now);
        let kiosk = Kiosk {
            id: kiosk_id.clone(),
            school_id,
            name: name.to_owned(),
            revoked_at: None,
        };
        let (school, settings) = self.kiosk_settings(&kiosk).await?;
        Ok(Enrolled {
            kiosk_id: kiosk_id.into_string(),
            device_credential: credential,
            portal_name: format!("{} portal", school.name),
            school,
            settings,
        })
    }

    /// Gives every kiosk in the database its own rate-limit bucket (at start and every minute:
    /// kiosks enrolled at another instance of the service).
    pub async fn refresh_kiosk_limits(&self) -> Result<()> {
        let credentials = kiosks::credential_hashes(self.db()).await?;
        self.limiter().recognise_all(credentials, self.now());
        Ok(())
    }

    /// The kiosk holding `credential`, even if revoked (callers decide what revoked means).
    pub async fn kiosk_by_credential(&self, credential: &str) -> Result<Kiosk> {
        kiosks::by_credential(self.db(), &tokens::digest(credential.as_bytes()))
            .await?
            .ok_or(PortalError::Refused(ProblemCode::KioskNotEnrolled))
    }

    /// The kiosk holding `credential`, refused if revoked.
    pub async fn active_kiosk(&self, credential: &str) -> Result<Kiosk> {
        let kiosk = self.kiosk_by_credential(credential).await?;
        if kiosk.revoked_at.is_some() {
            return Err(PortalError::Refused(ProblemCode::KioskRevoked));
        }
        Ok(kiosk)
    }

    pub async fn kiosk_settings(&self, kiosk: &Kiosk) -> Result<(School, KioskSettings)> {
        let school = directory::school(self.db(), &kiosk.school_id)
            .await?
            .ok_or_else(|| PortalError::NotFound(format!("school {}", kiosk.school_id)))?;
        let allowed_origins = self.app_origins(&school.id).await?;
        let settings = KioskSettings {
            idle_timeout_secs: u32::try_from(school.idle_timeout_secs).unwrap_or(120),
            languages: school.languages.split(',').map(str::to_owned).collect(),
            allow_typed_login: school.allow_typed_login != 0,
            allowed_origins,
            revoked: kiosk.revoked_at.is_some(),
        };
        Ok((
            School {
                id: school.id.into_string(),
                name: school.name,
            },
            settings,
        ))
    }

    /// Revokes a kiosk and ends the sessions started at it; its next request is refused
    /// (except ending one of its sessions). Returns how many live sessions were ended.
    pub async fn revoke_kiosk(&self, kiosk_id: impl Into<KioskId>) -> Result<u64> {
        let kiosk_id = kiosk_id.into();
        let now = self.now();
        let Some(ended) = kiosks::revoke(self.db(), &kiosk_id, now).await? else {
            return Err(PortalError::NotFound(format!("kiosk {kiosk_id}")));
        };
        self.wake_logouts();
        let mut entry = Entry::new(now, "kiosk.revoke", "ok");
        entry.kiosk_id = Some(kiosk_id);
        entry.detail = Some(format!("ended {ended} sessions"));
        audit::record(self.db(), &entry).await?;
        Ok(ended)
    }
}
