//! Size limits on packet fields: agents are untrusted, so every field is bounded before
//! it reaches storage or a renderer.

/// Upper bounds, in bytes of UTF-8 (or of serialized JSON for structured fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// A whole packet, as JSON.
    pub packet: usize,
    /// Names, titles, one-line summaries (sources may take four times this).
    pub short_text: usize,
    /// The agent's reasoning, and a reviewer's `respond` text.
    pub reasoning: usize,
    /// `action.args` and edited arguments, as JSON.
    pub args: usize,
    /// `args_schema`, as JSON.
    pub args_schema: usize,
    /// Number of context items (a count, not bytes).
    pub context_items: usize,
    /// One context excerpt.
    pub context_excerpt: usize,
    /// A reviewer's reason.
    pub reason: usize,
}

impl Limits {
    /// The limits of protocol v1.
    pub const V1: Limits = Limits {
        packet: 1024 * 1024,
        short_text: 512,
        reasoning: 256 * 1024,
        args: 256 * 1024,
        args_schema: 64 * 1024,
        context_items: 64,
        context_excerpt: 64 * 1024,
        reason: 16 * 1024,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::V1
    }
}
