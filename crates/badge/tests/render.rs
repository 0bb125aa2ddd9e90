//! Rendered badges must scan back to their text, through an independent QR decoder.

use badgein_badge::{Badge, QUIET_ZONE_MODULES};
use image::GrayImage;

/// rqrr reports the raw 2-bit EC field of the format information, where H is 0b10.
const RQRR_EC_LEVEL_H: u16 = 2;

fn badges() -> Vec<Badge> {
    vec![
        Badge::from_parts([0; 5], [0; 16]),
        Badge::from_parts([0xff; 5], [0xff; 16]),
        Badge::from_parts([1, 2, 3, 4, 5], std::array::from_fn(|i| i as u8)),
        Badge::generate().expect("OS random source"),
    ]
}

fn decode(img: GrayImage) -> Vec<(rqrr::MetaData, String)> {
    let mut prepared = rqrr::PreparedImage::prepare(img);
    prepared
        .detect_grids()
        .iter()
        .map(|grid| grid.decode().expect("decodes"))
        .collect()
}

#[test]
fn qr_version_is_at_most_4() {
    for badge in badges() {
        let version = badge.qr_version().expect("encodes");
        assert!((1..=4).contains(&version), "version {version}");
    }
}

#[test]
fn rendered_badges_decode_to_their_text() {
    for badge in badges() {
        for module_px in [3, 8] {
            let img = badge.render(module_px).expect("renders");
            let found = decode(img);
            assert_eq!(found.len(), 1, "module_px {module_px}");
            let (meta, text) = &found[0];
            assert_eq!(text, &badge.encode());
            assert_eq!(Badge::parse(text).as_ref(), Ok(&badge));
            assert_eq!(meta.ecc_level, RQRR_EC_LEVEL_H);
            assert!(meta.version.0 <= 4, "version {}", meta.version.0);
        }
    }
}

#[test]
fn quiet_zone_is_white_and_symbol_is_black_on_white() {
    let module_px = 5;
    let badge = Badge::from_parts([9; 5], [42; 16]);
    let img = badge.render(module_px).expect("renders");
    let version = u32::try_from(badge.qr_version().expect("encodes")).expect("positive");
    let modules = 17 + 4 * version + 2 * QUIET_ZONE_MODULES;
    assert_eq!(img.dimensions(), (modules * module_px, modules * module_px));

    let quiet = QUIET_ZONE_MODULES * module_px;
    let side = img.width();
    for (x, y, p) in img.enumerate_pixels() {
        assert!(p.0[0] == 0 || p.0[0] == 255, "grey pixel at {x},{y}");
        let in_quiet_zone = x < quiet || y < quiet || x >= side - quiet || y >= side - quiet;
        if in_quiet_zone {
            assert_eq!(p.0[0], 255, "quiet zone pixel at {x},{y}");
        }
    }
    // The finder patterns' outer rings are dark at the symbol's three corners.
    let far = side - quiet - 1;
    for (x, y) in [(quiet, quiet), (far, quiet), (quiet, far)] {
        assert_eq!(img.get_pixel(x, y).0[0], 0, "finder corner at {x},{y}");
    }
}
