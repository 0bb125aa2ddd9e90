//! When a downloaded update may be installed: only in a quiet moment on the scan screen, never
//! while a child signs in, is signed in, types a password or a teacher is in setup. Pure: it
//! watches the machine's events and the screen each leaves behind, and the time is an
//! argument. The driver asks it after every event (ticks included) and holds the kiosk still
//! once it says yes ([`crate::driver::KioskHandle::hold_when_quiet`]); the shell then installs
//! and restarts.

use std::time::{Duration, Instant};

use badgein_scanner::hints::Hint;

use crate::machine::{CameraState, Event, ScanEvent, Screen, SetupEvent};

/// How long the scan screen must have been left alone before an update goes in: long enough
/// that a child who just walked away from a failed scan, or is lining a badge up, is not cut
/// off by a restart.
pub const QUIET: Duration = Duration::from_secs(20);

/// Why an update waits (for the log and the tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// The kiosk is not on the scan screen (signing in, signed in, a result, typing, setup,
    /// the camera gone), or a code is in view.
    Busy,
    /// On the scan screen, but something happened less than the quiet time ago; this much of
    /// it is left.
    Recent(Duration),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    ApplyNow,
    Wait(Wait),
}

/// Watches the kiosk for the last sign of anyone in front of it.
#[derive(Debug, Clone)]
pub struct UpdateGate {
    quiet: Duration,
    /// The last event that was someone's doing, or that found or left the kiosk off the idle
    /// scan screen. The kiosk's start counts: a restarted kiosk settles before the next update.
    last_activity: Instant,
    /// Whether the last observed event left the kiosk on the idle scan screen. The first event
    /// after a busy screen (the tick that ends a result picture) counts as activity, so the
    /// quiet time starts when the busy screen ended, not when it began.
    idle: bool,
}

impl UpdateGate {
    /// A gate that wants `quiet` without activity; `started` is when the kiosk started.
    pub fn new(quiet: Duration, started: Instant) -> Self {
        Self {
            quiet,
            last_activity: started,
            idle: true,
        }
    }

    /// From now on, wait for `quiet` without activity.
    pub fn set_quiet(&mut self, quiet: Duration) {
        self.quiet = quiet;
    }

    /// Takes `event`, handled at `now`, and the screen the machine showed after it.
    pub fn observe(&mut self, event: &Event, after: &Screen, now: Instant) {
        let idle = is_idle_screen(after);
        if is_activity(event) || !idle || !self.idle {
            self.last_activity = self.last_activity.max(now);
        }
        self.idle = idle;
    }

    /// Whether an update may be installed now, the machine showing `screen`.
    pub fn verdict(&self, screen: &Screen, now: Instant) -> Verdict {
        if !is_idle_screen(screen) {
            return Verdict::Wait(Wait::Busy);
        }
        let quiet_for = now.saturating_duration_since(self.last_activity);
        match self.quiet.checked_sub(quiet_for) {
            Some(left) if !left.is_zero() => Verdict::Wait(Wait::Recent(left)),
            _ => Verdict::ApplyNow,
        }
    }
}

/// The scan screen with no code in view (an empty desk, or a room too dark to see in, as at
/// night). `camera_trouble` is not idle: a child may be using the typed sign-in it offers, and
/// a teacher may be mending the camera.
fn is_idle_screen(screen: &Screen) -> bool {
    matches!(screen, Screen::Scanning { hint, .. } if !code_in_view(*hint))
}

/// Whether the camera loop's hint says something code-like is in front of the camera (a child
/// lining a badge up).
fn code_in_view(hint: Option<Hint>) -> bool {
    match hint {
        None | Some(Hint::ShowBadge | Hint::MoreLight) => false,
        Some(Hint::ComeCloser | Hint::StepBack | Hint::HoldStill) => true,
    }
}

/// Whether `event` is a sign of someone at the kiosk (or of a conversation with the portal
/// about one). Time passing, the camera's own state, frames with nothing in them and the
/// school's settings arriving in the background are not.
fn is_activity(event: &Event) -> bool {
    match event {
        Event::Scan(ScanEvent::Nothing(hint)) => code_in_view(*hint),
        Event::Tick | Event::Camera(CameraState::Ok) | Event::Setup(SetupEvent::Settings(_)) => {
            false
        }
        Event::Camera(CameraState::Trouble(_))
        | Event::Scan(_)
        | Event::SignInAnswer { .. }
        | Event::SessionEnded
        | Event::User(_)
        | Event::Setup(_) => true,
    }
}

#[cfg(test)]
mod tests {
    //! The gate beside the real state machine: every event goes through `Kiosk::handle` and the
    //! gate sees the screen it leaves, as the driver does.

    use badgein_badge::Badge;
    use badgein_proto::{PasswordSignIn, ProblemCode, SignIn, SignedInUser};

    use super::*;
    use crate::machine::{
        CameraReason, Effect, Kiosk, Language, PinAnswer, PortalAnswer, RequestId, Settings,
        UserAction,
    };

    const Q: Duration = Duration::from_secs(20);

    struct Rig {
        kiosk: Kiosk,
        gate: UpdateGate,
        t0: Instant,
    }

    impl Rig {
        fn new() -> Self {
            let t0 = Instant::now();
            Self {
                kiosk: Kiosk::new(Settings::default(), Language::En, true, true),
                gate: UpdateGate::new(Q, t0),
                t0,
            }
        }

        fn at(&self, secs: f64) -> Instant {
            self.t0 + Duration::from_secs_f64(secs)
        }

        fn send(&mut self, secs: f64, event: Event) -> Vec<Effect> {
            let now = self.at(secs);
            let fx = self.kiosk.handle(event.clone(), now);
            self.gate.observe(&event, &self.kiosk.view().screen, now);
            fx
        }

        /// Time passes to `secs` (a tick, as the driver's ticker sends) and the gate is asked.
        fn verdict(&mut self, secs: f64) -> Verdict {
            self.send(secs, Event::Tick);
            self.gate.verdict(&self.kiosk.view().screen, self.at(secs))
        }

        fn screen(&self) -> Screen {
            self.kiosk.view().screen
        }
    }

    fn badge(n: u8) -> Badge {
        Badge::from_parts([n; 5], [n; 16])
    }

    fn scan(b: &Badge) -> Event {
        Event::Scan(ScanEvent::Badge(b.clone()))
    }

    fn request_of(fx: &[Effect]) -> RequestId {
        match fx {
            [Effect::SignInBadge { request, .. }] | [Effect::SignInPassword { request, .. }] => {
                *request
            }
            other => panic!("expected one sign-in call, got {other:?}"),
        }
    }

    fn signed_in(first: &str) -> PortalAnswer {
        PortalAnswer::SignedIn(SignIn {
            session_id: format!("session-{first}"),
            launch_url: format!("https://portal.test/launch?ticket=t-{first}"),
            expires_at: "2026-11-23T20:00:00Z".into(),
            user: SignedInUser {
                display_name: format!("{first} Example"),
                first_name: first.into(),
                avatar_url: None,
                locale: "en".into(),
            },
        })
    }

    fn recent(secs: f64) -> Verdict {
        Verdict::Wait(Wait::Recent(Duration::from_secs_f64(secs)))
    }

    const BUSY: Verdict = Verdict::Wait(Wait::Busy);

    #[test]
    fn a_fresh_kiosk_settles_for_the_quiet_time_first() {
        let mut rig = Rig::new();
        assert!(matches!(rig.screen(), Screen::Scanning { .. }));
        assert_eq!(rig.verdict(0.0), recent(20.0));
        assert_eq!(rig.verdict(19.5), recent(0.5));
        assert_eq!(rig.verdict(20.0), Verdict::ApplyNow);
        assert_eq!(
            rig.verdict(3600.0),
            Verdict::ApplyNow,
            "ticks are not activity"
        );
    }

    #[test]
    fn never_from_a_badge_to_well_after_the_sign_out() {
        let mut rig = Rig::new();
        assert_eq!(rig.verdict(100.0), Verdict::ApplyNow);

        let fx = rig.send(100.0, scan(&badge(1)));
        assert_eq!(rig.screen(), Screen::SigningIn);
        assert_eq!(rig.verdict(105.0), BUSY, "a sign-in in flight");
        rig.send(
            105.0,
            Event::SignInAnswer {
                request: request_of(&fx),
                answer: signed_in("Maya"),
            },
        );
        assert_eq!(rig.verdict(106.0), BUSY, "the greeting");
        assert_eq!(rig.verdict(107.0), BUSY);
        assert!(matches!(rig.screen(), Screen::SignedIn { .. }));
        // Left signed in without touching anything: the idle countdown ends it, not the gate.
        let mut bye = 108.0;
        loop {
            assert_eq!(rig.verdict(bye), BUSY, "signed in at {bye}");
            if !matches!(rig.screen(), Screen::SignedIn { .. }) {
                break;
            }
            bye += 1.0;
        }
        assert_eq!(rig.screen(), Screen::SigningOut);
        assert_eq!(
            bye,
            107.0 + 120.0 + 30.0,
            "the idle timeout and its countdown"
        );
        rig.send(bye + 1.0, Event::SessionEnded);
        assert!(matches!(rig.screen(), Screen::Scanning { .. }));
        assert_eq!(rig.verdict(bye + 1.0), recent(20.0));
        assert_eq!(rig.verdict(bye + 20.5), recent(0.5));
        assert_eq!(rig.verdict(bye + 21.0), Verdict::ApplyNow);
    }

    #[test]
    fn a_sign_out_button_restarts_the_quiet_time() {
        let mut rig = Rig::new();
        let fx = rig.send(30.0, scan(&badge(1)));
        rig.send(
            30.0,
            Event::SignInAnswer {
                request: request_of(&fx),
                answer: signed_in("Leo"),
            },
        );
        rig.verdict(32.0);
        rig.send(40.0, Event::User(UserAction::SignOut));
        rig.send(40.5, Event::SessionEnded);
        assert_eq!(rig.verdict(59.0), recent(1.5));
        assert_eq!(rig.verdict(60.5), Verdict::ApplyNow);
    }

    #[test]
    fn a_failed_badge_and_its_result_screen_count_as_activity() {
        let mut rig = Rig::new();
        let fx = rig.send(50.0, scan(&badge(2)));
        rig.send(
            51.0,
            Event::SignInAnswer {
                request: request_of(&fx),
                answer: PortalAnswer::Failed {
                    code: ProblemCode::BadgeUnknown,
                    retry_after: None,
                    until: None,
                },
            },
        );
        assert!(matches!(rig.screen(), Screen::Result { .. }));
        assert_eq!(rig.verdict(53.0), BUSY);
        // The result picture runs out at 55 s: the quiet time counts from then.
        assert_eq!(rig.verdict(55.0), recent(20.0));
        assert!(matches!(rig.screen(), Screen::Scanning { .. }));
        assert_eq!(rig.verdict(74.0), recent(1.0));
        assert_eq!(rig.verdict(75.0), Verdict::ApplyNow);
    }

    #[test]
    fn codes_in_view_hold_it_off_an_empty_desk_does_not() {
        let mut rig = Rig::new();
        rig.send(100.0, Event::Scan(ScanEvent::NotABadge));
        assert_eq!(rig.verdict(100.0), BUSY, "the not-a-badge picture");
        let mut rig = Rig::new();
        rig.send(
            100.0,
            Event::Scan(ScanEvent::Nothing(Some(Hint::ShowBadge))),
        );
        rig.send(
            100.0,
            Event::Scan(ScanEvent::Nothing(Some(Hint::MoreLight))),
        );
        assert_eq!(
            rig.verdict(100.0),
            Verdict::ApplyNow,
            "an empty desk, a dark room"
        );
        rig.send(
            100.0,
            Event::Scan(ScanEvent::Nothing(Some(Hint::ComeCloser))),
        );
        assert_eq!(rig.verdict(100.0), BUSY, "a badge held too far away");
        rig.send(
            101.0,
            Event::Scan(ScanEvent::Nothing(Some(Hint::ShowBadge))),
        );
        assert_eq!(rig.verdict(101.0), recent(20.0), "it was there until now");
        assert_eq!(rig.verdict(121.0), Verdict::ApplyNow);
    }

    #[test]
    fn typing_a_password_holds_it_off_until_well_after_cancel() {
        let mut rig = Rig::new();
        rig.send(100.0, Event::User(UserAction::ShowTyped));
        assert_eq!(rig.verdict(110.0), BUSY, "the typed form is open");
        let fx = rig.send(
            115.0,
            Event::User(UserAction::SubmitTyped(PasswordSignIn {
                username: "maya".into(),
                password: "not-checked-here".into(),
            })),
        );
        let request = request_of(&fx);
        assert_eq!(rig.verdict(116.0), BUSY, "the password sign-in in flight");
        rig.send(
            117.0,
            Event::SignInAnswer {
                request,
                answer: PortalAnswer::Failed {
                    code: ProblemCode::InvalidCredentials,
                    retry_after: None,
                    until: None,
                },
            },
        );
        assert_eq!(rig.verdict(118.0), BUSY, "the form with its error");
        rig.send(119.0, Event::User(UserAction::CancelTyped));
        assert_eq!(rig.verdict(138.0), recent(1.0));
        assert_eq!(rig.verdict(139.0), Verdict::ApplyNow);
    }

    #[test]
    fn setup_and_the_pin_pad_hold_it_off() {
        let mut rig = Rig::new();
        rig.send(100.0, Event::User(UserAction::OpenTeacher));
        assert!(matches!(rig.screen(), Screen::TeacherPin { .. }));
        assert_eq!(rig.verdict(200.0), BUSY);
        rig.send(
            201.0,
            Event::Setup(SetupEvent::PinChecked(PinAnswer::Right)),
        );
        assert!(matches!(rig.screen(), Screen::Setup { .. }));
        assert_eq!(rig.verdict(900.0), BUSY, "a teacher in setup, however long");
        rig.send(901.0, Event::User(UserAction::LeaveSetup));
        assert_eq!(rig.verdict(920.0), recent(1.0));
        assert_eq!(rig.verdict(921.0), Verdict::ApplyNow);
    }

    #[test]
    fn an_unenrolled_kiosk_is_in_setup_and_never_updates() {
        let t0 = Instant::now();
        let mut kiosk = Kiosk::new(Settings::default(), Language::En, false, true);
        let gate = UpdateGate::new(Q, t0);
        kiosk.handle(Event::Tick, t0 + Duration::from_secs(3600));
        assert!(matches!(kiosk.view().screen, Screen::Setup { .. }));
        assert_eq!(
            gate.verdict(&kiosk.view().screen, t0 + Duration::from_secs(3600)),
            BUSY
        );
    }

    #[test]
    fn a_missing_camera_holds_it_off_but_a_settings_poll_does_not() {
        let mut rig = Rig::new();
        rig.send(
            100.0,
            Event::Camera(CameraState::Trouble(CameraReason::Disconnected)),
        );
        assert!(matches!(rig.screen(), Screen::CameraTrouble { .. }));
        assert_eq!(rig.verdict(500.0), BUSY);
        rig.send(500.0, Event::Camera(CameraState::Ok));
        assert_eq!(
            rig.verdict(519.0),
            recent(1.0),
            "from when it was last away"
        );
        rig.send(
            519.5,
            Event::Setup(SetupEvent::Settings(Settings::default())),
        );
        assert_eq!(rig.verdict(520.0), Verdict::ApplyNow);
    }

    #[test]
    fn events_observed_out_of_order_never_move_activity_back() {
        let t0 = Instant::now();
        let mut gate = UpdateGate::new(Q, t0);
        let idle = Screen::Scanning {
            hint: None,
            typed_allowed: true,
        };
        let later = t0 + Duration::from_secs(100);
        gate.observe(&Event::User(UserAction::StillHere), &idle, later);
        gate.observe(&Event::User(UserAction::StillHere), &idle, t0);
        assert_eq!(
            gate.verdict(&idle, later + Duration::from_secs(10)),
            Verdict::Wait(Wait::Recent(Duration::from_secs(10)))
        );
    }
}
