//! What an operator watches: liveness, readiness, Prometheus metrics on their own listener.

use serde_json::json;
use tests::{CLAUSE, Db, parts, spawn_app};

use super::participant;

pub(crate) async fn health_and_readiness_say_whether_the_database_is_usable(db: Db) {
    let app = spawn_app(db).await;
    let (status, body) = parts(app.get("/healthz").await).await;
    assert_eq!((status, body), (200, json!({"status": "ok"})));
    let (status, body) = parts(app.get("/readyz").await).await;
    assert_eq!((status, body), (200, json!({"status": "ready"})));

    // A database that a newer binary migrated further is not this binary's to serve.
    let future = match db {
        Db::Sqlite => {
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (99991231000000, 'from a newer release', 1, x'00', 0)"
        }
        Db::Postgres => {
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (99991231000000, 'from a newer release', true, '\\x00'::bytea, 0)"
        }
    };
    app.execute(future, &[]).await;
    let response = app.get("/readyz").await;
    assert_eq!(response.headers()["retry-after"], "5");
    let (status, body) = parts(response).await;
    assert_eq!((status, &body["code"]), (503, &json!("unavailable")));
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("migrations")),
        "{body}"
    );
    let (status, _) = parts(app.get("/healthz").await).await;
    assert_eq!(status, 200, "still alive, only not ready");
}

pub(crate) async fn metrics_count_requests_and_writes_on_their_own_listener(db: Db) {
    let app = spawn_app(db).await;
    let (status, body) = parts(app.get("/metrics").await).await;
    assert_eq!(
        (status, &body["code"]),
        (404, &json!("not_found")),
        "not on the public listener"
    );

    let amina = participant(&app, "amina", "civil_society").await;
    let (status, _) = parts(
        amina
            .post_comment(CLAUSE, json!({"body": "Counted."}))
            .await,
    )
    .await;
    assert_eq!(status, 201);
    let (status, _) = parts(
        amina
            .cast_position(CLAUSE, json!({"stance": "endorse"}))
            .await,
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = parts(
        app.get("/api/v1/consultations/paris-call/rounds/nope")
            .await,
    )
    .await;
    assert_eq!(status, 404);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let router = backend::metrics::router(backend::live::Hub::default());
    tokio::spawn(async move { axum::serve(listener, router).await });
    let text = reqwest::get(format!("http://{address}/metrics"))
        .await
        .expect("scrape")
        .text()
        .await
        .expect("text");
    for expected in [
        "concord_http_requests_total{method=\"POST\",route=\"/api/v1/consultations/{slug}/rounds/{round}/clauses/{key}/comments\",status=\"201\"}",
        "concord_http_requests_total{method=\"GET\",route=\"/api/v1/consultations/{slug}/rounds/{round}\",status=\"404\"}",
        "concord_http_request_duration_seconds_bucket{method=\"PUT\",route=\"/api/v1/consultations/{slug}/rounds/{round}/clauses/{key}/position\",le=\"0.005\"}",
        "concord_positions_written_total ",
        "concord_comments_written_total ",
        "concord_live_subscribers 0",
    ] {
        assert!(text.contains(expected), "{expected} in\n{text}");
    }
    assert!(
        !text.contains("/rounds/nope"),
        "routes by pattern, never raw paths"
    );
}
