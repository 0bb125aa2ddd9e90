//! Codes' data written bit by bit, for the tests that write codes the `qrcode` crate will not
//! (modes it lacks, Model 1): segments as (value, width in bits) pairs, and the data codewords
//! they make.

pub const BYTE: (u32, usize) = (0b0100, 4);

/// A byte-mode segment of `text` (up to 255 bytes: versions 1-9 count in 8 bits).
pub fn bytes(text: &str) -> Vec<(u32, usize)> {
    let mut out = vec![BYTE, (text.len() as u32, 8)];
    out.extend(text.bytes().map(|b| (u32::from(b), 8)));
    out
}

/// `count` data codewords holding `segments`, written as given: the terminator (up to four
/// zero bits), zeros to the byte, then the pad codewords 0xEC and 0x11 in turn.
pub fn data_codewords(segments: &[(u32, usize)], count: usize) -> Vec<u8> {
    let mut bits: Vec<bool> = segments
        .iter()
        .flat_map(|&(value, width)| (0..width).rev().map(move |i| value >> i & 1 == 1))
        .collect();
    assert!(
        bits.len() <= count * 8,
        "the segments fit {count} codewords"
    );
    bits.extend(std::iter::repeat_n(false, (count * 8 - bits.len()).min(4)));
    bits.resize(bits.len().div_ceil(8) * 8, false);
    let mut data: Vec<u8> = bits
        .chunks(8)
        .map(|byte| byte.iter().fold(0, |acc, &bit| acc << 1 | u8::from(bit)))
        .collect();
    data.extend([0xEC, 0x11].iter().cycle().take(count - data.len()));
    data
}
