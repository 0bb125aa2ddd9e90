//! Pages into one PDF file: catalog, page tree, the two built-in fonts, compressed content.
//!
//! The output depends only on the pages: no dates or random ids are written, so the same
//! sheet renders to the same bytes (and nothing here reads the clock).

use miniz_oxide::deflate::compress_to_vec_zlib;
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, TextStr};

use crate::draw::font_name;
use crate::metrics::Face;

/// zlib's default level: content streams (mostly QR rectangles) shrink about ninefold, and
/// higher levels gain little on such short, repetitive text.
const DEFLATE_LEVEL: u8 = 6;

/// A page size in points.
#[derive(Debug, Clone, Copy)]
pub struct PageSize {
    pub width: f32,
    pub height: f32,
}

/// US Letter, the paper American schools print on.
pub const LETTER: PageSize = PageSize {
    width: 612.0,
    height: 792.0,
};

pub fn assemble(pages: Vec<Content>, size: PageSize, title: &str) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let info = Ref::new(3);
    let fonts = [(Face::Regular, Ref::new(4)), (Face::Bold, Ref::new(5))];
    let first_page = 6;
    // Two objects per page: the page and its content stream.
    let page_refs: Vec<(Ref, Ref)> = (0..pages.len())
        .map(|i| {
            let n = i32::try_from(first_page + 2 * i).unwrap_or(i32::MAX);
            (Ref::new(n), Ref::new(n.saturating_add(1)))
        })
        .collect();

    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_refs.iter().map(|&(page, _)| page))
        .count(i32::try_from(page_refs.len()).unwrap_or(i32::MAX));
    pdf.document_info(info)
        .title(TextStr(title))
        .producer(TextStr("BadgeIn"));
    for (face, id) in fonts {
        let base = match face {
            Face::Regular => Name(b"Helvetica"),
            Face::Bold => Name(b"Helvetica-Bold"),
        };
        pdf.type1_font(id)
            .base_font(base)
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }

    for ((page_id, content_id), content) in page_refs.into_iter().zip(pages) {
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, size.width, size.height));
        page.parent(tree);
        page.contents(content_id);
        let mut resources = page.resources();
        let mut font_dict = resources.fonts();
        for (face, id) in fonts {
            font_dict.pair(font_name(face), id);
        }
        font_dict.finish();
        resources.finish();
        page.finish();

        let compressed = compress_to_vec_zlib(&content.finish(), DEFLATE_LEVEL);
        pdf.stream(content_id, &compressed)
            .filter(Filter::FlateDecode);
    }
    pdf.finish()
}
