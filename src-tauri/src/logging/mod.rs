//! The kiosk's log: tracing events to a file per day in the OS's log directory
//! (`platform::log_dir`, or `BADGEIN_LOG_DIR`), the last [`KEEP_FILES`] kept, each file
//! starting with the version and the kiosk id (`header`); and to stderr too in debug builds and
//! when `BADGEIN_LOG_STDERR` is set (development, the e2e tests' app.log, a service manager's
//! journal). What is logged never holds a secret or a child's name: ids, origins and error
//! kinds only (ARCHITECTURE.md, Security).

mod header;

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer as _;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

use self::header::{Headed, Header, utc_day};

/// Two weeks of daily files.
pub const KEEP_FILES: usize = 14;
/// Files are `kiosk.YYYY-MM-DD.log`.
const FILE_PREFIX: &str = "kiosk";
const FILE_SUFFIX: &str = "log";

/// The header of the running process's log, once [`init`] has run.
static HEADER: OnceLock<Arc<Header>> = OnceLock::new();

/// Where the log files go: `BADGEIN_LOG_DIR` (tests, or IT's choice), else the OS's place.
pub fn dir() -> Option<PathBuf> {
    match std::env::var_os("BADGEIN_LOG_DIR") {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => crate::platform::log_dir(),
    }
}

/// Starts logging for this process. A log directory that cannot be made is said on stderr and
/// the kiosk runs anyway: a missing log is no reason to leave a classroom without sign-in.
pub fn init() {
    let header = HEADER
        .get_or_init(|| Arc::new(Header::new(env!("CARGO_PKG_VERSION"))))
        .clone();
    header.set_kiosk_id(configured_kiosk_id().as_deref());
    let filter = || {
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,badgein=debug"))
    };
    let (file, trouble) = match dir().map(|dir| open(&dir)) {
        Some(Ok(appender)) => (Some(Headed::new(appender, header, utc_day)), None),
        Some(Err(error)) => (None, Some(error.to_string())),
        None => (None, Some("the OS names no log directory".to_owned())),
    };
    let to_stderr = cfg!(debug_assertions)
        || std::env::var_os("BADGEIN_LOG_STDERR").is_some()
        || file.is_none();
    let file_layer = file.map(|file| {
        tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(file)
            .with_filter(filter())
    });
    let stderr_layer = to_stderr.then(|| {
        tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_filter(filter())
    });
    tracing_subscriber::registry()
        .with(file_layer)
        .with(stderr_layer)
        .init();
    if let Some(trouble) = trouble {
        tracing::warn!(%trouble, "no log file: logging to stderr only");
    }
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        "BadgeIn kiosk starting"
    );
}

/// The kiosk id in the config, read before anything is logged so that the first header of a
/// run names the kiosk. The directory is the one Tauri's `config_dir` gives `Kiosk::start`
/// (`dirs::config_dir`); a config that cannot be read is reported there, not here.
fn configured_kiosk_id() -> Option<String> {
    let path = badgein_kiosk_core::config::path_in(&dirs::config_dir()?);
    badgein_kiosk_core::config::load(&path).ok()??.kiosk_id
}

fn open(
    dir: &std::path::Path,
) -> Result<RollingFileAppender, tracing_appender::rolling::InitError> {
    RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(FILE_PREFIX)
        .filename_suffix(FILE_SUFFIX)
        .max_log_files(KEEP_FILES)
        .build(dir)
}

/// The kiosk's id as the config or an enrollment tells it (`None` once it left its portal):
/// said once in the current file and at the top of every later one.
pub fn kiosk_identified(kiosk_id: Option<&str>) {
    let Some(header) = HEADER.get() else {
        return;
    };
    if header.set_kiosk_id(kiosk_id) {
        tracing::info!(
            version = env!("CARGO_PKG_VERSION"),
            kiosk_id = kiosk_id.unwrap_or("none"),
            "kiosk identified"
        );
    }
}
