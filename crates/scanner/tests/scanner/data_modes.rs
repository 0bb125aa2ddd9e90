//! The data modes rqrr refused (vendor/rqrr): from ISO/IEC 18004 a code that is one symbol of
//! a structured append and codes carrying GS1 or other industry data (FNC1), read with the GS1
//! fields apart; from China's GB/T 18284 Hanzi mode, read as text.

use badgein_scanner::{ScanOptions, scan};
use image::GrayImage;

use qrcode::EcLevel;

use crate::segments::{bytes, data_codewords};
use crate::support::render;

const NUMERIC: (u32, usize) = (0b0001, 4);
const ALPHANUMERIC: (u32, usize) = (0b0010, 4);
const STRUCTURED_APPEND: (u32, usize) = (0b0011, 4);
const FNC1_FIRST: (u32, usize) = (0b0101, 4);
const FNC1_SECOND: (u32, usize) = (0b1001, 4);
const HANZI: (u32, usize) = (0b1101, 4);
const GB2312_SUBSET: (u32, usize) = (1, 4);

/// An alphanumeric segment of `text` (its 45 characters only; 9-bit count).
fn alphanumeric(text: &str) -> Vec<(u32, usize)> {
    const CHARSET: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    let values: Vec<u32> = text
        .chars()
        .map(|c| CHARSET.find(c).expect("an alphanumeric character") as u32)
        .collect();
    let mut out = vec![ALPHANUMERIC, (values.len() as u32, 9)];
    for pair in values.chunks(2) {
        out.push(match pair {
            [a, b] => (a * 45 + b, 11),
            [a] => (*a, 6),
            _ => unreachable!("chunks of two"),
        });
    }
    out
}

/// A numeric segment of `digits` (10-bit count).
fn numeric(digits: &str) -> Vec<(u32, usize)> {
    let mut out = vec![NUMERIC, (digits.len() as u32, 10)];
    for group in digits.as_bytes().chunks(3) {
        let value = group
            .iter()
            .fold(0, |acc, d| acc * 10 + u32::from(d - b'0'));
        out.push((value, [0, 4, 7, 10][group.len()]));
    }
    out
}

/// A Hanzi-mode segment of `text` (characters of GB 2312; 8-bit count): each character's two
/// GB 2312 bytes less the start of its range (0xA1A1 for symbols, 0xA6A1 past them), its high
/// byte times 0x60 plus its low byte, in 13 bits.
fn hanzi(text: &str) -> Vec<(u32, usize)> {
    let (gb2312, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable, "characters of GB 2312");
    let mut out = vec![HANZI, GB2312_SUBSET, (gb2312.len() as u32 / 2, 8)];
    for pair in gb2312.chunks(2) {
        let code = u32::from(pair[0]) << 8 | u32::from(pair[1]);
        let folded = code - if code < 0xB0A1 { 0xA1A1 } else { 0xA6A1 };
        out.push(((folded >> 8) * 0x60 + (folded & 0xFF), 13));
    }
    out
}

fn read(code: &GrayImage) -> Vec<Vec<u8>> {
    let frame = badgein_scanner::Frame::from_image(&image::DynamicImage::ImageLuma8(code.clone()));
    scan(&frame, &ScanOptions::THOROUGH)
        .codes
        .into_iter()
        .map(|c| c.bytes)
        .collect()
}

#[test]
fn one_symbol_of_a_structured_append_reads_as_its_own_data() {
    // The second of three symbols (index 1, total 3 - 1), the message's parity 0x5A.
    let mut segments = vec![STRUCTURED_APPEND, (1, 4), (2, 4), (0x5A, 8)];
    segments.extend(bytes("PART-2"));
    assert_eq!(read(&qr_from_bits(&segments, 4)), [b"PART-2".to_vec()]);
}

#[test]
fn gs1_fields_are_apart_and_a_doubled_percent_is_one() {
    // GS1 (FNC1 in first position): GTIN, then a variable-length batch ended by FNC1 ('%' in
    // alphanumeric), then an expiry date. "%%" is a percent sign in the data.
    let mut segments = vec![FNC1_FIRST];
    segments.extend(numeric("0109501101020917"));
    segments.extend(alphanumeric("10AB%%C%17"));
    segments.extend(numeric("261231"));
    assert_eq!(
        read(&qr_from_bits(&segments, 4)),
        [b"0109501101020917"
            .iter()
            .chain(b"10AB%C\x1d17261231")
            .copied()
            .collect::<Vec<u8>>()]
    );
}

#[test]
fn an_industry_format_drops_its_application_indicator() {
    // FNC1 in second position with application indicator 37 (a two-digit number is written as
    // itself, a letter as its ASCII code plus 100): the data after it, its '%' an FNC1 too.
    let mut segments = vec![FNC1_SECOND, (37, 8)];
    segments.extend(alphanumeric("AB%CD"));
    assert_eq!(read(&qr_from_bits(&segments, 4)), [b"AB\x1dCD".to_vec()]);
}

#[test]
fn hanzi_reads_as_text_between_other_segments() {
    // A symbol from GB 2312's first range ('，', full-width comma) and hanzi from its second.
    let mut segments = bytes("SUB:");
    segments.extend(hanzi("阿，中文"));
    segments.extend(alphanumeric("42"));
    assert_eq!(
        read(&qr_from_bits(&segments, 4)),
        ["SUB:阿，中文42".as_bytes().to_vec()]
    );
}

#[test]
fn hanzi_outside_gb2312_or_of_another_subset_is_no_read() {
    // Low part 0x5F would be trail byte 0x100: no GB 2312 character is there.
    let outside = [HANZI, GB2312_SUBSET, (1, 8), (0x5F, 13)];
    assert!(read(&qr_from_bits(&outside, 4)).is_empty());
    // GB/T 18284 defines subset 1 only: the rest of the code cannot be read without it.
    let mut other_subset = vec![HANZI, (2, 4)];
    other_subset.extend_from_slice(&hanzi("中")[3..]);
    assert!(read(&qr_from_bits(&other_subset, 4)).is_empty());
}

#[test]
fn a_mode_that_does_not_exist_is_still_no_read() {
    // 0b1111 is no mode: the code is refused, not read as whatever follows.
    let mut segments = vec![(0b1111, 4)];
    segments.extend(bytes("NOT A CODE"));
    assert!(read(&qr_from_bits(&segments, 4)).is_empty());
}

/// A version 2 code at error correction level M whose data bits are `segments`, each a value
/// and its width in bits, written as given (the modes the `qrcode` crate will not write, or
/// not in that order): the terminator and padding follow. Drawn as `support::qr` draws.
fn qr_from_bits(segments: &[(u32, usize)], module: u32) -> GrayImage {
    let data = data_codewords(segments, 28);
    let (version, ec) = (qrcode::Version::Normal(2), EcLevel::M);
    let (data, ec_codewords) =
        qrcode::ec::construct_codewords(&data, version, ec).expect("28 codewords fit 2-M");
    let mut canvas = qrcode::canvas::Canvas::new(version, ec);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&data, &ec_codewords);
    render(&canvas.apply_best_mask().into_colors(), 25, module)
}
