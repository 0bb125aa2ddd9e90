//! An app's picture: bounded in size, and its kind (PNG, JPEG, SVG) told from its bytes, never
//! from a file name. It is served with that type and a sandbox (an SVG may hold script).

/// Largest picture accepted.
pub const MAX_ICON_BYTES: usize = 256 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Icon {
    pub bytes: Vec<u8>,
    pub kind: IconKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IconKind {
    Png,
    Jpeg,
    Svg,
}

impl IconKind {
    /// The media type it is stored and served as.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Svg => "image/svg+xml",
        }
    }

    pub fn from_media_type(media_type: &str) -> Option<Self> {
        [Self::Png, Self::Jpeg, Self::Svg]
            .into_iter()
            .find(|k| k.media_type() == media_type)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IconError {
    #[error("the icon is larger than {} KiB", MAX_ICON_BYTES / 1024)]
    TooLarge,
    #[error("the icon is not a PNG, JPEG or SVG picture")]
    NotAPicture,
}

/// The picture's kind, from its first bytes.
pub fn sniff(bytes: &[u8]) -> Result<Icon, IconError> {
    if bytes.len() > MAX_ICON_BYTES {
        return Err(IconError::TooLarge);
    }
    let kind = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        IconKind::Png
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        IconKind::Jpeg
    } else if is_svg(bytes) {
        IconKind::Svg
    } else {
        return Err(IconError::NotAPicture);
    };
    Ok(Icon {
        bytes: bytes.to_vec(),
        kind,
    })
}

/// UTF-8 text whose first element, after an optional byte-order mark, XML declaration and
/// comments, is `<svg`. A DTD (`<!DOCTYPE`, where entities live) is refused.
fn is_svg(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    let mut rest = text.strip_prefix('\u{feff}').unwrap_or(text).trim_start();
    loop {
        if let Some(after) = rest.strip_prefix("<?xml") {
            let Some((_, tail)) = after.split_once("?>") else {
                return false;
            };
            rest = tail.trim_start();
        } else if let Some(after) = rest.strip_prefix("<!--") {
            let Some((_, tail)) = after.split_once("-->") else {
                return false;
            };
            rest = tail.trim_start();
        } else {
            return rest.starts_with("<svg")
                && !text.contains("<!DOCTYPE")
                && !text.contains("<!ENTITY");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_from_the_bytes() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest").unwrap().kind, IconKind::Png);
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0]).unwrap().kind,
            IconKind::Jpeg
        );
        for svg in [
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
            "\u{feff}<?xml version=\"1.0\"?>\n<!-- a tile -->\n<svg/>",
        ] {
            assert_eq!(sniff(svg.as_bytes()).unwrap().kind, IconKind::Svg, "{svg}");
        }
        for bad in [
            &b""[..],
            b"GIF89a",
            b"<html><svg/></html>",
            b"<?xml version=\"1.0\"?><!DOCTYPE svg [<!ENTITY x \"y\">]><svg/>",
            b"<svg><!DOCTYPE x></svg>",
            b"<?xml never closed",
            b"\xff\xfe<\x00s\x00v\x00g\x00",
            b"\x89PNG",
        ] {
            assert_eq!(sniff(bad), Err(IconError::NotAPicture), "{bad:?}");
        }
    }

    #[test]
    fn size_is_bounded() {
        let mut big = b"\x89PNG\r\n\x1a\n".to_vec();
        big.resize(MAX_ICON_BYTES, 0);
        assert!(sniff(&big).is_ok());
        big.push(0);
        assert_eq!(sniff(&big), Err(IconError::TooLarge));
    }

    #[test]
    fn media_types_round_trip() {
        for k in [IconKind::Png, IconKind::Jpeg, IconKind::Svg] {
            assert_eq!(IconKind::from_media_type(k.media_type()), Some(k));
        }
        assert_eq!(IconKind::from_media_type("text/html"), None);
    }
}
