//! What an operator watches: liveness, readiness, Prometheus metrics on their own listener.

use super::participant;
use serde_json::json;
use tests::api::API;
use tests::{CLAUSE, Db, TestApp, parts, spawn_app};

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
    let (status, _) = parts(app.get_round("paris-call", "nope").await).await;
    assert_eq!(status, 404);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let router = backend::ops::metrics::router(backend::live::Hub::default());
    tokio::spawn(async move { axum::serve(listener, router).await });
    let text = reqwest::get(format!("http://{address}/metrics"))
        .await
        .expect("scrape")
        .text()
        .await
        .expect("text");
    for expected in [
        format!(
            "concord_http_requests_total{{method=\"POST\",route=\"{API}/consultations/{{slug}}/rounds/{{round}}/clauses/{{key}}/comments\",status=\"201\"}}"
        ),
        format!(
            "concord_http_requests_total{{method=\"GET\",route=\"{API}/consultations/{{slug}}/rounds/{{round}}\",status=\"404\"}}"
        ),
        format!(
            "concord_http_request_duration_seconds_bucket{{method=\"PUT\",route=\"{API}/consultations/{{slug}}/rounds/{{round}}/clauses/{{key}}/position\",le=\"0.005\"}}"
        ),
        "concord_positions_written_total ".to_owned(),
        "concord_comments_written_total ".to_owned(),
        "concord_live_subscribers 0".to_owned(),
    ] {
        assert!(text.contains(&expected), "{expected} in\n{text}");
    }
    assert!(
        !text.contains("/rounds/nope"),
        "routes by pattern, never raw paths"
    );
}

/// Two `concord serve` processes on one PostgreSQL, one participant's requests alternating
/// between them as a load balancer would send them: the session, live updates, positions and
/// the audit chain hold across both.
#[tokio::test]
async fn two_instances_on_one_postgres_serve_a_participant_alternately() {
    let a = spawn_app(Db::Postgres).await;
    let b = a.sibling().await;
    let amina = a.another_browser();
    assert_eq!(
        amina.sign_up("amina", "a long passphrase").await.status(),
        201
    );
    let amina_on_b = amina.on(&b);
    let (status, me) = parts(amina_on_b.get_session().await).await;
    assert_eq!(
        (status, &me["handle"]),
        (200, &json!("amina")),
        "signed in on a, known on b"
    );
    amina_on_b.join("civil_society").await;

    // A reader on a hears of a comment posted through b.
    let mut stream = reqwest::Client::new()
        .get(format!("{}{CLAUSE}/comments/live", a.address))
        .send()
        .await
        .expect("request");
    let (status, _) = parts(
        amina_on_b
            .post_comment(CLAUSE, json!({"body": "Through the other door."}))
            .await,
    )
    .await;
    assert_eq!(status, 201);
    super::read_events_until(&mut stream, |t| t.contains("Through the other door.")).await;

    // A position cast on a and changed on b: both processes show the same tally. Each process
    // remembers the clause's results; the other's cast reaches it as a notification, long
    // before what it remembers would run out.
    a.until_remembering().await;
    b.until_remembering().await;
    let results = |app: &TestApp| {
        let app = app.another_browser();
        async move { parts(app.get_clause(CLAUSE).await).await.1["results"].clone() }
    };
    let before = (results(&a).await, results(&b).await);
    assert_eq!(before.0, before.1);
    let heard = b.store.writes_heard();
    let (status, _) = parts(
        amina
            .cast_position(CLAUSE, json!({"stance": "endorse"}))
            .await,
    )
    .await;
    assert_eq!(status, 200);
    b.until_heard(heard).await;
    let count = |results: &serde_json::Value, stance: &str| results["total"][stance].as_i64();
    let endorsed = count(&before.1, "endorse").map(|n| n + 1);
    assert_eq!(
        count(&results(&b).await, "endorse"),
        endorsed,
        "b forgot the old count"
    );
    let heard = a.store.writes_heard();
    let change = json!({"stance": "oppose", "reason": "Changed my mind."});
    let (status, _) = parts(amina_on_b.cast_position(CLAUSE, change).await).await;
    assert_eq!(status, 200);
    a.until_heard(heard).await;
    let (on_a, on_b) = (results(&a).await, results(&b).await);
    assert_eq!(on_a, on_b);
    assert_eq!(
        count(&on_a, "oppose"),
        count(&before.0, "oppose").map(|n| n + 1)
    );
    assert_eq!(count(&on_a, "endorse"), count(&before.0, "endorse"));

    // Signing out on b ends the session on a too, though a remembered it: at once for a write
    // (which a checks in the database), as soon as a hears of it for a read.
    assert_eq!(amina.get_session().await.status(), 200);
    let heard = a.store.writes_heard();
    assert_eq!(amina_on_b.sign_out().await.status(), 204);
    let cast = amina
        .cast_position(CLAUSE, json!({"stance": "abstain"}))
        .await;
    assert_eq!(cast.status(), 401, "no write with an ended session");
    a.until_heard(heard).await;
    let (status, _) = parts(amina.get_session().await).await;
    assert_eq!(status, 401);

    super::assert_recorded(&a, &["account.created", "comment.posted", "position.cast"]).await;
}

/// A newcomer's fresh install says it has nothing yet on the reading pages too.
#[tokio::test]
async fn the_reading_pages_of_a_fresh_install_say_there_is_nothing_yet() {
    let app = tests::spawn_empty_app(Db::Sqlite).await;
    let page = app.get("/read").await.text().await.expect("page");
    assert!(page.contains("There are no consultations yet."), "{page}");
}
