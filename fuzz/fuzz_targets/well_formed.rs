//! A well-formed QR code for the grid-decoding targets (`payload_decode`, `grid_decode`): its
//! error correction right, drawn by the `qrcode` crate with one mask. Included by each target
//! as a module (`mod well_formed;`), not a target itself.

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

/// The code `selector` picks (version 1-10 from its value mod 10, the level from its top two
/// bits, the mask from the three below them) holding `data` as its data codewords, cut or
/// padded to fit: its size and its modules row by row, dark when true. `None` when the crate
/// refuses the version and level.
pub fn code(selector: u8, data: &[u8]) -> Option<(usize, Vec<bool>)> {
    let version = Version::Normal(i16::from(selector % 10) + 1);
    let ec = [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H][usize::from(selector >> 6)];
    let mask = MASKS[usize::from(selector >> 3) % 8];
    let bits = Bits::new(version).max_len(ec).ok()?;
    let mut codewords = data.to_vec();
    codewords.resize(bits / 8, 0xEC);
    let (codewords, ec_codewords) =
        qrcode::ec::construct_codewords(&codewords, version, ec).ok()?;
    let mut canvas = qrcode::canvas::Canvas::new(version, ec);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&codewords, &ec_codewords);
    // One mask, not the best of eight: a decoder reads any of them, and this is 8 times faster.
    canvas.apply_mask(mask);
    let colors = canvas.into_colors();
    let dim = (colors.len() as f64).sqrt() as usize;
    Some((
        dim,
        colors
            .into_iter()
            .map(|c| c == qrcode::Color::Dark)
            .collect(),
    ))
}
