//! macOS: the managed preferences domain `org.badgein.kiosk`, which a configuration profile
//! (Jamf, any MDM) installs as `/Library/Managed Preferences/org.badgein.kiosk.plist` (root's
//! alone to write). Strings, integers and booleans become entries; any other plist type is
//! named for the report.

use std::io::Read as _;
use std::path::Path;

use super::toml_file::MAX_BYTES;
use super::{Entry, ManagedError, Value};

const PATH: &str = "/Library/Managed Preferences/org.badgein.kiosk.plist";

pub fn read() -> Result<Vec<Entry>, ManagedError> {
    let path = Path::new(PATH);
    let read_error = |message: String| ManagedError::Read {
        path: path.to_owned(),
        message,
    };
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(read_error(e.to_string())),
    };
    let mut bytes = Vec::new();
    file.take(MAX_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| read_error(e.to_string()))?;
    if bytes.len() > MAX_BYTES {
        return Err(ManagedError::TooLarge {
            path: path.to_owned(),
            limit: MAX_BYTES,
        });
    }
    let dictionary = plist::Value::from_reader(std::io::Cursor::new(bytes))
        .ok()
        .and_then(plist::Value::into_dictionary)
        .ok_or_else(|| read_error("not a property list dictionary".into()))?;
    Ok(dictionary
        .into_iter()
        .map(|(key, value)| {
            let value = match value {
                plist::Value::String(s) => Value::Text(s),
                plist::Value::Boolean(b) => Value::Bool(b),
                plist::Value::Integer(n) => n
                    .as_signed()
                    .map_or(Value::Other("a number out of range"), Value::Number),
                plist::Value::Real(_) => Value::Other("a decimal number"),
                _ => Value::Other("another plist type (use string, integer or boolean)"),
            };
            (key, value)
        })
        .collect())
}
