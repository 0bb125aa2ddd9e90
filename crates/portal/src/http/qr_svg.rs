//! A QR code inline in a page, as SVG: no image request, no outside service, nothing the
//! pages' Content-Security-Policy (`img-src 'self'`, no inline style) would block.

use maud::{Markup, html};

use crate::qr_image::QrImage;

/// The QR code of `text` as an `<svg role="img">` named by `label` (what the picture is for,
/// never the text itself: a screen reader would spell it out); nothing when the text does not
/// fit in a QR code.
pub fn qr_svg(text: &str, label: &str) -> Markup {
    let Ok(qr) = QrImage::new(text) else {
        return html! {};
    };
    let size = qr.side();
    html! {
        svg class="qr" xmlns="http://www.w3.org/2000/svg" role="img" aria-label=(label)
            viewBox={ "0 0 " (size) " " (size) } width="240" height="240"
            shape-rendering="crispEdges" {
            rect width=(size) height=(size) fill="#fff" {}
            path d=(qr.svg_path()) fill="#000" {}
        }
    }
}
