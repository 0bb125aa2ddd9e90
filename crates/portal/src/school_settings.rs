//! A school's settings for its staff and its clock (`school policy`): whether staff must enroll
//! the second factor, and the time zone the pages tell times in, such as when a lockout ends.

use jiff::tz::TimeZone;

use crate::clock::Millis;
use crate::error::{PortalError, Result};
use crate::ids::SchoolId;
use crate::portal::Portal;
use crate::school_time;
use crate::store::audit::Entry;
use crate::store::school_policy;

impl Portal {
    /// Sets what is given of a school's policy, audited. A time zone must be a name of the IANA
    /// database (refused otherwise, nothing changed); it is stored as the database spells it.
    pub async fn set_school_policy(
        &self,
        school: impl Into<SchoolId>,
        staff_totp_required: Option<bool>,
        time_zone: Option<&str>,
    ) -> Result<()> {
        let school = school.into();
        let time_zone = time_zone
            .map(|name| school_time::zone(name).map(|(_, canonical)| canonical))
            .transpose()
            .map_err(|e| PortalError::BadRequest(e.to_string()))?;
        let mut entry = Entry::new(self.now(), "school.policy", "ok");
        let mut detail = vec![format!("school {school}")];
        if let Some(required) = staff_totp_required {
            let word = if required { "required" } else { "optional" };
            detail.push(format!("staff second factor {word}"));
        }
        if let Some(zone) = &time_zone {
            detail.push(format!("time zone {zone}"));
        }
        entry.detail = Some(detail.join("; "));
        let found = school_policy::set(
            self.db(),
            &school,
            staff_totp_required,
            time_zone.as_deref(),
            &entry,
        )
        .await?;
        if !found {
            return Err(PortalError::NotFound(format!("school {school}")));
        }
        Ok(())
    }

    /// Whether `school`'s staff must turn on the second factor, and its time zone; `None`: no
    /// such school.
    pub async fn staff_settings(
        &self,
        school: &SchoolId,
    ) -> Result<Option<school_policy::StaffSettings>> {
        school_policy::settings(self.db(), school).await
    }

    /// When a lock of `retry_after` seconds from now ends, and the zone to tell it in: the
    /// school of the account `username`, or for an unknown username the zone most schools use
    /// (the answer must not tell whether the account exists).
    pub async fn lock_ends_for_login(
        &self,
        username: &str,
        retry_after: u64,
    ) -> Result<(Millis, TimeZone)> {
        let zone = school_policy::time_zone_for_login(self.db(), &username.to_lowercase()).await?;
        Ok((self.lock_ends(retry_after), zone_or_utc(zone)))
    }

    /// When a lock of `retry_after` seconds from now ends, as RFC 3339 in `school`'s zone.
    pub async fn lock_ends_at_school(&self, school: &SchoolId, retry_after: u64) -> Result<String> {
        let zone = school_policy::time_zone(self.db(), school).await?;
        Ok(school_time::rfc3339_in(
            self.lock_ends(retry_after),
            &zone_or_utc(zone),
        ))
    }

    fn lock_ends(&self, retry_after: u64) -> Millis {
        let ms = i64::try_from(retry_after.saturating_mul(1000)).unwrap_or(i64::MAX / 2);
        self.now().saturating_add(ms)
    }
}

fn zone_or_utc(name: Option<String>) -> TimeZone {
    name.as_deref()
        .map_or(TimeZone::UTC, school_time::stored_zone)
}
