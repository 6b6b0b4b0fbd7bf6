//! Deliberation: threads, passages, edits, flags, moderation, responses, live comments.

use super::{participant, read_events_until};
use serde_json::{Value, json};
use tests::api;
use tests::{CLAUSE, Db, OTHER_CLAUSE, TestApp, parts, spawn_app};

/// Posts `body` on `clause` as `who`; the created comment (asserting 201).
async fn comment(who: &TestApp, clause: &str, body: Value) -> Value {
    let (status, created) = parts(who.post_comment(clause, body).await).await;
    assert_eq!(status, 201, "{created}");
    created
}

fn id(comment: &Value) -> i64 {
    comment["id"].as_i64().expect("id")
}

/// A page of the demo clause's threads: the first, or the one after thread `after`.
async fn page(app: &TestApp, after: Option<i64>) -> Value {
    let response = match after {
        None => app.list_comments(CLAUSE).await,
        Some(after) => app.list_comments_after(CLAUSE, after).await,
    };
    let (status, page) = parts(response).await;
    assert_eq!(status, 200, "{page}");
    page
}

/// The thread of the page whose first comment is `root`.
fn thread(page: &Value, root: i64) -> Value {
    page["threads"]
        .as_array()
        .and_then(|t| t.iter().find(|c| c["id"] == root))
        .cloned()
        .expect("the thread is on the page")
}

pub(crate) async fn replies_nest_under_their_comment_up_to_a_depth_limit(db: Db) {
    let app = spawn_app(db).await;
    let amina = participant(&app, "amina", "civil_society").await;
    let root = comment(&amina, CLAUSE, json!({"body": "Level 0"})).await;
    let mut parent = id(&root);
    let mut ids = vec![parent];
    for level in 1..=6 {
        let reply = comment(
            &amina,
            CLAUSE,
            json!({"body": format!("Level {level}"), "parent_id": parent}),
        )
        .await;
        assert_eq!(reply["depth"], level.min(4), "level {level}");
        parent = id(&reply);
        ids.push(parent);
    }

    let thread = thread(&page(&app, None).await, id(&root));
    // 0 → 1 → 2 → 3 → 4, and the replies "beyond" 4 sit beside it under 3.
    let three = &thread["replies"][0]["replies"][0]["replies"][0];
    assert_eq!(three["body"], "Level 3");
    let under_three: Vec<&Value> = three["replies"]
        .as_array()
        .expect("replies")
        .iter()
        .collect();
    let bodies: Vec<&str> = under_three
        .iter()
        .filter_map(|c| c["body"].as_str())
        .collect();
    assert_eq!(bodies, ["Level 4", "Level 5", "Level 6"]);

    let elsewhere = comment(&amina, OTHER_CLAUSE, json!({"body": "On another clause"})).await;
    let (status, body) = parts(
        amina
            .post_comment(
                CLAUSE,
                json!({"body": "Reply", "parent_id": id(&elsewhere)}),
            )
            .await,
    )
    .await;
    assert_eq!(
        (status, &body["fields"][0]["code"]),
        (422, &json!("not_on_this_clause"))
    );
    let (status, _) = parts(
        amina
            .post_comment(CLAUSE, json!({"body": "Reply", "parent_id": 999_999}))
            .await,
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        page(&app, None).await["total"],
        1 + 7,
        "the demo's one and these seven"
    );
}

pub(crate) async fn comments_are_markdown_and_every_script_stays_inert(db: Db) {
    let app = spawn_app(db).await;
    let amina = participant(&app, "amina", "civil_society").await;
    let payloads = [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<iframe src=\"https://evil.example\"></iframe>",
        "<svg onload=alert(1)>",
        "![tracker](https://tracker.example/pixel.gif)",
        "\"><script>alert(document.cookie)</script>",
        "<style>body{display:none}</style>",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    ];
    for payload in payloads {
        let created = comment(&amina, CLAUSE, json!({ "body": payload })).await;
        let html = created["body_html"].as_str().expect("html").to_lowercase();
        // Escaped text may say anything; the tags themselves must be harmless.
        for tag in tags(&html) {
            for bad in [
                "script",
                "img",
                "iframe",
                "svg",
                "style",
                "javascript:",
                "data:",
                " on",
            ] {
                assert!(
                    !tag.contains(bad),
                    "{payload} gave the tag <{tag}> in {html}"
                );
            }
        }
        assert_eq!(created["body"], payload, "the Markdown is kept as written");
    }
    let linked = comment(
        &amina,
        CLAUSE,
        json!({"body": "See **[the text](https://example.org)**."}),
    )
    .await;
    let html = linked["body_html"].as_str().expect("html");
    assert!(html.contains("<strong>"), "{html}");
    assert!(
        html.contains(r#"rel="nofollow noopener noreferrer""#),
        "{html}"
    );
}

/// The tags of an HTML fragment, without their angle brackets.
fn tags(html: &str) -> Vec<&str> {
    html.split('<')
        .skip(1)
        .filter_map(|rest| rest.split_once('>').map(|(tag, _)| tag))
        .collect()
}

pub(crate) async fn threads_come_in_pages(db: Db) {
    let app = spawn_app(db).await;
    let amina = participant(&app, "amina", "civil_society").await;
    for n in 0..23 {
        comment(&amina, CLAUSE, json!({"body": format!("Comment {n}")})).await;
    }
    let first = page(&app, None).await;
    assert_eq!(first["threads"].as_array().map(Vec::len), Some(20));
    assert_eq!(first["total"], 1 + 23, "the demo's one and these");
    let after = first["next_after"].as_i64().expect("a next page");
    let second = page(&app, Some(after)).await;
    assert_eq!(second["threads"].as_array().map(Vec::len), Some(4));
    assert_eq!(second["next_after"], Value::Null);
    assert_eq!(second["threads"][3]["body"], "Comment 22");

    let (status, body) = parts(app.list_comments_after(CLAUSE, "soon").await).await;
    assert_eq!((status, &body["code"]), (400, &json!("invalid_path")));
}

pub(crate) async fn a_comment_on_a_passage_quotes_words_of_the_clause(db: Db) {
    let app = spawn_app(db).await;
    let amina = participant(&app, "amina", "civil_society").await;
    let (_, clause) = parts(app.get_clause(CLAUSE).await).await;
    let words: Vec<String> = serde_json::from_value(clause["words"].clone()).expect("words");
    assert!(words.len() > 8, "{words:?}");
    assert!(
        !clause["body_html"]
            .as_str()
            .expect("html")
            .contains("<mark>")
    );

    let passage = json!({
        "exact": words[3..6].join(" "),
        "prefix": words[..3].join(" "),
        "suffix": words[6..9].join(" "),
    });
    let created = comment(
        &amina,
        CLAUSE,
        json!({"body": "These words.", "passage": passage}),
    )
    .await;
    assert_eq!(created["passage"]["exact"], words[3..6].join(" "));
    let (_, clause) = parts(app.get_clause(CLAUSE).await).await;
    let html = clause["body_html"].as_str().expect("html");
    assert!(html.contains("<mark>"), "the passage is marked: {html}");

    for (exact, code) in [("words nowhere in it", "not_in_text"), (" ", "required")] {
        let (status, body) = parts(
            amina
                .post_comment(
                    CLAUSE,
                    json!({"body": "Here.", "passage": {"exact": exact}}),
                )
                .await,
        )
        .await;
        assert_eq!(
            (status, &body["fields"][0]["code"]),
            (422, &json!(code)),
            "{exact}"
        );
    }
}

pub(crate) async fn an_author_edits_their_comment_and_conveners_see_earlier_wordings(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let convener = app.new_convener(&admin, "paris-call", "chair").await;
    let amina = participant(&app, "amina", "civil_society").await;
    let grace = participant(&app, "grace", "academia").await;
    let created = comment(&amina, CLAUSE, json!({"body": "First wording."})).await;
    assert_eq!(created["edited_at_ms"], Value::Null);

    let edit = json!({"body": "Second wording."});
    let (status, edited) = parts(
        amina
            .edit_comment("paris-call", &id(&created), edit.clone())
            .await,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(edited["body"], "Second wording.");
    assert!(edited["edited_at_ms"].as_i64().is_some());

    let (status, body) = parts(grace.edit_comment("paris-call", &id(&created), edit).await).await;
    assert_eq!((status, &body["code"]), (403, &json!("not_author")));
    let (status, body) = parts(
        amina
            .edit_comment("paris-call", &id(&created), json!({"body": ""}))
            .await,
    )
    .await;
    assert_eq!(
        (status, &body["fields"][0]["code"]),
        (422, &json!("required"))
    );

    let (status, _) = parts(amina.comment_versions("paris-call", &id(&created)).await).await;
    assert_eq!(status, 403, "earlier wordings are for conveners");
    let (status, earlier) =
        parts(convener.comment_versions("paris-call", &id(&created)).await).await;
    assert_eq!(status, 200);
    assert_eq!(earlier.as_array().map(Vec::len), Some(1));
    assert_eq!(earlier[0]["body"], "First wording.");
}

pub(crate) async fn flags_reach_the_conveners_who_hide_with_a_public_reason(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let convener = app.new_convener(&admin, "paris-call", "chair").await;
    let amina = participant(&app, "amina", "civil_society").await;
    let grace = participant(&app, "grace", "academia").await;
    let created = comment(&amina, CLAUSE, json!({"body": "Something rude."})).await;
    let why = json!({"reason": "Insults another participant."});

    let (status, body) = parts(
        amina
            .flag_comment("paris-call", &id(&created), why.clone())
            .await,
    )
    .await;
    assert_eq!((status, &body["code"]), (409, &json!("own_comment")));
    let (status, body) = parts(
        grace
            .flag_comment("paris-call", &id(&created), json!({"reason": " "}))
            .await,
    )
    .await;
    assert_eq!(
        (status, &body["fields"][0]["code"]),
        (422, &json!("required"))
    );
    assert_eq!(
        grace
            .flag_comment("paris-call", &id(&created), why.clone())
            .await
            .status(),
        204
    );
    let (status, body) = parts(grace.flag_comment("paris-call", &id(&created), why).await).await;
    assert_eq!((status, &body["code"]), (409, &json!("already_flagged")));

    let (status, _) = parts(grace.moderation_queue("paris-call").await).await;
    assert_eq!(status, 403);
    let (_, waiting) = parts(convener.moderation_queue("paris-call").await).await;
    assert_eq!(waiting[0]["comment"]["id"], created["id"]);
    assert_eq!(
        waiting[0]["reasons"],
        json!(["Insults another participant."])
    );

    let hide = json!({"action": "hide", "reason": "Breaks the code of conduct."});
    let (status, _) = parts(
        grace
            .moderate_comment("paris-call", &id(&created), hide.clone())
            .await,
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = parts(
        convener
            .moderate_comment(
                "paris-call",
                &id(&created),
                json!({"action": "hide", "reason": ""}),
            )
            .await,
    )
    .await;
    assert_eq!(status, 422);
    let (status, hidden) = parts(
        convener
            .moderate_comment("paris-call", &id(&created), hide.clone())
            .await,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(hidden["hidden"], "Breaks the code of conduct.");
    assert_eq!(
        (&hidden["body"], &hidden["body_html"]),
        (&json!(""), &json!(""))
    );
    // Again: harmless, and not logged twice.
    convener
        .moderate_comment("paris-call", &id(&created), hide)
        .await;

    let shown = thread(&page(&app, None).await, id(&created));
    assert_eq!(shown["hidden"], "Breaks the code of conduct.");
    assert_eq!(
        shown["body"], "",
        "hidden text stays out of the public page"
    );
    let (_, waiting) = parts(convener.moderation_queue("paris-call").await).await;
    assert_eq!(waiting, json!([]), "acted upon");
    let (status, body) = parts(
        amina
            .edit_comment("paris-call", &id(&created), json!({"body": "Sorry."}))
            .await,
    )
    .await;
    assert_eq!((status, &body["code"]), (409, &json!("comment_hidden")));

    let restore = json!({"action": "restore", "reason": "Apology received."});
    let (_, restored) = parts(
        convener
            .moderate_comment("paris-call", &id(&created), restore)
            .await,
    )
    .await;
    assert_eq!(restored["body"], "Something rude.");
    assert_eq!(restored["hidden"], Value::Null);
    let (status, entries) = parts(app.moderation_log("paris-call").await).await;
    assert_eq!(status, 200, "the log is public");
    let actions: Vec<(&str, &str)> = entries
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap_or(""),
                e["reason"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            ("restore", "Apology received."),
            ("hide", "Breaks the code of conduct.")
        ]
    );
    assert!(
        !entries.to_string().contains("chair"),
        "the log names no convener"
    );
}

pub(crate) async fn conveners_respond_and_the_clause_counts_answered_comments(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let convener = app.new_convener(&admin, "paris-call", "chair").await;
    let amina = participant(&app, "amina", "civil_society").await;
    let created = comment(&amina, CLAUSE, json!({"body": "Add journalists."})).await;
    let accepted = json!({"verdict": "accepted", "explanation": "Clause 1 now names them."});

    let (status, _) = parts(
        amina
            .respond_to_comment("paris-call", &id(&created), accepted.clone())
            .await,
    )
    .await;
    assert_eq!(status, 403);
    let (status, body) = parts(
        convener
            .respond_to_comment(
                "paris-call",
                &id(&created),
                json!({"verdict": "maybe", "explanation": "x"}),
            )
            .await,
    )
    .await;
    assert_eq!((status, &body["code"]), (422, &json!("invalid_json")));
    let (status, body) = parts(
        convener
            .respond_to_comment(
                "paris-call",
                &id(&created),
                json!({"verdict": "noted", "explanation": " "}),
            )
            .await,
    )
    .await;
    assert_eq!(
        (status, &body["fields"][0]["field"]),
        (422, &json!("explanation"))
    );

    let (status, answered) = parts(
        convener
            .respond_to_comment("paris-call", &id(&created), accepted)
            .await,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(answered["response"]["verdict"], "accepted");
    let page = page(&app, None).await;
    assert_eq!(
        thread(&page, id(&created))["response"]["explanation"],
        "Clause 1 now names them."
    );
    assert_eq!((&page["answered"], &page["total"]), (&json!(1), &json!(2)));
    let (_, consultation) = parts(app.get_consultation("paris-call").await).await;
    assert_eq!(consultation["answered"], 1);
    assert!(consultation["comments"].as_u64().is_some_and(|n| n >= 2));
}

pub(crate) async fn a_new_comment_reaches_readers_live_on_any_process(db: Db) {
    let app = spawn_app(db).await;
    // With PostgreSQL the reader sits on another process than the writer.
    let other = match db {
        Db::Postgres => app.sibling().await,
        Db::Sqlite => app.another_browser(),
    };
    let live = format!("{}{CLAUSE}/comments/live", other.address);
    let mut stream = reqwest::Client::new()
        .get(&live)
        .send()
        .await
        .expect("request");
    assert_eq!(stream.status(), 200, "anyone may follow a clause");
    let amina = participant(&app, "amina", "civil_society").await;
    // A comment on another clause is not this stream's news.
    comment(&amina, OTHER_CLAUSE, json!({"body": "Elsewhere."})).await;
    let created = comment(&amina, CLAUSE, json!({"body": "Live, please."})).await;
    let text = read_events_until(&mut stream, |t| t.contains("Live, please.")).await;
    assert!(text.contains("event: comment"), "{text}");
    assert!(!text.contains("Elsewhere."), "{text}");
    assert!(text.contains(&format!("\"id\":{}", id(&created))), "{text}");
}

pub(crate) async fn participants_propose_amendments_and_additions_voted_on_like_clauses(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let convener = app.new_convener(&admin, "paris-call", "chair").await;
    let amina = participant(&app, "amina", "civil_society").await;
    let (_, clause) = parts(app.get_clause(CLAUSE).await).await;
    let current = clause["body_md"].as_str().expect("body").to_owned();

    let propose = |body: Value| {
        let amina = amina.clone_for_bench();
        async move { parts(amina.propose("paris-call", "2019", body).await).await }
    };
    let (status, _) = parts(
        app.another_browser()
            .propose(
                "paris-call",
                "2019",
                json!({"kind": "addition", "title": "T", "body_md": "B"}),
            )
            .await,
    )
    .await;
    assert_eq!(status, 401);
    let same = current.replace(' ', "  ");
    let (status, body) =
        propose(json!({"kind": "amendment", "clause": "protect-individuals", "body_md": same}))
            .await;
    assert_eq!(
        (status, &body["fields"][0]["code"]),
        (422, &json!("unchanged"))
    );
    let (status, body) =
        propose(json!({"kind": "amendment", "clause": "nope", "body_md": "New words."})).await;
    assert_eq!(
        (status, &body["fields"][0]["code"]),
        (422, &json!("unknown_clause"))
    );
    let (status, body) = propose(json!({"kind": "amendment", "body_md": "New words."})).await;
    assert_eq!(
        (status, &body["fields"][0]["field"]),
        (422, &json!("clause"))
    );
    let (status, body) = propose(json!({"kind": "addition", "title": "", "body_md": "x"})).await;
    assert_eq!(
        (status, &body["fields"][0]["field"]),
        (422, &json!("title"))
    );

    let amended = format!("{current} Journalists and human rights defenders included.");
    let (status, created) =
        propose(json!({"kind": "amendment", "clause": "protect-individuals", "body_md": amended}))
            .await;
    assert_eq!((status, &created["key"]), (201, &json!("proposal-1")));
    let (status, created) = propose(json!({
        "kind": "addition",
        "title": "Protect journalists",
        "body_md": "States refrain from targeting journalists online.",
    }))
    .await;
    assert_eq!((status, &created["key"]), (201, &json!("proposal-2")));

    // An amendment reads as a redline against the clause it rewrites.
    let one = &api::clause("paris-call", "2019", "proposal-1");
    let (status, proposal) = parts(app.get_clause(one).await).await;
    assert_eq!(status, 200);
    assert_eq!(proposal["proposal"]["kind"], "amendment");
    assert_eq!(proposal["proposal"]["amends"], "protect-individuals");
    assert_eq!(proposal["proposal"]["author"], "amina");
    assert_eq!(proposal["title"], clause["title"]);
    let inserted: String = proposal["redline"]
        .as_array()
        .expect("a redline")
        .iter()
        .filter(|s| s["change"] == "added")
        .filter_map(|s| s["text"].as_str())
        .collect();
    assert!(inserted.contains("Journalists"), "{inserted}");

    // The round lists them apart from its clauses.
    let (_, round) = parts(app.get_round("paris-call", "2019").await).await;
    assert_eq!(round["clauses"].as_array().map(Vec::len), Some(9));
    let keys: Vec<&str> = round["proposals"]
        .as_array()
        .expect("proposals")
        .iter()
        .filter_map(|p| p["key"].as_str())
        .collect();
    assert_eq!(keys, ["proposal-1", "proposal-2"]);

    // Its own discussion, and positions exactly as on a clause.
    comment(&amina, one, json!({"body": "Why I propose this."})).await;
    let grace = participant(&app, "grace", "academia").await;
    let (status, cast) = parts(
        grace
            .cast_position(one, json!({"stance": "oppose", "reason": "Too broad."}))
            .await,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(cast["tally"]["oppose"], 1);
    assert!(
        cast["position"]["receipt"]
            .as_str()
            .is_some_and(|r| !r.is_empty())
    );

    // The conveners answer a proposal as they answer a comment.
    let noted = json!({"verdict": "partly_accepted", "explanation": "Journalists, yes."});
    let (status, _) = parts(
        amina
            .respond_to_proposal(
                api::clause("paris-call", "2019", "proposal-1"),
                noted.clone(),
            )
            .await,
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = parts(convener.respond_to_proposal(CLAUSE, noted.clone()).await).await;
    assert_eq!(
        status, 404,
        "a clause of the text is answered through its comments"
    );
    let (status, answered) = parts(
        convener
            .respond_to_proposal(api::clause("paris-call", "2019", "proposal-1"), noted)
            .await,
    )
    .await;
    assert_eq!(
        (status, &answered["verdict"]),
        (200, &json!("partly_accepted"))
    );
    let (_, proposal) = parts(app.get_clause(one).await).await;
    assert_eq!(proposal["response"]["explanation"], "Journalists, yes.");

    // The next round starts from the text alone.
    let (status, _) = parts(
        convener
            .move_phase("paris-call", "2019", json!({"phase": "closed"}))
            .await,
    )
    .await;
    assert_eq!(status, 200);
    let new = json!({"slug": "2020", "title": "2020 review"});
    let (status, next) = parts(convener.open_round("paris-call", new).await).await;
    assert_eq!(status, 201, "{next}");
    assert_eq!(next["clauses"].as_array().map(Vec::len), Some(9));
    assert_eq!(next["proposals"], json!([]));
}

pub(crate) async fn commenting_needs_a_session(db: Db) {
    let app = spawn_app(db).await;

    let (status, body) = parts(app.post_comment(CLAUSE, json!({"body": "Hello"})).await).await;

    assert_eq!(status, 401);
    assert_eq!(body["code"], "not_signed_in");
}

pub(crate) async fn a_comment_is_stored_and_listed(db: Db) {
    let app = spawn_app(db).await;
    app.signed_in().await;

    let (status, created) = parts(
        app.post_comment(CLAUSE, json!({"body": "  Name journalists too.  "}))
            .await,
    )
    .await;
    let (_, list) = parts(app.list_comments(CLAUSE).await).await;

    assert_eq!(status, 201);
    assert_eq!(created["body"], "Name journalists too.");
    assert_eq!(created["author"], "tester");
    let last = list["threads"]
        .as_array()
        .and_then(|l| l.last())
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(last, created);
}

pub(crate) async fn an_empty_comment_is_rejected(db: Db) {
    let app = spawn_app(db).await;
    app.signed_in().await;

    let (status, body) = parts(app.post_comment(CLAUSE, json!({"body": "   "})).await).await;

    assert_eq!(status, 422);
    assert_eq!(body["fields"][0]["field"], "body");
    assert_eq!(body["fields"][0]["code"], "required");
}

pub(crate) async fn an_over_long_comment_is_rejected(db: Db) {
    let app = spawn_app(db).await;
    app.signed_in().await;
    let long = "x".repeat(shared::rules::COMMENT_MAX + 1);

    let (status, body) = parts(app.post_comment(CLAUSE, json!({ "body": long })).await).await;

    assert_eq!(status, 422);
    assert_eq!(body["fields"][0]["code"], "too_long");
}
