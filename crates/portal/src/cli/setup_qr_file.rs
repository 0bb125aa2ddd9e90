//! `kiosk code --qr FILE`: a new enrollment code written out as a kiosk setup QR
//! (`crate::setup_qr`), a PNG or an SVG by the file's extension. Everything that can be
//! checked is checked before the code is made, and the code is returned (for stdout) only once
//! the file is written: a failure never leaves a printed code without its QR.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, bail};

use crate::Portal;
use crate::qr_image::QrImage;

enum Kind {
    Png,
    Svg,
}

fn kind_of(file: &Path) -> anyhow::Result<Kind> {
    match file
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("png") => Ok(Kind::Png),
        Some("svg") => Ok(Kind::Svg),
        _ => bail!("--qr {}: the file must end in .png or .svg", file.display()),
    }
}

/// Makes an enrollment code for `school`, writes its setup QR to `file` and returns the code.
pub async fn write(
    portal: &Portal,
    school: &str,
    file: &Path,
    public_url: Option<&str>,
) -> anyhow::Result<String> {
    let kind = kind_of(file)?;
    let Some(public_url) = public_url else {
        bail!(
            "--qr needs the portal's address kiosks use: --public-url https://portal.example.org \
             (or BADGEIN_PUBLIC_URL)"
        );
    };
    let origin = crate::setup_qr::origin(public_url)
        .with_context(|| format!("--public-url {public_url:?}"))?;
    // Opened before the code exists: an unwritable path costs no code.
    let mut out = std::fs::File::create(file)
        .with_context(|| format!("--qr {}: cannot write the file", file.display()))?;
    let code = portal.enrollment_code(school).await?;
    let text = crate::setup_qr::text(&origin, &code)?;
    let qr = QrImage::new(&text)?;
    let bytes = match kind {
        Kind::Png => qr.png_file()?,
        Kind::Svg => qr.svg_file().into_bytes(),
    };
    out.write_all(&bytes)
        .and_then(|()| out.sync_all())
        .with_context(|| format!("--qr {}: writing the file failed", file.display()))?;
    eprintln!("setup QR for {origin} written to {}", file.display());
    Ok(code)
}
