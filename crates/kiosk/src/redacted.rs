//! A value that must not reach a log by accident: the device credential, session ids and
//! launch URLs (which carry a one-time ticket).

use std::fmt;

/// Wraps a secret string. `Debug` prints `<redacted>`; there is no `Display` and no
/// `Serialize`, so the only way to the value is [`Redacted::expose`], which is easy to grep.
#[derive(Clone, PartialEq, Eq)]
pub struct Redacted(String);

impl Redacted {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that has to send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_value() {
        let r = Redacted::new("s3cret-credential");
        assert_eq!(format!("{r:?}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(&r)), "Some(<redacted>)");
        assert_eq!(r.expose(), "s3cret-credential");
    }
}
