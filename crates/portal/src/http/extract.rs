//! Request extractors that answer with problem+json instead of axum's plain-text rejections.

use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use std::net::{IpAddr, SocketAddr};

use super::AppState;
use crate::client_addr::client_address;
use crate::error::PortalError;
use badgein_proto::ProblemCode;

/// A JSON body. Malformed JSON, unknown or missing fields, a wrong content type, non-UTF-8 and
/// oversized bodies are all `bad_request`, with a detail that never echoes the body.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = PortalError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Self(v)),
            Err(rejection) => Err(PortalError::BadRequest(
                match rejection {
                    JsonRejection::JsonDataError(_) => {
                        "the body does not have the expected fields and types"
                    }
                    JsonRejection::JsonSyntaxError(_) => "the body is not valid JSON",
                    JsonRejection::MissingJsonContentType(_) => {
                        "expected Content-Type: application/json"
                    }
                    JsonRejection::BytesRejection(_) => "the body is too large or unreadable",
                    _ => "unreadable body",
                }
                .to_owned(),
            )),
        }
    }
}

/// The kiosk's device credential from `Authorization: Bearer …`. Missing or malformed:
/// `kiosk_not_enrolled`.
#[derive(Debug)]
pub struct Bearer(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Bearer {
    type Rejection = PortalError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|v| Self(v.trim().to_owned()))
            .filter(|b| !b.0.is_empty() && b.0.len() <= 256)
            .ok_or(PortalError::Refused(ProblemCode::KioskNotEnrolled))
    }
}

/// The client's IP address (what launch tickets are bound to and limits count by): the peer,
/// or behind a trusted reverse proxy the address it forwards for (`client_addr`).
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = PortalError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ConnectInfo(addr) = ConnectInfo::<SocketAddr>::from_request_parts(parts, state)
            .await
            .map_err(|_| PortalError::BadRequest("no peer address".into()))?;
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok());
        Ok(Self(client_address(
            addr.ip(),
            forwarded,
            &state.portal.config().trusted_proxies,
        )))
    }
}
