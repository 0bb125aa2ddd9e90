//! A parent or guardian claims their account (`/claim/parent`, issue 11 item 9): their own
//! email address or number (as the roster holds it), their child's student number and the
//! child's date of birth (`MM/DD/YYYY`, read by [`super::date`]), then a password under the
//! same rules. It is the student claim's twin: the same limits (the per-number counter is the
//! child's number, shared with the student claim, so a child's date of birth gets ten guesses
//! a day through both doors together), the password hashed before anything is looked up, the
//! date compared for every child the number names (or a stand-in), and one answer for every
//! mismatch: a wrong number or date, a child not linked to this parent, an account already
//! claimed or disabled.

use std::net::IpAddr;

use badgein_roster::{BirthDate, Identifier};

use super::birth_key::BirthKey;
use super::date::{self, DateProblem};
use super::{Claimed, stand_in};
use crate::auth::password_rules::{self, PasswordProblem};
use crate::client_addr::limit_key;
use crate::error::Result;
use crate::ids::UserId;
use crate::portal::Portal;
use crate::roles::Role;
use crate::store::audit::{self, Entry};
use crate::store::claim::set_first_password;
use crate::store::family::{self, GuardianCandidate};

/// The longest email address (RFC 5321's path limit).
const MAX_ACCOUNT_CHARS: usize = 254;

/// What the parent's claim form sends.
#[derive(Debug, Clone, Copy)]
pub struct ParentClaimForm<'a> {
    /// The parent's own email address, or their number.
    pub account: &'a str,
    pub child_number: &'a str,
    /// As typed: `MM/DD/YYYY`.
    pub child_birth_date: &'a str,
    pub password: &'a str,
    pub password_again: &'a str,
}

/// Why a parent's claim was refused; [`ParentClaimRefusal::NoMatch`] is the one answer for
/// every way of naming no claimable parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParentClaimRefusal {
    /// No email address or number (or one too long to be either).
    Account,
    /// The child's number is empty or not a number.
    ChildNumber,
    Date(DateProblem),
    Password(PasswordProblem),
    PasswordsDiffer,
    NoMatch,
    RateLimited {
        retry_after: u64,
    },
}

/// How the parent named themselves.
#[derive(Debug, PartialEq, Eq)]
enum Account {
    /// Lowercased, as the roster stores addresses.
    Email(String),
    Number(Identifier),
}

#[derive(Debug)]
struct Checked {
    account: Account,
    child_number: Identifier,
    birth_date: BirthDate,
}

/// The form's own rules, in the order of its fields; nothing looked up.
fn check(
    form: &ParentClaimForm<'_>,
    now: crate::clock::Millis,
) -> Result<Checked, ParentClaimRefusal> {
    let typed = form.account.trim();
    let account = if typed.chars().count() > MAX_ACCOUNT_CHARS {
        None
    } else if typed.contains('@') {
        Some(Account::Email(typed.to_lowercase()))
    } else {
        Identifier::parse(typed).map(Account::Number)
    }
    .ok_or(ParentClaimRefusal::Account)?;
    let child_number =
        Identifier::parse(form.child_number).ok_or(ParentClaimRefusal::ChildNumber)?;
    let today = date::today(now).ok_or(ParentClaimRefusal::Date(DateProblem::Future))?;
    let birth_date = date::parse(form.child_birth_date, today).map_err(ParentClaimRefusal::Date)?;
    password_rules::check(form.password).map_err(ParentClaimRefusal::Password)?;
    if form.password != form.password_again {
        return Err(ParentClaimRefusal::PasswordsDiffer);
    }
    Ok(Checked {
        account,
        child_number,
        birth_date,
    })
}

/// Whether the row's guardian is the one `form` names, unclaimed, of an enabled child (whose
/// date `date_ok` says matched). Every part runs whatever the others found.
fn describes(row: &GuardianCandidate, form: &Checked, date_ok: bool) -> bool {
    let named = match &form.account {
        Account::Email(email) => row.guardian_email.as_deref() == Some(email.as_str()),
        Account::Number(number) => row.guardian_number.as_deref() == Some(number.as_str()),
    };
    let open = row.guardian_role == Some(Role::Guardian)
        && !row.guardian_has_password
        && !row.guardian_disabled
        && row.child_role == Role::Student
        && !row.child_disabled;
    date_ok & named & open
}

/// The guardian `rows` name for `form`, when exactly one does. The date is compared once per
/// child, for every child.
fn the_guardian(key: &BirthKey, rows: &[GuardianCandidate], form: &Checked) -> Option<UserId> {
    let mut dates: Vec<(&UserId, bool)> = Vec::new();
    let mut found: Vec<&UserId> = Vec::new();
    for row in rows {
        let date_ok = match dates.iter().find(|(child, _)| *child == &row.child_id) {
            Some((_, ok)) => *ok,
            None => {
                let stored = row.child_birth_date_hmac.as_deref().unwrap_or_default();
                let ok = key.matches(&row.child_id, &form.birth_date, stored);
                dates.push((&row.child_id, ok));
                ok
            }
        };
        if describes(row, form, date_ok)
            && let Some(guardian) = &row.guardian_id
            && !found.contains(&guardian)
        {
            found.push(guardian);
        }
    }
    match found.as_slice() {
        [one] => Some((*one).clone()),
        _ => None,
    }
}

impl Portal {
    /// Claims the parent's or guardian's account `form` describes for the client at
    /// `client_ip`: sets its password and signs it in. `Ok(Err(..))` is a refusal with nothing
    /// changed; `Err` a failure (database, hashing, key file).
    pub async fn claim_guardian_account(
        &self,
        form: &ParentClaimForm<'_>,
        client_ip: IpAddr,
    ) -> Result<std::result::Result<Claimed, ParentClaimRefusal>> {
        let now = self.now();
        let checked = match check(form, now) {
            Ok(checked) => checked,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let address = limit_key(client_ip);
        let mut entry = Entry::new(now, "account.claim", "ok");
        if let Err(retry_after) = self
            .claims()
            .admit(&address, checked.child_number.as_str(), now)
        {
            "rate_limited".clone_into(&mut entry.result);
            self.junk().count(&entry, &address);
            return Ok(Err(ParentClaimRefusal::RateLimited { retry_after }));
        }
        let hash = self.hasher().hash(form.password.to_owned()).await?;
        let key = self.birth_key(false).await?;
        let rows = family::guardian_candidates(self.db(), checked.child_number.as_str()).await?;
        let guardian = if rows.is_empty() {
            // The same HMAC work as for a number that names a child.
            let someone = stand_in()?;
            let stored = someone.birth_date_hmac.unwrap_or_default();
            let _ = key.matches(&someone.id, &checked.birth_date, &stored);
            None
        } else {
            the_guardian(&key, &rows, &checked)
        };
        entry.detail = Some(format!("guardian from {client_ip}"));
        let claimed = match guardian {
            Some(id) => {
                entry.user_id = Some(id.clone());
                set_first_password(self.db(), &id, &hash, &entry)
                    .await?
                    .then_some(id)
            }
            None => None,
        };
        let Some(user_id) = claimed else {
            "no_match".clone_into(&mut entry.result);
            // The child the number named, when it named one: the office sees tries at a
            // child's date of birth (never which answer was wrong).
            let first = rows.first().map(|r| &r.child_id);
            entry.user_id = first
                .filter(|first| rows.iter().all(|r| &r.child_id == *first))
                .cloned();
            audit::record(self.db(), &entry).await?;
            return Ok(Err(ParentClaimRefusal::NoMatch));
        };
        Ok(Ok(self.sign_in_claimed(&user_id).await?))
    }
}

#[cfg(test)]
mod tests {
    use super::{Account, ParentClaimForm, ParentClaimRefusal, check};
    use crate::claim::date::DateProblem;

    const NOW: i64 = 1_796_515_199_000; // 2026-12-05

    fn form<'a>(account: &'a str, number: &'a str, date: &'a str) -> ParentClaimForm<'a> {
        ParentClaimForm {
            account,
            child_number: number,
            child_birth_date: date,
            password: "purple otter dances",
            password_again: "purple otter dances",
        }
    }

    #[test]
    fn the_form_is_checked_field_by_field() {
        let ok = check(&form(" Sam@Example.ORG ", "12 345", "01/05/2012"), NOW).unwrap();
        assert_eq!(ok.account, Account::Email("sam@example.org".into()));
        assert_eq!(ok.child_number.as_str(), "12345");
        let by_number = check(&form("p 1", "12345", "01/05/2012"), NOW).unwrap();
        assert!(matches!(by_number.account, Account::Number(n) if n.as_str() == "P1"));
        let refusal = |f: ParentClaimForm<'_>| check(&f, NOW).err();
        assert_eq!(
            refusal(form("  ", "1", "01/05/2012")),
            Some(ParentClaimRefusal::Account)
        );
        let long = "a".repeat(255);
        assert_eq!(
            refusal(form(&long, "1", "01/05/2012")),
            Some(ParentClaimRefusal::Account)
        );
        assert_eq!(
            refusal(form("p1", " ", "01/05/2012")),
            Some(ParentClaimRefusal::ChildNumber)
        );
        assert_eq!(
            refusal(form("p1", "1", "2012-01-05")),
            Some(ParentClaimRefusal::Date(DateProblem::Format))
        );
        let mut differ = form("p1", "1", "01/05/2012");
        differ.password_again = "purple otter dance";
        assert_eq!(refusal(differ), Some(ParentClaimRefusal::PasswordsDiffer));
    }
}
