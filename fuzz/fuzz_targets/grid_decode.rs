//! Module grids a few bits away from real codes, through the scanner's grid decoding (S2): a
//! well-formed Model 2 code (version 1-10, any level and mask) whose format information may be
//! written again as Model 1's, with modules anywhere flipped, format and version information
//! included. rqrr's format, version, error correction and data decoding of both models must give
//! a code or nothing, never a panic. Neither a whole frame (`frame_scan`) nor a code with its
//! error correction right (`payload_decode`) reaches these paths often: a Model 1 version 4-H
//! grid panicked in rqrr's Reed-Solomon decoder, unseen by both (vendor/README.md).
#![no_main]

mod well_formed;

use badgein_scanner::grid_decode::decode_grid;
use libfuzzer_sys::fuzz_target;

/// What turns a Model 2 format word into Model 1's for the same level and mask: the two
/// models' masks, 0x5412 and 0x2825, over the same BCH(15, 5) word.
const MODEL_1_FROM_2: u16 = 0x5412 ^ 0x2825;

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

fuzz_target!(|data: &[u8]| {
    // Byte 0: version (1-10), level, mask; byte 1: Model 1's format or not, and how many
    // flips follow; then two bytes a flipped module; the rest is the code's data.
    let [selector, model_and_flips, rest @ ..] = data else {
        return;
    };
    let flips = usize::from(model_and_flips >> 1).min(rest.len() / 2);
    let (flips, payload) = rest.split_at(flips * 2);
    let Some((dim, mut dark)) = well_formed::code(*selector, payload) else {
        return;
    };
    if model_and_flips & 1 == 1 {
        for (i, (a, b)) in format_positions(dim).enumerate() {
            if MODEL_1_FROM_2 >> i & 1 == 1 {
                dark[a.0 * dim + a.1] = !dark[a.0 * dim + a.1];
                dark[b.0 * dim + b.1] = !dark[b.0 * dim + b.1];
            }
        }
    }
    for pair in flips.chunks_exact(2) {
        let at = usize::from(u16::from_le_bytes([pair[0], pair[1]])) % dark.len();
        dark[at] = !dark[at];
    }
    let grid = rqrr::SimpleGrid::from_func(dim, |x, y| dark[y * dim + x]);
    let _ = decode_grid(&grid, [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]);
});
