//! Shared by the frame benchmarks: badges to show and percentiles to print.

use badgein_badge::Badge;
use image::GrayImage;

/// A freshly generated badge rendered at 8 px per module (the synthetic camera resamples it).
pub fn badge_image() -> GrayImage {
    let badge = Badge::generate().expect("OS random source");
    badge.render(8).expect("a badge renders")
}

pub fn percentile(values: &[f64], p: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v[(((p / 100.0) * (v.len() - 1) as f64).round() as usize).min(v.len() - 1)]
}
