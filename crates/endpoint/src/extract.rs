//! Request extractors that fail with protocol errors instead of axum's plain-text ones:
//! JSON bodies (400 `malformed_json`, 413 `payload_too_large`) and path segments.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::EndpointError;

/// A JSON request body of type `T`.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = EndpointError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            // The body limit layer surfaces as a 413 rejection of the Bytes extractor.
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                EndpointError::PayloadTooLarge
            } else {
                EndpointError::BadRequest(rejection.body_text())
            }
        })?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// Syntax errors are 400 `malformed_json`; well-formed JSON of the wrong shape is 422
/// `invalid_field`, since the client sent JSON but not what the protocol expects.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, EndpointError> {
    serde_json::from_slice(bytes).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => {
            EndpointError::Protocol(countersign_protocol::ProtocolError::InvalidField {
                field: "body".into(),
                message: e.to_string(),
            })
        }
        _ => EndpointError::MalformedJson(e.to_string()),
    })
}

/// The `{packet_id}` path segment.
pub struct PacketId(pub String);

impl<S: Send + Sync> FromRequestParts<S> for PacketId {
    type Rejection = EndpointError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(id) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|e| EndpointError::BadRequest(e.body_text()))?;
        Ok(PacketId(id))
    }
}
