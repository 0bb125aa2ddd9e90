//! The database settings a benchmark's numbers depend on: shared by the benchmarks that open
//! the portal's database in their own process (not `flood`, which runs the real binary).

use badgein_portal::store::Pool;

/// The settings that decide whether an answered sign-in survives a crash or a power cut.
pub async fn durability(db: &Pool) -> anyhow::Result<String> {
    Ok(match db {
        Pool::Sqlite(s) => {
            let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
                .fetch_one(&s.write)
                .await?;
            let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
                .fetch_one(&s.write)
                .await?;
            let synchronous = match synchronous {
                0 => "OFF",
                1 => "NORMAL",
                2 => "FULL",
                3 => "EXTRA",
                _ => "?",
            };
            format!("synchronous={synchronous} journal_mode={journal}")
        }
        Pool::Postgres(p) => {
            let fsync: String = sqlx::query_scalar("SHOW fsync").fetch_one(p).await?;
            let commit: String = sqlx::query_scalar("SHOW synchronous_commit")
                .fetch_one(p)
                .await?;
            format!("fsync={fsync} synchronous_commit={commit}")
        }
    })
}
