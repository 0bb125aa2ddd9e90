//! [`SigningAlg`]: the JWS algorithms the provider signs with, and the one mapping to the text
//! stored in `signing_keys.alg` and `apps.id_token_alg` and sent in a token's `alg` header.

use std::fmt;

/// RS256 is what OpenID Connect Discovery requires every provider to offer and what most school
/// apps accept; ES256 is offered to apps that ask for it (smaller, faster tokens).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SigningAlg {
    Rs256,
    Es256,
}

impl SigningAlg {
    /// Every algorithm, in the order discovery lists them (RS256, the default, first).
    pub const ALL: [Self; 2] = [Self::Rs256, Self::Es256];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rs256 => "RS256",
            Self::Es256 => "ES256",
        }
    }

    /// The algorithm named by `text` exactly as [`Self::as_str`] writes it; anything else is
    /// `None`, never a guess.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == text)
    }

    pub(crate) fn jwt(self) -> jsonwebtoken::Algorithm {
        match self {
            Self::Rs256 => jsonwebtoken::Algorithm::RS256,
            Self::Es256 => jsonwebtoken::Algorithm::ES256,
        }
    }
}

impl fmt::Display for SigningAlg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for SigningAlg {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Stored text that names no [`SigningAlg`]: reading it fails rather than guess an algorithm.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown signing algorithm {0:?} stored")]
pub struct UnknownAlg(pub String);

// Stored as text on both databases, as `roles::Role` is.
crate::stored_text::stored_as_text!(SigningAlg, |stored| {
    SigningAlg::parse(stored).ok_or_else(|| UnknownAlg(stored.to_owned()))
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips_and_nothing_else_parses() {
        for alg in SigningAlg::ALL {
            assert_eq!(SigningAlg::parse(alg.as_str()), Some(alg));
        }
        for other in ["rs256", "RS384", "none", "HS256", "", "RS256 "] {
            assert_eq!(SigningAlg::parse(other), None, "{other:?}");
        }
    }
}
