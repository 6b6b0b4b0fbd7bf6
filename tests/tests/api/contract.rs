//! The HTTP contract every operation keeps: refusals in JSON with stable codes, the documented
//! operations all served and each answering every kind of caller as designed, no e-mail address
//! in public answers, same-site writes; and the built front end served with its caching and
//! compression.

use super::organisations::representative_of;
use reqwest::Method;
use serde_json::{Value, json};
use tests::api::{self, API};
use tests::{CLAUSE, Db, Settings, TestApp, parts, spawn_app, spawn_app_with};

pub(crate) async fn a_write_from_another_site_is_refused(db: Db) {
    let app = spawn_app(db).await;
    app.signed_in().await;

    // Another site, and this site's host and port by another scheme (the server is plain
    // HTTP here), are both other origins; this very origin is not.
    let secure = app.address.replacen("http://", "https://", 1);
    for (origin, expected) in [
        ("https://evil.example", 403),
        (secure.as_str(), 403),
        (app.address.as_str(), 201),
    ] {
        let response = app
            .client
            .post(format!("{}{CLAUSE}/comments", app.address))
            .header("origin", origin)
            .json(&json!({"body": format!("Planted from {origin}.")}))
            .send()
            .await
            .expect("request");
        let (status, body) = parts(response).await;
        assert_eq!(status, expected, "{origin}: {body}");
        if expected == 403 {
            assert_eq!(body["code"], "cross_site_request");
        }
    }
    let (_, comments) = parts(app.list_comments(CLAUSE).await).await;
    assert!(
        !comments.to_string().contains("Planted from https"),
        "nothing was stored from another origin: {comments}"
    );
}

pub(crate) async fn malformed_json_is_rejected(db: Db) {
    let app = spawn_app(db).await;
    app.signed_in().await;

    let response = app
        .post_comment_raw(CLAUSE, "application/json", b"{\"body\": ".to_vec())
        .await;
    let (status, body) = parts(response).await;

    assert_eq!(status, 400);
    assert_eq!(body["code"], "malformed_json");
}

pub(crate) async fn a_body_that_is_not_declared_json_is_rejected(db: Db) {
    let app = spawn_app(db).await;
    app.signed_in().await;

    let response = app
        .post_comment_raw(CLAUSE, "text/plain", b"{\"body\":\"x\"}".to_vec())
        .await;
    let (status, body) = parts(response).await;

    assert_eq!(status, 415);
    assert_eq!(body["code"], "unsupported_media_type");
}

pub(crate) async fn an_oversized_body_is_rejected(db: Db) {
    let app = spawn_app(db).await;
    app.signed_in().await;
    let huge = serde_json::to_vec(&json!({"body": "x".repeat(backend::BODY_LIMIT)})).expect("json");

    let response = app.post_comment_raw(CLAUSE, "application/json", huge).await;
    let (status, body) = parts(response).await;

    assert_eq!(status, 413);
    assert_eq!(body["code"], "payload_too_large");
}

pub(crate) async fn unknown_api_routes_and_methods_answer_in_json(db: Db) {
    let app = spawn_app(db).await;

    let (status, body) = parts(app.get(&api::path("/no-such-thing")).await).await;
    assert_eq!((status, &body["code"]), (404, &json!("not_found")));

    let (status, body) = parts(
        app.request(Method::PATCH, &api::path("/consultations"), None)
            .await,
    )
    .await;
    assert_eq!((status, &body["code"]), (405, &json!("method_not_allowed")));
}

pub(crate) async fn an_address_that_is_not_utf8_is_rejected_in_json(db: Db) {
    let app = spawn_app(db).await;

    let (status, body) = parts(app.get_consultation("%FF").await).await;

    assert_eq!((status, &body["code"]), (400, &json!("invalid_path")));
}

pub(crate) async fn every_operation_in_the_openapi_document_is_served(db: Db) {
    let app = spawn_app(db).await;
    let (status, doc) = parts(app.openapi_document().await).await;
    assert_eq!(status, 200);
    assert_eq!(doc, serde_json::to_value(backend::openapi()).expect("json"));
    // A parameter said to be in the path is one of the path's placeholders, and every
    // placeholder is described.
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("operations") {
            let in_path: Vec<&str> = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "path")
                .filter_map(|p| p["name"].as_str())
                .collect();
            let placeholders: Vec<&str> = path
                .split('{')
                .skip(1)
                .filter_map(|part| part.split('}').next())
                .collect();
            assert!(
                operation["responses"].get("503").is_some(),
                "{method} {path} does not say it may be unavailable"
            );
            let mut sorted = in_path.clone();
            sorted.sort_unstable();
            let mut expected = placeholders.clone();
            expected.sort_unstable();
            assert_eq!(sorted, expected, "{method} {path}");
        }
    }

    // A body that is not JSON, and an array where every body is an object (serde would fill
    // a struct's fields from it in order), sent by an administrator whom no operation turns
    // away: each is refused, with an answer the document lists for that operation.
    let admin = app.new_admin("keeper").await;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("operations") {
            if operation.get("requestBody").is_none() {
                continue;
            }
            for body in ["{", "[null, null]", r#"["a", "b", "c"]"#] {
                let response = admin
                    .client
                    .request(
                        Method::from_bytes(method.to_uppercase().as_bytes()).expect("method"),
                        format!("{}{}", admin.address, concrete(path)),
                    )
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .expect("request");
                let status = response.status();
                assert!(
                    status.is_client_error(),
                    "{method} {path} took {body} ({status})"
                );
                let answer: Value = response.json().await.unwrap_or_default();
                if body.starts_with('[') && status.as_u16() == 422 {
                    assert_eq!(
                        answer["code"], "invalid_json",
                        "{method} {path}: an array is named as such: {answer}"
                    );
                }
                assert!(
                    !(body.starts_with('[') && answer["code"] == "malformed_json"),
                    "{method} {path}: an array is valid JSON, refused as malformed: {answer}"
                );
                assert!(
                    operation["responses"].get(status.as_str()).is_some(),
                    "{method} {path} answered {status} to {body}, which it does not document"
                );
            }
        }
    }

    let operations = operations(&app).await;
    for (method, path) in &operations {
        let (status, body) = call(&app, method, path).await;
        assert_ne!(status, 405, "{method} {path}");
        assert!(
            !(status == 404 && body["message"] == "There is no such route."),
            "{method} {path} is documented but not routed"
        );
    }
    assert_eq!(operations.len(), 95, "every operation is documented");
}

pub(crate) async fn every_operation_answers_each_kind_of_caller_as_designed(db: Db) {
    use Access::*;
    let app = spawn_app(db).await;
    app.add_consultation("elsewhere").await;
    let admin = app.new_admin("admin").await;
    let admin_without_2fa = app.another_browser();
    admin_without_2fa
        .sign_up("admin-2", "a long passphrase")
        .await;
    app.make_admin("admin-2").await;
    let convener = app.new_convener(&admin, "paris-call", "convener").await;
    let convener_without_2fa = app.another_browser();
    convener_without_2fa
        .sign_up("convener-2", "a long passphrase")
        .await;
    admin.add_convener("paris-call", "convener-2").await;
    let convener_elsewhere = app.new_convener(&admin, "elsewhere", "convener-3").await;
    let representative =
        representative_of(&app, &admin, "representative", "Digital Rights Lab").await;
    let other_organisation =
        representative_of(&app, &admin, "other-member", "Open Standards Forum").await;
    let anonymous = app.another_browser();

    let forbidden = (403, json!("forbidden"));
    let no_2fa = (403, json!("two_factor_required"));
    // Each caller, and the refusal each kind of operation gives them (`None`: allowed).
    let callers: [(&str, &TestApp, &Refusal<'_>); 8] = [
        ("anonymous", &anonymous, &|a| {
            (a != Anyone).then(|| (401, json!("not_signed_in")))
        }),
        ("representative", &representative, &|a| {
            matches!(a, Convener | Admin).then(|| forbidden.clone())
        }),
        (
            "participant of another organisation",
            &other_organisation,
            &|a| matches!(a, OrganisationLead | Convener | Admin).then(|| forbidden.clone()),
        ),
        (
            "convener of another consultation",
            &convener_elsewhere,
            &|a| matches!(a, OrganisationLead | Convener | Admin).then(|| forbidden.clone()),
        ),
        (
            "convener without two-factor",
            &convener_without_2fa,
            &|a| match a {
                Convener => Some(no_2fa.clone()),
                OrganisationLead | Admin => Some(forbidden.clone()),
                _ => None,
            },
        ),
        ("convener", &convener, &|a| {
            matches!(a, OrganisationLead | Admin).then(|| forbidden.clone())
        }),
        ("admin without two-factor", &admin_without_2fa, &|a| {
            matches!(a, OrganisationLead | Convener | Admin).then(|| no_2fa.clone())
        }),
        ("admin", &admin, &|_| None),
    ];

    for (method, path) in operations(&app).await {
        let access = designed_access(&method, &path)
            .unwrap_or_else(|| panic!("{method} {path} has no designed access in this test"));
        for (who, client, refusal) in &callers {
            let (status, body) = call(client, &method, &path).await;
            let expected = match access {
                PendingSignIn => Some((401, json!("not_signed_in"))),
                _ => refusal(access),
            };
            match expected {
                Some(expected) => assert_eq!(
                    (status, body["code"].clone()),
                    expected,
                    "{who}: {method} {path} ({access:?})"
                ),
                None => assert!(
                    status != 401 && status != 403,
                    "{who}: {method} {path} ({access:?}) → {status} {body}"
                ),
            }
        }
    }
}

pub(crate) async fn public_answers_carry_no_email_address(db: Db) {
    let app = spawn_app(db).await;
    app.sign_up("amina", "a long passphrase").await;
    app.post_comment(CLAUSE, json!({"body": "Public words."}))
        .await;
    let anonymous = app.another_browser();

    for (method, path) in operations(&app).await {
        if method != "get" || designed_access(&method, &path) != Some(Access::Anyone) {
            continue;
        }
        let (status, body) = call(&anonymous, &method, &path).await;
        if path.ends_with("/rounds/{round}/results") || path.ends_with("/record/{file}") {
            // The demo's current round is not published yet.
            assert_eq!((status, &body["code"]), (409, &json!("not_published")));
            continue;
        }
        assert_eq!(status, 200, "{path}");
        let text = body.to_string();
        assert!(
            !tests::looks_like_it_holds_an_email_address(&text),
            "{path} shows something like an email address: {text}"
        );
    }
}

/// The front end built into the binary is served as the folder is. (A debug build reads
/// `frontend/dist` from disk where a release build carries it; `scripts/test` builds it first.)
#[tokio::test]
async fn the_built_in_front_end_is_served_like_the_folder() {
    let dist = tests::browser::assets_dir();
    // The build's own directory, named by a digest of its contents.
    let app = std::fs::read_dir(&dist)
        .expect("dist")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .find(|n| n.starts_with("app-"))
        .expect("the build's directory");
    let wasm = format!("{app}/main_bg.wasm");
    let settings = Settings {
        embedded: true,
        ..Settings::default()
    };
    let app = spawn_app_with(Db::Sqlite, settings).await;

    let get = |path: String, encoding: &'static str| {
        app.client
            .get(format!("{}{path}", app.address))
            .header("accept-encoding", encoding)
            .send()
    };
    // A clause, a round or its results comes with its text (made for its reader: not kept).
    let first = get("/c/paris-call/2019".into(), "identity")
        .await
        .expect("page");
    assert_eq!(first.headers()["cache-control"], "no-store");
    let first = first.text().await.expect("html");
    assert!(
        first.contains("<div id=\"first-text\">") && first.contains(&wasm),
        "{first}"
    );
    let page = get("/c/paris-call".into(), "identity").await.expect("page");
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["cache-control"], "no-cache");
    assert!(
        page.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/html")
    );
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_owned();
    let html = page.text().await.expect("html");
    assert!(html.contains(&wasm), "index.html loads {wasm}");
    assert!(
        csp.contains("'sha256-"),
        "the inline start-up script is allowed by digest: {csp}"
    );

    let compressed = get(format!("/{wasm}"), "gzip, br").await.expect("wasm");
    assert_eq!(compressed.headers()["content-encoding"], "br");
    assert_eq!(compressed.headers()["content-type"], "application/wasm");
    assert_eq!(
        compressed.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    // The page's policy is the page's; what it loads carries the strictest one, shortly.
    assert_eq!(
        compressed.headers()["content-security-policy"],
        "default-src 'none'; frame-ancestors 'none'"
    );
    let brotli = std::fs::read(dist.join(format!("{wasm}.br"))).expect("the .br twin");
    assert_eq!(compressed.bytes().await.expect("body").len(), brotli.len());
    let plain = get(format!("/{wasm}"), "identity").await.expect("wasm");
    assert!(plain.headers().get("content-encoding").is_none());
    let size = std::fs::metadata(dist.join(&wasm)).expect("wasm").len();
    assert_eq!(plain.bytes().await.expect("body").len() as u64, size);

    let (status, body) = parts(app.get(&api::path("/nothing-here")).await).await;
    assert_eq!(
        (status, &body["code"]),
        (404, &json!("not_found")),
        "the API is never the page"
    );
}

#[tokio::test]
async fn answers_over_a_kilobyte_travel_compressed_but_live_streams_do_not() {
    let app = spawn_app(Db::Sqlite).await;
    let get = |path: String, encoding: &'static str| {
        app.client
            .get(format!("{}{path}", app.address))
            .header("accept-encoding", encoding)
            .send()
    };
    let plain = get(CLAUSE.into(), "identity").await.expect("clause");
    assert!(plain.headers().get("content-encoding").is_none());
    let plain = plain.bytes().await.expect("body").len();
    assert!(plain > 1024, "the demo clause is {plain} bytes");
    for encoding in ["br", "gzip"] {
        let packed = get(CLAUSE.into(), encoding).await.expect("clause");
        assert_eq!(packed.status(), 200);
        assert_eq!(packed.headers()["content-encoding"], encoding);
        assert_eq!(packed.headers()["content-type"], "application/json");
        let packed = packed.bytes().await.expect("body").len();
        assert!(packed < plain / 2, "{encoding}: {packed} of {plain} bytes");
    }
    // A stream must reach the browser event by event, not when a compressor's buffer fills.
    let live = get(format!("{CLAUSE}/comments/live"), "br")
        .await
        .expect("live");
    assert_eq!(live.status(), 200);
    assert!(live.headers().get("content-encoding").is_none());
}

#[tokio::test]
async fn the_front_end_is_served_precompressed_with_the_right_cache_lifetimes() {
    let assets = tempfile::tempdir().expect("dir");
    let index = r#"<html><head><script type="module">start()</script></head></html>"#;
    std::fs::write(assets.path().join("index.html"), index).expect("write");
    std::fs::write(assets.path().join("app-0123456789abcdef_bg.wasm"), b"plain").expect("write");
    std::fs::write(
        assets.path().join("app-0123456789abcdef_bg.wasm.br"),
        b"brotli",
    )
    .expect("write");
    let settings = Settings {
        assets: Some(assets.path().to_owned()),
        ..Settings::default()
    };
    let app = spawn_app_with(Db::Sqlite, settings).await;

    let wasm = app
        .client
        .get(format!("{}/app-0123456789abcdef_bg.wasm", app.address))
        .header("accept-encoding", "br")
        .send()
        .await
        .expect("request");
    assert_eq!(wasm.headers()["content-encoding"], "br");
    assert_eq!(
        wasm.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(wasm.bytes().await.expect("body").as_ref(), b"brotli");

    // A page of the browser-side router gets index.html, never cached, with a policy that
    // allows exactly its inline start-up script.
    let page = app.get("/c/paris-call").await;
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["cache-control"], "no-cache");
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(csp.contains("'sha256-"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let etag = page.headers()["etag"].clone();
    assert_eq!(page.text().await.expect("body"), index);
    // Asked again with its validator, the page is not sent again, and the answer keeps the
    // page's policy: the browser lays its headers over the copy it kept.
    let again = app
        .client
        .get(format!("{}/c/paris-call", app.address))
        .header("if-none-match", etag)
        .send()
        .await
        .expect("revalidation");
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["content-security-policy"], csp.as_str());

    // API paths never fall back to the page.
    let (status, _) = parts(app.get(&api::path("/nothing")).await).await;
    assert_eq!(status, 404);
}

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Access {
    Anyone,
    SignedIn,
    /// Whoever holds the cookie of a sign-in whose password was right (none of the callers
    /// here: each is refused as not signed in).
    PendingSignIn,
    /// The representative of the organisation in the path, or an administrator (who looks after
    /// organisations: a convener of one consultation may not change how one counts in another).
    OrganisationLead,
    /// A convener of the consultation in the path, or an administrator.
    Convener,
    Admin,
}

/// The designed access of every operation the router serves. The matrix test fails for an
/// operation missing here, so a new endpoint cannot be forgotten.
fn designed_access(method: &str, path: &str) -> Option<Access> {
    use Access::*;
    let path = path.strip_prefix(API).unwrap_or(path);
    Some(match (method, path) {
        ("get", "/consultations")
        | ("get", "/consultations/{slug}")
        | ("get", "/consultations/{slug}/rounds/{round}")
        | ("get", "/consultations/{slug}/feed.atom")
        | ("get", "/consultations/{slug}/rounds/{round}/feed.atom")
        | ("get", "/consultations/{slug}/calendar.ics")
        | ("post", "/email-verifications")
        | ("post", "/unsubscribe")
        | ("get", "/consultations/{slug}/rounds/{round}/clauses/{key}")
        | ("get", "/consultations/{slug}/rounds/{round}/clauses/{key}/comments")
        | ("get", "/organisations")
        | ("post", "/accounts")
        | ("post", "/session")
        | ("delete", "/session")
        | ("post", "/session/second-factor")
        | ("put", "/session/second-factor/passkey")
        | ("post", "/session/passkey")
        | ("put", "/session/passkey")
        | ("post", "/invitations/preview")
        | ("get", "/consultations/{slug}/rounds/{round}/results")
        | ("get", "/consultations/{slug}/rounds/{round}/redline")
        | ("get", "/consultations/{slug}/rounds/{round}/clauses/{key}/results")
        | ("get", "/consultations/{slug}/rounds/{round}/clauses/{key}/comments/live")
        | ("get", "/consultations/{slug}/moderation/log")
        | ("get", "/consultations/{slug}/rounds/{round}/record/{file}")
        | ("get", "/schema/record.json")
        | ("get", "/.well-known/concord-record-key.pub")
        | ("get", "/.well-known/concord-audit-head") => Anyone,
        ("get", "/session")
        | ("post", "/consultations/{slug}/rounds/{round}/clauses/{key}/comments")
        | ("put", "/consultations/{slug}/rounds/{round}/clauses/{key}/position")
        | ("get", "/account/sessions")
        | ("delete", "/account/sessions/{id}")
        | ("put", "/account/password")
        | ("get", "/account/export")
        | ("delete", "/account")
        | ("post", "/account/two-factor")
        | ("put", "/account/two-factor")
        | ("delete", "/account/two-factor")
        | ("post", "/account/passkeys/registration")
        | ("get", "/account/passkeys")
        | ("post", "/account/passkeys")
        | ("delete", "/account/passkeys/{id}")
        | ("get", "/account/security-events")
        | ("get", "/account/email")
        | ("put", "/account/email")
        | ("delete", "/account/email")
        | ("put", "/account/reminders/{slug}")
        | ("get", "/account/memberships")
        | ("get", "/account/profile")
        | ("put", "/account/profile")
        | ("post", "/organisations")
        | ("post", "/organisations/{slug}/membership")
        | ("get", "/membership-requests")
        | ("post", "/invitations/accept")
        | ("put", "/consultations/{slug}/participation")
        | ("put", "/consultations/{slug}/rounds/{round}/clauses/{key}/minority-statement")
        | ("put", "/consultations/{slug}/comments/{id}")
        | ("post", "/consultations/{slug}/comments/{id}/flags")
        | ("post", "/consultations/{slug}/rounds/{round}/proposals") => SignedIn,
        ("post", "/session/second-factor/passkey") => PendingSignIn,
        ("put", "/organisations/{slug}/members/{handle}") => OrganisationLead,
        ("put", "/organisations/{slug}/verification")
        | ("put", "/organisations/{slug}/representative") => Admin,
        ("put", "/consultations/{slug}/access")
        | ("get", "/consultations/{slug}/conveners")
        | ("get", "/consultations/{slug}/invitations")
        | ("post", "/consultations/{slug}/invitations")
        | ("delete", "/consultations/{slug}/invitations/{id}")
        | ("post", "/consultations/{slug}/rounds")
        | ("put", "/consultations/{slug}/rounds/{round}/phase")
        | ("put", "/consultations/{slug}/rounds/{round}/schedule")
        | ("put", "/consultations/{slug}/rounds/{round}/order")
        | ("post", "/consultations/{slug}/rounds/{round}/clauses")
        | ("put", "/consultations/{slug}/rounds/{round}/clauses/{key}")
        | ("delete", "/consultations/{slug}/rounds/{round}/clauses/{key}")
        | ("put", "/consultations/{slug}/rounds/{round}/rules")
        | ("put", "/consultations/{slug}/rounds/{round}/clauses/{key}/consensus")
        | ("put", "/consultations/{slug}/rounds/{round}/clauses/{key}/translations/{language}")
        | (
            "delete",
            "/consultations/{slug}/rounds/{round}/clauses/{key}/translations/{language}",
        )
        | ("get", "/consultations/{slug}/rounds/{round}/live")
        | ("get", "/consultations/{slug}/dashboard")
        | ("get", "/consultations/{slug}/comments/{id}/versions")
        | ("post", "/consultations/{slug}/comments/{id}/moderation")
        | ("put", "/consultations/{slug}/comments/{id}/response")
        | ("get", "/consultations/{slug}/moderation/queue")
        | ("put", "/consultations/{slug}/rounds/{round}/clauses/{key}/response")
        | ("post", "/consultations/{slug}/text-preview")
        | ("put", "/consultations/{slug}/convener-passkeys") => Convener,
        ("put", "/consultations/{slug}/conveners/{handle}")
        | ("delete", "/consultations/{slug}/conveners/{handle}")
        | ("post", "/consultations")
        | ("post", "/imports")
        | ("put", "/consultations/{slug}")
        | ("post", "/consultations/{slug}/archive") => Admin,
        _ => return None,
    })
}

/// Every operation of the OpenAPI document (built from the router), sign-out last.
async fn operations(app: &TestApp) -> Vec<(String, String)> {
    let (_, doc) = parts(app.openapi_document().await).await;
    let mut ops: Vec<(String, String)> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .expect("item")
                .keys()
                .map(move |m| (m.clone(), path.clone()))
        })
        .collect();
    ops.sort_by_key(|(m, p)| {
        (
            m == "delete" && *p == api::path("/session"),
            p.clone(),
            m.clone(),
        )
    });
    ops
}

/// A documented path with its parameters filled in (see [`call`]).
fn concrete(path: &str) -> String {
    let slug = if path.starts_with(&api::path("/organisations/")) {
        "digital-rights-lab"
    } else {
        "paris-call"
    };
    path.replace("{slug}", slug)
        .replace("{round}", "2019")
        .replace("{key}", "protect-individuals")
        .replace("{id}", "0123456789abcdef")
        .replace("{handle}", "nobody-here")
        .replace("{file}", "comments.csv")
        .replace("{language}", "fr")
}

/// Calls an operation with an empty JSON body for writes; the status and body. Paths name the
/// demo consultation, the organisation `digital-rights-lab`, and a handle nobody has.
async fn call(client: &TestApp, method: &str, path: &str) -> (u16, Value) {
    let concrete = concrete(path);
    let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
    let body = matches!(method, Method::POST | Method::PUT | Method::DELETE).then(|| json!({}));
    let response = client.request(method, &concrete, body).await;
    // An event stream never ends: its status is the answer.
    let streaming = response
        .headers()
        .get("content-type")
        .is_some_and(|t| t.as_bytes().starts_with(b"text/event-stream"));
    if streaming {
        return (response.status().as_u16(), Value::Null);
    }
    parts(response).await
}

/// The refusal (status and code) a caller gets for an operation of some access; `None` when
/// the caller is let through.
type Refusal<'a> = dyn Fn(Access) -> Option<(u16, Value)> + 'a;
