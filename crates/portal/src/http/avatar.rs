//! A user's picture: their initials on a colour drawn from their id. The kiosk's greeting and
//! the dashboard load it by URL (`/avatars/{session}.svg`); the teacher pages draw it inline
//! next to each child's name.

use maud::{Markup, html};

/// The user's picture. `labelled`: an image named after the user; otherwise decorative
/// (hidden from screen readers, for use next to the written name). Also served on its own as
/// `image/svg+xml`, so every element is closed as XML needs (`<circle …></circle>`).
pub fn svg(id: &str, given: &str, family: &str, labelled: bool) -> Markup {
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
    html! {
        svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"
            role=[labelled.then_some("img")] aria-label=[labelled.then_some(given)]
            aria-hidden=[(!labelled).then_some("true")]
            focusable=[(!labelled).then_some("false")] {
            circle cx="50" cy="50" r="50" fill=(colour) {}
            text x="50" y="50" dy="0.35em" text-anchor="middle" font-family="sans-serif"
                font-size="40" fill="#ffffff" { (initials) }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_are_escaped_and_decorative_pictures_hidden() {
        let labelled = super::svg("u1", "<Zoe \"&", "O'Neil", true).into_string();
        assert!(labelled.contains("role=\"img\" aria-label=\"&lt;Zoe &quot;&amp;\""));
        assert!(labelled.contains(">&lt;O</text>"));
        let hidden = super::svg("u1", "Zoe", "Neil", false).into_string();
        assert!(hidden.contains("aria-hidden=\"true\" focusable=\"false\""));
        assert!(!hidden.contains("aria-label") && hidden.contains(">ZN</text>"));
    }
}
