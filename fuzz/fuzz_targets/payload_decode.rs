//! Arbitrary data codewords in a well-formed code (its error correction right, any version from
//! 1 to 10, any level) through the scanner's grid decoding (S2): rqrr's data decoding, every
//! mode and the ones BadgeIn patched in (../vendor/README.md), must give a code or nothing,
//! never a panic. Random frames almost never get past error correction; these always do.
#![no_main]

mod well_formed;

use badgein_scanner::grid_decode::decode_grid;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the version (1-10), the level and the mask; the rest is data.
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Some((dim, dark)) = well_formed::code(selector, rest) else {
        return;
    };
    let grid = rqrr::SimpleGrid::from_func(dim, |x, y| dark[y * dim + x]);
    let _ = decode_grid(&grid, [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]);
});
