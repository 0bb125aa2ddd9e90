//! JPEG at webcam quality: MJPEG webcams compress every frame (quality 50-80 is common), which
//! blocks and rings the code's edges.

/// What an MJPEG webcam does to a frame at `quality` (1..100): the frame encoded and decoded
/// with the `image` crate's JPEG codec. On a codec error the frame is left as it was.
pub(crate) fn round_trip(luma: &mut [u8], width: u32, height: u32, quality: u8) {
    let mut jpeg = Vec::new();
    let encoder =
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, quality.clamp(1, 100));
    if image::ImageEncoder::write_image(encoder, luma, width, height, image::ExtendedColorType::L8)
        .is_err()
    {
        return;
    }
    if let Ok(img) = image::load_from_memory_with_format(&jpeg, image::ImageFormat::Jpeg) {
        let grey = img.to_luma8();
        if grey.as_raw().len() == luma.len() {
            luma.copy_from_slice(grey.as_raw());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_quality_changes_the_frame_more() {
        // A checkerboard of 3 px squares with a ramp: edges and gradients, as a code has.
        let (w, h) = (96u32, 64u32);
        let frame: Vec<u8> = (0..w * h)
            .map(|i| {
                let (x, y) = (i % w, i / w);
                let check = ((x / 3 + y / 3) % 2) as u8 * 150;
                check + (x as u8 / 2)
            })
            .collect();
        let error = |q: u8| {
            let mut luma = frame.clone();
            round_trip(&mut luma, w, h, q);
            luma.iter()
                .zip(&frame)
                .map(|(a, b)| f64::from(a.abs_diff(*b)))
                .sum::<f64>()
                / frame.len() as f64
        };
        let (q10, q50, q95) = (error(10), error(50), error(95));
        assert!(q95 < q50 && q50 < q10, "{q95} {q50} {q10}");
        assert!(q10 > 3.0 * q95, "{q95} {q10}");
        assert!(q95 > 0.0, "JPEG is lossy even at 95");
    }
}
