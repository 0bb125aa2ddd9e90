//! Image files played as a video: the simulated camera of demos and tests.

use std::path::{Path, PathBuf};

use crate::frame::Frame;
use crate::source::{FrameSource, SourceError};

/// Plays image files in name order, each held for `repeat` frames (a child holds a badge up
/// for a moment, not one frame), once or looping forever.
#[derive(Debug)]
pub struct FolderSource {
    files: Vec<PathBuf>,
    repeat: u32,
    looping: bool,
    index: usize,
    shown: u32,
    current: Option<Frame>,
    label: String,
}

const IMAGE_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "gif", "bmp"];

impl FolderSource {
    /// Every image file directly inside `dir`, in name order.
    pub fn from_dir(dir: &Path, repeat: u32, looping: bool) -> Result<Self, SourceError> {
        let err = |e: std::io::Error| SourceError::File {
            path: dir.display().to_string(),
            message: e.to_string(),
        };
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(err)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
            })
            .collect();
        files.sort();
        let label = format!("folder {} ({} images)", dir.display(), files.len());
        Ok(Self::with_label(files, repeat, looping, label))
    }

    /// The given files, in the given order.
    pub fn from_files(files: Vec<PathBuf>, repeat: u32, looping: bool) -> Self {
        let label = format!("{} image files", files.len());
        Self::with_label(files, repeat, looping, label)
    }

    fn with_label(files: Vec<PathBuf>, repeat: u32, looping: bool, label: String) -> Self {
        Self {
            files,
            repeat: repeat.max(1),
            looping,
            index: 0,
            shown: 0,
            current: None,
            label,
        }
    }
}

impl FrameSource for FolderSource {
    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError> {
        if self.files.is_empty() {
            return Ok(None);
        }
        if self.shown >= self.repeat {
            self.shown = 0;
            self.current = None;
            self.index += 1;
        }
        if self.index >= self.files.len() {
            if !self.looping {
                return Ok(None);
            }
            self.index = 0;
        }
        if self.current.is_none() {
            let path = &self.files[self.index];
            let bytes = std::fs::read(path).map_err(|e| SourceError::File {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
            self.current = Some(Frame::from_encoded(&bytes, None)?);
        }
        self.shown += 1;
        Ok(self.current.clone())
    }

    fn describe(&self) -> String {
        self.label.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plays_each_file_repeat_times_then_ends() {
        let dir = std::env::temp_dir().join(format!("badgein-folder-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (name, v) in [("a.png", 10u8), ("b.png", 200u8)] {
            image::GrayImage::from_pixel(4, 4, image::Luma([v]))
                .save(dir.join(name))
                .unwrap();
        }
        std::fs::write(dir.join("notes.txt"), "not an image").unwrap();
        let mut src = FolderSource::from_dir(&dir, 2, false).unwrap();
        let seen: Vec<u8> = std::iter::from_fn(|| src.next_frame().unwrap())
            .map(|f| f.get(0, 0))
            .collect();
        assert_eq!(seen, vec![10, 10, 200, 200]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn unreadable_file_is_an_error() {
        let mut src = FolderSource::from_files(vec![PathBuf::from("/nonexistent/x.png")], 1, false);
        assert!(matches!(src.next_frame(), Err(SourceError::File { .. })));
    }
}
