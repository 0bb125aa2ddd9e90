//! `backup` and `restore`: thin wrappers over `store::backup` that print what was done.

use std::path::Path;

use anyhow::Context;

use crate::store::backup::{self, Summary};

pub async fn backup(db_url: &str, out: &Path) -> anyhow::Result<()> {
    let db = backup::sqlite_path(db_url)?;
    let summary = backup::backup(&db, out).await.with_context(|| {
        format!(
            "backup of {} failed, {} unchanged",
            db.display(),
            out.display()
        )
    })?;
    eprintln!("backed up to {}: {}", out.display(), describe(&summary));
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
