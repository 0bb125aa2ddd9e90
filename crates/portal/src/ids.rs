//! The ids passed around most, one type each, so a user id cannot be handed where a class id
//! is wanted. Each is the stored text (`TEXT` columns on both databases, `#[sqlx(transparent)]`)
//! and says nothing about whether the row exists.

use std::fmt;
use std::ops::Deref;

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, sqlx::Type, serde::Serialize)]
        #[sqlx(transparent)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        /// Read as text (paths, pages, log lines). The way back, text to an id, is always
        /// written out (`From`), so an id of one kind never passes for another.
        impl Deref for $name {
            type Target = str;

            fn deref(&self) -> &str {
                &self.0
            }
        }

        /// Compared with text from a form or a path.
        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_owned())
            }
        }

        /// So that the portal's methods take an id or its text alike.
        impl From<&$name> for $name {
            fn from(id: &$name) -> Self {
                id.clone()
            }
        }

        impl From<&String> for $name {
            fn from(id: &String) -> Self {
                Self(id.clone())
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }
    };
}

id!(
    /// `users.id` (the roster's `sourcedId`).
    UserId
);
id!(
    /// `schools.id`.
    SchoolId
);
id!(
    /// `classes.id`.
    ClassId
);
id!(
    /// `kiosks.id`.
    KioskId
);
id!(
    /// `apps.id`: a registered app (`a-` and 16 hex digits; `app-<n>` for the tiles from
    /// before migration 0004).
    AppId
);
id!(
    /// `fleet_tokens.id`: a fleet enrollment token's public name (`ft-` and 16 hex digits),
    /// what the audit log and `kiosk tokens` show; never the token.
    FleetTokenId
);
