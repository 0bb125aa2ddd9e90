use crate::harness::{Env, problem_code, run};

async fn hostile_bodies_are_bad_requests_body(env: Env) {
    let kiosk = env.enroll("s1", "Room 12").await;
    let url = env.url("/api/v1/sign-ins/badge");
    let send = |body: Vec<u8>, ct: &'static str| {
        env.http
            .post(&url)
            .bearer_auth(&kiosk.device_credential)
            .header("content-type", ct)
            .body(body)
            .send()
    };
    let json = "application/json";
    for (body, ct) in [
        (b"{\"badge\":".to_vec(), json),
        (b"{\"badge\":\"x\",\"admin\":true}".to_vec(), json),
        (b"{}".to_vec(), json),
        (b"{\"badge\":\"x\"}".to_vec(), "text/plain"),
        (vec![b'{', b'"', 0xff, 0xfe, b'"', b':', b'1', b'}'], json),
        (
            [b"{\"badge\":\"".as_slice(), &vec![b'A'; 1 << 20], b"\"}"].concat(),
            json,
        ),
    ] {
        let r = send(body, ct).await.unwrap();
        assert_eq!(problem_code(r).await, (400, "bad_request".into()));
    }
    // SQL in every field is data.
    let sql = "x' OR '1'='1'; DROP TABLE users; --";
    let r = env.badge_sign_in(&kiosk.device_credential, sql).await;
    assert_eq!(problem_code(r).await, (400, "not_a_badge".into()));
    let r = env
        .password_sign_in(&kiosk.device_credential, sql, sql)
        .await;
    assert_eq!(problem_code(r).await, (401, "invalid_credentials".into()));
    let r = env.badge_sign_in(sql, sql).await;
    assert_eq!(problem_code(r).await, (401, "kiosk_not_enrolled".into()));
    let r = env
        .http
        .post(env.url("/api/v1/kiosks/enroll"))
        .json(&serde_json::json!({"code": sql, "name": sql}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem_code(r).await,
        (401, "enrollment_code_invalid".into())
    );
    let r = env
        .http
        .post(env.url(&format!("/api/v1/sessions/{}/end", "x'%20OR%201=1")))
        .bearer_auth(&kiosk.device_credential)
        .send()
        .await
        .unwrap();
    assert_eq!(problem_code(r).await, (404, "not_found".into()));
    // Still serving, and the users are still there.
    let badge = env.portal().issue_badge("u1", None).await.unwrap().encode();
    assert_eq!(
        env.badge_sign_in(&kiosk.device_credential, &badge)
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn hostile_bodies_are_bad_requests() {
    run(hostile_bodies_are_bad_requests_body).await;
}
