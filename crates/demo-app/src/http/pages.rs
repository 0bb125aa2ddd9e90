//! The app's pages, built with maud (which escapes every splice: a name is text, never markup).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};

/// Big, calm and picture-free: for children of five. No quote or angle bracket in here: maud
/// escapes them, and a `<style>` element does not unescape.
const STYLE: &str = "
body { margin: 0; font-family: system-ui, sans-serif; background: #fff8e7; color: #2b2b2b; }
main { max-width: 40rem; margin: 4rem auto; padding: 2rem; text-align: center; }
h1 { font-size: 3rem; line-height: 1.2; margin: 0 0 2rem; }
p { font-size: 1.6rem; line-height: 1.5; }
a { color: #1a5fb4; font-size: 1.6rem; }
";

fn page(status: StatusCode, title: &str, body: Markup) -> Response {
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " - Story Time" }
                style { (STYLE) }
            }
            body { main { (body) } }
        }
    };
    (status, markup).into_response()
}

/// The page a signed-in child sees.
pub fn story(name: &str) -> Response {
    page(
        StatusCode::OK,
        "Story Time",
        html! {
            h1 { "Signed in as " (name) }
            p { "Once upon a time, a little fox found a red balloon." }
            p { "It floated over the hills, and the fox followed it all the way home." }
            p { "The end." }
        },
    )
}

/// A page that says what went wrong and offers to start again.
pub fn problem(status: StatusCode, title: &str, message: &str) -> Response {
    page(
        status,
        title,
        html! {
            h1 { (title) }
            p { (message) }
            p { a href="/" { "Open Story Time again" } }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body(r: Response) -> String {
        let bytes = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn a_name_is_text() {
        let html = body(story("<b>Maya</b> & \"Leo\"")).await;
        assert!(
            html.contains("<h1>Signed in as &lt;b&gt;Maya&lt;/b&gt; &amp; &quot;Leo&quot;</h1>"),
            "{html}"
        );
        // The style arrives as written.
        assert!(html.contains(STYLE));
    }
}
