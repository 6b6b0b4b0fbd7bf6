//! Signing up and in: cookies, sessions that end, throttling of guesses, and the words of each
//! refusal.

use super::field_names;
use super::two_factor::{second_factor, with_two_factor};
use serde_json::json;
use tests::api;
use tests::{Db, Settings, parts, spawn_app, spawn_app_with, totp_code};

pub(crate) async fn signing_up_signs_in_and_signing_out_ends_the_session_on_the_server(db: Db) {
    let app = spawn_app(db).await;

    let response = app.sign_up("Ada", "correct horse battery").await;
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_owned();
    let (status, body) = parts(response).await;
    assert_eq!(status, 201);
    assert_eq!(body["handle"], "ada");
    let (status, body) = parts(app.get_session().await).await;
    assert_eq!((status, &body["handle"]), (200, &json!("ada")));

    assert_eq!(app.sign_out().await.status(), 204);
    let (status, body) = parts(app.get_session().await).await;
    assert_eq!((status, &body["code"]), (401, &json!("not_signed_in")));

    // The old token itself is dead on the server, not only forgotten by the client.
    let replay = reqwest::Client::new()
        .get(format!("{}{}", app.address, api::path("/session")))
        .header("cookie", cookie)
        .send()
        .await
        .expect("request");
    assert_eq!(replay.status(), 401);

    let (status, body) = parts(app.sign_in("ADA", "correct horse battery").await).await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "signed_in");
    assert_eq!(body["handle"], "ada");
}

pub(crate) async fn the_session_cookie_is_http_only_and_same_site_strict(db: Db) {
    let app = spawn_app(db).await;

    let response = app.sign_up("grace", "a long passphrase").await;

    let cookie = response.headers()["set-cookie"].to_str().expect("ascii");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    let token = cookie
        .split(';')
        .next()
        .and_then(|c| c.split_once('='))
        .map(|c| c.1)
        .unwrap_or("");
    assert!(token.len() >= 22, "at least 128 bits: {token}");
}

pub(crate) async fn an_idle_session_ends(db: Db) {
    let app = spawn_app(db).await;
    app.signed_in().await;
    let idle = i64::try_from(backend::store::SESSION_IDLE.as_millis()).expect("fits");
    app.execute(
        "UPDATE sessions SET last_seen_at_ms = last_seen_at_ms - $1",
        &[idle + 1000],
    )
    .await;
    app.until_the_server_notices().await;

    let (status, body) = parts(app.get_session().await).await;

    assert_eq!((status, &body["code"]), (401, &json!("not_signed_in")));
}

pub(crate) async fn over_https_the_cookie_is_secure_and_host_prefixed_and_hsts_is_sent(db: Db) {
    let settings = Settings {
        https: true,
        ..Settings::default()
    };
    let app = spawn_app_with(db, settings).await;

    let response = app.sign_up("grace", "a long passphrase").await;

    let cookie = response.headers()["set-cookie"].to_str().expect("ascii");
    assert!(cookie.starts_with("__Host-concord_session="), "{cookie}");
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Domain"), "{cookie}");
    let pair = cookie.split(';').next().expect("name=value").to_owned();
    let me = reqwest::Client::new()
        .get(format!("{}{}", app.address, api::path("/session")))
        .header("cookie", pair)
        .send()
        .await
        .expect("request");
    assert_eq!(
        me.status(),
        200,
        "the prefixed cookie is the session cookie"
    );
    let hsts = response.headers()["strict-transport-security"]
        .to_str()
        .expect("ascii");
    assert!(hsts.starts_with("max-age="), "{hsts}");
}

pub(crate) async fn a_session_in_use_has_its_last_seen_time_written_in_the_background(db: Db) {
    let app = spawn_app(db).await;
    app.sign_up("amina", "a long passphrase").await;
    // Five minutes without a request: due a new last-seen time.
    app.execute(
        "UPDATE sessions SET last_seen_at_ms = last_seen_at_ms - $1",
        &[5 * 60 * 1000],
    )
    .await;
    let idle = app
        .strings("SELECT CAST(last_seen_at_ms AS TEXT) FROM sessions")
        .await;
    app.until_the_server_notices().await;
    assert_eq!(app.get_session().await.status(), 200);
    // Not on the request's own path, but soon after.
    let written = async {
        loop {
            let now = app
                .strings("SELECT CAST(last_seen_at_ms AS TEXT) FROM sessions")
                .await;
            if now != idle {
                return now;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    };
    let seen = tokio::time::timeout(std::time::Duration::from_secs(20), written)
        .await
        .expect("the last-seen time is written within a few seconds");
    let (was, is): (i64, i64) = (
        idle[0].parse().expect("a number"),
        seen[0].parse().expect("a number"),
    );
    assert!(is - was >= 5 * 60 * 1000 - 1000, "{was} → {is}");
}

pub(crate) async fn sign_ups_from_one_address_are_a_few_a_minute_unless_raised(db: Db) {
    // Three a minute: the fourth from the same address waits.
    let settings = Settings {
        sign_ups_per_minute: 3,
        ..Settings::default()
    };
    let app = spawn_app_with(db, settings).await;
    for n in 0..3 {
        let response = app
            .another_browser()
            .sign_up(&format!("newcomer-{n}"), "a long passphrase")
            .await;
        assert_eq!(response.status(), 201);
    }
    let refused = app
        .another_browser()
        .sign_up("newcomer-3", "a long passphrase")
        .await;
    assert_eq!(refused.status(), 429);
    assert_eq!(refused.headers()["retry-after"], "60");
    let (_, body) = parts(refused).await;
    assert_eq!(body["code"], "too_many_attempts");
    assert_eq!(
        body["message"],
        "Too many new accounts from this address just now. Wait a minute, then try again.",
        "a sign-up refused says why, not that a sign-in failed"
    );
    // Behind a proxy every sign-up comes from one address: the limit is raised there.
    let behind_a_proxy = spawn_app_with(
        db,
        Settings {
            sign_ups_per_minute: 10,
            ..Settings::default()
        },
    )
    .await;
    for n in 0..4 {
        let response = behind_a_proxy
            .another_browser()
            .sign_up(&format!("newcomer-{n}"), "a long passphrase")
            .await;
        assert_eq!(response.status(), 201);
    }
}

pub(crate) async fn a_taken_handle_is_refused_whatever_its_case(db: Db) {
    let app = spawn_app(db).await;
    app.sign_up("linus", "a long passphrase").await;

    let (status, body) = parts(app.sign_up("Linus", "another passphrase").await).await;

    assert_eq!(status, 409);
    assert_eq!(body["code"], "handle_taken");
    assert_eq!(body["fields"][0]["field"], "handle");
}

pub(crate) async fn sign_up_reports_every_broken_field(db: Db) {
    let app = spawn_app(db).await;

    let (status, body) = parts(app.sign_up("a b", "short").await).await;

    assert_eq!(status, 422);
    assert_eq!(body["code"], "validation_failed");
    assert_eq!(field_names(&body), ["handle", "password"]);
}

pub(crate) async fn a_common_password_is_refused(db: Db) {
    let app = spawn_app(db).await;

    let (status, body) = parts(app.sign_up("ada", "password123").await).await;

    assert_eq!(status, 422);
    assert_eq!(body["fields"][0]["field"], "password");
    assert_eq!(body["fields"][0]["code"], "too_common");
}

pub(crate) async fn failed_sign_ins_are_counted_under_a_pseudonym_of_the_address(db: Db) {
    let app = spawn_app(db).await;
    app.sign_in("margaret", "not the passphrase").await;
    app.sign_in("someone", "not the passphrase").await;

    let stored = app
        .strings("SELECT address FROM sign_in_failures ORDER BY id")
        .await;
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[0], stored[1], "the same address, the same pseudonym");
    assert!(
        !stored[0].contains("127.0.0.1") && stored[0].len() == 43,
        "a keyed digest, not the address: {stored:?}"
    );
    // Its key comes from the server secret, not from the database, so a copy of the database
    // cannot try every address against it.
    let secret_box = backend::secrets::SecretBox::new(tests::SERVER_SECRET).expect("box");
    assert_eq!(
        stored[0],
        backend::domain::accounts::address_pseudonym(secret_box.address_key(), "127.0.0.1")
    );
    let kept = app
        .strings("SELECT name FROM server_keys WHERE name = 'address_pseudonyms'")
        .await;
    assert!(kept.is_empty(), "{kept:?}");
}

pub(crate) async fn a_wrong_password_and_an_unknown_handle_get_the_same_answer(db: Db) {
    let app = spawn_app(db).await;
    app.sign_up("margaret", "a long passphrase").await;
    app.sign_out().await;

    let wrong_password = parts(app.sign_in("margaret", "not the passphrase").await).await;
    let unknown_handle = parts(app.sign_in("nobody-here", "not the passphrase").await).await;

    assert_eq!(wrong_password.0, 401);
    assert_eq!(wrong_password, unknown_handle);
}

pub(crate) async fn repeated_failures_throttle_even_the_right_password(db: Db) {
    let app = spawn_app(db).await;
    app.sign_up("margaret", "a long passphrase").await;
    app.sign_out().await;
    for _ in 0..backend::domain::accounts::MAX_FAILURES_PAIR {
        assert_eq!(app.sign_in("margaret", "wrong guess").await.status(), 401);
    }

    let response = app.sign_in("margaret", "a long passphrase").await;

    assert_eq!(response.status(), 429);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .ok()
        .and_then(|s| s.parse().ok())
        .expect("a Retry-After in seconds");
    assert!(retry_after > 0 && retry_after <= 15 * 60, "{retry_after}");
    let (_, body) = parts(response).await;
    assert_eq!(body["code"], "too_many_attempts");
}

pub(crate) async fn a_success_clears_the_failures_from_that_address(db: Db) {
    let app = spawn_app(db).await;
    app.sign_up("margaret", "a long passphrase").await;
    app.sign_out().await;

    for _ in 0..2 {
        for _ in 1..backend::domain::accounts::MAX_FAILURES_PAIR {
            assert_eq!(app.sign_in("margaret", "wrong guess").await.status(), 401);
        }
        assert_eq!(
            app.sign_in("margaret", "a long passphrase").await.status(),
            200
        );
        app.sign_out().await;
    }
}

pub(crate) async fn throttling_is_shared_by_every_server_process(db: Db) {
    let first = spawn_app(db).await;
    first.sign_up("margaret", "a long passphrase").await;
    let second = first.sibling().await;

    for _ in 0..backend::domain::accounts::MAX_FAILURES_PAIR {
        assert_eq!(first.sign_in("margaret", "wrong guess").await.status(), 401);
    }

    assert_eq!(
        second
            .sign_in("margaret", "a long passphrase")
            .await
            .status(),
        429
    );
}

pub(crate) async fn a_stolen_session_cannot_guess_the_password(db: Db) {
    let app = spawn_app(db).await;
    let (secret, _) = with_two_factor(&app).await;
    // A second device, signed in before: changing the second factor ends it.
    let phone = app.another_browser();
    phone.sign_in("amina", "a long passphrase").await;
    second_factor(&phone, &totp_code(&secret, 1)).await;
    assert_eq!(phone.get_session().await.status(), 200);

    // Whoever holds the session guesses the password to turn two-factor sign-in off.
    let off = |password: &str| app.disable_two_factor(json!({ "password": password }));
    for guess in 0..5 {
        let (status, body) = parts(off(&format!("guess number {guess}")).await).await;
        assert_eq!(status, 422, "{body}");
    }
    for (what, password) in [
        ("a sixth guess", "guess number 5"),
        ("even the right one", "a long passphrase"),
    ] {
        let refused = off(password).await;
        assert_eq!(refused.status(), 429, "{what}");
        assert!(refused.headers().contains_key("retry-after"));
    }
    // Password changes and deletion count the same failures.
    let change =
        json!({"current_password": "a long passphrase", "new_password": "a new long passphrase"});
    let (status, _) = parts(app.change_password(change).await).await;
    assert_eq!(status, 429);
    let (_, me) = parts(app.get_session().await).await;
    assert_eq!(me["two_factor"], true, "still on");

    // Once the window has passed, the owner turns it off, which ends the other device's session.
    app.execute(
        "UPDATE sign_in_failures SET at_ms = at_ms - $1",
        &[16 * 60 * 1000],
    )
    .await;
    assert_eq!(off("a long passphrase").await.status(), 204);
    assert_eq!(phone.get_session().await.status(), 401);
    assert_eq!(app.get_session().await.status(), 200, "this one stays");
}
