//! Bearer-token authentication of the two faces: reviewer tokens (desktop) and agent
//! tokens (agents). Missing or unknown token → 401; a token of the other kind → 403.
//!
//! Tokens are kept only as SHA-256 digests and compared in constant time, so neither
//! memory dumps nor response timing reveal them.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use countersign_protocol::digest::sha256_hex;

use crate::error::EndpointError;
use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Reviewer,
    Agent,
}

pub struct Tokens {
    reviewer_hashes: Vec<String>,
    agent_hashes: Vec<String>,
}

impl Tokens {
    pub fn new(reviewer_tokens: &[String], agent_tokens: &[String]) -> Tokens {
        let hash_all = |tokens: &[String]| tokens.iter().map(|t| token_hash(t)).collect();
        Tokens {
            reviewer_hashes: hash_all(reviewer_tokens),
            agent_hashes: hash_all(agent_tokens),
        }
    }

    /// Which kind of token this is, if any. Every configured hash is compared (no early
    /// exit) so the time taken does not depend on which one matched.
    pub fn classify(&self, token: &str) -> Option<TokenKind> {
        let presented = token_hash(token);
        let any_match = |hashes: &[String]| {
            hashes.iter().fold(false, |found, h| {
                found | constant_time_eq(h.as_bytes(), presented.as_bytes())
            })
        };
        let reviewer = any_match(&self.reviewer_hashes);
        let agent = any_match(&self.agent_hashes);
        match (reviewer, agent) {
            (true, _) => Some(TokenKind::Reviewer),
            (false, true) => Some(TokenKind::Agent),
            (false, false) => None,
        }
    }
}

/// The stored form of a token (also the scope of agent idempotency keys).
pub fn token_hash(token: &str) -> String {
    sha256_hex(token.as_bytes())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_classified_by_kind() {
        let tokens = Tokens::new(&["r1".into()], &["a1".into(), "a2".into()]);
        assert_eq!(tokens.classify("r1"), Some(TokenKind::Reviewer));
        assert_eq!(tokens.classify("a2"), Some(TokenKind::Agent));
        assert_eq!(tokens.classify("nope"), None);
        assert_eq!(tokens.classify(""), None);
    }
}
