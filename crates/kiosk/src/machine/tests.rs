//! Every rule of the machine, driven by events at explicit times.

use std::time::{Duration, Instant};

use badgein_badge::Badge;
use badgein_proto::{PasswordSignIn, ProblemCode, SignIn, SignedInUser};
use badgein_scanner::hints::Hint;
use serde_json::json;

use super::*;

struct Rig {
    kiosk: Kiosk,
    t0: Instant,
}

impl Rig {
    fn new() -> Self {
        Self::with(Settings {
            idle_timeout_secs: 60,
            allow_typed_login: true,
        })
    }

    fn with(settings: Settings) -> Self {
        Self {
            kiosk: Kiosk::new(settings, Language::En, true, true),
            t0: Instant::now(),
        }
    }

    fn at(&self, secs: f64) -> Instant {
        self.t0 + Duration::from_secs_f64(secs)
    }

    fn send(&mut self, secs: f64, event: Event) -> Vec<Effect> {
        let now = self.at(secs);
        self.kiosk.handle(event, now)
    }

    fn screen(&self) -> Screen {
        self.kiosk.view().screen
    }

    /// Shows `badge` at `secs`, answers the sign-in at the same second and lets the greeting
    /// run out; returns the time the portal opened.
    fn sign_in(&mut self, secs: f64, badge: &Badge, sign_in: SignIn) -> f64 {
        let fx = self.send(secs, scan_badge(badge));
        let request = badge_request(&fx, badge);
        assert!(self.send(secs, answer(request, sign_in)).is_empty());
        let open = secs + 1.5;
        let fx = self.send(open, Event::Tick);
        assert!(matches!(fx.as_slice(), [Effect::OpenPortal { .. }]));
        open
    }
}

fn badge(n: u8) -> Badge {
    Badge::from_parts([n; 5], [n; 16])
}

fn scan_badge(b: &Badge) -> Event {
    Event::Scan(ScanEvent::Badge(b.clone()))
}

fn user(first: &str, locale: &str) -> SignedInUser {
    SignedInUser {
        display_name: format!("{first} Example"),
        first_name: first.into(),
        avatar_url: Some(format!("https://portal.test/avatars/{first}.svg")),
        locale: locale.into(),
    }
}

fn sign_in_for(first: &str) -> SignIn {
    SignIn {
        session_id: format!("session-{first}"),
        launch_url: format!("https://portal.test/launch?ticket=t-{first}"),
        expires_at: "2026-11-23T20:00:00Z".into(),
        user: user(first, "en"),
    }
}

fn answer(request: RequestId, sign_in: SignIn) -> Event {
    Event::SignInAnswer {
        request,
        answer: PortalAnswer::SignedIn(sign_in),
    }
}

fn failed(request: RequestId, code: ProblemCode, retry_after: Option<u64>) -> Event {
    Event::SignInAnswer {
        request,
        answer: PortalAnswer::Failed {
            code,
            retry_after,
            until: None,
        },
    }
}

/// The request id of the badge sign-in in `fx`, checking it carries exactly `badge`.
fn badge_request(fx: &[Effect], badge: &Badge) -> RequestId {
    match fx {
        [Effect::SignInBadge { request, body }] => {
            assert_eq!(body.badge, badge.encode());
            *request
        }
        other => panic!("expected one badge sign-in, got {other:?}"),
    }
}

fn ended(fx: &[Effect]) -> Vec<&str> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::EndSession { session_id } => Some(session_id.expose()),
            _ => None,
        })
        .collect()
}

fn scanning() -> Screen {
    Screen::Scanning {
        hint: None,
        typed_allowed: true,
    }
}

fn result(code: Code, retry_after: Option<u64>) -> Screen {
    Screen::Result { code, retry_after }
}

#[test]
fn badge_then_greeting_then_portal_then_sign_out() {
    let mut r = Rig::new();
    let maya = badge(1);
    let fx = r.send(0.0, scan_badge(&maya));
    let request = badge_request(&fx, &maya);
    assert_eq!(r.screen(), Screen::SigningIn);

    assert!(r.send(0.4, answer(request, sign_in_for("Maya"))).is_empty());
    let greeting = Screen::Greeting {
        user: UserView {
            first_name: "Maya".into(),
            avatar_url: Some("https://portal.test/avatars/Maya.svg".into()),
        },
    };
    assert_eq!(r.screen(), greeting);
    assert!(r.send(1.8, Event::Tick).is_empty(), "greeting lasts 1.5 s");
    assert_eq!(r.screen(), greeting);

    let fx = r.send(1.9, Event::Tick);
    match fx.as_slice() {
        [Effect::OpenPortal { launch_url }] => {
            assert_eq!(
                launch_url.expose(),
                "https://portal.test/launch?ticket=t-Maya"
            )
        }
        other => panic!("expected the portal to open, got {other:?}"),
    }
    assert!(matches!(r.screen(), Screen::SignedIn { idle: None, .. }));

    let fx = r.send(5.0, Event::User(UserAction::SignOut));
    assert!(matches!(fx[0], Effect::WipePortal), "wipe comes first");
    assert_eq!(ended(&fx), ["session-Maya"]);
    assert_eq!(fx.len(), 2);
    assert_eq!(r.screen(), Screen::SigningOut);

    let fx = r.send(5.2, Event::SessionEnded);
    assert!(matches!(fx.as_slice(), [Effect::ResetScanner]));
    assert_eq!(r.screen(), scanning());
}

#[test]
fn sign_out_finishes_even_when_the_portal_never_answers() {
    let mut r = Rig::new();
    let open = r.sign_in(0.0, &badge(1), sign_in_for("Maya"));
    let fx = r.send(open + 1.0, Event::User(UserAction::SignOut));
    assert!(matches!(fx[0], Effect::WipePortal));
    assert!(r.send(open + 3.9, Event::Tick).is_empty());
    assert_eq!(r.screen(), Screen::SigningOut);
    let fx = r.send(open + 4.0, Event::Tick);
    assert!(matches!(fx.as_slice(), [Effect::ResetScanner]));
    assert_eq!(r.screen(), scanning());
    // The answer that comes in later changes nothing.
    assert!(r.send(open + 9.0, Event::SessionEnded).is_empty());
    assert_eq!(r.screen(), scanning());
}

#[test]
fn idle_countdown_is_visible_extendable_and_signs_out_at_zero() {
    let mut r = Rig::new();
    let open = r.sign_in(0.0, &badge(1), sign_in_for("Maya"));
    let idle = |r: &Rig| match r.screen() {
        Screen::SignedIn { idle, .. } => idle.map(|i| i.seconds_left),
        other => panic!("not signed in: {other:?}"),
    };
    r.send(open + 59.0, Event::Tick);
    assert_eq!(idle(&r), None);
    r.send(open + 60.0, Event::Tick);
    assert_eq!(idle(&r), Some(30));
    r.send(open + 60.5, Event::Tick);
    assert_eq!(idle(&r), Some(30), "rounded up");
    r.send(open + 61.0, Event::Tick);
    assert_eq!(idle(&r), Some(29));

    assert!(
        r.send(open + 70.0, Event::User(UserAction::StillHere))
            .is_empty()
    );
    assert_eq!(idle(&r), None);
    r.send(open + 129.0, Event::Tick);
    assert_eq!(idle(&r), None, "a full timeout again after still_here");
    r.send(open + 130.0, Event::Tick);
    assert_eq!(idle(&r), Some(30));
    r.send(open + 159.5, Event::Tick);
    assert_eq!(idle(&r), Some(1));

    let fx = r.send(open + 160.0, Event::Tick);
    assert!(matches!(fx[0], Effect::WipePortal));
    assert_eq!(ended(&fx), ["session-Maya"]);
    assert_eq!(r.screen(), Screen::SigningOut);
}

#[test]
fn a_different_badge_switches_user_and_the_same_one_does_nothing() {
    let mut r = Rig::new();
    let (maya, leo) = (badge(1), badge(2));
    let open = r.sign_in(0.0, &maya, sign_in_for("Maya"));

    r.send(open + 65.0, Event::Tick);
    assert!(matches!(r.screen(), Screen::SignedIn { idle: Some(_), .. }));
    assert!(r.send(open + 66.0, scan_badge(&maya)).is_empty());
    assert!(
        matches!(r.screen(), Screen::SignedIn { idle: None, .. }),
        "her own badge again counts as activity"
    );

    let fx = r.send(open + 70.0, scan_badge(&leo));
    assert!(matches!(fx[0], Effect::WipePortal));
    assert_eq!(ended(&fx), ["session-Maya"]);
    assert!(!fx.iter().any(|e| matches!(e, Effect::SignInBadge { .. })));
    assert_eq!(r.screen(), Screen::SigningOut);

    let fx = r.send(open + 70.3, Event::SessionEnded);
    let request = badge_request(&fx, &leo);
    r.send(open + 70.5, answer(request, sign_in_for("Leo")));
    assert!(matches!(r.screen(), Screen::Greeting { user } if user.first_name == "Leo"));
}

#[test]
fn a_different_badge_during_the_greeting_also_switches() {
    let mut r = Rig::new();
    let fx = r.send(0.0, scan_badge(&badge(1)));
    let request = badge_request(&fx, &badge(1));
    r.send(0.2, answer(request, sign_in_for("Maya")));
    let fx = r.send(0.5, scan_badge(&badge(2)));
    assert_eq!(ended(&fx), ["session-Maya"]);
    let fx = r.send(1.0, Event::Tick);
    assert!(fx.is_empty(), "the first child's portal never opens");
    let fx = r.send(1.1, Event::SessionEnded);
    badge_request(&fx, &badge(2));
}

#[test]
fn a_badge_shown_while_saying_bye_signs_in_next() {
    let mut r = Rig::new();
    let open = r.sign_in(0.0, &badge(1), sign_in_for("Maya"));
    r.send(open + 1.0, Event::User(UserAction::SignOut));
    assert!(r.send(open + 1.2, scan_badge(&badge(2))).is_empty());
    let fx = r.send(open + 1.4, Event::SessionEnded);
    badge_request(&fx, &badge(2));
}

#[test]
fn not_a_badge_and_several_codes_are_answered_locally() {
    let mut r = Rig::new();
    let fx = r.send(0.0, Event::Scan(ScanEvent::NotABadge));
    assert!(fx.is_empty(), "no network call");
    assert_eq!(r.screen(), result(ProblemCode::NotABadge.into(), None));
    assert!(r.send(3.9, Event::Tick).is_empty());
    assert_eq!(r.screen(), result(ProblemCode::NotABadge.into(), None));
    r.send(4.0, Event::Tick);
    assert_eq!(r.screen(), scanning());

    let fx = r.send(5.0, Event::Scan(ScanEvent::Several));
    assert!(fx.is_empty());
    assert_eq!(r.screen(), result(Code::SeveralBadges, None));
    r.send(5.5, Event::User(UserAction::Dismiss));
    assert_eq!(r.screen(), scanning());
}

#[test]
fn hints_show_while_scanning() {
    let mut r = Rig::new();
    r.send(0.0, Event::Scan(ScanEvent::Nothing(Some(Hint::ComeCloser))));
    assert_eq!(
        r.screen(),
        Screen::Scanning {
            hint: Some(Hint::ComeCloser),
            typed_allowed: true
        }
    );
    r.send(0.1, Event::Scan(ScanEvent::Nothing(None)));
    assert_eq!(r.screen(), scanning());
}

#[test]
fn portal_refusals_show_their_code_and_a_badge_can_follow_at_once() {
    let mut r = Rig::new();
    let fx = r.send(0.0, scan_badge(&badge(1)));
    let request = badge_request(&fx, &badge(1));
    r.send(0.3, failed(request, ProblemCode::BadgeVoided, None));
    assert_eq!(r.screen(), result(ProblemCode::BadgeVoided.into(), None));

    let fx = r.send(1.0, scan_badge(&badge(2)));
    let request = badge_request(&fx, &badge(2));
    r.send(1.2, failed(request, ProblemCode::RateLimited, Some(30)));
    assert_eq!(
        r.screen(),
        result(ProblemCode::RateLimited.into(), Some(30))
    );
}

#[test]
fn portal_down_shows_offline_and_a_late_session_is_ended() {
    let mut r = Rig::new();
    let fx = r.send(0.0, scan_badge(&badge(1)));
    let request = badge_request(&fx, &badge(1));
    r.send(
        3.0,
        Event::SignInAnswer {
            request,
            answer: PortalAnswer::Unreachable,
        },
    );
    assert_eq!(r.screen(), result(Code::Offline, None));
    r.send(7.0, Event::Tick);
    assert_eq!(r.screen(), scanning());

    // No answer at all: the kiosk gives up after 10 s...
    let fx = r.send(8.0, scan_badge(&badge(2)));
    let request = badge_request(&fx, &badge(2));
    r.send(17.9, Event::Tick);
    assert_eq!(r.screen(), Screen::SigningIn);
    r.send(18.0, Event::Tick);
    assert_eq!(r.screen(), result(Code::Offline, None));
    // ...and when the portal answers after all, that session is ended, never shown.
    let fx = r.send(19.0, answer(request, sign_in_for("Leo")));
    assert_eq!(ended(&fx), ["session-Leo"]);
    assert_eq!(r.screen(), result(Code::Offline, None));
}

#[test]
fn an_unenrolled_or_revoked_kiosk_goes_to_setup_and_ignores_badges() {
    for code in [ProblemCode::KioskNotEnrolled, ProblemCode::KioskRevoked] {
        let mut r = Rig::new();
        let fx = r.send(0.0, scan_badge(&badge(1)));
        let request = badge_request(&fx, &badge(1));
        r.send(0.1, failed(request, code, None));
        assert_eq!(
            r.screen(),
            Screen::Setup {
                enrolled: false,
                message: Some(code.into())
            }
        );
        assert!(!r.kiosk.wants_badges());
        assert!(r.send(1.0, scan_badge(&badge(2))).is_empty());
        r.send(2.0, Event::User(UserAction::LeaveSetup));
        assert!(
            matches!(r.screen(), Screen::Setup { .. }),
            "needs enrolling"
        );
        r.send(3.0, Event::Setup(SetupEvent::Enrolled));
        assert_eq!(
            r.screen(),
            Screen::Setup {
                enrolled: true,
                message: Some(Code::Enrolled)
            }
        );
        r.send(4.0, Event::User(UserAction::LeaveSetup));
        assert_eq!(r.screen(), scanning());
    }
}

#[test]
fn a_fresh_kiosk_starts_by_choosing_a_pin_then_setup() {
    let t0 = Instant::now();
    let mut k = Kiosk::new(Settings::default(), Language::Es, false, false);
    assert_eq!(
        k.view(),
        View {
            language: Language::Es,
            screen: Screen::ChoosePin { message: None }
        }
    );
    assert!(!k.wants_badges());
    // Nothing but choosing a PIN opens setup: not a PIN answer, not leaving, not the chord.
    k.handle(Event::Setup(SetupEvent::PinChecked(PinAnswer::Right)), t0);
    k.handle(Event::User(UserAction::LeaveSetup), t0);
    k.handle(Event::User(UserAction::OpenTeacher), t0);
    k.handle(Event::Setup(SetupEvent::Message(Code::PinMismatch)), t0);
    assert_eq!(
        k.view().screen,
        Screen::ChoosePin {
            message: Some(Code::PinMismatch)
        }
    );
    k.handle(Event::Setup(SetupEvent::PinChosen), t0);
    assert_eq!(
        k.view().screen,
        Screen::Setup {
            enrolled: false,
            message: Some(Code::Saved)
        }
    );
    let k = Kiosk::new(Settings::default(), Language::Es, false, true);
    assert_eq!(
        k.view().screen,
        Screen::Setup {
            enrolled: false,
            message: None
        }
    );
}

#[test]
fn an_enrolled_kiosk_without_a_pin_sends_the_chord_and_a_revocation_to_choosing_one() {
    let t0 = Instant::now();
    let mut k = Kiosk::new(Settings::default(), Language::En, true, false);
    k.handle(Event::User(UserAction::OpenTeacher), t0);
    assert_eq!(k.view().screen, Screen::ChoosePin { message: None });
    k.handle(Event::User(UserAction::LeaveSetup), t0);
    assert!(matches!(k.view().screen, Screen::Scanning { .. }));
    k.handle(
        Event::Setup(SetupEvent::CredentialRefused(Code::Problem(
            ProblemCode::KioskRevoked,
        ))),
        t0,
    );
    assert_eq!(
        k.view().screen,
        Screen::ChoosePin {
            message: Some(Code::Problem(ProblemCode::KioskRevoked))
        }
    );
}

#[test]
fn a_wrong_pin_wait_counts_down_on_the_pad_and_ends() {
    let mut r = Rig::new();
    r.send(0.0, Event::User(UserAction::OpenTeacher));
    let wrong = |wait| Event::Setup(SetupEvent::PinChecked(PinAnswer::Wrong { wait }));
    r.send(1.0, wrong(None));
    assert_eq!(
        r.screen(),
        Screen::TeacherPin {
            failed: true,
            wait_secs: None
        }
    );
    r.send(2.0, wrong(Some(Duration::from_secs(30))));
    assert_eq!(
        r.screen(),
        Screen::TeacherPin {
            failed: true,
            wait_secs: Some(30)
        }
    );
    r.send(12.5, Event::Tick);
    assert_eq!(
        r.screen(),
        Screen::TeacherPin {
            failed: true,
            wait_secs: Some(20)
        }
    );
    r.send(31.9, Event::Tick);
    assert_eq!(
        r.screen(),
        Screen::TeacherPin {
            failed: true,
            wait_secs: Some(1)
        }
    );
    r.send(32.0, Event::Tick);
    assert_eq!(
        r.screen(),
        Screen::TeacherPin {
            failed: true,
            wait_secs: None
        }
    );
    // Reopening the pad while a wait runs (the shell asks): the wait shows, nothing failed yet.
    r.send(33.0, Event::User(UserAction::LeaveSetup));
    r.send(34.0, Event::User(UserAction::OpenTeacher));
    r.send(
        34.0,
        Event::Setup(SetupEvent::PinChecked(PinAnswer::Wait(
            Duration::from_secs(3599),
        ))),
    );
    assert_eq!(
        r.screen(),
        Screen::TeacherPin {
            failed: false,
            wait_secs: Some(3599)
        }
    );
    r.send(35.0, Event::Setup(SetupEvent::PinChecked(PinAnswer::Right)));
    assert!(matches!(r.screen(), Screen::Setup { .. }));
}

fn typed(username: &str, password: &str) -> Event {
    Event::User(UserAction::SubmitTyped(PasswordSignIn {
        username: username.into(),
        password: password.into(),
    }))
}

fn password_request(fx: &[Effect]) -> RequestId {
    match fx {
        [Effect::SignInPassword { request, .. }] => *request,
        other => panic!("expected a password sign-in, got {other:?}"),
    }
}

#[test]
fn the_lock_ends_at_the_schools_wall_clock_time() {
    let at = |t: &str| ClockTime::from_rfc3339(t).map(|c| (c.hour, c.minute));
    assert_eq!(at("2026-12-05T09:42:00-06:00"), Some((9, 42)));
    assert_eq!(at("2026-12-05T21:05:59Z"), Some((21, 5)));
    for bad in [
        "",
        "09:42",
        "2026-12-05 09:42",
        "2026-12-05T24:00:00Z",
        "2026-12-05T09:60:00Z",
        "2026-12-05T+9:42:00Z",
        "2026-12-05T09:42:00-06:00 and a very long tail",
    ] {
        assert_eq!(at(bad), None, "{bad}");
    }
}

#[test]
fn typed_sign_in_errors_stay_on_the_form_and_success_greets() {
    let mut r = Rig::new();
    assert!(r.send(0.0, typed("maya", "x")).is_empty(), "no form open");
    r.send(0.0, Event::User(UserAction::ShowTyped));
    assert_eq!(
        r.screen(),
        Screen::Typed {
            error: None,
            busy: false,
            until: None
        }
    );
    let fx = r.send(5.0, typed("maya", "wrong"));
    let request = password_request(&fx);
    assert_eq!(
        r.screen(),
        Screen::Typed {
            error: None,
            busy: true,
            until: None
        }
    );
    r.send(5.5, failed(request, ProblemCode::InvalidCredentials, None));
    assert_eq!(
        r.screen(),
        Screen::Typed {
            error: Some(ProblemCode::InvalidCredentials.into()),
            busy: false,
            until: None
        }
    );
    let fx = r.send(6.0, typed("maya", "wrong"));
    let nine_forty_two = ClockTime::from_rfc3339("2026-12-05T09:42:00-06:00");
    r.send(
        6.5,
        Event::SignInAnswer {
            request: password_request(&fx),
            answer: PortalAnswer::Failed {
                code: ProblemCode::AccountLocked,
                retry_after: Some(900),
                until: nine_forty_two,
            },
        },
    );
    assert_eq!(
        r.screen(),
        Screen::Typed {
            error: Some(ProblemCode::AccountLocked.into()),
            busy: false,
            until: Some(ClockTime {
                hour: 9,
                minute: 42
            })
        }
    );
    let fx = r.send(7.0, typed("maya", "right"));
    r.send(7.5, answer(password_request(&fx), sign_in_for("Maya")));
    assert!(matches!(r.screen(), Screen::Greeting { .. }));
    // A typed session has no badge: any badge is a different child.
    r.send(9.0, Event::Tick);
    let fx = r.send(10.0, scan_badge(&badge(1)));
    assert_eq!(ended(&fx), ["session-Maya"]);
}

#[test]
fn typed_sign_in_can_be_cancelled_even_while_busy() {
    let mut r = Rig::new();
    r.send(0.0, Event::User(UserAction::ShowTyped));
    let fx = r.send(1.0, typed("maya", "pw"));
    let request = password_request(&fx);
    r.send(1.5, Event::User(UserAction::CancelTyped));
    assert_eq!(r.screen(), scanning());
    let fx = r.send(2.0, answer(request, sign_in_for("Maya")));
    assert_eq!(ended(&fx), ["session-Maya"]);
    assert_eq!(r.screen(), scanning());
}

#[test]
fn an_abandoned_typed_form_goes_back_to_scanning() {
    let mut r = Rig::new();
    r.send(0.0, Event::User(UserAction::ShowTyped));
    r.send(100.0, Event::User(UserAction::StillHere));
    r.send(219.0, Event::Tick);
    assert!(matches!(r.screen(), Screen::Typed { .. }));
    r.send(220.0, Event::Tick);
    assert_eq!(r.screen(), scanning());
}

#[test]
fn typed_sign_in_is_offered_only_when_the_school_allows_it() {
    let mut r = Rig::with(Settings {
        idle_timeout_secs: 60,
        allow_typed_login: false,
    });
    r.send(0.0, Event::User(UserAction::ShowTyped));
    assert_eq!(
        r.screen(),
        Screen::Scanning {
            hint: None,
            typed_allowed: false
        }
    );
}

#[test]
fn camera_trouble_offers_typed_sign_in_and_clears_when_the_camera_returns() {
    let mut r = Rig::new();
    r.send(
        0.0,
        Event::Camera(CameraState::Trouble(CameraReason::Disconnected)),
    );
    assert_eq!(
        r.screen(),
        Screen::CameraTrouble {
            reason: CameraReason::Disconnected,
            typed_allowed: true
        }
    );
    r.send(1.0, Event::User(UserAction::ShowTyped));
    assert!(matches!(r.screen(), Screen::Typed { .. }));
    r.send(2.0, Event::User(UserAction::CancelTyped));
    assert!(matches!(r.screen(), Screen::CameraTrouble { .. }));
    r.send(3.0, Event::Camera(CameraState::Ok));
    assert_eq!(r.screen(), scanning());
}

#[test]
fn camera_trouble_never_interrupts_a_signed_in_child() {
    let mut r = Rig::new();
    let open = r.sign_in(0.0, &badge(1), sign_in_for("Maya"));
    r.send(
        open,
        Event::Camera(CameraState::Trouble(CameraReason::Busy)),
    );
    assert!(matches!(r.screen(), Screen::SignedIn { .. }));
    r.send(open + 1.0, Event::User(UserAction::SignOut));
    r.send(open + 1.1, Event::SessionEnded);
    assert!(matches!(
        r.screen(),
        Screen::CameraTrouble {
            reason: CameraReason::Busy,
            ..
        }
    ));
}

#[test]
fn the_teacher_chord_signs_the_child_out_before_the_pin() {
    let mut r = Rig::new();
    let open = r.sign_in(0.0, &badge(1), sign_in_for("Maya"));
    let fx = r.send(open + 1.0, Event::User(UserAction::OpenTeacher));
    assert_eq!(ended(&fx), ["session-Maya"]);
    let fx = r.send(open + 1.2, Event::SessionEnded);
    assert!(fx.is_empty());
    assert_eq!(
        r.screen(),
        Screen::TeacherPin {
            failed: false,
            wait_secs: None
        }
    );
    assert!(!r.kiosk.wants_badges());
    r.send(
        open + 2.0,
        Event::Setup(SetupEvent::PinChecked(PinAnswer::Wrong { wait: None })),
    );
    assert_eq!(
        r.screen(),
        Screen::TeacherPin {
            failed: true,
            wait_secs: None
        }
    );
    r.send(
        open + 3.0,
        Event::Setup(SetupEvent::PinChecked(PinAnswer::Right)),
    );
    r.send(open + 4.0, Event::Setup(SetupEvent::Message(Code::Saved)));
    assert_eq!(
        r.screen(),
        Screen::Setup {
            enrolled: true,
            message: Some(Code::Saved)
        }
    );
    r.send(open + 5.0, Event::User(UserAction::LeaveSetup));
    assert_eq!(r.screen(), scanning());
}

#[test]
fn a_child_is_greeted_in_their_own_language() {
    let mut r = Rig::new();
    let mut s = sign_in_for("Lucía");
    s.user.locale = "es-MX".into();
    let open = r.sign_in(0.0, &badge(1), s);
    assert_eq!(r.kiosk.view().language, Language::Es);
    r.send(open, Event::User(UserAction::SignOut));
    assert_eq!(r.kiosk.view().language, Language::En);
    r.send(open, Event::User(UserAction::SetLanguage(Language::Es)));
    assert_eq!(r.kiosk.view().language, Language::Es);
}

#[test]
fn views_have_the_shapes_of_the_ipc_contract() {
    let mut r = Rig::new();
    let json_of = |r: &Rig| serde_json::to_value(r.kiosk.view()).unwrap();
    assert_eq!(
        json_of(&r),
        json!({"screen": "scanning", "language": "en", "hint": null, "typed_allowed": true})
    );
    r.send(0.0, Event::Scan(ScanEvent::Nothing(Some(Hint::MoreLight))));
    assert_eq!(json_of(&r)["hint"], "more_light");
    let open = r.sign_in(1.0, &badge(1), sign_in_for("Maya"));
    assert_eq!(
        json_of(&r),
        json!({"screen": "signed_in", "language": "en", "idle": null,
               "user": {"first_name": "Maya", "avatar_url": "https://portal.test/avatars/Maya.svg"}})
    );
    r.send(open + 75.0, Event::Tick);
    assert_eq!(json_of(&r)["idle"], json!({"seconds_left": 15}));
    r.send(open + 76.0, Event::User(UserAction::SignOut));
    assert_eq!(
        json_of(&r),
        json!({"screen": "signing_out", "language": "en"})
    );
    r.send(open + 77.0, Event::SessionEnded);
    let fx = r.send(open + 78.0, scan_badge(&badge(2)));
    r.send(
        open + 78.0,
        failed(
            badge_request(&fx, &badge(2)),
            ProblemCode::AccountLocked,
            Some(60),
        ),
    );
    assert_eq!(
        json_of(&r),
        json!({"screen": "result", "language": "en", "code": "account_locked", "retry_after": 60})
    );
    r.send(open + 90.0, Event::Tick);
    r.send(
        open + 90.0,
        Event::Camera(CameraState::Trouble(CameraReason::PermissionDenied)),
    );
    assert_eq!(
        json_of(&r),
        json!({"screen": "camera_trouble", "language": "en", "reason": "permission_denied",
               "typed_allowed": true})
    );
    r.send(open + 91.0, Event::User(UserAction::OpenTeacher));
    assert_eq!(
        json_of(&r),
        json!({"screen": "teacher_pin", "language": "en", "failed": false, "wait_secs": null})
    );
    r.send(
        open + 91.5,
        Event::Setup(SetupEvent::PinChecked(PinAnswer::Wrong {
            wait: Some(Duration::from_secs(30)),
        })),
    );
    assert_eq!(
        json_of(&r),
        json!({"screen": "teacher_pin", "language": "en", "failed": true, "wait_secs": 30})
    );
    r.send(
        open + 122.0,
        Event::Setup(SetupEvent::PinChecked(PinAnswer::Right)),
    );
    r.send(
        open + 122.0,
        Event::Setup(SetupEvent::Message(Code::KeyringUnavailable)),
    );
    assert_eq!(
        json_of(&r),
        json!({"screen": "setup", "language": "en", "enrolled": true,
               "message": "keyring_unavailable"})
    );
    let fresh = Kiosk::new(Settings::default(), Language::En, false, false);
    assert_eq!(
        serde_json::to_value(fresh.view()).unwrap(),
        json!({"screen": "choose_pin", "language": "en", "message": null})
    );
}

#[test]
fn nothing_secret_reaches_debug_output() {
    let mut r = Rig::new();
    let maya = badge(7);
    let fx = r.send(0.0, scan_badge(&maya));
    let request = badge_request(&fx, &maya);
    r.send(0.1, answer(request, sign_in_for("Maya")));
    let fx2 = r.send(2.0, Event::Tick);
    let fx3 = r.send(3.0, Event::User(UserAction::SignOut));
    let all = format!("{fx:?} {fx2:?} {fx3:?} {:?}", r.kiosk);
    assert!(!all.contains(&maya.encode()));
    assert!(!all.contains("session-Maya"));
    assert!(!all.contains("ticket"));
}

#[test]
fn a_credential_refused_by_the_settings_poll_waits_for_the_child_signed_in() {
    let revoked = Code::Problem(ProblemCode::KioskRevoked);
    let refused = || Event::Setup(SetupEvent::CredentialRefused(revoked));
    // While scanning: straight to the teacher's setup screen.
    let mut r = Rig::new();
    r.send(0.0, refused());
    assert_eq!(
        r.screen(),
        Screen::Setup {
            enrolled: false,
            message: Some(revoked)
        }
    );
    assert!(!r.kiosk.wants_badges());

    // While a child is signed in: the child stays until done; then no more sign-ins.
    let mut r = Rig::new();
    let fx = r.send(0.0, scan_badge(&badge(1)));
    let request = badge_request(&fx, &badge(1));
    r.send(0.1, answer(request, sign_in_for("Maya")));
    r.send(2.0, Event::Tick);
    assert!(matches!(r.screen(), Screen::SignedIn { .. }));
    r.send(2.1, refused());
    assert!(matches!(r.screen(), Screen::SignedIn { .. }));
    r.send(3.0, Event::User(UserAction::SignOut));
    r.send(3.1, Event::SessionEnded);
    r.send(3.2, Event::Tick);
    assert_eq!(
        r.screen(),
        Screen::Setup {
            enrolled: false,
            message: Some(revoked)
        }
    );
}

#[test]
fn every_code_is_on_the_wire_as_its_as_str() {
    // Serialize is derived (so the TypeScript declaration reads the same serde attributes);
    // Display and the logs use `as_str`: the two must spell every code alike.
    let own = [
        Code::SeveralBadges,
        Code::Offline,
        Code::KeyringUnavailable,
        Code::CameraMissing,
        Code::PinWrong,
        Code::PinInvalid,
        Code::PinMismatch,
        Code::PortalChanged,
        Code::Saved,
        Code::Enrolled,
        Code::TestScanOk,
        Code::TestScanNothing,
        Code::SetupQrFound,
        Code::SetupQrRefused,
    ];
    let problems = ProblemCode::ALL.map(Code::Problem);
    for code in own.into_iter().chain(problems) {
        assert_eq!(serde_json::to_value(code).unwrap(), json!(code.as_str()));
    }
}
