//! Languages of the text and of the discussion: the conveners' translations of a clause, and
//! the language each comment is written in.

use super::{close_2019, participant};
use serde_json::{Value, json};
use tests::api;
use tests::{CLAUSE, Db, TestApp, parts, spawn_app};

/// The languages of a clause's translations, in order.
fn languages(translations: &Value) -> Vec<&str> {
    translations
        .as_array()
        .expect("translations")
        .iter()
        .map(|t| t["language"].as_str().expect("language"))
        .collect()
}

async fn translate(who: &TestApp, clause: &str, language: &str, body: Value) -> (u16, Value) {
    parts(who.translate_clause(clause, language, body).await).await
}

pub(crate) async fn conveners_translate_a_clause_and_readers_learn_when_the_original_changed(
    db: Db,
) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let convener = app.new_convener(&admin, "paris-call", "chair").await;
    let amina = participant(&app, "amina", "civil_society").await;

    // The demo's first principle comes in the interface's other three languages.
    let (_, clause) = parts(app.get_clause(CLAUSE).await).await;
    assert_eq!(languages(&clause["translations"]), ["fr", "es", "ar"]);
    let french = &clause["translations"][0];
    assert_eq!(french["outdated"], false);
    assert!(
        french["body_html"]
            .as_str()
            .is_some_and(|h| h.contains("<strong>individus</strong>")),
        "rendered like the original: {french}"
    );
    assert_eq!(clause["title"], "Protect individuals and infrastructure");

    let text = json!({"title": "Individuals first", "body_md": "Protect *people*."});
    let (status, body) = translate(&amina, CLAUSE, "en", text.clone()).await;
    assert_eq!((status, &body["code"]), (403, &json!("forbidden")));
    let (status, body) = translate(&convener, CLAUSE, "de", text.clone()).await;
    assert_eq!(
        (status, &body["fields"][0]["field"]),
        (422, &json!("language"))
    );
    let (status, body) = translate(
        &convener,
        CLAUSE,
        "en",
        json!({"title": " ", "body_md": ""}),
    )
    .await;
    assert_eq!(status, 422);
    let fields: Vec<&Value> = body["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| &f["field"])
        .collect();
    assert_eq!(fields, [&json!("title"), &json!("body_md")]);
    let (status, body) = translate(
        &convener,
        &api::clause("paris-call", "2019", "no-such-clause"),
        "en",
        text.clone(),
    )
    .await;
    assert_eq!((status, &body["code"]), (404, &json!("not_found")));

    let (status, translations) = translate(&convener, CLAUSE, "en", text.clone()).await;
    assert_eq!(status, 200);
    assert_eq!(languages(&translations), ["en", "fr", "es", "ar"]);
    let (status, replaced) = translate(
        &convener,
        CLAUSE,
        "en",
        json!({"title": "People first", "body_md": "Protect people."}),
    )
    .await;
    assert_eq!(
        (status, &replaced[0]["title"]),
        (200, &json!("People first"))
    );
    let (_, clause) = parts(app.get_clause(CLAUSE).await).await;
    assert_eq!(clause["translations"], replaced, "readers see it at once");

    let (status, left) = parts(convener.remove_translation(CLAUSE, "en").await).await;
    assert_eq!((status, languages(&left)), (200, vec!["fr", "es", "ar"]));
    let (status, body) = parts(convener.remove_translation(CLAUSE, "en").await).await;
    assert_eq!((status, &body["code"]), (404, &json!("not_found")));

    // Nothing changes once the round is closed…
    close_2019(&convener).await;
    let (status, body) = translate(&convener, CLAUSE, "en", text).await;
    assert_eq!((status, &body["code"]), (409, &json!("phase_closed")));

    // …and the next round starts with the translations, which say so once the wording departs.
    let new = json!({"slug": "2020", "title": "2020 review"});
    let (status, _) = parts(convener.open_round("paris-call", new).await).await;
    assert_eq!(status, 201);
    let next = &api::clause("paris-call", "2020", "protect-individuals");
    let (_, clause) = parts(app.get_clause(next).await).await;
    assert_eq!(languages(&clause["translations"]), ["fr", "es", "ar"]);
    assert_eq!(clause["translations"][2]["outdated"], false);
    let edit = json!({
        "title": clause["title"],
        "body_md": format!("{} Companies share this duty.", clause["body_md"].as_str().expect("body")),
    });
    let (status, _) = parts(convener.edit_clause(next, edit).await).await;
    assert_eq!(status, 200);
    let (_, clause) = parts(app.get_clause(next).await).await;
    assert!(
        clause["translations"]
            .as_array()
            .expect("translations")
            .iter()
            .all(|t| t["outdated"] == true),
        "{}",
        clause["translations"]
    );
}

pub(crate) async fn a_comment_carries_the_language_its_author_wrote_it_in(db: Db) {
    let app = spawn_app(db).await;
    let amina = participant(&app, "amina", "civil_society").await;

    let (status, posted) = parts(
        amina
            .post_comment(
                CLAUSE,
                json!({"body": "Y compris les journalistes.", "language": "fr"}),
            )
            .await,
    )
    .await;
    assert_eq!((status, &posted["language"]), (201, &json!("fr")));
    let (status, unsaid) = parts(
        amina
            .post_comment(CLAUSE, json!({"body": "Sem idioma indicado."}))
            .await,
    )
    .await;
    assert_eq!((status, &unsaid["language"]), (201, &Value::Null));
    let (status, body) = parts(
        amina
            .post_comment(CLAUSE, json!({"body": "Auf Deutsch.", "language": "de"}))
            .await,
    )
    .await;
    assert_eq!((status, &body["code"]), (422, &json!("invalid_json")));

    let (_, page) = parts(app.list_comments(CLAUSE).await).await;
    let said: Vec<(&Value, &Value)> = page["threads"]
        .as_array()
        .expect("threads")
        .iter()
        .map(|c| (&c["body"], &c["language"]))
        .collect();
    assert!(said.contains(&(&json!("Y compris les journalistes."), &json!("fr"))));
    assert!(said.contains(&(&json!("Sem idioma indicado."), &Value::Null)));
    assert!(!said.iter().any(|(body, _)| *body == "Auf Deutsch."));
}
