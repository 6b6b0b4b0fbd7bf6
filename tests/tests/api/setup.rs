//! Conveners' own consultations: an administrator on a fresh install creates one, imports its
//! draft from a document, corrects the cut and opens its first round; participants choose a
//! region from its list; it can be changed and archived. Every bad input is refused with a
//! clear error and writes nothing.

use reqwest::Method;
use serde_json::{Value, json};
use std::io::Write;
use tests::api;
use tests::{Db, TestApp, parts, spawn_app, spawn_empty_app};

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const ODT: &str = "application/vnd.oasis.opendocument.text";
const CHARTER_DOCX: &[u8] = include_bytes!("../../fixtures/charter.docx");
const CHARTER_ODT: &[u8] = include_bytes!("../../fixtures/charter.odt");

fn charter(slug: &str) -> Value {
    json!({
        "slug": slug,
        "titles": [
            {"language": "fr", "title": "Charte pour un réseau ouvert"},
            {"language": "en", "title": "Charter for an open network"},
        ],
        "description": "An annual review of the charter.",
        "conveners": [],
    })
}

/// Each broken field of an error body, with its code.
fn field_codes(body: &Value) -> Vec<(&str, &str)> {
    body["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| {
            (
                f["field"].as_str().unwrap_or(""),
                f["code"].as_str().unwrap_or(""),
            )
        })
        .collect()
}

async fn preview(who: &TestApp, slug: &str, content_type: &str, body: Vec<u8>) -> (u16, Value) {
    parts(who.preview_text(slug, content_type, body).await).await
}

/// How many rows `table` has, and how long the audit log is: what a refused request must not
/// change.
async fn footprint(app: &TestApp) -> Vec<String> {
    let mut counts = Vec::new();
    for table in [
        "consultations",
        "rounds",
        "clauses",
        "audit_log",
        "consultation_regions",
    ] {
        counts.extend(
            app.strings(&format!("SELECT CAST(COUNT(*) AS TEXT) FROM {table}"))
                .await,
        );
    }
    counts
}

pub(crate) async fn on_a_fresh_install_an_administrator_sets_up_a_consultation_from_a_docx(db: Db) {
    let app = spawn_empty_app(db).await;
    let (_, list) = parts(app.list_consultations().await).await;
    assert_eq!(list, json!([]), "nothing yet on a fresh install");
    let admin = app.new_admin("secretariat").await;

    let (status, created) = parts(admin.create_consultation(charter("charter")).await).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["title"], "Charter for an open network");
    assert_eq!(created["titles"][0]["language"], "en", "English first");
    assert_eq!(
        created["titles"][1]["title"],
        "Charte pour un réseau ouvert"
    );
    assert_eq!(
        created["stakeholder_groups"].as_array().map(Vec::len),
        Some(6)
    );
    assert_eq!(created["regions"].as_array().map(Vec::len), Some(22));
    assert_eq!(created["rounds"], json!([]));

    let (status, text) = preview(&admin, "charter", DOCX, CHARTER_DOCX.to_vec()).await;
    assert_eq!(status, 200, "{text}");
    let titles: Vec<&str> = text["clauses"]
        .as_array()
        .expect("clauses")
        .iter()
        .map(|c| c["title"].as_str().expect("title"))
        .collect();
    assert_eq!(
        titles,
        [
            "Access for everyone",
            "Privacy by default",
            "Accountable operators"
        ]
    );
    let (_, from_odt) = preview(&admin, "charter", ODT, CHARTER_ODT.to_vec()).await;
    assert_eq!(
        from_odt, text,
        "an ODT of the same document cuts the same way"
    );
    // Previewing wrote nothing.
    let actions = app
        .strings("SELECT action FROM audit_log ORDER BY id")
        .await;
    assert_eq!(
        actions.last().map(String::as_str),
        Some("consultation.created")
    );
    assert_eq!(
        app.strings("SELECT slug FROM rounds").await,
        Vec::<String>::new()
    );

    // The convener corrects a key, then opens the first round with the text.
    let mut text = text;
    text["clauses"][0]["key"] = json!("access");
    let round = json!({"slug": "2027", "title": "2027 review", "text": text});
    let (status, opened) = parts(admin.open_round("charter", round).await).await;
    assert_eq!(status, 201, "{opened}");
    assert_eq!(opened["phase"], "draft");
    let keys: Vec<&str> = opened["clauses"]
        .as_array()
        .expect("clauses")
        .iter()
        .map(|c| c["key"].as_str().expect("key"))
        .collect();
    assert_eq!(
        keys,
        ["access", "privacy-by-default", "accountable-operators"]
    );
    let preamble = opened["preamble_html"].as_str().expect("preamble");
    assert!(preamble.contains("<em>governments</em>"), "{preamble}");
    assert!(
        preamble.contains("https://example.org/charter/review"),
        "{preamble}"
    );

    let clause = api::clause("charter", "2027", "privacy-by-default");
    let (_, privacy) = parts(app.get_clause(&clause).await).await;
    let body = privacy["body_html"].as_str().expect("body");
    assert!(
        body.contains("<table>") && body.contains("Civil society"),
        "{body}"
    );

    // The existing phases apply: commenting opens, and a newcomer takes part.
    let commenting = json!({"phase": "voting"});
    let (status, _) = parts(admin.move_phase("charter", "2027", commenting).await).await;
    assert_eq!(status, 200);
    let amina = app.another_browser();
    amina.sign_up("amina", "a long passphrase").await;
    let join = json!({"stakeholder_group": "civil_society", "region": "Western Africa"});
    let (status, joined) = parts(amina.join_consultation("charter", join).await).await;
    assert_eq!((status, &joined["region"]), (200, &json!("Western Africa")));
    let (status, _) = parts(amina.post_comment(&clause, json!({"body": "Yes."})).await).await;
    assert_eq!(status, 201);
    let (status, _) = parts(
        amina
            .cast_position(clause, json!({"stance": "endorse"}))
            .await,
    )
    .await;
    assert_eq!(status, 200);

    let actions = app
        .strings("SELECT action FROM audit_log ORDER BY id")
        .await;
    let opened_at = actions.iter().position(|a| a == "round.opened");
    let created_at = actions.iter().position(|a| a == "consultation.created");
    assert!(
        created_at < opened_at && created_at.is_some(),
        "{actions:?}"
    );
    let details = app
        .strings("SELECT details FROM audit_log WHERE action = 'round.opened'")
        .await;
    assert!(details[0].contains("\"imported_text\""), "{}", details[0]);
    assert!(details[0].contains("\"key\":\"access\""), "{}", details[0]);
}

pub(crate) async fn only_an_administrator_with_two_factor_creates_a_consultation(db: Db) {
    let app = spawn_app(db).await;
    let anonymous = app.another_browser();
    let (status, body) = parts(anonymous.create_consultation(charter("charter")).await).await;
    assert_eq!((status, &body["code"]), (401, &json!("not_signed_in")));
    let participant = app.another_browser();
    participant.sign_up("amina", "a long passphrase").await;
    let (status, body) = parts(participant.create_consultation(charter("charter")).await).await;
    assert_eq!((status, &body["code"]), (403, &json!("forbidden")));
    participant.sign_up("admin-2", "a long passphrase").await;
    app.make_admin("admin-2").await;
    let (status, body) = parts(participant.create_consultation(charter("charter")).await).await;
    assert_eq!(
        (status, &body["code"]),
        (403, &json!("two_factor_required"))
    );
    let admin = app.new_admin("secretariat").await;
    let convener = app.new_convener(&admin, "paris-call", "chair").await;
    let (status, body) = parts(convener.create_consultation(charter("charter")).await).await;
    assert_eq!((status, &body["code"]), (403, &json!("forbidden")));
    // A convener of one consultation reads documents for it, not for another.
    app.add_consultation("elsewhere").await;
    let (status, body) = preview(&convener, "elsewhere", "text/markdown", b"# A".to_vec()).await;
    assert_eq!((status, &body["code"]), (403, &json!("forbidden")));
    let (status, _) = preview(
        &convener,
        "paris-call",
        "text/markdown",
        b"# A\n\nB".to_vec(),
    )
    .await;
    assert_eq!(status, 200);
}

pub(crate) async fn a_bad_consultation_is_refused_field_by_field_and_nothing_is_written(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let before = footprint(&app).await;

    let (status, body) = parts(admin.create_consultation(charter("paris-call")).await).await;
    assert_eq!(
        (status, &body["code"]),
        (409, &json!("consultation_exists"))
    );
    assert_eq!(body["fields"][0]["field"], "slug");

    let mut untitled = charter("charter");
    untitled["titles"] = json!([{"language": "en", "title": "   "}]);
    let (status, body) = parts(admin.create_consultation(untitled).await).await;
    assert_eq!(status, 422);
    assert_eq!(
        (&body["fields"][0]["field"], &body["fields"][0]["code"]),
        (&json!("titles"), &json!("required"))
    );

    let mut broken = charter("Not A Slug");
    broken["conveners"] = json!(["nobody-here"]);
    broken["regions"] = json!(["West Africa", "west  africa"]);
    broken["stakeholder_groups"] = json!([]);
    let (status, body) = parts(admin.create_consultation(broken).await).await;
    assert_eq!(status, 422, "{body}");
    let fields = field_codes(&body);
    assert_eq!(
        fields,
        [
            ("slug", "invalid_characters"),
            ("stakeholder_groups", "required"),
            ("regions[1]", "duplicate"),
        ]
    );
    let mut unknown = charter("charter");
    unknown["conveners"] = json!(["nobody-here"]);
    let (status, body) = parts(admin.create_consultation(unknown).await).await;
    assert_eq!(status, 422);
    assert_eq!(
        (&body["fields"][0]["field"], &body["fields"][0]["code"]),
        (&json!("conveners[0]"), &json!("unknown_account"))
    );
    let mut control = charter("charter");
    control["regions"] = json!(["West\u{0000}Africa"]);
    let (status, body) = parts(admin.create_consultation(control).await).await;
    assert_eq!(
        (status, &body["fields"][0]["code"]),
        (422, &json!("control_characters"))
    );

    assert_eq!(footprint(&app).await, before, "nothing was written");
}

/// A DOCX whose `word/document.xml` is `xml` (stored compressed).
fn docx_with(xml: &[u8]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("word/document.xml", options).expect("entry");
    zip.write_all(xml).expect("write");
    zip.finish().expect("zip").into_inner()
}

/// A DOCX whose document unpacks to 80 MB of spaces, though it weighs little.
fn zip_bomb() -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    zip.start_file("word/document.xml", options).expect("entry");
    let spaces = vec![b' '; 1024 * 1024];
    for _ in 0..80 {
        zip.write_all(&spaces).expect("write");
    }
    zip.finish().expect("zip").into_inner()
}

/// A bad document: what it is, the type it is sent as, its bytes, the status and code expected.
type Case = (&'static str, &'static str, Vec<u8>, (u16, Value));

pub(crate) async fn bad_documents_are_refused_with_a_clear_error_and_write_nothing(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let before = footprint(&app).await;
    let refused = |status: u16, code: &'static str| (status, json!(code));
    let code = |(status, body): (u16, Value)| (status, body["code"].clone());

    let eleven_mb = vec![b'a'; 11 * 1024 * 1024];
    let (status, body) = preview(&admin, "paris-call", "text/plain", eleven_mb).await;
    assert_eq!((status, &body["code"]), (413, &json!("document_too_large")));
    assert!(
        body["message"].as_str().unwrap_or("").contains("10 MB"),
        "{body}"
    );

    let cases: Vec<Case> = vec![
        (
            "a PDF",
            "application/pdf",
            b"%PDF-1.7".to_vec(),
            refused(415, "unsupported_document"),
        ),
        (
            "no type at all",
            "",
            b"# Title".to_vec(),
            refused(415, "unsupported_document"),
        ),
        (
            "text named as a DOCX",
            DOCX,
            b"# Just Markdown".to_vec(),
            refused(415, "unsupported_document"),
        ),
        (
            "a DOCX named as Markdown",
            "text/markdown",
            CHARTER_DOCX.to_vec(),
            refused(415, "unsupported_document"),
        ),
        (
            "a DOCX named as an ODT",
            ODT,
            CHARTER_DOCX.to_vec(),
            refused(415, "unsupported_document"),
        ),
        (
            "a corrupt ZIP",
            DOCX,
            [&b"PK\x03\x04"[..], &[0x55; 300]].concat(),
            refused(422, "corrupt_document"),
        ),
        (
            "a truncated DOCX",
            DOCX,
            CHARTER_DOCX[..CHARTER_DOCX.len() / 2].to_vec(),
            refused(422, "corrupt_document"),
        ),
        (
            "a zip bomb",
            DOCX,
            zip_bomb(),
            refused(413, "document_too_large"),
        ),
        (
            "XML entity expansion",
            DOCX,
            docx_with(
                b"<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">\
                  <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>\
                  <w:document><w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body>\
                  </w:document>",
            ),
            refused(422, "corrupt_document"),
        ),
        (
            "a DOCX whose text is cut short",
            DOCX,
            docx_with(b"<w:document><w:body><w:p><w:r><w:t>Principle 1: Protect"),
            refused(422, "corrupt_document"),
        ),
        (
            "a DOCX whose text is not XML",
            DOCX,
            docx_with(b"Principle 1: Protect individuals"),
            refused(422, "corrupt_document"),
        ),
        (
            "a DOCX with no text",
            DOCX,
            docx_with(b"<w:document><w:body><w:p/></w:body></w:document>"),
            refused(422, "empty_document"),
        ),
        (
            "an empty text",
            "text/plain",
            b" \n\n \r\n".to_vec(),
            refused(422, "empty_document"),
        ),
        (
            "text that is not UTF-8",
            "text/plain",
            vec![0xc3, 0x28, 0xa0, 0xa1],
            refused(415, "unsupported_document"),
        ),
    ];
    for (what, content_type, bytes, expected) in cases {
        let answer = preview(&admin, "paris-call", content_type, bytes).await;
        assert_eq!(code(answer.clone()), expected, "{what}: {}", answer.1);
        assert!(
            answer.1["message"].as_str().is_some_and(|m| m.len() > 20),
            "{what}"
        );
    }
    assert_eq!(
        footprint(&app).await,
        before,
        "refused documents wrote nothing"
    );

    // Saving a corrected text checks it again: keys must differ, clauses must hold text.
    let (_, text) = preview(&admin, "paris-call", DOCX, CHARTER_DOCX.to_vec()).await;
    let mut duplicated = text.clone();
    duplicated["clauses"][1]["key"] = duplicated["clauses"][0]["key"].clone();
    duplicated["clauses"][2]["body_md"] = json!("  ");
    // The demo's newest round is voting: close it first so that a new round may open.
    super::close_2019(&admin).await;
    let before_round = footprint(&app).await;
    let round = json!({"slug": "2020", "title": "2020 review", "text": duplicated});
    let (status, body) = parts(admin.open_round("paris-call", round).await).await;
    assert_eq!(status, 422, "{body}");
    let fields = field_codes(&body);
    assert_eq!(
        fields,
        [
            ("text.clauses[1].key", "duplicate"),
            ("text.clauses[2].body_md", "required"),
        ]
    );
    assert_eq!(footprint(&app).await, before_round, "no partial round");
}

pub(crate) async fn participants_choose_their_region_from_the_consultations_list(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let mut new = charter("charter");
    new["regions"] = json!(["West Africa", "East Africa"]);
    new["stakeholder_groups"] = json!(["civil_society", "academia"]);
    let (status, _) = parts(admin.create_consultation(new).await).await;
    assert_eq!(status, 201);
    let amina = app.another_browser();
    amina.sign_up("amina", "a long passphrase").await;
    let join = |group: &str, region: &str| json!({"stakeholder_group": group, "region": region});
    let state = |body: Value| async { parts(amina.join_consultation("charter", body).await).await };
    let (status, body) = state(join("civil_society", "west africa")).await;
    assert_eq!(
        (status, &body["fields"][0]["code"]),
        (422, &json!("unknown_region"))
    );
    let (status, body) = state(join("government", "West Africa")).await;
    assert_eq!(
        (status, &body["fields"][0]["code"]),
        (422, &json!("not_taking_part"))
    );
    let (status, body) = state(join("civil_society", "West Africa")).await;
    assert_eq!((status, &body["region"]), (200, &json!("West Africa")));
    // Nor may an invitation name a group that does not take part.
    let (status, body) = parts(
        admin
            .create_invitation("charter", json!({"stakeholder_group": "government"}))
            .await,
    )
    .await;
    assert_eq!(
        (status, field_codes(&body)),
        (422, vec![("stakeholder_group", "not_taking_part")])
    );

    // The list changes; a region already given stays as it was, and may be stated again.
    // Only the fields given change.
    let settings = json!({
        "titles": [{"language": "en", "title": "Charter"}],
        "regions": ["Western Africa", "Eastern Africa"],
    });
    let (status, changed) = parts(admin.change_consultation("charter", settings).await).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(
        changed["regions"],
        json!(["Western Africa", "Eastern Africa"])
    );
    // What a change cannot do is refused, not ignored; a region is one line of visible text.
    for (what, change, code) in [
        ("access", json!({"access": "invitation"}), "invalid_json"),
        ("a new address", json!({"slug": "renamed"}), "invalid_json"),
        (
            "a line break",
            json!({"regions": ["West\nAfrica"]}),
            "validation_failed",
        ),
        (
            "a zero-width space",
            json!({"regions": ["West\u{200b}Africa"]}),
            "validation_failed",
        ),
        (
            "a bidi override",
            json!({"titles": [{"language": "en", "title": "Good\u{202e}Call"}]}),
            "validation_failed",
        ),
    ] {
        let (status, body) = parts(admin.change_consultation("charter", change).await).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (422, Some(code)),
            "{what}: {body}"
        );
    }
    // What the change left out keeps its value.
    assert_eq!(
        changed["stakeholder_groups"],
        json!(["civil_society", "academia"])
    );
    assert_eq!(changed["description"], "An annual review of the charter.");
    let (status, body) = state(join("civil_society", "West Africa")).await;
    assert_eq!((status, &body["region"]), (200, &json!("West Africa")));
    let actions = app
        .strings("SELECT action FROM audit_log ORDER BY id")
        .await;
    assert!(actions.iter().any(|a| a == "consultation.settings_changed"));
}

pub(crate) async fn an_archived_consultation_is_read_only_and_keeps_its_records(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let (status, body) = parts(admin.archive_consultation("paris-call").await).await;
    assert_eq!((status, &body["code"]), (409, &json!("round_still_open")));

    super::close_2019(&admin).await;
    let published = json!({"phase": "published"});
    admin.move_phase("paris-call", "2019", published).await;
    // The 2018 round closed without publishing its results: they could not be published
    // once archived.
    let (status, body) = parts(admin.archive_consultation("paris-call").await).await;
    assert_eq!((status, &body["code"]), (409, &json!("round_still_open")));
    admin
        .move_phase("paris-call", "2018", json!({"phase": "published"}))
        .await;
    // A draft round may stay, but its schedule goes: it would open the round after archiving.
    let (status, body) = parts(
        admin
            .open_round("paris-call", json!({"slug": "2020", "title": "2020"}))
            .await,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let now = backend::store::now_ms();
    let plan = json!({"commenting_at_ms": now + 3_600_000});
    let planned = admin.set_schedule("paris-call", "2020", plan).await;
    assert_eq!(planned.status(), 200);
    let (status, archived) = parts(admin.archive_consultation("paris-call").await).await;
    assert_eq!((status, &archived["archived"]), (200, &json!(true)));
    let scheduled = app
        .strings(
            "SELECT CAST(COUNT(*) AS TEXT) FROM rounds WHERE commenting_at_ms IS NOT NULL \
             OR voting_at_ms IS NOT NULL OR closing_at_ms IS NOT NULL",
        )
        .await;
    assert_eq!(scheduled, ["0"]);

    // Readable, records downloadable.
    let (_, list) = parts(app.list_consultations().await).await;
    assert_eq!(list[0]["archived"], true);
    let record = app.download("paris-call", "2019", "comments.csv").await;
    assert_eq!(record.status(), 200);

    // Nothing changes any more.
    let amina = app.another_browser();
    amina.sign_up("amina", "a long passphrase").await;
    let before = footprint(&app).await;
    let attempts = [
        (
            &admin,
            Method::PUT,
            api::path("/consultations/paris-call"),
            json!({"titles": [{"language": "en", "title": "New"}]}),
        ),
        (
            &admin,
            Method::POST,
            api::path("/consultations/paris-call/rounds"),
            json!({"slug": "2020", "title": "2020"}),
        ),
        (
            &admin,
            Method::PUT,
            api::path("/consultations/paris-call/access"),
            json!({"access": "invitation"}),
        ),
        (
            &admin,
            Method::PUT,
            api::path("/consultations/paris-call/conveners/amina"),
            json!({}),
        ),
        (
            &amina,
            Method::PUT,
            api::path("/consultations/paris-call/participation"),
            json!({"stakeholder_group": "civil_society"}),
        ),
        (
            &amina,
            Method::POST,
            api::path("/consultations/paris-call/comments/1/flags"),
            json!({"reason": "Off topic."}),
        ),
        (
            &admin,
            Method::PUT,
            api::path("/consultations/paris-call/rounds/2020/phase"),
            json!({"phase": "commenting"}),
        ),
    ];
    for (who, method, path, body) in attempts {
        let (status, answer) = parts(who.request(method.clone(), &path, Some(body)).await).await;
        assert_eq!(
            (status, &answer["code"]),
            (409, &json!("archived")),
            "{method} {path}"
        );
    }
    assert_eq!(footprint(&app).await, before, "nothing changed");
}

pub(crate) async fn a_published_record_starts_a_consultation_on_another_instance(db: Db) {
    // The record of a round published elsewhere, and that instance's public key.
    let source = spawn_app(db).await;
    let chair = source.new_admin("chair").await;
    super::close_2019(&chair).await;
    chair
        .move_phase("paris-call", "2019", json!({"phase": "published"}))
        .await;
    let bundle = source
        .download("paris-call", "2019", "bundle.zip")
        .await
        .bytes()
        .await
        .expect("bundle")
        .to_vec();
    let key_file = source
        .get("/.well-known/concord-record-key.pub")
        .await
        .text()
        .await
        .expect("key");
    let key = key_file.lines().nth(1).expect("key line").to_owned();

    // A fresh instance: its administrator brings the record in.
    let app = spawn_empty_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let import = |body: Vec<u8>, key: Option<&str>| {
        let mut request = admin
            .client
            .post(format!("{}{}", admin.address, api::path("/imports")))
            .header("content-type", "application/zip")
            .body(body);
        if let Some(key) = key {
            request = request.header("concord-public-key", key);
        }
        async move { parts(request.send().await.expect("request")).await }
    };
    let before = footprint(&app).await;
    let (_, another) = backend::secrets::Signer::generate().expect("another key");
    let other_key = another.public_key_line().expect("key line");
    // (Changed files inside a bundle are refused by the import itself: records.rs.)
    let truncated = bundle[..bundle.len() / 2].to_vec();
    for (what, body, key, expected) in [
        ("no key", bundle.clone(), None, (422, "validation_failed")),
        (
            "another key",
            bundle.clone(),
            Some(other_key.as_str()),
            (422, "bundle_refused"),
        ),
        (
            "a truncated bundle",
            truncated,
            Some(key.as_str()),
            (422, "bundle_refused"),
        ),
        (
            "not a ZIP",
            b"hello".to_vec(),
            Some(key.as_str()),
            (422, "bundle_refused"),
        ),
    ] {
        let (status, body) = import(body, key).await;
        assert_eq!(
            (status, body["code"].as_str().unwrap_or("")),
            expected,
            "{what}: {body}"
        );
    }
    assert_eq!(
        footprint(&app).await,
        before,
        "a refused bundle writes nothing"
    );

    let (status, imported) = import(bundle.clone(), Some(&key)).await;
    assert_eq!(status, 201, "{imported}");
    assert_eq!(
        (&imported["consultation"], &imported["round"]),
        (&json!("paris-call"), &json!("2019"))
    );
    let (_, consultation) = parts(app.get_consultation("paris-call").await).await;
    assert_eq!(consultation["regions"].as_array().map(Vec::len), Some(22));
    let (status, body) = import(bundle, Some(&key)).await;
    assert_eq!(
        (status, &body["code"]),
        (409, &json!("consultation_exists"))
    );
    let actions = app
        .strings("SELECT action FROM audit_log ORDER BY id")
        .await;
    assert_eq!(actions.last().map(String::as_str), Some("record.imported"));
}

pub(crate) async fn a_long_imported_text_is_saved_whole(db: Db) {
    let app = spawn_empty_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let (status, _) = parts(admin.create_consultation(charter("treaty")).await).await;
    assert_eq!(status, 201);
    // Sixty articles of about 1,500 characters: far more than an ordinary request body.
    let sentence = "Each party shall respect and protect the rights set out here. ";
    let markdown: String = (1..=60)
        .map(|n| format!("## Article {n}: Title {n}\n\n{}\n\n", sentence.repeat(25)))
        .collect();
    assert!(markdown.len() > 90_000);
    let (status, text) = preview(&admin, "treaty", "text/markdown", markdown.into_bytes()).await;
    assert_eq!(status, 200);
    let round = json!({"slug": "2027", "title": "2027 review", "text": text});
    let (status, opened) = parts(admin.open_round("treaty", round).await).await;
    assert_eq!(status, 201, "{opened}");
    assert_eq!(opened["clauses"].as_array().map(Vec::len), Some(60));
}

pub(crate) async fn rounds_opened_at_once_leave_one_draft(db: Db) {
    // A newcomer's consultation with no round yet; a double click, or two conveners at once.
    let app = spawn_empty_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let (status, body) = parts(admin.create_consultation(charter("charter")).await).await;
    assert_eq!(status, 201, "{body}");
    let admin = &admin;
    let open = |slug: &'static str| {
        let round = json!({"slug": slug, "title": slug});
        async move { parts(admin.open_round("charter", round).await).await }
    };
    let answers = tokio::join!(open("2026"), open("2027"), open("2028"), open("2029"));
    let mut statuses: Vec<(u16, String)> = [answers.0, answers.1, answers.2, answers.3]
        .into_iter()
        .map(|(status, body)| (status, body["code"].as_str().unwrap_or("").to_owned()))
        .collect();
    statuses.sort();
    assert_eq!(
        statuses,
        [
            (201, String::new()),
            (409, "previous_round_open".into()),
            (409, "previous_round_open".into()),
            (409, "previous_round_open".into()),
        ]
    );
    let drafts = app.strings("SELECT slug FROM rounds").await;
    assert_eq!(drafts.len(), 1, "{drafts:?}");
}
