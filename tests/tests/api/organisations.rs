//! Organisations: declared, verified, flagged when named like another; their representatives
//! and members.

use super::assert_recorded;
use serde_json::{Value, json};
use tests::{CLAUSE, Db, TestApp, parts, spawn_app};

pub(crate) async fn a_participants_organisation_is_self_declared_until_a_steward_verifies_it(
    db: Db,
) {
    let app = spawn_app(db).await;
    let organisation = |name: &str| json!({"name": name, "stakeholder_group": "civil_society", "region": "West Africa"});
    let create = async |client: &TestApp, name: &str| {
        parts(client.create_organisation(organisation(name)).await).await
    };
    assert_eq!(create(&app, "Digital Rights Lab").await.0, 401);

    app.sign_up("amina", "a long passphrase").await;
    let (status, declared) = create(&app, "Digital Rights Lab").await;
    assert_eq!(status, 201);
    assert_eq!(declared["slug"], "digital-rights-lab");
    assert_eq!(declared["verified"], false, "self-declared");
    let (_, mine) = parts(app.list_memberships().await).await;
    assert_eq!(mine[0]["status"], "member", "who declares it belongs to it");

    let admin = app.new_admin("secretariat").await;
    let (status, created) = create(&admin, "Open Standards Forum").await;
    assert_eq!((status, &created["verified"]), (201, &json!(true)));
    let (status, body) = create(&admin, "Digital Rights Lab").await;
    assert_eq!(
        (status, &body["code"]),
        (409, &json!("organisation_exists"))
    );

    let (status, body) = parts(app.verify_organisation("digital-rights-lab").await).await;
    assert_eq!((status, &body["code"]), (403, &json!("forbidden")));
    assert_eq!(
        admin
            .verify_organisation("digital-rights-lab")
            .await
            .status(),
        204
    );
    assert_eq!(admin.verify_organisation("nobody").await.status(), 404);

    let (status, list) = parts(app.another_browser().list_organisations().await).await;
    assert_eq!(status, 200, "anyone may read the list");
    assert_eq!(list[0]["name"], "Digital Rights Lab");
    assert_eq!(list[0]["stakeholder_group"], "civil_society");
    assert_eq!(list[0]["verified"], true);
    assert_recorded(&app, &["organisation.verified"]).await;
}

pub(crate) async fn an_organisation_named_like_another_is_shown_as_a_lookalike(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let create = async |client: &TestApp, name: &str| {
        let new = json!({"name": name, "stakeholder_group": "civil_society", "region": "Global"});
        let response = client.create_organisation(new).await;
        parts(response).await
    };
    let (_, original) = create(&admin, "Digital Rights Lab").await;
    assert_eq!(
        original["looks_like"],
        Value::Null,
        "the first has nothing to look like"
    );

    // An impostor declares the same name in other letters: a Cyrillic і, a digit 1 for an l,
    // a capital I for an l, fullwidth letters. Each is accepted, and flagged.
    let impostor = app.another_browser();
    impostor.sign_up("mallory", "a long passphrase").await;
    for name in [
        "D\u{456}gital Rights Lab",
        "Digita1 Rights Lab",
        "DigitaI Rights Lab",
        "\u{ff24}igital \u{ff32}ights Lab",
    ] {
        let (status, body) = create(&impostor, name).await;
        assert_eq!(status, 201, "{name}: {body}");
        assert_eq!(body["looks_like"], "Digital Rights Lab", "{name}");
    }
    // Names that merely share words are not lookalikes.
    let (_, other) = create(&impostor, "Digital Rights League").await;
    assert_eq!(other["looks_like"], Value::Null);

    let (_, list) = parts(app.another_browser().list_organisations().await).await;
    let looks = |name: &str| {
        list.as_array()
            .into_iter()
            .flatten()
            .find(|o| o["name"] == name)
            .map(|o| o["looks_like"].clone())
    };
    assert_eq!(looks("Digital Rights Lab"), Some(Value::Null));
    assert_eq!(
        looks("Digita1 Rights Lab"),
        Some(json!("Digital Rights Lab"))
    );
    assert_eq!(looks("Digital Rights League"), Some(Value::Null));
    let details = app
        .strings("SELECT details FROM audit_log WHERE action = 'organisation.created'")
        .await;
    assert!(
        details
            .iter()
            .any(|d| d.contains(r#""looks_like":"Digital Rights Lab""#)),
        "the audit log keeps the warning: {details:?}"
    );
}

pub(crate) async fn speaking_for_an_organisation_means_taking_part_in_its_group(db: Db) {
    let app = spawn_app(db).await;
    app.sign_up("mallory", "a long passphrase").await;
    let new =
        json!({"name": "Access Now", "stakeholder_group": "civil_society", "region": "Global"});
    let created = app.create_organisation(new).await;
    assert_eq!(created.status(), 201);
    let as_government = json!({"stakeholder_group": "government", "organisation": "access-now"});
    let (status, body) = parts(app.join_consultation("paris-call", as_government).await).await;
    assert_eq!(
        (status, &body["fields"][0]["code"]),
        (422, &json!("other_group")),
        "{body}"
    );
    let in_its_group = json!({"stakeholder_group": "civil_society", "organisation": "access-now"});
    let (status, body) = parts(app.join_consultation("paris-call", in_its_group).await).await;
    assert_eq!(status, 200, "{body}");
}

pub(crate) async fn a_representative_is_a_member_and_accepts_requests_to_join(db: Db) {
    let app = spawn_app(db).await;
    app.sign_up("amina", "a long passphrase").await;
    let new = json!({"name": "Digital Rights Lab", "stakeholder_group": "civil_society", "region": "Global"});
    app.create_organisation(new).await;
    let admin = app.new_admin("secretariat").await;
    let bola = app.another_browser();
    bola.sign_up("bola", "a long passphrase").await;

    let (status, body) = parts(
        admin
            .set_representative("digital-rights-lab", json!({"handle": "bola"}))
            .await,
    )
    .await;
    assert_eq!(status, 422, "bola is not a member");
    assert_eq!(body["fields"][0]["code"], "not_member");
    let (status, _) = parts(
        admin
            .set_representative("digital-rights-lab", json!({"handle": "Amina"}))
            .await,
    )
    .await;
    assert_eq!(status, 204);
    let (_, list) = parts(app.list_organisations().await).await;
    assert_eq!(list[0]["representative"], "amina");

    bola.request_membership("digital-rights-lab").await;
    let (_, requests) = parts(app.list_membership_requests().await).await;
    assert_eq!(requests[0]["handle"], "bola", "the representative sees it");
    let (_, none) = parts(bola.list_membership_requests().await).await;
    assert_eq!(none, json!([]), "others see none");
    let (status, body) = parts(bola.accept_membership("digital-rights-lab", "bola").await).await;
    assert_eq!((status, &body["code"]), (403, &json!("forbidden")));
    assert_eq!(
        app.accept_membership("digital-rights-lab", "bola")
            .await
            .status(),
        204
    );
    let (_, mine) = parts(bola.list_memberships().await).await;
    assert_eq!(mine[0]["status"], "member");
}

pub(crate) async fn a_participant_may_show_their_organisation_next_to_their_handle(db: Db) {
    let app = spawn_app(db).await;
    app.sign_up("amina", "a long passphrase").await;
    let new = json!({"name": "Digital Rights Lab", "stakeholder_group": "civil_society", "region": "Global"});
    app.create_organisation(new).await;
    let admin = app.new_admin("secretariat").await;
    let other = json!({"name": "Open Standards Forum", "stakeholder_group": "technical_community", "region": "Global"});
    admin.create_organisation(other).await;
    app.post_comment(CLAUSE, json!({"body": "Handle only."}))
        .await;

    let (status, body) = parts(
        app.change_profile(json!({"shown_organisation": "open-standards-forum"}))
            .await,
    )
    .await;
    assert_eq!(status, 422, "not a member of it");
    assert_eq!(body["fields"][0]["field"], "shown_organisation");
    let show = json!({"shown_organisation": "digital-rights-lab"});
    let (status, _) = parts(app.change_profile(show.clone()).await).await;
    assert_eq!(status, 200);
    let (_, shown) = parts(app.get_profile().await).await;
    assert_eq!(shown, show);

    let amina_comment = async || {
        let (_, comments) = parts(app.list_comments(CLAUSE).await).await;
        let comments = comments["threads"].as_array().expect("comments").clone();
        comments
            .into_iter()
            .find(|c| c["author"] == "amina")
            .expect("amina's comment")
    };
    assert_eq!(amina_comment().await["organisation"], "Digital Rights Lab");
    let (_, export) = parts(app.export_account().await).await;
    assert_eq!(export["shown_organisation"], "digital-rights-lab");

    app.change_profile(json!({"shown_organisation": null}))
        .await;
    assert_eq!(amina_comment().await["organisation"], Value::Null);
}

pub(crate) async fn an_organisation_needs_a_name_a_region_and_a_known_group(db: Db) {
    let app = spawn_app(db).await;
    app.sign_up("amina", "a long passphrase").await;
    app.make_admin("amina").await;
    app.sign_out().await;
    let admin = app.with_two_factor("amina").await;

    let blank = json!({"name": " ", "stakeholder_group": "academia", "region": ""});
    let (status, body) = parts(admin.create_organisation(blank).await).await;
    assert_eq!(status, 422);
    assert_eq!(body["fields"].as_array().map(Vec::len), Some(2));

    let unknown = json!({"name": "X Corp", "stakeholder_group": "lobby", "region": "EU"});
    let (status, body) = parts(admin.create_organisation(unknown).await).await;
    assert_eq!((status, &body["code"]), (422, &json!("invalid_json")));

    // Names that would display as others', or hold what text cannot: refused, never a 500.
    for (name, region) in [
        ("Good\u{202e}Org", "EU"),
        ("Free\u{2066}Press", "EU"),
        ("Null\u{0}Corp", "EU"),
        ("Fine Org", "E\u{0}U"),
    ] {
        let new = json!({"name": name, "stakeholder_group": "academia", "region": region});
        let (status, body) = parts(admin.create_organisation(new).await).await;
        assert_eq!(
            (status, &body["fields"][0]["code"]),
            (422, &json!("control_characters")),
            "{name:?} {region:?}: {body}"
        );
    }
    let nul_handle = json!({"handle": "ab\u{0}cd", "password": "a long passphrase"});
    let (status, _) = parts(app.another_browser().sign_up_with(nul_handle).await).await;
    assert_eq!(status, 422);
    // A NUL in a path reaches the database as it is: PostgreSQL refuses it, which is the
    // client's doing (422), never the server's.
    let status = app.get_consultation("paris%00call").await.status().as_u16();
    assert!(matches!(status, 404 | 422), "{status}");
}

pub(crate) async fn a_participant_asks_to_join_and_an_administrator_accepts(db: Db) {
    let app = spawn_app(db).await;
    app.sign_up("secretariat", "a long passphrase").await;
    app.make_admin("secretariat").await;
    app.sign_out().await;
    let admin = app.with_two_factor("secretariat").await;
    let new = json!({"name": "Digital Rights Lab", "stakeholder_group": "civil_society", "region": "Global"});
    admin.create_organisation(new).await;
    let member = app.another_browser();
    member.sign_up("amina", "a long passphrase").await;

    let (status, asked) = parts(member.request_membership("digital-rights-lab").await).await;
    assert_eq!((status, &asked["status"]), (200, &json!("requested")));
    let (_, again) = parts(member.request_membership("digital-rights-lab").await).await;
    assert_eq!(again, asked, "asking twice changes nothing");
    let (_, requests) = parts(admin.list_membership_requests().await).await;
    assert_eq!(requests[0]["handle"], "amina");
    assert_eq!(requests[0]["organisation"], "digital-rights-lab");

    assert_eq!(
        admin
            .accept_membership("digital-rights-lab", "amina")
            .await
            .status(),
        204
    );
    let (_, mine) = parts(member.list_memberships().await).await;
    assert_eq!(mine[0]["status"], "member");
    let (_, requests) = parts(admin.list_membership_requests().await).await;
    assert_eq!(requests, json!([]));
    assert_eq!(
        admin
            .accept_membership("digital-rights-lab", "amina")
            .await
            .status(),
        404,
        "nothing left to accept"
    );
    assert_eq!(member.request_membership("nobody").await.status(), 404);
    let (_, export) = parts(member.export_account().await).await;
    assert_eq!(
        export["memberships"][0]["organisation"],
        "digital-rights-lab"
    );
    assert_recorded(&app, &["membership.requested", "membership.accepted"]).await;
}

/// A participant who declares organisation `name` (and so belongs to it) and is named its
/// representative by `admin`; signed in on their own browser.
pub(crate) async fn representative_of(
    app: &TestApp,
    admin: &TestApp,
    handle: &str,
    name: &str,
) -> TestApp {
    let client = app.another_browser();
    client.sign_up(handle, "a long passphrase").await;
    let new = json!({"name": name, "stakeholder_group": "civil_society", "region": "Global"});
    let (status, organisation) = parts(client.create_organisation(new).await).await;
    assert_eq!(status, 201);
    let slug = organisation["slug"].as_str().expect("slug");
    let named = admin
        .set_representative(&slug, json!({ "handle": handle }))
        .await;
    assert_eq!(named.status(), 204);
    client
}
