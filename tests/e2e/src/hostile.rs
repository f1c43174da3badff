//! A tiny hostile endpoint stub: it serves protocol v1's change feed with one packet whose
//! reasoning is 5 MB (markup first). The reference endpoint refuses such a packet at
//! creation (reasoning ≤ 256 KiB, packet ≤ 1 MiB), so only a misbehaving endpoint can send
//! one; this stub is that endpoint, as in tests/tests/bad_input.rs.

use axum::extract::RawQuery;
use axum::http::{header, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::{get, post};
use axum::{Json, Router};
use countersign_testkit::http_stub::not_found;
use countersign_testkit::HttpStub;
use serde_json::{json, Value};
use std::convert::Infallible;
use std::time::Duration;

/// Markup that would run script if it were ever rendered as HTML.
pub const MARKUP: &str = "<script>window.__pwned='script'</script>\
<img src=x onerror=\"window.__pwned='img'\">\
<a href=\"javascript:window.__pwned='link'\">click me</a>\
<svg onload=\"window.__pwned='svg'\"></svg>";

/// The remote id of the 5 MB packet.
pub const HUGE_ID: &str = "e2e-huge-5mb";
pub const HUGE_BYTES: usize = 5 * 1024 * 1024;

fn huge_page() -> String {
    let mut reasoning = String::with_capacity(HUGE_BYTES + MARKUP.len());
    reasoning.push_str(MARKUP);
    while reasoning.len() < HUGE_BYTES {
        reasoning.push_str("A 5 MB field from a hostile endpoint. ");
    }
    let packet = json!({
        "version": 1, "id": HUGE_ID,
        "created_at": "2026-11-20T10:00:00Z", "updated_at": "2026-11-20T10:00:00Z",
        "status": "pending", "agent": {"name": "e2e-hostile-stub"},
        "action": {"name": "exfiltrate", "args": {"to": "attacker@example.com"}},
        "reasoning": reasoning,
        "allowed_outcomes": ["approve", "reject"]
    });
    json!({"changes": [{"seq": 1, "kind": "created", "packet": packet}],
           "next_cursor": "1", "has_more": false})
    .to_string()
}

/// Start the stub on a free port; returns its base URL. Every path and method it does
/// not serve gets a 404 with a protocol error body. It serves until the test ends
/// (the app goes on syncing from it after the step that added it).
pub fn start() -> String {
    let page = huge_page();
    let reviews = get(move |RawQuery(query): RawQuery| {
        let page = page.clone();
        async move {
            let body = if query.is_some_and(|q| q.contains("cursor=")) {
                // Already delivered: nothing new after cursor 1.
                let empty: Value = json!({"changes": [], "next_cursor": "1", "has_more": false});
                empty.to_string()
            } else {
                page
            };
            ([(header::CONTENT_TYPE, "application/json")], body)
        }
    })
    .fallback(not_found);
    // Hold the stream open (as a live endpoint would) with SSE comments.
    let events = get(|| async {
        Sse::new(futures::stream::pending::<Result<Event, Infallible>>()).keep_alive(
            KeepAlive::new()
                .interval(Duration::from_secs(5))
                .text("ping"),
        )
    })
    .fallback(not_found);
    let enroll = post(|| async { (StatusCode::CREATED, Json(json!({}))) }).fallback(not_found);
    HttpStub::start(
        Router::new()
            .route("/v1/events", events)
            .route("/v1/reviews", reviews.clone())
            .route("/v1/reviews/{*rest}", reviews)
            .route("/v1/reviewers", enroll),
    )
    .detach()
}
