//! Positions: casting and changing them, their counts and receipts, rounds counting per
//! organisation, and the live tally.

use super::{close_2019, participant, read_events_until};
use serde_json::{Value, json};
use tests::api;
use tests::{CLAUSE, CLOSED_CLAUSE, Db, parts, spawn_app};

pub(crate) async fn taking_a_position_updates_the_tally_and_changing_it_moves_the_count(db: Db) {
    let app = spawn_app(db).await;
    app.signed_in().await.join("civil_society").await;

    let (status, first) = parts(
        app.cast_position(CLAUSE, json!({"stance": "endorse"}))
            .await,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(first["tally"]["endorse"], 3);

    let (status, second) = parts(
        app.cast_position(CLAUSE, json!({"stance": "abstain"}))
            .await,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(second["position"]["stance"], "abstain");
    assert_eq!(second["tally"]["endorse"], 2);
    assert_eq!(second["tally"]["abstain"], 1);

    let (_, round) = parts(app.get_round("paris-call", "2019").await).await;
    assert_eq!(round["clauses"][0]["tally"], second["tally"]);
}

pub(crate) async fn a_reader_sees_their_own_position_on_the_clause(db: Db) {
    let app = spawn_app(db).await;
    app.signed_in().await.join("civil_society").await;
    let (_, before) = parts(app.get_clause(CLAUSE).await).await;
    assert_eq!(before["my_position"], Value::Null);

    app.cast_position(CLAUSE, json!({"stance": "oppose", "reason": "Too vague."}))
        .await;
    let (_, after) = parts(app.get_clause(CLAUSE).await).await;

    assert_eq!(after["my_position"]["stance"], "oppose");
    assert_eq!(after["my_position"]["reason"], "Too vague.");
}

pub(crate) async fn a_reservation_without_a_reason_is_rejected(db: Db) {
    let app = spawn_app(db).await;
    app.signed_in().await.join("civil_society").await;

    let (status, body) = parts(
        app.cast_position(CLAUSE, json!({"stance": "endorse_with_reservation"}))
            .await,
    )
    .await;

    assert_eq!(status, 422);
    assert_eq!(body["code"], "validation_failed");
    assert_eq!(body["fields"][0]["field"], "reason");
    let (_, clause) = parts(app.get_clause(CLAUSE).await).await;
    assert_eq!(
        clause["results"]["total"]["endorse_with_reservation"], 0,
        "nothing was recorded"
    );
}

pub(crate) async fn an_opposition_with_a_reason_is_accepted(db: Db) {
    let app = spawn_app(db).await;
    app.signed_in().await.join("civil_society").await;

    let (status, body) = parts(
        app.cast_position(
            CLAUSE,
            json!({"stance": "oppose", "reason": "Leaves out journalists."}),
        )
        .await,
    )
    .await;

    assert_eq!(status, 200);
    assert_eq!(body["position"]["reason"], "Leaves out journalists.");
    assert_eq!(body["tally"]["oppose"], 1);
}

pub(crate) async fn an_unknown_position_value_is_rejected(db: Db) {
    let app = spawn_app(db).await;
    app.signed_in().await.join("civil_society").await;

    let (status, body) = parts(app.cast_position(CLAUSE, json!({"stance": "maybe"})).await).await;

    assert_eq!(status, 422);
    assert_eq!(body["code"], "invalid_json");
}

pub(crate) async fn a_position_on_a_clause_of_the_closed_round_is_refused(db: Db) {
    let app = spawn_app(db).await;
    app.signed_in().await.join("civil_society").await;

    let (status, body) = parts(
        app.cast_position(CLOSED_CLAUSE, json!({"stance": "endorse"}))
            .await,
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(body["code"], "phase_closed");

    let (status, _) = parts(
        app.post_comment(CLOSED_CLAUSE, json!({"body": "Late."}))
            .await,
    )
    .await;
    assert_eq!(status, 409);
}

pub(crate) async fn a_position_counts_in_the_voters_group_and_region_with_a_receipt(db: Db) {
    let app = spawn_app(db).await;
    app.sign_up("amina", "a long passphrase").await;
    let (status, body) = parts(
        app.cast_position(CLAUSE, json!({"stance": "endorse"}))
            .await,
    )
    .await;
    assert_eq!((status, &body["code"]), (409, &json!("group_required")));

    let join = json!({"stakeholder_group": "academia", "region": " Eastern Africa "});
    let (status, joined) = parts(app.join_consultation("paris-call", join).await).await;
    assert_eq!(status, 200);
    assert_eq!(joined["region"], "Eastern Africa");
    let (status, cast) = parts(
        app.cast_position(CLAUSE, json!({"stance": "oppose", "reason": "Too vague."}))
            .await,
    )
    .await;
    assert_eq!(status, 200);
    let receipt = cast["position"]["receipt"]
        .as_str()
        .expect("receipt")
        .to_owned();
    // A SHA-256 digest in base64url after an `r`, so it never starts as a spreadsheet formula
    // (`=`, `+`, `-`, `@`) that the CSV files' guard would have to change.
    assert_eq!(receipt.len(), 44, "{receipt}");
    assert!(receipt.starts_with('r'), "{receipt}");

    let (_, clause) = parts(app.get_clause(CLAUSE).await).await;
    assert_eq!(clause["my_group"], "academia");
    assert_eq!(clause["my_position"]["receipt"], json!(receipt));
    let academia = clause["results"]["by_group"]
        .as_array()
        .expect("groups")
        .iter()
        .find(|g| g["group"] == "academia")
        .expect("academia counted")
        .clone();
    assert_eq!(academia["tally"]["oppose"], 1);
    let east_africa = clause["results"]["by_region"]
        .as_array()
        .expect("regions")
        .iter()
        .find(|r| r["region"] == "Eastern Africa")
        .expect("region counted")
        .clone();
    assert_eq!(east_africa["tally"]["oppose"], 1);

    // Changing the position moves the one count; the export keeps every receipt.
    app.cast_position(CLAUSE, json!({"stance": "endorse"}))
        .await;
    let (_, clause) = parts(app.get_clause(CLAUSE).await).await;
    let groups = clause["results"]["by_group"].as_array().expect("groups");
    let academia = groups
        .iter()
        .find(|g| g["group"] == "academia")
        .expect("academia");
    assert_eq!(academia["tally"]["oppose"], 0);
    assert_eq!(academia["tally"]["endorse"], 1);
    let (_, export) = parts(app.export_account().await).await;
    assert_eq!(export["positions"][0]["receipt"], json!(receipt));
}

pub(crate) async fn concurrent_changes_of_position_leave_counts_equal_to_a_recount(db: Db) {
    use rand::Rng;
    let app = spawn_app(db).await;
    let mut voters = Vec::new();
    for i in 0..200 {
        let voter = app.another_browser();
        voter
            .sign_up(&format!("voter-{i}"), "a long passphrase")
            .await;
        let group = ["civil_society", "government", "academia"][i % 3];
        voter.join(group).await;
        voters.push(voter);
    }
    let stances = ["endorse", "abstain", "oppose", "endorse_with_reservation"];
    let mut tasks = tokio::task::JoinSet::new();
    for voter in voters {
        tasks.spawn(async move {
            for _ in 0..3 {
                let stance = stances[rand::rng().random_range(0..stances.len())];
                let response = voter
                    .cast_position(CLAUSE, json!({"stance": stance, "reason": "Because."}))
                    .await;
                assert_eq!(response.status(), 200);
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("a voter finished");
    }

    // Recount from the history: each voter's last cast.
    let last_casts = app
        .strings(
            "SELECT h.stance || '/' || h.stakeholder_group FROM position_changes h \
             JOIN clauses k ON k.id = h.clause_id JOIN rounds r ON r.id = k.round_id \
             WHERE r.slug = '2019' AND k.key = 'protect-individuals' \
               AND h.id = (SELECT MAX(id) FROM position_changes l \
                           WHERE l.clause_id = h.clause_id AND l.account_id = h.account_id)",
        )
        .await;
    let (_, clause) = parts(app.get_clause(CLAUSE).await).await;
    let results = &clause["results"];
    for stance in stances {
        let recount = last_casts
            .iter()
            .filter(|c| c.split('/').next() == Some(stance))
            .count();
        assert_eq!(results["total"][stance], json!(recount), "{stance}");
        for group in ["civil_society", "government", "academia"] {
            let recount = last_casts
                .iter()
                .filter(|c| **c == format!("{stance}/{group}"))
                .count();
            let counted = results["by_group"]
                .as_array()
                .expect("groups")
                .iter()
                .find(|g| g["group"] == group)
                .map_or(json!(0), |g| g["tally"][stance].clone());
            assert_eq!(counted, json!(recount), "{stance} in {group}");
        }
    }
}

pub(crate) async fn a_round_counting_per_organisation_takes_the_representatives_position(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let convener = app.new_convener(&admin, "paris-call", "chair").await;
    close_2019(&convener).await;
    let new = json!({"slug": "2020", "title": "2020 review", "counting": "organisation"});
    let (status, round) = parts(convener.open_round("paris-call", new).await).await;
    assert_eq!((status, &round["counting"]), (201, &json!("organisation")));
    let voting = json!({"phase": "voting"});
    convener.move_phase("paris-call", "2020", voting).await;
    let clause_2020 = &api::clause("paris-call", "2020", "protect-individuals");

    // An organisation with a representative and a member, both speaking for it.
    let new = json!({"name": "Tech Workers Union", "stakeholder_group": "civil_society", "region": "Europe"});
    let representative = app.another_browser();
    representative.sign_up("rep", "a long passphrase").await;
    representative.create_organisation(new).await;
    let member = app.another_browser();
    member.sign_up("member", "a long passphrase").await;
    member.request_membership("tech-workers-union").await;
    admin
        .set_representative("tech-workers-union", json!({"handle": "rep"}))
        .await;
    let accepted = representative
        .accept_membership("tech-workers-union", "member")
        .await;
    assert_eq!(accepted.status(), 204);
    let speak_for =
        json!({"stakeholder_group": "civil_society", "organisation": "tech-workers-union"});
    for client in [&representative, &member] {
        let (status, _) = parts(
            client
                .join_consultation("paris-call", speak_for.clone())
                .await,
        )
        .await;
        assert_eq!(status, 200);
    }

    let (status, body) = parts(
        member
            .cast_position(clause_2020, json!({"stance": "endorse"}))
            .await,
    )
    .await;
    assert_eq!((status, &body["code"]), (403, &json!("not_representative")));
    representative
        .cast_position(clause_2020, json!({"stance": "endorse"}))
        .await;
    representative
        .cast_position(clause_2020, json!({"stance": "abstain"}))
        .await;
    let (_, seen) = parts(member.get_clause(clause_2020).await).await;
    assert_eq!(seen["my_position"]["stance"], "abstain", "members see it");
    assert_eq!(
        seen["results"]["total"]["abstain"], 1,
        "one position for the organisation"
    );
    assert_eq!(seen["results"]["total"]["endorse"], 0);
    let civil = seen["results"]["by_group"]
        .as_array()
        .expect("groups")
        .iter()
        .find(|g| g["group"] == "civil_society")
        .expect("counted in the organisation's group")
        .clone();
    assert_eq!(civil["tally"]["abstain"], 1);

    // Someone speaking for no organisation casts nothing in such a round.
    let loner = participant(&app, "loner", "academia").await;
    let (status, body) = parts(
        loner
            .cast_position(clause_2020, json!({"stance": "endorse"}))
            .await,
    )
    .await;
    assert_eq!((status, &body["code"]), (403, &json!("not_representative")));
}

pub(crate) async fn a_convener_watches_the_live_tally_from_any_server_process(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let convener = app.new_convener(&admin, "paris-call", "chair").await;
    // With PostgreSQL the watcher sits on another process than the voter; SQLite is one process.
    let other = match db {
        Db::Postgres => app.sibling().await,
        Db::Sqlite => app.another_browser(),
    };
    let watcher = convener.on(&other);
    let live = format!(
        "{}{}/rounds/2019/live",
        watcher.address,
        api::path("/consultations/paris-call")
    );

    let anonymous = reqwest::Client::new()
        .get(&live)
        .send()
        .await
        .expect("request");
    assert_eq!(anonymous.status(), 401);
    let mut stream = watcher.client.get(&live).send().await.expect("request");
    assert_eq!(stream.status(), 200);
    assert!(
        stream.headers()["content-type"]
            .to_str()
            .is_ok_and(|t| t.starts_with("text/event-stream"))
    );
    let first = read_events_until(&mut stream, |t| t.matches("event: tally").count() >= 9).await;
    assert!(
        first.contains(r#""clause":"protect-individuals""#),
        "{first}"
    );

    let voter = participant(&app, "amina", "civil_society").await;
    let reads = (app.store.tally_reads(), watcher.store.tally_reads());
    let (status, cast) = parts(
        voter
            .cast_position(
                CLAUSE,
                json!({"stance": "oppose", "reason": "Surveillance."}),
            )
            .await,
    )
    .await;
    assert_eq!(status, 200, "{cast}");
    assert_eq!(cast["tally"]["oppose"], 1, "{cast}");
    let after = read_events_until(&mut stream, |t| {
        t.lines().any(|l| {
            l.starts_with("data:")
                && l.contains(r#""clause":"protect-individuals""#)
                && l.contains(r#""oppose":1"#)
        })
    })
    .await;
    assert!(after.contains("event: tally"));
    // The write counted the clause once; the answer and every watcher reused those counts.
    let read = (
        app.store.tally_reads() - reads.0,
        watcher.store.tally_reads() - reads.1,
    );
    match db {
        Db::Sqlite => assert_eq!(read, (1, 1), "one process, one store"),
        Db::Postgres => assert_eq!(read, (1, 0), "the watcher's process read nothing"),
    }
}

pub(crate) async fn a_live_tally_ends_with_the_session_or_the_role_that_opened_it(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    // With PostgreSQL the stream sits on another process than the change that ends it.
    let other = match db {
        Db::Postgres => app.sibling().await,
        Db::Sqlite => app.another_browser(),
    };
    let voter = participant(&app, "amina", "civil_society").await;
    let stances = [
        json!({"stance": "oppose", "reason": "Surveillance."}),
        json!({"stance": "endorse"}),
    ];
    for (ending, stance) in ["no longer a convener", "signed out"]
        .into_iter()
        .zip(stances)
    {
        let handle = if ending == "signed out" {
            "chair-b"
        } else {
            "chair-a"
        };
        let convener = app.new_convener(&admin, "paris-call", handle).await;
        let watcher = convener.on(&other);
        let live = format!(
            "{}{}/rounds/2019/live",
            watcher.address,
            api::path("/consultations/paris-call")
        );
        let mut stream = watcher.client.get(&live).send().await.expect("request");
        read_events_until(&mut stream, |t| t.matches("event: tally").count() >= 9).await;
        if ending == "signed out" {
            convener.sign_out().await;
        } else {
            let removed = admin.remove_convener("paris-call", &handle).await;
            assert_eq!(removed.status(), 204);
        }
        app.until_the_server_notices().await;
        voter.cast_position(CLAUSE, stance).await;
        // The stream ends, and the change that came after is not in it.
        let mut rest = String::new();
        let ended = tokio::time::timeout(std::time::Duration::from_secs(20), async {
            while let Ok(Some(chunk)) = stream.chunk().await {
                rest.push_str(&String::from_utf8_lossy(&chunk));
            }
        })
        .await;
        assert!(ended.is_ok(), "{ending}: the stream went on: {rest}");
        assert!(!rest.contains("event: tally"), "{ending}: {rest}");
    }
}

pub(crate) async fn a_refused_cast_does_not_undo_the_casts_written_with_it(db: Db) {
    let app = spawn_app(db).await;
    let mut voters = Vec::new();
    for i in 0..40 {
        let voter = app.another_browser();
        voter
            .sign_up(&format!("voter-{i}"), "a long passphrase")
            .await;
        // Every other voter has not said in which group they take part, so theirs is refused.
        if i % 2 == 0 {
            voter.join("academia").await;
        }
        voters.push(voter);
    }
    let mut tasks = tokio::task::JoinSet::new();
    for (i, voter) in voters.into_iter().enumerate() {
        tasks.spawn(async move {
            let status = voter
                .cast_position(CLAUSE, json!({"stance": "oppose", "reason": "Vague."}))
                .await
                .status()
                .as_u16();
            (i, status)
        });
    }
    while let Some(done) = tasks.join_next().await {
        let (i, status) = done.expect("a voter finished");
        assert_eq!(status, if i % 2 == 0 { 200 } else { 409 }, "voter {i}");
    }
    let (_, clause) = parts(app.get_clause(CLAUSE).await).await;
    assert_eq!(clause["results"]["total"]["oppose"], 20);
}
