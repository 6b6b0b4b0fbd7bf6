//! Records: the hash-chained audit log, exports of a round and their signed bundles.

use super::{close_2019, participant};
use backend::record::bundle::{self, Refusal};
use backend::record::import::{ImportError, import};
use backend::store::Store;
use backend::store::audit::Verdict;
use serde_json::{Value, json};
use std::io::{Read, Write};
use tests::api;
use tests::{CLAUSE, Db, TestApp, parts, spawn_app, spawn_empty_app};

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
        .delete_account(json!({"password": "a long passphrase"}))
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

/// The body of a download, asserting its status.
async fn download(who: &TestApp, round: &str, file: &str, status: u16) -> Vec<u8> {
    let response = who.download("paris-call", round, file).await;
    assert_eq!(response.status(), status, "{round}/{file}");
    response.bytes().await.expect("body").to_vec()
}

/// A CSV file's rows as maps from column to cell, after checking it is what spreadsheets
/// expect: a UTF-8 byte-order mark, CRLF line ends.
type Row = std::collections::HashMap<String, String>;

fn csv_rows(bytes: &[u8]) -> Vec<Row> {
    let text = std::str::from_utf8(bytes).expect("UTF-8");
    let text = text
        .strip_prefix('\u{feff}')
        .expect("a byte-order mark for Excel");
    assert!(text.contains("\r\n"), "RFC 4180 line ends");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().expect("header").clone();
    reader
        .records()
        .map(|r| {
            let r = r.expect("an RFC 4180 row");
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

/// A round with something of everything: a thread with a reply and a passage, a hidden
/// comment, a response, a changed position, a proposal. Gives the convener and the receipts
/// of the first and the changed cast.
async fn a_round_with_a_bit_of_everything(app: &TestApp) -> (TestApp, String, String) {
    let admin = app.new_admin("secretariat").await;
    let convener = app.new_convener(&admin, "paris-call", "chair").await;
    let amina = participant(app, "amina", "civil_society").await;
    let (_, first) = parts(
        amina
            .post_comment(
                CLAUSE,
                json!({"body": "=HYPERLINK(\"http://evil.example\")", "passage": {"exact": "hospitals"}}),
            )
            .await,
    )
    .await;
    assert!(first["id"].is_i64(), "{first}");
    let grace = participant(app, "grace", "government").await;
    let (status, reply) = parts(
        grace
            .post_comment(
                CLAUSE,
                json!({"body": "Agreed, \"quoted\", with a comma.", "parent_id": first["id"]}),
            )
            .await,
    )
    .await;
    assert_eq!(status, 201, "{reply}");
    let (_, rude) = parts(
        grace
            .post_comment(CLAUSE, json!({"body": "Something rude about amina."}))
            .await,
    )
    .await;
    let hide = json!({"action": "hide", "reason": "Breaks the code of conduct."});
    let hidden = convener
        .moderate_comment("paris-call", &rude["id"], hide)
        .await;
    assert_eq!(hidden.status(), 200);
    let answer = json!({"verdict": "accepted", "explanation": "Clause 1 names them."});
    let answered = convener
        .respond_to_comment("paris-call", &first["id"], answer)
        .await;
    assert_eq!(answered.status(), 200);
    let (_, cast) = parts(
        amina
            .cast_position(CLAUSE, json!({"stance": "endorse"}))
            .await,
    )
    .await;
    let old = cast["position"]["receipt"]
        .as_str()
        .expect("receipt")
        .to_owned();
    let (_, cast) = parts(
        amina
            .cast_position(
                CLAUSE,
                json!({"stance": "oppose", "reason": "Too weak, after all."}),
            )
            .await,
    )
    .await;
    let new = cast["position"]["receipt"]
        .as_str()
        .expect("receipt")
        .to_owned();
    let proposal = json!({"kind": "addition", "title": "Protect journalists", "body_md": "Journalists must be safe online."});
    let (status, body) = parts(grace.propose("paris-call", "2019", proposal).await).await;
    assert_eq!(status, 201, "{body}");
    (convener, old, new)
}

pub(crate) async fn a_published_round_exports_its_public_record_and_its_conveners_the_whole(
    db: Db,
) {
    let app = spawn_app(db).await;
    let (convener, old_receipt, new_receipt) = a_round_with_a_bit_of_everything(&app).await;
    let anyone = app.another_browser();

    // Before publication: nobody's public record, and the complete one only for conveners.
    let (status, body) = parts(anyone.download("paris-call", "2019", "comments.csv").await).await;
    assert_eq!((status, &body["code"]), (409, &json!("not_published")));
    let round = ("paris-call", "2019");
    let convener_only = anyone.download_as(round, "comments.csv", "convener").await;
    assert_eq!(convener_only.status(), 401);
    let amina = app.another_browser();
    amina.sign_in("amina", "a long passphrase").await;
    let convener_only = amina.download_as(round, "comments.csv", "convener").await;
    assert_eq!(convener_only.status(), 403);
    let (status, body) = parts(anyone.download("paris-call", "2019", "secrets.csv").await).await;
    assert_eq!((status, &body["code"]), (404, &json!("not_found")));
    let (status, _) = parts(anyone.download_as(round, "comments.csv", "all").await).await;
    assert_eq!(status, 400);

    let complete =
        csv_rows(&download(&convener, "2019", "comments.csv?visibility=convener", 200).await);
    let ours = |rows: &[Row]| -> [Row; 3] {
        // The demo's own comments come first; ours are the last three of the clause.
        let on_clause: Vec<Row> = rows
            .iter()
            .filter(|r| r["clause"] == "protect-individuals")
            .cloned()
            .collect();
        on_clause[on_clause.len() - 3..]
            .to_vec()
            .try_into()
            .expect("three")
    };
    let [first, _, rude] = ours(&complete);
    assert_eq!(first["author_handle"], "amina");
    assert_eq!(
        rude["body"], "Something rude about amina.",
        "conveners keep hidden text"
    );

    close_2019(&convener).await;
    let publish = json!({"phase": "published"});
    convener.move_phase("paris-call", "2019", publish).await;

    // The public record: pseudonyms, no hidden text, formulas defused, threads kept.
    let response = anyone.download("paris-call", "2019", "comments.csv").await;
    assert_eq!(response.status(), 200);
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert_eq!(
        disposition,
        "attachment; filename=\"paris-call-2019-public-comments.csv\""
    );
    let comments = csv_rows(&response.bytes().await.expect("body"));
    let [first, reply, rude] = ours(&comments);
    let first_id = first["id"].clone();
    let rude_id: u64 = rude["id"].parse().expect("a number");
    assert_eq!(
        first["body"], "'=HYPERLINK(\"http://evil.example\")",
        "a formula stays text"
    );
    assert_eq!(first["passage"], "hospitals");
    assert_eq!(first["response"], "accepted");
    assert_eq!((&reply["parent"], &reply["thread"]), (&first_id, &first_id));
    assert_eq!(reply["body"], "Agreed, \"quoted\", with a comma.");
    assert!(first["author"].starts_with("p-") && first["author_handle"].is_empty());
    assert_ne!(first["author"], reply["author"]);
    assert_eq!(
        rude["body"], "",
        "hidden text stays out of the public record"
    );
    assert_eq!(rude["hidden_reason"], "Breaks the code of conduct.");
    assert_eq!(rude["author"], reply["author"], "one pseudonym per person");

    let positions = csv_rows(&download(&anyone, "2019", "positions.csv", 200).await);
    let find = |receipt: &str| {
        positions
            .iter()
            .find(|p| p["receipt"] == receipt || p["receipt"] == format!("'{receipt}"))
            .unwrap_or_else(|| panic!("receipt {receipt} in {positions:?}"))
    };
    assert_eq!(
        (
            find(&old_receipt)["position"].as_str(),
            find(&old_receipt)["current"].as_str()
        ),
        ("endorse", "false")
    );
    let standing = find(&new_receipt);
    assert_eq!(standing["current"], "true");
    assert_eq!(standing["reason"], "Too weak, after all.");
    assert_eq!(standing["voter"], find(&old_receipt)["voter"]);
    assert_ne!(
        standing["voter"], first["author"],
        "positions go under a pseudonym of their own"
    );
    assert_eq!(standing["stakeholder_group"], "civil_society");

    let tallies = csv_rows(&download(&anyone, "2019", "tallies.csv", 200).await);
    let total = tallies
        .iter()
        .find(|t| t["clause"] == "protect-individuals" && t["breakdown"] == "total")
        .expect("total");
    // The demo's two endorsements and Amina's opposition: carried by a majority of all.
    let counts = ["endorse", "oppose", "carried"].map(|c| total[c].as_str());
    assert_eq!(counts, ["2", "1", "true"]);
    assert!(
        tallies.iter().any(|t| t["clause"] == "proposal-1"),
        "proposals are tallied"
    );
    let moderation = csv_rows(&download(&anyone, "2019", "moderation.csv", 200).await);
    assert_eq!(moderation[0]["comment"], rude["id"]);
    assert_eq!(moderation[0]["by"], "", "no convener named in public");
    let responses = csv_rows(&download(&anyone, "2019", "responses.csv", 200).await);
    assert_eq!(responses[0]["explanation"], "Clause 1 names them.");
    let proposals = csv_rows(&download(&anyone, "2019", "proposals.csv", 200).await);
    assert_eq!(proposals[0]["title"], "Protect journalists");
    let clauses = csv_rows(&download(&anyone, "2019", "clauses.csv", 200).await);
    assert_eq!(clauses[0]["key"], "protect-individuals");
    assert!(
        !clauses[0]["previous_body"].is_empty(),
        "last year's wording, for the redline"
    );

    // The printable report: opens in the browser (not saved), under a policy that lets it run
    // nothing; self-contained, inert, the hidden text left out.
    let opened = anyone.download("paris-call", "2019", "report.html").await;
    let header = |name: &str| {
        opened.headers()[name]
            .to_str()
            .expect("a header")
            .to_owned()
    };
    assert!(header("content-disposition").starts_with("inline;"));
    let policy = header("content-security-policy");
    assert!(
        policy.starts_with("default-src 'none'; style-src 'sha256-"),
        "{policy}"
    );
    let report = String::from_utf8(opened.bytes().await.expect("body").to_vec()).expect("UTF-8");
    assert!(report.starts_with("<!DOCTYPE html>"));
    for absent in [
        "<script",
        "href=\"http",
        "src=",
        "url(",
        "Something rude",
        "=HYPERLINK(\"",
    ] {
        assert!(!report.contains(absent), "{absent} in the report");
    }
    for present in [
        "@page { size: A4",
        "<svg role=\"img\"",
        "Hidden by the conveners: Breaks the code of conduct.",
        "Protect journalists",
        "Accepted</strong>: Clause 1 names them.",
        "=HYPERLINK(&quot;",
    ] {
        assert!(
            report.contains(present),
            "{present} missing from the report"
        );
    }

    // record.json holds the same and is valid against the published schema.
    let record: Value =
        serde_json::from_slice(&download(&anyone, "2019", "record.json", 200).await).expect("JSON");
    let (status, schema) = parts(anyone.record_schema().await).await;
    assert_eq!(status, 200);
    let validator = jsonschema::validator_for(&schema).expect("a JSON Schema");
    let errors: Vec<String> = validator
        .iter_errors(&record)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let mut broken = record.clone();
    broken["comments"][0]["id"] = json!("one");
    assert!(!validator.is_valid(&broken), "the schema can fail");
    let in_json = |record: &Value, id: u64| -> Value {
        record["comments"]
            .as_array()
            .and_then(|all| all.iter().find(|c| c["id"] == json!(id)))
            .cloned()
            .expect("the comment")
    };
    assert_eq!(in_json(&record, rude_id)["body"], Value::Null);
    // Amina's two casts share a pseudonym, not the one of her comments (see the linking test).
    let hers: Vec<&Value> = record["positions"]
        .as_array()
        .expect("positions")
        .iter()
        .filter(|p| p["receipt"] == json!(old_receipt) || p["receipt"] == json!(new_receipt))
        .collect();
    assert_eq!(hers.len(), 2);
    assert_eq!(hers[0]["voter"], hers[1]["voter"]);
    assert_ne!(hers[0]["voter"]["pseudonym"], json!(first["author"]));
    let text = record.to_string();
    for handle in ["\"amina\"", "\"grace\"", "\"chair\""] {
        assert!(!text.contains(handle), "{handle} in the public record");
    }
    let first_id: u64 = first_id.parse().expect("a number");
    assert_eq!(in_json(&record, first_id)["response"]["by"], Value::Null);

    // The convener record names people and keeps hidden text.
    let whole: Value = serde_json::from_slice(
        &download(&convener, "2019", "record.json?visibility=convener", 200).await,
    )
    .expect("JSON");
    assert_eq!(whole["visibility"], "convener");
    assert_eq!(
        in_json(&whole, rude_id)["body"],
        "Something rude about amina."
    );
    assert_eq!(in_json(&whole, first_id)["response"]["by"], "chair");
    assert_eq!(whole["moderation"][0]["by"], "chair");
    assert!(validator.is_valid(&whole));
}

/// The public key of the instance behind `app`, as published.
async fn published_key(app: &TestApp) -> (String, minisign::PublicKey) {
    let response = app.get("/.well-known/concord-record-key.pub").await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.expect("text");
    let key = bundle::public_key_from(&text).expect("a minisign public key");
    (text, key)
}

/// The files of a ZIP, by name, in order.
fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a ZIP");
    (0..zip.len())
        .map(|i| {
            let mut file = zip.by_index(i).expect("entry");
            let mut content = Vec::new();
            file.read_to_end(&mut content).expect("read");
            (file.name().to_owned(), content)
        })
        .collect()
}

/// A convener of the demo round with a bit of everything in it, and its complete bundle.
async fn a_convener_bundle(app: &TestApp) -> (TestApp, Vec<u8>) {
    let (convener, _, _) = a_round_with_a_bit_of_everything(app).await;
    let bundle = download(&convener, "2019", "bundle.zip?visibility=convener", 200).await;
    (convener, bundle)
}

fn rezip(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, content) in files {
        out.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .expect("start");
        out.write_all(content).expect("write");
    }
    out.finish().expect("finish").into_inner()
}

pub(crate) async fn a_bundle_is_signed_so_minisign_and_verify_accept_it_and_refuse_any_change(
    db: Db,
) {
    let app = spawn_app(db).await;
    let (_, bundle) = a_convener_bundle(&app).await;
    let (key_file, key) = published_key(&app).await;
    let manifest = bundle::verify(std::io::Cursor::new(&bundle), &key).expect("a whole bundle");
    assert_eq!(
        (manifest.round.as_str(), manifest.visibility.as_str()),
        ("2019", "convener")
    );
    let head = app.strings("SELECT last_hash FROM audit_head").await;
    assert_eq!(
        manifest.audit_head.hash, head[0],
        "the chain's head when it was read"
    );
    let files = unzip(&bundle);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names.len(), 12);
    assert!(names.ends_with(&["manifest.json", "manifest.json.minisig"]));

    // The stock minisign tool accepts the manifest with the published key.
    let dir = tempfile::tempdir().expect("directory");
    for (name, content) in &files {
        std::fs::write(dir.path().join(name), content).expect("write");
    }
    std::fs::write(dir.path().join("concord.pub"), &key_file).expect("write");
    let checked = std::process::Command::new("minisign")
        .current_dir(dir.path())
        .args(["-Vm", "manifest.json", "-p", "concord.pub"])
        .output()
        .expect("minisign (Debian package) runs");
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    assert!(String::from_utf8_lossy(&checked.stdout).contains("concord record of paris-call/2019"));
    // … and refuses a manifest changed after signing.
    let manifest_path = dir.path().join("manifest.json");
    let mut changed = std::fs::read(&manifest_path).expect("read");
    changed.extend_from_slice(b" ");
    std::fs::write(&manifest_path, changed).expect("write");
    let refused = std::process::Command::new("minisign")
        .current_dir(dir.path())
        .args(["-Vm", "manifest.json", "-p", "concord.pub"])
        .output()
        .expect("minisign runs");
    assert!(!refused.status.success());

    let refusal =
        |bytes: Vec<u8>| bundle::verify(std::io::Cursor::new(bytes), &key).expect_err("refused");
    let with = |name: &str, change: &dyn Fn(&mut Vec<u8>)| {
        let mut files = files.clone();
        for (n, content) in &mut files {
            if n == name {
                change(content);
            }
        }
        rezip(&files)
    };
    // One changed byte in a data file.
    let changed = with("comments.csv", &|c| {
        let at = c.len() / 2;
        c[at] ^= 1;
    });
    assert_eq!(refusal(changed), Refusal::Changed("comments.csv".into()));
    // A missing file.
    let missing: Vec<_> = files
        .iter()
        .filter(|(n, _)| n != "positions.csv")
        .cloned()
        .collect();
    assert_eq!(
        refusal(rezip(&missing)),
        Refusal::Missing("positions.csv".into())
    );
    // An extra one.
    let mut extra = files.clone();
    extra.push(("notes.txt".into(), b"added later".to_vec()));
    assert_eq!(
        refusal(rezip(&extra)),
        Refusal::Unlisted("notes.txt".into())
    );
    // A changed file followed by the original under the same name: `unzip` shows the first,
    // a reader keeping one entry per name the second.
    let mut twice = vec![(
        "comments.csv".to_owned(),
        b"pseudonym,body\nx,forged\n".to_vec(),
    )];
    twice.extend(files.iter().map(|(name, content)| {
        let name = if name == "comments.csv" {
            "comments.cs_"
        } else {
            name
        };
        (name.to_owned(), content.clone())
    }));
    let mut twice = rezip(&twice);
    for at in 0..twice.len().saturating_sub(12) {
        if &twice[at..at + 12] == b"comments.cs_" {
            twice[at + 11] = b'v';
        }
    }
    assert_eq!(refusal(twice), Refusal::Twice("comments.csv".into()));
    // A truncated ZIP.
    assert!(matches!(
        refusal(bundle[..bundle.len() / 2].to_vec()),
        Refusal::NotZip(_)
    ));
    // Another key's signature (or this signature on another manifest).
    let other = minisign::KeyPair::generate_unencrypted_keypair().expect("key");
    let other_key = other.pk;
    assert!(matches!(
        bundle::verify(std::io::Cursor::new(&bundle), &other_key),
        Err(Refusal::BadSignature(_))
    ));
    let forged = with("manifest.json", &|m| {
        let text = String::from_utf8(m.clone()).expect("UTF-8");
        *m = text.replacen("\"convener\"", "\"public\"", 1).into_bytes();
    });
    assert!(matches!(refusal(forged), Refusal::BadSignature(_)));
    // A record from a newer version, properly signed by this instance.
    let signer = tests::record_signer();
    let mut newer = files.clone();
    let (manifest_at, signature_at) = (newer.len() - 2, newer.len() - 1);
    let manifest_text = String::from_utf8(newer[manifest_at].1.clone()).expect("UTF-8");
    let manifest_text = manifest_text.replacen("\"schema_version\": 1", "\"schema_version\": 2", 1);
    newer[manifest_at].1 = manifest_text.clone().into_bytes();
    newer[signature_at].1 = signer
        .sign(manifest_text.as_bytes(), "newer")
        .expect("sign")
        .into_bytes();
    assert_eq!(
        refusal(rezip(&newer)),
        Refusal::NewerSchema {
            found: 2,
            supported: 1
        }
    );
    // Every refusal says which.
    assert_eq!(
        Refusal::Changed("comments.csv".into()).to_string(),
        "comments.csv does not match the manifest (changed since it was signed)"
    );
}

/// A copy of the database, taken after the instance signed a bundle, holds nothing that signs:
/// no secret key in any row, only the public half of the key in use, with when it began.
pub(crate) async fn a_copy_of_the_database_cannot_sign_records(db: Db) {
    use base64::Engine;
    let app = spawn_app(db).await;
    let (_, bundle) = a_convener_bundle(&app).await;
    assert!(!bundle.is_empty());
    for kept in app.strings("SELECT key_base64 FROM server_keys").await {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&kept)
            .expect("base64");
        let opened = String::from_utf8(bytes).ok().and_then(|text| {
            minisign::SecretKeyBox::from_string(&text)
                .and_then(|b| b.into_unencrypted_secret_key())
                .ok()
        });
        assert!(opened.is_none(), "a secret key in server_keys");
    }
    let listed = app
        .strings("SELECT key_id || ' ' || public_key FROM record_keys")
        .await;
    let signer = tests::record_signer();
    assert_eq!(
        listed,
        vec![format!(
            "{} {}",
            signer.key_id(),
            signer.public_key_line().expect("key line")
        )]
    );
}

/// The data files of a bundle (all but the manifest and its signature), by name.
fn data_files(bundle: &[u8]) -> Vec<(String, Vec<u8>)> {
    unzip(bundle)
        .into_iter()
        .filter(|(name, _)| !name.starts_with("manifest.json"))
        .collect()
}

async fn consultations(app: &TestApp) -> Vec<String> {
    app.strings("SELECT slug FROM consultations ORDER BY slug")
        .await
}

pub(crate) async fn a_bundle_imported_elsewhere_exports_again_to_identical_files(db: Db) {
    let app = spawn_app(db).await;
    let (convener, _, _) = a_round_with_a_bit_of_everything(&app).await;
    close_2019(&convener).await;
    let publish = json!({"phase": "published"});
    convener.move_phase("paris-call", "2019", publish).await;
    let (_, key) = published_key(&app).await;

    for visibility in ["public", "convener"] {
        let path = format!("bundle.zip?visibility={visibility}");
        let bundle = download(&convener, "2019", &path, 200).await;

        // Not over a consultation of the same name, and not a changed bundle: nothing written.
        let store = Store::connect(&app.database_url).await.expect("connect");
        let before = consultations(&app).await;
        let refused = import(&store, std::io::Cursor::new(&bundle), &key, None).await;
        assert!(
            matches!(refused, Err(ImportError::Exists(ref s)) if s == "paris-call"),
            "{refused:?}"
        );
        store.close().await;
        assert_eq!(consultations(&app).await, before);

        let elsewhere = spawn_empty_app(db).await;
        let store = Store::connect(&elsewhere.database_url)
            .await
            .expect("connect");
        let mut files = unzip(&bundle);
        for (name, content) in &mut files {
            if name == "record.json" {
                content.extend_from_slice(b" ");
            }
        }
        let refused = import(&store, std::io::Cursor::new(rezip(&files)), &key, None).await;
        assert!(
            matches!(refused, Err(ImportError::Refused(Refusal::Changed(ref f))) if f == "record.json"),
            "{refused:?}"
        );
        let other = minisign::KeyPair::generate_unencrypted_keypair()
            .expect("key")
            .pk;
        let refused = import(&store, std::io::Cursor::new(&bundle), &other, None).await;
        assert!(matches!(
            refused,
            Err(ImportError::Refused(Refusal::BadSignature(_)))
        ));
        assert_eq!(
            consultations(&elsewhere).await,
            Vec::<String>::new(),
            "nothing written"
        );

        let imported = import(&store, std::io::Cursor::new(&bundle), &key, None)
            .await
            .expect("imported");
        assert_eq!(
            (imported.consultation.as_str(), imported.round.as_str()),
            ("paris-call", "2019")
        );
        store.close().await;
        elsewhere.until_the_server_notices().await;

        // Exported again there, every data file is the same, byte for byte.
        let reader = match visibility {
            "convener" => elsewhere.new_admin("keeper").await,
            _ => elsewhere.another_browser(),
        };
        let again = download(
            &reader,
            "2019",
            &format!("bundle.zip?visibility={visibility}"),
            200,
        )
        .await;
        let (_, elsewhere_key) = published_key(&elsewhere).await;
        bundle::verify(std::io::Cursor::new(&again), &elsewhere_key).expect("signed there");
        let (theirs, ours) = (data_files(&bundle), data_files(&again));
        assert_eq!(theirs.len(), 10);
        for ((name, a), (_, b)) in theirs.iter().zip(&ours) {
            assert!(a == b, "{visibility} {name} differs after the round trip");
        }
        // The imported people cannot sign in, and the audit log says what happened.
        let handles = elsewhere
            .strings("SELECT handle FROM accounts WHERE handle LIKE '~%' AND deleted_at_ms IS NULL")
            .await;
        assert_eq!(handles, Vec::<String>::new());
        assert_recorded(&elsewhere, &["record.imported"]).await;
    }
}

pub(crate) async fn the_audit_head_is_published_signed_for_observers_to_keep(db: Db) {
    let app = spawn_app(db).await;
    let (_, key) = published_key(&app).await;
    let response = app.get("/.well-known/concord-audit-head").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["cache-control"],
        "no-cache",
        "asked again each time"
    );
    let (_, head) = parts(response).await;
    let entries = app
        .strings("SELECT CAST(COUNT(*) AS TEXT) FROM audit_log")
        .await;
    assert_eq!(head["entries"].to_string(), entries[0]);
    let last = app
        .strings("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")
        .await;
    assert_eq!(head["hash"], json!(last[0]));
    let statement = head["statement"].as_str().expect("statement");
    assert!(
        statement.starts_with(&format!("concord audit head {}:{}", entries[0], last[0])),
        "{statement}"
    );
    // The instance's record key signed it; a changed statement does not verify.
    let signature = minisign::SignatureBox::from_string(head["signature"].as_str().expect("sig"))
        .expect("a minisign signature");
    let check = |text: &str| {
        minisign::verify(
            &key,
            &signature,
            std::io::Cursor::new(text.as_bytes()),
            true,
            false,
            false,
        )
    };
    assert!(check(statement).is_ok());
    assert!(check(&statement.replacen("head ", "head 1", 1)).is_err());
}

pub(crate) async fn the_public_record_cannot_be_joined_to_handles(db: Db) {
    let app = spawn_app(db).await;
    let (convener, _, _) = a_round_with_a_bit_of_everything(&app).await;
    close_2019(&convener).await;
    let publish = json!({"phase": "published"});
    convener.move_phase("paris-call", "2019", publish).await;

    // The adversary of docs/security.md, with the public answers alone: the comments under
    // handles, and the public record.
    let anyone = app.another_browser();
    let (_, page) = parts(anyone.list_comments(CLAUSE).await).await;
    let mut by_handle = Vec::new();
    let mut stack: Vec<&Value> = page["threads"]
        .as_array()
        .expect("threads")
        .iter()
        .collect();
    while let Some(comment) = stack.pop() {
        if let Some(handle) = comment["author"].as_str() {
            by_handle.push((
                handle.to_owned(),
                comment["body"].as_str().unwrap_or("").to_owned(),
                comment["created_at_ms"].as_i64().expect("a time"),
            ));
        }
        stack.extend(comment["replies"].as_array().into_iter().flatten());
    }
    assert!(by_handle.iter().any(|(h, _, _)| h == "amina"), "{page}");
    let comments = csv_rows(&download(&anyone, "2019", "comments.csv", 200).await);
    let positions = csv_rows(&download(&anyone, "2019", "positions.csv", 200).await);

    // Joining a handle's comment to its row by text gives the pseudonym of their writings...
    let written: Vec<(String, String)> = by_handle
        .iter()
        .filter_map(|(handle, body, _)| {
            let row = comments
                .iter()
                .find(|r| r["body"] == *body || r["body"] == format!("'{body}"))?;
            Some((handle.clone(), row["author"].clone()))
        })
        .collect();
    assert!(written.iter().any(|(h, _)| h == "amina"), "{written:?}");
    // ...which no position carries: positions have pseudonyms of their own.
    for (handle, pseudonym) in &written {
        assert!(
            positions.iter().all(|p| p["voter"] != *pseudonym),
            "{handle}'s positions are found under {pseudonym}"
        );
    }
    // Nor does a time join them: the record gives days, the API milliseconds.
    for (handle, _, at_ms) in &by_handle {
        let exact = backend::record::timestamp(*at_ms);
        assert!(
            comments.iter().all(|r| r["posted_at"] != exact),
            "{handle}'s comment at {exact}"
        );
    }
    for row in comments.iter().chain(&positions) {
        let at = row
            .get("posted_at")
            .or_else(|| row.get("cast_at"))
            .expect("a time");
        assert!(at.ends_with("T00:00:00.000Z"), "{at}");
    }
    // Nor the order of rows: within a clause and a day they follow their (random) receipts,
    // not the order of casting.
    for pair in positions.windows(2) {
        if pair[0]["clause"] == pair[1]["clause"] && pair[0]["cast_at"] == pair[1]["cast_at"] {
            assert!(pair[0]["receipt"] <= pair[1]["receipt"], "{pair:?}");
        }
    }
    // Nor can a stand be followed from one round to the next: the 2018 round's voters, most of
    // whom voted in 2019 too, go under other pseudonyms there.
    let publish = json!({"phase": "published"});
    convener.move_phase("paris-call", "2018", publish).await;
    let earlier = csv_rows(&download(&anyone, "2018", "positions.csv", 200).await);
    assert!(!earlier.is_empty());
    for row in &earlier {
        assert!(
            positions.iter().all(|p| p["voter"] != row["voter"]),
            "{} is in both rounds",
            row["voter"]
        );
    }
}

/// The record key is replaced: the well-known file lists the new key first and the old one
/// with the dates it signed between; a bundle the old key signed still verifies against that
/// file, one it signed dated after it was replaced does not, and the old key cannot be taken
/// up again.
pub(crate) async fn a_new_record_key_retires_the_old_one_which_still_verifies_what_it_signed(
    db: Db,
) {
    let app = spawn_app(db).await;
    let (convener, old_bundle) = a_convener_bundle(&app).await;
    let path = "bundle.zip?visibility=convener";

    let (_, new_key) = backend::secrets::Signer::generate().expect("a new key");
    let new_id = new_key.key_id();
    let renewed = app.restarted_with(new_key).await;
    let listed = renewed
        .get("/.well-known/concord-record-key.pub")
        .await
        .text()
        .await
        .expect("keys");
    let old_id = tests::record_signer().key_id();
    let comments: Vec<&str> = listed.lines().step_by(2).collect();
    assert_eq!(comments.len(), 2, "{listed}");
    assert!(comments[0].contains(&new_id) && !comments[0].contains(" until "));
    assert!(comments[1].contains(&old_id) && comments[1].contains(" until "));
    let keys = bundle::trusted_keys_from(&listed).expect("keys");
    let verified = |bytes: &[u8]| {
        keys.iter()
            .map(|key| {
                bundle::verify(std::io::Cursor::new(bytes), &key.key)
                    .and_then(|m| bundle::within_dates(&m, key).map(|()| m))
            })
            .find(Result::is_ok)
            .unwrap_or_else(|| Err(Refusal::Unlisted("no key".into())))
    };
    let manifest = verified(&old_bundle).expect("the old key's bundle still verifies");
    assert_eq!(manifest.key_id, old_id);
    let convener_there = convener.on(&renewed);
    let new_bundle = download(&convener_there, "2019", path, 200).await;
    assert_eq!(verified(&new_bundle).expect("verifies").key_id, new_id);

    // Someone who kept the old key signs a manifest dated after it was replaced.
    let mut files = unzip(&old_bundle);
    let (manifest_at, signature_at) = (files.len() - 2, files.len() - 1);
    let text = String::from_utf8(files[manifest_at].1.clone()).expect("UTF-8");
    let later = backend::record::timestamp(backend::store::now_ms() + 86_400_000);
    let forged = text.replacen(&manifest.created_at, &later, 1);
    files[manifest_at].1 = forged.clone().into_bytes();
    files[signature_at].1 = tests::record_signer()
        .sign(forged.as_bytes(), "late")
        .expect("sign")
        .into_bytes();
    let late = rezip(&files);
    let old_key = keys
        .iter()
        .find(|k| k.until_ms.is_some())
        .expect("the old key");
    let manifest = bundle::verify(std::io::Cursor::new(&late), &old_key.key).expect("signed");
    assert!(matches!(
        bundle::within_dates(&manifest, old_key),
        Err(Refusal::OutsideKeyDates(_))
    ));
    // The old key is not taken up again.
    let store = backend::store::Store::connect(&app.database_url)
        .await
        .expect("connect");
    assert!(
        backend::record::command::sign_with(&store, tests::record_signer())
            .await
            .is_err()
    );
    store.close().await;
}

/// A bundle's `files` with record.json changed by `edit`, and a manifest that matches it,
/// signed by `signer`: what a hostile or buggy instance could send with its own key.
fn resigned(
    files: &[(String, Vec<u8>)],
    signer: &backend::secrets::Signer,
    edit: impl FnOnce(&mut Value),
) -> Vec<u8> {
    use sha2::Digest;
    let mut files = files.to_vec();
    let mut record = files
        .iter()
        .find(|(name, _)| name == "record.json")
        .map(|(_, content)| serde_json::from_slice::<Value>(content).expect("JSON"))
        .expect("record.json");
    edit(&mut record);
    let record = serde_json::to_vec(&record).expect("JSON");
    let hash: String = sha2::Sha256::digest(&record)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    for (name, content) in &mut files {
        if name == "record.json" {
            *content = record.clone();
        }
    }
    let manifest_at = files
        .iter()
        .position(|(name, _)| name == "manifest.json")
        .expect("manifest");
    let mut manifest: Value = serde_json::from_slice(&files[manifest_at].1).expect("JSON");
    for listed in manifest["files"].as_array_mut().expect("files") {
        if listed["name"] == "record.json" {
            listed["bytes"] = json!(record.len());
            listed["sha256"] = json!(hash);
        }
    }
    let manifest = serde_json::to_vec_pretty(&manifest).expect("JSON");
    let signature = signer.sign(&manifest, "resigned").expect("sign");
    for (name, content) in &mut files {
        match name.as_str() {
            "manifest.json" => *content = manifest.clone(),
            "manifest.json.minisig" => *content = signature.clone().into_bytes(),
            _ => {}
        }
    }
    rezip(&files)
}

/// Every `body` in `value`, depth first: what a reader of a comment list reads.
fn bodies(value: &Value) -> Vec<String> {
    match value {
        Value::Object(map) => map
            .iter()
            .flat_map(|(name, v)| match (name.as_str(), v) {
                ("body", Value::String(body)) => vec![body.clone()],
                _ => bodies(v),
            })
            .collect(),
        Value::Array(items) => items.iter().flat_map(bodies).collect(),
        _ => Vec::new(),
    }
}

pub(crate) async fn a_record_signed_by_a_hostile_instance_is_checked_like_typed_input(db: Db) {
    // The source: a closed, published round with a bit of everything, set up in two languages,
    // for three groups, with its own regions and a preamble.
    let app = spawn_app(db).await;
    let (convener, _, _) = a_round_with_a_bit_of_everything(&app).await;
    let admin = app.new_admin("keeper").await;
    let settings = json!({
        "titles": [{"language": "en", "title": "Paris Call"}, {"language": "fr", "title": "Appel de Paris"}],
        "description": "Trust and security in cyberspace.",
        "stakeholder_groups": ["civil_society", "government", "academia"],
        "regions": ["Sahel", "West Africa", "Europe"],
    });
    let (status, body) = parts(admin.change_consultation("paris-call", settings).await).await;
    assert_eq!(status, 200, "{body}");
    app.execute(
        "UPDATE rounds SET preamble_md = 'We, the signatories,' WHERE slug = '2019'",
        &[],
    )
    .await;
    close_2019(&convener).await;
    convener
        .move_phase("paris-call", "2019", json!({"phase": "published"}))
        .await;
    let exported = download(&convener, "2019", "bundle.zip?visibility=convener", 200).await;
    let files = unzip(&exported);
    let (_, signer) = backend::secrets::Signer::generate().expect("a key");
    let key = signer.public_key().clone();

    // A newcomer's instance, empty; whatever is refused writes nothing there.
    let elsewhere = spawn_empty_app(db).await;
    let store = Store::connect(&elsewhere.database_url)
        .await
        .expect("connect");
    type Edit = fn(&mut Value);
    let hostile: [(&str, Edit, &str); 14] = [
        (
            "an address that climbs",
            |r| r["consultation"]["slug"] = json!("../etc"),
            "address",
        ),
        (
            "an empty address",
            |r| r["consultation"]["slug"] = json!(""),
            "address",
        ),
        (
            "a page's address",
            |r| r["consultation"]["slug"] = json!("new"),
            "address",
        ),
        (
            "an empty title",
            |r| r["consultation"]["title"] = json!(" "),
            "title",
        ),
        (
            "a control character",
            |r| r["clauses"][0]["title"] = json!("A\u{1b}[2J"),
            "control",
        ),
        (
            "a round open for positions",
            |r| r["round"]["phase"] = json!("voting"),
            "closed or published",
        ),
        (
            "an unknown stance",
            |r| r["positions"][0]["position"] = json!("veto"),
            "veto",
        ),
        (
            "an unknown group",
            |r| r["consultation"]["stakeholder_groups"] = json!(["royalty"]),
            "royalty",
        ),
        (
            "a clause key that is a page",
            |r| r["clauses"][0]["key"] = json!("results"),
            "clause",
        ),
        (
            "two clauses with one key",
            |r| {
                let key = r["clauses"][0]["key"].clone();
                r["clauses"][1]["key"] = key;
            },
            "same key",
        ),
        (
            "two standing positions of one person",
            |r| {
                let mut twice = r["positions"][0].clone();
                twice["current"] = json!(true);
                twice["receipt"] = json!("another-receipt");
                r["positions"][0]["current"] = json!(true);
                r["positions"]
                    .as_array_mut()
                    .expect("positions")
                    .push(twice);
            },
            "two standing positions",
        ),
        (
            "two comments with one number",
            |r| {
                let again = r["comments"][0].clone();
                r["comments"].as_array_mut().expect("comments").push(again);
            },
            "same number",
        ),
        (
            "a huge body",
            |r| r["clauses"][0]["body"] = json!("x".repeat(20_001)),
            "limited",
        ),
        (
            "an unknown verdict",
            |r| {
                for comment in r["comments"].as_array_mut().expect("comments") {
                    if comment["response"].is_object() {
                        comment["response"]["verdict"] = json!("whatever");
                    }
                }
            },
            "whatever",
        ),
    ];
    for (what, edit, says) in hostile {
        let bundle = resigned(&files, &signer, edit);
        match import(&store, std::io::Cursor::new(bundle), &key, None).await {
            Err(ImportError::Invalid(why)) => assert!(why.contains(says), "{what}: {why}"),
            other => panic!("{what}: {other:?}"),
        }
    }
    store.close().await;
    assert_eq!(consultations(&elsewhere).await, Vec::<String>::new());

    // Over the API the refusal is a 422 that says what is wrong; the media type's case is
    // its own business.
    let keeper = elsewhere.new_admin("keeper").await;
    let send = |bundle: Vec<u8>| {
        let request = keeper
            .client
            .post(format!("{}{}", keeper.address, api::path("/imports")))
            .header("content-type", "Application/ZIP")
            .header("concord-public-key", public_key_line(&signer))
            .body(bundle);
        async move { parts(request.send().await.expect("request")).await }
    };
    let (status, body) = send(resigned(&files, &signer, |r| {
        r["round"]["phase"] = json!("voting");
    }))
    .await;
    assert_eq!(
        (status, &body["code"]),
        (422, &json!("bundle_refused")),
        "{body}"
    );
    assert!(
        body["message"]
            .as_str()
            .unwrap_or("")
            .contains("closed or published"),
        "{body}"
    );

    // The honest record comes in whole: titles, groups, regions, preamble, and each comment
    // once.
    let (status, body) = send(resigned(&files, &signer, |_| {})).await;
    assert_eq!(status, 201, "{body}");
    let (_, consultation) = parts(elsewhere.get_consultation("paris-call").await).await;
    assert_eq!(
        consultation["titles"][1]["title"], "Appel de Paris",
        "{consultation}"
    );
    assert_eq!(
        consultation["stakeholder_groups"],
        json!(["civil_society", "government", "academia"])
    );
    assert_eq!(
        consultation["regions"],
        json!(["Sahel", "West Africa", "Europe"])
    );
    let (_, round) = parts(elsewhere.get_round("paris-call", "2019").await).await;
    assert_eq!(round["preamble_md"], "We, the signatories,", "{round}");
    let (_, here) = parts(convener.list_comments(CLAUSE).await).await;
    let (_, there) = parts(keeper.list_comments(CLAUSE).await).await;
    assert_eq!(bodies(&there), bodies(&here), "{there}");
}

fn public_key_line(signer: &backend::secrets::Signer) -> String {
    let file = signer.public_key_file().expect("key file");
    file.lines().nth(1).expect("key line").to_owned()
}
