//! Invitation links: who they let in, for how long, and what revoking them does.

use super::assert_recorded;
use super::field_names;
use serde_json::{Value, json};
use tests::{CLAUSE, Db, TestApp, parts, spawn_app};

pub(crate) async fn an_invitation_only_consultation_lets_in_only_those_invited(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let convener = app.new_convener(&admin, "paris-call", "chair").await;
    let (status, consultation) = parts(
        convener
            .set_access("paris-call", json!({"access": "invitation"}))
            .await,
    )
    .await;
    assert_eq!(
        (status, &consultation["access"]),
        (200, &json!("invitation"))
    );
    let (_, again) = parts(
        convener
            .set_access("paris-call", json!({"access": "invitation"}))
            .await,
    )
    .await;
    assert_eq!(again, consultation, "setting it twice is harmless");

    let outsider = app.another_browser();
    outsider.sign_up("outsider", "a long passphrase").await;
    let (status, body) = parts(
        outsider
            .post_comment(CLAUSE, json!({"body": "Let me in."}))
            .await,
    )
    .await;
    assert_eq!((status, &body["code"]), (403, &json!("not_invited")));
    let (status, body) = parts(
        outsider
            .cast_position(CLAUSE, json!({"stance": "endorse"}))
            .await,
    )
    .await;
    assert_eq!((status, &body["code"]), (403, &json!("not_invited")));
    let flag = json!({"reason": "I disagree."});
    let (status, body) = parts(outsider.flag_comment("paris-call", "1", flag).await).await;
    assert_eq!((status, &body["code"]), (403, &json!("not_invited")));
    let (_, clause) = parts(outsider.get_clause(CLAUSE).await).await;
    assert_eq!(clause["may_take_part"], false);
    // An administrator or convener without a second factor is an outsider too; with it, not.
    let unguarded = app.another_browser();
    unguarded.sign_up("deputy", "a long passphrase").await;
    app.make_admin("deputy").await;
    for (who, expected) in [(&unguarded, 403), (&admin, 201)] {
        let (status, body) = parts(
            who.post_comment(CLAUSE, json!({"body": "A word from the secretariat."}))
                .await,
        )
        .await;
        assert_eq!(status, expected, "{body}");
    }
    let (_, clause) = parts(unguarded.get_clause(CLAUSE).await).await;
    assert_eq!(clause["may_take_part"], false);
    let (_, clause) = parts(app.another_browser().get_clause(CLAUSE).await).await;
    assert_eq!(
        clause["title"], "Protect individuals and infrastructure",
        "reading stays public"
    );

    let (invitation, token) = invite(
        &convener,
        json!({"stakeholder_group": "civil_society", "note": "for the Lagos lab"}),
    )
    .await;
    assert_eq!(invitation["status"], "sent");
    assert_eq!(invitation["note"], "for the Lagos lab");
    let preview = json!({ "token": token });
    let (status, offered) = parts(app.another_browser().preview_invitation(preview).await).await;
    assert_eq!(
        status, 200,
        "anyone holding the link may read what it offers"
    );
    assert_eq!(offered["consultation_slug"], "paris-call");
    assert_eq!(offered["stakeholder_group"], "civil_society");
    assert_eq!(offered["status"], "sent");
    assert!(
        offered.get("note").is_none(),
        "the note is the conveners' own"
    );

    let invited = app.another_browser();
    invited.sign_up("amina", "a long passphrase").await;
    let (status, participation) = accept(&invited, &token).await;
    assert_eq!(status, 200);
    assert_eq!(participation["stakeholder_group"], "civil_society");
    assert_eq!(
        accept(&invited, &token).await,
        (200, participation),
        "harmless twice"
    );
    let (status, body) = accept(&outsider, &token).await;
    assert_eq!((status, &body["code"]), (409, &json!("invitation_used")));

    let (status, _) = parts(
        invited
            .post_comment(CLAUSE, json!({"body": "Glad to be here."}))
            .await,
    )
    .await;
    assert_eq!(status, 201);
    let (_, clause) = parts(invited.get_clause(CLAUSE).await).await;
    assert_eq!(clause["may_take_part"], true);
    let (_, list) = parts(convener.list_invitations("paris-call").await).await;
    assert_eq!(list[0]["status"], "accepted");
    assert_eq!(list[0]["accepted_by"], "amina");
    let (_, export) = parts(invited.export_account().await).await;
    assert_eq!(
        export["participations"][0]["consultation_slug"],
        "paris-call"
    );
}

pub(crate) async fn an_invitation_for_an_organisation_makes_its_holder_a_member(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let new = json!({"name": "Ministry of Digital Affairs", "stakeholder_group": "government", "region": "Europe"});
    admin.create_organisation(new).await;
    let convener = app.new_convener(&admin, "paris-call", "chair").await;
    let (invitation, token) = invite(
        &convener,
        json!({"organisation": "ministry-of-digital-affairs", "stakeholder_group": "government"}),
    )
    .await;
    assert_eq!(
        invitation["organisation_name"],
        "Ministry of Digital Affairs"
    );

    let invited = app.another_browser();
    invited.sign_up("delegate", "a long passphrase").await;
    let (status, participation) = accept(&invited, &token).await;
    assert_eq!(status, 200);
    assert_eq!(participation["organisation"], "ministry-of-digital-affairs");
    let (_, mine) = parts(invited.list_memberships().await).await;
    assert_eq!(mine[0]["organisation"], "ministry-of-digital-affairs");
    assert_eq!(mine[0]["status"], "member");
    assert_recorded(&app, &["invitation.accepted", "organisation.created"]).await;
}

pub(crate) async fn invitations_expire_can_be_revoked_and_are_checked(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let convener = app.new_convener(&admin, "paris-call", "chair").await;
    let invited = app.another_browser();
    invited.sign_up("amina", "a long passphrase").await;

    let (invitation, token) = invite(&convener, json!({"stakeholder_group": "academia"})).await;
    let (status, revoked) = parts(
        convener
            .revoke_invitation("paris-call", &invitation["id"])
            .await,
    )
    .await;
    assert_eq!((status, &revoked["status"]), (200, &json!("revoked")));
    let (status, body) = accept(&invited, &token).await;
    assert_eq!((status, &body["code"]), (409, &json!("invitation_revoked")));

    let (invitation, token) = invite(&convener, json!({"stakeholder_group": "academia"})).await;
    let id = invitation["id"].as_i64().expect("id");
    app.execute(
        "UPDATE invitations SET expires_at_ms = 1 WHERE id = $1",
        &[id],
    )
    .await;
    let (status, body) = accept(&invited, &token).await;
    assert_eq!((status, &body["code"]), (409, &json!("invitation_expired")));
    let (_, list) = parts(convener.list_invitations("paris-call").await).await;
    assert_eq!(list[0]["status"], "expired");

    let (invitation, token) = invite(&convener, json!({"stakeholder_group": "academia"})).await;
    assert_eq!(accept(&invited, &token).await.0, 200);
    let (status, body) = parts(
        convener
            .revoke_invitation("paris-call", &invitation["id"])
            .await,
    )
    .await;
    assert_eq!((status, &body["code"]), (409, &json!("invitation_used")));

    let (status, _) = accept(&invited, "no-such-token").await;
    assert_eq!(status, 404);
    let bad = json!({"organisation": "nobody", "stakeholder_group": "academia", "valid_days": 0});
    let (status, body) = parts(convener.create_invitation("paris-call", bad).await).await;
    assert_eq!(status, 422);
    assert_eq!(field_names(&body), ["valid_days", "organisation"]);
    assert_eq!(
        convener
            .revoke_invitation("paris-call", "999999")
            .await
            .status(),
        404
    );
    assert_recorded(&app, &["invitation.issued", "invitation.revoked"]).await;
}

/// Issues an invitation on `convener`'s browser; the invitation and its token.
pub(crate) async fn invite(convener: &TestApp, body: Value) -> (Value, String) {
    let (status, issued) = parts(convener.create_invitation("paris-call", body).await).await;
    assert_eq!(status, 201, "{issued}");
    let token = issued["token"].as_str().expect("token").to_owned();
    (issued["invitation"].clone(), token)
}

pub(crate) async fn accept(client: &TestApp, token: &str) -> (u16, Value) {
    let body = json!({ "token": token });
    parts(client.accept_invitation(body).await).await
}
