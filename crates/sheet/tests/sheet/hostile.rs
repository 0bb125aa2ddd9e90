//! Names are data: whatever a roster holds, the PDF stays valid, the text stays text and the
//! QR codes still read.

use badgein_sheet::{Layout, SheetEntry, render};
use proptest::prelude::*;

use crate::support::{decode, entries, label_cell, page_texts, rasterise, temp_dir};

const HOSTILE: [&str; 10] = [
    "(unbalanced",
    "a)b(c) \\) \\",
    "back\\slash\\",
    ") Tj ET BT /F1 99 Tf (pwned",
    "endstream endobj %%EOF",
    "مريم العربية",
    "🦄🦄🦄",
    "Ana\nLine\u{0}Two\r\t",
    "\u{202E}txet desrever",
    "Maximiliana Wolfeschlegelsteinhausenbergerdorff de la Santísima Trinidad",
];

#[test]
fn hostile_names_keep_the_pdf_valid_and_the_codes_readable() {
    let long = "Ω".repeat(100_000);
    let mut entries = entries(
        HOSTILE.len() + 2,
        |i| HOSTILE.get(i).unwrap_or(&"x").to_string(),
        "Room (1) \\ 2",
    );
    entries[HOSTILE.len()].first_name = long.clone();
    entries[HOSTILE.len() + 1].class_name = long;

    for layout in [Layout::Labels, Layout::Cards] {
        let pdf = render(layout, &entries).unwrap();
        let dir = temp_dir(&format!("hostile-{layout:?}"));
        let pages = rasterise(&pdf, &dir);
        let text = page_texts(&pdf, &dir).concat();
        assert!(text.contains("(unbalanced"), "{text}");
        assert!(text.contains(r"a)b(c) \) \"), "{text}");
        assert!(text.contains(r"back\slash\"), "{text}");
        assert!(text.contains(") Tj ET BT /F1 99 Tf (pwned"), "{text}");
        assert!(text.contains("???? ???????"), "RTL as stand-ins: {text}");
        assert!(text.contains("Ana Line Two"), "{text}");
        assert!(text.contains("Room (1) \\ 2"), "{text}");
        // Cut, with the ellipsis, never running off the label.
        assert!(text.contains("Maximiliana Wolfe"), "{text}");
        assert!(text.contains('…'), "{text}");

        let pictures: Vec<image::GrayImage> = match layout {
            Layout::Labels => (0..entries.len())
                .map(|i| label_cell(&pages[i / 12], i % 12))
                .collect(),
            Layout::Cards => pages,
        };
        assert_eq!(pictures.len(), entries.len());
        for (entry, picture) in entries.iter().zip(&pictures) {
            assert_eq!(
                decode(picture),
                std::slice::from_ref(&entry.payload),
                "{layout:?}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_names_give_a_complete_pdf(first in any::<String>(), class in ".{0,300}") {
        let mut entries: Vec<SheetEntry> = entries(2, |_| first.clone(), &class);
        entries[1].first_name = class.clone();
        for layout in [Layout::Labels, Layout::Cards] {
            let pdf = render(layout, &entries).unwrap();
            prop_assert!(pdf.starts_with(b"%PDF-"));
            prop_assert!(pdf.trim_ascii_end().ends_with(b"%%EOF"));
        }
    }
}
