//! The PDF as a whole: pages, text a reader can extract, determinism, and what is refused.

use badgein_badge::Badge;
use badgein_sheet::{Layout, MAX_ENTRIES, SheetEntry, SheetError, render};

use crate::support::{entries, page_texts, temp_dir};

#[test]
fn names_classes_and_footers_are_real_text() {
    let names = ["María", "José", "Zoë", "Œlla", "Nguyễn"];
    let entries = entries(
        14,
        |i| names[i % names.len()].to_owned(),
        "Kindergarten – Sala 3",
    );
    let pdf = render(Layout::Labels, &entries).unwrap();
    let pages = page_texts(&pdf, &temp_dir("text"));
    assert_eq!(pages.len(), 2);
    for name in ["María", "José", "Zoë", "Œlla"] {
        assert!(pages[0].contains(name), "{name} missing from {}", pages[0]);
    }
    // ễ has no WinAnsi form (ê plus a hook): the name still prints, with a stand-in.
    assert!(pages[0].contains("Nguy?n"), "{}", pages[0]);
    assert!(pages[0].contains("Kindergarten – Sala 3"));
    assert!(pages[0].contains("page 1 of 2"));
    assert!(pages[1].contains("page 2 of 2"));
}

#[test]
fn no_payload_or_badge_id_appears_as_text_or_bytes() {
    let entries = entries(3, |i| format!("Kid {i}"), "Room 1");
    for layout in [Layout::Labels, Layout::Cards] {
        let pdf = render(layout, &entries).unwrap();
        let text = page_texts(&pdf, &temp_dir("secret")).concat();
        for entry in &entries {
            let badge = Badge::parse(&entry.payload).unwrap();
            let id = badge.id().to_string();
            assert!(!text.contains(&id), "{layout:?} shows a badge id");
            assert!(!text.contains("BI1"), "{layout:?} shows a payload");
            let raw = String::from_utf8_lossy(&pdf);
            assert!(!raw.contains(&id) && !raw.contains(&entry.payload));
        }
    }
}

#[test]
fn cards_are_one_per_page_with_the_instruction() {
    let entries = entries(4, |i| format!("Kid {i}"), "Room 1");
    let pdf = render(Layout::Cards, &entries).unwrap();
    let pages = page_texts(&pdf, &temp_dir("cards-text"));
    assert_eq!(pages.len(), 4);
    for (i, page) in pages.iter().enumerate() {
        assert!(page.contains(&format!("Kid {i}")), "{page}");
        assert!(page.contains("Show me to the camera"));
        assert!(page.contains(&format!("card {} of 4", i + 1)));
    }
}

#[test]
fn a_fixed_password_prints_under_the_class_on_a_card_only() {
    let mut entries = entries(2, |i| format!("Kid {i}"), "Room 1");
    entries[0].password = Some("sun-bee-29".into());
    let pdf = render(Layout::Cards, &entries).unwrap();
    let pages = page_texts(&pdf, &temp_dir("password-cards"));
    assert!(pages[0].contains("Password: sun-bee-29"), "{}", pages[0]);
    assert!(!pages[1].contains("Password"), "{}", pages[1]);
    assert_eq!(
        render(Layout::Cards, &entries).unwrap(),
        pdf,
        "deterministic"
    );
    let labels = render(Layout::Labels, &entries).unwrap();
    let text = page_texts(&labels, &temp_dir("password-labels")).concat();
    assert!(!text.contains("sun-bee-29"), "labels never carry it");
    assert!(!format!("{:?}", entries[0]).contains("sun-bee"));
}

#[test]
fn the_same_sheet_renders_to_the_same_bytes() {
    let entries = entries(5, |i| format!("Kid {i}"), "Room 1");
    for layout in [Layout::Labels, Layout::Cards] {
        assert_eq!(render(layout, &entries), render(layout, &entries));
    }
}

#[test]
fn bad_requests_are_refused_with_typed_errors() {
    assert_eq!(render(Layout::Labels, &[]), Err(SheetError::Empty));

    let mut entries = entries(3, |i| format!("Kid {i}"), "Room 1");
    entries[1].payload = "https://example.com/".to_owned();
    let err = render(Layout::Cards, &entries).unwrap_err();
    assert_eq!(err, SheetError::NotABadge { entry: 2 });
    assert!(!err.to_string().contains("example"));

    // One check character off: a badge with a typo is refused too.
    let good = Badge::from_parts([1; 5], [2; 16]).encode();
    let mut typo = good.clone().into_bytes();
    typo[41] = if typo[41] == b'A' { b'B' } else { b'A' };
    entries[1].payload = String::from_utf8(typo).unwrap();
    assert_eq!(
        render(Layout::Labels, &entries),
        Err(SheetError::NotABadge { entry: 2 })
    );

    let many = vec![entries[0].clone(); MAX_ENTRIES + 1];
    assert_eq!(
        render(Layout::Labels, &many),
        Err(SheetError::TooMany {
            count: MAX_ENTRIES + 1
        })
    );
}

#[test]
fn debug_output_hides_the_payload() {
    let entry = SheetEntry {
        payload: Badge::from_parts([1; 5], [2; 16]).encode(),
        first_name: "Ana".into(),
        class_name: "Room 1".into(),
        password: None,
    };
    let shown = format!("{entry:?}");
    assert!(!shown.contains("BI1"), "{shown}");
    assert!(shown.contains("<redacted>"));
}
