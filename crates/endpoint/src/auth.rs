//! Bearer-token authentication of the two faces: reviewer tokens (desktop) and agent
//! tokens (agents). Missing or unknown token → 401; a token of the other kind → 403.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use crate::error::EndpointError;
use crate::state::AppState;
use crate::tokens::{token_hash, TokenKind};

fn bearer_token(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

fn authenticate(
    parts: &Parts,
    state: &AppState,
    wanted: TokenKind,
) -> Result<String, EndpointError> {
    let token = bearer_token(parts).ok_or(EndpointError::Unauthorized)?;
    match state.tokens().classify(token) {
        None => Err(EndpointError::Unauthorized),
        Some(kind) if kind == wanted => Ok(token_hash(token)),
        Some(_) => Err(EndpointError::Forbidden),
    }
}

/// Extractor: the request carries a reviewer token.
pub struct ReviewerAuth;

impl FromRequestParts<AppState> for ReviewerAuth {
    type Rejection = EndpointError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        authenticate(parts, state, TokenKind::Reviewer).map(|_| ReviewerAuth)
    }
}

/// Extractor: the request carries an agent token; `token_hash` scopes idempotency keys.
pub struct AgentAuth {
    pub token_hash: String,
}

impl FromRequestParts<AppState> for AgentAuth {
    type Rejection = EndpointError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        authenticate(parts, state, TokenKind::Agent).map(|token_hash| AgentAuth { token_hash })
    }
}
