//! Windows: the values of `HKLM\Software\Policies\BadgeIn` (Intune, Group Policy), as entries.
//! REG_SZ is text, REG_DWORD and REG_QWORD are numbers (booleans are DWORD 0/1); any other
//! type is named for the report. Value names are case-insensitive in the registry, so they are
//! lowercased here. Only administrators can write under `HKLM\Software\Policies`.

use winreg::RegKey;
use winreg::enums::{HKEY_LOCAL_MACHINE, RegType};
use winreg::types::FromRegValue as _;

use super::{Entry, ManagedError, Value};

const KEY: &str = r"Software\Policies\BadgeIn";

pub fn read() -> Result<Vec<Entry>, ManagedError> {
    let store_error = |e: std::io::Error| ManagedError::Store {
        store: r"HKLM\Software\Policies\BadgeIn",
        message: e.to_string(),
    };
    let key = match RegKey::predef(HKEY_LOCAL_MACHINE).open_subkey(KEY) {
        Ok(key) => key,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(store_error(e)),
    };
    let mut entries = Vec::new();
    for found in key.enum_values() {
        let (name, raw) = found.map_err(store_error)?;
        let value = match raw.vtype {
            RegType::REG_SZ | RegType::REG_EXPAND_SZ => {
                String::from_reg_value(&raw).map_or(Value::Other("unreadable text"), Value::Text)
            }
            RegType::REG_DWORD => u32::from_reg_value(&raw)
                .map_or(Value::Other("unreadable number"), |n| {
                    Value::Number(n.into())
                }),
            RegType::REG_QWORD => u64::from_reg_value(&raw)
                .ok()
                .and_then(|n| i64::try_from(n).ok())
                .map_or(Value::Other("unreadable number"), Value::Number),
            _ => Value::Other("another registry type (use REG_SZ or REG_DWORD)"),
        };
        entries.push((name.to_lowercase(), value));
    }
    Ok(entries)
}
