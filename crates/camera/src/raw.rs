//! A frame as the device delivered it, before it becomes luma.
//!
//! The capture thread only copies the device's buffer; the conversion to a [`Frame`] happens in
//! the consumer, so frames that are replaced before anyone looks at them cost no decoding (an
//! MJPEG decode at 720p costs several milliseconds).

use badgein_frame::{Frame, FrameError};

/// The pixel layouts we can turn into luma.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PixelFormat {
    /// YUYV 4:2:2, the usual uncompressed webcam format.
    Yuyv,
    /// Motion JPEG: each buffer is a JPEG image.
    Mjpeg,
    /// NV12: a Y plane followed by interleaved chroma.
    Nv12,
    /// 8-bit grey.
    Gray,
    /// Packed 8-bit RGB.
    Rgb,
    /// Packed 8-bit BGR.
    Bgr,
}

impl std::fmt::Display for PixelFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Yuyv => "YUYV",
            Self::Mjpeg => "MJPEG",
            Self::Nv12 => "NV12",
            Self::Gray => "GRAY",
            Self::Rgb => "RGB",
            Self::Bgr => "BGR",
        })
    }
}

/// One undecoded frame.
#[derive(Clone, PartialEq, Eq)]
pub struct RawFrame {
    pub width: u32,
    pub height: u32,
    pub format: PixelFormat,
    pub data: Vec<u8>,
}

impl std::fmt::Debug for RawFrame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawFrame")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("format", &self.format)
            .field("bytes", &self.data.len())
            .finish()
    }
}

impl RawFrame {
    /// The luma frame. Errors (short or corrupt buffers) are the device's fault, never a panic.
    pub fn to_frame(&self) -> Result<Frame, FrameError> {
        let (w, h, data) = (self.width, self.height, self.data.as_slice());
        match self.format {
            PixelFormat::Yuyv => Frame::from_yuyv(w, h, data),
            // The JPEG carries its own size; V4L2 hands over the whole buffer, trailing bytes
            // included, and the decoder stops at the end-of-image marker.
            PixelFormat::Mjpeg => Frame::from_mjpeg(data),
            PixelFormat::Nv12 => Frame::from_nv12(w, h, data),
            PixelFormat::Gray => Frame::from_luma_strided(w, h, w as usize, data),
            PixelFormat::Rgb => Frame::from_rgb(w, h, data),
            PixelFormat::Bgr => {
                // Rare enough (some virtual cameras) that a swapped copy beats a second
                // conversion routine.
                let rgb: Vec<u8> = data
                    .chunks_exact(3)
                    .flat_map(|p| [p[2], p[1], p[0]])
                    .collect();
                Frame::from_rgb(w, h, &rgb)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(format: PixelFormat, width: u32, height: u32, data: Vec<u8>) -> RawFrame {
        RawFrame {
            width,
            height,
            format,
            data,
        }
    }

    #[test]
    fn every_format_becomes_luma() {
        let yuyv = raw(PixelFormat::Yuyv, 2, 1, vec![10, 128, 20, 128]);
        assert_eq!(yuyv.to_frame().expect("yuyv").data(), &[10, 20]);
        let nv12 = raw(PixelFormat::Nv12, 2, 2, vec![1, 2, 3, 4, 128, 128]);
        assert_eq!(nv12.to_frame().expect("nv12").data(), &[1, 2, 3, 4]);
        let gray = raw(PixelFormat::Gray, 2, 1, vec![7, 8]);
        assert_eq!(gray.to_frame().expect("gray").data(), &[7, 8]);
        let rgb = raw(PixelFormat::Rgb, 2, 1, vec![255, 0, 0, 0, 0, 255]);
        let bgr = raw(PixelFormat::Bgr, 2, 1, vec![0, 0, 255, 255, 0, 0]);
        assert_eq!(rgb.to_frame().expect("rgb"), bgr.to_frame().expect("bgr"));
    }

    #[test]
    fn bad_buffers_are_errors() {
        assert!(raw(PixelFormat::Yuyv, 4, 4, vec![0; 3]).to_frame().is_err());
        assert!(
            raw(PixelFormat::Mjpeg, 4, 4, b"not a jpeg".to_vec())
                .to_frame()
                .is_err()
        );
        assert!(raw(PixelFormat::Bgr, 2, 2, vec![0; 5]).to_frame().is_err());
        assert!(raw(PixelFormat::Gray, 0, 0, vec![]).to_frame().is_err());
    }
}
