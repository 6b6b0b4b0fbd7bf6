//! Opt-in e-mail reminders, through a real SMTP server started by the test (aiosmtpd): an
//! address verified by its link, one message per event and subscriber in their language, the
//! one-click unsubscribe, the queue surviving a server that refuses or is down, two server
//! processes sending each message once; and what a hostile client sends.

use super::*;
use tests::smtp::{Received, SmtpServer};
use tests::{CLAUSE, spawn_app, spawn_app_mailing};

/// Gives `who` the address `address` in `language`; the verification message it receives,
/// being message number `n` (from 1) the server gets.
async fn give_address(
    who: &TestApp,
    smtp: &SmtpServer,
    address: &str,
    language: &str,
    n: usize,
) -> Received {
    let body = json!({"address": address, "language": language});
    let (status, settings) = parts(who.set_email_address(body).await).await;
    assert_eq!(status, 202, "{settings}");
    assert_eq!(settings["address"], address);
    assert_eq!(settings["verified"], false);
    let received = smtp.until_received(n).await;
    received[n - 1].clone()
}

/// The token of a verification link (after `#`).
fn token_of(message: &Received, app: &TestApp) -> String {
    let link = message.link(&format!("{}/email/verify#", app.passkey_origin()));
    link.rsplit('#').next().expect("a token").to_owned()
}

/// Verifies with `token`, as anyone who holds the link (no sign-in needed).
async fn verify(app: &TestApp, token: &str) -> (u16, serde_json::Value) {
    parts(
        app.another_browser()
            .verify_email_address(json!({"token": token}))
            .await,
    )
    .await
}

fn all_reminders() -> serde_json::Value {
    json!({"new_round": true, "phase_changes": true, "deadlines": true, "responses": true})
}

/// Waits two turns of the mail worker, so that anything it would send has gone.
async fn until_the_worker_turned() {
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
}

pub(crate) async fn a_participant_verifies_an_address_and_gets_each_reminder_once_in_their_language(
    db: Db,
) {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_mailing(db, &smtp).await;
    let admin = app.new_admin("secretariat").await;
    let convener = app.new_convener(&admin, "paris-call", "chair").await;
    let amina = participant(&app, "amina", "civil_society").await;

    // A newcomer has no address, and every consultation offered with nothing chosen.
    let (status, settings) = parts(amina.email_settings().await).await;
    assert_eq!(status, 200);
    assert_eq!(settings["available"], true);
    assert_eq!(settings["address"], serde_json::Value::Null);
    assert_eq!(settings["choices"][0]["consultation"], "paris-call");
    assert_eq!(settings["choices"][0]["phase_changes"], false);

    // Bad addresses are refused, and nothing is sent.
    for bad in [
        "not an address",
        "amina@example.org\r\nBcc: eve@example.org",
        "Amina <amina@example.org>",
        "amina@localhost",
    ] {
        let body = json!({"address": bad, "language": "en"});
        let (status, refused) = parts(amina.set_email_address(body).await).await;
        assert_eq!(
            (status, &refused["fields"][0]["field"]),
            (422, &json!("address")),
            "{bad:?}"
        );
    }
    let long = format!("{}@example.org", "a".repeat(250));
    let (status, refused) = parts(
        amina
            .set_email_address(json!({"address": long, "language": "en"}))
            .await,
    )
    .await;
    assert_eq!(
        (status, &refused["fields"][0]["code"]),
        (422, &json!("too_long"))
    );
    let (status, _) = parts(
        amina
            .set_email_address(json!({"address": "a@example.org", "language": "xx"}))
            .await,
    )
    .await;
    assert_eq!(status, 422, "a language Concord does not speak");
    let (status, _) = parts(
        amina
            .set_email_address(json!({"address": "a@example.org"}))
            .await,
    )
    .await;
    assert_eq!(status, 422, "no language");

    // She gives her address in French; the link comes, in French, to her alone.
    let first = give_address(&amina, &smtp, "amina@example.org", "fr", 1).await;
    assert_eq!(first.recipients, ["amina@example.org"]);
    assert_eq!(
        first.subject(),
        "Confirmez votre adresse pour les rappels de Concord"
    );
    assert!(
        first.header("List-Unsubscribe").is_none(),
        "a link she asked for"
    );
    let expired = token_of(&first, &app);

    // The link expires after 24 hours (the test makes it old instead of waiting).
    app.execute("UPDATE email_verifications SET expires_at_ms = 0", &[])
        .await;
    let (status, body) = verify(&app, &expired).await;
    assert_eq!((status, &body["code"]), (410, &json!("link_expired")));

    // Giving it again sends a new link; the old one is no longer any link at all.
    let second = give_address(&amina, &smtp, "amina@example.org", "fr", 2).await;
    let token = token_of(&second, &app);
    assert_eq!(verify(&app, &expired).await.0, 404);
    let (status, body) = verify(&app, "no-such-token").await;
    assert_eq!((status, &body["code"]), (404, &json!("not_found")));
    assert_eq!(
        verify(&app, &token).await.0,
        204,
        "verified, signed in or not"
    );
    let (status, body) = verify(&app, &token).await;
    assert_eq!((status, &body["code"]), (409, &json!("link_used")));
    let (_, settings) = parts(amina.email_settings().await).await;
    assert_eq!(settings["verified"], true);
    // Giving the same address again (in other letter case too) changes nothing: still
    // verified, no new link.
    let again = json!({"address": "Amina@Example.org", "language": "fr"});
    let (status, settings) = parts(amina.set_email_address(again).await).await;
    assert_eq!((status, &settings["verified"]), (202, &json!(true)));
    // Only digests of links are kept.
    let kept = app
        .strings("SELECT token_digest FROM email_verifications")
        .await;
    assert!(kept.iter().all(|d| d.len() == 64 && *d != token));

    // She asks for every reminder of the consultation; someone else asks for none.
    let (status, settings) = parts(amina.set_reminders("paris-call", all_reminders()).await).await;
    assert_eq!(
        (status, &settings["choices"][0]["deadlines"]),
        (200, &json!(true))
    );
    let (status, _) = parts(amina.set_reminders("nowhere", all_reminders()).await).await;
    assert_eq!(status, 404);
    let (status, _) = parts(
        amina
            .set_reminders("paris-call", json!({"new_round": true, "spam": true}))
            .await,
    )
    .await;
    assert_eq!(status, 422, "unknown or missing choices");
    let grace = participant(&app, "grace", "technical_community").await;
    give_address(&grace, &smtp, "grace@example.org", "en", 3).await;

    // The conveners respond to her comment: one message, to her alone, in French, with a
    // one-click unsubscribe link and nothing that tracks her.
    let (status, comment) = parts(
        amina
            .post_comment(CLAUSE, json!({"body": "Name journalists."}))
            .await,
    )
    .await;
    assert_eq!(status, 201);
    let id = comment["id"].as_i64().expect("id");
    let verdict = json!({"verdict": "accepted", "explanation": "Done."});
    assert_eq!(
        convener
            .respond_to_comment("paris-call", id, verdict)
            .await
            .status(),
        200
    );
    let received = smtp.until_received(4).await;
    let response = &received[3];
    assert_eq!(response.recipients, ["amina@example.org"]);
    let consultation = "Paris Call for Trust and Security in Cyberspace — annual review";
    assert_eq!(
        response.subject(),
        format!(
            "{consultation}: 2019 review, Protect individuals and infrastructure : les organisateurs ont répondu à un commentaire"
        )
    );
    let text = response.text();
    let comment_link = format!(
        "{}/c/paris-call/2019/protect-individuals#comment-{id}",
        app.passkey_origin()
    );
    assert!(text.contains(&comment_link), "{text}");
    assert!(
        !String::from_utf8_lossy(&response.raw).contains("<img"),
        "no tracking pixel"
    );
    for word in text.split_whitespace().filter(|w| w.starts_with("http")) {
        assert!(
            word.starts_with(&app.passkey_origin()),
            "a link elsewhere: {word}"
        );
    }

    // The conveners close 2019, then open 2020: one message each.
    close_2019(&convener).await;
    let received = smtp.until_received(5).await;
    let closed = &received[4];
    assert_eq!(closed.recipients, ["amina@example.org"]);
    assert_eq!(
        closed.subject(),
        format!("{consultation}: 2019 review : clos")
    );
    let unsubscribe = closed.header("List-Unsubscribe").expect("List-Unsubscribe");
    let one_click = format!("<{}/api/v1/unsubscribe?token=", app.passkey_origin());
    assert!(unsubscribe.starts_with(&one_click), "{unsubscribe}");
    assert_eq!(
        closed.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    assert!(
        closed
            .text()
            .contains(&format!("{}/c/paris-call/2019", app.passkey_origin()))
    );
    let new = json!({"slug": "2020", "title": "2020 review"});
    assert_eq!(convener.open_round("paris-call", new).await.status(), 201);
    let received = smtp.until_received(6).await;
    assert_eq!(
        received[5].subject(),
        format!("{consultation}: 2020 review : cycle ouvert")
    );
    assert_eq!(received[5].recipients, ["amina@example.org"]);

    // Nothing comes twice, however many turns the worker takes.
    until_the_worker_turned().await;
    assert_eq!(smtp.received().len(), 6);

    // Unsubscribing from the message needs no sign-in: a mail client's one POST.
    let url = unsubscribe
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_owned();
    let url = url.replace(&app.passkey_origin(), &app.address);
    let anonymous = reqwest::Client::new();
    let response = anonymous
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .expect("unsubscribe");
    assert_eq!(response.status(), 204);
    let (_, settings) = parts(amina.email_settings().await).await;
    let choice = &settings["choices"][0];
    assert_eq!(
        (&choice["phase_changes"], &choice["new_round"]),
        (&json!(false), &json!(true)),
        "that kind alone"
    );
    let bogus = format!("{}/api/v1/unsubscribe?token=forged", app.address);
    let response = anonymous.post(&bogus).send().await.expect("forged");
    assert_eq!(response.status(), 404);
    let response = anonymous
        .post(format!("{}/api/v1/unsubscribe", app.address))
        .send()
        .await
        .expect("no token");
    assert_eq!(response.status(), 400);
    // Phase changes no longer reach her.
    let to = json!({"phase": "published"});
    assert_eq!(
        convener.move_phase("paris-call", "2019", to).await.status(),
        200
    );
    until_the_worker_turned().await;
    assert_eq!(smtp.received().len(), 6);

    // Her address is hers alone: in her export, in no public answer, gone with her account.
    let (_, export) = parts(amina.export_account().await).await;
    assert_eq!(export["email_address"], "amina@example.org");
    assert_eq!(export["reminders"][0]["consultation"], "paris-call");
    let (_, conveners_view) = parts(convener.dashboard("paris-call").await).await;
    assert!(!conveners_view.to_string().contains("amina@example.org"));
    let deleted = amina
        .delete_account(json!({"password": "a long passphrase"}))
        .await;
    assert_eq!(deleted.status(), 204);
    for table in [
        "email_addresses",
        "email_verifications",
        "reminder_choices",
        "mails",
    ] {
        let left = app
            .strings(&format!(
                "SELECT CAST(COUNT(*) AS TEXT) FROM {table} WHERE account_id = \
                 (SELECT id FROM accounts WHERE deleted_at_ms IS NOT NULL)"
            ))
            .await;
        assert_eq!(left, ["0"], "{table}");
    }
}

pub(crate) async fn a_header_injection_through_any_text_reaches_no_header(db: Db) {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_mailing(db, &smtp).await;
    let admin = app.new_admin("secretariat").await;
    let convener = app.new_convener(&admin, "paris-call", "chair").await;
    let amina = participant(&app, "amina", "civil_society").await;
    let link = give_address(&amina, &smtp, "amina@example.org", "en", 1).await;
    assert_eq!(verify(&app, &token_of(&link, &app)).await.0, 204);
    assert_eq!(
        amina
            .set_reminders("paris-call", all_reminders())
            .await
            .status(),
        200
    );

    // A round's title carrying a line break and a header, written past the API's checks.
    let line_break = match db {
        Db::Sqlite => "char(13) || char(10)",
        Db::Postgres => "chr(13) || chr(10)",
    };
    app.execute(
        &format!(
            "UPDATE rounds SET title = '2019 review' || {line_break} || \
             'Bcc: eve@example.org' || {line_break} || 'X-Evil: yes' WHERE slug = '2019'"
        ),
        &[],
    )
    .await;
    app.until_the_server_notices().await;
    close_2019(&convener).await;
    let received = smtp.until_received(2).await;
    let message = &received[1];
    assert_eq!(message.recipients, ["amina@example.org"], "no one else");
    assert!(message.header("Bcc").is_none());
    assert!(message.header("X-Evil").is_none());
    assert!(
        message
            .subject()
            .contains("2019 review  Bcc: eve@example.org  X-Evil: yes"),
        "{}",
        message.subject()
    );
}

pub(crate) async fn a_refusing_or_absent_smtp_server_leaves_mail_queued_until_it_returns(db: Db) {
    let mut smtp = SmtpServer::start().await;
    let app = spawn_app_mailing(db, &smtp).await;
    let amina = participant(&app, "amina", "civil_society").await;

    // The server is busy: the message stays queued, its failure noted.
    smtp.refuse(true);
    let body = json!({"address": "amina@example.org", "language": "en"});
    assert_eq!(amina.set_email_address(body).await.status(), 202);
    until_the_worker_turned().await;
    assert!(smtp.received().is_empty());
    let error = app.strings("SELECT last_error FROM mails").await;
    assert_eq!(error, ["the SMTP server refused for now (451)"]);

    // It takes messages again; once the back-off is over (the test shortens it) the message
    // goes, once.
    smtp.refuse(false);
    app.execute("UPDATE mails SET next_attempt_at_ms = 0", &[])
        .await;
    let received = smtp.until_received(1).await;
    let token = token_of(&received[0], &app);
    assert_eq!(verify(&app, &token).await.0, 204);

    // The server is down, and this process goes too: another process (a restart) finds the
    // message in the queue and sends it when the server is back.
    assert_eq!(
        amina
            .set_reminders("paris-call", all_reminders())
            .await
            .status(),
        200
    );
    smtp.stop();
    let admin = app.new_admin("secretariat").await;
    let convener = app.new_convener(&admin, "paris-call", "chair").await;
    close_2019(&convener).await;
    until_the_worker_turned().await;
    let errors = app
        .strings("SELECT last_error FROM mails WHERE sent_at_ms IS NULL")
        .await;
    assert_eq!(errors.len(), 1, "queued: {errors:?}");
    let restarted = app.sibling_mailing(&smtp).await;
    smtp.resume().await;
    app.execute(
        "UPDATE mails SET next_attempt_at_ms = 0 WHERE sent_at_ms IS NULL",
        &[],
    )
    .await;
    let received = smtp.until_received(2).await;
    assert!(received[1].subject().ends_with("2019 review: closed"));
    until_the_worker_turned().await;
    assert_eq!(smtp.received().len(), 2, "once");
    drop(restarted);
}

pub(crate) async fn two_server_processes_send_each_reminder_once(db: Db) {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_mailing(db, &smtp).await;
    let other = app.sibling_mailing(&smtp).await;
    let admin = app.new_admin("secretariat").await;
    let convener = app.new_convener(&admin, "paris-call", "chair").await;

    // Six subscribers, their addresses verified.
    let mut addresses = Vec::new();
    for i in 0..6 {
        let who = participant(&app, &format!("follower-{i}"), "civil_society").await;
        let address = format!("follower-{i}@example.org");
        let link = give_address(&who, &smtp, &address, "en", i + 1).await;
        assert_eq!(verify(&other, &token_of(&link, &app)).await.0, 204);
        assert_eq!(
            who.set_reminders("paris-call", all_reminders())
                .await
                .status(),
            200
        );
        addresses.push(address);
    }

    // A phase change, made through one process and scheduled changes noticed by both: each
    // subscriber gets one message for each.
    close_2019(&convener).await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_millis() as i64;
    let new = json!({"slug": "2020", "title": "2020 review"});
    assert_eq!(convener.open_round("paris-call", new).await.status(), 201);
    let plan = json!({"commenting_at_ms": now + 60_000});
    assert_eq!(
        convener
            .set_schedule("paris-call", "2020", plan)
            .await
            .status(),
        200
    );
    // The minute passes (the test moves the schedule back instead of waiting).
    app.execute(
        "UPDATE rounds SET commenting_at_ms = commenting_at_ms - 120000 WHERE slug = '2020'",
        &[],
    )
    .await;
    // 6 links, then per subscriber: closed, new round, a deadline within 48 hours (the
    // commenting phase's start, before it came), comments open.
    let expected = 6 + 6 * 3;
    let received = smtp.until_received(expected).await;
    until_the_worker_turned().await;
    let received_later = smtp.received();
    assert!(received_later.len() >= received.len());
    let mut per_subject: std::collections::HashMap<(String, String), usize> = Default::default();
    for message in &received_later[6..] {
        for to in &message.recipients {
            *per_subject
                .entry((to.clone(), message.subject()))
                .or_default() += 1;
        }
    }
    assert!(
        per_subject.values().all(|n| *n == 1),
        "twice: {per_subject:?}"
    );
    for address in &addresses {
        let theirs: Vec<&String> = per_subject
            .keys()
            .filter(|(to, _)| to == address)
            .map(|(_, s)| s)
            .collect();
        assert!(
            theirs.iter().any(|s| s.ends_with("2019 review: closed")),
            "{theirs:?}"
        );
        assert!(
            theirs
                .iter()
                .any(|s| s.ends_with("2020 review: comments open")),
            "{theirs:?}"
        );
    }
}

pub(crate) async fn a_server_without_smtp_offers_no_email_and_queues_nothing(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let convener = app.new_convener(&admin, "paris-call", "chair").await;
    let amina = participant(&app, "amina", "civil_society").await;
    let (status, settings) = parts(amina.email_settings().await).await;
    assert_eq!(status, 200);
    assert_eq!(
        settings,
        json!({"available": false, "address": null, "verified": false, "choices": []})
    );
    let body = json!({"address": "amina@example.org", "language": "en"});
    let (status, refused) = parts(amina.set_email_address(body).await).await;
    assert_eq!(
        (status, &refused["code"]),
        (409, &json!("email_unavailable"))
    );
    let (status, _) = parts(amina.set_reminders("paris-call", all_reminders()).await).await;
    assert_eq!(status, 409);
    let (status, _) = parts(amina.verify_email_address(json!({"token": "x"})).await).await;
    assert_eq!(status, 409);
    close_2019(&convener).await;
    for table in ["email_addresses", "mail_events", "mails"] {
        let rows = app
            .strings(&format!("SELECT CAST(COUNT(*) AS TEXT) FROM {table}"))
            .await;
        assert_eq!(rows, ["0"], "{table}");
    }
    // An address kept from when the server sent mail stays its owner's to see and remove.
    app.execute(
        "INSERT INTO email_addresses (account_id, address, verified_at_ms, language, \
             created_at_ms) SELECT id, 'amina@example.org', 1, 'en', 1 FROM accounts \
         WHERE handle = 'amina'",
        &[],
    )
    .await;
    let (_, settings) = parts(amina.email_settings().await).await;
    assert_eq!(
        (&settings["available"], &settings["address"]),
        (&json!(false), &json!("amina@example.org"))
    );
    assert_eq!(amina.delete_email_address().await.status(), 204);
    let (_, settings) = parts(amina.email_settings().await).await;
    assert_eq!(settings["address"], serde_json::Value::Null);
    // Not signed in: the settings are not anyone's to read.
    let (status, _) = parts(app.another_browser().email_settings().await).await;
    assert_eq!(status, 401);
}

pub(crate) async fn nobody_turns_verification_links_against_an_inbox(db: Db) {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_mailing(db, &smtp).await;
    let eve = participant(&app, "eve", "civil_society").await;
    // Five links an hour for one account, whatever the address; the sixth is refused.
    for i in 0..5 {
        let body = json!({"address": format!("victim+{i}@example.org"), "language": "en"});
        assert_eq!(eve.set_email_address(body).await.status(), 202);
    }
    let body = json!({"address": "victim@example.org", "language": "en"});
    let response = eve.set_email_address(body).await;
    assert!(response.headers().contains_key("retry-after"));
    let (status, refused) = parts(response).await;
    assert_eq!(
        (status, &refused["code"]),
        (429, &json!("too_many_attempts"))
    );
    // Only the last address given is written to: the links before it were never sent, or went
    // before it was replaced.
    until_the_worker_turned().await;
    assert!(smtp.received().len() <= 5);
    let (_, settings) = parts(eve.email_settings().await).await;
    assert_eq!(settings["address"], "victim+4@example.org");
}
