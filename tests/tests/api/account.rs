//! The signed-in account's own settings: its sessions, its password, its data, and deleting it.

use serde_json::{Value, json};
use tests::{CLAUSE, Db, OTHER_CLAUSE, parts, spawn_app};

pub(crate) async fn a_participant_lists_their_sessions_and_ends_another(db: Db) {
    let laptop = spawn_app(db).await;
    laptop.sign_up("amina", "a long passphrase").await;
    let phone = laptop.another_browser();
    phone.sign_in("amina", "a long passphrase").await;
    let stranger = laptop.another_browser();
    stranger
        .sign_up("stranger", "another long passphrase")
        .await;

    let (status, sessions) = parts(laptop.list_sessions().await).await;
    assert_eq!(status, 200);
    let sessions = sessions.as_array().expect("a list").clone();
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions.iter().filter(|s| s["current"] == true).count(), 1);
    let phone_id = sessions
        .iter()
        .find(|s| s["current"] == false)
        .expect("the phone")["id"]
        .as_str()
        .expect("id")
        .to_owned();

    assert_eq!(stranger.end_session(&phone_id).await.status(), 404);
    assert_eq!(
        phone.get_session().await.status(),
        200,
        "a stranger cannot end it"
    );
    assert_eq!(laptop.end_session(&phone_id).await.status(), 204);
    assert_eq!(phone.get_session().await.status(), 401);
    assert_eq!(laptop.get_session().await.status(), 200);
    assert_eq!(laptop.end_session(&phone_id).await.status(), 404);
}

pub(crate) async fn changing_the_password_needs_the_current_one(db: Db) {
    let app = spawn_app(db).await;
    app.sign_up("amina", "a long passphrase").await;
    let change = |current: &str| json!({"current_password": current, "new_password": "tulip orbit sandal", "end_other_sessions": false});

    let (status, body) = parts(app.change_password(change("a guess")).await).await;
    assert_eq!(status, 422);
    assert_eq!(body["fields"][0]["field"], "current_password");

    let response = app.change_password(change("a long passphrase")).await;
    assert_eq!(response.status(), 204);
    app.sign_out().await;
    assert_eq!(
        app.sign_in("amina", "a long passphrase").await.status(),
        401
    );
    assert_eq!(
        app.sign_in("amina", "tulip orbit sandal").await.status(),
        200
    );
}

pub(crate) async fn a_password_change_can_end_every_other_session(db: Db) {
    let laptop = spawn_app(db).await;
    laptop.sign_up("amina", "a long passphrase").await;
    let phone = laptop.another_browser();
    phone.sign_in("amina", "a long passphrase").await;
    let change = |current: &str, new: &str, end: bool| json!({"current_password": current, "new_password": new, "end_other_sessions": end});

    laptop
        .change_password(change("a long passphrase", "tulip orbit sandal", false))
        .await;
    assert_eq!(
        phone.get_session().await.status(),
        200,
        "kept when not asked"
    );

    laptop
        .change_password(change("tulip orbit sandal", "velvet canyon drum", true))
        .await;
    assert_eq!(phone.get_session().await.status(), 401);
    assert_eq!(laptop.get_session().await.status(), 200);
}

pub(crate) async fn a_participant_downloads_everything_held_about_them(db: Db) {
    let app = spawn_app(db).await;
    app.sign_up("amina", "a long passphrase").await;
    app.join("civil_society").await;
    app.post_comment(CLAUSE, json!({"body": "Mine."})).await;
    app.cast_position(CLAUSE, json!({"stance": "oppose", "reason": "Vague."}))
        .await;
    app.cast_position(CLAUSE, json!({"stance": "endorse"}))
        .await;
    let addition = json!({"kind": "addition", "title": "Journalists", "body_md": "Protect them."});
    app.propose("paris-call", "2019", addition).await;
    let (_, page) = parts(app.list_comments(CLAUSE).await).await;
    let demo = page["threads"][0]["id"]
        .as_i64()
        .expect("the demo's comment");
    app.flag_comment("paris-call", &demo, json!({"reason": "Off topic."}))
        .await;

    let response = app.export_account().await;

    let disposition = response.headers()["content-disposition"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(disposition.contains("concord-amina.json"), "{disposition}");
    let (status, export) = parts(response).await;
    assert_eq!(status, 200);
    assert_eq!(export["handle"], "amina");
    assert_eq!(export["comments"][0]["body"], "Mine.");
    assert_eq!(export["comments"][0]["on"]["clause"], "protect-individuals");
    let stances: Vec<&str> = export["positions"]
        .as_array()
        .expect("positions")
        .iter()
        .filter_map(|p| p["stance"].as_str())
        .collect();
    assert_eq!(stances, ["oppose", "endorse"], "every change, oldest first");
    assert_eq!(export["sessions"][0]["current"], true);
    assert_eq!(export["proposals"][0]["title"], "Journalists");
    assert_eq!(export["proposals"][0]["on"]["clause"], "proposal-1");
    assert_eq!(export["flags"][0]["comment_id"], demo);
    assert_eq!(export["flags"][0]["reason"], "Off topic.");
    assert_eq!(app.another_browser().export_account().await.status(), 401);
}

pub(crate) async fn deleting_an_account_needs_its_password(db: Db) {
    let app = spawn_app(db).await;
    app.sign_up("amina", "a long passphrase").await;

    let wrong = json!({"password": "a guess"});
    let (status, body) = parts(app.delete_account(wrong).await).await;

    assert_eq!(status, 422);
    assert_eq!(body["fields"][0]["field"], "password");
    assert_eq!(
        app.get_session().await.status(),
        200,
        "still there, still signed in"
    );
}

pub(crate) async fn a_deleted_account_convenes_and_represents_nothing_any_more(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let convener = app.new_convener(&admin, "paris-call", "chair").await;
    let new = json!({"name": "Digital Rights Lab", "stakeholder_group": "civil_society", "region": "Global"});
    convener.create_organisation(new).await;
    let (_, me) = parts(convener.get_session().await).await;
    assert_eq!(me["convenes"], json!(["paris-call"]));
    convener.request_membership("digital-rights-lab").await;
    admin.accept_membership("digital-rights-lab", "chair").await;
    let representative = json!({"handle": "chair"});
    let named = admin
        .set_representative("digital-rights-lab", representative)
        .await;
    assert_eq!(named.status(), 204);

    let password = json!({"password": "a long passphrase"});
    let deleted = convener.delete_account(password).await;
    assert_eq!(deleted.status(), 204);

    let (_, conveners) = parts(admin.list_conveners("paris-call").await).await;
    assert_eq!(conveners, json!([]));
    let (_, organisations) = parts(admin.list_organisations().await).await;
    assert_eq!(organisations[0]["representative"], Value::Null);
}

pub(crate) async fn a_deleted_accounts_comments_stay_as_a_former_participants(db: Db) {
    let app = spawn_app(db).await;
    app.sign_up("zofia", "a long passphrase").await;
    let phone = app.another_browser();
    phone.sign_in("zofia", "a long passphrase").await;
    app.post_comment(CLAUSE, json!({"body": "Kept after I leave."}))
        .await;

    let confirm = json!({"password": "a long passphrase"});
    assert_eq!(app.delete_account(confirm).await.status(), 204);

    let (_, comments) = parts(app.list_comments(CLAUSE).await).await;
    let mine = comments["threads"]
        .as_array()
        .and_then(|l| l.iter().find(|c| c["body"] == "Kept after I leave."))
        .cloned()
        .expect("the comment stays");
    assert_eq!(mine["author"], Value::Null);
    assert!(
        !comments.to_string().contains("zofia"),
        "the handle is gone: {comments}"
    );
    assert_eq!(app.get_session().await.status(), 401);
    assert_eq!(
        phone.get_session().await.status(),
        401,
        "signed out everywhere"
    );
    assert_eq!(
        app.sign_in("zofia", "a long passphrase").await.status(),
        401
    );
    // Nobody takes the handle over to pass as her.
    let newcomer = app.another_browser();
    let (status, body) = parts(newcomer.sign_up("Zofia", "another long passphrase").await).await;
    assert_eq!(
        (status, &body["code"]),
        (409, &json!("handle_taken")),
        "{body}"
    );
}

pub(crate) async fn a_deleted_accounts_positions_leave_open_rounds_and_stay_in_closed_ones(db: Db) {
    let app = spawn_app(db).await;
    let confirm = json!({"password": "a long passphrase"});
    let other_clause = OTHER_CLAUSE;

    // A position in a round that is still voting is withdrawn with the account.
    app.sign_up("amina", "a long passphrase").await;
    app.join("civil_society").await;
    app.cast_position(CLAUSE, json!({"stance": "oppose", "reason": "Vague."}))
        .await;
    app.delete_account(confirm.clone()).await;
    let (_, clause) = parts(app.get_clause(CLAUSE).await).await;
    assert_eq!(clause["results"]["total"]["oppose"], 0);

    // A position in a closed round stays counted — here closed by its schedule, the stored
    // phase still saying "voting".
    app.sign_up("grace", "a long passphrase").await;
    app.join("civil_society").await;
    app.cast_position(
        other_clause,
        json!({"stance": "oppose", "reason": "Vague."}),
    )
    .await;
    app.execute(
        "UPDATE rounds SET closing_at_ms = 1 WHERE slug = '2019'",
        &[],
    )
    .await;
    app.until_the_server_notices().await;
    app.delete_account(confirm).await;
    let (_, clause) = parts(app.get_clause(other_clause).await).await;
    assert_eq!(clause["results"]["total"]["oppose"], 1);
}
