//! A tiny hostile endpoint stub: it serves protocol v1's change feed with one packet whose
//! reasoning is 5 MB (markup first). The reference endpoint refuses such a packet at
//! creation (reasoning ≤ 256 KiB, packet ≤ 1 MiB), so only a misbehaving endpoint can send
//! one; this stub is that endpoint, as in tests/tests/bad_input.rs.

use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
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

/// Start the stub on a free port; returns its base URL. Threads live until the test ends.
pub fn start() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind stub");
    let url = format!("http://{}", listener.local_addr().expect("stub address"));
    let page = huge_page();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let page = page.clone();
            std::thread::spawn(move || serve(stream, &page));
        }
    });
    url
}

fn serve(mut stream: TcpStream, page: &str) {
    let mut buf = vec![0u8; 65536];
    let n = stream.read(&mut buf).unwrap_or(0);
    let req = String::from_utf8_lossy(&buf[..n]).to_string();
    let line = req.lines().next().unwrap_or_default().to_string();
    if line.starts_with("GET /v1/events") {
        // Hold the stream open (as a live endpoint would) with SSE comments.
        let _ = stream.write_all(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\n\r\n",
        );
        while stream.write_all(b": ping\n\n").is_ok() {
            std::thread::sleep(Duration::from_secs(5));
        }
        return;
    }
    let (status, body): (&str, String) = if line.starts_with("GET /v1/reviews") {
        if line.contains("cursor=") {
            // Already delivered: nothing new after cursor 1.
            let empty: Value = json!({"changes": [], "next_cursor": "1", "has_more": false});
            ("200 OK", empty.to_string())
        } else {
            ("200 OK", page.to_string())
        }
    } else if line.starts_with("POST /v1/reviewers") {
        ("201 Created", "{}".into())
    } else {
        (
            "404 Not Found",
            json!({"code": "not_found", "message": "no"}).to_string(),
        )
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
}
