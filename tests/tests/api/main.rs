//! API tests: each runs twice, against SQLite and against PostgreSQL, each time on its own server
//! and its own database.

use reqwest::Method;
use serde_json::{Value, json};
use tests::{
    CLAUSE, CLOSED_CLAUSE, Db, Settings, TWO_FACTOR, TestApp, parts, spawn_app, spawn_app_with,
    totp_code,
};

mod deliberation;
mod languages;
mod operations;
mod records;
mod setup;
use deliberation::*;
use languages::*;
use operations::*;
use records::*;
use setup::*;

/// Declares each test once per database.
macro_rules! for_each_database {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[tokio::test] async fn $name() { super::$name(super::Db::Sqlite).await } )*
        }
        mod postgres {
            $( #[tokio::test] async fn $name() { super::$name(super::Db::Postgres).await } )*
        }
    };
}

for_each_database!(
    on_a_fresh_install_an_administrator_sets_up_a_consultation_from_a_docx,
    only_an_administrator_with_two_factor_creates_a_consultation,
    a_bad_consultation_is_refused_field_by_field_and_nothing_is_written,
    bad_documents_are_refused_with_a_clear_error_and_write_nothing,
    participants_choose_their_region_from_the_consultations_list,
    an_archived_consultation_is_read_only_and_keeps_its_records,
    a_published_record_starts_a_consultation_on_another_instance,
    a_long_imported_text_is_saved_whole,
    rounds_opened_at_once_leave_one_draft,
    the_demo_consultation_is_listed_with_its_current_round,
    a_round_lists_its_clauses_in_order_with_their_tallies,
    an_unknown_consultation_round_or_clause_is_404,
    signing_up_signs_in_and_signing_out_ends_the_session_on_the_server,
    the_session_cookie_is_http_only_and_same_site_strict,
    an_idle_session_ends,
    over_https_the_cookie_is_secure_and_host_prefixed_and_hsts_is_sent,
    a_write_from_another_site_is_refused,
    a_taken_handle_is_refused_whatever_its_case,
    sign_up_reports_every_broken_field,
    a_common_password_is_refused,
    a_wrong_password_and_an_unknown_handle_get_the_same_answer,
    failed_sign_ins_are_counted_under_a_pseudonym_of_the_address,
    repeated_failures_throttle_even_the_right_password,
    a_success_clears_the_failures_from_that_address,
    throttling_is_shared_by_every_server_process,
    a_participant_lists_their_sessions_and_ends_another,
    changing_the_password_needs_the_current_one,
    a_password_change_can_end_every_other_session,
    a_participant_downloads_everything_held_about_them,
    deleting_an_account_needs_its_password,
    a_deleted_accounts_comments_stay_as_a_former_participants,
    a_deleted_account_convenes_and_represents_nothing_any_more,
    a_deleted_accounts_positions_leave_open_rounds_and_stay_in_closed_ones,
    turning_on_two_factor_needs_the_password_and_a_code,
    with_two_factor_a_sign_in_needs_a_code_that_works_once,
    a_recovery_code_stands_in_for_the_app_once_and_never_for_the_password,
    a_copy_of_the_database_cannot_make_second_factor_codes,
    a_waiting_sign_in_allows_few_codes,
    wrong_second_factor_codes_lock_it_whatever_sign_in_they_come_through,
    a_stolen_session_cannot_guess_the_password,
    sign_ups_from_one_address_are_a_few_a_minute_unless_raised,
    a_session_in_use_has_its_last_seen_time_written_in_the_background,
    turning_off_two_factor_needs_the_password,
    a_participants_organisation_is_self_declared_until_a_steward_verifies_it,
    an_organisation_named_like_another_is_shown_as_a_lookalike,
    speaking_for_an_organisation_means_taking_part_in_its_group,
    a_representative_is_a_member_and_accepts_requests_to_join,
    a_participant_may_show_their_organisation_next_to_their_handle,
    an_invitation_only_consultation_lets_in_only_those_invited,
    an_invitation_for_an_organisation_makes_its_holder_a_member,
    invitations_expire_can_be_revoked_and_are_checked,
    a_convener_acts_only_after_turning_on_two_factor,
    an_organisation_needs_a_name_a_region_and_a_known_group,
    a_participant_asks_to_join_and_an_administrator_accepts,
    commenting_needs_a_session,
    a_comment_is_stored_and_listed,
    an_empty_comment_is_rejected,
    an_over_long_comment_is_rejected,
    taking_a_position_updates_the_tally_and_changing_it_moves_the_count,
    a_reader_sees_their_own_position_on_the_clause,
    a_reservation_without_a_reason_is_rejected,
    an_opposition_with_a_reason_is_accepted,
    an_unknown_position_value_is_rejected,
    malformed_json_is_rejected,
    a_body_that_is_not_declared_json_is_rejected,
    an_oversized_body_is_rejected,
    a_position_on_a_clause_of_the_closed_round_is_refused,
    unknown_api_routes_and_methods_answer_in_json,
    an_address_that_is_not_utf8_is_rejected_in_json,
    every_operation_in_the_openapi_document_is_served,
    every_operation_answers_each_kind_of_caller_as_designed,
    public_answers_carry_no_email_address,
    a_position_counts_in_the_voters_group_and_region_with_a_receipt,
    a_round_can_hide_its_results_from_participants_until_it_closes,
    a_convener_opens_the_next_round_from_the_last_and_edits_the_draft,
    phases_move_forward_and_back_until_the_round_closes,
    a_scheduled_round_moves_on_by_itself,
    concurrent_changes_of_position_leave_counts_equal_to_a_recount,
    a_closed_round_shows_houses_consensus_and_minority_statements_once_published,
    a_published_round_exports_its_public_record_and_its_conveners_the_whole,
    a_bundle_is_signed_so_minisign_and_verify_accept_it_and_refuse_any_change,
    a_copy_of_the_database_cannot_sign_records,
    a_new_record_key_retires_the_old_one_which_still_verifies_what_it_signed,
    a_bundle_imported_elsewhere_exports_again_to_identical_files,
    a_record_signed_by_a_hostile_instance_is_checked_like_typed_input,
    the_public_record_cannot_be_joined_to_handles,
    the_audit_head_is_published_signed_for_observers_to_keep,
    health_and_readiness_say_whether_the_database_is_usable,
    metrics_count_requests_and_writes_on_their_own_listener,
    a_round_counting_per_organisation_takes_the_representatives_position,
    a_convener_watches_the_live_tally_from_any_server_process,
    a_live_tally_ends_with_the_session_or_the_role_that_opened_it,
    the_dashboard_follows_each_group_from_invitation_to_positions,
    a_refused_cast_does_not_undo_the_casts_written_with_it,
    a_round_reads_as_one_redline_against_the_previous,
    replies_nest_under_their_comment_up_to_a_depth_limit,
    comments_are_markdown_and_every_script_stays_inert,
    threads_come_in_pages,
    a_comment_on_a_passage_quotes_words_of_the_clause,
    an_author_edits_their_comment_and_conveners_see_earlier_wordings,
    flags_reach_the_conveners_who_hide_with_a_public_reason,
    conveners_respond_and_the_clause_counts_answered_comments,
    a_new_comment_reaches_readers_live_on_any_process,
    participants_propose_amendments_and_additions_voted_on_like_clauses,
    every_change_enters_an_append_only_chain_that_verify_checks,
    conveners_translate_a_clause_and_readers_learn_when_the_original_changed,
    a_comment_carries_the_language_its_author_wrote_it_in,
);

async fn the_demo_consultation_is_listed_with_its_current_round(db: Db) {
    let app = spawn_app(db).await;

    let (status, body) = parts(app.get("/api/v1/consultations").await).await;

    assert_eq!(status, 200);
    assert_eq!(body[0]["slug"], "paris-call");
    assert_eq!(body[0]["current_round"]["slug"], "2019");
    assert_eq!(body[0]["current_round"]["phase"], "voting");
}

async fn a_round_lists_its_clauses_in_order_with_their_tallies(db: Db) {
    let app = spawn_app(db).await;

    let (status, body) = parts(
        app.get("/api/v1/consultations/paris-call/rounds/2019")
            .await,
    )
    .await;

    assert_eq!(status, 200);
    let clauses = body["clauses"].as_array().expect("clauses");
    assert_eq!(clauses.len(), 9);
    let numbers: Vec<i64> = clauses
        .iter()
        .map(|c| c["number"].as_i64().unwrap_or(0))
        .collect();
    assert_eq!(numbers, (1..=9).collect::<Vec<_>>());
    assert_eq!(clauses[0]["key"], "protect-individuals");
    assert_eq!(clauses[0]["tally"]["endorse"], 2);
    assert_eq!(clauses[0]["comment_count"], 1);
}

async fn an_unknown_consultation_round_or_clause_is_404(db: Db) {
    let app = spawn_app(db).await;
    for path in [
        "/api/v1/consultations/nope",
        "/api/v1/consultations/paris-call/rounds/1999",
        "/api/v1/consultations/paris-call/rounds/2019/clauses/nope",
        "/api/v1/consultations/paris-call/rounds/2019/clauses/nope/comments",
    ] {
        let (status, body) = parts(app.get(path).await).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(body["code"], "not_found", "{path}");
    }
    app.signed_in().await;
    let unknown = "/api/v1/consultations/paris-call/rounds/2019/clauses/nope";
    let (status, _) = parts(app.post_comment(unknown, json!({"body": "Hello"})).await).await;
    assert_eq!(status, 404);
    let (status, _) = parts(
        app.cast_position(unknown, json!({"stance": "endorse"}))
            .await,
    )
    .await;
    assert_eq!(status, 404);
}

async fn signing_up_signs_in_and_signing_out_ends_the_session_on_the_server(db: Db) {
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
    let (status, body) = parts(app.get("/api/v1/session").await).await;
    assert_eq!((status, &body["handle"]), (200, &json!("ada")));

    assert_eq!(app.sign_out().await.status(), 204);
    let (status, body) = parts(app.get("/api/v1/session").await).await;
    assert_eq!((status, &body["code"]), (401, &json!("not_signed_in")));

    // The old token itself is dead on the server, not only forgotten by the client.
    let replay = reqwest::Client::new()
        .get(format!("{}/api/v1/session", app.address))
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

async fn the_session_cookie_is_http_only_and_same_site_strict(db: Db) {
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

async fn an_idle_session_ends(db: Db) {
    let app = spawn_app(db).await;
    app.signed_in().await;
    let idle = i64::try_from(backend::store::SESSION_IDLE.as_millis()).expect("fits");
    app.execute(
        "UPDATE sessions SET last_seen_at_ms = last_seen_at_ms - $1",
        &[idle + 1000],
    )
    .await;
    app.until_the_server_notices().await;

    let (status, body) = parts(app.get("/api/v1/session").await).await;

    assert_eq!((status, &body["code"]), (401, &json!("not_signed_in")));
}

async fn over_https_the_cookie_is_secure_and_host_prefixed_and_hsts_is_sent(db: Db) {
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
        .get(format!("{}/api/v1/session", app.address))
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

async fn a_write_from_another_site_is_refused(db: Db) {
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
    let (_, comments) = parts(app.get(&format!("{CLAUSE}/comments")).await).await;
    assert!(
        !comments.to_string().contains("Planted from https"),
        "nothing was stored from another origin: {comments}"
    );
}

async fn a_session_in_use_has_its_last_seen_time_written_in_the_background(db: Db) {
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
    assert_eq!(app.get("/api/v1/session").await.status(), 200);
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

async fn sign_ups_from_one_address_are_a_few_a_minute_unless_raised(db: Db) {
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

async fn a_taken_handle_is_refused_whatever_its_case(db: Db) {
    let app = spawn_app(db).await;
    app.sign_up("linus", "a long passphrase").await;

    let (status, body) = parts(app.sign_up("Linus", "another passphrase").await).await;

    assert_eq!(status, 409);
    assert_eq!(body["code"], "handle_taken");
    assert_eq!(body["fields"][0]["field"], "handle");
}

async fn sign_up_reports_every_broken_field(db: Db) {
    let app = spawn_app(db).await;

    let (status, body) = parts(app.sign_up("a b", "short").await).await;

    assert_eq!(status, 422);
    assert_eq!(body["code"], "validation_failed");
    let fields: Vec<&str> = body["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    assert_eq!(fields, ["handle", "password"]);
}

async fn a_common_password_is_refused(db: Db) {
    let app = spawn_app(db).await;

    let (status, body) = parts(app.sign_up("ada", "password123").await).await;

    assert_eq!(status, 422);
    assert_eq!(body["fields"][0]["field"], "password");
    assert_eq!(body["fields"][0]["code"], "too_common");
}

async fn failed_sign_ins_are_counted_under_a_pseudonym_of_the_address(db: Db) {
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
        backend::http::auth::address_pseudonym(secret_box.address_key(), "127.0.0.1")
    );
    let kept = app
        .strings("SELECT name FROM server_keys WHERE name = 'address_pseudonyms'")
        .await;
    assert!(kept.is_empty(), "{kept:?}");
}

async fn a_wrong_password_and_an_unknown_handle_get_the_same_answer(db: Db) {
    let app = spawn_app(db).await;
    app.sign_up("margaret", "a long passphrase").await;
    app.sign_out().await;

    let wrong_password = parts(app.sign_in("margaret", "not the passphrase").await).await;
    let unknown_handle = parts(app.sign_in("nobody-here", "not the passphrase").await).await;

    assert_eq!(wrong_password.0, 401);
    assert_eq!(wrong_password, unknown_handle);
}

async fn repeated_failures_throttle_even_the_right_password(db: Db) {
    let app = spawn_app(db).await;
    app.sign_up("margaret", "a long passphrase").await;
    app.sign_out().await;
    for _ in 0..backend::http::auth::MAX_FAILURES_PAIR {
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

async fn a_success_clears_the_failures_from_that_address(db: Db) {
    let app = spawn_app(db).await;
    app.sign_up("margaret", "a long passphrase").await;
    app.sign_out().await;

    for _ in 0..2 {
        for _ in 1..backend::http::auth::MAX_FAILURES_PAIR {
            assert_eq!(app.sign_in("margaret", "wrong guess").await.status(), 401);
        }
        assert_eq!(
            app.sign_in("margaret", "a long passphrase").await.status(),
            200
        );
        app.sign_out().await;
    }
}

async fn throttling_is_shared_by_every_server_process(db: Db) {
    let first = spawn_app(db).await;
    first.sign_up("margaret", "a long passphrase").await;
    let second = first.sibling().await;

    for _ in 0..backend::http::auth::MAX_FAILURES_PAIR {
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

async fn a_participant_lists_their_sessions_and_ends_another(db: Db) {
    let laptop = spawn_app(db).await;
    laptop.sign_up("amina", "a long passphrase").await;
    let phone = laptop.another_browser();
    phone.sign_in("amina", "a long passphrase").await;
    let stranger = laptop.another_browser();
    stranger
        .sign_up("stranger", "another long passphrase")
        .await;

    let (status, sessions) = parts(laptop.get("/api/v1/account/sessions").await).await;
    assert_eq!(status, 200);
    let sessions = sessions.as_array().expect("a list").clone();
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions.iter().filter(|s| s["current"] == true).count(), 1);
    let phone_id = sessions
        .iter()
        .find(|s| s["current"] == false)
        .expect("the phone")["id"]
        .as_str()
        .expect("id")
        .to_owned();

    let path = format!("/api/v1/account/sessions/{phone_id}");
    assert_eq!(
        stranger.request(Method::DELETE, &path, None).await.status(),
        404
    );
    assert_eq!(
        phone.get("/api/v1/session").await.status(),
        200,
        "a stranger cannot end it"
    );
    assert_eq!(
        laptop.request(Method::DELETE, &path, None).await.status(),
        204
    );
    assert_eq!(phone.get("/api/v1/session").await.status(), 401);
    assert_eq!(laptop.get("/api/v1/session").await.status(), 200);
    assert_eq!(
        laptop.request(Method::DELETE, &path, None).await.status(),
        404
    );
}

async fn changing_the_password_needs_the_current_one(db: Db) {
    let app = spawn_app(db).await;
    app.sign_up("amina", "a long passphrase").await;
    let change = |current: &str| json!({"current_password": current, "new_password": "tulip orbit sandal", "end_other_sessions": false});

    let (status, body) = parts(
        app.request(
            Method::PUT,
            "/api/v1/account/password",
            Some(change("a guess")),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(body["fields"][0]["field"], "current_password");

    let response = app
        .request(
            Method::PUT,
            "/api/v1/account/password",
            Some(change("a long passphrase")),
        )
        .await;
    assert_eq!(response.status(), 204);
    app.sign_out().await;
    assert_eq!(
        app.sign_in("amina", "a long passphrase").await.status(),
        401
    );
    assert_eq!(
        app.sign_in("amina", "tulip orbit sandal").await.status(),
        200
    );
}

async fn a_password_change_can_end_every_other_session(db: Db) {
    let laptop = spawn_app(db).await;
    laptop.sign_up("amina", "a long passphrase").await;
    let phone = laptop.another_browser();
    phone.sign_in("amina", "a long passphrase").await;
    let change = |current: &str, new: &str, end: bool| json!({"current_password": current, "new_password": new, "end_other_sessions": end});

    laptop
        .request(
            Method::PUT,
            "/api/v1/account/password",
            Some(change("a long passphrase", "tulip orbit sandal", false)),
        )
        .await;
    assert_eq!(
        phone.get("/api/v1/session").await.status(),
        200,
        "kept when not asked"
    );

    laptop
        .request(
            Method::PUT,
            "/api/v1/account/password",
            Some(change("tulip orbit sandal", "velvet canyon drum", true)),
        )
        .await;
    assert_eq!(phone.get("/api/v1/session").await.status(), 401);
    assert_eq!(laptop.get("/api/v1/session").await.status(), 200);
}

async fn commenting_needs_a_session(db: Db) {
    let app = spawn_app(db).await;

    let (status, body) = parts(app.post_comment(CLAUSE, json!({"body": "Hello"})).await).await;

    assert_eq!(status, 401);
    assert_eq!(body["code"], "not_signed_in");
}

async fn a_comment_is_stored_and_listed(db: Db) {
    let app = spawn_app(db).await;
    app.signed_in().await;

    let (status, created) = parts(
        app.post_comment(CLAUSE, json!({"body": "  Name journalists too.  "}))
            .await,
    )
    .await;
    let (_, list) = parts(app.get(&format!("{CLAUSE}/comments")).await).await;

    assert_eq!(status, 201);
    assert_eq!(created["body"], "Name journalists too.");
    assert_eq!(created["author"], "tester");
    let last = list["threads"]
        .as_array()
        .and_then(|l| l.last())
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(last, created);
}

async fn an_empty_comment_is_rejected(db: Db) {
    let app = spawn_app(db).await;
    app.signed_in().await;

    let (status, body) = parts(app.post_comment(CLAUSE, json!({"body": "   "})).await).await;

    assert_eq!(status, 422);
    assert_eq!(body["fields"][0]["field"], "body");
    assert_eq!(body["fields"][0]["code"], "required");
}

async fn an_over_long_comment_is_rejected(db: Db) {
    let app = spawn_app(db).await;
    app.signed_in().await;
    let long = "x".repeat(shared::rules::COMMENT_MAX + 1);

    let (status, body) = parts(app.post_comment(CLAUSE, json!({ "body": long })).await).await;

    assert_eq!(status, 422);
    assert_eq!(body["fields"][0]["code"], "too_long");
}

async fn taking_a_position_updates_the_tally_and_changing_it_moves_the_count(db: Db) {
    let app = spawn_app(db).await;
    app.signed_in().await.join("civil_society").await;

    let (status, first) = parts(
        app.cast_position(CLAUSE, json!({"stance": "endorse"}))
            .await,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(first["tally"]["endorse"], 3);

    let (status, second) = parts(
        app.cast_position(CLAUSE, json!({"stance": "abstain"}))
            .await,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(second["position"]["stance"], "abstain");
    assert_eq!(second["tally"]["endorse"], 2);
    assert_eq!(second["tally"]["abstain"], 1);

    let (_, round) = parts(
        app.get("/api/v1/consultations/paris-call/rounds/2019")
            .await,
    )
    .await;
    assert_eq!(round["clauses"][0]["tally"], second["tally"]);
}

async fn a_reader_sees_their_own_position_on_the_clause(db: Db) {
    let app = spawn_app(db).await;
    app.signed_in().await.join("civil_society").await;
    let (_, before) = parts(app.get(CLAUSE).await).await;
    assert_eq!(before["my_position"], Value::Null);

    app.cast_position(CLAUSE, json!({"stance": "oppose", "reason": "Too vague."}))
        .await;
    let (_, after) = parts(app.get(CLAUSE).await).await;

    assert_eq!(after["my_position"]["stance"], "oppose");
    assert_eq!(after["my_position"]["reason"], "Too vague.");
}

async fn a_reservation_without_a_reason_is_rejected(db: Db) {
    let app = spawn_app(db).await;
    app.signed_in().await.join("civil_society").await;

    let (status, body) = parts(
        app.cast_position(CLAUSE, json!({"stance": "endorse_with_reservation"}))
            .await,
    )
    .await;

    assert_eq!(status, 422);
    assert_eq!(body["code"], "validation_failed");
    assert_eq!(body["fields"][0]["field"], "reason");
    let (_, clause) = parts(app.get(CLAUSE).await).await;
    assert_eq!(
        clause["results"]["total"]["endorse_with_reservation"], 0,
        "nothing was recorded"
    );
}

async fn an_opposition_with_a_reason_is_accepted(db: Db) {
    let app = spawn_app(db).await;
    app.signed_in().await.join("civil_society").await;

    let (status, body) = parts(
        app.cast_position(
            CLAUSE,
            json!({"stance": "oppose", "reason": "Leaves out journalists."}),
        )
        .await,
    )
    .await;

    assert_eq!(status, 200);
    assert_eq!(body["position"]["reason"], "Leaves out journalists.");
    assert_eq!(body["tally"]["oppose"], 1);
}

async fn an_unknown_position_value_is_rejected(db: Db) {
    let app = spawn_app(db).await;
    app.signed_in().await.join("civil_society").await;

    let (status, body) = parts(app.cast_position(CLAUSE, json!({"stance": "maybe"})).await).await;

    assert_eq!(status, 422);
    assert_eq!(body["code"], "invalid_json");
}

async fn malformed_json_is_rejected(db: Db) {
    let app = spawn_app(db).await;
    app.signed_in().await;

    let response = app
        .post_comment_raw(CLAUSE, "application/json", b"{\"body\": ".to_vec())
        .await;
    let (status, body) = parts(response).await;

    assert_eq!(status, 400);
    assert_eq!(body["code"], "malformed_json");
}

async fn a_body_that_is_not_declared_json_is_rejected(db: Db) {
    let app = spawn_app(db).await;
    app.signed_in().await;

    let response = app
        .post_comment_raw(CLAUSE, "text/plain", b"{\"body\":\"x\"}".to_vec())
        .await;
    let (status, body) = parts(response).await;

    assert_eq!(status, 415);
    assert_eq!(body["code"], "unsupported_media_type");
}

async fn an_oversized_body_is_rejected(db: Db) {
    let app = spawn_app(db).await;
    app.signed_in().await;
    let huge = serde_json::to_vec(&json!({"body": "x".repeat(backend::BODY_LIMIT)})).expect("json");

    let response = app.post_comment_raw(CLAUSE, "application/json", huge).await;
    let (status, body) = parts(response).await;

    assert_eq!(status, 413);
    assert_eq!(body["code"], "payload_too_large");
}

async fn a_position_on_a_clause_of_the_closed_round_is_refused(db: Db) {
    let app = spawn_app(db).await;
    app.signed_in().await.join("civil_society").await;

    let (status, body) = parts(
        app.cast_position(CLOSED_CLAUSE, json!({"stance": "endorse"}))
            .await,
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(body["code"], "phase_closed");

    let (status, _) = parts(
        app.post_comment(CLOSED_CLAUSE, json!({"body": "Late."}))
            .await,
    )
    .await;
    assert_eq!(status, 409);
}

async fn unknown_api_routes_and_methods_answer_in_json(db: Db) {
    let app = spawn_app(db).await;

    let (status, body) = parts(app.get("/api/v1/no-such-thing").await).await;
    assert_eq!((status, &body["code"]), (404, &json!("not_found")));

    let (status, body) = parts(
        app.request(Method::PATCH, "/api/v1/consultations", None)
            .await,
    )
    .await;
    assert_eq!((status, &body["code"]), (405, &json!("method_not_allowed")));
}

async fn an_address_that_is_not_utf8_is_rejected_in_json(db: Db) {
    let app = spawn_app(db).await;

    let (status, body) = parts(app.get("/api/v1/consultations/%FF").await).await;

    assert_eq!((status, &body["code"]), (400, &json!("invalid_path")));
}

async fn every_operation_in_the_openapi_document_is_served(db: Db) {
    let app = spawn_app(db).await;
    let (status, doc) = parts(app.get("/api/v1/openapi.json").await).await;
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
    assert_eq!(operations.len(), 76, "every operation is documented");
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
    let page = get("/c/paris-call/2019".into(), "identity")
        .await
        .expect("page");
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

    let (status, body) = parts(app.get("/api/v1/nothing-here").await).await;
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
    let page = app.get("/c/paris-call/2019").await;
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
        .get(format!("{}/c/paris-call/2019", app.address))
        .header("if-none-match", etag)
        .send()
        .await
        .expect("revalidation");
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["content-security-policy"], csp.as_str());

    // API paths never fall back to the page.
    let (status, _) = parts(app.get("/api/v1/nothing").await).await;
    assert_eq!(status, 404);
}

async fn a_participant_downloads_everything_held_about_them(db: Db) {
    let app = spawn_app(db).await;
    app.sign_up("amina", "a long passphrase").await;
    app.join("civil_society").await;
    app.post_comment(CLAUSE, json!({"body": "Mine."})).await;
    app.cast_position(CLAUSE, json!({"stance": "oppose", "reason": "Vague."}))
        .await;
    app.cast_position(CLAUSE, json!({"stance": "endorse"}))
        .await;
    let addition = json!({"kind": "addition", "title": "Journalists", "body_md": "Protect them."});
    app.request(
        Method::POST,
        "/api/v1/consultations/paris-call/rounds/2019/proposals",
        Some(addition),
    )
    .await;
    let (_, page) = parts(app.get(&format!("{CLAUSE}/comments")).await).await;
    let demo = page["threads"][0]["id"]
        .as_i64()
        .expect("the demo's comment");
    let flags = format!("/api/v1/consultations/paris-call/comments/{demo}/flags");
    app.request(Method::POST, &flags, Some(json!({"reason": "Off topic."})))
        .await;

    let response = app.get("/api/v1/account/export").await;

    let disposition = response.headers()["content-disposition"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(disposition.contains("concord-amina.json"), "{disposition}");
    let (status, export) = parts(response).await;
    assert_eq!(status, 200);
    assert_eq!(export["handle"], "amina");
    assert_eq!(export["comments"][0]["body"], "Mine.");
    assert_eq!(export["comments"][0]["on"]["clause"], "protect-individuals");
    let stances: Vec<&str> = export["positions"]
        .as_array()
        .expect("positions")
        .iter()
        .filter_map(|p| p["stance"].as_str())
        .collect();
    assert_eq!(stances, ["oppose", "endorse"], "every change, oldest first");
    assert_eq!(export["sessions"][0]["current"], true);
    assert_eq!(export["proposals"][0]["title"], "Journalists");
    assert_eq!(export["proposals"][0]["on"]["clause"], "proposal-1");
    assert_eq!(export["flags"][0]["comment_id"], demo);
    assert_eq!(export["flags"][0]["reason"], "Off topic.");
    assert_eq!(
        app.another_browser()
            .get("/api/v1/account/export")
            .await
            .status(),
        401
    );
}

async fn deleting_an_account_needs_its_password(db: Db) {
    let app = spawn_app(db).await;
    app.sign_up("amina", "a long passphrase").await;

    let wrong = json!({"password": "a guess"});
    let (status, body) = parts(
        app.request(Method::DELETE, "/api/v1/account", Some(wrong))
            .await,
    )
    .await;

    assert_eq!(status, 422);
    assert_eq!(body["fields"][0]["field"], "password");
    assert_eq!(
        app.get("/api/v1/session").await.status(),
        200,
        "still there, still signed in"
    );
}

async fn a_deleted_account_convenes_and_represents_nothing_any_more(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let convener = app.new_convener(&admin, "paris-call", "chair").await;
    let new = json!({"name": "Digital Rights Lab", "stakeholder_group": "civil_society", "region": "Global"});
    convener
        .request(Method::POST, "/api/v1/organisations", Some(new))
        .await;
    let (_, me) = parts(convener.get("/api/v1/session").await).await;
    assert_eq!(me["convenes"], json!(["paris-call"]));
    convener
        .request(
            Method::POST,
            "/api/v1/organisations/digital-rights-lab/membership",
            None,
        )
        .await;
    admin
        .request(
            Method::PUT,
            "/api/v1/organisations/digital-rights-lab/members/chair",
            None,
        )
        .await;
    let representative = json!({"handle": "chair"});
    let named = admin
        .request(
            Method::PUT,
            "/api/v1/organisations/digital-rights-lab/representative",
            Some(representative),
        )
        .await;
    assert_eq!(named.status(), 204);

    let password = json!({"password": "a long passphrase"});
    let deleted = convener
        .request(Method::DELETE, "/api/v1/account", Some(password))
        .await;
    assert_eq!(deleted.status(), 204);

    let (_, conveners) = parts(
        admin
            .get("/api/v1/consultations/paris-call/conveners")
            .await,
    )
    .await;
    assert_eq!(conveners, json!([]));
    let (_, organisations) = parts(admin.get("/api/v1/organisations").await).await;
    assert_eq!(organisations[0]["representative"], Value::Null);
}

async fn a_deleted_accounts_comments_stay_as_a_former_participants(db: Db) {
    let app = spawn_app(db).await;
    app.sign_up("zofia", "a long passphrase").await;
    let phone = app.another_browser();
    phone.sign_in("zofia", "a long passphrase").await;
    app.post_comment(CLAUSE, json!({"body": "Kept after I leave."}))
        .await;

    let confirm = json!({"password": "a long passphrase"});
    assert_eq!(
        app.request(Method::DELETE, "/api/v1/account", Some(confirm))
            .await
            .status(),
        204
    );

    let (_, comments) = parts(app.get(&format!("{CLAUSE}/comments")).await).await;
    let mine = comments["threads"]
        .as_array()
        .and_then(|l| l.iter().find(|c| c["body"] == "Kept after I leave."))
        .cloned()
        .expect("the comment stays");
    assert_eq!(mine["author"], Value::Null);
    assert!(
        !comments.to_string().contains("zofia"),
        "the handle is gone: {comments}"
    );
    assert_eq!(app.get("/api/v1/session").await.status(), 401);
    assert_eq!(
        phone.get("/api/v1/session").await.status(),
        401,
        "signed out everywhere"
    );
    assert_eq!(
        app.sign_in("zofia", "a long passphrase").await.status(),
        401
    );
    // Nobody takes the handle over to pass as her.
    let newcomer = app.another_browser();
    let (status, body) = parts(newcomer.sign_up("Zofia", "another long passphrase").await).await;
    assert_eq!(
        (status, &body["code"]),
        (409, &json!("handle_taken")),
        "{body}"
    );
}

async fn a_deleted_accounts_positions_leave_open_rounds_and_stay_in_closed_ones(db: Db) {
    let app = spawn_app(db).await;
    let confirm = json!({"password": "a long passphrase"});
    let other_clause = "/api/v1/consultations/paris-call/rounds/2019/clauses/protect-internet";

    // A position in a round that is still voting is withdrawn with the account.
    app.sign_up("amina", "a long passphrase").await;
    app.join("civil_society").await;
    app.cast_position(CLAUSE, json!({"stance": "oppose", "reason": "Vague."}))
        .await;
    app.request(Method::DELETE, "/api/v1/account", Some(confirm.clone()))
        .await;
    let (_, clause) = parts(app.get(CLAUSE).await).await;
    assert_eq!(clause["results"]["total"]["oppose"], 0);

    // A position in a closed round stays counted — here closed by its schedule, the stored
    // phase still saying "voting".
    app.sign_up("grace", "a long passphrase").await;
    app.join("civil_society").await;
    app.cast_position(
        other_clause,
        json!({"stance": "oppose", "reason": "Vague."}),
    )
    .await;
    app.execute(
        "UPDATE rounds SET closing_at_ms = 1 WHERE slug = '2019'",
        &[],
    )
    .await;
    app.until_the_server_notices().await;
    app.request(Method::DELETE, "/api/v1/account", Some(confirm))
        .await;
    let (_, clause) = parts(app.get(other_clause).await).await;
    assert_eq!(clause["results"]["total"]["oppose"], 1);
}

/// Signs up `amina`, turns two-factor sign-in on, and returns the secret and recovery codes.
async fn with_two_factor(app: &TestApp) -> (String, Vec<String>) {
    app.sign_up("amina", "a long passphrase").await;
    let (_, setup) = parts(
        app.request(
            Method::POST,
            TWO_FACTOR,
            Some(json!({"password": "a long passphrase"})),
        )
        .await,
    )
    .await;
    let secret = setup["secret_base32"].as_str().expect("secret").to_owned();
    let code = json!({ "code": totp_code(&secret, 0) });
    let (status, codes) = parts(app.request(Method::PUT, TWO_FACTOR, Some(code)).await).await;
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

async fn second_factor(app: &TestApp, code: &str) -> (u16, Value) {
    parts(
        app.request(
            Method::POST,
            "/api/v1/session/second-factor",
            Some(json!({ "code": code })),
        )
        .await,
    )
    .await
}

async fn turning_on_two_factor_needs_the_password_and_a_code(db: Db) {
    let app = spawn_app(db).await;
    app.sign_up("amina", "a long passphrase").await;
    let phone = app.another_browser();
    phone.sign_in("amina", "a long passphrase").await;

    let wrong = json!({"password": "a guess"});
    let (status, body) = parts(app.request(Method::POST, TWO_FACTOR, Some(wrong)).await).await;
    assert_eq!(
        (status, &body["fields"][0]["field"]),
        (422, &json!("password"))
    );

    let right = json!({"password": "a long passphrase"});
    let (status, setup) = parts(
        app.request(Method::POST, TWO_FACTOR, Some(right.clone()))
            .await,
    )
    .await;
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
    let (status, _) = parts(
        app.request(Method::PUT, TWO_FACTOR, Some(json!({ "code": wrong_code })))
            .await,
    )
    .await;
    assert_eq!(status, 422);
    let (_, me) = parts(app.get("/api/v1/session").await).await;
    assert_eq!(me["two_factor"], false, "not on before a good code");

    let code = json!({ "code": totp_code(secret, 0) });
    let (status, codes) = parts(app.request(Method::PUT, TWO_FACTOR, Some(code)).await).await;
    assert_eq!(status, 200);
    assert_eq!(codes["codes"].as_array().map(Vec::len), Some(10));
    let (_, me) = parts(app.get("/api/v1/session").await).await;
    assert_eq!(me["two_factor"], true);
    assert_eq!(
        phone.get("/api/v1/session").await.status(),
        401,
        "the other device signs in again, with the second factor"
    );
    let (status, body) = parts(app.request(Method::POST, TWO_FACTOR, Some(right)).await).await;
    assert_eq!(
        (status, &body["code"]),
        (409, &json!("two_factor_already_on"))
    );
}

async fn with_two_factor_a_sign_in_needs_a_code_that_works_once(db: Db) {
    let app = spawn_app(db).await;
    let (secret, _) = with_two_factor(&app).await;
    app.sign_out().await;

    let (status, body) = parts(app.sign_in("amina", "a long passphrase").await).await;
    assert_eq!(
        (status, &body["status"]),
        (200, &json!("second_factor_required"))
    );
    assert_eq!(
        app.get("/api/v1/session").await.status(),
        401,
        "no session before the code"
    );

    // The enrolment used this step's code; the next step's is fresh.
    let code = totp_code(&secret, 1);
    let (status, me) = second_factor(&app, &code).await;
    assert_eq!((status, &me["handle"]), (200, &json!("amina")));
    assert_eq!(app.get("/api/v1/session").await.status(), 200);

    app.sign_out().await;
    app.sign_in("amina", "a long passphrase").await;
    let (status, body) = second_factor(&app, &code).await;
    assert_eq!(
        (status, &body["fields"][0]["field"]),
        (422, &json!("code")),
        "a code works once"
    );
}

async fn a_recovery_code_stands_in_for_the_app_once_and_never_for_the_password(db: Db) {
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

async fn a_copy_of_the_database_cannot_make_second_factor_codes(db: Db) {
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

async fn a_waiting_sign_in_allows_few_codes(db: Db) {
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

async fn wrong_second_factor_codes_lock_it_whatever_sign_in_they_come_through(db: Db) {
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
    let refused = app
        .request(
            Method::POST,
            "/api/v1/session/second-factor",
            Some(json!({ "code": wrong })),
        )
        .await;
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

async fn a_stolen_session_cannot_guess_the_password(db: Db) {
    let app = spawn_app(db).await;
    let (secret, _) = with_two_factor(&app).await;
    // A second device, signed in before: changing the second factor ends it.
    let phone = app.another_browser();
    phone.sign_in("amina", "a long passphrase").await;
    second_factor(&phone, &totp_code(&secret, 1)).await;
    assert_eq!(phone.get("/api/v1/session").await.status(), 200);

    // Whoever holds the session guesses the password to turn two-factor sign-in off.
    let off = |password: &str| {
        app.request(
            Method::DELETE,
            TWO_FACTOR,
            Some(json!({ "password": password })),
        )
    };
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
    let (status, _) = parts(
        app.request(Method::PUT, "/api/v1/account/password", Some(change))
            .await,
    )
    .await;
    assert_eq!(status, 429);
    let (_, me) = parts(app.get("/api/v1/session").await).await;
    assert_eq!(me["two_factor"], true, "still on");

    // Once the window has passed, the owner turns it off, which ends the other device's session.
    app.execute(
        "UPDATE sign_in_failures SET at_ms = at_ms - $1",
        &[16 * 60 * 1000],
    )
    .await;
    assert_eq!(off("a long passphrase").await.status(), 204);
    assert_eq!(phone.get("/api/v1/session").await.status(), 401);
    assert_eq!(
        app.get("/api/v1/session").await.status(),
        200,
        "this one stays"
    );
}

async fn turning_off_two_factor_needs_the_password(db: Db) {
    let app = spawn_app(db).await;
    with_two_factor(&app).await;

    let wrong = json!({"password": "a guess"});
    assert_eq!(
        app.request(Method::DELETE, TWO_FACTOR, Some(wrong))
            .await
            .status(),
        422
    );
    let right = json!({"password": "a long passphrase"});
    assert_eq!(
        app.request(Method::DELETE, TWO_FACTOR, Some(right))
            .await
            .status(),
        204
    );

    app.sign_out().await;
    let (_, body) = parts(app.sign_in("amina", "a long passphrase").await).await;
    assert_eq!(body["status"], "signed_in");
}

async fn a_participants_organisation_is_self_declared_until_a_steward_verifies_it(db: Db) {
    let app = spawn_app(db).await;
    let organisation = |name: &str| json!({"name": name, "stakeholder_group": "civil_society", "region": "West Africa"});
    let create = async |client: &TestApp, name: &str| {
        parts(
            client
                .request(
                    Method::POST,
                    "/api/v1/organisations",
                    Some(organisation(name)),
                )
                .await,
        )
        .await
    };
    assert_eq!(create(&app, "Digital Rights Lab").await.0, 401);

    app.sign_up("amina", "a long passphrase").await;
    let (status, declared) = create(&app, "Digital Rights Lab").await;
    assert_eq!(status, 201);
    assert_eq!(declared["slug"], "digital-rights-lab");
    assert_eq!(declared["verified"], false, "self-declared");
    let (_, mine) = parts(app.get("/api/v1/account/memberships").await).await;
    assert_eq!(mine[0]["status"], "member", "who declares it belongs to it");

    let admin = app.new_admin("secretariat").await;
    let (status, created) = create(&admin, "Open Standards Forum").await;
    assert_eq!((status, &created["verified"]), (201, &json!(true)));
    let (status, body) = create(&admin, "Digital Rights Lab").await;
    assert_eq!(
        (status, &body["code"]),
        (409, &json!("organisation_exists"))
    );

    let verify = "/api/v1/organisations/digital-rights-lab/verification";
    let (status, body) = parts(app.request(Method::PUT, verify, None).await).await;
    assert_eq!((status, &body["code"]), (403, &json!("forbidden")));
    assert_eq!(admin.request(Method::PUT, verify, None).await.status(), 204);
    let unknown = "/api/v1/organisations/nobody/verification";
    assert_eq!(
        admin.request(Method::PUT, unknown, None).await.status(),
        404
    );

    let (status, list) = parts(app.another_browser().get("/api/v1/organisations").await).await;
    assert_eq!(status, 200, "anyone may read the list");
    assert_eq!(list[0]["name"], "Digital Rights Lab");
    assert_eq!(list[0]["stakeholder_group"], "civil_society");
    assert_eq!(list[0]["verified"], true);
    assert_recorded(&app, &["organisation.verified"]).await;
}

async fn an_organisation_named_like_another_is_shown_as_a_lookalike(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let create = async |client: &TestApp, name: &str| {
        let new = json!({"name": name, "stakeholder_group": "civil_society", "region": "Global"});
        let response = client
            .request(Method::POST, "/api/v1/organisations", Some(new))
            .await;
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

    let (_, list) = parts(app.another_browser().get("/api/v1/organisations").await).await;
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

async fn speaking_for_an_organisation_means_taking_part_in_its_group(db: Db) {
    let app = spawn_app(db).await;
    app.sign_up("mallory", "a long passphrase").await;
    let new =
        json!({"name": "Access Now", "stakeholder_group": "civil_society", "region": "Global"});
    let created = app
        .request(Method::POST, "/api/v1/organisations", Some(new))
        .await;
    assert_eq!(created.status(), 201);
    let participation = "/api/v1/consultations/paris-call/participation";
    let as_government = json!({"stakeholder_group": "government", "organisation": "access-now"});
    let (status, body) = parts(
        app.request(Method::PUT, participation, Some(as_government))
            .await,
    )
    .await;
    assert_eq!(
        (status, &body["fields"][0]["code"]),
        (422, &json!("other_group")),
        "{body}"
    );
    let in_its_group = json!({"stakeholder_group": "civil_society", "organisation": "access-now"});
    let (status, body) = parts(
        app.request(Method::PUT, participation, Some(in_its_group))
            .await,
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

async fn a_representative_is_a_member_and_accepts_requests_to_join(db: Db) {
    let app = spawn_app(db).await;
    app.sign_up("amina", "a long passphrase").await;
    let new = json!({"name": "Digital Rights Lab", "stakeholder_group": "civil_society", "region": "Global"});
    app.request(Method::POST, "/api/v1/organisations", Some(new))
        .await;
    let admin = app.new_admin("secretariat").await;
    let bola = app.another_browser();
    bola.sign_up("bola", "a long passphrase").await;
    let representative = "/api/v1/organisations/digital-rights-lab/representative";

    let (status, body) = parts(
        admin
            .request(Method::PUT, representative, Some(json!({"handle": "bola"})))
            .await,
    )
    .await;
    assert_eq!(status, 422, "bola is not a member");
    assert_eq!(body["fields"][0]["code"], "not_member");
    let (status, _) = parts(
        admin
            .request(
                Method::PUT,
                representative,
                Some(json!({"handle": "Amina"})),
            )
            .await,
    )
    .await;
    assert_eq!(status, 204);
    let (_, list) = parts(app.get("/api/v1/organisations").await).await;
    assert_eq!(list[0]["representative"], "amina");

    bola.request(
        Method::POST,
        "/api/v1/organisations/digital-rights-lab/membership",
        None,
    )
    .await;
    let (_, requests) = parts(app.get("/api/v1/membership-requests").await).await;
    assert_eq!(requests[0]["handle"], "bola", "the representative sees it");
    let (_, none) = parts(bola.get("/api/v1/membership-requests").await).await;
    assert_eq!(none, json!([]), "others see none");
    let accept = "/api/v1/organisations/digital-rights-lab/members/bola";
    let (status, body) = parts(bola.request(Method::PUT, accept, None).await).await;
    assert_eq!((status, &body["code"]), (403, &json!("forbidden")));
    assert_eq!(app.request(Method::PUT, accept, None).await.status(), 204);
    let (_, mine) = parts(bola.get("/api/v1/account/memberships").await).await;
    assert_eq!(mine[0]["status"], "member");
}

async fn a_participant_may_show_their_organisation_next_to_their_handle(db: Db) {
    let app = spawn_app(db).await;
    app.sign_up("amina", "a long passphrase").await;
    let new = json!({"name": "Digital Rights Lab", "stakeholder_group": "civil_society", "region": "Global"});
    app.request(Method::POST, "/api/v1/organisations", Some(new))
        .await;
    let admin = app.new_admin("secretariat").await;
    let other = json!({"name": "Open Standards Forum", "stakeholder_group": "technical_community", "region": "Global"});
    admin
        .request(Method::POST, "/api/v1/organisations", Some(other))
        .await;
    app.post_comment(CLAUSE, json!({"body": "Handle only."}))
        .await;

    let profile = "/api/v1/account/profile";
    let (status, body) = parts(
        app.request(
            Method::PUT,
            profile,
            Some(json!({"shown_organisation": "open-standards-forum"})),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422, "not a member of it");
    assert_eq!(body["fields"][0]["field"], "shown_organisation");
    let show = json!({"shown_organisation": "digital-rights-lab"});
    let (status, _) = parts(app.request(Method::PUT, profile, Some(show.clone())).await).await;
    assert_eq!(status, 200);
    let (_, shown) = parts(app.get(profile).await).await;
    assert_eq!(shown, show);

    let amina_comment = async || {
        let (_, comments) = parts(app.get(&format!("{CLAUSE}/comments")).await).await;
        let comments = comments["threads"].as_array().expect("comments").clone();
        comments
            .into_iter()
            .find(|c| c["author"] == "amina")
            .expect("amina's comment")
    };
    assert_eq!(amina_comment().await["organisation"], "Digital Rights Lab");
    let (_, export) = parts(app.get("/api/v1/account/export").await).await;
    assert_eq!(export["shown_organisation"], "digital-rights-lab");

    app.request(
        Method::PUT,
        profile,
        Some(json!({"shown_organisation": null})),
    )
    .await;
    assert_eq!(amina_comment().await["organisation"], Value::Null);
}

const INVITATIONS: &str = "/api/v1/consultations/paris-call/invitations";

/// Issues an invitation on `convener`'s browser; the invitation and its token.
async fn invite(convener: &TestApp, body: Value) -> (Value, String) {
    let (status, issued) = parts(
        convener
            .request(Method::POST, INVITATIONS, Some(body))
            .await,
    )
    .await;
    assert_eq!(status, 201, "{issued}");
    let token = issued["token"].as_str().expect("token").to_owned();
    (issued["invitation"].clone(), token)
}

async fn accept(client: &TestApp, token: &str) -> (u16, Value) {
    let body = json!({ "token": token });
    parts(
        client
            .request(Method::POST, "/api/v1/invitations/accept", Some(body))
            .await,
    )
    .await
}

async fn an_invitation_only_consultation_lets_in_only_those_invited(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let convener = app.new_convener(&admin, "paris-call", "chair").await;
    let access = "/api/v1/consultations/paris-call/access";
    let (status, consultation) = parts(
        convener
            .request(Method::PUT, access, Some(json!({"access": "invitation"})))
            .await,
    )
    .await;
    assert_eq!(
        (status, &consultation["access"]),
        (200, &json!("invitation"))
    );
    let (_, again) = parts(
        convener
            .request(Method::PUT, access, Some(json!({"access": "invitation"})))
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
    let (status, body) = parts(
        outsider
            .request(
                Method::POST,
                "/api/v1/consultations/paris-call/comments/1/flags",
                Some(flag),
            )
            .await,
    )
    .await;
    assert_eq!((status, &body["code"]), (403, &json!("not_invited")));
    let (_, clause) = parts(outsider.get(CLAUSE).await).await;
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
    let (_, clause) = parts(unguarded.get(CLAUSE).await).await;
    assert_eq!(clause["may_take_part"], false);
    let (_, clause) = parts(app.another_browser().get(CLAUSE).await).await;
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
    let (status, offered) = parts(
        app.another_browser()
            .request(Method::POST, "/api/v1/invitations/preview", Some(preview))
            .await,
    )
    .await;
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
    let (_, clause) = parts(invited.get(CLAUSE).await).await;
    assert_eq!(clause["may_take_part"], true);
    let (_, list) = parts(convener.get(INVITATIONS).await).await;
    assert_eq!(list[0]["status"], "accepted");
    assert_eq!(list[0]["accepted_by"], "amina");
    let (_, export) = parts(invited.get("/api/v1/account/export").await).await;
    assert_eq!(
        export["participations"][0]["consultation_slug"],
        "paris-call"
    );
}

async fn an_invitation_for_an_organisation_makes_its_holder_a_member(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let new = json!({"name": "Ministry of Digital Affairs", "stakeholder_group": "government", "region": "Europe"});
    admin
        .request(Method::POST, "/api/v1/organisations", Some(new))
        .await;
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
    let (_, mine) = parts(invited.get("/api/v1/account/memberships").await).await;
    assert_eq!(mine[0]["organisation"], "ministry-of-digital-affairs");
    assert_eq!(mine[0]["status"], "member");
    assert_recorded(&app, &["invitation.accepted", "organisation.created"]).await;
}

async fn invitations_expire_can_be_revoked_and_are_checked(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let convener = app.new_convener(&admin, "paris-call", "chair").await;
    let invited = app.another_browser();
    invited.sign_up("amina", "a long passphrase").await;

    let (invitation, token) = invite(&convener, json!({"stakeholder_group": "academia"})).await;
    let revoke = format!("{INVITATIONS}/{}", invitation["id"]);
    let (status, revoked) = parts(convener.request(Method::DELETE, &revoke, None).await).await;
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
    let (_, list) = parts(convener.get(INVITATIONS).await).await;
    assert_eq!(list[0]["status"], "expired");

    let (invitation, token) = invite(&convener, json!({"stakeholder_group": "academia"})).await;
    assert_eq!(accept(&invited, &token).await.0, 200);
    let revoke = format!("{INVITATIONS}/{}", invitation["id"]);
    let (status, body) = parts(convener.request(Method::DELETE, &revoke, None).await).await;
    assert_eq!((status, &body["code"]), (409, &json!("invitation_used")));

    let (status, _) = accept(&invited, "no-such-token").await;
    assert_eq!(status, 404);
    let bad = json!({"organisation": "nobody", "stakeholder_group": "academia", "valid_days": 0});
    let (status, body) = parts(convener.request(Method::POST, INVITATIONS, Some(bad)).await).await;
    assert_eq!(status, 422);
    let fields: Vec<&str> = body["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    assert_eq!(fields, ["valid_days", "organisation"]);
    let missing = format!("{INVITATIONS}/999999");
    assert_eq!(
        convener
            .request(Method::DELETE, &missing, None)
            .await
            .status(),
        404
    );
    assert_recorded(&app, &["invitation.issued", "invitation.revoked"]).await;
}

async fn a_convener_acts_only_after_turning_on_two_factor(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    app.sign_up("chair", "a long passphrase").await;
    let name = "/api/v1/consultations/paris-call/conveners/chair";
    assert_eq!(admin.request(Method::PUT, name, None).await.status(), 204);
    assert_eq!(
        admin.request(Method::PUT, name, None).await.status(),
        204,
        "twice is harmless"
    );
    let (_, me) = parts(app.get("/api/v1/session").await).await;
    assert_eq!(me["convenes"], json!(["paris-call"]));
    let (status, body) = parts(app.get(INVITATIONS).await).await;
    assert_eq!(
        (status, &body["code"]),
        (403, &json!("two_factor_required"))
    );

    let convener = app.with_two_factor("chair").await;
    assert_eq!(convener.get(INVITATIONS).await.status(), 200);
    let (_, conveners) = parts(
        convener
            .get("/api/v1/consultations/paris-call/conveners")
            .await,
    )
    .await;
    assert_eq!(conveners, json!([{"handle": "chair", "two_factor": true}]));

    assert_eq!(
        admin.request(Method::DELETE, name, None).await.status(),
        204
    );
    let (status, body) = parts(convener.get(INVITATIONS).await).await;
    assert_eq!((status, &body["code"]), (403, &json!("forbidden")));
    assert_eq!(
        admin.request(Method::DELETE, name, None).await.status(),
        404
    );
    let nobody = "/api/v1/consultations/paris-call/conveners/nobody-here";
    assert_eq!(admin.request(Method::PUT, nobody, None).await.status(), 404);
}

async fn an_organisation_needs_a_name_a_region_and_a_known_group(db: Db) {
    let app = spawn_app(db).await;
    app.sign_up("amina", "a long passphrase").await;
    app.make_admin("amina").await;
    app.sign_out().await;
    let admin = app.with_two_factor("amina").await;

    let blank = json!({"name": " ", "stakeholder_group": "academia", "region": ""});
    let (status, body) = parts(
        admin
            .request(Method::POST, "/api/v1/organisations", Some(blank))
            .await,
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(body["fields"].as_array().map(Vec::len), Some(2));

    let unknown = json!({"name": "X Corp", "stakeholder_group": "lobby", "region": "EU"});
    let (status, body) = parts(
        admin
            .request(Method::POST, "/api/v1/organisations", Some(unknown))
            .await,
    )
    .await;
    assert_eq!((status, &body["code"]), (422, &json!("invalid_json")));

    // Names that would display as others', or hold what text cannot: refused, never a 500.
    for (name, region) in [
        ("Good\u{202e}Org", "EU"),
        ("Free\u{2066}Press", "EU"),
        ("Null\u{0}Corp", "EU"),
        ("Fine Org", "E\u{0}U"),
    ] {
        let new = json!({"name": name, "stakeholder_group": "academia", "region": region});
        let (status, body) = parts(
            admin
                .request(Method::POST, "/api/v1/organisations", Some(new))
                .await,
        )
        .await;
        assert_eq!(
            (status, &body["fields"][0]["code"]),
            (422, &json!("control_characters")),
            "{name:?} {region:?}: {body}"
        );
    }
    let nul_handle = json!({"handle": "ab\u{0}cd", "password": "a long passphrase"});
    let (status, _) = parts(
        app.another_browser()
            .request(Method::POST, "/api/v1/accounts", Some(nul_handle))
            .await,
    )
    .await;
    assert_eq!(status, 422);
    // A NUL in a path reaches the database as it is: PostgreSQL refuses it, which is the
    // client's doing (422), never the server's.
    let status = app
        .get("/api/v1/consultations/paris%00call")
        .await
        .status()
        .as_u16();
    assert!(matches!(status, 404 | 422), "{status}");
}

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Access {
    Anyone,
    SignedIn,
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
    Some(match (method, path) {
        ("get", "/api/v1/consultations")
        | ("get", "/api/v1/consultations/{slug}")
        | ("get", "/api/v1/consultations/{slug}/rounds/{round}")
        | ("get", "/api/v1/consultations/{slug}/rounds/{round}/clauses/{key}")
        | ("get", "/api/v1/consultations/{slug}/rounds/{round}/clauses/{key}/comments")
        | ("get", "/api/v1/organisations")
        | ("post", "/api/v1/accounts")
        | ("post", "/api/v1/session")
        | ("delete", "/api/v1/session")
        | ("post", "/api/v1/session/second-factor")
        | ("post", "/api/v1/invitations/preview")
        | ("get", "/api/v1/consultations/{slug}/rounds/{round}/results")
        | ("get", "/api/v1/consultations/{slug}/rounds/{round}/redline")
        | ("get", "/api/v1/consultations/{slug}/rounds/{round}/clauses/{key}/results")
        | ("get", "/api/v1/consultations/{slug}/rounds/{round}/clauses/{key}/comments/live")
        | ("get", "/api/v1/consultations/{slug}/moderation/log")
        | ("get", "/api/v1/consultations/{slug}/rounds/{round}/record/{file}")
        | ("get", "/api/v1/schema/record.json")
        | ("get", "/.well-known/concord-record-key.pub")
        | ("get", "/.well-known/concord-audit-head") => Anyone,
        ("get", "/api/v1/session")
        | ("post", "/api/v1/consultations/{slug}/rounds/{round}/clauses/{key}/comments")
        | ("put", "/api/v1/consultations/{slug}/rounds/{round}/clauses/{key}/position")
        | ("get", "/api/v1/account/sessions")
        | ("delete", "/api/v1/account/sessions/{id}")
        | ("put", "/api/v1/account/password")
        | ("get", "/api/v1/account/export")
        | ("delete", "/api/v1/account")
        | ("post", "/api/v1/account/two-factor")
        | ("put", "/api/v1/account/two-factor")
        | ("delete", "/api/v1/account/two-factor")
        | ("get", "/api/v1/account/memberships")
        | ("get", "/api/v1/account/profile")
        | ("put", "/api/v1/account/profile")
        | ("post", "/api/v1/organisations")
        | ("post", "/api/v1/organisations/{slug}/membership")
        | ("get", "/api/v1/membership-requests")
        | ("post", "/api/v1/invitations/accept")
        | ("put", "/api/v1/consultations/{slug}/participation")
        | ("put", "/api/v1/consultations/{slug}/rounds/{round}/clauses/{key}/minority-statement")
        | ("put", "/api/v1/consultations/{slug}/comments/{id}")
        | ("post", "/api/v1/consultations/{slug}/comments/{id}/flags")
        | ("post", "/api/v1/consultations/{slug}/rounds/{round}/proposals") => SignedIn,
        ("put", "/api/v1/organisations/{slug}/members/{handle}") => OrganisationLead,
        ("put", "/api/v1/organisations/{slug}/verification")
        | ("put", "/api/v1/organisations/{slug}/representative") => Admin,
        ("put", "/api/v1/consultations/{slug}/access")
        | ("get", "/api/v1/consultations/{slug}/conveners")
        | ("get", "/api/v1/consultations/{slug}/invitations")
        | ("post", "/api/v1/consultations/{slug}/invitations")
        | ("delete", "/api/v1/consultations/{slug}/invitations/{id}")
        | ("post", "/api/v1/consultations/{slug}/rounds")
        | ("put", "/api/v1/consultations/{slug}/rounds/{round}/phase")
        | ("put", "/api/v1/consultations/{slug}/rounds/{round}/schedule")
        | ("put", "/api/v1/consultations/{slug}/rounds/{round}/order")
        | ("post", "/api/v1/consultations/{slug}/rounds/{round}/clauses")
        | ("put", "/api/v1/consultations/{slug}/rounds/{round}/clauses/{key}")
        | ("delete", "/api/v1/consultations/{slug}/rounds/{round}/clauses/{key}")
        | ("put", "/api/v1/consultations/{slug}/rounds/{round}/rules")
        | ("put", "/api/v1/consultations/{slug}/rounds/{round}/clauses/{key}/consensus")
        | (
            "put",
            "/api/v1/consultations/{slug}/rounds/{round}/clauses/{key}/translations/{language}",
        )
        | (
            "delete",
            "/api/v1/consultations/{slug}/rounds/{round}/clauses/{key}/translations/{language}",
        )
        | ("get", "/api/v1/consultations/{slug}/rounds/{round}/live")
        | ("get", "/api/v1/consultations/{slug}/dashboard")
        | ("get", "/api/v1/consultations/{slug}/comments/{id}/versions")
        | ("post", "/api/v1/consultations/{slug}/comments/{id}/moderation")
        | ("put", "/api/v1/consultations/{slug}/comments/{id}/response")
        | ("get", "/api/v1/consultations/{slug}/moderation/queue")
        | ("put", "/api/v1/consultations/{slug}/rounds/{round}/clauses/{key}/response")
        | ("post", "/api/v1/consultations/{slug}/text-preview") => Convener,
        ("put", "/api/v1/consultations/{slug}/conveners/{handle}")
        | ("delete", "/api/v1/consultations/{slug}/conveners/{handle}")
        | ("post", "/api/v1/consultations")
        | ("post", "/api/v1/imports")
        | ("put", "/api/v1/consultations/{slug}")
        | ("post", "/api/v1/consultations/{slug}/archive") => Admin,
        _ => return None,
    })
}

/// Every operation of the OpenAPI document (built from the router), sign-out last.
async fn operations(app: &TestApp) -> Vec<(String, String)> {
    let (_, doc) = parts(app.get("/api/v1/openapi.json").await).await;
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
            m == "delete" && p == "/api/v1/session",
            p.clone(),
            m.clone(),
        )
    });
    ops
}

/// A documented path with its parameters filled in (see [`call`]).
fn concrete(path: &str) -> String {
    let slug = if path.starts_with("/api/v1/organisations/") {
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

/// A participant who declares organisation `name` (and so belongs to it) and is named its
/// representative by `admin`; signed in on their own browser.
async fn representative_of(app: &TestApp, admin: &TestApp, handle: &str, name: &str) -> TestApp {
    let client = app.another_browser();
    client.sign_up(handle, "a long passphrase").await;
    let new = json!({"name": name, "stakeholder_group": "civil_society", "region": "Global"});
    let (status, organisation) = parts(
        client
            .request(Method::POST, "/api/v1/organisations", Some(new))
            .await,
    )
    .await;
    assert_eq!(status, 201);
    let slug = organisation["slug"].as_str().expect("slug");
    let named = admin
        .request(
            Method::PUT,
            &format!("/api/v1/organisations/{slug}/representative"),
            Some(json!({ "handle": handle })),
        )
        .await;
    assert_eq!(named.status(), 204);
    client
}

/// The refusal (status and code) a caller gets for an operation of some access; `None` when
/// the caller is let through.
type Refusal<'a> = dyn Fn(Access) -> Option<(u16, Value)> + 'a;

async fn every_operation_answers_each_kind_of_caller_as_designed(db: Db) {
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
    admin
        .request(
            Method::PUT,
            "/api/v1/consultations/paris-call/conveners/convener-2",
            None,
        )
        .await;
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
            match refusal(access) {
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

async fn a_participant_asks_to_join_and_an_administrator_accepts(db: Db) {
    let app = spawn_app(db).await;
    app.sign_up("secretariat", "a long passphrase").await;
    app.make_admin("secretariat").await;
    app.sign_out().await;
    let admin = app.with_two_factor("secretariat").await;
    let new = json!({"name": "Digital Rights Lab", "stakeholder_group": "civil_society", "region": "Global"});
    admin
        .request(Method::POST, "/api/v1/organisations", Some(new))
        .await;
    let member = app.another_browser();
    member.sign_up("amina", "a long passphrase").await;
    let join = "/api/v1/organisations/digital-rights-lab/membership";

    let (status, asked) = parts(member.request(Method::POST, join, None).await).await;
    assert_eq!((status, &asked["status"]), (200, &json!("requested")));
    let (_, again) = parts(member.request(Method::POST, join, None).await).await;
    assert_eq!(again, asked, "asking twice changes nothing");
    let (_, requests) = parts(admin.get("/api/v1/membership-requests").await).await;
    assert_eq!(requests[0]["handle"], "amina");
    assert_eq!(requests[0]["organisation"], "digital-rights-lab");

    let accept = "/api/v1/organisations/digital-rights-lab/members/amina";
    assert_eq!(admin.request(Method::PUT, accept, None).await.status(), 204);
    let (_, mine) = parts(member.get("/api/v1/account/memberships").await).await;
    assert_eq!(mine[0]["status"], "member");
    let (_, requests) = parts(admin.get("/api/v1/membership-requests").await).await;
    assert_eq!(requests, json!([]));
    assert_eq!(
        admin.request(Method::PUT, accept, None).await.status(),
        404,
        "nothing left to accept"
    );
    let unknown = "/api/v1/organisations/nobody/membership";
    assert_eq!(
        member.request(Method::POST, unknown, None).await.status(),
        404
    );
    let (_, export) = parts(member.get("/api/v1/account/export").await).await;
    assert_eq!(
        export["memberships"][0]["organisation"],
        "digital-rights-lab"
    );
    assert_recorded(&app, &["membership.requested", "membership.accepted"]).await;
}

async fn public_answers_carry_no_email_address(db: Db) {
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

pub(crate) const ROUNDS: &str = "/api/v1/consultations/paris-call/rounds";

/// Closes the demo's 2019 round as `convener`.
pub(crate) async fn close_2019(convener: &TestApp) {
    let (status, round) = parts(
        convener
            .request(
                Method::PUT,
                &format!("{ROUNDS}/2019/phase"),
                Some(json!({"phase": "closed"})),
            )
            .await,
    )
    .await;
    assert_eq!((status, &round["phase"]), (200, &json!("closed")));
}

async fn a_position_counts_in_the_voters_group_and_region_with_a_receipt(db: Db) {
    let app = spawn_app(db).await;
    app.sign_up("amina", "a long passphrase").await;
    let (status, body) = parts(
        app.cast_position(CLAUSE, json!({"stance": "endorse"}))
            .await,
    )
    .await;
    assert_eq!((status, &body["code"]), (409, &json!("group_required")));

    let join = json!({"stakeholder_group": "academia", "region": " Eastern Africa "});
    let (status, joined) = parts(
        app.request(
            Method::PUT,
            "/api/v1/consultations/paris-call/participation",
            Some(join),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(joined["region"], "Eastern Africa");
    let (status, cast) = parts(
        app.cast_position(CLAUSE, json!({"stance": "oppose", "reason": "Too vague."}))
            .await,
    )
    .await;
    assert_eq!(status, 200);
    let receipt = cast["position"]["receipt"]
        .as_str()
        .expect("receipt")
        .to_owned();
    // A SHA-256 digest in base64url after an `r`, so it never starts as a spreadsheet formula
    // (`=`, `+`, `-`, `@`) that the CSV files' guard would have to change.
    assert_eq!(receipt.len(), 44, "{receipt}");
    assert!(receipt.starts_with('r'), "{receipt}");

    let (_, clause) = parts(app.get(CLAUSE).await).await;
    assert_eq!(clause["my_group"], "academia");
    assert_eq!(clause["my_position"]["receipt"], json!(receipt));
    let academia = clause["results"]["by_group"]
        .as_array()
        .expect("groups")
        .iter()
        .find(|g| g["group"] == "academia")
        .expect("academia counted")
        .clone();
    assert_eq!(academia["tally"]["oppose"], 1);
    let east_africa = clause["results"]["by_region"]
        .as_array()
        .expect("regions")
        .iter()
        .find(|r| r["region"] == "Eastern Africa")
        .expect("region counted")
        .clone();
    assert_eq!(east_africa["tally"]["oppose"], 1);

    // Changing the position moves the one count; the export keeps every receipt.
    app.cast_position(CLAUSE, json!({"stance": "endorse"}))
        .await;
    let (_, clause) = parts(app.get(CLAUSE).await).await;
    let groups = clause["results"]["by_group"].as_array().expect("groups");
    let academia = groups
        .iter()
        .find(|g| g["group"] == "academia")
        .expect("academia");
    assert_eq!(academia["tally"]["oppose"], 0);
    assert_eq!(academia["tally"]["endorse"], 1);
    let (_, export) = parts(app.get("/api/v1/account/export").await).await;
    assert_eq!(export["positions"][0]["receipt"], json!(receipt));
}

async fn a_round_can_hide_its_results_from_participants_until_it_closes(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let convener = app.new_convener(&admin, "paris-call", "chair").await;
    close_2019(&convener).await;
    let new = json!({"slug": "2020", "title": "2020 review", "hide_results": true});
    let (status, round) = parts(convener.request(Method::POST, ROUNDS, Some(new)).await).await;
    assert_eq!((status, &round["hide_results"]), (201, &json!(true)));
    let voting = json!({"phase": "voting"});
    convener
        .request(Method::PUT, &format!("{ROUNDS}/2020/phase"), Some(voting))
        .await;
    let clause_2020 = "/api/v1/consultations/paris-call/rounds/2020/clauses/protect-individuals";

    app.sign_up("amina", "a long passphrase").await;
    app.join("civil_society").await;
    let (status, cast) = parts(
        app.cast_position(clause_2020, json!({"stance": "endorse"}))
            .await,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(cast["tally"], Value::Null, "no counts for participants");
    let (_, clause) = parts(app.get(clause_2020).await).await;
    assert_eq!(clause["results"], Value::Null);
    let (_, round) = parts(app.get(&format!("{ROUNDS}/2020")).await).await;
    assert_eq!(round["clauses"][0]["tally"], Value::Null);

    let (status, body) = parts(app.get(&format!("{clause_2020}/results")).await).await;
    assert_eq!((status, &body["code"]), (409, &json!("not_published")));
    let (_, seen) = parts(convener.get(clause_2020).await).await;
    assert_eq!(seen["results"]["total"]["endorse"], 1, "conveners see them");
    let (_, alone) = parts(convener.get(&format!("{clause_2020}/results")).await).await;
    assert_eq!(alone, seen["results"]);

    close_2019_like(&convener, "2020").await;
    let (_, clause) = parts(app.get(clause_2020).await).await;
    assert_eq!(
        clause["results"]["total"]["endorse"], 1,
        "everyone, once closed"
    );
    let (status, _) = parts(app.get(&format!("{clause_2020}/results")).await).await;
    assert_eq!(status, 200);
}

async fn close_2019_like(convener: &TestApp, round: &str) {
    let closed = json!({"phase": "closed"});
    let response = convener
        .request(
            Method::PUT,
            &format!("{ROUNDS}/{round}/phase"),
            Some(closed),
        )
        .await;
    assert_eq!(response.status(), 200);
}

async fn a_convener_opens_the_next_round_from_the_last_and_edits_the_draft(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let convener = app.new_convener(&admin, "paris-call", "chair").await;
    let new = json!({"slug": "2020", "title": "2020 review"});

    let (status, body) = parts(
        convener
            .request(Method::POST, ROUNDS, Some(new.clone()))
            .await,
    )
    .await;
    assert_eq!(
        (status, &body["code"]),
        (409, &json!("previous_round_open"))
    );
    close_2019(&convener).await;
    let bad = json!({"slug": "twenty twenty", "title": " "});
    let (status, body) = parts(convener.request(Method::POST, ROUNDS, Some(bad)).await).await;
    assert_eq!(status, 422);
    assert_eq!(body["fields"].as_array().map(Vec::len), Some(2));
    let (status, round) = parts(
        convener
            .request(Method::POST, ROUNDS, Some(new.clone()))
            .await,
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(round["phase"], "draft");
    assert_eq!(round["previous_round"], "2019");
    assert_eq!(round["clauses"].as_array().map(Vec::len), Some(9));
    let (status, body) = parts(convener.request(Method::POST, ROUNDS, Some(new)).await).await;
    assert_eq!((status, &body["code"]), (409, &json!("round_exists")));

    // Edit a clause, naming the 2019 comment that led to the change.
    let (_, comments_2019) = parts(app.get(&format!("{CLAUSE}/comments")).await).await;
    let comment_id = comments_2019["threads"][0]["id"]
        .as_i64()
        .expect("a demo comment");
    let clause = format!("{ROUNDS}/2020/clauses/protect-individuals");
    let (_, old) = parts(app.get(&clause).await).await;
    let body_md = format!(
        "{} Companies share this duty.",
        old["body_md"].as_str().expect("body")
    );
    let edit = json!({
        "title": "Protect individuals and infrastructure",
        "body_md": body_md,
        "change_note": "Companies hold much of the infrastructure.",
        "responds_to": [comment_id],
    });
    let (status, _) = parts(
        convener
            .request(Method::PUT, &clause, Some(edit.clone()))
            .await,
    )
    .await;
    assert_eq!(status, 200);
    let (_, edited) = parts(app.get(&clause).await).await;
    assert_eq!(edited["responds_to"], json!([comment_id]));
    assert_eq!(edited["previous_round"], "2019");
    let added: String = edited["redline"]
        .as_array()
        .expect("redline")
        .iter()
        .filter(|s| s["change"] == "added")
        .filter_map(|s| s["text"].as_str())
        .collect();
    assert!(added.contains("Companies"), "{added}");
    let wrong = json!({"title": "T", "body_md": "B", "responds_to": [999_999]});
    let (status, body) = parts(convener.request(Method::PUT, &clause, Some(wrong)).await).await;
    assert_eq!(
        (status, &body["fields"][0]["field"]),
        (422, &json!("responds_to"))
    );

    // Add, reorder and remove clauses.
    let new_clause =
        json!({"title": "Protect journalists", "body_md": "Journalists are protected."});
    let (status, round) = parts(
        convener
            .request(
                Method::POST,
                &format!("{ROUNDS}/2020/clauses"),
                Some(new_clause),
            )
            .await,
    )
    .await;
    assert_eq!(status, 201);
    let keys: Vec<String> = round["clauses"]
        .as_array()
        .expect("clauses")
        .iter()
        .filter_map(|c| c["key"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(keys.len(), 10);
    assert_eq!(keys[9], "protect-journalists");
    let mut reordered = keys.clone();
    reordered.rotate_right(1);
    let (status, round) = parts(
        convener
            .request(
                Method::PUT,
                &format!("{ROUNDS}/2020/order"),
                Some(json!({ "keys": reordered })),
            )
            .await,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(round["clauses"][0]["key"], "protect-journalists");
    assert_eq!(round["clauses"][0]["number"], 1);
    let (status, _) = parts(
        convener
            .request(
                Method::PUT,
                &format!("{ROUNDS}/2020/order"),
                Some(json!({ "keys": ["protect-journalists"] })),
            )
            .await,
    )
    .await;
    assert_eq!(status, 422, "every clause once");
    let (status, round) = parts(
        convener
            .request(
                Method::DELETE,
                &format!("{ROUNDS}/2020/clauses/protect-journalists"),
                None,
            )
            .await,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(round["clauses"].as_array().map(Vec::len), Some(9));
    assert_eq!(round["clauses"][0]["number"], 1, "numbering closes the gap");

    // Once commenting starts, the text is fixed.
    let commenting = json!({"phase": "commenting"});
    convener
        .request(
            Method::PUT,
            &format!("{ROUNDS}/2020/phase"),
            Some(commenting),
        )
        .await;
    let (status, body) = parts(convener.request(Method::PUT, &clause, Some(edit)).await).await;
    assert_eq!((status, &body["code"]), (409, &json!("phase_closed")));
    assert_recorded(
        &app,
        &[
            "round.opened",
            "clause.edited",
            "clause.added",
            "clause.removed",
            "clauses.reordered",
        ],
    )
    .await;
}

async fn phases_move_forward_and_back_until_the_round_closes(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let convener = app.new_convener(&admin, "paris-call", "chair").await;
    let phase = format!("{ROUNDS}/2019/phase");
    let to = async |p: &str| {
        parts(
            convener
                .request(Method::PUT, &phase, Some(json!({ "phase": p })))
                .await,
        )
        .await
    };

    assert_eq!(
        to("commenting").await.0,
        200,
        "back to comments before close"
    );
    app.sign_up("amina", "a long passphrase").await;
    app.join("civil_society").await;
    let (status, body) = parts(
        app.cast_position(CLAUSE, json!({"stance": "endorse"}))
            .await,
    )
    .await;
    assert_eq!((status, &body["code"]), (409, &json!("phase_closed")));
    assert_eq!(to("voting").await.0, 200);
    assert_eq!(
        to("voting").await.0,
        200,
        "the same phase again is harmless"
    );
    assert_eq!(to("closed").await.0, 200);
    let (status, body) = to("voting").await;
    assert_eq!((status, &body["code"]), (409, &json!("phase_move_refused")));
    let (status, body) = parts(app.post_comment(CLAUSE, json!({"body": "Too late?"})).await).await;
    assert_eq!((status, &body["code"]), (409, &json!("phase_closed")));
    assert_eq!(to("published").await.0, 200);
    let (status, _) = to("draft").await;
    assert_eq!(status, 409);
    let (status, _) = to("sometime").await;
    assert_eq!(status, 422);
}

async fn a_scheduled_round_moves_on_by_itself(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let convener = app.new_convener(&admin, "paris-call", "chair").await;
    close_2019(&convener).await;
    let new = json!({"slug": "2020", "title": "2020 review"});
    convener.request(Method::POST, ROUNDS, Some(new)).await;
    let schedule = format!("{ROUNDS}/2020/schedule");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_millis() as i64;
    let hour = 3_600_000;

    let past = json!({"voting_at_ms": now - hour});
    let (status, body) = parts(convener.request(Method::PUT, &schedule, Some(past)).await).await;
    assert_eq!(
        (status, &body["fields"][0]["code"]),
        (422, &json!("in_the_past"))
    );
    let order = json!({"voting_at_ms": now + 2 * hour, "closing_at_ms": now + hour});
    let (status, body) = parts(convener.request(Method::PUT, &schedule, Some(order)).await).await;
    assert_eq!(
        (status, &body["fields"][0]["code"]),
        (422, &json!("out_of_order"))
    );

    let plan = json!({"commenting_at_ms": now + hour, "voting_at_ms": now + 2 * hour});
    let (status, round) = parts(convener.request(Method::PUT, &schedule, Some(plan)).await).await;
    assert_eq!(status, 200);
    assert_eq!(round["phase"], "draft");
    assert_eq!(round["deadline"]["phase"], "commenting");

    // Two hours pass (the test moves the schedule back instead of waiting).
    app.execute(
        "UPDATE rounds SET commenting_at_ms = commenting_at_ms - $1, \
         voting_at_ms = voting_at_ms - $1 WHERE slug = '2020'",
        &[2 * hour + 1000],
    )
    .await;
    app.until_the_server_notices().await;
    let (_, round) = parts(app.get(&format!("{ROUNDS}/2020")).await).await;
    assert_eq!(round["phase"], "voting");
    assert_eq!(round["deadline"], Value::Null);
    app.sign_up("amina", "a long passphrase").await;
    app.join("civil_society").await;
    let clause_2020 = "/api/v1/consultations/paris-call/rounds/2020/clauses/protect-individuals";
    let (status, _) = parts(
        app.cast_position(clause_2020, json!({"stance": "endorse"}))
            .await,
    )
    .await;
    assert_eq!(status, 200, "the scheduled vote is open");

    // Moving back by hand drops the times already passed, so the move sticks.
    let back = json!({"phase": "commenting"});
    let (_, round) = parts(
        convener
            .request(Method::PUT, &format!("{ROUNDS}/2020/phase"), Some(back))
            .await,
    )
    .await;
    assert_eq!(round["phase"], "commenting");
    assert_eq!(round["schedule"]["voting_at_ms"], Value::Null);
}

async fn concurrent_changes_of_position_leave_counts_equal_to_a_recount(db: Db) {
    use rand::Rng;
    let app = spawn_app(db).await;
    let mut voters = Vec::new();
    for i in 0..200 {
        let voter = app.another_browser();
        voter
            .sign_up(&format!("voter-{i}"), "a long passphrase")
            .await;
        let group = ["civil_society", "government", "academia"][i % 3];
        voter.join(group).await;
        voters.push(voter);
    }
    let stances = ["endorse", "abstain", "oppose", "endorse_with_reservation"];
    let mut tasks = tokio::task::JoinSet::new();
    for voter in voters {
        tasks.spawn(async move {
            for _ in 0..3 {
                let stance = stances[rand::rng().random_range(0..stances.len())];
                let response = voter
                    .cast_position(CLAUSE, json!({"stance": stance, "reason": "Because."}))
                    .await;
                assert_eq!(response.status(), 200);
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("a voter finished");
    }

    // Recount from the history: each voter's last cast.
    let last_casts = app
        .strings(
            "SELECT h.stance || '/' || h.stakeholder_group FROM position_changes h \
             JOIN clauses k ON k.id = h.clause_id JOIN rounds r ON r.id = k.round_id \
             WHERE r.slug = '2019' AND k.key = 'protect-individuals' \
               AND h.id = (SELECT MAX(id) FROM position_changes l \
                           WHERE l.clause_id = h.clause_id AND l.account_id = h.account_id)",
        )
        .await;
    let (_, clause) = parts(app.get(CLAUSE).await).await;
    let results = &clause["results"];
    for stance in stances {
        let recount = last_casts
            .iter()
            .filter(|c| c.split('/').next() == Some(stance))
            .count();
        assert_eq!(results["total"][stance], json!(recount), "{stance}");
        for group in ["civil_society", "government", "academia"] {
            let recount = last_casts
                .iter()
                .filter(|c| **c == format!("{stance}/{group}"))
                .count();
            let counted = results["by_group"]
                .as_array()
                .expect("groups")
                .iter()
                .find(|g| g["group"] == group)
                .map_or(json!(0), |g| g["tally"][stance].clone());
            assert_eq!(counted, json!(recount), "{stance} in {group}");
        }
    }
}

/// Signs up `handle` on a fresh browser and states `group` in the demo consultation.
async fn participant(app: &TestApp, handle: &str, group: &str) -> TestApp {
    let client = app.another_browser();
    client.sign_up(handle, "a long passphrase").await;
    client.join(group).await;
    client
}

async fn a_closed_round_shows_houses_consensus_and_minority_statements_once_published(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let convener = app.new_convener(&admin, "paris-call", "chair").await;
    let rules = json!({"rule": "every_house", "abstentions_count": false});
    let (status, round) = parts(
        convener
            .request(Method::PUT, &format!("{ROUNDS}/2019/rules"), Some(rules))
            .await,
    )
    .await;
    assert_eq!((status, &round["rule"]), (200, &json!("every_house")));

    // Many government voices endorse; civil society, through its organisation, opposes.
    for i in 0..4 {
        let official = participant(&app, &format!("official-{i}"), "government").await;
        official
            .cast_position(CLAUSE, json!({"stance": "endorse"}))
            .await;
    }
    let activist = participant(&app, "activist", "civil_society").await;
    let new = json!({"name": "Digital Rights Lab", "stakeholder_group": "civil_society", "region": "Global"});
    activist
        .request(Method::POST, "/api/v1/organisations", Some(new))
        .await;
    admin
        .request(
            Method::PUT,
            "/api/v1/organisations/digital-rights-lab/representative",
            Some(json!({"handle": "activist"})),
        )
        .await;
    activist
        .cast_position(
            CLAUSE,
            json!({"stance": "oppose", "reason": "Surveillance loophole."}),
        )
        .await;
    let (_, clause) = parts(app.get(CLAUSE).await).await;
    assert_eq!(clause["chambered"]["rule"], "every_house");
    assert_eq!(
        clause["chambered"]["carried"], false,
        "civil society's house did not carry"
    );

    // Statements and consensus wait for the close; results wait for publication.
    let statement = format!("{CLAUSE}/minority-statement");
    let text = json!({"organisation": "digital-rights-lab", "body": "We oppose: it permits bulk collection."});
    let (status, body) = parts(
        activist
            .request(Method::PUT, &statement, Some(text.clone()))
            .await,
    )
    .await;
    assert_eq!((status, &body["code"]), (409, &json!("phase_closed")));
    close_2019(&convener).await;
    let consensus = format!("{ROUNDS}/2019/clauses/protect-individuals/consensus");
    let level = json!({"level": "strong_support"});
    assert_eq!(
        convener
            .request(Method::PUT, &consensus, Some(level))
            .await
            .status(),
        204
    );
    let (status, body) = parts(
        app.another_browser()
            .request(Method::PUT, &statement, Some(text.clone()))
            .await,
    )
    .await;
    assert_eq!(status, 401, "{body}");
    let official = app.another_browser();
    official.sign_in("official-0", "a long passphrase").await;
    let (status, body) = parts(
        official
            .request(Method::PUT, &statement, Some(text.clone()))
            .await,
    )
    .await;
    assert_eq!((status, &body["code"]), (403, &json!("not_representative")));
    let (status, statements) =
        parts(activist.request(Method::PUT, &statement, Some(text)).await).await;
    assert_eq!(status, 200);
    assert_eq!(statements[0]["organisation_name"], "Digital Rights Lab");

    let results = format!("{ROUNDS}/2019/results");
    let (status, body) = parts(app.another_browser().get(&results).await).await;
    assert_eq!((status, &body["code"]), (409, &json!("not_published")));
    let (status, _) = parts(convener.get(&results).await).await;
    assert_eq!(
        status, 200,
        "conveners prepare the results before publishing"
    );
    let publish = json!({"phase": "published"});
    convener
        .request(Method::PUT, &format!("{ROUNDS}/2019/phase"), Some(publish))
        .await;
    let (status, published) = parts(app.another_browser().get(&results).await).await;
    assert_eq!(status, 200);
    let first = &published["clauses"][0];
    assert_eq!(first["key"], "protect-individuals");
    assert_eq!(first["consensus"], "strong_support");
    assert_eq!(
        first["minority_statements"][0]["body"],
        "We oppose: it permits bulk collection."
    );
    let houses = first["chambered"]["houses"].as_array().expect("houses");
    let government = houses
        .iter()
        .find(|h| h["group"] == "government")
        .expect("government");
    assert_eq!(government["carried"], true);
    let civil = houses
        .iter()
        .find(|h| h["group"] == "civil_society")
        .expect("civil society");
    assert_eq!(civil["carried"], false);
    let level = json!({"level": "consensus"});
    let (status, _) = parts(convener.request(Method::PUT, &consensus, Some(level)).await).await;
    assert_eq!(status, 409, "nothing changes once published");
    assert_recorded(
        &app,
        &[
            "round.phase_moved",
            "clause.consensus_designated",
            "minority_statement.attached",
            "representative.named",
        ],
    )
    .await;
}

async fn a_round_counting_per_organisation_takes_the_representatives_position(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let convener = app.new_convener(&admin, "paris-call", "chair").await;
    close_2019(&convener).await;
    let new = json!({"slug": "2020", "title": "2020 review", "counting": "organisation"});
    let (status, round) = parts(convener.request(Method::POST, ROUNDS, Some(new)).await).await;
    assert_eq!((status, &round["counting"]), (201, &json!("organisation")));
    let voting = json!({"phase": "voting"});
    convener
        .request(Method::PUT, &format!("{ROUNDS}/2020/phase"), Some(voting))
        .await;
    let clause_2020 = "/api/v1/consultations/paris-call/rounds/2020/clauses/protect-individuals";

    // An organisation with a representative and a member, both speaking for it.
    let new = json!({"name": "Tech Workers Union", "stakeholder_group": "civil_society", "region": "Europe"});
    let representative = app.another_browser();
    representative.sign_up("rep", "a long passphrase").await;
    representative
        .request(Method::POST, "/api/v1/organisations", Some(new))
        .await;
    let member = app.another_browser();
    member.sign_up("member", "a long passphrase").await;
    member
        .request(
            Method::POST,
            "/api/v1/organisations/tech-workers-union/membership",
            None,
        )
        .await;
    admin
        .request(
            Method::PUT,
            "/api/v1/organisations/tech-workers-union/representative",
            Some(json!({"handle": "rep"})),
        )
        .await;
    let accepted = representative
        .request(
            Method::PUT,
            "/api/v1/organisations/tech-workers-union/members/member",
            None,
        )
        .await;
    assert_eq!(accepted.status(), 204);
    let speak_for =
        json!({"stakeholder_group": "civil_society", "organisation": "tech-workers-union"});
    for client in [&representative, &member] {
        let (status, _) = parts(
            client
                .request(
                    Method::PUT,
                    "/api/v1/consultations/paris-call/participation",
                    Some(speak_for.clone()),
                )
                .await,
        )
        .await;
        assert_eq!(status, 200);
    }

    let (status, body) = parts(
        member
            .cast_position(clause_2020, json!({"stance": "endorse"}))
            .await,
    )
    .await;
    assert_eq!((status, &body["code"]), (403, &json!("not_representative")));
    representative
        .cast_position(clause_2020, json!({"stance": "endorse"}))
        .await;
    representative
        .cast_position(clause_2020, json!({"stance": "abstain"}))
        .await;
    let (_, seen) = parts(member.get(clause_2020).await).await;
    assert_eq!(seen["my_position"]["stance"], "abstain", "members see it");
    assert_eq!(
        seen["results"]["total"]["abstain"], 1,
        "one position for the organisation"
    );
    assert_eq!(seen["results"]["total"]["endorse"], 0);
    let civil = seen["results"]["by_group"]
        .as_array()
        .expect("groups")
        .iter()
        .find(|g| g["group"] == "civil_society")
        .expect("counted in the organisation's group")
        .clone();
    assert_eq!(civil["tally"]["abstain"], 1);

    // Someone speaking for no organisation casts nothing in such a round.
    let loner = participant(&app, "loner", "academia").await;
    let (status, body) = parts(
        loner
            .cast_position(clause_2020, json!({"stance": "endorse"}))
            .await,
    )
    .await;
    assert_eq!((status, &body["code"]), (403, &json!("not_representative")));
}

/// Reads server-sent events from `response` until `wanted` holds for the text read so far.
async fn read_events_until(
    response: &mut reqwest::Response,
    wanted: impl Fn(&str) -> bool,
) -> String {
    let mut text = String::new();
    let reading = async {
        while !wanted(&text) {
            let chunk = response
                .chunk()
                .await
                .expect("read")
                .expect("the stream goes on");
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
    };
    // A guard against hanging, not a measure of speed.
    tokio::time::timeout(std::time::Duration::from_secs(20), reading)
        .await
        .unwrap_or_else(|_| panic!("no such event came; read so far: {text}"));
    text
}

async fn a_convener_watches_the_live_tally_from_any_server_process(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let convener = app.new_convener(&admin, "paris-call", "chair").await;
    // With PostgreSQL the watcher sits on another process than the voter; SQLite is one process.
    let other = match db {
        Db::Postgres => app.sibling().await,
        Db::Sqlite => app.another_browser(),
    };
    let watcher = convener.on(&other);
    let live = format!("{}{ROUNDS}/2019/live", watcher.address);

    let anonymous = reqwest::Client::new()
        .get(&live)
        .send()
        .await
        .expect("request");
    assert_eq!(anonymous.status(), 401);
    let mut stream = watcher.client.get(&live).send().await.expect("request");
    assert_eq!(stream.status(), 200);
    assert!(
        stream.headers()["content-type"]
            .to_str()
            .is_ok_and(|t| t.starts_with("text/event-stream"))
    );
    let first = read_events_until(&mut stream, |t| t.matches("event: tally").count() >= 9).await;
    assert!(
        first.contains(r#""clause":"protect-individuals""#),
        "{first}"
    );

    let voter = participant(&app, "amina", "civil_society").await;
    let reads = (app.store.tally_reads(), watcher.store.tally_reads());
    let (status, cast) = parts(
        voter
            .cast_position(
                CLAUSE,
                json!({"stance": "oppose", "reason": "Surveillance."}),
            )
            .await,
    )
    .await;
    assert_eq!(status, 200, "{cast}");
    assert_eq!(cast["tally"]["oppose"], 1, "{cast}");
    let after = read_events_until(&mut stream, |t| {
        t.lines().any(|l| {
            l.starts_with("data:")
                && l.contains(r#""clause":"protect-individuals""#)
                && l.contains(r#""oppose":1"#)
        })
    })
    .await;
    assert!(after.contains("event: tally"));
    // The write counted the clause once; the answer and every watcher reused those counts.
    let read = (
        app.store.tally_reads() - reads.0,
        watcher.store.tally_reads() - reads.1,
    );
    match db {
        Db::Sqlite => assert_eq!(read, (1, 1), "one process, one store"),
        Db::Postgres => assert_eq!(read, (1, 0), "the watcher's process read nothing"),
    }
}

async fn a_live_tally_ends_with_the_session_or_the_role_that_opened_it(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    // With PostgreSQL the stream sits on another process than the change that ends it.
    let other = match db {
        Db::Postgres => app.sibling().await,
        Db::Sqlite => app.another_browser(),
    };
    let voter = participant(&app, "amina", "civil_society").await;
    let stances = [
        json!({"stance": "oppose", "reason": "Surveillance."}),
        json!({"stance": "endorse"}),
    ];
    for (ending, stance) in ["no longer a convener", "signed out"]
        .into_iter()
        .zip(stances)
    {
        let handle = if ending == "signed out" {
            "chair-b"
        } else {
            "chair-a"
        };
        let convener = app.new_convener(&admin, "paris-call", handle).await;
        let watcher = convener.on(&other);
        let live = format!("{}{ROUNDS}/2019/live", watcher.address);
        let mut stream = watcher.client.get(&live).send().await.expect("request");
        read_events_until(&mut stream, |t| t.matches("event: tally").count() >= 9).await;
        if ending == "signed out" {
            convener.sign_out().await;
        } else {
            let removed = admin
                .request(
                    Method::DELETE,
                    &format!("/api/v1/consultations/paris-call/conveners/{handle}"),
                    None,
                )
                .await;
            assert_eq!(removed.status(), 204);
        }
        app.until_the_server_notices().await;
        voter.cast_position(CLAUSE, stance).await;
        // The stream ends, and the change that came after is not in it.
        let mut rest = String::new();
        let ended = tokio::time::timeout(std::time::Duration::from_secs(20), async {
            while let Ok(Some(chunk)) = stream.chunk().await {
                rest.push_str(&String::from_utf8_lossy(&chunk));
            }
        })
        .await;
        assert!(ended.is_ok(), "{ending}: the stream went on: {rest}");
        assert!(!rest.contains("event: tally"), "{ending}: {rest}");
    }
}

async fn the_dashboard_follows_each_group_from_invitation_to_positions(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let convener = app.new_convener(&admin, "paris-call", "chair").await;
    let dashboard = "/api/v1/consultations/paris-call/dashboard";
    let (_, before) = parts(convener.get(dashboard).await).await;
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
    let (_, after) = parts(convener.get(dashboard).await).await;
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
    let (status, body) = parts(app.another_browser().get(dashboard).await).await;
    assert_eq!((status, &body["code"]), (401, &json!("not_signed_in")));
}

async fn a_refused_cast_does_not_undo_the_casts_written_with_it(db: Db) {
    let app = spawn_app(db).await;
    let mut voters = Vec::new();
    for i in 0..40 {
        let voter = app.another_browser();
        voter
            .sign_up(&format!("voter-{i}"), "a long passphrase")
            .await;
        // Every other voter has not said in which group they take part, so theirs is refused.
        if i % 2 == 0 {
            voter.join("academia").await;
        }
        voters.push(voter);
    }
    let mut tasks = tokio::task::JoinSet::new();
    for (i, voter) in voters.into_iter().enumerate() {
        tasks.spawn(async move {
            let status = voter
                .cast_position(CLAUSE, json!({"stance": "oppose", "reason": "Vague."}))
                .await
                .status()
                .as_u16();
            (i, status)
        });
    }
    while let Some(done) = tasks.join_next().await {
        let (i, status) = done.expect("a voter finished");
        assert_eq!(status, if i % 2 == 0 { 200 } else { 409 }, "voter {i}");
    }
    let (_, clause) = parts(app.get(CLAUSE).await).await;
    assert_eq!(clause["results"]["total"]["oppose"], 20);
}

async fn a_round_reads_as_one_redline_against_the_previous(db: Db) {
    let app = spawn_app(db).await;
    let (status, redline) = parts(app.get(&format!("{ROUNDS}/2019/redline")).await).await;
    assert_eq!(status, 200);
    assert_eq!(redline["previous_round"], "2018");
    let clauses = redline["clauses"].as_array().expect("clauses");
    assert_eq!(clauses.len(), 9);
    assert!(
        clauses.iter().any(|c| c["fate"] == "changed"),
        "the demo reworded 2019: {redline}"
    );
    let (_, first) = parts(app.get(&format!("{ROUNDS}/2018/redline")).await).await;
    assert_eq!(first["previous_round"], Value::Null);
    assert!(
        first["clauses"]
            .as_array()
            .expect("clauses")
            .iter()
            .all(|c| c["fate"] == "added")
    );
}
