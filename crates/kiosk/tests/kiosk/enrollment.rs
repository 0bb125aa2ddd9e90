//! Enrolling: the credential goes to the secret store, and nowhere if the store would lose it.

use std::sync::Arc;

use badgein_kiosk_core::enroll::{EnrollError, enroll};
use badgein_kiosk_core::machine::Code;
use badgein_kiosk_core::secrets::{MemoryStore, SecretStore};
use badgein_proto::ProblemCode;

use crate::support::{Env, stored_credential};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrolling_keeps_the_credential_in_the_store_only() {
    let env = Env::start().await;
    let (client, enrollment) = env.enroll("s1").await;
    assert_eq!(enrollment.school.id, "s1");
    assert!(client.is_enrolled());
    let credential = stored_credential(env.store.as_ref()).expect("stored");
    assert!(!format!("{client:?} {enrollment:?}").contains(credential.secret().expose()));
    // ...bound to the portal that issued it.
    assert_eq!(credential.origin(), env.base_url);
    // The stored credential is the one the portal knows.
    let settings = client.me().await.unwrap();
    assert!(!settings.revoked);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_persistent_store_means_no_enrollment_and_the_code_is_not_spent() {
    let env = Env::start().await;
    let code = env.portal.enrollment_code("s1").await.unwrap();
    let forgetful: Arc<dyn SecretStore> = Arc::new(MemoryStore::not_persistent());
    let err = enroll(forgetful.clone(), &env.base_url, &code, "Room 12")
        .await
        .unwrap_err();
    assert!(matches!(err, EnrollError::NoPersistentStore(_)));
    assert_eq!(err.code(), Code::KeyringUnavailable);
    assert!(forgetful.load().unwrap().is_none());

    // The code was never sent, so a working store can still use it, once.
    let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
    enroll(store.clone(), &env.base_url, &code, "Room 12")
        .await
        .unwrap();
    let err = enroll(store, &env.base_url, &code, "Room 12")
        .await
        .unwrap_err();
    assert_eq!(err.code(), ProblemCode::EnrollmentCodeInvalid.into());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_to_another_machine_is_refused_before_any_request() {
    let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
    let err = enroll(store, "http://portal.school.example", "CODE", "Room 12")
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Offline);
    assert!(err.to_string().contains("https"), "{err}");
}
