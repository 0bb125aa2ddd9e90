//! The kiosk setup QR (docs/API.md, "Setup QR"): the enrollment code page draws
//! `BADGEIN-SETUP/1 <origin> <code>` as inline SVG, and `kiosk code --qr FILE` writes it as a
//! PNG or an SVG. Both are read back by the workspace's scanner, as a kiosk camera would.

use badgein_scanner::{Frame, scan};
use image::{GrayImage, Luma};

use crate::harness::{self, Env, READ_EVERY_CODE, TempDir, page, portal_cli, post, run};

const PASSWORD: &str = "correct horse battery";

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn decode(picture: GrayImage) -> Vec<String> {
    let frame = Frame::from_image(&image::DynamicImage::ImageLuma8(picture));
    scan(&frame, &READ_EVERY_CODE)
        .codes
        .into_iter()
        .map(|c| c.text)
        .collect()
}

/// Draws the QR SVG the portal wrote (a `viewBox="0 0 N N"` and one path of `M{x} {y}h1v1h-1z`
/// modules) at 6 px a module: what a browser shows, without a browser.
fn rasterise(svg: &str) -> GrayImage {
    let n: u32 = svg
        .split("viewBox=\"0 0 ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .unwrap()
        .parse()
        .unwrap();
    let d = svg
        .split(" d=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let px = 6;
    let mut image = GrayImage::from_pixel(n * px, n * px, Luma([255]));
    for module in d.split('M').filter(|m| !m.is_empty()) {
        let xy = module.split('h').next().unwrap();
        let (x, y) = xy.split_once(' ').unwrap();
        let (x, y): (u32, u32) = (x.parse().unwrap(), y.parse().unwrap());
        for dy in 0..px {
            for dx in 0..px {
                image.put_pixel(x * px + dx, y * px + dy, Luma([0]));
            }
        }
    }
    image
}

async fn the_code_page_shows_a_setup_qr_body(env: Env) {
    env.portal().set_password("t1", PASSWORD).await.unwrap();
    let cookie = harness::login(&env, "mrsk", PASSWORD).await;
    let (_, token) = page(&env, &cookie, "/teach/kiosks").await;
    let r = post(&env, &cookie, "/teach/kiosks/code", &[("csrf", &token)]).await;
    assert_eq!(r.status(), 200);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    let html = r.text().await.unwrap();
    let code = html
        .split("<p class=\"code\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap()
        .to_owned();
    let svg = html
        .split("<svg")
        .nth(1)
        .unwrap()
        .split("</svg>")
        .next()
        .unwrap();
    // Its name says what it is, and never holds the code for a screen reader to spell out.
    assert!(svg.contains("role=\"img\" aria-label=\"Setup QR code for a kiosk\""));
    assert!(!svg.contains(&code));
    let origin = env.running.base_url().trim_end_matches('/').to_owned();
    assert!(html.contains(&format!("<code>{origin}</code>")), "{html}");
    // The spelled-out code waits behind a disclosure.
    let spelled: Vec<String> = code.chars().map(String::from).collect();
    assert!(html.contains(&format!(
        "<details><summary>Spell the code out</summary><p>{}</p>",
        spelled.join(" ")
    )));

    let decoded = decode(rasterise(svg));
    assert_eq!(decoded, [format!("BADGEIN-SETUP/1 {origin} {code}")]);

    // The code read from the QR enrolls a kiosk.
    let qr_code = decoded[0].rsplit(' ').next().unwrap().to_owned();
    let enrolled = env
        .http
        .post(env.url("/api/v1/kiosks/enroll"))
        .json(&serde_json::json!({"code": qr_code, "name": "Room 12"}))
        .send()
        .await
        .unwrap();
    assert_eq!(enrolled.status(), 201);
    let enrolled: badgein_proto::Enrolled = enrolled.json().await.unwrap();
    assert_eq!(enrolled.school.id, "s1");
}

#[tokio::test]
async fn the_code_page_shows_a_setup_qr() {
    run(the_code_page_shows_a_setup_qr_body).await;
}

#[test]
fn kiosk_code_writes_a_readable_setup_qr_file() {
    let dir = TempDir::new();
    let db = dir.0.join("portal.db");
    let demo = portal_cli(
        &db,
        &["demo", "--dir", dir.0.join("demo").to_str().unwrap()],
    );
    assert!(demo.status.success(), "{}", text(&demo.stderr));
    let school = "demo-school";

    for (file, origin) in [
        ("setup.png", "https://portal.example.org"),
        ("setup.svg", "http://127.0.0.1:8750"),
    ] {
        let path = dir.0.join(file);
        let url = format!("{origin}/");
        let out = portal_cli(
            &db,
            &[
                "kiosk",
                "code",
                "--school",
                school,
                "--qr",
                path.to_str().unwrap(),
                "--public-url",
                &url,
            ],
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        let code = text(&out.stdout);
        assert_eq!(
            code.lines().count(),
            1,
            "the code alone on stdout: {code:?}"
        );
        let code = code.trim();
        assert_eq!(code.len(), 11);
        assert!(!text(&out.stderr).contains(code));
        let picture = if file.ends_with(".png") {
            image::open(&path).unwrap().to_luma8()
        } else {
            let svg = std::fs::read_to_string(&path).unwrap();
            assert!(svg.starts_with("<?xml"));
            rasterise(&svg)
        };
        assert_eq!(
            decode(picture),
            [format!("BADGEIN-SETUP/1 {origin} {code}")],
            "{file}"
        );
    }
}

#[test]
fn kiosk_code_qr_fails_clearly_and_prints_no_code() {
    let dir = TempDir::new();
    let db = dir.0.join("portal.db");
    let demo = portal_cli(
        &db,
        &["demo", "--dir", dir.0.join("demo").to_str().unwrap()],
    );
    assert!(demo.status.success(), "{}", text(&demo.stderr));
    let good = dir.0.join("ok.png");
    let good = good.to_str().unwrap();
    let unwritable = dir.0.join("no-such-dir").join("setup.png");
    let unwritable = unwritable.to_str().unwrap();
    for (args, says) in [
        (
            vec!["--qr", unwritable, "--public-url", "https://p.example.org"],
            "cannot write the file",
        ),
        (
            vec![
                "--qr",
                "/proc/setup.png",
                "--public-url",
                "https://p.example.org",
            ],
            "cannot write the file",
        ),
        (vec!["--qr", good], "--public-url"),
        (
            vec!["--qr", good, "--public-url", "http://portal.example.org"],
            "https://",
        ),
        (
            vec![
                "--qr",
                good,
                "--public-url",
                "https://portal.example.org/badgein",
            ],
            "https://",
        ),
        (
            vec![
                "--qr",
                dir.0.join("setup.gif").to_str().unwrap(),
                "--public-url",
                "https://p.example.org",
            ],
            ".png or .svg",
        ),
    ] {
        let mut all = vec!["kiosk", "code", "--school", "demo-school"];
        all.extend(args.iter().copied());
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_badgein-portal"))
            .arg("--db")
            .arg(&db)
            .args(&all)
            .env_remove("BADGEIN_DB")
            .env_remove("BADGEIN_PUBLIC_URL")
            .env_remove("RUST_LOG")
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?}");
        assert!(out.stdout.is_empty(), "no code printed: {args:?}");
        let err = text(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
    }
    assert!(!std::path::Path::new(good).exists());
}
