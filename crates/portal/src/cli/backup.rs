//! `backup` and `restore`: thin wrappers over `store::backup` that print what was done.

use std::path::Path;

use anyhow::Context;

use crate::store::backup::{self, Summary};

pub async fn backup(db_url: &str, out: &Path, key_file: Option<&Path>) -> anyhow::Result<()> {
    let db = backup::sqlite_path(db_url)?;
    let summary = backup::backup(&db, out).await.with_context(|| {
        format!(
            "backup of {} failed, {} unchanged",
            db.display(),
            out.display()
        )
    })?;
    eprintln!("backed up to {}: {}", out.display(), describe(&summary));
    // The signing keys in the copy are sealed with a key file the copy does not hold, on
    // purpose: say so, so that the key file gets a backup of its own.
    let key_file = key_file
        .map(Path::to_owned)
        .or_else(|| crate::idp::kek::default_path(db_url));
    if let Some(key_file) = key_file.filter(|k| k.exists()) {
        eprintln!(
            "not in the backup: the key file {} that seals the signing keys and keys the \
             birth-date hashes; keep a copy of it, \
             apart from the database backups (docs/operations.md)",
            key_file.display()
        );
    }
    Ok(())
}

pub async fn restore(db_url: &str, from: &Path) -> anyhow::Result<()> {
    let db = backup::sqlite_path(db_url)?;
    let (summary, kept) = backup::restore(&db, from)
        .await
        .with_context(|| format!("restore refused, {} unchanged", db.display()))?;
    eprintln!(
        "restored {} from {}: {}",
        db.display(),
        from.display(),
        describe(&summary)
    );
    if let Some(kept) = kept {
        eprintln!("the replaced database is kept as {}", kept.display());
    }
    Ok(())
}

fn describe(s: &Summary) -> String {
    format!(
        "integrity ok, migration {}, {} session(s), {} audit row(s), {} bytes, {} ms",
        s.migration,
        s.sessions,
        s.audit_rows,
        s.bytes,
        s.took.as_millis()
    )
}
