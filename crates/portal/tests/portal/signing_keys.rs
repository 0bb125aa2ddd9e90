//! The identity provider's signing keys and their key-encryption key file, on the real portal
//! and the real binary: made at first start, sealed in the database, refused with a clear
//! error when the key file is missing, wrong or not a key file, or a key is damaged.

use std::sync::Arc;

use badgein_portal::idp::KeyError;
use badgein_portal::{Config, ManualClock, Portal, spawn};

use crate::harness::{TempDir, backends, fresh_database, portal_cli, with_key_file};

/// A portal on `db_url` with the key file `key_file`; the error of its start, if any.
async fn start_with_key_file(db_url: &str, key_file: &std::path::Path) -> Result<(), KeyError> {
    let config = Config {
        key_file: Some(key_file.to_owned()),
        ..Config::for_tests()
    };
    let portal = Portal::open(db_url, Arc::new(ManualClock::starting_now()), config)
        .await
        .unwrap();
    let started = spawn(portal.clone(), "127.0.0.1:0").await;
    let out = match started {
        Ok(running) => {
            running.stop().await.unwrap();
            Ok(())
        }
        Err(e) => {
            assert_eq!(e.kind(), std::io::ErrorKind::Other);
            let inner = e.into_inner().unwrap();
            Err(*inner.downcast::<KeyError>().unwrap())
        }
    };
    portal.close().await;
    out
}

#[tokio::test]
async fn the_database_alone_cannot_sign() {
    for backend in backends() {
        let (db_url, dir) = fresh_database(backend).await;
        let keys = TempDir::new();
        let kek = keys.0.join("portal.kek");
        // First start: the key file is made, private to its owner.
        start_with_key_file(&db_url, &kek).await.unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&kek).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // The private keys are not in the database in the clear: a PKCS#8 key names its
        // algorithm by OID (rsaEncryption, id-ecPublicKey) near its start.
        let sealed: Vec<Vec<u8>> = match badgein_portal::store::Pool::open(&db_url).await.unwrap() {
            badgein_portal::store::Pool::Sqlite(s) => {
                sqlx::query_scalar("SELECT private_key FROM signing_keys")
                    .fetch_all(&s.read)
                    .await
                    .unwrap()
            }
            badgein_portal::store::Pool::Postgres(p) => {
                sqlx::query_scalar("SELECT private_key FROM signing_keys")
                    .fetch_all(&p)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(sealed.len(), 2);
        const RSA_OID: &[u8] = &[
            0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01,
        ];
        const EC_OID: &[u8] = &[0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
        for key in &sealed {
            for oid in [RSA_OID, EC_OID] {
                assert!(!key.windows(oid.len()).any(|w| w == oid), "{backend}");
            }
        }

        // The database moved without its key file: no new key file is made, the start stops.
        let elsewhere = keys.0.join("not-there.kek");
        let err = start_with_key_file(&db_url, &elsewhere).await.unwrap_err();
        assert!(matches!(err, KeyError::KekMissing(_)), "{err}");
        assert!(
            err.to_string().contains("restore it from the backup"),
            "{err}"
        );
        assert!(!elsewhere.exists());

        // Another portal's key file: a clear error.
        let (other_db, _other_dir) = fresh_database(backend).await;
        let other_kek = keys.0.join("other.kek");
        start_with_key_file(&other_db, &other_kek).await.unwrap();
        let err = start_with_key_file(&db_url, &other_kek).await.unwrap_err();
        assert!(matches!(err, KeyError::WrongKek(_)), "{err}");
        assert!(err.to_string().contains("does not open"), "{err}");

        // Not a key file at all.
        let junk = keys.0.join("junk.kek");
        std::fs::write(&junk, "hello\n").unwrap();
        let err = start_with_key_file(&db_url, &junk).await.unwrap_err();
        assert!(matches!(err, KeyError::KekMalformed(_)), "{err}");

        // With its own key file it starts again.
        start_with_key_file(&db_url, &kek).await.unwrap();
        drop(dir);
    }
}

#[tokio::test]
async fn a_damaged_private_key_is_a_clear_error_at_start() {
    for backend in backends() {
        let (db_url, dir) = fresh_database(backend).await;
        let keys = TempDir::new();
        let kek = keys.0.join("portal.kek");
        start_with_key_file(&db_url, &kek).await.unwrap();
        let pool = badgein_portal::store::Pool::open(&db_url).await.unwrap();
        // One flipped byte in the ES256 key's sealed bytes.
        let sql = "UPDATE signing_keys SET private_key = $1 WHERE alg = 'ES256'";
        let (kid, mut bytes): (String, Vec<u8>) = match &pool {
            badgein_portal::store::Pool::Sqlite(s) => {
                sqlx::query_as("SELECT kid, private_key FROM signing_keys WHERE alg = 'ES256'")
                    .fetch_one(&s.write)
                    .await
                    .unwrap()
            }
            badgein_portal::store::Pool::Postgres(p) => {
                sqlx::query_as("SELECT kid, private_key FROM signing_keys WHERE alg = 'ES256'")
                    .fetch_one(p)
                    .await
                    .unwrap()
            }
        };
        let last = bytes.len() - 1;
        bytes[last] ^= 0x55;
        match &pool {
            badgein_portal::store::Pool::Sqlite(s) => {
                sqlx::query(sql)
                    .bind(&bytes)
                    .execute(&s.write)
                    .await
                    .unwrap();
            }
            badgein_portal::store::Pool::Postgres(p) => {
                sqlx::query(sql).bind(&bytes).execute(p).await.unwrap();
            }
        }
        pool.close().await;
        let err = start_with_key_file(&db_url, &kek).await.unwrap_err();
        match &err {
            KeyError::Damaged { kid: named } => assert_eq!(named, &kid),
            other => panic!("{backend}: {other}"),
        }
        assert!(err.to_string().contains("damaged"), "{err}");
        // No key material in the message.
        assert!(
            !err.to_string()
                .contains(&std::fs::read_to_string(&kek).unwrap())
        );
        drop(dir);
    }
}

/// `keys rotate` and `keys list` of the real binary (SQLite: the key file beside the database).
#[tokio::test]
async fn keys_cli_rotates_and_lists_without_key_material() {
    let dir = TempDir::new();
    let db = dir.0.join("portal.db");
    let out = portal_cli(&db, &["keys", "list"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty(), "no keys before the first start");

    let out = portal_cli(&db, &["keys", "rotate"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let kek = dir.0.join("portal.db.kek");
    assert!(kek.exists());
    let first: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(first.len(), 2);

    let out = portal_cli(&db, &["keys", "rotate"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = portal_cli(&db, &["keys", "list"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let listed: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(listed.len(), 4);
    let mut fields: Vec<&str> = listed[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    assert_eq!(fields, ["alg", "created", "kid", "retired", "unpublished"]);
    for key in &first {
        let row = listed.iter().find(|l| l["kid"] == key["kid"]).unwrap();
        assert!(row["retired"].is_string());
    }
    assert!(!text.contains(std::fs::read_to_string(&kek).unwrap().trim()));

    // Rotating with a wrong key file changes nothing.
    let wrong = dir.0.join("wrong.kek");
    std::fs::write(&wrong, format!("{}\n", "ab".repeat(32))).unwrap();
    let out = portal_cli(
        &db,
        &["--key-file", wrong.to_str().unwrap(), "keys", "rotate"],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("does not open"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let out = portal_cli(&db, &["keys", "list"]);
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 4);

    // The key file gone: rotate refuses, and makes none.
    std::fs::remove_file(&kek).unwrap();
    let out = portal_cli(&db, &["keys", "rotate"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing"));
    assert!(!kek.exists());
}

/// PostgreSQL has nowhere to keep the key file by default: serving without one is refused.
#[tokio::test]
async fn postgres_needs_a_key_file() {
    let Ok(admin) = std::env::var("BADGEIN_TEST_POSTGRES") else {
        return;
    };
    if admin.is_empty() {
        return;
    }
    let (db_url, _) = fresh_database("postgres").await;
    let portal = Portal::open(
        &db_url,
        Arc::new(ManualClock::starting_now()),
        Config::for_tests(),
    )
    .await
    .unwrap();
    let err = spawn(portal.clone(), "127.0.0.1:0").await.unwrap_err();
    let key = err.into_inner().unwrap().downcast::<KeyError>().unwrap();
    assert!(matches!(*key, KeyError::NoKeyFile), "{key}");
    assert!(matches!(portal.signer(), Err(KeyError::NotLoaded)));
    // The harness gives it one.
    let dir = TempDir::new();
    let config = with_key_file(&db_url, Some(&dir), Config::for_tests());
    assert!(config.key_file.is_some());
    portal.close().await;
}

/// The real `serve` on a database whose key file is gone: it stops at once with the reason, and
/// makes no new key file.
#[test]
fn serve_without_its_key_file_stops_with_a_clear_error() {
    let dir = TempDir::new();
    let db = dir.0.join("portal.db");
    let out = portal_cli(&db, &["keys", "rotate"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let kek = dir.0.join("portal.db.kek");
    std::fs::remove_file(&kek).unwrap();

    let mut serve = std::process::Command::new(env!("CARGO_BIN_EXE_badgein-portal"))
        .arg("--db")
        .arg(&db)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env_remove("BADGEIN_DB")
        .env_remove("BADGEIN_KEY_FILE")
        .env_remove("RUST_LOG")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // A serve that did start would never end: give up after a while rather than hang.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let status = loop {
        if let Some(status) = serve.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            serve.kill().unwrap();
            panic!("serve started without its key file");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut serve.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(!status.success());
    assert!(stderr.contains("which is missing"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!kek.exists());
}

async fn a_rotation_by_another_process_reaches_the_serving_portal_body(env: crate::harness::Env) {
    use badgein_portal::idp::SigningAlg;
    let before = env
        .portal()
        .signer()
        .unwrap()
        .kid(SigningAlg::Rs256)
        .unwrap()
        .to_owned();
    // The CLI is another process: another `Portal` on the same database and key file.
    let cli = Portal::open(
        &env.db_url,
        Arc::new(env.clock.clone()),
        env.portal().config().clone(),
    )
    .await
    .unwrap();
    let new = cli.rotate_signing_keys().await.unwrap();
    cli.close().await;
    let new_rs = new.iter().find(|k| k.alg == "RS256").unwrap().kid.clone();

    // The JWKS shows the new keys at once; the serving portal still signs with the old ones...
    let jwks: serde_json::Value = crate::harness::get_json(&env, "/oauth/jwks").await;
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert!(kids.contains(&new_rs.as_str()) && kids.contains(&before.as_str()));
    let signer = env.portal().signer().unwrap();
    assert_eq!(signer.kid(SigningAlg::Rs256), Some(before.as_str()));

    // ...until its minute chores pick the rotation up.
    env.portal().minute_chores().await;
    let signer = env.portal().signer().unwrap();
    assert_eq!(
        signer.kid(SigningAlg::Rs256),
        Some(new_rs.as_str()),
        "{}",
        env.backend
    );
}

#[tokio::test]
async fn a_rotation_by_another_process_reaches_the_serving_portal() {
    crate::harness::run(a_rotation_by_another_process_reaches_the_serving_portal_body).await;
}
