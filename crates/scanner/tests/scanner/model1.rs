//! QR Code Model 1, the first QR Code (vendor/rqrr): its format information masked with 0x2825
//! and its codewords in blocks of 2 x 4 and 4 x 2 modules. A version 1 symbol written module by
//! module here, with Model 1's layout for that version, is read through the whole scanner; a
//! version whose blocks carry more error correction than any Model 2 block is refused, never a
//! panic.

use badgein_scanner::{Frame, ScanOptions, scan};
use qrcode::{Color, EcLevel, Version};

use crate::segments::{bytes, data_codewords};
use crate::support::render;

const SIZE: usize = 21;
/// Version 1 at level M: 16 data codewords and 10 of error correction.
const DATA_CODEWORDS: usize = 16;
/// Levels M and H in the format information, and mask 2 (dark where the column is a multiple
/// of 3).
const LEVEL_M: u16 = 0b00;
const LEVEL_H: u16 = 0b10;
const MASK: u16 = 2;

/// Where version 1's 26 codewords sit, in order: each block's bottom-right module (row,
/// column) and width. Two columns wide and four rows tall up the right edge (two column
/// pairs), four wide and two tall below the top-right finder and then between the finders
/// (stepping over the timing row), two wide and four tall left of them in the rows between the
/// top-left and bottom-left finders (stepping over the timing column).
fn version_1_blocks() -> Vec<(usize, usize, usize)> {
    let mut blocks = Vec::new();
    for col in [20, 18] {
        blocks.extend([20, 16, 12].map(|row| (row, col, 2)));
    }
    blocks.extend([20, 18, 16, 14, 12, 10].map(|row| (row, 16, 4)));
    blocks.extend([20, 18, 16, 14, 12, 10, 8, 5, 3, 1].map(|row| (row, 12, 4)));
    blocks.extend([8, 5, 3, 1].map(|col| (12, col, 2)));
    blocks
}

/// The modules of a version 1 Model 1 symbol holding `text` in byte mode.
fn model1_symbol(text: &str) -> Vec<Color> {
    // Model 1's data starts with four zero bits (the corner's, which hold no data).
    let mut segments = vec![(0, 4)];
    segments.extend(bytes(text));
    let data = data_codewords(&segments, DATA_CODEWORDS);
    // One block: Reed-Solomon as Model 2's version 1-M (the same field and generator).
    let (data, ec) = qrcode::ec::construct_codewords(&data, Version::Normal(1), EcLevel::M)
        .expect("16 codewords fit 1-M");
    let codewords: Vec<u8> = data.into_iter().chain(ec).collect();

    let mut dark = function_patterns(SIZE, LEVEL_M);
    let blocks = version_1_blocks();
    assert_eq!(blocks.len(), codewords.len());
    for ((row, col, width), codeword) in blocks.into_iter().zip(codewords) {
        for b in 0..8 {
            let (r, c) = (row - b / width, col - b % width);
            dark[r * SIZE + c] = (codeword >> (7 - b) & 1 == 1) != c.is_multiple_of(3);
        }
    }
    dark.into_iter()
        .map(|d| if d { Color::Dark } else { Color::Light })
        .collect()
}

/// A `size` x `size` symbol's finders, timing patterns and Model 1 format information (`level`,
/// [`MASK`]), every other module light: dark when true, row by row.
fn function_patterns(size: usize, level: u16) -> Vec<bool> {
    let mut dark = vec![false; size * size];
    let mut set = |row: usize, col: usize, on: bool| dark[row * size + col] = on;
    for (top, left) in [(0, 0), (0, size - 7), (size - 7, 0)] {
        for r in 0..7 {
            for c in 0..7 {
                let ring = (r as i32 - 3).abs().max((c as i32 - 3).abs());
                set(top + r, left + c, ring != 2);
            }
        }
    }
    for i in 8..size - 8 {
        set(6, i, i % 2 == 0);
        set(i, 6, i % 2 == 0);
    }
    // Format information: level and mask, BCH(15, 5) with generator 0x537, masked with 0x2825.
    let info = (level << 3 | MASK) << 10;
    let remainder = (0..5).rev().fold(info, |word, i| {
        if word >> (10 + i) & 1 == 1 {
            word ^ 0x537 << i
        } else {
            word
        }
    });
    let format = (info | remainder) ^ 0x2825;
    let bit = |i: usize| format >> i & 1 == 1;
    const ROWS: [usize; 15] = [0, 1, 2, 3, 4, 5, 7, 8, 8, 8, 8, 8, 8, 8, 8];
    const COLS: [usize; 15] = [8, 8, 8, 8, 8, 8, 8, 8, 7, 5, 4, 3, 2, 1, 0];
    for i in 0..15 {
        set(ROWS[i], COLS[i], bit(i));
    }
    for i in 0..7 {
        set(size - 1 - i, 8, bit(14 - i));
    }
    for i in 0..8 {
        set(8, size - 8 + i, bit(7 - i));
    }
    dark
}

#[test]
fn a_model_1_symbol_reads() {
    let image = render(&model1_symbol("MODEL ONE"), SIZE as u32, 4);
    let frame = Frame::from_image(&image::DynamicImage::ImageLuma8(image));
    let codes = scan(&frame, &ScanOptions::THOROUGH).codes;
    let texts: Vec<&[u8]> = codes.iter().map(|c| c.bytes.as_slice()).collect();
    assert_eq!(texts, [b"MODEL ONE".as_slice()]);
}

/// Version 4 at level H has 66 error correction codewords a block (Model 2's most is 30): rqrr's
/// decoder held 64 and panicked on every grid whose format read as that. Called on rqrr itself,
/// since the scanner would catch the panic and see no code.
#[test]
fn a_model_1_version_4_h_grid_is_refused_not_a_panic() {
    const V4: usize = 33;
    let mut dark = function_patterns(V4, LEVEL_H);
    // Data that is no codeword: a diagonal stripe, away from the finders, the format
    // information and the timing patterns.
    for (i, module) in dark.iter_mut().enumerate() {
        let (row, col) = (i / V4, i % V4);
        let corner = (row < 9 && !(9..V4 - 8).contains(&col)) || (row >= V4 - 8 && col < 9);
        if !corner && row != 6 && col != 6 && (row + 2 * col) % 7 == 0 {
            *module = true;
        }
    }
    let grid = rqrr::Grid::new(rqrr::SimpleGrid::from_func(V4, |x, y| dark[y * V4 + x]));
    let read = std::panic::catch_unwind(|| grid.decode().map(|(meta, _)| meta.version.0));
    let read = read.expect("rqrr panicked");
    assert!(read.is_err(), "garbage read as a version {read:?} code");
}
