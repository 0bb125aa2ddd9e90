//! What one rqrr pass costs beyond its locator's per-pixel floor, by the version of the code it
//! finds: generated codes at 2 and 4 px a module, read or with their data spoilt (the grid
//! found, error correction failing). The numbers behind `rqrr_cost`'s grid constants.
//!
//!     cargo run --release -p badgein-scanner --example rqrr_grid_cost

use std::time::Instant;

use badgein_scanner::{Frame, rqrr_pass};
use qrcode::{EcLevel, QrCode, Version};

/// `version`'s code at `module` px with a 4-module quiet zone; with `spoilt`, a third of the
/// modules away from the finders flipped, past what error correction mends.
fn frame(version: i16, module: usize, spoilt: bool) -> Frame {
    let code = QrCode::with_version(b"badge-00", Version::Normal(version), EcLevel::L)
        .expect("8 bytes fit every version");
    let dim = code.width();
    let colors = code.to_colors();
    let side = (dim + 8) * module;
    let mut data = vec![255u8; side * side];
    for y in 0..dim {
        for x in 0..dim {
            let inner = x > 9 && y > 9 && x < dim - 9 && y < dim - 9;
            let flip = spoilt && inner && (x * 7 + y * 13) % 3 == 0;
            if (colors[y * dim + x] == qrcode::Color::Dark) != flip {
                for dy in 0..module {
                    let row = ((y + 4) * module + dy) * side + (x + 4) * module;
                    data[row..row + module].fill(0);
                }
            }
        }
    }
    Frame::from_luma(side as u32, side as u32, data).expect("a square frame")
}

fn main() {
    println!(
        "| module px | version | spoilt | frame | pass ms (best of 3) | beyond 12 ns/pixel | read | grids not read |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for module in [2usize, 4] {
        for version in [2i16, 5, 10, 15, 20, 25, 30, 35, 40] {
            for spoilt in [false, true] {
                let f = frame(version, module, spoilt);
                let (mut best, mut read, mut failed) = (f64::MAX, 0, 0);
                for _ in 0..3 {
                    let t = Instant::now();
                    let pass = rqrr_pass::run(&f, 1.0);
                    best = best.min(t.elapsed().as_secs_f64() * 1000.0);
                    (read, failed) = (pass.codes.len(), pass.failed_grids.len());
                }
                let floor = f64::from(f.width()) * f64::from(f.height()) * 12e-6;
                println!(
                    "| {module} | {version} | {spoilt} | {}x{} | {best:.1} | {:.1} | {read} | {failed} |",
                    f.width(),
                    f.height(),
                    best - floor
                );
            }
        }
    }
}
