//! Claiming an account (`/claim`, issue 11 item 4): a student of the claim grades or a member
//! of staff whose account has no password yet proves who they are with what the roster holds
//! (first and last name, date of birth, student or staff number), chooses a password and is
//! signed in. No security questions and no SSN digits: NIST SP 800-63B (section 5.1.1.2) forbids
//! knowledge-based prompts for authentication, and a school service has no business keeping
//! Social Security Numbers. The roster facts are used once, to bind the account to its
//! person; after that only the password (and a delegate's reset) count.
//!
//! * `date`: the typed date, exactly `MM/DD/YYYY`;
//! * `names`: names compared without case, accents, apostrophes, hyphens or spaces;
//! * `limit`: 10 claims a day per address and per number;
//! * `birth_key`: the keyed hash a date of birth is kept as.
//!
//! Every claim that matches no claimable account gets one answer ([`ClaimRefusal::NoMatch`])
//! after the same work: the password is hashed (Argon2id) before anything is looked up, and
//! the date is compared (HMAC) for every person the number names, or a stand-in when it names
//! nobody. A wrong name, date or number, an account already claimed, disabled or outside the
//! claim grades: all alike.

pub mod birth_key;
pub mod date;
pub mod limit;
pub mod names;
pub mod parent;

use std::net::IpAddr;

use badgein_roster::{BirthDate, Grade, Identifier};

use crate::auth::password_rules::{self, PasswordProblem};
use crate::client_addr::limit_key;
use crate::error::{PortalError, Result};
use crate::grade_policy::{self, GradePolicy};
use crate::ids::{SchoolId, UserId};
use crate::portal::Portal;
use crate::session_method::SessionMethod;
use crate::store::audit::{self, Entry};
use crate::store::claim::{self as stored, Candidate};
use crate::store::directory;
use date::DateProblem;

/// The longest name taken, in characters (a roster name is rarely a quarter of it).
pub const MAX_NAME_CHARS: usize = 100;

/// What the claim form sends.
#[derive(Debug, Clone, Copy)]
pub struct ClaimForm<'a> {
    pub first_name: &'a str,
    pub last_name: &'a str,
    /// As typed: `MM/DD/YYYY`.
    pub birth_date: &'a str,
    pub number: &'a str,
    pub password: &'a str,
    pub password_again: &'a str,
}

/// Why a claim was refused; each has its sentence on the page. [`ClaimRefusal::NoMatch`] is
/// the one answer for every way of naming no claimable account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimRefusal {
    /// A name is empty or too long.
    Name,
    Date(DateProblem),
    /// The number is empty, or not a number at all (see `badgein_roster::Identifier`).
    Number,
    PasswordsDiffer,
    Password(PasswordProblem),
    NoMatch,
    /// Ten claims today from this address or for this number; again in `retry_after` s.
    RateLimited {
        retry_after: u64,
    },
}

/// The form, checked: what is compared.
#[derive(Debug)]
struct Checked<'a> {
    first_name: &'a str,
    last_name: &'a str,
    birth_date: BirthDate,
    number: Identifier,
}

/// The form's own rules, in the order of its fields; nothing looked up.
fn check<'a>(form: &ClaimForm<'a>, now: crate::clock::Millis) -> Result<Checked<'a>, ClaimRefusal> {
    let name_ok = |n: &str| !n.trim().is_empty() && n.chars().count() <= MAX_NAME_CHARS;
    if !name_ok(form.first_name) || !name_ok(form.last_name) {
        return Err(ClaimRefusal::Name);
    }
    let today = date::today(now).ok_or(ClaimRefusal::Date(DateProblem::Future))?;
    let birth_date = date::parse(form.birth_date, today).map_err(ClaimRefusal::Date)?;
    let number = Identifier::parse(form.number).ok_or(ClaimRefusal::Number)?;
    password_rules::check(form.password).map_err(ClaimRefusal::Password)?;
    if form.password != form.password_again {
        return Err(ClaimRefusal::PasswordsDiffer);
    }
    Ok(Checked {
        first_name: form.first_name,
        last_name: form.last_name,
        birth_date,
        number,
    })
}

/// Whether `candidate` is the claimable account `form` describes. Every comparison runs
/// whatever the others found, so the time taken does not tell which one failed.
/// Who may claim is the school's grade policy (`grade_policy::may_claim`).
fn describes(
    key: &birth_key::BirthKey,
    candidate: &Candidate,
    policy: &GradePolicy,
    form: &Checked<'_>,
) -> bool {
    let stored = candidate.birth_date_hmac.as_deref().unwrap_or_default();
    let date = key.matches(&candidate.id, &form.birth_date, stored);
    let first = names::same(form.first_name, &candidate.given_name);
    let last = names::same(form.last_name, &candidate.family_name);
    let grade = candidate.grade.as_deref().and_then(Grade::from_oneroster);
    let open = !candidate.has_password
        && !candidate.disabled
        && grade_policy::may_claim(policy, candidate.role, grade);
    date & first & last & open
}

impl Portal {
    /// Claims the account `form` describes for the client at `client_ip`: sets its password
    /// and signs it in (a password session, as `/login` does). `Ok(Err(..))` is a refusal
    /// with nothing changed; `Err` a failure (database, hashing, key file).
    pub async fn claim_account(
        &self,
        form: &ClaimForm<'_>,
        client_ip: IpAddr,
    ) -> Result<std::result::Result<Claimed, ClaimRefusal>> {
        let now = self.now();
        let checked = match check(form, now) {
            Ok(checked) => checked,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let address = limit_key(client_ip);
        let mut entry = Entry::new(now, "account.claim", "ok");
        if let Err(retry_after) = self.claims().admit(&address, checked.number.as_str(), now) {
            // Counted, not written: a flood of refused claims costs no write (`auth::junk`).
            "rate_limited".clone_into(&mut entry.result);
            self.junk().count(&entry, &address);
            return Ok(Err(ClaimRefusal::RateLimited { retry_after }));
        }
        // The expensive part first, for every claim alike.
        let hash = self.hasher().hash(form.password.to_owned()).await?;
        let key = self.birth_key(false).await?;
        let mut candidates = stored::candidates(self.db(), checked.number.as_str()).await?;
        let unknown_number = candidates.is_empty();
        if unknown_number {
            candidates.push(stand_in()?);
        }
        let mut policies = Vec::with_capacity(candidates.len());
        for candidate in &candidates {
            policies.push(if unknown_number {
                GradePolicy::default()
            } else {
                self.grade_policy(&candidate.school_id).await?
            });
        }
        let matching: Vec<&Candidate> = candidates
            .iter()
            .zip(&policies)
            .filter(|(c, policy)| describes(&key, c, policy, &checked))
            .map(|(c, _)| c)
            .collect();
        entry.detail = Some(format!("from {client_ip}"));
        let claimed = match matching.as_slice() {
            [one] if !unknown_number => {
                entry.user_id = Some(one.id.clone());
                stored::set_first_password(self.db(), &one.id, &hash, &entry)
                    .await?
                    .then(|| one.id.clone())
            }
            _ => None,
        };
        let Some(user_id) = claimed else {
            "no_match".clone_into(&mut entry.result);
            // The account the number named, when it named one: an office reading the log
            // sees tries at a child's account (never which answer was wrong).
            entry.user_id = match candidates.as_slice() {
                [one] if !unknown_number => Some(one.id.clone()),
                _ => None,
            };
            audit::record(self.db(), &entry).await?;
            return Ok(Err(ClaimRefusal::NoMatch));
        };
        Ok(Ok(self.sign_in_claimed(&user_id).await?))
    }

    /// The password session a claim ends with (student, staff or guardian), as `/login` makes.
    pub(super) async fn sign_in_claimed(&self, user_id: &UserId) -> Result<Claimed> {
        let user = directory::user(self.db(), user_id)
            .await?
            .ok_or_else(|| PortalError::NotFound(format!("user {user_id}")))?;
        let sign_in = Entry::new(self.now(), "sign_in.claim", "ok");
        let (_, cookie) = self
            .start_browser_session(&user, SessionMethod::Password, &sign_in)
            .await?;
        Ok(Claimed { cookie })
    }
}

/// A claim that went through: the session cookie of the new password session.
#[derive(Debug)]
pub struct Claimed {
    pub cookie: String,
}

/// Someone no number names, compared when the typed number names nobody, so that an unknown
/// number costs the same as a known one (its random hash matches no date).
fn stand_in() -> Result<Candidate> {
    let mut hmac = vec![0u8; 32];
    getrandom::fill(&mut hmac).map_err(PortalError::Random)?;
    Ok(Candidate {
        id: UserId::from("\u{0}stand-in"),
        school_id: SchoolId::from("\u{0}stand-in"),
        role: crate::roles::Role::Student,
        grade: None,
        given_name: String::new(),
        family_name: String::new(),
        birth_date_hmac: Some(hmac),
        has_password: true,
        disabled: true,
    })
}

#[cfg(test)]
mod tests {
    use super::{ClaimForm, ClaimRefusal, DateProblem, PasswordProblem, check};

    const NOW: i64 = 1_796_515_199_000; // 2026-12-05

    fn form<'a>(date: &'a str, password: &'a str, again: &'a str) -> ClaimForm<'a> {
        ClaimForm {
            first_name: "Ana",
            last_name: "Ruiz",
            birth_date: date,
            number: "12 345",
            password,
            password_again: again,
        }
    }

    #[test]
    fn the_form_is_checked_field_by_field() {
        let good = "purple otter dances";
        let ok = check(&form("01/05/2012", good, good), NOW).map(|c| c.number.into_string());
        assert_eq!(ok.ok().as_deref(), Some("12345"));
        let refusal = |f: ClaimForm<'_>| check(&f, NOW).err();
        assert_eq!(
            refusal(form("1/5/2012", good, good)),
            Some(ClaimRefusal::Date(DateProblem::Format))
        );
        assert_eq!(
            refusal(form("01/05/2012", good, "purple otter dance")),
            Some(ClaimRefusal::PasswordsDiffer)
        );
        assert_eq!(
            refusal(form("01/05/2012", "short", "short")),
            Some(ClaimRefusal::Password(PasswordProblem::TooShort))
        );
        assert_eq!(
            refusal(form("01/05/2012", "Password1", "Password1")),
            Some(ClaimRefusal::Password(PasswordProblem::Common))
        );
        let mut no_name = form("01/05/2012", good, good);
        no_name.first_name = "  ";
        assert_eq!(refusal(no_name), Some(ClaimRefusal::Name));
        let mut no_number = form("01/05/2012", good, good);
        no_number.number = "   ";
        assert_eq!(refusal(no_number), Some(ClaimRefusal::Number));
    }
}
