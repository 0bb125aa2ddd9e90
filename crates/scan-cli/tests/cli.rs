//! `badgein-scan` as a script would use it: one JSON line per file, every code with corners,
//! and a clear error (never a crash) for files that are not images.

use std::process::Command;

use badgein_scanner::Frame;
use image::{GrayImage, Luma};
use qrcode::EcLevel;
use serde_json::Value;

// The scanner's own test images (QR codes pasted onto frames), shared rather than copied.
#[path = "../../scanner/tests/scanner/support.rs"]
mod support;
use support::{frame_with, qr};

fn run(files: &[std::path::PathBuf]) -> (bool, Vec<Value>) {
    let out = Command::new(env!("CARGO_BIN_EXE_badgein-scan"))
        .args(files)
        .output()
        .expect("badgein-scan runs");
    let lines = String::from_utf8(out.stdout)
        .expect("stdout is UTF-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    (out.status.success(), lines)
}

#[test]
fn prints_every_code_with_its_corners() {
    let dir = temp_dir("cli-codes");
    let (a, b) = (
        qr(b"first code", EcLevel::M, 5),
        qr(b"<b>second</b> \"code\"", EcLevel::M, 5),
    );
    let mut img = GrayImage::from_pixel(640, 300, Luma([230]));
    image::imageops::overlay(&mut img, &a, 20, 40);
    image::imageops::overlay(&mut img, &b, 360, 40);
    let path = dir.join("two.png");
    img.save(&path).expect("save");

    let (ok, lines) = run(std::slice::from_ref(&path));
    assert!(ok);
    assert_eq!(lines.len(), 1);
    let line = &lines[0];
    assert_eq!(line["file"], path.display().to_string());
    assert!(line["ms"].as_f64().is_some_and(|ms| ms >= 0.0));
    let mut texts: Vec<&str> = line["codes"]
        .as_array()
        .expect("codes")
        .iter()
        .map(|c| c["text"].as_str().expect("text"))
        .collect();
    texts.sort();
    assert_eq!(texts, ["<b>second</b> \"code\"", "first code"]);
    // The first code spans x = 20 + 4 modules of quiet zone .. its right edge.
    let first = line["codes"]
        .as_array()
        .expect("codes")
        .iter()
        .find(|c| c["text"] == "first code")
        .expect("first");
    let xs: Vec<f64> = first["corners"]
        .as_array()
        .expect("corners")
        .iter()
        .map(|p| p[0].as_f64().expect("x"))
        .collect();
    assert_eq!(xs.len(), 4);
    let (min_x, max_x) = (
        xs.iter().copied().fold(f64::MAX, f64::min),
        xs.iter().copied().fold(f64::MIN, f64::max),
    );
    let code_px = f64::from(a.width() - 8 * 5);
    assert!((min_x - 40.0).abs() < 6.0, "left edge near 40, got {min_x}");
    assert!(
        (max_x - (40.0 + code_px)).abs() < 8.0,
        "right edge near {}, got {max_x}",
        40.0 + code_px
    );
}

#[test]
fn bad_files_give_errors_not_crashes() {
    let dir = temp_dir("cli-bad");
    let empty = dir.join("empty.png");
    std::fs::write(&empty, b"").expect("write");
    let text = dir.join("notes.jpg");
    std::fs::write(&text, b"this is not a jpeg").expect("write");
    let truncated = dir.join("truncated.png");
    let mut png = Vec::new();
    GrayImage::from_pixel(64, 64, Luma([9]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("encode");
    std::fs::write(&truncated, &png[..png.len() / 2]).expect("write");
    let huge = dir.join("huge.png");
    std::fs::write(&huge, png_claiming(20_000, 20_000)).expect("write");
    let missing = dir.join("missing.png");
    let blank = dir.join("blank.png");
    frame_to_png(&frame_with(None, 320, 240, 0, 0, 128), &blank);

    let files = vec![empty, text, truncated, huge, missing, blank.clone()];
    let (ok, lines) = run(&files);
    assert!(!ok, "exit status reports the failures");
    assert_eq!(lines.len(), files.len(), "one line per file, in order");
    for (line, file) in lines.iter().zip(&files) {
        assert_eq!(line["file"], file.display().to_string());
        if *file == blank {
            assert_eq!(line["codes"], Value::Array(vec![]));
        } else {
            let error = line["error"].as_str().unwrap_or_else(|| panic!("{line}"));
            assert!(!error.is_empty());
        }
    }
}

fn frame_to_png(frame: &Frame, path: &std::path::Path) {
    let img =
        GrayImage::from_raw(frame.width(), frame.height(), frame.data().to_vec()).expect("size");
    img.save(path).expect("save");
}

/// A valid little PNG whose header claims `w` x `h` pixels: a decoder that trusted it would
/// allocate gigabytes.
fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    let mut png = Vec::new();
    GrayImage::from_pixel(8, 8, Luma([0]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("encode");
    // IHDR is the first chunk: 8-byte signature, length, "IHDR", width, height, ..., CRC.
    png[16..20].copy_from_slice(&w.to_be_bytes());
    png[20..24].copy_from_slice(&h.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn a_camera_that_is_not_there_is_a_clear_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_badgein-scan"))
        .args(["--camera", "97"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "no JSON events without a camera");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("camera 97"), "{err}");
}

#[test]
fn camera_needs_a_number() {
    let out = Command::new(env!("CARGO_BIN_EXE_badgein-scan"))
        .args(["--camera", "front"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("camera number"));
}

/// A fresh temporary directory for one test.
fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("badgein-scan-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}
