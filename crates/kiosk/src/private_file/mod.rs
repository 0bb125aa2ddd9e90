//! Files only the kiosk's own user may read: the config (it holds the PIN hash, which can be
//! guessed offline) and the state file (the PIN attempt count). On Unix the files are 0600
//! and their directory 0700; on Windows both get an ACL naming only the current user. New
//! files are private from their creation (never a moment world-readable), and files or
//! directories left by an older kiosk are tightened whenever they are read or written.

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as platform;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as platform;

use std::io::Write;
use std::path::Path;

/// Creates `dir` (and its parents) and makes `dir` itself private. The parents are the
/// user's (e.g. `~/.config`) and are left as they are.
pub fn ensure_dir(dir: &Path) -> std::io::Result<()> {
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    match platform::create_dir(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => platform::restrict_dir(dir),
        Err(e) => Err(e),
    }
}

/// Reads a private file, tightening its permissions (and its directory's) first; `Ok(None)`
/// when it does not exist. A file the kiosk may read but not change (provisioned by an
/// administrator, owned by another account) is still read, with a warning: refusing it would
/// only send the kiosk back to setup.
pub fn read(path: &Path) -> std::io::Result<Option<Vec<u8>>> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
    let tightened =
        platform::restrict_file(path).and_then(|()| dir.map_or(Ok(()), platform::restrict_dir));
    match tightened {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => {
            tracing::warn!(%error, path = %path.display(), "could not make the file private");
        }
    }
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Writes `bytes` atomically: a private temp file in the same (private) directory, flushed
/// to disk, then renamed over `path`. A power cut leaves the old file or the new one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    ensure_dir(dir)?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "badgein".into());
    let tmp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    // A temp file left by a crash of this same process id would block create_new.
    let _ = std::fs::remove_file(&tmp);
    let written = write_then_rename(&tmp, path, bytes);
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

fn write_then_rename(tmp: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = platform::create_file(tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(tmp, path)
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn new_files_and_their_directory_are_the_users_alone() {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("badgein").join("kiosk.json");
        write_atomic(&path, b"{}").unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        assert_eq!(read(&path).unwrap().as_deref(), Some(&b"{}"[..]));
        assert_eq!(read(&root.path().join("none")).unwrap(), None);
    }

    #[test]
    fn an_older_world_readable_file_is_tightened_on_read_and_on_write() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("badgein");
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = dir.join("kiosk.json");
        std::fs::write(&path, b"{}").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        read(&path).unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&dir), 0o700);

        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        write_atomic(&path, b"{\"a\":1}").unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&dir), 0o700);
    }
}
