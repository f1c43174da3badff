//! A loopback HTTP server playing an endpoint that misbehaves in a way the reference
//! endpoint never would (pages of bad changes, a 5 MB packet): an axum [`Router`] the
//! test writes, served on its own thread and runtime so blocking and async tests can both
//! use it, until the stub is dropped.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde_json::json;
use std::future::IntoFuture;
use tokio::sync::oneshot;

/// A running stub; dropping it stops the server and its open connections.
pub struct HttpStub {
    url: String,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl HttpStub {
    /// Serve `router` on a free loopback port. Anything the router does not route gets
    /// [`not_found`].
    pub fn start(router: Router) -> HttpStub {
        // Bound before the thread starts, so the URL is good as soon as this returns.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind stub");
        let url = format!("http://{}", listener.local_addr().expect("stub address"));
        listener.set_nonblocking(true).expect("non-blocking stub");
        let router = router.fallback(not_found);
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("stub runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("stub listener");
                // Not a graceful shutdown: a stub may hold an event stream open forever.
                tokio::select! {
                    _ = axum::serve(listener, router).into_future() => {}
                    _ = stopped => {}
                }
            });
        });
        HttpStub {
            url,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Keep serving until the test process exits (for a client that goes on syncing from
    /// the stub after the step that added it); returns the base URL.
    pub fn detach(mut self) -> String {
        // A stop sender never sent nor dropped: the server never hears "stop".
        std::mem::forget(self.stop.take());
        self.thread.take();
        std::mem::take(&mut self.url)
    }
}

impl Drop for HttpStub {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// 404 with a protocol error body, as an endpoint answers a path it does not serve.
pub async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({"code": "not_found", "message": "no"})),
    )
        .into_response()
}
