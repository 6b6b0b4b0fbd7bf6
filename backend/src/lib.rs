//! Concord's server: the HTTP API under `/api/v1`, the OpenAPI document that describes it, and
//! the built front end. `main.rs` only parses the command line; tests start the server through
//! [`app`] and [`serve`] exactly as production does.

pub mod cli;
pub mod document;
pub mod domain;
pub mod hashing;
pub mod http;
pub mod live;
pub mod mail;
pub mod markdown;
pub mod ops;
pub mod passkeys;
pub mod record;
pub mod refusal;
pub mod secrets;
pub mod setup;
pub mod state;
pub mod store;
pub mod two_factor;
pub mod words;

pub use http::{BODY_LIMIT, app, openapi};

use axum::Router;
use std::future::Future;
use tokio::net::TcpListener;

/// Serves `app` on `listener` until `shutdown` resolves, then lets requests in flight finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Handlers learn the peer address (for sign-in throttling) through ConnectInfo.
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
