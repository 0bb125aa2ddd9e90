//! No OpenGL in the app's own process on a computer without a GPU (Linux).
//!
//! Every GTK and WebKitGTK program opens OpenGL displays as it starts, GTK's through GLX and
//! WebKit's UI process its own EGL display, whether or not anything is drawn with them. Without
//! a GPU that is Mesa's software renderer, which links LLVM: 52 MB of the app's RSS, 8-9 MB of
//! it private (LLVM's relocated tables), for nothing: the app draws no OpenGL, and its web
//! processes paint and composite in their own processes, with their own EGL display (WebKit
//! stops a web process that has none). Without a display of its own, WebKit's UI process shows
//! what they painted all the same (a WebGL canvas and a 3D-transformed box, checked under X11
//! and Wayland); a bare WebKitGTK window's RSS 152 -> 96 MB, the kiosk's 181 -> 125 MB
//! (docs/kiosk-performance.md).
//!
//! So, on a computer with no GPU render node the app can open, and before it starts a thread:
//! - EGL: libglvnd reads which vendor libraries to load from `__EGL_VENDOR_LIBRARY_FILENAMES`
//!   once, the first time the process uses EGL, and keeps that list. The app sets it empty,
//!   asks libEGL for its client extensions (which loads the empty list), and removes it again,
//!   so that the web processes, which start with the app's environment, find Mesa.
//! - GLX: `GDK_GL=disable`, GTK's own switch; web processes do not draw through GTK.
//!
//! With a GPU nothing changes: WebKit's UI process may then show what the web processes drew on
//! it without a copy, and that was not measured here. An administrator's own EGL vendor
//! settings are left alone, and so is an administrator's `GDK_GL`.

use std::ffi::{CStr, c_char, c_void};
use std::path::Path;

use super::before_threads;

const EGL_VENDOR_FILES: &str = "__EGL_VENDOR_LIBRARY_FILENAMES";
const EGL_VENDOR_DIRS: &str = "__EGL_VENDOR_LIBRARY_DIRS";
const GDK_GL: &str = "GDK_GL";
/// `eglQueryString`'s name for the extension list.
const EGL_EXTENSIONS: i32 = 0x3055;

/// What came of [`prepare`], logged once logging has started.
#[derive(Debug)]
pub enum Outcome {
    /// Neither EGL nor GTK's GL will load a driver in the app.
    WithoutGl,
    /// A GPU render node: WebKit's defaults.
    Gpu,
    /// The administrator chose EGL's vendors.
    Left,
    /// More threads were running than the libraries start before `main`.
    NotAlone,
    /// libEGL could not be loaded or asked; WebKit will meet the same.
    NoEgl(libloading::Error),
    /// An EGL that is not libglvnd's, or one already started: its drivers are loaded anyway.
    EglLoaded,
}

impl Outcome {
    pub fn log(&self) {
        match self {
            Self::WithoutGl => tracing::debug!("no GPU: the app's own process loads no GL driver"),
            Self::Gpu => tracing::debug!("a GPU render node: GL as WebKit chooses"),
            Self::Left => {
                tracing::info!("EGL vendor settings made before the kiosk; left as they are")
            }
            Self::NotAlone => {
                tracing::warn!("GL left loaded in the app: another thread had started")
            }
            Self::NoEgl(error) => tracing::warn!(%error, "libEGL could not be asked"),
            Self::EglLoaded => tracing::info!("this EGL loads its drivers anyway; GL left loaded"),
        }
    }
}

/// Keeps GL drivers out of the app when the computer has no GPU. Call first, before the app
/// starts any thread; it checks.
#[allow(unsafe_code)]
pub fn prepare() -> Outcome {
    if has_render_node(Path::new("/dev/dri")) {
        return Outcome::Gpu;
    }
    if [EGL_VENDOR_FILES, EGL_VENDOR_DIRS]
        .iter()
        .any(|name| std::env::var_os(name).is_some())
    {
        return Outcome::Left;
    }
    if !before_threads::alone() {
        return Outcome::NotAlone;
    }
    // SAFETY: no thread of the app's runs yet, and the one other thread there may be (just
    // checked) never reads the environment (`before_threads`).
    unsafe { std::env::set_var(EGL_VENDOR_FILES, "") };
    let extensions = egl_client_extensions();
    // SAFETY: as above; the web processes will start with the environment as it was.
    unsafe { std::env::remove_var(EGL_VENDOR_FILES) };
    match extensions {
        Err(error) => Outcome::NoEgl(error),
        // libglvnd lists its vendors' client extensions: none, no vendor loaded.
        Ok(extensions) if !extensions.is_empty() => Outcome::EglLoaded,
        Ok(_) => {
            if std::env::var_os(GDK_GL).is_none() {
                // SAFETY: as above.
                unsafe { std::env::set_var(GDK_GL, "disable") };
            }
            Outcome::WithoutGl
        }
    }
}

/// Whether `dri` holds a render node (`renderD128`...) this user can open, as Mesa would to use
/// the GPU. A node the user may not open is no GPU for the kiosk: Mesa renders in software then.
fn has_render_node(dri: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dri) else {
        return false;
    };
    entries.flatten().any(|entry| {
        entry.file_name().to_string_lossy().starts_with("renderD")
            && std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(entry.path())
                .is_ok()
    })
}

/// libEGL's client extensions (`eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS)`): in libglvnd
/// the first call loads the vendor libraries, and the answer is the union of theirs.
#[allow(unsafe_code)]
fn egl_client_extensions() -> Result<String, libloading::Error> {
    type QueryString = unsafe extern "C" fn(*mut c_void, i32) -> *const c_char;
    // SAFETY: libEGL.so.1 is already mapped (libwebkit2gtk links it), so loading it runs no
    // initializer; `eglQueryString` has this signature in every EGL (EGLDisplay is a pointer,
    // EGLint a 32-bit int), and with EGL_NO_DISPLAY it reads nothing of ours. Its answer is a
    // NUL-terminated string that EGL owns and keeps, or null on an error.
    unsafe {
        let egl = libloading::Library::new("libEGL.so.1")?;
        let query: libloading::Symbol<QueryString> = egl.get(b"eglQueryString\0")?;
        let answer = query(std::ptr::null_mut(), EGL_EXTENSIONS);
        Ok(if answer.is_null() {
            String::new()
        } else {
            CStr::from_ptr(answer).to_string_lossy().into_owned()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::has_render_node;

    #[test]
    fn a_gpu_is_a_render_node_that_opens() {
        let dri = tempfile::tempdir().unwrap();
        assert!(!has_render_node(&dri.path().join("missing")));
        // A display controller alone (a card without rendering, or a virtual one) is no GPU.
        std::fs::write(dri.path().join("card0"), b"").unwrap();
        assert!(!has_render_node(dri.path()));
        std::fs::write(dri.path().join("renderD128"), b"").unwrap();
        assert!(has_render_node(dri.path()));
    }
}
