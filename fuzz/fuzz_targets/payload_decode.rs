//! Arbitrary data codewords in a well-formed code (its error correction right, any version from
//! 1 to 10, any level) through the scanner's grid decoding (S2): rqrr's data decoding, every
//! mode and the ones BadgeIn patched in (../vendor/README.md), must give a code or nothing,
//! never a panic. Random frames almost never get past error correction; these always do.
#![no_main]

use badgein_scanner::grid_decode::decode_grid;
use libfuzzer_sys::fuzz_target;
use qrcode::bits::Bits;
use qrcode::canvas::MaskPattern;
use qrcode::{EcLevel, Version};

/// The eight masks, in their 3-bit codes' order.
const MASKS: [MaskPattern; 8] = [
    MaskPattern::Checkerboard,
    MaskPattern::HorizontalLines,
    MaskPattern::VerticalLines,
    MaskPattern::DiagonalLines,
    MaskPattern::LargeCheckerboard,
    MaskPattern::Fields,
    MaskPattern::Diamonds,
    MaskPattern::Meadow,
];

fuzz_target!(|data: &[u8]| {
    // The first byte picks the version (1-10), the level and the mask; the rest is data.
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let version = Version::Normal(i16::from(selector % 10) + 1);
    let ec = [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H][usize::from(selector >> 6)];
    let mask = MASKS[usize::from(selector >> 3) % 8];
    let Ok(bits) = Bits::new(version).max_len(ec) else {
        return;
    };
    let mut codewords = rest.to_vec();
    codewords.resize(bits / 8, 0xEC);
    let Ok((codewords, ec_codewords)) = qrcode::ec::construct_codewords(&codewords, version, ec)
    else {
        return;
    };
    let mut canvas = qrcode::canvas::Canvas::new(version, ec);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&codewords, &ec_codewords);
    // One mask, not the best of eight: a decoder reads any of them, and this is 8 times faster.
    canvas.apply_mask(mask);
    let colors = canvas.into_colors();
    let dim = (colors.len() as f64).sqrt() as usize;
    let grid = rqrr::SimpleGrid::from_func(dim, |x, y| colors[y * dim + x] == qrcode::Color::Dark);
    let _ = decode_grid(&grid, [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]);
});
