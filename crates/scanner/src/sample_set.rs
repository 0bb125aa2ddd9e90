//! Labelled photo sets for the scanner's tests and benchmarks: folders of images, each with a
//! `<name>.txt` beside it holding the exact expected text (the layout of zxing-cpp's
//! black-box samples, which the project reads from `../shared/qr-samples`).

use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Sample {
    pub image: PathBuf,
    pub expected: Vec<u8>,
}

#[derive(Debug, Clone)]
pub struct SampleSet {
    pub name: String,
    pub samples: Vec<Sample>,
}

const IMAGE_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "gif", "bmp"];

/// Where the shared sample photos are: `$BADGEIN_QR_SAMPLES`, else `shared/qr-samples` beside
/// the repository.
pub fn default_root() -> PathBuf {
    shared_dir("BADGEIN_QR_SAMPLES", "qr-samples")
}

/// `$var`, else `shared/<folder>` beside the repository (where the project's photo sets are
/// read in place).
pub(crate) fn shared_dir(var: &str, folder: &str) -> PathBuf {
    if let Some(dir) = std::env::var_os(var) {
        return PathBuf::from(dir);
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared")
        .join(folder)
}

/// The sub-folders of `root`, in name order.
pub(crate) fn sub_folders(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    Ok(dirs)
}

/// Every sub-folder of `root` that holds labelled images, in name order.
pub fn load(root: &Path) -> std::io::Result<Vec<SampleSet>> {
    let mut sets = Vec::new();
    for dir in sub_folders(root)? {
        let samples = load_dir(&dir)?;
        if !samples.is_empty() {
            let name = dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            sets.push(SampleSet { name, samples });
        }
    }
    Ok(sets)
}

fn load_dir(dir: &Path) -> std::io::Result<Vec<Sample>> {
    let mut images: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        })
        .collect();
    images.sort();
    let mut samples = Vec::new();
    for image in images {
        // An image is scored only when its expected text exists (`.result.txt` files are
        // metadata, not text).
        if let Ok(expected) = std::fs::read(image.with_extension("txt")) {
            samples.push(Sample { image, expected });
        }
    }
    Ok(samples)
}
