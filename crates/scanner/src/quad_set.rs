//! Photo sets labelled with each code's corners and no text (the BoofCV QR detection set the
//! project reads from `../shared/qr-photos-boofcv`): `imageNNN.jpg` (or `.png`) with `imageNNN.txt` beside
//! it, `#` comments, then either a line `SETS` followed by one code per line (eight numbers,
//! four corners `x y`) or four lines of one point each per code.
//!
//! A labelled code counts as read when the centre of a decoded code lies inside its quad grown
//! by 15 % around its centre, each decoded code used for one label at most (the set's README).

use std::path::{Path, PathBuf};

use crate::code::{Point, grow, quad_contains};
use crate::sample_set;

#[derive(Debug, Clone)]
pub struct QuadSample {
    pub image: PathBuf,
    /// Each labelled code's four corners.
    pub codes: Vec<[Point; 4]>,
}

#[derive(Debug, Clone)]
pub struct QuadSet {
    pub name: String,
    pub samples: Vec<QuadSample>,
}

/// Where the corner-labelled photos are: `$BADGEIN_QR_PHOTOS`, else `shared/qr-photos-boofcv`
/// beside the repository.
pub fn default_root() -> PathBuf {
    sample_set::shared_dir("BADGEIN_QR_PHOTOS", "qr-photos-boofcv")
}

/// Every sub-folder of `root` with labelled photos, in name order. A label file that does not
/// parse is an error naming it (a set scored on half its labels would mislead).
pub fn load(root: &Path) -> std::io::Result<Vec<QuadSet>> {
    let mut sets = Vec::new();
    for dir in sample_set::sub_folders(root)? {
        let mut images: Vec<PathBuf> = std::fs::read_dir(&dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| ["jpg", "png"].contains(&e.to_ascii_lowercase().as_str()))
            })
            .collect();
        images.sort();
        let mut samples = Vec::new();
        for image in images {
            let Ok(text) = std::fs::read_to_string(image.with_extension("txt")) else {
                continue;
            };
            let codes = parse(&text).ok_or_else(|| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("corner labels of {} do not parse", image.display()),
                )
            })?;
            samples.push(QuadSample { image, codes });
        }
        if !samples.is_empty() {
            let name = dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            sets.push(QuadSet { name, samples });
        }
    }
    Ok(sets)
}

/// The codes of one label file; `None` when a line is not numbers or the count is off.
pub fn parse(text: &str) -> Option<Vec<[Point; 4]>> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let (per_code, lines) = match lines.first() {
        Some(&"SETS") => (1, &lines[1..]),
        _ => (4, &lines[..]),
    };
    let numbers: Vec<Vec<f32>> = lines
        .iter()
        .map(|l| l.split_whitespace().map(|n| n.parse().ok()).collect())
        .collect::<Option<_>>()?;
    if !numbers.len().is_multiple_of(per_code) {
        return None;
    }
    numbers
        .chunks(per_code)
        .map(|chunk| {
            let flat: Vec<f32> = chunk.concat();
            (flat.len() == 8 && flat.iter().all(|n| n.is_finite()))
                .then(|| [0, 1, 2, 3].map(|i| [flat[2 * i], flat[2 * i + 1]]))
        })
        .collect()
}

/// How many of `labels` the decoded codes (given by their centres) account for: each label is
/// matched by a centre inside it (grown by 15 %), each centre used once.
pub fn matched(labels: &[[Point; 4]], centres: &[Point]) -> usize {
    let mut used = vec![false; centres.len()];
    let mut count = 0;
    for label in labels {
        let grown = grow(label, 1.15);
        if let Some(i) = (0..centres.len()).find(|&i| !used[i] && quad_contains(&grown, centres[i]))
        {
            used[i] = true;
            count += 1;
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_layouts_parse() {
        let sets = "# points\nSETS\n0 0 10 0 10 10 0 10\n20 0 30 0 30 10 20 10\n";
        assert_eq!(parse(sets).unwrap().len(), 2);
        let points = "# points\n0 0\n10 0\n10 10\n0 10\n";
        assert_eq!(
            parse(points).unwrap(),
            vec![[[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]]]
        );
    }

    #[test]
    fn broken_labels_are_refused() {
        assert!(parse("SETS\n0 0 10 0 10 10 0\n").is_none());
        assert!(parse("0 0\n10 0\n10 10\n").is_none());
        assert!(parse("SETS\n0 0 10 0 10 x 0 10\n").is_none());
        assert!(parse("SETS\n0 0 10 0 10 NaN 0 10\n").is_none());
    }

    #[test]
    fn each_decoded_code_matches_one_label() {
        let a = [[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]];
        let b = [[20.0, 0.0], [30.0, 0.0], [30.0, 10.0], [20.0, 10.0]];
        assert_eq!(matched(&[a, b], &[[5.0, 5.0]]), 1);
        assert_eq!(matched(&[a, b], &[[5.0, 5.0], [25.0, 5.0]]), 2);
        // One centre cannot count for two labels, nor a centre far outside.
        assert_eq!(matched(&[a, a], &[[5.0, 5.0]]), 1);
        assert_eq!(matched(&[a], &[[15.0, 5.0]]), 0);
        // Just outside the quad but within the 15 % margin.
        assert_eq!(matched(&[a], &[[10.5, 5.0]]), 1);
    }
}
