//! Two-factor sign-in: turning it on and off, codes that work once, recovery codes, and what a
//! copy of the database cannot do.

use serde_json::{Value, json};
use tests::{Db, TestApp, parts, spawn_app, totp_code};

pub(crate) async fn turning_on_two_factor_needs_the_password_and_a_code(db: Db) {
    let app = spawn_app(db).await;
    app.sign_up("amina", "a long passphrase").await;
    let phone = app.another_browser();
    phone.sign_in("amina", "a long passphrase").await;

    let wrong = json!({"password": "a guess"});
    let (status, body) = parts(app.begin_two_factor(wrong).await).await;
    assert_eq!(
        (status, &body["fields"][0]["field"]),
        (422, &json!("password"))
    );

    let right = json!({"password": "a long passphrase"});
    let (status, setup) = parts(app.begin_two_factor(right.clone()).await).await;
    assert_eq!(status, 200);
    assert!(
        setup["otpauth_uri"]
            .as_str()
            .is_some_and(|u| u.starts_with("otpauth://totp/Concord:amina"))
    );
    assert!(setup["qr_svg"].as_str().is_some_and(|s| s.contains("<svg")));
    let secret = setup["secret_base32"].as_str().expect("secret");
    let wrong_code = if totp_code(secret, 0) == "000000" {
        "111111"
    } else {
        "000000"
    };
    let (status, _) = parts(app.confirm_two_factor(json!({ "code": wrong_code })).await).await;
    assert_eq!(status, 422);
    let (_, me) = parts(app.get_session().await).await;
    assert_eq!(me["two_factor"], false, "not on before a good code");

    let code = json!({ "code": totp_code(secret, 0) });
    let (status, codes) = parts(app.confirm_two_factor(code).await).await;
    assert_eq!(status, 200);
    assert_eq!(codes["codes"].as_array().map(Vec::len), Some(10));
    let (_, me) = parts(app.get_session().await).await;
    assert_eq!(me["two_factor"], true);
    assert_eq!(
        phone.get_session().await.status(),
        401,
        "the other device signs in again, with the second factor"
    );
    let (status, body) = parts(app.begin_two_factor(right).await).await;
    assert_eq!(
        (status, &body["code"]),
        (409, &json!("two_factor_already_on"))
    );
}

pub(crate) async fn with_two_factor_a_sign_in_needs_a_code_that_works_once(db: Db) {
    let app = spawn_app(db).await;
    let (secret, _) = with_two_factor(&app).await;
    app.sign_out().await;

    let (status, body) = parts(app.sign_in("amina", "a long passphrase").await).await;
    assert_eq!(
        (status, &body["status"]),
        (200, &json!("second_factor_required"))
    );
    assert_eq!(
        app.get_session().await.status(),
        401,
        "no session before the code"
    );

    // The enrolment used this step's code; the next step's is fresh.
    let code = totp_code(&secret, 1);
    let (status, me) = second_factor(&app, &code).await;
    assert_eq!((status, &me["handle"]), (200, &json!("amina")));
    assert_eq!(app.get_session().await.status(), 200);

    app.sign_out().await;
    app.sign_in("amina", "a long passphrase").await;
    let (status, body) = second_factor(&app, &code).await;
    assert_eq!(
        (status, &body["fields"][0]["field"]),
        (422, &json!("code")),
        "a code works once"
    );
}

pub(crate) async fn a_recovery_code_stands_in_for_the_app_once_and_never_for_the_password(db: Db) {
    let app = spawn_app(db).await;
    let (_, codes) = with_two_factor(&app).await;
    app.sign_out().await;

    let (status, _) = second_factor(&app, &codes[0]).await;
    assert_eq!(
        status, 401,
        "without the password first there is nothing to complete"
    );

    app.sign_in("amina", "a long passphrase").await;
    let (status, _) = second_factor(&app, &codes[0].to_uppercase()).await;
    assert_eq!(status, 200);

    app.sign_out().await;
    app.sign_in("amina", "a long passphrase").await;
    let (status, _) = second_factor(&app, &codes[0]).await;
    assert_eq!(status, 422, "a recovery code works once");
}

pub(crate) async fn a_copy_of_the_database_cannot_make_second_factor_codes(db: Db) {
    let app = spawn_app(db).await;
    let (secret, _) = with_two_factor(&app).await;
    app.another_browser()
        .sign_up("bola", "a long passphrase")
        .await;
    let bola = app.with_two_factor("bola").await;
    // Each row holds a sealed secret, never the secret the app was given.
    let rows = app
        .strings("SELECT secret_base32 FROM totp_secrets ORDER BY account_id")
        .await;
    assert_eq!(rows.len(), 2);
    for row in &rows {
        assert!(row.starts_with("v1:"), "{row}");
        assert!(!row.contains(&secret));
    }
    let other =
        backend::secrets::SecretBox::new("a server secret that is not this one's!").expect("box");
    assert!(other.open(1, &rows[0]).is_none() && other.open(2, &rows[0]).is_none());
    // Amina's sealed secret copied into bola's row does not open for bola: the sign-in is
    // answered without saying why, and the server logs it.
    app.execute(
        "UPDATE totp_secrets SET secret_base32 = (SELECT t.secret_base32 FROM totp_secrets t \
         JOIN accounts a ON a.id = t.account_id WHERE a.handle = 'amina') \
         WHERE account_id = (SELECT id FROM accounts WHERE handle = 'bola')",
        &[],
    )
    .await;
    bola.sign_out().await;
    bola.sign_in("bola", "a long passphrase").await;
    let (status, body) = second_factor(&bola, &totp_code(&secret, 0)).await;
    assert_eq!(
        (status, &body["code"]),
        (503, &json!("unavailable")),
        "{body}"
    );
    assert!(
        body["message"]
            .as_str()
            .unwrap_or("")
            .contains("recovery code")
    );
    // Amina's own still works.
    app.sign_out().await;
    app.sign_in("amina", "a long passphrase").await;
    assert_eq!(second_factor(&app, &totp_code(&secret, 1)).await.0, 200);
}

pub(crate) async fn a_waiting_sign_in_allows_few_codes(db: Db) {
    let app = spawn_app(db).await;
    let (secret, _) = with_two_factor(&app).await;
    app.sign_out().await;
    app.sign_in("amina", "a long passphrase").await;
    let good = totp_code(&secret, 1);
    let wrong = if good == "123456" { "654321" } else { "123456" };

    for _ in 0..5 {
        assert_eq!(second_factor(&app, wrong).await.0, 422);
    }

    assert_eq!(
        second_factor(&app, &good).await.0,
        401,
        "the password is needed again"
    );
}

pub(crate) async fn wrong_second_factor_codes_lock_it_whatever_sign_in_they_come_through(db: Db) {
    let app = spawn_app(db).await;
    let (secret, _) = with_two_factor(&app).await;
    app.sign_out().await;
    let valid: Vec<String> = (0..=1).map(|step| totp_code(&secret, step)).collect();
    let wrong = (0..)
        .map(|n| format!("{n:06}"))
        .find(|c| !valid.contains(c))
        .expect("a wrong code");

    // Someone who knows the password signs in afresh before each sign-in's own limit.
    for attempt in 0..10 {
        if attempt % 4 == 0 {
            app.sign_in("amina", "a long passphrase").await;
        }
        let (status, body) = second_factor(&app, &wrong).await;
        assert_eq!(status, 422, "wrong code {}: {body}", attempt + 1);
    }
    app.sign_in("amina", "a long passphrase").await;
    let refused = app.complete_sign_in(json!({ "code": wrong })).await;
    assert_eq!(refused.status(), 429, "the eleventh wrong code");
    let wait: u64 = refused.headers()["retry-after"]
        .to_str()
        .ok()
        .and_then(|s| s.parse().ok())
        .expect("Retry-After");
    assert!((1..=60).contains(&wait), "{wait}");
    // The lock is the account's: a correct password does not lift it, nor does the right code.
    app.sign_in("amina", "a long passphrase").await;
    let (status, body) = second_factor(&app, &valid[1]).await;
    assert_eq!((status, &body["code"]), (429, &json!("too_many_attempts")));
    let locks = app
        .strings("SELECT action FROM audit_log WHERE action = 'account.second_factor_locked'")
        .await;
    assert_eq!(locks.len(), 1);

    // Once the lock has run out, the right code signs in and the count starts again.
    app.execute(
        "UPDATE accounts SET second_factor_failed_at_ms = second_factor_failed_at_ms - $1",
        &[61_000],
    )
    .await;
    let (status, me) = second_factor(&app, &valid[1]).await;
    assert_eq!((status, &me["handle"]), (200, &json!("amina")));
    let left = app
        .strings("SELECT CAST(second_factor_failures AS TEXT) FROM accounts WHERE handle = 'amina'")
        .await;
    assert_eq!(left, ["0"]);
}

pub(crate) async fn turning_off_two_factor_needs_the_password(db: Db) {
    let app = spawn_app(db).await;
    with_two_factor(&app).await;

    let wrong = json!({"password": "a guess"});
    assert_eq!(app.disable_two_factor(wrong).await.status(), 422);
    let right = json!({"password": "a long passphrase"});
    assert_eq!(app.disable_two_factor(right).await.status(), 204);

    app.sign_out().await;
    let (_, body) = parts(app.sign_in("amina", "a long passphrase").await).await;
    assert_eq!(body["status"], "signed_in");
}

/// Signs up `amina`, turns two-factor sign-in on, and returns the secret and recovery codes.
pub(crate) async fn with_two_factor(app: &TestApp) -> (String, Vec<String>) {
    app.sign_up("amina", "a long passphrase").await;
    let (_, setup) = parts(
        app.begin_two_factor(json!({"password": "a long passphrase"}))
            .await,
    )
    .await;
    let secret = setup["secret_base32"].as_str().expect("secret").to_owned();
    let code = json!({ "code": totp_code(&secret, 0) });
    let (status, codes) = parts(app.confirm_two_factor(code).await).await;
    assert_eq!(status, 200);
    let codes = codes["codes"]
        .as_array()
        .expect("codes")
        .iter()
        .filter_map(|c| c.as_str())
        .map(str::to_owned)
        .collect();
    (secret, codes)
}

pub(crate) async fn second_factor(app: &TestApp, code: &str) -> (u16, Value) {
    parts(app.complete_sign_in(json!({ "code": code })).await).await
}
