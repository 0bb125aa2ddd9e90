//! A fleet kiosk: IT's managed configuration names the portal and an enrollment token, and the
//! kiosk enrolls by itself at start, waiting for a portal that is not up yet, and then scans.
//! IT's token is a fleet token (many kiosks, one secret) or a plain enrollment code: the portal
//! takes both in `code`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use badgein_kiosk_core::enroll::Enrollment;
use badgein_kiosk_core::machine::{Code, Language, Screen, Settings};
use badgein_kiosk_core::managed::{self, Locked};
use badgein_kiosk_core::portal_client::PortalClient;
use badgein_kiosk_core::unattended::{self, Backoff, Source};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::support::{Env, RunningKiosk, settings, stored_credential};

const FAST: Backoff = Backoff {
    first: Duration::from_millis(50),
    max: Duration::from_millis(200),
};

/// IT's file, as `/etc/badgein/kiosk.toml` would hold it.
fn managed_file(env: &Env, portal_url: &str, token: &str) -> std::path::PathBuf {
    let path = env.dir.path().join("managed-kiosk.toml");
    std::fs::write(
        &path,
        format!(
            "# deployed by IT\nportal_url = \"{portal_url}\"\nenrollment_token = \"{token}\"\n\
             kiosk_name = \"Lab 3 kiosk 07\"\nidle_timeout_secs = 600\nlanguage = \"es\"\n\
             sounds = false\ncolour = \"blue\"\n"
        ),
    )
    .unwrap();
    path
}

/// What the shell's `record` keeps: the enrollment.
type Kept = Arc<Mutex<Option<Enrollment>>>;

/// A `record` for `unattended::run` that keeps the enrollment, answering the settings to follow.
fn recorder() -> (Kept, impl FnOnce(&Enrollment) -> (Settings, Language)) {
    let kept = Kept::default();
    let into = Arc::clone(&kept);
    (kept, move |e: &Enrollment| {
        *into.lock().unwrap() = Some(e.clone());
        (settings(), Language::Es)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_managed_token_enrolls_unattended_and_the_kiosk_goes_scanning() {
    let env = Env::start().await;
    let code = env.portal.enrollment_code("s1").await.unwrap();
    let path = managed_file(&env, &env.base_url, &code);
    let (managed, problems) = managed::load_file(&path).unwrap();
    assert_eq!(problems.len(), 1, "the unknown key, reported: {problems:?}");
    assert_eq!(
        managed.locked(),
        [
            Locked::PortalUrl,
            Locked::KioskName,
            Locked::IdleTimeoutSecs,
            Locked::Language,
            Locked::Sounds
        ]
    );
    // The environment's code is for demos; IT's token wins.
    let plan = unattended::plan(
        &managed,
        |name| (name == unattended::CODE_VAR).then(|| "ZZZZZ-ZZZZZ".to_owned()),
        || Some("lab-pc".into()),
    )
    .unwrap();
    assert_eq!(plan.source, Source::Managed);
    assert_eq!(plan.kiosk_name, "Lab 3 kiosk 07");

    let kiosk = RunningKiosk::start(&env, None, settings());
    kiosk
        .wait_screen("setup", |s| {
            matches!(
                s,
                Screen::Setup {
                    enrolled: false,
                    ..
                }
            )
        })
        .await;
    let (kept, record) = recorder();
    unattended::run(env.store.clone(), &kiosk.handle, &plan, FAST, record)
        .await
        .unwrap();
    let scanning = kiosk
        .wait_screen("scanning", |s| matches!(s, Screen::Scanning { .. }))
        .await;
    assert_eq!(scanning.language, Language::Es, "the language record gave");

    let enrollment = kept.lock().unwrap().clone().expect("recorded");
    assert_eq!(enrollment.school.id, "s1");
    let credential = stored_credential(env.store.as_ref()).expect("in the secret store");
    assert_eq!(credential.origin(), env.base_url);
    let client = PortalClient::new(&env.base_url, Some(credential)).unwrap();
    assert!(!client.me().await.unwrap().revoked, "the portal knows it");
    // The code was a single-use one: spent.
    let again = unattended::run(env.store.clone(), &kiosk.handle, &plan, FAST, |_| {
        unreachable!("a spent code enrolls nothing")
    })
    .await
    .unwrap_err();
    assert_eq!(
        again.code(),
        badgein_proto::ProblemCode::EnrollmentCodeInvalid.into()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fleet_token_from_the_managed_file_enrolls_and_counts_one_use() {
    let env = Env::start().await;
    let issued = env.portal.fleet_token("s1", 300, 7).await.unwrap();
    let path = managed_file(&env, &env.base_url, &issued.token);
    let (managed, _) = managed::load_file(&path).unwrap();
    let plan = unattended::plan(&managed, |_| None, || Some("lab-pc".into())).unwrap();
    assert_eq!(plan.source, Source::Managed);

    let kiosk = RunningKiosk::start(&env, None, settings());
    kiosk
        .wait_screen("setup", |s| {
            matches!(
                s,
                Screen::Setup {
                    enrolled: false,
                    ..
                }
            )
        })
        .await;
    let (kept, record) = recorder();
    unattended::run(env.store.clone(), &kiosk.handle, &plan, FAST, record)
        .await
        .unwrap();
    kiosk
        .wait_screen("scanning", |s| matches!(s, Screen::Scanning { .. }))
        .await;
    assert_eq!(
        kept.lock().unwrap().clone().expect("recorded").school.id,
        "s1"
    );
    let credential = stored_credential(env.store.as_ref()).expect("in the secret store");
    assert_ne!(
        credential.secret().expose(),
        issued.token,
        "a credential of its own"
    );
    let tokens = env.portal.fleet_tokens("s1").await.unwrap();
    assert_eq!((tokens.len(), tokens[0].uses, tokens[0].used), (1, 300, 1));
}

/// A TCP gate on 127.0.0.1 in front of the portal: while shut it hangs up on every connection
/// (the portal cannot be reached); once opened it passes them through.
struct Gate {
    base_url: String,
    open: watch::Sender<bool>,
    refused: watch::Receiver<u32>,
}

impl Gate {
    async fn start(target: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let target = target.trim_start_matches("http://").to_owned();
        let (open, is_open) = watch::channel(false);
        let (count, refused) = watch::channel(0u32);
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !*is_open.borrow() {
                    drop(inbound);
                    count.send_modify(|n| *n += 1);
                    continue;
                }
                let target = target.clone();
                tokio::spawn(async move {
                    let mut upstream = TcpStream::connect(&target).await.unwrap();
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut upstream).await;
                });
            }
        });
        Self {
            base_url,
            open,
            refused,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_portal_not_up_yet_is_waited_for_with_backoff() {
    let env = Env::start().await;
    let gate = Gate::start(&env.base_url).await;
    let code = env.portal.enrollment_code("s1").await.unwrap();
    let (managed, _) = managed::load_file(&managed_file(&env, &gate.base_url, &code)).unwrap();
    let plan = unattended::plan(&managed, |_| None, || None).unwrap();

    let kiosk = RunningKiosk::start(&env, None, settings());
    let (kept, record) = recorder();
    let store = env.store.clone();
    let handle = kiosk.handle.clone();
    let enrolling =
        tokio::spawn(async move { unattended::run(store, &handle, &plan, FAST, record).await });
    // The setup screen says the portal cannot be reached, and it is tried again.
    kiosk
        .wait_screen("offline", |s| {
            matches!(
                s,
                Screen::Setup {
                    message: Some(Code::Offline),
                    ..
                }
            )
        })
        .await;
    let mut refused = gate.refused.clone();
    tokio::time::timeout(crate::support::PATIENCE, refused.wait_for(|n| *n >= 3))
        .await
        .expect("tried again")
        .unwrap();
    assert!(kept.lock().unwrap().is_none());
    assert!(stored_credential(env.store.as_ref()).is_none());

    gate.open.send_replace(true);
    kiosk
        .wait_screen("scanning", |s| matches!(s, Screen::Scanning { .. }))
        .await;
    enrolling.await.unwrap().unwrap();
    assert!(kept.lock().unwrap().is_some());
    let credential = stored_credential(env.store.as_ref()).expect("stored");
    assert_eq!(
        credential.origin(),
        gate.base_url,
        "bound to the managed portal"
    );
}

/// The log, as a subscriber on the test's thread sees it (the runtime is current-thread, so
/// every task logs there).
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Log {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_token_never_reaches_the_log() {
    let log = Log::default();
    let writer = log.clone();
    // The kiosk's side: its own log and its HTTP client's.
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("badgein_kiosk_core=trace,reqwest=trace,hyper_util=trace")
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let env = Env::start().await;
    let code = env.portal.enrollment_code("s1").await.unwrap();
    // First a portal that hangs up, then a wrong token, then the right one.
    let gate = Gate::start(&env.base_url).await;
    let kiosk = RunningKiosk::start(&env, None, settings());
    for (portal, token) in [
        (gate.base_url.as_str(), "BFT-AAAAAAAAAAAAAAAAAAAAAAAAAA"),
        (env.base_url.as_str(), "BFT-AAAAAAAAAAAAAAAAAAAAAAAAAA"),
        (env.base_url.as_str(), code.as_str()),
    ] {
        let (managed, problems) = managed::load_file(&managed_file(&env, portal, token)).unwrap();
        assert_eq!(problems.len(), 1);
        let plan = unattended::plan(&managed, |_| None, || None).unwrap();
        let (_, record) = recorder();
        let run = unattended::run(env.store.clone(), &kiosk.handle, &plan, FAST, record);
        if portal == gate.base_url {
            let mut refused = gate.refused.clone();
            tokio::select! {
                _ = run => panic!("the gate is shut"),
                seen = refused.wait_for(|n| *n >= 2) => { seen.unwrap(); }
            }
        } else {
            let _ = run.await;
        }
    }
    kiosk
        .wait_screen("scanning", |s| matches!(s, Screen::Scanning { .. }))
        .await;
    let text = String::from_utf8_lossy(&log.0.lock().unwrap()).into_owned();
    assert!(text.contains("enrolling unattended"), "{text}");
    assert!(text.contains("trying again"), "{text}");
    assert!(text.contains("refused"), "{text}");
    assert!(text.contains("kiosk enrolled"), "{text}");
    for secret in ["AAAAAAAAAA", code.as_str(), &code.replace('-', "")] {
        assert!(!text.contains(secret), "{secret} logged:\n{text}");
    }
}
