//! Typed sign-in against the real portal, up to the lockout.

use std::time::Duration;

use badgein_kiosk_core::machine::{ClockTime, Code, Screen, UserAction};
use badgein_proto::{PasswordSignIn, ProblemCode};

use crate::support::{Env, PATIENCE, RunningKiosk, settings};

/// Submits the form and returns the error it ends with (`None`: signed in). Waits for the
/// portal to record the attempt first, so an earlier identical error is never mistaken for
/// this attempt's answer. Junk (an unknown name, a locked account) is only counted until the
/// portal's next flush, which the wait does itself.
async fn attempt(env: &Env, kiosk: &RunningKiosk, username: &str, password: &str) -> Option<Code> {
    let before = env.portal.audit_log().await.unwrap().len();
    kiosk.handle.user(UserAction::SubmitTyped(PasswordSignIn {
        username: username.into(),
        password: password.into(),
    }));
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while {
        env.portal.flush_junk().await.unwrap();
        env.portal.audit_log().await.unwrap().len() == before
    } {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the portal never heard the attempt"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let view = kiosk
        .wait_screen("typed answer", |s| {
            matches!(
                s,
                Screen::Typed {
                    busy: false,
                    error: Some(_),
                    ..
                } | Screen::Greeting { .. }
                    | Screen::SignedIn { .. }
            )
        })
        .await;
    match view.screen {
        Screen::Typed { error, .. } => error,
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_wrong_passwords_lock_the_account_even_for_the_right_one() {
    let env = Env::start().await;
    let (client, _) = env.enroll("s1").await;
    env.portal
        .set_password("u2", "correct horse")
        .await
        .unwrap();
    let kiosk = RunningKiosk::start(&env, Some(client), settings());
    kiosk.wait_scanning().await;
    kiosk.handle.user(UserAction::ShowTyped);
    kiosk
        .wait_screen("typed form", |s| matches!(s, Screen::Typed { .. }))
        .await;

    for n in 1..=5 {
        assert_eq!(
            attempt(&env, &kiosk, "leo", "wrong").await,
            Some(ProblemCode::InvalidCredentials.into()),
            "attempt {n}"
        );
    }
    assert_eq!(
        attempt(&env, &kiosk, "leo", "correct horse").await,
        Some(ProblemCode::AccountLocked.into()),
        "the right password is refused while locked"
    );
    // The form says when to try again: the lock's end on the school's clock (UTC by default;
    // the clock is the test's, so the minute cannot move under it).
    let view = kiosk
        .wait_screen("the lock's end", |s| {
            matches!(s, Screen::Typed { until: Some(_), .. })
        })
        .await;
    let ends = (env.portal.now() / 1000 + 15 * 60).rem_euclid(86_400);
    let expected = ClockTime {
        hour: u8::try_from(ends / 3600).unwrap(),
        minute: u8::try_from(ends % 3600 / 60).unwrap(),
    };
    assert!(
        matches!(view.screen, Screen::Typed { until: Some(t), .. } if t == expected),
        "{:?}",
        view.screen
    );
    // The same answer for a name that does not exist, so names cannot be probed.
    assert_eq!(
        attempt(&env, &kiosk, "nobody", "wrong").await,
        Some(ProblemCode::InvalidCredentials.into())
    );

    // A teacher clears the lockout; the right password now signs in.
    env.portal.unlock("u2").await.unwrap();
    assert_eq!(attempt(&env, &kiosk, "leo", "correct horse").await, None);
    kiosk.wait_signed_in("Leo").await;
}
