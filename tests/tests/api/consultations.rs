//! Consultations as everybody reads them.

use serde_json::json;
use tests::api;
use tests::{Db, parts, spawn_app};

pub(crate) async fn the_demo_consultation_is_listed_with_its_current_round(db: Db) {
    let app = spawn_app(db).await;

    let (status, body) = parts(app.list_consultations().await).await;

    assert_eq!(status, 200);
    assert_eq!(body[0]["slug"], "paris-call");
    assert_eq!(body[0]["current_round"]["slug"], "2019");
    assert_eq!(body[0]["current_round"]["phase"], "voting");
}

pub(crate) async fn an_unknown_consultation_round_or_clause_is_404(db: Db) {
    let app = spawn_app(db).await;
    for path in [
        api::path("/consultations/nope"),
        api::path("/consultations/paris-call/rounds/1999"),
        api::path("/consultations/paris-call/rounds/2019/clauses/nope"),
        api::path("/consultations/paris-call/rounds/2019/clauses/nope/comments"),
    ] {
        let (status, body) = parts(app.get(&path).await).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(body["code"], "not_found", "{path}");
    }
    app.signed_in().await;
    let unknown = &api::clause("paris-call", "2019", "nope");
    let (status, _) = parts(app.post_comment(unknown, json!({"body": "Hello"})).await).await;
    assert_eq!(status, 404);
    let (status, _) = parts(
        app.cast_position(unknown, json!({"stance": "endorse"}))
            .await,
    )
    .await;
    assert_eq!(status, 404);
}
