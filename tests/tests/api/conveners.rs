//! Conveners: acting only with two-factor sign-in, and their inclusion dashboard.

use super::invitations::{accept, invite};
use serde_json::{Value, json};
use tests::{CLAUSE, Db, parts, spawn_app};

pub(crate) async fn a_convener_acts_only_after_turning_on_two_factor(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    app.sign_up("chair", "a long passphrase").await;
    assert_eq!(
        admin.add_convener("paris-call", "chair").await.status(),
        204
    );
    assert_eq!(
        admin.add_convener("paris-call", "chair").await.status(),
        204,
        "twice is harmless"
    );
    let (_, me) = parts(app.get_session().await).await;
    assert_eq!(me["convenes"], json!(["paris-call"]));
    let (status, body) = parts(app.list_invitations("paris-call").await).await;
    assert_eq!(
        (status, &body["code"]),
        (403, &json!("two_factor_required"))
    );

    let convener = app.with_two_factor("chair").await;
    assert_eq!(convener.list_invitations("paris-call").await.status(), 200);
    let (_, conveners) = parts(convener.list_conveners("paris-call").await).await;
    assert_eq!(conveners, json!([{"handle": "chair", "two_factor": true}]));

    assert_eq!(
        admin.remove_convener("paris-call", "chair").await.status(),
        204
    );
    let (status, body) = parts(convener.list_invitations("paris-call").await).await;
    assert_eq!((status, &body["code"]), (403, &json!("forbidden")));
    assert_eq!(
        admin.remove_convener("paris-call", "chair").await.status(),
        404
    );
    assert_eq!(
        admin
            .add_convener("paris-call", "nobody-here")
            .await
            .status(),
        404
    );
}

pub(crate) async fn the_dashboard_follows_each_group_from_invitation_to_positions(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let convener = app.new_convener(&admin, "paris-call", "chair").await;
    let (_, before) = parts(convener.dashboard("paris-call").await).await;
    let row = |d: &Value, group: &str| {
        d["funnel"]
            .as_array()
            .expect("funnel")
            .iter()
            .find(|f| f["group"] == group)
            .expect("every group has a row")
            .clone()
    };
    assert_eq!(row(&before, "academia")["joined"], 0);
    assert_eq!(row(&before, "civil_society")["joined"], 2, "the demo's two");

    invite(&convener, json!({"stakeholder_group": "academia"})).await;
    let (_, token) = invite(&convener, json!({"stakeholder_group": "academia"})).await;
    let scholar = app.another_browser();
    scholar.sign_up("scholar", "a long passphrase").await;
    accept(&scholar, &token).await;
    scholar
        .post_comment(CLAUSE, json!({"body": "A footnote on attribution."}))
        .await;
    let (_, after) = parts(convener.dashboard("paris-call").await).await;
    let academia = row(&after, "academia");
    assert_eq!(
        (
            &academia["invited"],
            &academia["joined"],
            &academia["commented"],
            &academia["took_positions"]
        ),
        (&json!(2), &json!(1), &json!(1), &json!(0))
    );
    assert_eq!(after["round"], "2019");
    let voting = after["activity"]
        .as_array()
        .expect("activity")
        .iter()
        .find(|a| a["phase"] == "voting")
        .expect("voting row")
        .clone();
    assert!(voting["comments"].as_u64() >= Some(1), "{voting}");
    let (status, body) = parts(app.another_browser().dashboard("paris-call").await).await;
    assert_eq!((status, &body["code"]), (401, &json!("not_signed_in")));
}
