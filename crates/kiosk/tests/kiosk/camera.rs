//! The camera going away and coming back (S6), and a QR code that is not a badge.

use badgein_frame::source::SourceError;
use badgein_kiosk_core::machine::{CameraReason, Screen, UserAction};
use image::{GrayImage, Luma};
use qrcode::{Color, EcLevel, QrCode};

use crate::support::{Env, RunningKiosk, settings};

/// Any QR code, drawn at 5 px per module with a quiet zone.
pub fn qr_image(text: &str) -> GrayImage {
    let qr = QrCode::with_error_correction_level(text, EcLevel::H).unwrap();
    let (w, colors) = (qr.width() as u32, qr.to_colors());
    let px = 5;
    GrayImage::from_fn((w + 8) * px, (w + 8) * px, |x, y| {
        let (mx, my) = ((x / px).wrapping_sub(4), (y / px).wrapping_sub(4));
        let dark = mx < w && my < w && colors[(my * w + mx) as usize] == Color::Dark;
        Luma([if dark { 0 } else { 255 }])
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unplugged_camera_offers_typed_sign_in_and_recovers() {
    let env = Env::start().await;
    let (client, _) = env.enroll("s1").await;
    let maya = env.portal.issue_badge("u1", None).await.unwrap();
    let kiosk = RunningKiosk::start(&env, Some(client), settings());
    kiosk.wait_scanning().await;

    kiosk.camera.fail(|| SourceError::Disconnected);
    let view = kiosk
        .wait_screen("camera trouble", |s| {
            matches!(s, Screen::CameraTrouble { .. })
        })
        .await;
    assert_eq!(
        view.screen,
        Screen::CameraTrouble {
            reason: CameraReason::Disconnected,
            typed_allowed: true
        }
    );
    kiosk.handle.user(UserAction::ShowTyped);
    kiosk
        .wait_screen("typed", |s| matches!(s, Screen::Typed { .. }))
        .await;
    kiosk.handle.user(UserAction::CancelTyped);

    // Plugged back in, with a badge already in front of it.
    kiosk.camera.show(&env.badge_png("maya", &maya));
    kiosk.wait_signed_in("Maya").await;
}
