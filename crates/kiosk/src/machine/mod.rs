//! The kiosk state machine: pure, no I/O, no clock. [`Kiosk::handle`] takes an [`Event`] and
//! the time it happened and returns the [`Effect`]s to carry out; [`Kiosk::view`] is what the
//! window shows. Every rule is tested to the second in `tests.rs`.
//!
//! The screens, as in `docs/kiosk-ipc.md`:
//!
//! ```text
//! setup ──enrolled──> scanning ──badge──> signing_in ──ok──> greeting ──1.5 s──> signed_in
//!                      │  ▲  ▲                │ fail                                │ I'm done / idle /
//!                      │  │  └──── result <───┘                                   │ another badge
//!                      │  └──────────────────────────── signing_out <─────────────┘
//!                      └─typed──> typed ──submit──> signing_in (shown as typed, busy)
//! ```
//!
//! `scanning` is shown as `camera_trouble` while the camera is away; the teacher chord leads to
//! `teacher_pin` and `setup` from anywhere (signing the child out first). Setup needs a teacher
//! PIN: until one is chosen, every way to setup (a new kiosk, the chord, a revoked credential)
//! leads to `choose_pin` instead. Wrong PINs start waits ([`crate::pin_throttle`]), which the
//! `teacher_pin` screen counts down.

mod effect;
mod event;
mod setup_qr;
mod view;

#[cfg(test)]
mod tests;

use std::time::{Duration, Instant};

use badgein_badge::{Badge, BadgeId};
use badgein_proto::{BadgeSignIn, ProblemCode, SignIn, SignedInUser};
use badgein_scanner::hints::Hint;

pub use effect::{Effect, RequestId};
pub use event::{
    CameraState, Event, PinAnswer, PortalAnswer, ScanEvent, Settings, SetupEvent, UserAction,
};
pub use view::{CameraReason, ClockTime, Code, Idle, Language, Screen, UserView, View};

use crate::redacted::Redacted;

/// How long each timed screen lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// "Hi, Maya!" before the portal opens.
    pub greeting: Duration,
    /// A failure picture before going back to scanning.
    pub result: Duration,
    /// The visible idle countdown, after `idle_timeout_secs` without activity.
    pub countdown: Duration,
    /// At most this long on "bye" waiting for the portal to confirm the session end.
    pub signing_out: Duration,
    /// At most this long waiting for a sign-in answer (the client gives up sooner).
    pub signing_in: Duration,
    /// An abandoned typed sign-in form goes back to scanning after this.
    pub typed_idle: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            greeting: Duration::from_millis(1500),
            result: Duration::from_secs(4),
            countdown: Duration::from_secs(30),
            signing_out: Duration::from_secs(3),
            signing_in: Duration::from_secs(10),
            typed_idle: Duration::from_secs(120),
        }
    }
}

#[derive(Debug)]
pub struct Kiosk {
    state: State,
    settings: Settings,
    timing: Timing,
    language: Language,
    enrolled: bool,
    /// Whether a teacher PIN exists; without one setup is closed and `choose_pin` shows.
    pin_set: bool,
    /// Why the portal refused the credential, for the setup screen a child finds afterwards.
    refused: Option<Code>,
    camera: Option<CameraReason>,
    last_request: u64,
    /// An enrollment from a setup QR is running (`setup_qr.rs`): further QRs wait.
    qr_enrolling: bool,
}

/// A signed-in child as the kiosk keeps it: enough to greet, to end the session, and to tell
/// the same badge from a different one.
#[derive(Debug, Clone)]
struct Session {
    id: Redacted,
    user: SignedInUser,
    badge: Option<BadgeId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    Badge(BadgeId),
    Typed,
}

/// Where the kiosk goes once a sign-out is over.
#[derive(Debug, Clone)]
enum Then {
    Home,
    SignIn(Badge),
    TeacherPin,
}

#[derive(Debug)]
enum State {
    Setup {
        message: Option<Code>,
    },
    /// Enrolled, and a setup QR for a portal was read: asking before switching.
    SetupSwitch {
        qr: crate::setup_qr::SetupQr,
    },
    ChoosePin {
        message: Option<Code>,
    },
    TeacherPin {
        failed: bool,
        /// The end of the current wait and the whole seconds left of it (shown).
        wait: Option<(Instant, u64)>,
    },
    Scanning {
        hint: Option<Hint>,
    },
    SigningIn {
        request: RequestId,
        origin: Origin,
        deadline: Instant,
    },
    Greeting {
        session: Session,
        launch_url: Redacted,
        until: Instant,
    },
    SignedIn {
        session: Session,
        last_activity: Instant,
        seconds_left: Option<u64>,
    },
    SigningOut {
        then: Then,
        deadline: Instant,
    },
    Result {
        code: Code,
        retry_after: Option<u64>,
        until: Instant,
    },
    Typed {
        error: Option<Code>,
        until: Option<ClockTime>,
        last_activity: Instant,
    },
}

impl Kiosk {
    /// A kiosk that starts on the scan screen when `enrolled`, otherwise on setup (or on
    /// `choose_pin` when no teacher PIN is set).
    pub fn new(settings: Settings, language: Language, enrolled: bool, pin_set: bool) -> Self {
        Self::with_timing(settings, language, enrolled, pin_set, Timing::default())
    }

    pub fn with_timing(
        settings: Settings,
        language: Language,
        enrolled: bool,
        pin_set: bool,
        timing: Timing,
    ) -> Self {
        let mut kiosk = Self {
            state: State::Scanning { hint: None },
            settings,
            timing,
            language,
            enrolled,
            pin_set,
            refused: None,
            camera: None,
            last_request: 0,
            qr_enrolling: false,
        };
        kiosk.go_home();
        kiosk
    }

    pub fn settings(&self) -> Settings {
        self.settings
    }

    /// Whether the scanner should be fed at all (setup screens use the camera for themselves).
    pub fn wants_badges(&self) -> bool {
        !matches!(
            self.state,
            State::Setup { .. }
                | State::SetupSwitch { .. }
                | State::TeacherPin { .. }
                | State::ChoosePin { .. }
        )
    }

    /// Applies one event that happened at `now`.
    pub fn handle(&mut self, event: Event, now: Instant) -> Vec<Effect> {
        let mut fx = Vec::new();
        match event {
            Event::Scan(scan) => self.on_scan(scan, now, &mut fx),
            Event::Camera(CameraState::Ok) => self.camera = None,
            Event::Camera(CameraState::Trouble(reason)) => {
                self.camera = Some(reason);
                if let State::Scanning { hint } = &mut self.state {
                    *hint = None;
                }
            }
            Event::SignInAnswer { request, answer } => {
                self.on_answer(request, answer, now, &mut fx)
            }
            Event::SessionEnded => {
                if let State::SigningOut { then, .. } = &self.state {
                    let then = then.clone();
                    self.after_sign_out(then, now, &mut fx);
                }
            }
            Event::User(action) => self.on_user(action, now, &mut fx),
            Event::Tick => self.on_tick(now, &mut fx),
            Event::Setup(SetupEvent::QrRead(read)) => self.on_setup_qr(read, &mut fx),
            Event::Setup(setup) => self.on_setup(setup, now),
        }
        fx
    }

    fn on_scan(&mut self, scan: ScanEvent, now: Instant, fx: &mut Vec<Effect>) {
        if !matches!(scan, ScanEvent::Nothing(_)) || matches!(self.state, State::Scanning { .. }) {
            // Frames that decode prove the camera works, whatever it said before.
            self.camera = None;
        }
        match (&mut self.state, scan) {
            (State::Scanning { .. } | State::Result { .. }, ScanEvent::Badge(badge)) => {
                self.start_badge_sign_in(badge, now, fx);
            }
            (State::Scanning { .. }, ScanEvent::NotABadge) => {
                self.show_result(ProblemCode::NotABadge.into(), None, now);
            }
            (State::Scanning { .. }, ScanEvent::Several) => {
                self.show_result(Code::SeveralBadges, None, now);
            }
            (State::Scanning { hint }, ScanEvent::Nothing(new)) => *hint = new,
            (State::Greeting { session, .. }, ScanEvent::Badge(badge))
                if session.badge != Some(badge.id()) =>
            {
                let id = session.id.clone();
                self.begin_sign_out(id, Then::SignIn(badge), now, fx);
            }
            (State::SignedIn { session, .. }, ScanEvent::Badge(badge))
                if session.badge != Some(badge.id()) =>
            {
                // A different badge switches user: A is signed out (wiped) before B signs in.
                let id = session.id.clone();
                self.begin_sign_out(id, Then::SignIn(badge), now, fx);
            }
            (
                State::SignedIn {
                    last_activity,
                    seconds_left,
                    ..
                },
                ScanEvent::Badge(_),
            ) => {
                // The same child showing the badge again is still here.
                *last_activity = now;
                *seconds_left = None;
            }
            (State::SigningOut { then, .. }, ScanEvent::Badge(badge))
                if matches!(then, Then::Home) =>
            {
                *then = Then::SignIn(badge);
            }
            // Not a badge or two at once while someone is signed in, busy or typing: ignored.
            _ => {}
        }
    }

    fn start_badge_sign_in(&mut self, badge: Badge, now: Instant, fx: &mut Vec<Effect>) {
        let request = self.next_request();
        fx.push(Effect::SignInBadge {
            request,
            body: BadgeSignIn {
                badge: badge.encode(),
            },
        });
        self.state = State::SigningIn {
            request,
            origin: Origin::Badge(badge.id()),
            deadline: now + self.timing.signing_in,
        };
    }

    fn next_request(&mut self) -> RequestId {
        self.last_request += 1;
        RequestId(self.last_request)
    }

    fn on_answer(
        &mut self,
        request: RequestId,
        answer: PortalAnswer,
        now: Instant,
        fx: &mut Vec<Effect>,
    ) {
        let origin = match &self.state {
            State::SigningIn {
                request: pending,
                origin,
                ..
            } if *pending == request => *origin,
            _ => {
                // The kiosk moved on (cancelled, timed out, teacher chord). A session the
                // portal opened anyway must not linger.
                if let PortalAnswer::SignedIn(sign_in) = answer {
                    fx.push(Effect::EndSession {
                        session_id: Redacted::new(sign_in.session_id),
                    });
                }
                return;
            }
        };
        match answer {
            PortalAnswer::SignedIn(sign_in) => self.greet(sign_in, origin, now),
            PortalAnswer::Failed {
                code,
                retry_after,
                until,
            } => self.sign_in_failed(code.into(), (retry_after, until), origin, now),
            PortalAnswer::Unreachable => {
                self.sign_in_failed(Code::Offline, (None, None), origin, now)
            }
        }
    }

    fn greet(&mut self, sign_in: SignIn, origin: Origin, now: Instant) {
        let SignIn {
            session_id,
            launch_url,
            user,
            ..
        } = sign_in;
        let badge = match origin {
            Origin::Badge(id) => Some(id),
            Origin::Typed => None,
        };
        self.state = State::Greeting {
            session: Session {
                id: Redacted::new(session_id),
                user,
                badge,
            },
            launch_url: Redacted::new(launch_url),
            until: now + self.timing.greeting,
        };
    }

    /// `retry`: seconds until a retry can succeed, and the time of day it can.
    fn sign_in_failed(
        &mut self,
        code: Code,
        (retry_after, until): (Option<u64>, Option<ClockTime>),
        origin: Origin,
        now: Instant,
    ) {
        if matches!(
            code,
            Code::Problem(ProblemCode::KioskNotEnrolled | ProblemCode::KioskRevoked)
        ) {
            // The credential no longer works: only a teacher can fix this.
            self.enrolled = false;
            self.state = self.setup(Some(code));
            return;
        }
        match origin {
            Origin::Badge(_) => self.show_result(code, retry_after, now),
            Origin::Typed => {
                self.state = State::Typed {
                    error: Some(code),
                    until,
                    last_activity: now,
                }
            }
        }
    }

    fn show_result(&mut self, code: Code, retry_after: Option<u64>, now: Instant) {
        self.state = State::Result {
            code,
            retry_after,
            until: now + self.timing.result,
        };
    }

    fn begin_sign_out(
        &mut self,
        session_id: Redacted,
        then: Then,
        now: Instant,
        fx: &mut Vec<Effect>,
    ) {
        // Wipe first: it must happen even when the portal never answers (K7).
        fx.push(Effect::WipePortal);
        fx.push(Effect::EndSession { session_id });
        self.state = State::SigningOut {
            then,
            deadline: now + self.timing.signing_out,
        };
    }

    fn after_sign_out(&mut self, then: Then, now: Instant, fx: &mut Vec<Effect>) {
        match then {
            Then::Home => {
                fx.push(Effect::ResetScanner);
                self.go_home();
            }
            Then::SignIn(badge) => self.start_badge_sign_in(badge, now, fx),
            Then::TeacherPin => self.state = self.teacher_door(),
        }
    }

    fn go_home(&mut self) {
        self.state = if self.enrolled {
            State::Scanning { hint: None }
        } else {
            self.setup(self.refused)
        };
    }

    /// Setup showing `message`, or choosing a PIN first when there is none.
    fn setup(&self, message: Option<Code>) -> State {
        if self.pin_set {
            State::Setup { message }
        } else {
            State::ChoosePin { message }
        }
    }

    /// Where the teacher chord leads: the PIN pad, or choosing a PIN when there is none.
    fn teacher_door(&self) -> State {
        if self.pin_set {
            State::TeacherPin {
                failed: false,
                wait: None,
            }
        } else {
            State::ChoosePin { message: None }
        }
    }

    fn session(&self) -> Option<&Session> {
        match &self.state {
            State::Greeting { session, .. } | State::SignedIn { session, .. } => Some(session),
            _ => None,
        }
    }

    fn on_tick(&mut self, now: Instant, fx: &mut Vec<Effect>) {
        match &mut self.state {
            State::SigningIn {
                deadline, origin, ..
            } if now >= *deadline => {
                let origin = *origin;
                self.sign_in_failed(Code::Offline, (None, None), origin, now);
            }
            State::Greeting {
                session,
                launch_url,
                until,
            } if now >= *until => {
                fx.push(Effect::OpenPortal {
                    launch_url: launch_url.clone(),
                });
                self.state = State::SignedIn {
                    session: session.clone(),
                    last_activity: now,
                    seconds_left: None,
                };
            }
            State::SignedIn {
                session,
                last_activity,
                seconds_left,
            } => {
                let idle = now.saturating_duration_since(*last_activity);
                let timeout = Duration::from_secs(self.settings.idle_timeout_secs.into());
                let end = timeout + self.timing.countdown;
                if idle >= end {
                    let id = session.id.clone();
                    self.begin_sign_out(id, Then::Home, now, fx);
                } else if idle >= timeout {
                    // Rounded up: the countdown reads 30 at its start and 1 in its last second.
                    let left = end - idle;
                    *seconds_left = Some(left.as_secs() + u64::from(left.subsec_nanos() > 0));
                }
            }
            State::SigningOut { then, deadline } if now >= *deadline => {
                let then = then.clone();
                self.after_sign_out(then, now, fx);
            }
            State::Result { until, .. } if now >= *until => self.go_home(),
            State::Typed { last_activity, .. }
                if now.saturating_duration_since(*last_activity) >= self.timing.typed_idle =>
            {
                self.go_home();
            }
            State::TeacherPin { wait, .. } => {
                *wait = wait.and_then(|(until, _)| wait_left(until, now).map(|s| (until, s)));
            }
            _ => {}
        }
    }

    fn on_user(&mut self, action: UserAction, now: Instant, fx: &mut Vec<Effect>) {
        match action {
            UserAction::SignOut => {
                if let Some(session) = self.session() {
                    let id = session.id.clone();
                    self.begin_sign_out(id, Then::Home, now, fx);
                }
            }
            UserAction::StillHere => match &mut self.state {
                State::SignedIn {
                    last_activity,
                    seconds_left,
                    ..
                } => {
                    *last_activity = now;
                    *seconds_left = None;
                }
                State::Typed { last_activity, .. } => *last_activity = now,
                _ => {}
            },
            UserAction::ShowTyped => {
                if self.settings.allow_typed_login
                    && matches!(self.state, State::Scanning { .. } | State::Result { .. })
                {
                    self.state = State::Typed {
                        error: None,
                        until: None,
                        last_activity: now,
                    };
                }
            }
            UserAction::CancelTyped => {
                let typing = matches!(
                    self.state,
                    State::Typed { .. }
                        | State::SigningIn {
                            origin: Origin::Typed,
                            ..
                        }
                );
                if typing {
                    self.go_home();
                }
            }
            UserAction::SubmitTyped(body) => {
                if matches!(self.state, State::Typed { .. }) {
                    let request = self.next_request();
                    fx.push(Effect::SignInPassword { request, body });
                    self.state = State::SigningIn {
                        request,
                        origin: Origin::Typed,
                        deadline: now + self.timing.signing_in,
                    };
                }
            }
            UserAction::Dismiss => {
                if matches!(self.state, State::Result { .. }) {
                    self.go_home();
                }
            }
            UserAction::SetLanguage(language) => self.language = language,
            UserAction::OpenTeacher => match &mut self.state {
                State::Setup { .. }
                | State::SetupSwitch { .. }
                | State::TeacherPin { .. }
                | State::ChoosePin { .. } => {}
                State::Greeting { session, .. } | State::SignedIn { session, .. } => {
                    let id = session.id.clone();
                    self.begin_sign_out(id, Then::TeacherPin, now, fx);
                }
                State::SigningOut { then, .. } => *then = Then::TeacherPin,
                _ => self.state = self.teacher_door(),
            },
            UserAction::LeaveSetup => {
                if matches!(
                    self.state,
                    State::Setup { .. }
                        | State::SetupSwitch { .. }
                        | State::TeacherPin { .. }
                        | State::ChoosePin { .. }
                ) {
                    self.go_home();
                }
            }
            UserAction::ConfirmSetupSwitch => self.confirm_setup_switch(fx),
            UserAction::CancelSetupSwitch => self.cancel_setup_switch(),
        }
    }

    fn on_setup(&mut self, setup: SetupEvent, now: Instant) {
        match setup {
            SetupEvent::PinChecked(answer) => {
                if let State::TeacherPin { failed, wait } = &mut self.state {
                    let until = |d: Duration| {
                        let until = now + d;
                        wait_left(until, now).map(|s| (until, s))
                    };
                    match answer {
                        PinAnswer::Right => self.state = self.setup(None),
                        PinAnswer::Wrong { wait: next } => {
                            *failed = true;
                            *wait = next.and_then(until);
                        }
                        // Nothing was checked: the last answer stands, the wait is refreshed.
                        PinAnswer::Wait(d) => *wait = until(d),
                    }
                }
            }
            SetupEvent::PinChosen => {
                self.pin_set = true;
                if matches!(self.state, State::ChoosePin { .. }) {
                    self.state = State::Setup {
                        message: Some(Code::Saved),
                    };
                }
            }
            SetupEvent::Enrolled => {
                self.qr_enrolling = false;
                self.enrolled = true;
                self.refused = None;
                if let State::Setup { message } = &mut self.state {
                    *message = Some(Code::Enrolled);
                }
            }
            SetupEvent::Unenrolled => {
                self.enrolled = false;
                if matches!(
                    self.state,
                    State::Scanning { .. } | State::Result { .. } | State::Typed { .. }
                ) {
                    self.state = self.setup(None);
                }
            }
            SetupEvent::CredentialRefused(code) => {
                self.enrolled = false;
                self.refused = Some(code);
                // A child signed in finishes first; the next one finds the teacher's message.
                if matches!(
                    self.state,
                    State::Scanning { .. } | State::Result { .. } | State::Typed { .. }
                ) {
                    self.state = self.setup(Some(code));
                }
            }
            SetupEvent::Message(code) => {
                self.qr_enrolling = false;
                if let State::Setup { message } | State::ChoosePin { message } = &mut self.state {
                    *message = Some(code);
                }
            }
            // Taken by `on_setup_qr` in `handle`, which may ask for an effect.
            SetupEvent::QrRead(_) => {}
            SetupEvent::Settings(settings) => {
                self.settings = settings;
                if !settings.allow_typed_login && matches!(self.state, State::Typed { .. }) {
                    self.go_home();
                }
                if let State::SignedIn { last_activity, .. } = &mut self.state {
                    // New rules start counting from now rather than cutting a child off.
                    *last_activity = now;
                }
            }
        }
    }

    /// What the window shows now.
    pub fn view(&self) -> View {
        let typed_allowed = self.settings.allow_typed_login;
        let screen = match &self.state {
            State::Setup { message } => Screen::Setup {
                enrolled: self.enrolled,
                message: *message,
            },
            State::ChoosePin { message } => Screen::ChoosePin { message: *message },
            State::SetupSwitch { qr } => Screen::SetupSwitch {
                origin: qr.origin().to_owned(),
            },
            State::TeacherPin { failed, wait } => Screen::TeacherPin {
                failed: *failed,
                wait_secs: wait.map(|(_, secs)| secs),
            },
            State::Scanning { hint } => match self.camera {
                Some(reason) => Screen::CameraTrouble {
                    reason,
                    typed_allowed,
                },
                None => Screen::Scanning {
                    hint: *hint,
                    typed_allowed,
                },
            },
            State::SigningIn {
                origin: Origin::Typed,
                ..
            } => Screen::Typed {
                error: None,
                busy: true,
                until: None,
            },
            State::SigningIn { .. } => Screen::SigningIn,
            State::Greeting { session, .. } => Screen::Greeting {
                user: user_view(&session.user),
            },
            State::SignedIn {
                session,
                seconds_left,
                ..
            } => Screen::SignedIn {
                user: user_view(&session.user),
                idle: seconds_left.map(|seconds_left| Idle { seconds_left }),
            },
            State::SigningOut { .. } => Screen::SigningOut,
            State::Result {
                code, retry_after, ..
            } => Screen::Result {
                code: *code,
                retry_after: *retry_after,
            },
            State::Typed { error, until, .. } => Screen::Typed {
                error: *error,
                busy: false,
                until: *until,
            },
        };
        // A signed-in child is greeted in their own language when the kiosk speaks it.
        let language = self
            .session()
            .and_then(|s| Language::from_tag(&s.user.locale))
            .unwrap_or(self.language);
        View { language, screen }
    }
}

/// Whole seconds from `now` to `until`, rounded up (a wait reads 30 at its start and 1 in its
/// last second); `None` once it is over.
fn wait_left(until: Instant, now: Instant) -> Option<u64> {
    let left = until.saturating_duration_since(now);
    let secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
    (secs > 0).then_some(secs)
}

fn user_view(user: &SignedInUser) -> UserView {
    UserView {
        first_name: user.first_name.clone(),
        avatar_url: user.avatar_url.clone(),
    }
}
