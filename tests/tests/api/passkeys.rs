//! Passkeys: a newcomer adds one and signs in with it and no password; every bad answer an
//! attacker or a broken client can send is refused and changes nothing; an administrator acts
//! with a passkey alone and keeps a factor; a consultation can ask its conveners for one.

use serde_json::{Value, json};
use tests::authenticator::{Authenticator, Tweak, stray_challenge};
use tests::{Db, TestApp, parts, spawn_app};

const PASSWORD: &str = "a long passphrase";

fn password() -> Value {
    json!({ "password": PASSWORD })
}

/// Begins a registration; the ceremony token and the options.
async fn begin_registration(app: &TestApp) -> (Value, Value) {
    let (status, begun) = parts(app.begin_passkey_registration(password()).await).await;
    assert_eq!(status, 200, "{begun}");
    (begun["ceremony"].clone(), begun["options"].clone())
}

/// Begins a sign-in without a password; the ceremony token and the options.
async fn begin_sign_in(app: &TestApp) -> (Value, Value) {
    let (status, begun) = parts(app.begin_passkey_sign_in().await).await;
    assert_eq!(status, 200, "{begun}");
    (begun["ceremony"].clone(), begun["options"].clone())
}

async fn answer_sign_in(app: &TestApp, ceremony: &Value, credential: Value) -> (u16, Value) {
    parts(
        app.finish_passkey_sign_in(json!({ "ceremony": ceremony, "credential": credential }))
            .await,
    )
    .await
}

fn refusal(body: &Value) -> (&str, &str) {
    (
        body["code"].as_str().unwrap_or_default(),
        body["message"].as_str().unwrap_or_default(),
    )
}

pub(crate) async fn a_newcomer_adds_a_passkey_and_signs_in_with_it_and_no_password(db: Db) {
    let app = spawn_app(db).await;
    assert_eq!(app.sign_up("amina", PASSWORD).await.status(), 201);
    let phone = app.another_browser();
    phone.sign_in("amina", PASSWORD).await;
    let (_, none) = parts(app.list_passkeys().await).await;
    assert_eq!(none, json!([]), "nothing yet");
    let (_, events) = parts(app.security_events().await).await;
    assert_eq!(events.as_array().map(Vec::len), Some(1));
    assert_eq!(events[0]["action"], "account.created");

    let (status, body) = parts(
        app.begin_passkey_registration(json!({"password": "a guess"}))
            .await,
    )
    .await;
    assert_eq!(
        (status, &body["fields"][0]["field"]),
        (422, &json!("password"))
    );
    let (ceremony, options) = begin_registration(&app).await;
    assert_eq!(options["rp"]["id"], "localhost");
    assert_eq!(options["authenticatorSelection"]["residentKey"], "required");
    assert_eq!(
        options["authenticatorSelection"]["userVerification"],
        "required"
    );
    let user_id = options["user"]["id"].as_str().expect("user id");
    assert!(
        user_id.len() >= 22,
        "a random id, not the account's: {user_id}"
    );
    assert_eq!(options["user"]["name"], "amina", "what the browser shows");

    let mut authenticator = Authenticator::new(&app.passkey_origin());
    let credential = authenticator.register(&options);
    let unnamed = json!({ "ceremony": ceremony, "name": " ", "credential": credential });
    let (status, body) = parts(app.add_passkey(unnamed).await).await;
    assert_eq!((status, &body["fields"][0]["field"]), (422, &json!("name")));
    let named = json!({ "ceremony": ceremony, "name": "My phone", "credential": credential });
    let (status, added) = parts(app.add_passkey(named).await).await;
    assert_eq!(status, 201, "{added}");
    assert_eq!(added["passkey"]["name"], "My phone");
    assert_eq!(
        added["recovery_codes"].as_array().map(Vec::len),
        Some(10),
        "the first second factor comes with recovery codes"
    );
    let (_, me) = parts(app.get_session().await).await;
    assert_eq!(
        (&me["two_factor"], &me["passkeys"], &me["totp"]),
        (&json!(true), &json!(1), &json!(false))
    );
    assert_eq!(
        phone.get_session().await.status(),
        401,
        "other sessions end"
    );
    let (_, events) = parts(app.security_events().await).await;
    assert_eq!(events[0]["action"], "passkey.added");

    // Signing in with the passkey and no password, on another process of the same database:
    // the ceremony begun on one is finished on the other.
    assert_eq!(app.sign_out().await.status(), 204);
    let other = app.sibling().await;
    let (ceremony, options) = begin_sign_in(&app).await;
    assert_eq!(options["rpId"], "localhost");
    assert!(
        options
            .get("allowCredentials")
            .is_none_or(|a| a == &json!([])),
        "the passkey names its account"
    );
    let credential = authenticator.sign_in(&options);
    let (status, me) = answer_sign_in(&app.on(&other), &ceremony, credential).await;
    assert_eq!((status, &me["handle"]), (200, &json!("amina")), "{me}");
    let (_, list) = parts(app.list_passkeys().await).await;
    assert!(list[0]["last_used_at_ms"].as_i64().is_some(), "{list}");

    // With a password, the passkey is the second factor.
    let laptop = app.another_browser();
    let (_, outcome) = parts(laptop.sign_in("amina", PASSWORD).await).await;
    assert_eq!(outcome["status"], "second_factor_required");
    assert_eq!(outcome["passkey"], true, "the account has a passkey for it");
    let (status, begun) = parts(laptop.begin_passkey_second_factor().await).await;
    assert_eq!(status, 200, "{begun}");
    assert_eq!(
        begun["options"]["allowCredentials"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let credential = authenticator.sign_in(&begun["options"]);
    let answer = json!({ "ceremony": begun["ceremony"], "credential": credential });
    let (status, me) = parts(laptop.finish_passkey_second_factor(answer).await).await;
    assert_eq!((status, &me["handle"]), (200, &json!("amina")));
    assert_eq!(laptop.get_session().await.status(), 200);

    let (_, export) = parts(laptop.export_account().await).await;
    assert_eq!(export["passkeys"][0]["name"], "My phone");

    // A deleted account's passkey signs nobody in, and is gone.
    assert_eq!(laptop.delete_account(password()).await.status(), 204);
    let fresh = app.another_browser();
    let (ceremony, options) = begin_sign_in(&fresh).await;
    let credential = authenticator.sign_in(&options);
    let (status, body) = answer_sign_in(&fresh, &ceremony, credential).await;
    assert_eq!(
        (status, &body["fields"][0]["code"]),
        (422, &json!("not_registered")),
        "{body}"
    );
    assert_eq!(fresh.get_session().await.status(), 401);
    assert!(app.strings("SELECT name FROM passkeys").await.is_empty());
}

pub(crate) async fn bad_passkey_answers_are_refused_and_change_nothing(db: Db) {
    let app = spawn_app(db).await;
    app.sign_up("amina", PASSWORD).await;
    let mut authenticator = Authenticator::new(&app.passkey_origin());

    // Registration: another site, another request's challenge, no user verification, a
    // ceremony that expired, an answer that is not one.
    let cases: [(&str, Tweak, &str); 3] = [
        (
            "another origin",
            Tweak {
                origin: Some("https://concord.example.net".into()),
                ..Tweak::default()
            },
            "another site",
        ),
        (
            "another challenge",
            Tweak {
                challenge: Some(stray_challenge()),
                ..Tweak::default()
            },
            "another request",
        ),
        (
            "unverified",
            Tweak {
                unverified: true,
                ..Tweak::default()
            },
            "it is you",
        ),
    ];
    for (case, tweak, words) in cases {
        let (ceremony, options) = begin_registration(&app).await;
        let credential = authenticator.register_with(&options, &tweak);
        let body = json!({ "ceremony": ceremony, "name": "key", "credential": credential });
        let (status, body) = parts(app.add_passkey(body).await).await;
        let (code, message) = refusal(&body);
        assert_eq!((status, code), (422, "passkey_refused"), "{case}: {body}");
        assert!(message.contains(words), "{case}: {message}");
    }
    let (ceremony, options) = begin_registration(&app).await;
    let credential = authenticator.register(&options);
    app.execute(
        "UPDATE passkey_ceremonies SET created_at_ms = created_at_ms - 301000",
        &[],
    )
    .await;
    let late = json!({ "ceremony": ceremony, "name": "key", "credential": credential });
    let (status, body) = parts(app.add_passkey(late).await).await;
    assert_eq!(
        (status, refusal(&body).0),
        (422, "ceremony_expired"),
        "expired after 5 minutes"
    );
    let (ceremony, _) = begin_registration(&app).await;
    let junk = json!({ "ceremony": ceremony, "name": "key", "credential": {"id": 1} });
    let (status, body) = parts(app.add_passkey(junk).await).await;
    assert_eq!(
        (status, &body["fields"][0]["field"]),
        (422, &json!("credential"))
    );
    let (_, list) = parts(app.list_passkeys().await).await;
    assert_eq!(list, json!([]), "nothing was added");
    let (_, me) = parts(app.get_session().await).await;
    assert_eq!(me["two_factor"], false);

    // One good passkey, then sign-ins that must fail.
    let mut authenticator = Authenticator::new(&app.passkey_origin());
    assert_eq!(
        app.add_passkey_from(&mut authenticator, "key")
            .await
            .status(),
        201
    );
    let stranger = app.another_browser();

    // A synced passkey keeps no counter (0): answering once is what stops its replay.
    let no_counter = Tweak {
        counter: Some(0),
        ..Tweak::default()
    };
    let (ceremony, options) = begin_sign_in(&stranger).await;
    let good = authenticator.sign_in_with(&options, &no_counter);
    let (status, _) = answer_sign_in(&stranger, &ceremony, good.clone()).await;
    assert_eq!(status, 200, "a good answer signs in");
    assert_eq!(stranger.sign_out().await.status(), 204);
    let (status, body) = answer_sign_in(&stranger, &ceremony, good.clone()).await;
    assert_eq!(
        (status, refusal(&body).0),
        (422, "ceremony_expired"),
        "a replay to the same ceremony: {body}"
    );
    let (ceremony, _) = begin_sign_in(&stranger).await;
    let (status, body) = answer_sign_in(&stranger, &ceremony, good).await;
    assert_eq!(
        (status, refusal(&body).0),
        (422, "passkey_refused"),
        "a replay to a new ceremony"
    );
    assert_eq!(body["fields"][0]["code"], "another_request", "{body}");

    let (ceremony, options) = begin_sign_in(&stranger).await;
    let elsewhere = Tweak {
        origin: Some("https://phish.example".into()),
        ..Tweak::default()
    };
    let credential = authenticator.sign_in_with(&options, &elsewhere);
    let (status, body) = answer_sign_in(&stranger, &ceremony, credential).await;
    assert_eq!(
        (status, refusal(&body).0),
        (422, "passkey_refused"),
        "a phishing site's answer"
    );
    assert_eq!(body["fields"][0]["code"], "another_site", "{body}");

    // A counting passkey at 5: 1 after it is a copy.
    let (ceremony, options) = begin_sign_in(&stranger).await;
    let five = Tweak {
        counter: Some(5),
        ..Tweak::default()
    };
    let credential = authenticator.sign_in_with(&options, &five);
    assert_eq!(
        answer_sign_in(&stranger, &ceremony, credential.clone())
            .await
            .0,
        200
    );
    assert_eq!(stranger.sign_out().await.status(), 204);
    let (status, body) = answer_sign_in(&stranger, &ceremony, credential).await;
    assert_eq!(
        (status, refusal(&body).0),
        (422, "ceremony_expired"),
        "a replay of a counting passkey is a replay, not a copy: {body}"
    );
    let (ceremony, options) = begin_sign_in(&stranger).await;
    let back = Tweak {
        counter: Some(1),
        ..Tweak::default()
    };
    let credential = authenticator.sign_in_with(&options, &back);
    let (status, body) = answer_sign_in(&stranger, &ceremony, credential).await;
    assert_eq!(
        (status, refusal(&body).0),
        (422, "passkey_refused"),
        "a counter gone back: {body}"
    );
    assert_eq!(body["fields"][0]["code"], "counter", "{body}");

    // Anyone may begin a sign-in: nothing is kept for it, so no flood crowds others out.
    let kept = || {
        app.strings("SELECT purpose FROM passkey_ceremonies WHERE purpose <> 'sign_in_answered'")
    };
    let before = kept().await.len();
    for _ in 0..20 {
        begin_sign_in(&stranger).await;
    }
    assert_eq!(kept().await.len(), before, "a sign-in begun keeps nothing");

    // An answer whose outer fields disagree with what it carries.
    let shapes = [
        (
            "another id",
            Tweak {
                id: Some("c29tZXRoaW5nIGVsc2U".into()),
                ..Tweak::default()
            },
        ),
        (
            "another type",
            Tweak {
                kind: Some("public-key\u{0}".into()),
                ..Tweak::default()
            },
        ),
        (
            "no credential id inside",
            Tweak {
                inner_id: Some(Vec::new()),
                ..Tweak::default()
            },
        ),
    ];
    for (case, tweak) in shapes {
        let (ceremony, options) = begin_registration(&app).await;
        let credential = Authenticator::new(&app.passkey_origin()).register_with(&options, &tweak);
        let body = json!({ "ceremony": ceremony, "name": "key", "credential": credential });
        let (status, body) = parts(app.add_passkey(body).await).await;
        assert_eq!(
            (status, &body["fields"][0]["field"]),
            (422, &json!("credential")),
            "{case}: {body}"
        );
    }
    let (ceremony, options) = begin_sign_in(&stranger).await;
    let odd = Tweak {
        kind: Some("foo".into()),
        ..Tweak::default()
    };
    let credential = authenticator.sign_in_with(&options, &odd);
    let (status, body) = answer_sign_in(&stranger, &ceremony, credential).await;
    assert_eq!(
        (status, &body["fields"][0]["code"]),
        (422, &json!("malformed"))
    );

    let mut unknown = Authenticator::new(&app.passkey_origin());
    let (other_ceremony, options) = begin_registration(&app).await;
    unknown.register(&options); // made, never sent
    drop(other_ceremony);
    let (ceremony, options) = begin_sign_in(&stranger).await;
    let credential = unknown.sign_in(&options);
    let (status, body) = answer_sign_in(&stranger, &ceremony, credential).await;
    assert_eq!(
        (status, refusal(&body).0),
        (422, "passkey_refused"),
        "an unknown passkey"
    );
    assert_eq!(body["fields"][0]["code"], "not_registered", "{body}");

    let (registration, options) = begin_registration(&app).await;
    let credential =
        authenticator.sign_in(&json!({"challenge": options["challenge"], "rpId": "localhost"}));
    let (status, body) = answer_sign_in(&stranger, &registration, credential).await;
    assert_eq!(
        (status, refusal(&body).0),
        (422, "ceremony_expired"),
        "another ceremony's token"
    );

    assert_eq!(
        stranger.get_session().await.status(),
        401,
        "no failure signed anyone in"
    );
    let (_, list) = parts(app.list_passkeys().await).await;
    assert_eq!(list.as_array().map(Vec::len), Some(1));
}

pub(crate) async fn an_administrator_acts_with_only_a_passkey_and_keeps_a_factor(db: Db) {
    let app = spawn_app(db).await;
    app.sign_up("ada", PASSWORD).await;
    app.make_admin("ada").await;
    assert_eq!(
        app.list_conveners("paris-call").await.status(),
        403,
        "no second factor yet"
    );
    // An authenticator app first: the last factor of an administrator stays.
    let admin = app.with_two_factor("ada").await;
    let (status, body) = parts(admin.disable_two_factor(password()).await).await;
    assert_eq!((status, refusal(&body).0), (409, "last_factor"), "{body}");
    let mut authenticator = Authenticator::new(&app.passkey_origin());
    let (status, added) = parts(admin.add_passkey_from(&mut authenticator, "my phone").await).await;
    assert_eq!(status, 201);
    assert_eq!(
        added["recovery_codes"],
        json!([]),
        "the codes of the app stay"
    );
    assert_eq!(admin.disable_two_factor(password()).await.status(), 204);
    assert_eq!(
        admin.disable_two_factor(password()).await.status(),
        204,
        "no app: nothing changes, and nothing is recorded (see the events below)"
    );
    assert_eq!(
        admin.list_conveners("paris-call").await.status(),
        200,
        "a passkey is a second factor"
    );
    let (_, list) = parts(admin.list_passkeys().await).await;
    let id = list[0]["id"].clone();

    let (status, body) = parts(
        admin
            .remove_passkey(&id, json!({"password": "a guess"}))
            .await,
    )
    .await;
    assert_eq!(
        (status, &body["fields"][0]["field"]),
        (422, &json!("password"))
    );
    let (status, body) = parts(admin.remove_passkey(&id, password()).await).await;
    assert_eq!((status, refusal(&body).0), (409, "last_factor"), "{body}");
    assert_eq!(
        admin.list_conveners("paris-call").await.status(),
        200,
        "still there"
    );

    // A second passkey, then the first can go; signing in with the second still works.
    let mut spare = Authenticator::new(&app.passkey_origin());
    assert_eq!(
        admin
            .add_passkey_from(&mut spare, "spare key")
            .await
            .status(),
        201
    );
    assert_eq!(admin.remove_passkey(&id, password()).await.status(), 204);
    assert_eq!(
        admin.remove_passkey(&id, password()).await.status(),
        404,
        "gone"
    );
    let (_, events) = parts(admin.security_events().await).await;
    let actions: Vec<_> = events
        .as_array()
        .expect("list")
        .iter()
        .map(|e| e["action"].clone())
        .collect();
    assert_eq!(
        actions,
        [
            json!("passkey.removed"),
            json!("passkey.added"),
            json!("totp.disabled"),
            json!("passkey.added"),
            json!("totp.enabled"),
            json!("account.created")
        ]
    );
    let fresh = app.another_browser();
    let (ceremony, options) = begin_sign_in(&fresh).await;
    let (status, _) = answer_sign_in(&fresh, &ceremony, authenticator.sign_in(&options)).await;
    assert_eq!(status, 422, "the removed passkey no longer signs in");
    assert_eq!(fresh.sign_in_with_passkey(&mut spare).await.status(), 200);
    assert_eq!(fresh.list_conveners("paris-call").await.status(), 200);
}

pub(crate) async fn a_consultation_can_ask_its_conveners_for_a_passkey(db: Db) {
    let app = spawn_app(db).await;
    app.sign_up("ada", PASSWORD).await;
    app.make_admin("ada").await;
    let (admin, mut key) = app.with_passkey("ada").await;
    let convener = app.new_convener(&admin, "paris-call", "chidi").await;
    let rule = |on: bool| json!({ "required": on });

    let (status, body) = parts(convener.set_passkey_rule("paris-call", rule(true)).await).await;
    assert_eq!(
        (status, refusal(&body).0),
        (403, "passkey_required"),
        "not with a code: {body}"
    );
    let (status, body) = parts(admin.set_passkey_rule("paris-call", rule(true)).await).await;
    assert_eq!(
        (status, refusal(&body).0),
        (403, "passkey_required"),
        "signed in with a password"
    );

    let admin = app.another_browser();
    assert_eq!(admin.sign_in_with_passkey(&mut key).await.status(), 200);
    let (status, consultation) =
        parts(admin.set_passkey_rule("paris-call", rule(true)).await).await;
    assert_eq!(
        (status, &consultation["conveners_need_passkey"]),
        (200, &json!(true))
    );
    let (status, body) = parts(convener.dashboard("paris-call").await).await;
    assert_eq!(
        (status, refusal(&body).0),
        (403, "passkey_required"),
        "a code is not enough now"
    );
    assert_eq!(admin.dashboard("paris-call").await.status(), 200);

    let mut chidi = Authenticator::new(&app.passkey_origin());
    assert_eq!(
        convener
            .add_passkey_from(&mut chidi, "laptop")
            .await
            .status(),
        201
    );
    assert_eq!(
        convener.dashboard("paris-call").await.status(),
        403,
        "this session used a code"
    );
    let convener = app.another_browser();
    assert_eq!(
        convener.sign_in_with_passkey(&mut chidi).await.status(),
        200
    );
    assert_eq!(convener.dashboard("paris-call").await.status(), 200);

    assert_eq!(
        admin
            .set_passkey_rule("paris-call", rule(false))
            .await
            .status(),
        200
    );
    let (_, consultation) = parts(app.get_consultation("paris-call").await).await;
    assert_eq!(consultation["conveners_need_passkey"], false);
}
