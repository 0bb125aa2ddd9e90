//! Roles through both databases: every `Role` is stored as its text and read back as itself,
//! and stored text that names no role is a typed error, never some role.

use badgein_portal::store::Pool;
use badgein_portal::{NewUser, PortalError, Role, UnknownRole};

use crate::harness::run;

#[tokio::test]
async fn every_role_round_trips_and_unknown_stored_text_is_an_error() {
    run(|env| async move {
        let portal = env.portal();
        for role in Role::ALL {
            let id = format!("r-{role}");
            portal
                .add_user(&NewUser {
                    id: id.clone().into(),
                    school_id: "s1".into(),
                    role,
                    username: id.clone(),
                    given_name: "Ro".into(),
                    family_name: "Le".into(),
                    locale: "en".into(),
                    email: None,
                    grade: None,
                })
                .await
                .unwrap();
            let user = portal.user(&id).await.unwrap().unwrap();
            assert_eq!(user.role, role, "{}", env.backend);
            // The stored text is what it always was (no migration of existing rows).
            const STORED: &str = "SELECT role FROM users WHERE id = $1";
            let stored: String = match portal.db() {
                Pool::Sqlite(s) => {
                    sqlx::query_scalar(STORED)
                        .bind(&id)
                        .fetch_one(&s.write)
                        .await
                }
                Pool::Postgres(p) => sqlx::query_scalar(STORED).bind(&id).fetch_one(p).await,
            }
            .unwrap();
            assert_eq!(stored, role.as_str(), "{}", env.backend);
        }

        const CORRUPT: &str = "UPDATE users SET role = 'Teacher' WHERE id = 't1'";
        match portal.db() {
            Pool::Sqlite(s) => sqlx::query(CORRUPT).execute(&s.write).await.map(|_| ()),
            Pool::Postgres(p) => sqlx::query(CORRUPT).execute(p).await.map(|_| ()),
        }
        .unwrap();
        match portal.user("t1").await {
            Err(PortalError::UnknownRole(UnknownRole(text))) => assert_eq!(text, "Teacher"),
            other => panic!("{}: {other:?}", env.backend),
        }
    })
    .await;
}
