//! Records: the hash-chained audit log.

use serde_json::json;
use tests::{CLAUSE, Db, parts, spawn_app};

use super::participant;
use backend::store::Store;
use backend::store::audit::Verdict;

pub(crate) async fn every_change_enters_an_append_only_chain_that_verify_checks(db: Db) {
    let app = spawn_app(db).await;
    let amina = participant(&app, "amina", "civil_society").await;
    let (status, _) = parts(
        amina
            .post_comment(CLAUSE, json!({"body": "On the record."}))
            .await,
    )
    .await;
    assert_eq!(status, 201);
    let (status, _) = parts(
        amina
            .cast_position(CLAUSE, json!({"stance": "oppose", "reason": "Vague."}))
            .await,
    )
    .await;
    assert_eq!(status, 200);

    // Deleting an account adds to history rather than rewriting it.
    let deleted = amina
        .request(
            reqwest::Method::DELETE,
            "/api/v1/account",
            Some(json!({"password": "a long passphrase"})),
        )
        .await;
    assert_eq!(deleted.status(), 204);

    let actions = app
        .strings("SELECT action FROM audit_log ORDER BY id")
        .await;
    for expected in ["account.created", "participation.stated", "position.cast"] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected} in {actions:?}"
        );
    }
    let last_three: Vec<&str> = actions
        .iter()
        .rev()
        .take(3)
        .rev()
        .map(String::as_str)
        .collect();
    assert_eq!(
        last_three,
        ["comment.posted", "position.cast", "account.deleted"]
    );
    let store = Store::connect(&app.database_url).await.expect("connect");
    let Verdict::Intact { entries, .. } = store.verify_audit().await.expect("verify") else {
        panic!("a fresh log verifies");
    };
    assert_eq!(usize::try_from(entries).ok(), Some(actions.len()));

    // Entries cannot be changed or removed through the database's front door …
    let pool = sqlx::AnyPool::connect(&app.database_url)
        .await
        .expect("connect");
    let changed = sqlx::query("UPDATE audit_log SET subject = 'x' WHERE id = 2")
        .execute(&pool)
        .await;
    let removed = sqlx::query("DELETE FROM audit_log WHERE id = 2")
        .execute(&pool)
        .await;
    pool.close().await;
    assert!(removed.is_err(), "the log is append-only");
    assert!(changed.is_err(), "the log is append-only");

    // … and one changed byte behind it is found, at that entry.
    let unguard = match db {
        Db::Sqlite => "DROP TRIGGER audit_log_no_update",
        Db::Postgres => "DROP TRIGGER audit_log_no_change ON audit_log",
    };
    app.execute(unguard, &[]).await;
    app.execute(
        "UPDATE audit_log SET details = replace(details, 'Vague', 'Vagua') WHERE id = $1",
        &[i64::try_from(actions.len() - 1).expect("fits")],
    )
    .await;
    match store.verify_audit().await.expect("verify") {
        Verdict::Broken { entry, why } => {
            assert_eq!(
                usize::try_from(entry).ok(),
                Some(actions.len() - 1),
                "{why}"
            );
            assert!(why.contains("hashes to"), "{why}");
        }
        intact => panic!("a changed entry went unnoticed: {intact:?}"),
    }
    store.close().await;
}

/// Asserts that the audit log verifies and holds every one of `actions`.
pub(crate) async fn assert_recorded(app: &tests::TestApp, actions: &[&str]) {
    let logged = app
        .strings("SELECT action FROM audit_log ORDER BY id")
        .await;
    for action in actions {
        assert!(logged.iter().any(|a| a == action), "{action} in {logged:?}");
    }
    let store = Store::connect(&app.database_url).await.expect("connect");
    let verdict = store.verify_audit().await.expect("verify");
    store.close().await;
    assert!(matches!(verdict, Verdict::Intact { .. }), "{verdict:?}");
}
