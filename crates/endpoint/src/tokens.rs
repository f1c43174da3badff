//! The configured bearer tokens of both faces and which face a presented token opens.
//!
//! Tokens are kept only as SHA-256 digests and compared in constant time, so neither
//! memory dumps nor response timing reveal them.

use countersign_protocol::digest::sha256_hex;

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
