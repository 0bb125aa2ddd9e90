//! The client against a scripted HTTP server on 127.0.0.1:0 for what a real portal never
//! does: redirects, error pages, oversized or off-origin answers, and failures to retry.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use badgein_kiosk_core::machine::PortalAnswer;
use badgein_kiosk_core::portal_client::{ClientError, PortalClient};
use badgein_kiosk_core::redacted::Redacted;
use badgein_proto::{BadgeSignIn, ProblemCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Serves `answers` in turn (the last one forever) and counts requests.
struct Scripted {
    url: String,
    requests: Arc<AtomicUsize>,
}

async fn serve(answers: Vec<String>) -> Scripted {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&requests);
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let n = count.fetch_add(1, Ordering::SeqCst);
            let answer = answers[n.min(answers.len() - 1)].clone();
            tokio::spawn(async move {
                read_request(&mut socket).await;
                let _ = socket.write_all(answer.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    Scripted { url, requests }
}

/// Reads one request, head and body, so closing the socket never resets it under the client.
async fn read_request(socket: &mut tokio::net::TcpStream) {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let Ok(n @ 1..) = socket.read(&mut buf).await else {
            return;
        };
        seen.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&seen);
        if let Some(head_end) = text.find("\r\n\r\n") {
            let length = text[..head_end]
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if seen.len() >= head_end + 4 + length {
                return;
            }
        }
    }
}

fn response(status: &str, content_type: &str, extra: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n{extra}\r\n{body}",
        body.len()
    )
}

fn problem(code: ProblemCode) -> String {
    let body = format!(
        r#"{{"type":"about:blank","title":"x","status":{},"code":"{}"}}"#,
        code.status(),
        code.as_str()
    );
    response(
        &format!("{} X", code.status()),
        "application/problem+json",
        "",
        &body,
    )
}

fn client(url: &str) -> PortalClient {
    PortalClient::new(url, Some(crate::support::credential_for(url, "cred"))).unwrap()
}

fn badge() -> BadgeSignIn {
    BadgeSignIn {
        badge: badgein_badge::Badge::generate().unwrap().encode(),
    }
}

#[tokio::test]
async fn redirects_and_error_pages_are_offline_not_followed() {
    let s = serve(vec![response(
        "302 Found",
        "text/html",
        "location: https://captive.example/login\r\n",
        "",
    )])
    .await;
    let e = client(&s.url).sign_in_badge(&badge()).await.unwrap_err();
    assert_eq!(e.answer(), PortalAnswer::Unreachable);
    assert_eq!(s.requests.load(Ordering::SeqCst), 1);

    let s = serve(vec![response(
        "502 Bad Gateway",
        "text/html",
        "",
        "<h1>oops</h1>",
    )])
    .await;
    let e = client(&s.url).sign_in_badge(&badge()).await.unwrap_err();
    assert_eq!(e.answer(), PortalAnswer::Unreachable);
}

#[tokio::test]
async fn sign_ins_are_never_retried_but_session_ends_are() {
    let s = serve(vec![problem(ProblemCode::Unavailable)]).await;
    let e = client(&s.url).sign_in_badge(&badge()).await.unwrap_err();
    assert!(matches!(
        e,
        ClientError::Problem {
            code: ProblemCode::Unavailable,
            ..
        }
    ));
    assert_eq!(
        s.requests.load(Ordering::SeqCst),
        1,
        "one sign-in, one request"
    );

    let s = serve(vec![
        problem(ProblemCode::Unavailable),
        response("502 Bad Gateway", "text/plain", "", "down"),
        response("204 No Content", "text/plain", "", ""),
    ])
    .await;
    client(&s.url)
        .end_session(&Redacted::new("sess-1"))
        .await
        .unwrap();
    assert_eq!(s.requests.load(Ordering::SeqCst), 3);

    // A session the portal no longer knows is as ended as can be.
    let s = serve(vec![problem(ProblemCode::NotFound)]).await;
    client(&s.url)
        .end_session(&Redacted::new("sess-1"))
        .await
        .unwrap();
}

#[tokio::test]
async fn rate_limits_carry_retry_after_and_strange_answers_are_refused() {
    let s = serve(vec![response(
        "429 Too Many Requests",
        "text/plain",
        "retry-after: 17\r\n",
        "slow down",
    )])
    .await;
    let e = client(&s.url).sign_in_badge(&badge()).await.unwrap_err();
    assert_eq!(
        e.answer(),
        PortalAnswer::Failed {
            code: ProblemCode::RateLimited,
            retry_after: Some(17),
            until: None
        }
    );

    // A launch URL on another origin is never handed to the webview.
    let body = r#"{"session_id":"s","launch_url":"https://evil.example/launch?t=1","expires_at":"x",
        "user":{"display_name":"M","first_name":"M","avatar_url":null,"locale":"en"}}"#;
    let s = serve(vec![response("200 OK", "application/json", "", body)]).await;
    let e = client(&s.url).sign_in_badge(&badge()).await.unwrap_err();
    assert!(matches!(e, ClientError::Protocol(_)), "{e:?}");

    let huge = format!(r#"{{"pad":"{}"}}"#, "x".repeat(100_000));
    let s = serve(vec![response("200 OK", "application/json", "", &huge)]).await;
    let e = client(&s.url).sign_in_badge(&badge()).await.unwrap_err();
    assert!(matches!(e, ClientError::Protocol(_)), "{e:?}");
}
