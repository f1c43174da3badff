//! Reading an endpoint's `text/event-stream` (`/v1/events`) frame by frame, comments
//! skipped, with a time limit per event.

use crate::in_process::InProcessEndpoint;
use crate::REVIEWER_TOKEN;
use futures::StreamExt;
use std::time::Duration;

/// One parsed SSE event.
#[derive(Debug, Clone)]
pub struct SseEvent {
    pub id: Option<String>,
    pub event: Option<String>,
    pub data: String,
}

/// Reads `text/event-stream` frames from a response, skipping comments.
pub struct SseReader {
    // reqwest yields `bytes::Bytes`, which axum re-exports.
    stream: futures::stream::BoxStream<'static, reqwest::Result<axum::body::Bytes>>,
    buffer: String,
}

impl SseReader {
    pub async fn open(
        endpoint: &InProcessEndpoint,
        path: &str,
        last_event_id: Option<&str>,
    ) -> SseReader {
        let mut req = endpoint
            .client
            .get(endpoint.url(path))
            .bearer_auth(REVIEWER_TOKEN);
        if let Some(id) = last_event_id {
            req = req.header("last-event-id", id);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 200);
        assert!(resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream"));
        SseReader {
            stream: resp.bytes_stream().boxed(),
            buffer: String::new(),
        }
    }

    /// The next event, or `None` if none arrives within `within`.
    pub async fn next(&mut self, within: Duration) -> Option<SseEvent> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let frame: String = self.buffer.drain(..end + 2).collect();
                let mut event = SseEvent {
                    id: None,
                    event: None,
                    data: String::new(),
                };
                let mut is_comment_only = true;
                for line in frame.lines() {
                    if let Some(v) = line.strip_prefix("id: ") {
                        event.id = Some(v.into());
                    } else if let Some(v) = line.strip_prefix("event: ") {
                        event.event = Some(v.into());
                    } else if let Some(v) = line.strip_prefix("data: ") {
                        event.data.push_str(v);
                    } else {
                        continue;
                    }
                    is_comment_only = false;
                }
                if !is_comment_only {
                    return Some(event);
                }
            }
            let chunk = tokio::time::timeout_at(deadline, self.stream.next())
                .await
                .ok()??
                .ok()?;
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}
