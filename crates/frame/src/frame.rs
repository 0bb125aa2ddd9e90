//! A camera frame reduced to what the decoder needs: 8-bit luma with a row stride.
//!
//! Every pixel format a webcam hands us is turned into luma here, once, so the rest of the
//! pipeline never looks at colour. The conversions are deliberately simple integer maths: they
//! run on every frame at camera rate.

use thiserror::Error;

/// Frames larger than this in either direction are refused rather than decoded: no camera makes
/// them, and a hostile file must not make us allocate gigabytes.
pub const MAX_SIDE: u32 = 16_384;
/// The most pixels a frame may hold (about 67 megapixels).
pub const MAX_PIXELS: u64 = 1 << 26;

/// Why a buffer could not become a [`Frame`].
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum FrameError {
    #[error("frame is empty ({width}x{height})")]
    Empty { width: u32, height: u32 },
    #[error(
        "frame of {width}x{height} is larger than the scanner accepts ({MAX_SIDE} per side, {MAX_PIXELS} pixels)"
    )]
    TooLarge { width: u32, height: u32 },
    #[error("{format} frame of {width}x{height} needs {needed} bytes, got {got}")]
    ShortBuffer {
        format: &'static str,
        width: u32,
        height: u32,
        needed: usize,
        got: usize,
    },
    #[error("stride {stride} is smaller than the row of {row} bytes")]
    BadStride { stride: usize, row: usize },
    #[error("YUYV frames need an even width, got {0}")]
    OddWidth(u32),
    #[error("could not decode the image: {0}")]
    Image(String),
}

/// An 8-bit luma image. Rows are `stride` bytes apart; only the first `width` of each are pixels.
#[derive(Clone, PartialEq, Eq)]
pub struct Frame {
    width: u32,
    height: u32,
    stride: usize,
    data: Vec<u8>,
}

impl std::fmt::Debug for Frame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Frame")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("stride", &self.stride)
            .finish_non_exhaustive()
    }
}

fn check_size(width: u32, height: u32) -> Result<usize, FrameError> {
    if width == 0 || height == 0 {
        return Err(FrameError::Empty { width, height });
    }
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(FrameError::TooLarge { width, height });
    }
    Ok(width as usize * height as usize)
}

fn need(
    format: &'static str,
    width: u32,
    height: u32,
    needed: usize,
    got: usize,
) -> Result<(), FrameError> {
    if got < needed {
        return Err(FrameError::ShortBuffer {
            format,
            width,
            height,
            needed,
            got,
        });
    }
    Ok(())
}

/// BT.601 luma from 8-bit RGB, in integer maths (weights sum to 256).
#[inline]
fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((77 * u32::from(r) + 150 * u32::from(g) + 29 * u32::from(b)) >> 8) as u8
}

impl Frame {
    /// Takes ownership of a tightly packed luma buffer (`width * height` bytes).
    pub fn from_luma(width: u32, height: u32, data: Vec<u8>) -> Result<Self, FrameError> {
        let n = check_size(width, height)?;
        need("luma", width, height, n, data.len())?;
        let mut data = data;
        data.truncate(n);
        Ok(Self {
            width,
            height,
            stride: width as usize,
            data,
        })
    }

    /// Copies luma rows that are `stride` bytes apart (e.g. the Y plane of a camera buffer).
    pub fn from_luma_strided(
        width: u32,
        height: u32,
        stride: usize,
        data: &[u8],
    ) -> Result<Self, FrameError> {
        let n = check_size(width, height)?;
        if stride < width as usize {
            return Err(FrameError::BadStride {
                stride,
                row: width as usize,
            });
        }
        let needed = stride * (height as usize - 1) + width as usize;
        need("luma", width, height, needed, data.len())?;
        if stride == width as usize {
            return Ok(Self {
                width,
                height,
                stride,
                data: data[..n].to_vec(),
            });
        }
        let mut out = Vec::with_capacity(n);
        for row in data.chunks(stride).take(height as usize) {
            out.extend_from_slice(&row[..width as usize]);
        }
        Ok(Self {
            width,
            height,
            stride: width as usize,
            data: out,
        })
    }

    /// YUYV 4:2:2 (the usual uncompressed webcam format): luma is every other byte.
    pub fn from_yuyv(width: u32, height: u32, data: &[u8]) -> Result<Self, FrameError> {
        let n = check_size(width, height)?;
        if !width.is_multiple_of(2) {
            return Err(FrameError::OddWidth(width));
        }
        need("YUYV", width, height, n * 2, data.len())?;
        let out = data[..n * 2].iter().step_by(2).copied().collect();
        Ok(Self {
            width,
            height,
            stride: width as usize,
            data: out,
        })
    }

    /// NV12 (Y plane followed by interleaved UV): the Y plane is the frame.
    pub fn from_nv12(width: u32, height: u32, data: &[u8]) -> Result<Self, FrameError> {
        let n = check_size(width, height)?;
        // The chroma plane must be there too, or the buffer is not what the camera claimed.
        let chroma = (width as usize).div_ceil(2) * 2 * (height as usize).div_ceil(2);
        need("NV12", width, height, n + chroma, data.len())?;
        Ok(Self {
            width,
            height,
            stride: width as usize,
            data: data[..n].to_vec(),
        })
    }

    /// Packed 8-bit RGB.
    pub fn from_rgb(width: u32, height: u32, data: &[u8]) -> Result<Self, FrameError> {
        let n = check_size(width, height)?;
        need("RGB", width, height, n * 3, data.len())?;
        let out = data[..n * 3]
            .chunks_exact(3)
            .map(|p| luma(p[0], p[1], p[2]))
            .collect();
        Ok(Self {
            width,
            height,
            stride: width as usize,
            data: out,
        })
    }

    /// Packed 8-bit RGBA (alpha ignored).
    pub fn from_rgba(width: u32, height: u32, data: &[u8]) -> Result<Self, FrameError> {
        let n = check_size(width, height)?;
        need("RGBA", width, height, n * 4, data.len())?;
        let out = data[..n * 4]
            .chunks_exact(4)
            .map(|p| luma(p[0], p[1], p[2]))
            .collect();
        Ok(Self {
            width,
            height,
            stride: width as usize,
            data: out,
        })
    }

    /// An MJPEG camera frame (a JPEG image). The size comes from the JPEG itself.
    pub fn from_mjpeg(data: &[u8]) -> Result<Self, FrameError> {
        Self::from_encoded(data, Some(image::ImageFormat::Jpeg))
    }

    /// Any image file the `image` crate reads (PNG, JPEG, GIF, BMP), with allocation limits so a
    /// hostile file cannot exhaust memory.
    pub fn from_encoded(
        data: &[u8],
        format: Option<image::ImageFormat>,
    ) -> Result<Self, FrameError> {
        let image_err = |e: image::ImageError| FrameError::Image(e.to_string());
        let mut reader = image::ImageReader::new(std::io::Cursor::new(data));
        match format {
            Some(f) => reader.set_format(f),
            None => {
                reader = reader
                    .with_guessed_format()
                    .map_err(|e| FrameError::Image(e.to_string()))?
            }
        }
        // The decoder checks these against the header before allocating anything.
        let mut limits = image::Limits::default();
        limits.max_image_width = Some(MAX_SIDE);
        limits.max_image_height = Some(MAX_SIDE);
        limits.max_alloc = Some(MAX_PIXELS * 4);
        reader.limits(limits);
        let img = reader.decode().map_err(image_err)?;
        check_size(img.width(), img.height())?;
        Ok(Self::from_image(&img))
    }

    /// Any decoded image, converted to luma.
    pub fn from_image(img: &image::DynamicImage) -> Self {
        let grey = img.to_luma8();
        let (width, height) = grey.dimensions();
        Self {
            width,
            height,
            stride: width as usize,
            data: grey.into_raw(),
        }
    }

    pub fn width(&self) -> u32 {
        self.width
    }

    pub fn height(&self) -> u32 {
        self.height
    }

    pub fn stride(&self) -> usize {
        self.stride
    }

    /// The luma bytes, `stride` apart per row.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// One row of pixels (`width` bytes).
    #[inline]
    pub fn row(&self, y: u32) -> &[u8] {
        let start = y as usize * self.stride;
        &self.data[start..start + self.width as usize]
    }

    #[inline]
    pub fn get(&self, x: u32, y: u32) -> u8 {
        self.data[y as usize * self.stride + x as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_empty_and_huge_frames() {
        assert_eq!(
            Frame::from_luma(0, 0, vec![]),
            Err(FrameError::Empty {
                width: 0,
                height: 0
            })
        );
        assert!(matches!(
            Frame::from_luma(20_000, 20_000, vec![]),
            Err(FrameError::TooLarge { .. })
        ));
    }

    #[test]
    fn short_buffers_are_errors_not_panics() {
        assert!(matches!(
            Frame::from_yuyv(4, 2, &[0; 15]),
            Err(FrameError::ShortBuffer { .. })
        ));
        assert!(matches!(
            Frame::from_nv12(4, 2, &[0; 8]),
            Err(FrameError::ShortBuffer { .. })
        ));
        assert!(matches!(
            Frame::from_rgb(2, 2, &[0; 11]),
            Err(FrameError::ShortBuffer { .. })
        ));
        assert!(matches!(
            Frame::from_yuyv(3, 2, &[0; 12]),
            Err(FrameError::OddWidth(3))
        ));
        assert!(Frame::from_mjpeg(b"not a jpeg").is_err());
    }

    #[test]
    fn conversions_keep_luma() {
        let yuyv = [10, 128, 20, 128, 30, 128, 40, 128];
        let f = Frame::from_yuyv(2, 2, &yuyv).unwrap();
        assert_eq!(f.data(), &[10, 20, 30, 40]);
        let nv12 = [1, 2, 3, 4, 128, 128];
        assert_eq!(Frame::from_nv12(2, 2, &nv12).unwrap().data(), &[1, 2, 3, 4]);
        let rgb = [255, 255, 255, 0, 0, 0];
        assert_eq!(Frame::from_rgb(2, 1, &rgb).unwrap().data(), &[255, 0]);
        let strided = [1, 2, 99, 3, 4, 99];
        let f = Frame::from_luma_strided(2, 2, 3, &strided).unwrap();
        assert_eq!(f.row(1), &[3, 4]);
    }

    #[test]
    fn mjpeg_round_trip() {
        let img = image::GrayImage::from_fn(16, 8, |x, _| image::Luma([(x * 16) as u8]));
        let mut jpeg = Vec::new();
        image::DynamicImage::ImageLuma8(img)
            .write_to(
                &mut std::io::Cursor::new(&mut jpeg),
                image::ImageFormat::Jpeg,
            )
            .unwrap();
        let f = Frame::from_mjpeg(&jpeg).unwrap();
        assert_eq!((f.width(), f.height()), (16, 8));
        assert!(f.get(15, 4) > f.get(0, 4));
    }
}
