//! What the scanner reports for each QR code it read.

use serde::Serialize;

/// A point in the frame's pixel coordinates.
pub type Point = [f32; 2];

/// One decoded QR code.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Code {
    /// The payload as text, see [`text_from_bytes`].
    pub text: String,
    /// The raw payload bytes as the code carries them.
    #[serde(skip)]
    pub bytes: Vec<u8>,
    /// Corners in the frame: top-left, top-right, bottom-right, bottom-left of the code as
    /// printed (so a mirrored code has them mirrored too).
    pub corners: [Point; 4],
}

impl Code {
    pub fn new(bytes: Vec<u8>, corners: [Point; 4]) -> Self {
        Self {
            text: text_from_bytes(&bytes),
            bytes,
            corners,
        }
    }

    /// Whether `p` lies in the code or just around it (its outline grown by a fifth around its
    /// centre: corners found in a blurred or tilted code are a module or two off).
    pub fn covers(&self, p: Point) -> bool {
        quad_contains(&grow(&self.corners, 1.2), p)
    }

    /// The centre of the code, for de-duplicating reads of one code found twice.
    pub fn centre(&self) -> Point {
        quad_centre(&self.corners)
    }
}

/// The centre of a quadrilateral (the mean of its corners).
pub fn quad_centre(quad: &[Point; 4]) -> Point {
    let (sx, sy) = quad
        .iter()
        .fold((0.0, 0.0), |(sx, sy), p| (sx + p[0], sy + p[1]));
    [sx / 4.0, sy / 4.0]
}

/// `quad` scaled by `factor` around its centre.
pub fn grow(quad: &[Point; 4], factor: f32) -> [Point; 4] {
    let c = quad_centre(quad);
    quad.map(|q| [c[0] + factor * (q[0] - c[0]), c[1] + factor * (q[1] - c[1])])
}

/// Whether `p` is inside the convex quadrilateral `quad` (either winding): on the same side of
/// all four edges.
pub fn quad_contains(quad: &[Point; 4], p: Point) -> bool {
    let side = |a: Point, b: Point| (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]);
    let sides = [0, 1, 2, 3].map(|i| side(quad[i], quad[(i + 1) % 4]));
    sides.iter().all(|&s| s >= 0.0) || sides.iter().all(|&s| s <= 0.0)
}

/// Reads a payload as text the way phones do, since codes rarely declare their encoding:
/// UTF-8 when the bytes are valid UTF-8; Shift_JIS (QR's Kanji mode and Japanese byte-mode
/// codes) when they decode cleanly as Shift_JIS and look Japanese: a run of three or more
/// double-byte or half-width katakana characters (ZXing's rule), or more double-byte characters
/// than lone katakana (a lone katakana is what a Latin-1 accent looks like in Shift_JIS);
/// otherwise ISO-8859-1, the standard's default, which maps every byte so nothing is lost.
pub fn text_from_bytes(bytes: &[u8]) -> String {
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.to_owned();
    }
    let (decoded, had_errors) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(bytes);
    if !had_errors && looks_japanese(&decoded) {
        return decoded.into_owned();
    }
    bytes.iter().map(|&b| char::from(b)).collect()
}

fn looks_japanese(text: &str) -> bool {
    let (mut kana, mut double, mut kana_run, mut double_run) = (0, 0, 0, 0);
    for c in text.chars() {
        if is_halfwidth_katakana(c) {
            kana += 1;
            kana_run += 1;
            double_run = 0;
        } else if u32::from(c) > 0xFF {
            double += 1;
            double_run += 1;
            kana_run = 0;
        } else {
            (kana_run, double_run) = (0, 0);
        }
        if kana_run >= 3 || double_run >= 3 {
            return true;
        }
    }
    double > 0 && kana <= double
}

fn is_halfwidth_katakana(c: char) -> bool {
    ('\u{FF61}'..='\u{FF9F}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::text_from_bytes;

    #[test]
    fn utf8_shift_jis_and_latin1() {
        assert_eq!(text_from_bytes("Grüße ⚽".as_bytes()), "Grüße ⚽");
        // "日本" in Shift_JIS.
        assert_eq!(text_from_bytes(&[0x93, 0xFA, 0x96, 0x7B]), "日本");
        // "café" in Latin-1: 0xE9 alone is not valid Shift_JIS.
        assert_eq!(text_from_bytes(b"caf\xE9"), "café");
        // "Ñandú" in Latin-1 reads as half-width katakana in Shift_JIS: Latin-1 wins.
        assert_eq!(text_from_bytes(b"\xD1and\xFA"), "Ñandú");
        assert_eq!(text_from_bytes(&[0xFF, 0x00]), "ÿ\0");
        // "ﾃﾞｻﾞｲﾝ" (design) in half-width katakana: a run of them is Japanese, not accents.
        assert_eq!(
            text_from_bytes(&[0xC3, 0xDE, 0xBB, 0xDE, 0xB2, 0xDD, b'Q', b'R']),
            "ﾃﾞｻﾞｲﾝQR"
        );
    }
}
