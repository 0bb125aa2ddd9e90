//! The managed configuration as a TOML file: `/etc/badgein/kiosk.toml` on Linux, or the file
//! `BADGEIN_MANAGED_CONFIG` names (tests, images). Top-level keys only.
//!
//! The file's owner and mode are not checked: `/etc` is writable by root alone, so a file
//! there is IT's; a file owned by someone else (an image built as another user, a test) is
//! read all the same. Refusing it would only leave the kiosk unmanaged.

use std::io::Read as _;
use std::path::Path;

use super::{Entry, ManagedError, Value};

/// Larger than any real managed configuration; a bigger file is refused unread.
pub const MAX_BYTES: usize = 64 * 1024;

/// The file's entries; none when there is no file.
pub fn read(path: &Path) -> Result<Vec<Entry>, ManagedError> {
    let read_error = |e: std::io::Error| ManagedError::Read {
        path: path.to_owned(),
        message: e.to_string(),
    };
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(read_error(e)),
    };
    let mut bytes = Vec::new();
    file.take(MAX_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    if bytes.len() > MAX_BYTES {
        return Err(ManagedError::TooLarge {
            path: path.to_owned(),
            limit: MAX_BYTES,
        });
    }
    parse(&bytes).map_err(|(line, column)| ManagedError::Syntax {
        path: path.to_owned(),
        line,
        column,
    })
}

/// The top-level keys of a TOML document, or where it stops being TOML (line and column,
/// from 1; never the text, which may hold the token).
pub fn parse(bytes: &[u8]) -> Result<Vec<Entry>, (usize, usize)> {
    let text = std::str::from_utf8(bytes).map_err(|e| position(bytes, e.valid_up_to()))?;
    let table: toml::Table =
        toml::from_str(text).map_err(|e| position(bytes, e.span().map_or(0, |span| span.start)))?;
    Ok(table
        .into_iter()
        .map(|(key, value)| {
            let value = match value {
                toml::Value::String(s) => Value::Text(s),
                toml::Value::Integer(n) => Value::Number(n),
                toml::Value::Boolean(b) => Value::Bool(b),
                toml::Value::Float(_) => Value::Other("a decimal number"),
                toml::Value::Datetime(_) => Value::Other("a date"),
                toml::Value::Array(_) => Value::Other("a list"),
                toml::Value::Table(_) => Value::Other("a table"),
            };
            (key, value)
        })
        .collect())
}

fn position(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, column)
}
