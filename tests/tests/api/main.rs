//! API tests: each runs twice, against SQLite and against PostgreSQL, each time on its own server
//! and its own database. They are filed by resource, as the routes are (one file each), with the
//! HTTP contract every operation keeps in `contract.rs`; this file lists them all once and holds
//! the few helpers many files use.

use serde_json::json;
use tests::{Db, TestApp, parts};

mod account;
mod comments;
mod consultations;
mod contract;
mod conveners;
mod following;
mod invitations;
mod languages;
mod operations;
mod organisations;
mod passkeys;
mod positions;
mod records;
mod reminders;
mod rounds;
mod session;
mod setup;
mod two_factor;
use account::*;
use comments::*;
use consultations::*;
use contract::*;
use conveners::*;
use following::*;
use invitations::*;
use languages::*;
use operations::*;
use organisations::*;
use passkeys::*;
use positions::*;
use records::*;
use reminders::*;
use rounds::*;
use session::*;
use setup::*;
use two_factor::*;

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
    a_participant_verifies_an_address_and_gets_each_reminder_once_in_their_language,
    a_header_injection_through_any_text_reaches_no_header,
    a_refusing_or_absent_smtp_server_leaves_mail_queued_until_it_returns,
    two_server_processes_send_each_reminder_once,
    a_server_without_smtp_offers_no_email_and_queues_nothing,
    nobody_turns_verification_links_against_an_inbox,
    anyone_follows_a_consultation_through_its_feed_with_no_account,
    a_rounds_feed_counts_each_days_new_comments_without_their_words,
    an_invitation_only_consultation_is_followed_as_it_is_read,
    a_calendar_follows_the_schedule_as_it_moves,
    a_newcomer_adds_a_passkey_and_signs_in_with_it_and_no_password,
    bad_passkey_answers_are_refused_and_change_nothing,
    an_administrator_acts_with_only_a_passkey_and_keeps_a_factor,
    a_consultation_can_ask_its_conveners_for_a_passkey,
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

/// Closes the demo's 2019 round as `convener`.
pub(crate) async fn close_2019(convener: &TestApp) {
    let (status, round) = parts(
        convener
            .move_phase("paris-call", "2019", json!({"phase": "closed"}))
            .await,
    )
    .await;
    assert_eq!((status, &round["phase"]), (200, &json!("closed")));
}

async fn close_2019_like(convener: &TestApp, round: &str) {
    let closed = json!({"phase": "closed"});
    let response = convener.move_phase("paris-call", &round, closed).await;
    assert_eq!(response.status(), 200);
}

/// Signs up `handle` on a fresh browser and states `group` in the demo consultation.
async fn participant(app: &TestApp, handle: &str, group: &str) -> TestApp {
    let client = app.another_browser();
    client.sign_up(handle, "a long passphrase").await;
    client.join(group).await;
    client
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

/// The names of the broken fields of a 422 body, in order.
fn field_names(body: &serde_json::Value) -> Vec<&str> {
    body["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect()
}
