//! Arbitrary QR payload bytes into the badge parser: it must never panic, and whatever it
//! accepts must be the one canonical text of the badge it returns.
#![no_main]

use badgein_badge::Badge;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(badge) = Badge::parse_bytes(data) {
        assert_eq!(badge.encode().as_bytes(), data);
        assert_eq!(Badge::parse(&badge.encode()).as_ref(), Ok(&badge));
    }
});
