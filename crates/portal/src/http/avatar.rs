//! A user's picture: their initials on a colour drawn from their id. The kiosk's greeting and
//! the dashboard load it by URL (`/avatars/{session}.svg`); the teacher pages draw it inline
//! next to each child's name.

use super::html::esc;

/// The user's picture. `labelled`: an image named after the user; otherwise decorative
/// (hidden from screen readers, for use next to the written name).
pub fn svg(id: &str, given: &str, family: &str, labelled: bool) -> String {
    const COLOURS: [&str; 8] = [
        "#1f5f9e", "#8a3b12", "#2e6b30", "#6b2d7a", "#9b1c31", "#005f66", "#5c4d00", "#3f3f9e",
    ];
    let sum = id.bytes().fold(0usize, |a, b| {
        a.wrapping_mul(31).wrapping_add(usize::from(b))
    });
    let colour = COLOURS[sum % COLOURS.len()];
    let initials: String = [given, family]
        .iter()
        .filter_map(|n| n.chars().next())
        .flat_map(char::to_uppercase)
        .collect();
    let name = if labelled {
        format!("role=\"img\" aria-label=\"{}\"", esc(given))
    } else {
        "aria-hidden=\"true\" focusable=\"false\"".to_owned()
    };
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 100 100\" {name}><circle cx=\"50\" cy=\"50\" r=\"50\" fill=\"{colour}\"/>\
         <text x=\"50\" y=\"50\" dy=\"0.35em\" text-anchor=\"middle\" font-family=\"sans-serif\" \
         font-size=\"40\" fill=\"#ffffff\">{initials}</text></svg>",
        initials = esc(&initials),
    )
}
