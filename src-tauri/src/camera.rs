//! Which frame source the kiosk reads: a real webcam, or (for demos, development and the
//! end-to-end tests, which have no camera) a simulated one. `BADGEIN_CAMERA` chooses:
//!
//! - `<index>`: the webcam with that index;
//! - `sim`: generated classroom scenes with random demo badges held up in turn;
//! - `sim:<dir>`: the same with the badge QR images (`*.png`) found in `<dir>`;
//! - `still:<file>`: the image in `<file>` is what the camera sees, re-read when it changes, an
//!   empty classroom with sensor noise while it is missing (tests "hold up" a badge by writing
//!   the file); `BADGEIN_STILL_NOISE` sets that noise's standard deviation in grey levels
//!   (default 2, a lit room; scripts/bench-kiosk measures a dim room's 5 too);
//! - `folder:<dir>`: the images in `<dir>` played in name order, looping.
//!
//! Unset, the first webcam is used, or the simulation when there is none.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use badgein_camera::CameraConfig;
use badgein_frame::files::FolderSource;
use badgein_frame::frame::Frame;
use badgein_frame::source::{FrameSource, SourceError};
use badgein_synthetic::{Scene, SyntheticSource};
use image::GrayImage;

use crate::paced::{PACED_FPS, Paced};

/// The size of generated frames: a common webcam mode.
pub const SIM_SIZE: (u32, u32) = (1280, 720);
/// Simulated presentations: each badge shown for 2 s at 30 fps, then 3 s of empty scene.
const SIM_FRAMES_PER_BADGE: u32 = 60;
const SIM_GAP_FRAMES: u32 = 90;
const DEMO_BADGES: usize = 3;
const DEMO_MODULE_PX: u32 = 8;
/// The still source's empty scene: a classroom whose sensor noise (in grey levels, as a webcam
/// in a lit room) changes from frame to frame over a short loop of frames.
const EMPTY_NOISE: f32 = 2.0;
/// The most `BADGEIN_STILL_NOISE` may ask: beyond it the scene is noise, not a classroom.
const MAX_EMPTY_NOISE: f32 = 32.0;
const EMPTY_FRAMES: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    Webcam(u32),
    Simulated(Option<PathBuf>),
    Still(PathBuf),
    Folder(PathBuf),
    /// No choice made: the first webcam, else the simulation.
    Auto,
}

#[derive(Debug, thiserror::Error)]
pub enum ChoiceError {
    #[error("BADGEIN_CAMERA={0:?} is not an index, sim, sim:<dir>, still:<file> or folder:<dir>")]
    Unknown(String),
    #[error("BADGEIN_STILL_NOISE={0:?} is not a number of grey levels from 0 to 32")]
    Noise(String),
}

/// The still source's empty-scene noise from the value of `BADGEIN_STILL_NOISE` (`None` when
/// unset: a lit room's).
pub fn still_noise(value: Option<&str>) -> Result<f32, ChoiceError> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(EMPTY_NOISE);
    };
    value
        .parse::<f32>()
        .ok()
        .filter(|sigma| (0.0..=MAX_EMPTY_NOISE).contains(sigma))
        .ok_or_else(|| ChoiceError::Noise(value.to_owned()))
}

impl Choice {
    /// Parses the value of `BADGEIN_CAMERA` (`None` when unset).
    pub fn parse(value: Option<&str>) -> Result<Self, ChoiceError> {
        let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
            return Ok(Self::Auto);
        };
        if value == "sim" {
            return Ok(Self::Simulated(None));
        }
        if let Some(dir) = value.strip_prefix("sim:") {
            return Ok(Self::Simulated(Some(PathBuf::from(dir))));
        }
        if let Some(file) = value.strip_prefix("still:") {
            return Ok(Self::Still(PathBuf::from(file)));
        }
        if let Some(dir) = value.strip_prefix("folder:") {
            return Ok(Self::Folder(PathBuf::from(dir)));
        }
        value
            .parse()
            .map(Self::Webcam)
            .map_err(|_| ChoiceError::Unknown(value.to_owned()))
    }

    /// Opens the chosen source.
    pub fn open(&self) -> Result<Box<dyn FrameSource>, SourceError> {
        match self {
            Self::Webcam(index) => webcam(*index),
            Self::Simulated(dir) => simulated(dir.as_deref()),
            Self::Still(file) => {
                let noise = still_noise(std::env::var("BADGEIN_STILL_NOISE").ok().as_deref())
                    .map_err(|e| SourceError::Other(e.to_string()))?;
                Ok(Box::new(StillSource::new(file.clone(), noise)))
            }
            Self::Folder(dir) => Ok(Box::new(FolderSource::from_dir(dir, 30, true)?)),
            Self::Auto => webcam(0).or_else(|error| {
                tracing::info!(%error, "no webcam; using the simulated camera");
                let paced: Box<dyn FrameSource> = Box::new(Paced::new(simulated(None)?, PACED_FPS));
                Ok(paced)
            }),
        }
    }

    /// Opens the chosen source, paced to a camera's frame rate when it would not pace itself.
    pub fn open_paced(&self) -> Result<Box<dyn FrameSource>, SourceError> {
        let source = self.open()?;
        Ok(if matches!(self, Self::Webcam(_) | Self::Auto) {
            source
        } else {
            Box::new(Paced::new(source, PACED_FPS))
        })
    }
}

fn webcam(index: u32) -> Result<Box<dyn FrameSource>, SourceError> {
    Ok(Box::new(badgein_camera::Camera::open(
        index,
        CameraConfig::default(),
    )?))
}

fn simulated(dir: Option<&Path>) -> Result<Box<dyn FrameSource>, SourceError> {
    let codes = match dir {
        Some(dir) => badge_images(dir)?,
        None => demo_badges()?,
    };
    Ok(Box::new(SyntheticSource::presentations(
        codes,
        SIM_FRAMES_PER_BADGE,
        SIM_GAP_FRAMES,
        SIM_SIZE,
        7,
    )))
}

fn badge_images(dir: &Path) -> Result<Vec<GrayImage>, SourceError> {
    let unreadable = |message: String| SourceError::File {
        path: dir.display().to_string(),
        message,
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| unreadable(e.to_string()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "png"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|path| {
            image::open(path)
                .map(|img| img.to_luma8())
                .map_err(|e| unreadable(e.to_string()))
        })
        .collect()
}

fn demo_badges() -> Result<Vec<GrayImage>, SourceError> {
    (0..DEMO_BADGES)
        .map(|_| {
            badgein_badge::Badge::generate()
                .map_err(|e| SourceError::Other(e.to_string()))?
                .render(DEMO_MODULE_PX)
                .map_err(|e| SourceError::Other(e.to_string()))
        })
        .collect()
}

/// One image file as the whole camera view, re-read whenever it changes.
#[derive(Debug)]
pub struct StillSource {
    path: PathBuf,
    /// The file's modification time and length when last read, and the frame it gave.
    current: Option<((SystemTime, u64), Frame)>,
    /// The empty scene's sensor noise (grey levels), its frames, rendered as first needed, and
    /// the next one to show.
    noise: f32,
    empty: Vec<Frame>,
    next_empty: usize,
}

impl StillSource {
    pub fn new(path: PathBuf, noise: f32) -> Self {
        Self {
            path,
            current: None,
            noise,
            empty: Vec::new(),
            next_empty: 0,
        }
    }

    fn empty_scene(&mut self) -> Frame {
        let index = self.next_empty % EMPTY_FRAMES;
        self.next_empty = index + 1;
        if let Some(frame) = self.empty.get(index) {
            return frame.clone();
        }
        let (width, height) = SIM_SIZE;
        let frame = Scene {
            width,
            height,
            noise: self.noise,
            frame: index as u64,
            ..Scene::default()
        }
        .render(None);
        self.empty.push(frame.clone());
        frame
    }
}

impl FrameSource for StillSource {
    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError> {
        let stamp = std::fs::metadata(&self.path)
            .ok()
            .and_then(|m| Some((m.modified().ok()?, m.len())));
        let Some(stamp) = stamp else {
            self.current = None;
            return Ok(Some(self.empty_scene()));
        };
        if let Some((seen, frame)) = &self.current
            && *seen == stamp
        {
            return Ok(Some(frame.clone()));
        }
        // A file caught half-written fails to decode: show the empty scene and retry next frame.
        match std::fs::read(&self.path)
            .ok()
            .and_then(|bytes| image::load_from_memory(&bytes).ok())
        {
            Some(img) => {
                let frame = Frame::from_image(&img);
                self.current = Some((stamp, frame.clone()));
                Ok(Some(frame))
            }
            None => Ok(Some(self.empty_scene())),
        }
    }

    fn describe(&self) -> String {
        format!("still image {}", self.path.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_parse() {
        assert_eq!(Choice::parse(None).unwrap(), Choice::Auto);
        assert_eq!(Choice::parse(Some(" ")).unwrap(), Choice::Auto);
        assert_eq!(Choice::parse(Some("2")).unwrap(), Choice::Webcam(2));
        assert_eq!(Choice::parse(Some("sim")).unwrap(), Choice::Simulated(None));
        assert_eq!(
            Choice::parse(Some("sim:/b")).unwrap(),
            Choice::Simulated(Some("/b".into()))
        );
        assert_eq!(
            Choice::parse(Some("still:/x.png")).unwrap(),
            Choice::Still("/x.png".into())
        );
        assert_eq!(
            Choice::parse(Some("folder:/f")).unwrap(),
            Choice::Folder("/f".into())
        );
        assert!(Choice::parse(Some("camera")).is_err());
        assert!(Choice::parse(Some("-1")).is_err());
    }

    #[test]
    fn still_noise_parses() {
        assert_eq!(still_noise(None).unwrap(), EMPTY_NOISE);
        assert_eq!(still_noise(Some(" ")).unwrap(), EMPTY_NOISE);
        assert_eq!(still_noise(Some("5")).unwrap(), 5.0);
        assert_eq!(still_noise(Some("0")).unwrap(), 0.0);
        for bad in ["-1", "33", "NaN", "inf", "five", "5 levels"] {
            assert!(still_noise(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn still_source_follows_the_file() {
        let dir = std::env::temp_dir().join(format!("badgein-still-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("camera.png");
        let mut source = StillSource::new(path.clone(), EMPTY_NOISE);

        let empty = source.next_frame().unwrap().unwrap();
        assert_eq!((empty.width(), empty.height()), SIM_SIZE);
        // Sensor noise: the empty room is never twice the same picture in a row.
        assert_ne!(source.next_frame().unwrap().unwrap(), empty);

        GrayImage::from_pixel(40, 30, image::Luma([9]))
            .save(&path)
            .unwrap();
        let shown = source.next_frame().unwrap().unwrap();
        assert_eq!((shown.width(), shown.height()), (40, 30));
        assert_eq!(shown.get(3, 3), 9);

        std::fs::remove_file(&path).unwrap();
        let gone = source.next_frame().unwrap().unwrap();
        assert_eq!((gone.width(), gone.height()), SIM_SIZE);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn simulated_camera_shows_badges() {
        let mut source = Choice::Simulated(None).open().unwrap();
        let frame = source.next_frame().unwrap().unwrap();
        assert_eq!((frame.width(), frame.height()), SIM_SIZE);
    }
}
