//! Shared by the frame benchmarks: badges to show and percentiles to print.

use badgein_badge::Badge;
use badgein_scanner::Code;
use image::GrayImage;

/// A badge to show: its text, and its QR rendered at 8 px per module (the synthetic camera
/// resamples it).
pub struct Shown {
    pub text: String,
    pub image: GrayImage,
}

impl Shown {
    /// A freshly generated badge.
    pub fn generate() -> Self {
        let badge = Badge::generate().expect("OS random source");
        Shown {
            text: badge.to_string(),
            image: badge.render(8).expect("a badge renders"),
        }
    }

    /// Whether a scan read this badge: a frame counts as read only when the decoded text is the
    /// badge's, so a misread or a stray code is not counted as a success.
    pub fn read_in(&self, codes: &[Code]) -> bool {
        codes.iter().any(|code| code.text == self.text)
    }
}

pub fn percentile(values: &[f64], p: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v[(((p / 100.0) * (v.len() - 1) as f64).round() as usize).min(v.len() - 1)]
}
