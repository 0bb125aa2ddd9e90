//! A stand-in OpenID Connect provider: its discovery document, a JWKS the test can change, and
//! a token endpoint that answers with the ID token the test planned, recording what it got.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::{Form, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use badgein_demo_app::{Config, RunningApp};
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use openidconnect::{ClientId, ClientSecret, IssuerUrl};
use serde_json::{Value, json};

pub const CLIENT_ID: &str = "c-story";
pub const CLIENT_SECRET: &str = "0123456789abcdef";

/// A signing key and its public JWK named `kid`.
pub struct Key {
    pub encoding: EncodingKey,
    pub jwk: Jwk,
}

impl Key {
    fn new(kid: &str) -> Self {
        use rsa::pkcs1::EncodeRsaPrivateKey as _;
        let key = rsa::PrivateKey::new(&mut getrandom_rng::SysRng, 2048).unwrap();
        let encoding = EncodingKey::from_rsa_der(key.to_pkcs1_der().unwrap().as_bytes());
        let mut jwk = Jwk::from_encoding_key(&encoding, Algorithm::RS256).unwrap();
        jwk.common.key_id = Some(kid.into());
        Self { encoding, jwk }
    }

    pub fn kid(&self) -> &str {
        self.jwk.common.key_id.as_deref().unwrap()
    }

    /// A JWS of `claims` with `typ`.
    pub fn sign(&self, claims: &Value, typ: &str) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid().into());
        header.typ = Some(typ.into());
        jsonwebtoken::encode(&header, claims, &self.encoding).unwrap()
    }
}

/// Three keys, made once per test binary (RSA key generation is slow): the published one, a
/// later one (a rotation), and a stranger's under the published key's kid.
pub fn keys() -> &'static [Key; 3] {
    static KEYS: OnceLock<[Key; 3]> = OnceLock::new();
    KEYS.get_or_init(|| [Key::new("k-1"), Key::new("k-2"), Key::new("k-1")])
}

pub fn now() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

/// What the token endpoint received.
#[derive(Debug, Clone)]
pub struct TokenRequest {
    pub authorization: Option<String>,
    pub form: Vec<(String, String)>,
}

impl TokenRequest {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
pub struct Provider {
    pub issuer: String,
    pub jwks: Mutex<Vec<Jwk>>,
    pub jwks_fetches: AtomicUsize,
    /// The claims of the next ID token.
    pub id_token: Mutex<Option<Value>>,
    pub token_requests: Mutex<Vec<TokenRequest>>,
}

impl Provider {
    pub fn plan_id_token(&self, claims: Value) {
        *self.id_token.lock().unwrap() = Some(claims);
    }

    pub fn publish(&self, jwks: Vec<Jwk>) {
        *self.jwks.lock().unwrap() = jwks;
    }

    pub fn jwks_fetches(&self) -> usize {
        self.jwks_fetches.load(Ordering::SeqCst)
    }

    /// The claims of a valid logout token for Story Time.
    /// A logout token's claims, each with a `jti` of its own, as a provider signs them.
    pub fn logout_claims(&self, sid: Option<&str>, sub: Option<&str>) -> Value {
        static JTI: AtomicU64 = AtomicU64::new(1);
        let jti = JTI.fetch_add(1, Ordering::Relaxed);
        let mut claims = json!({
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "iat": now(),
            "exp": now() + 120,
            "jti": format!("jti-{jti}"),
            "events": { "http://schemas.openid.net/event/backchannel-logout": {} },
        });
        if let Some(sid) = sid {
            claims["sid"] = sid.into();
        }
        if let Some(sub) = sub {
            claims["sub"] = sub.into();
        }
        claims
    }
}

/// The provider and the app, both on 127.0.0.1:0.
pub struct Env {
    pub provider: Arc<Provider>,
    pub app: RunningApp,
    pub http: reqwest::Client,
}

impl Env {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let provider = Arc::new(Provider {
            issuer: issuer.clone(),
            jwks: Mutex::new(vec![keys()[0].jwk.clone()]),
            ..Provider::default()
        });
        let router = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/oauth/jwks", get(jwks))
            .route("/oauth/token", post(token))
            .with_state(Arc::clone(&provider));
        tokio::spawn(async move { axum::serve(listener, router).await });

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let public_url = format!("http://{}", listener.local_addr().unwrap());
        let app = badgein_demo_app::serve(listener, config(&issuer, &public_url))
            .await
            .unwrap();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            provider,
            app,
            http,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.app.addr())
    }

    pub async fn status(&self) -> Value {
        let r = self.http.get(self.url("/status")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    }

    /// `POST /backchannel-logout` with `form`.
    pub async fn logout(&self, form: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .post(self.url("/backchannel-logout"))
            .form(form)
            .send()
            .await
            .unwrap()
    }
}

pub fn config(issuer: &str, public_url: &str) -> Config {
    Config {
        issuer: IssuerUrl::new(issuer.into()).unwrap(),
        client_id: ClientId::new(CLIENT_ID.into()),
        client_secret: ClientSecret::new(CLIENT_SECRET.into()),
        public_url: url::Url::parse(public_url).unwrap(),
    }
}

async fn discovery(State(p): State<Arc<Provider>>) -> Json<Value> {
    let base = &p.issuer;
    Json(json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}/oauth/authorize"),
        "token_endpoint": format!("{base}/oauth/token"),
        "jwks_uri": format!("{base}/oauth/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
    }))
}

async fn jwks(State(p): State<Arc<Provider>>) -> Json<JwkSet> {
    p.jwks_fetches.fetch_add(1, Ordering::SeqCst);
    Json(JwkSet {
        keys: p.jwks.lock().unwrap().clone(),
    })
}

async fn token(
    State(p): State<Arc<Provider>>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Json<Value> {
    p.token_requests.lock().unwrap().push(TokenRequest {
        authorization: headers
            .get("authorization")
            .map(|v| v.to_str().unwrap().to_owned()),
        form,
    });
    let claims = p.id_token.lock().unwrap().clone().unwrap();
    Json(json!({
        "access_token": "at-1",
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": keys()[0].sign(&claims, "JWT"),
    }))
}
