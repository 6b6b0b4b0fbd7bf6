//! Rounds: their clauses and tallies, hidden results, opening the next one, phases and schedules,
//! houses and consensus once closed, and the redline against the previous round.

use super::{assert_recorded, close_2019, close_2019_like, participant};
use serde_json::{Value, json};
use tests::api;
use tests::{CLAUSE, Db, parts, spawn_app};

pub(crate) async fn a_round_lists_its_clauses_in_order_with_their_tallies(db: Db) {
    let app = spawn_app(db).await;

    let (status, body) = parts(app.get_round("paris-call", "2019").await).await;

    assert_eq!(status, 200);
    let clauses = body["clauses"].as_array().expect("clauses");
    assert_eq!(clauses.len(), 9);
    let numbers: Vec<i64> = clauses
        .iter()
        .map(|c| c["number"].as_i64().unwrap_or(0))
        .collect();
    assert_eq!(numbers, (1..=9).collect::<Vec<_>>());
    assert_eq!(clauses[0]["key"], "protect-individuals");
    assert_eq!(clauses[0]["tally"]["endorse"], 2);
    assert_eq!(clauses[0]["comment_count"], 1);
}

pub(crate) async fn a_round_can_hide_its_results_from_participants_until_it_closes(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let convener = app.new_convener(&admin, "paris-call", "chair").await;
    close_2019(&convener).await;
    let new = json!({"slug": "2020", "title": "2020 review", "hide_results": true});
    let (status, round) = parts(convener.open_round("paris-call", new).await).await;
    assert_eq!((status, &round["hide_results"]), (201, &json!(true)));
    let voting = json!({"phase": "voting"});
    convener.move_phase("paris-call", "2020", voting).await;
    let clause_2020 = &api::clause("paris-call", "2020", "protect-individuals");

    app.sign_up("amina", "a long passphrase").await;
    app.join("civil_society").await;
    let (status, cast) = parts(
        app.cast_position(clause_2020, json!({"stance": "endorse"}))
            .await,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(cast["tally"], Value::Null, "no counts for participants");
    let (_, clause) = parts(app.get_clause(clause_2020).await).await;
    assert_eq!(clause["results"], Value::Null);
    let (_, round) = parts(app.get_round("paris-call", "2020").await).await;
    assert_eq!(round["clauses"][0]["tally"], Value::Null);

    let (status, body) = parts(app.get_results(clause_2020).await).await;
    assert_eq!((status, &body["code"]), (409, &json!("not_published")));
    let (_, seen) = parts(convener.get_clause(clause_2020).await).await;
    assert_eq!(seen["results"]["total"]["endorse"], 1, "conveners see them");
    let (_, alone) = parts(convener.get_results(clause_2020).await).await;
    assert_eq!(alone, seen["results"]);

    close_2019_like(&convener, "2020").await;
    let (_, clause) = parts(app.get_clause(clause_2020).await).await;
    assert_eq!(
        clause["results"]["total"]["endorse"], 1,
        "everyone, once closed"
    );
    let (status, _) = parts(app.get_results(clause_2020).await).await;
    assert_eq!(status, 200);
}

pub(crate) async fn a_convener_opens_the_next_round_from_the_last_and_edits_the_draft(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let convener = app.new_convener(&admin, "paris-call", "chair").await;
    let new = json!({"slug": "2020", "title": "2020 review"});

    let (status, body) = parts(convener.open_round("paris-call", new.clone()).await).await;
    assert_eq!(
        (status, &body["code"]),
        (409, &json!("previous_round_open"))
    );
    close_2019(&convener).await;
    let bad = json!({"slug": "twenty twenty", "title": " "});
    let (status, body) = parts(convener.open_round("paris-call", bad).await).await;
    assert_eq!(status, 422);
    assert_eq!(body["fields"].as_array().map(Vec::len), Some(2));
    let (status, round) = parts(convener.open_round("paris-call", new.clone()).await).await;
    assert_eq!(status, 201);
    assert_eq!(round["phase"], "draft");
    assert_eq!(round["previous_round"], "2019");
    assert_eq!(round["clauses"].as_array().map(Vec::len), Some(9));
    let (status, body) = parts(convener.open_round("paris-call", new).await).await;
    assert_eq!((status, &body["code"]), (409, &json!("round_exists")));

    // Edit a clause, naming the 2019 comment that led to the change.
    let (_, comments_2019) = parts(app.list_comments(CLAUSE).await).await;
    let comment_id = comments_2019["threads"][0]["id"]
        .as_i64()
        .expect("a demo comment");
    let clause = api::clause("paris-call", "2020", "protect-individuals");
    let (_, old) = parts(app.get_clause(&clause).await).await;
    let body_md = format!(
        "{} Companies share this duty.",
        old["body_md"].as_str().expect("body")
    );
    let edit = json!({
        "title": "Protect individuals and infrastructure",
        "body_md": body_md,
        "change_note": "Companies hold much of the infrastructure.",
        "responds_to": [comment_id],
    });
    let (status, _) = parts(convener.edit_clause(&clause, edit.clone()).await).await;
    assert_eq!(status, 200);
    let (_, edited) = parts(app.get_clause(&clause).await).await;
    assert_eq!(edited["responds_to"], json!([comment_id]));
    assert_eq!(edited["previous_round"], "2019");
    let added: String = edited["redline"]
        .as_array()
        .expect("redline")
        .iter()
        .filter(|s| s["change"] == "added")
        .filter_map(|s| s["text"].as_str())
        .collect();
    assert!(added.contains("Companies"), "{added}");
    let wrong = json!({"title": "T", "body_md": "B", "responds_to": [999_999]});
    let (status, body) = parts(convener.edit_clause(&clause, wrong).await).await;
    assert_eq!(
        (status, &body["fields"][0]["field"]),
        (422, &json!("responds_to"))
    );

    // Add, reorder and remove clauses.
    let new_clause =
        json!({"title": "Protect journalists", "body_md": "Journalists are protected."});
    let (status, round) = parts(convener.add_clause("paris-call", "2020", new_clause).await).await;
    assert_eq!(status, 201);
    let keys: Vec<String> = round["clauses"]
        .as_array()
        .expect("clauses")
        .iter()
        .filter_map(|c| c["key"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(keys.len(), 10);
    assert_eq!(keys[9], "protect-journalists");
    let mut reordered = keys.clone();
    reordered.rotate_right(1);
    let (status, round) = parts(
        convener
            .reorder_clauses("paris-call", "2020", json!({ "keys": reordered }))
            .await,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(round["clauses"][0]["key"], "protect-journalists");
    assert_eq!(round["clauses"][0]["number"], 1);
    let (status, _) = parts(
        convener
            .reorder_clauses(
                "paris-call",
                "2020",
                json!({ "keys": ["protect-journalists"] }),
            )
            .await,
    )
    .await;
    assert_eq!(status, 422, "every clause once");
    let (status, round) = parts(
        convener
            .remove_clause(api::clause("paris-call", "2020", "protect-journalists"))
            .await,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(round["clauses"].as_array().map(Vec::len), Some(9));
    assert_eq!(round["clauses"][0]["number"], 1, "numbering closes the gap");

    // Once commenting starts, the text is fixed.
    let commenting = json!({"phase": "commenting"});
    convener.move_phase("paris-call", "2020", commenting).await;
    let (status, body) = parts(convener.edit_clause(&clause, edit).await).await;
    assert_eq!((status, &body["code"]), (409, &json!("phase_closed")));
    assert_recorded(
        &app,
        &[
            "round.opened",
            "clause.edited",
            "clause.added",
            "clause.removed",
            "clauses.reordered",
        ],
    )
    .await;
}

pub(crate) async fn phases_move_forward_and_back_until_the_round_closes(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let convener = app.new_convener(&admin, "paris-call", "chair").await;
    let to = async |p: &str| {
        parts(
            convener
                .move_phase("paris-call", "2019", json!({ "phase": p }))
                .await,
        )
        .await
    };

    assert_eq!(
        to("commenting").await.0,
        200,
        "back to comments before close"
    );
    app.sign_up("amina", "a long passphrase").await;
    app.join("civil_society").await;
    let (status, body) = parts(
        app.cast_position(CLAUSE, json!({"stance": "endorse"}))
            .await,
    )
    .await;
    assert_eq!((status, &body["code"]), (409, &json!("phase_closed")));
    assert_eq!(to("voting").await.0, 200);
    assert_eq!(
        to("voting").await.0,
        200,
        "the same phase again is harmless"
    );
    assert_eq!(to("closed").await.0, 200);
    let (status, body) = to("voting").await;
    assert_eq!((status, &body["code"]), (409, &json!("phase_move_refused")));
    let (status, body) = parts(app.post_comment(CLAUSE, json!({"body": "Too late?"})).await).await;
    assert_eq!((status, &body["code"]), (409, &json!("phase_closed")));
    assert_eq!(to("published").await.0, 200);
    let (status, _) = to("draft").await;
    assert_eq!(status, 409);
    let (status, _) = to("sometime").await;
    assert_eq!(status, 422);
}

pub(crate) async fn a_scheduled_round_moves_on_by_itself(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let convener = app.new_convener(&admin, "paris-call", "chair").await;
    close_2019(&convener).await;
    let new = json!({"slug": "2020", "title": "2020 review"});
    convener.open_round("paris-call", new).await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_millis() as i64;
    let hour = 3_600_000;

    let past = json!({"voting_at_ms": now - hour});
    let (status, body) = parts(convener.set_schedule("paris-call", "2020", past).await).await;
    assert_eq!(
        (status, &body["fields"][0]["code"]),
        (422, &json!("in_the_past"))
    );
    let order = json!({"voting_at_ms": now + 2 * hour, "closing_at_ms": now + hour});
    let (status, body) = parts(convener.set_schedule("paris-call", "2020", order).await).await;
    assert_eq!(
        (status, &body["fields"][0]["code"]),
        (422, &json!("out_of_order"))
    );

    let plan = json!({"commenting_at_ms": now + hour, "voting_at_ms": now + 2 * hour});
    let (status, round) = parts(convener.set_schedule("paris-call", "2020", plan).await).await;
    assert_eq!(status, 200);
    assert_eq!(round["phase"], "draft");
    assert_eq!(round["deadline"]["phase"], "commenting");

    // Two hours pass (the test moves the schedule back instead of waiting).
    app.execute(
        "UPDATE rounds SET commenting_at_ms = commenting_at_ms - $1, \
         voting_at_ms = voting_at_ms - $1 WHERE slug = '2020'",
        &[2 * hour + 1000],
    )
    .await;
    app.until_the_server_notices().await;
    let (_, round) = parts(app.get_round("paris-call", "2020").await).await;
    assert_eq!(round["phase"], "voting");
    assert_eq!(round["deadline"], Value::Null);
    app.sign_up("amina", "a long passphrase").await;
    app.join("civil_society").await;
    let clause_2020 = &api::clause("paris-call", "2020", "protect-individuals");
    let (status, _) = parts(
        app.cast_position(clause_2020, json!({"stance": "endorse"}))
            .await,
    )
    .await;
    assert_eq!(status, 200, "the scheduled vote is open");

    // Moving back by hand drops the times already passed, so the move sticks.
    let back = json!({"phase": "commenting"});
    let (_, round) = parts(convener.move_phase("paris-call", "2020", back).await).await;
    assert_eq!(round["phase"], "commenting");
    assert_eq!(round["schedule"]["voting_at_ms"], Value::Null);
}

pub(crate) async fn a_closed_round_shows_houses_consensus_and_minority_statements_once_published(
    db: Db,
) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let convener = app.new_convener(&admin, "paris-call", "chair").await;
    let rules = json!({"rule": "every_house", "abstentions_count": false});
    let (status, round) = parts(convener.set_rules("paris-call", "2019", rules).await).await;
    assert_eq!((status, &round["rule"]), (200, &json!("every_house")));

    // Many government voices endorse; civil society, through its organisation, opposes.
    for i in 0..4 {
        let official = participant(&app, &format!("official-{i}"), "government").await;
        official
            .cast_position(CLAUSE, json!({"stance": "endorse"}))
            .await;
    }
    let activist = participant(&app, "activist", "civil_society").await;
    let new = json!({"name": "Digital Rights Lab", "stakeholder_group": "civil_society", "region": "Global"});
    activist.create_organisation(new).await;
    admin
        .set_representative("digital-rights-lab", json!({"handle": "activist"}))
        .await;
    activist
        .cast_position(
            CLAUSE,
            json!({"stance": "oppose", "reason": "Surveillance loophole."}),
        )
        .await;
    let (_, clause) = parts(app.get_clause(CLAUSE).await).await;
    assert_eq!(clause["chambered"]["rule"], "every_house");
    assert_eq!(
        clause["chambered"]["carried"], false,
        "civil society's house did not carry"
    );

    // Statements and consensus wait for the close; results wait for publication.
    let text = json!({"organisation": "digital-rights-lab", "body": "We oppose: it permits bulk collection."});
    let (status, body) = parts(
        activist
            .attach_minority_statement(CLAUSE, text.clone())
            .await,
    )
    .await;
    assert_eq!((status, &body["code"]), (409, &json!("phase_closed")));
    close_2019(&convener).await;
    let level = json!({"level": "strong_support"});
    assert_eq!(
        convener.designate_consensus(CLAUSE, level).await.status(),
        204
    );
    let (status, body) = parts(
        app.another_browser()
            .attach_minority_statement(CLAUSE, text.clone())
            .await,
    )
    .await;
    assert_eq!(status, 401, "{body}");
    let official = app.another_browser();
    official.sign_in("official-0", "a long passphrase").await;
    let (status, body) = parts(
        official
            .attach_minority_statement(CLAUSE, text.clone())
            .await,
    )
    .await;
    assert_eq!((status, &body["code"]), (403, &json!("not_representative")));
    assert_eq!(
        body["message"],
        "Only the organisation's representative may attach its minority statement."
    );
    let (status, statements) = parts(activist.attach_minority_statement(CLAUSE, text).await).await;
    assert_eq!(status, 200);
    assert_eq!(statements[0]["organisation_name"], "Digital Rights Lab");

    let (status, body) = parts(
        app.another_browser()
            .round_results("paris-call", "2019")
            .await,
    )
    .await;
    assert_eq!((status, &body["code"]), (409, &json!("not_published")));
    let (status, _) = parts(convener.round_results("paris-call", "2019").await).await;
    assert_eq!(
        status, 200,
        "conveners prepare the results before publishing"
    );
    let publish = json!({"phase": "published"});
    convener.move_phase("paris-call", "2019", publish).await;
    let (status, published) = parts(
        app.another_browser()
            .round_results("paris-call", "2019")
            .await,
    )
    .await;
    assert_eq!(status, 200);
    let first = &published["clauses"][0];
    assert_eq!(first["key"], "protect-individuals");
    assert_eq!(first["consensus"], "strong_support");
    assert_eq!(
        first["minority_statements"][0]["body"],
        "We oppose: it permits bulk collection."
    );
    let houses = first["chambered"]["houses"].as_array().expect("houses");
    let government = houses
        .iter()
        .find(|h| h["group"] == "government")
        .expect("government");
    assert_eq!(government["carried"], true);
    let civil = houses
        .iter()
        .find(|h| h["group"] == "civil_society")
        .expect("civil society");
    assert_eq!(civil["carried"], false);
    let level = json!({"level": "consensus"});
    let (status, _) = parts(convener.designate_consensus(CLAUSE, level).await).await;
    assert_eq!(status, 409, "nothing changes once published");
    assert_recorded(
        &app,
        &[
            "round.phase_moved",
            "clause.consensus_designated",
            "minority_statement.attached",
            "representative.named",
        ],
    )
    .await;
}

pub(crate) async fn a_round_reads_as_one_redline_against_the_previous(db: Db) {
    let app = spawn_app(db).await;
    let (status, redline) = parts(app.round_redline("paris-call", "2019").await).await;
    assert_eq!(status, 200);
    assert_eq!(redline["previous_round"], "2018");
    let clauses = redline["clauses"].as_array().expect("clauses");
    assert_eq!(clauses.len(), 9);
    assert!(
        clauses.iter().any(|c| c["fate"] == "changed"),
        "the demo reworded 2019: {redline}"
    );
    let (_, first) = parts(app.round_redline("paris-call", "2018").await).await;
    assert_eq!(first["previous_round"], Value::Null);
    assert!(
        first["clauses"]
            .as_array()
            .expect("clauses")
            .iter()
            .all(|c| c["fate"] == "added")
    );
}
