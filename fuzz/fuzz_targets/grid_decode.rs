//! Module grids a few bits away from real codes, through the scanner's grid decoding (S2): a
//! well-formed Model 2 code (version 1-10, any level and mask) whose format information may be
//! written again as Model 1's, with modules anywhere flipped, format and version information
//! included. rqrr's format, version, error correction and data decoding of both models must give
//! a code or nothing, never a panic. Neither a whole frame (`frame_scan`) nor a code with its
//! error correction right (`payload_decode`) reaches these paths often: a Model 1 version 4-H
//! grid panicked in rqrr's Reed-Solomon decoder, unseen by both (vendor/README.md).
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

/// Where the format information's 15 bits sit: the copy around the top-left finder, then the
/// copy split between the other two (row, column; `dim` is the grid's size).
fn format_positions(dim: usize) -> impl Iterator<Item = ((usize, usize), (usize, usize))> {
    const ROWS: [usize; 15] = [0, 1, 2, 3, 4, 5, 7, 8, 8, 8, 8, 8, 8, 8, 8];
    const COLS: [usize; 15] = [8, 8, 8, 8, 8, 8, 8, 8, 7, 5, 4, 3, 2, 1, 0];
    (0..15).map(move |i| {
        let other = if i < 8 {
            (8, dim - 1 - i)
        } else {
            (dim - 15 + i, 8)
        };
        ((ROWS[i], COLS[i]), other)
    })
}

/// The 15-bit format word of `level` (its 2-bit code) and `mask`, masked with `xor`.
fn format_word(level: u16, mask: u16, xor: u16) -> u16 {
    let info = (level << 3 | mask) << 10;
    let remainder = (0..5).rev().fold(info, |word, i| {
        if word >> (10 + i) & 1 == 1 {
            word ^ 0x537 << i
        } else {
            word
        }
    });
    (info | remainder) ^ xor
}

fuzz_target!(|data: &[u8]| {
    // Byte 0: version (1-10), level, mask; byte 1: Model 1's format or not, and how many
    // flips follow; then two bytes a flipped module; the rest is the code's data.
    let [selector, model_and_flips, rest @ ..] = data else {
        return;
    };
    let version = Version::Normal(i16::from(selector % 10) + 1);
    let level = usize::from(selector >> 6);
    let ec = [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H][level];
    let mask = usize::from(selector >> 3) % 8;
    let flips = usize::from(model_and_flips >> 1).min(rest.len() / 2);
    let (flips, payload) = rest.split_at(flips * 2);
    let Ok(bits) = Bits::new(version).max_len(ec) else {
        return;
    };
    let mut codewords = payload.to_vec();
    codewords.resize(bits / 8, 0xEC);
    let Ok((codewords, ec_codewords)) = qrcode::ec::construct_codewords(&codewords, version, ec)
    else {
        return;
    };
    let mut canvas = qrcode::canvas::Canvas::new(version, ec);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&codewords, &ec_codewords);
    canvas.apply_mask(MASKS[mask]);
    let colors = canvas.into_colors();
    let dim = (colors.len() as f64).sqrt() as usize;
    let mut dark: Vec<bool> = colors.iter().map(|c| *c == qrcode::Color::Dark).collect();
    if model_and_flips & 1 == 1 {
        // The format's level codes are L 01, M 00, Q 11, H 10.
        let code = [0b01, 0b00, 0b11, 0b10][level];
        let word = format_word(code, mask as u16, 0x2825);
        for (i, (a, b)) in format_positions(dim).enumerate() {
            let bit = word >> i & 1 == 1;
            dark[a.0 * dim + a.1] = bit;
            dark[b.0 * dim + b.1] = bit;
        }
    }
    for pair in flips.chunks_exact(2) {
        let at = usize::from(u16::from_le_bytes([pair[0], pair[1]])) % dark.len();
        dark[at] = !dark[at];
    }
    let grid = rqrr::SimpleGrid::from_func(dim, |x, y| dark[y * dim + x]);
    let _ = decode_grid(&grid, [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]);
});
