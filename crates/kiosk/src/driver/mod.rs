//! The async runner that wires the state machine to the world: the camera thread
//! ([`camera::spawn`]), the portal client, a ticker, and the shell's webview through
//! [`WebviewPort`]. The Tauri shell implements `WebviewPort`, forwards the window's commands
//! as [`Event`]s through a [`KioskHandle`], and emits every new [`View`]. The runner also
//! keeps the [`UpdateGate`] up to date with every event, so the shell can wait for a quiet
//! moment to install an update ([`KioskHandle::hold_when_quiet`]).

pub mod camera;
pub mod settings_poll;
pub mod update_poll;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

use crate::machine::{Effect, Event, Kiosk, PortalAnswer, Screen, UserAction, View};
use crate::portal_client::{PortalClient, answer_of};
use crate::qr_enroll::{QrEnrollment, QrEnrollments};
use crate::redacted::Redacted;
use crate::update_gate::{self, UpdateGate, Verdict};

/// The portal webview, which only the shell can drive.
pub trait WebviewPort: Send + Sync + 'static {
    /// Opens `launch_url` in a new private webview that can reach only allowed origins.
    fn open_portal(&self, launch_url: &Redacted) -> impl Future<Output = ()> + Send;
    /// Destroys the portal webview and clears all of its browsing data. The next child's
    /// portal must see nothing of this one's, so this returns only when that is done.
    fn wipe_portal(&self) -> impl Future<Output = ()> + Send;
}

/// How often time passes for the machine: the countdown shows whole seconds.
pub const TICK: Duration = Duration::from_millis(250);

#[derive(Debug)]
enum Command {
    Event(Event),
    UseClient(Option<PortalClient>),
    HoldWhenQuiet {
        quiet: Duration,
        granted: oneshot::Sender<Hold>,
    },
    Release,
}

/// The kiosk held still for an update: while it lives, badges and presses are ignored, so no
/// sign-in starts that a restart would cut. Dropping it (the install failed) lets the kiosk go
/// on as before.
#[derive(Debug)]
pub struct Hold {
    commands: mpsc::UnboundedSender<Command>,
}

impl Drop for Hold {
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Release);
    }
}

/// The shell's (and the camera thread's) way in. Cheap to clone.
#[derive(Debug, Clone)]
pub struct KioskHandle {
    commands: mpsc::UnboundedSender<Command>,
    view: watch::Receiver<View>,
    /// The client the runner uses now (for the settings poll).
    client: watch::Receiver<Option<PortalClient>>,
    reset_scanner: Arc<AtomicBool>,
}

impl KioskHandle {
    /// Sends an event; `false` once the kiosk has stopped.
    pub fn send(&self, event: Event) -> bool {
        self.commands.send(Command::Event(event)).is_ok()
    }

    pub fn user(&self, action: UserAction) -> bool {
        self.send(Event::User(action))
    }

    /// Talk to the portal with this client from now on (after enrolling or a new address);
    /// `None` when the kiosk is no longer enrolled.
    pub fn use_client(&self, client: Option<PortalClient>) -> bool {
        self.commands.send(Command::UseClient(client)).is_ok()
    }

    /// Waits for a quiet moment: the scan screen with no code in view and nothing done for
    /// `quiet` ([`update_gate`]; [`update_gate::QUIET`] in the app), then holds the kiosk still
    /// until the [`Hold`] is dropped. `None` when the kiosk stops first.
    pub async fn hold_when_quiet(&self, quiet: Duration) -> Option<Hold> {
        let (granted, hold) = oneshot::channel();
        self.commands
            .send(Command::HoldWhenQuiet { quiet, granted })
            .ok()?;
        hold.await.ok()
    }

    /// The current view.
    pub fn view(&self) -> View {
        self.view.borrow().clone()
    }

    /// A receiver that wakes on every new view (for the shell's `view` event).
    pub fn views(&self) -> watch::Receiver<View> {
        self.view.clone()
    }

    pub fn is_stopped(&self) -> bool {
        self.commands.is_closed()
    }

    /// The portal client in use, if enrolled.
    pub(crate) fn client(&self) -> Option<PortalClient> {
        self.client.borrow().clone()
    }

    /// Whether the camera loop reads setup QRs instead of badges: only while the setup screen
    /// (behind the teacher PIN) shows.
    pub(crate) fn looking_for_setup_qr(&self) -> bool {
        matches!(self.view.borrow().screen, Screen::Setup { .. })
    }

    /// Takes the scanner's "forget the current badge" request, if one is pending.
    pub(crate) fn take_scanner_reset(&self) -> bool {
        self.reset_scanner.swap(false, Ordering::AcqRel)
    }
}

/// The running kiosk: drop it or call [`Driver::stop`] to stop.
#[derive(Debug)]
pub struct Driver {
    handle: KioskHandle,
    task: JoinHandle<()>,
    qr_enrollments: Option<QrEnrollments>,
}

impl Driver {
    /// Starts the kiosk on the current tokio runtime. `client` is `None` until enrolled.
    pub fn spawn<W: WebviewPort>(
        kiosk: Kiosk,
        client: Option<PortalClient>,
        webview: W,
        tick: Duration,
    ) -> Self {
        let (commands, inbox) = mpsc::unbounded_channel();
        let (view_tx, view) = watch::channel(kiosk.view());
        let (client_tx, client_rx) = watch::channel(client.clone());
        let (qr_tx, qr_rx) = mpsc::unbounded_channel();
        let handle = KioskHandle {
            commands,
            view,
            client: client_rx,
            reset_scanner: Arc::new(AtomicBool::new(false)),
        };
        let runner = Runner {
            gate: UpdateGate::new(update_gate::QUIET, Instant::now()),
            hold_wanted: None,
            held: false,
            kiosk,
            client,
            client_tx,
            webview,
            view: view_tx,
            handle: handle.clone(),
            qr_enrollments: qr_tx,
        };
        let task = tokio::spawn(runner.run(inbox, tick));
        Self {
            handle,
            task,
            qr_enrollments: Some(qr_rx),
        }
    }

    /// The enrollments from setup QRs the machine asks for (`Effect::EnrollWithQr`), for the
    /// shell to carry out with [`crate::qr_enroll::enroll`]; `None` after the first call.
    pub fn take_qr_enrollments(&mut self) -> Option<QrEnrollments> {
        self.qr_enrollments.take()
    }

    pub fn handle(&self) -> KioskHandle {
        self.handle.clone()
    }

    /// Stops the loop (the camera thread follows at its next frame).
    pub async fn stop(mut self) {
        self.task.abort();
        let _ = (&mut self.task).await;
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct Runner<W> {
    kiosk: Kiosk,
    gate: UpdateGate,
    /// Someone waits for a quiet moment to hold the kiosk in.
    hold_wanted: Option<oneshot::Sender<Hold>>,
    /// A [`Hold`] is out: badges and presses are dropped.
    held: bool,
    client: Option<PortalClient>,
    client_tx: watch::Sender<Option<PortalClient>>,
    webview: W,
    view: watch::Sender<View>,
    handle: KioskHandle,
    qr_enrollments: mpsc::UnboundedSender<QrEnrollment>,
}

impl<W: WebviewPort> Runner<W> {
    async fn run(mut self, mut inbox: mpsc::UnboundedReceiver<Command>, tick: Duration) {
        let mut ticker = tokio::time::interval(tick);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            let event = tokio::select! {
                command = inbox.recv() => match command {
                    Some(Command::Event(e)) => e,
                    Some(Command::UseClient(c)) => {
                        self.client_tx.send_replace(c.clone());
                        self.client = c;
                        continue;
                    }
                    Some(Command::HoldWhenQuiet { quiet, granted }) => {
                        self.gate.set_quiet(quiet);
                        self.hold_wanted = Some(granted);
                        self.grant_hold(Instant::now());
                        continue;
                    }
                    Some(Command::Release) => {
                        self.held = false;
                        continue;
                    }
                    None => return,
                },
                _ = ticker.tick() => Event::Tick,
            };
            self.apply(event).await;
        }
    }

    async fn apply(&mut self, event: Event) {
        if self.held && matches!(event, Event::Scan(_) | Event::User(_)) {
            // Dropped, not deferred: a child shows the badge again after the restart, and
            // nothing stale starts if the install fails and the hold ends.
            return;
        }
        let now = Instant::now();
        let effects = self.kiosk.handle(event.clone(), now);
        for effect in effects {
            self.execute(effect).await;
        }
        let view = self.kiosk.view();
        self.gate.observe(&event, &view.screen, now);
        self.grant_hold(now);
        self.view.send_if_modified(|current| {
            let changed = *current != view;
            if changed {
                *current = view;
            }
            changed
        });
    }

    /// Hands out the hold someone waits for, if the gate says the moment is quiet.
    fn grant_hold(&mut self, now: Instant) {
        if self.hold_wanted.is_none()
            || self.gate.verdict(&self.kiosk.view().screen, now) != Verdict::ApplyNow
        {
            return;
        }
        if let Some(granted) = self.hold_wanted.take() {
            self.held = true;
            // Refused when the waiter went away: the hold drops and releases itself.
            let _ = granted.send(Hold {
                commands: self.handle.commands.clone(),
            });
        }
    }

    async fn execute(&mut self, effect: Effect) {
        let events = self.handle.clone();
        match effect {
            Effect::SignInBadge { request, body } => {
                let client = self.client.clone();
                tokio::spawn(async move {
                    let answer = match client {
                        Some(c) => answer_of(c.sign_in_badge(&body).await),
                        None => not_enrolled(),
                    };
                    events.send(Event::SignInAnswer { request, answer });
                });
            }
            Effect::SignInPassword { request, body } => {
                let client = self.client.clone();
                tokio::spawn(async move {
                    let answer = match client {
                        Some(c) => answer_of(c.sign_in_password(&body).await),
                        None => not_enrolled(),
                    };
                    events.send(Event::SignInAnswer { request, answer });
                });
            }
            Effect::EndSession { session_id } => {
                let client = self.client.clone();
                tokio::spawn(async move {
                    if let Some(c) = client
                        && let Err(e) = c.end_session(&session_id).await
                    {
                        // The webview was wiped already; the portal's own timeout ends it.
                        tracing::warn!(error = %e, "could not end the session on the portal");
                    }
                    events.send(Event::SessionEnded);
                });
            }
            Effect::OpenPortal { launch_url } => self.webview.open_portal(&launch_url).await,
            Effect::WipePortal => self.webview.wipe_portal().await,
            Effect::ResetScanner => self.handle.reset_scanner.store(true, Ordering::Release),
            Effect::EnrollWithQr { qr, switching } => {
                if self
                    .qr_enrollments
                    .send(QrEnrollment { qr, switching })
                    .is_err()
                {
                    // Nobody carries enrollments out: say so rather than wait for ever.
                    events.send(Event::Setup(crate::machine::SetupEvent::Message(
                        crate::machine::Code::Problem(badgein_proto::ProblemCode::Unknown),
                    )));
                }
            }
        }
    }
}

fn not_enrolled() -> PortalAnswer {
    PortalAnswer::Failed {
        code: badgein_proto::ProblemCode::KioskNotEnrolled,
        retry_after: None,
        until: None,
    }
}
