//! The translation layer. Every string a person reads comes from the catalogues in
//! `frontend/locales/{lang}.json`, which `build.rs` compiles into the `i18n` module with
//! leptos_i18n: keys are checked at compile time and nothing is fetched at run time. Views use
//! `tr!(i18n, key)`; the helpers here name the domain's values (phases, stances) and explain API
//! errors in the reader's language.
//!
//! The language is picked from the browser's preferences, switchable on every page, remembered in
//! this browser's local storage (never sent to the server), and mirrored on `<html lang dir>`.
//! [`I18n`] holds it; the catalogues' texts are looked up with `td_string!(i18n.get_locale(), key)`
//! (leptos_i18n's own context would bring a second language negotiation, with its locale parser,
//! into the first download).

// The generated module is called `i18n`, like this one.
#![allow(clippy::module_inception)]

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

pub use i18n::*;
use leptos::prelude::*;
use leptos_i18n::Locale as _;
use shared::{
    ApiError, ErrorCode, FieldError, InvitationStatus, Language, Phase, StakeholderGroup, Stance,
    Verdict,
};

const STORAGE_KEY: &str = "concord.locale";

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn locale_named(tag: &str) -> Option<Locale> {
    Locale::get_all()
        .iter()
        .copied()
        .find(|l| l.as_str() == tag)
}

/// The language this browser chose before, if any.
fn remembered_locale() -> Option<Locale> {
    locale_named(&local_storage()?.get_item(STORAGE_KEY).ok()??)
}

/// The first of the browser's preferred languages ("fr-CA", "ar") that the catalogues have.
fn preferred_locale() -> Option<Locale> {
    let languages = web_sys::window()?.navigator().languages();
    languages
        .iter()
        .filter_map(|tag| tag.as_string())
        .find_map(|tag| {
            let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
            locale_named(&primary)
        })
}

/// The reader's language, which every text follows.
#[derive(Clone, Copy)]
pub struct I18n(RwSignal<Locale>);

impl I18n {
    /// The language, followed by the calling effect or view.
    pub fn get_locale(self) -> Locale {
        self.0.get()
    }

    /// The language, without following it.
    pub fn get_locale_untracked(self) -> Locale {
        self.0.get_untracked()
    }

    /// Switches the interface to `locale` and remembers the choice in this browser.
    pub fn set_locale(self, locale: Locale) {
        self.0.set(locale);
        if let Some(storage) = local_storage() {
            // Without storage (private mode, disabled) the choice lasts for this visit only.
            let _ = storage.set_item(STORAGE_KEY, locale.as_str());
        }
    }
}

/// Provides the reader's language to every page: the one chosen before in this browser, else the
/// browser's preference, else English; and keeps `<html lang dir>` in step with it.
pub fn provide_i18n() {
    let initial = remembered_locale()
        .or_else(preferred_locale)
        .unwrap_or_default();
    let i18n = I18n(RwSignal::new(initial));
    provide_context(i18n);
    Effect::new(move |_| {
        let locale = i18n.get_locale();
        if let Some(html) = document().document_element() {
            let _ = html.set_attribute("lang", locale.as_str());
            let _ = html.set_attribute("dir", locale.direction().as_str());
            // The words of the last-resort notice in index.html, should the page stop.
            let _ = html.set_attribute("data-stopped", td_string!(locale, page_stopped));
            let _ = html.set_attribute("data-reload", td_string!(locale, reload_page));
        }
    });
}

/// The reader's language (see [`provide_i18n`]).
pub fn use_i18n() -> I18n {
    expect_context()
}

/// The text of a key in the reader's language, following it when it changes: what `t!` gives,
/// but one closure type for every key, so the wasm holds one copy of the code that renders and
/// updates it rather than one per key (about 280 places). Written `tr!(i18n, key)`.
pub fn text(
    i18n: I18n,
    key: fn(Locale) -> &'static str,
) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    move || key(i18n.get_locale())
}

/// `tr!(i18n, key)` as one type for every key (see [`text`]).
macro_rules! tr {
    ($i18n:expr, $key:ident) => {
        $crate::i18n::text($i18n, |locale| leptos_i18n::td_string!(locale, $key))
    };
}
pub(crate) use tr;

/// The language of the interface in `locale`, as the API names it.
pub fn language_of(locale: Locale) -> Language {
    Language::parse(locale.as_str()).unwrap_or(Language::En)
}

/// The interface's locale for `language`.
pub fn locale_of(language: Language) -> Locale {
    Locale::get_all()
        .iter()
        .copied()
        .find(|l| l.as_str() == language.as_str())
        .unwrap_or_default()
}

/// A consultation's title in the reader's language when it has one, else its main title.
pub fn local_title(locale: Locale, titles: &[shared::LocalTitle], main: &str) -> String {
    titles
        .iter()
        .find(|t| t.language.as_str() == locale.as_str())
        .map_or_else(|| main.to_owned(), |t| t.title.clone())
}

/// A language's name in itself, as a language menu shows it.
pub fn language_name(language: Language) -> &'static str {
    let locale = locale_of(language);
    td_string!(locale, language_name)
}

/// The name of a phase in `locale`.
pub fn phase_name(locale: Locale, phase: Phase) -> &'static str {
    match phase {
        Phase::Draft => td_string!(locale, phase_draft),
        Phase::Commenting => td_string!(locale, phase_commenting),
        Phase::Voting => td_string!(locale, phase_voting),
        Phase::Closed => td_string!(locale, phase_closed),
        Phase::Published => td_string!(locale, phase_published),
    }
}

/// The name of a stance in `locale`.
pub fn stance_name(locale: Locale, stance: Stance) -> &'static str {
    match stance {
        Stance::Endorse => td_string!(locale, stance_endorse),
        Stance::EndorseWithReservation => td_string!(locale, stance_endorse_with_reservation),
        Stance::Oppose => td_string!(locale, stance_oppose),
        Stance::Abstain => td_string!(locale, stance_abstain),
    }
}

/// The name of a convener's verdict on a comment in `locale`.
pub fn verdict_name(locale: Locale, verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Noted => td_string!(locale, verdict_noted),
        Verdict::Accepted => td_string!(locale, verdict_accepted),
        Verdict::PartlyAccepted => td_string!(locale, verdict_partly_accepted),
        Verdict::NotAccepted => td_string!(locale, verdict_not_accepted),
    }
}

/// The name of a stakeholder group in `locale`.
pub fn group_name(locale: Locale, group: StakeholderGroup) -> &'static str {
    match group {
        StakeholderGroup::CivilSociety => td_string!(locale, group_civil_society),
        StakeholderGroup::PrivateSector => td_string!(locale, group_private_sector),
        StakeholderGroup::Government => td_string!(locale, group_government),
        StakeholderGroup::Academia => td_string!(locale, group_academia),
        StakeholderGroup::TechnicalCommunity => td_string!(locale, group_technical_community),
        StakeholderGroup::Intergovernmental => td_string!(locale, group_intergovernmental),
    }
}

/// When the round moves on next: "Voting opens on <date>".
pub fn deadline_text(locale: Locale, change: shared::PhaseChange) -> String {
    let when = format_date(locale, change.at_ms);
    match change.phase {
        Phase::Commenting => td_display!(locale, deadline_commenting, when = when).to_string(),
        Phase::Voting => td_display!(locale, deadline_voting, when = when).to_string(),
        _ => td_display!(locale, deadline_closing, when = when).to_string(),
    }
}

/// "Changes since the 2019 round".
pub fn changes_since(locale: Locale, round: &str) -> String {
    td_display!(locale, changes_since, round = round).to_string()
}

/// "This clause in the 2019 round, with its comments and positions".
pub fn previous_round_link(locale: Locale, round: &str) -> String {
    td_display!(locale, previous_round_link, round = round).to_string()
}

/// "Under the rule …, this clause carried" (or did not).
pub fn outcome_text(locale: Locale, rule: shared::Rule, carried: bool) -> &'static str {
    match (rule, carried) {
        (shared::Rule::Majority, true) => td_string!(locale, outcome_majority_carried),
        (shared::Rule::Majority, false) => td_string!(locale, outcome_majority_not_carried),
        (shared::Rule::EveryHouse, true) => td_string!(locale, outcome_houses_carried),
        (shared::Rule::EveryHouse, false) => td_string!(locale, outcome_houses_not_carried),
    }
}

/// A house's verdict: carried, did not carry, or no positions.
pub fn house_verdict(locale: Locale, carried: Option<bool>) -> &'static str {
    match carried {
        Some(true) => td_string!(locale, house_carried),
        Some(false) => td_string!(locale, house_not_carried),
        None => td_string!(locale, house_no_positions),
    }
}

/// The name of a consensus level.
pub fn consensus_name(locale: Locale, level: shared::ConsensusLevel) -> &'static str {
    match level {
        shared::ConsensusLevel::FullConsensus => td_string!(locale, consensus_full),
        shared::ConsensusLevel::Consensus => td_string!(locale, consensus_consensus),
        shared::ConsensusLevel::StrongSupport => td_string!(locale, consensus_strong_support),
        shared::ConsensusLevel::Divergence => td_string!(locale, consensus_divergence),
    }
}

/// The accessible name of the chart of positions.
pub fn chart_label_positions(locale: Locale) -> String {
    td_string!(locale, chart_positions).to_owned()
}

/// The accessible name of the chart by stakeholder group.
pub fn chart_label_groups(locale: Locale) -> String {
    td_string!(locale, chart_groups).to_owned()
}

/// "Participation per phase of the 2020 round".
pub fn activity_caption(locale: Locale, round: &str) -> String {
    td_display!(locale, activity_caption, round = round).to_string()
}

/// "Read the whole text with its changes since 2019".
pub fn whole_text_changes(locale: Locale, round: &str) -> String {
    td_display!(locale, whole_text_changes, round = round).to_string()
}

/// How a clause fared since the previous round.
pub fn fate_name(locale: Locale, fate: shared::ClauseFate) -> &'static str {
    match fate {
        shared::ClauseFate::Added => td_string!(locale, fate_added),
        shared::ClauseFate::Changed => td_string!(locale, fate_changed),
        shared::ClauseFate::Unchanged => td_string!(locale, fate_unchanged),
        shared::ClauseFate::Removed => td_string!(locale, fate_removed),
    }
}

/// The label of the button that moves a round to `to`.
pub fn move_label(locale: Locale, to: Phase) -> &'static str {
    match to {
        Phase::Draft => td_string!(locale, move_to_draft),
        Phase::Commenting => td_string!(locale, move_to_commenting),
        Phase::Voting => td_string!(locale, move_to_voting),
        Phase::Closed => td_string!(locale, move_to_closed),
        Phase::Published => td_string!(locale, move_to_published),
    }
}

/// The question asked before moving a round to `to`.
pub fn move_question(locale: Locale, to: Phase) -> String {
    let phase = phase_name(locale, to);
    let consequence = match to {
        Phase::Closed => td_string!(locale, closing_is_final),
        Phase::Published => td_string!(locale, publishing_is_final),
        _ => "",
    };
    td_display!(
        locale,
        move_question,
        phase = phase,
        consequence = consequence
    )
    .to_string()
}

/// The label of the scheduled time at which a round enters `phase`.
pub fn schedule_label(locale: Locale, phase: Phase) -> &'static str {
    match phase {
        Phase::Commenting => td_string!(locale, schedule_commenting),
        Phase::Voting => td_string!(locale, schedule_voting),
        _ => td_string!(locale, schedule_closing),
    }
}

/// "Not stated", for positions whose group or region was not recorded.
pub fn not_stated(locale: Locale) -> &'static str {
    td_string!(locale, not_stated)
}

/// The name of an invitation's status in `locale`.
pub fn invitation_status_name(locale: Locale, status: InvitationStatus) -> &'static str {
    match status {
        InvitationStatus::Sent => td_string!(locale, status_sent),
        InvitationStatus::Accepted => td_string!(locale, status_accepted),
        InvitationStatus::Expired => td_string!(locale, status_expired),
        InvitationStatus::Revoked => td_string!(locale, status_revoked),
    }
}

/// "Its name looks like <name>": a warning on an organisation's card.
pub fn looks_like(locale: Locale, name: &str) -> String {
    td_display!(locale, looks_like, name = name).to_string()
}

/// The question asked before verifying an organisation whose name looks like `name`.
pub fn verify_lookalike(locale: Locale, name: &str) -> String {
    td_display!(locale, verify_lookalike, name = name).to_string()
}

/// "<handle> asks to join <organisation>".
pub fn request_line(locale: Locale, handle: &str, organisation: &str) -> String {
    td_display!(
        locale,
        request_line,
        handle = handle,
        organisation = organisation
    )
    .to_string()
}

/// The six forms a counted word takes in some language (Arabic uses them all, English two):
/// zero, one, two, few, many and other.
type PluralForms = [fn(Locale, u64) -> String; 6];

/// `count` with its word in the form `locale`'s plural rules ask for. The rules are the
/// browser's own (`Intl.PluralRules`), so none have to be downloaded with the application.
fn counted(locale: Locale, count: u64, forms: PluralForms) -> String {
    let locales = js_sys::Array::of1(&locale.as_str().into());
    let rules = js_sys::Intl::PluralRules::new(&locales, &js_sys::Object::new());
    let form = match String::from(rules.select(count as f64)).as_str() {
        "zero" => 0,
        "one" => 1,
        "two" => 2,
        "few" => 3,
        "many" => 4,
        _ => 5,
    };
    forms[form](locale, count)
}

/// "N comments", with the language's plural rules.
pub fn comment_count(locale: Locale, count: u64) -> String {
    counted(
        locale,
        count,
        [
            |l, count| td_display!(l, comment_count_zero_form, count = count).to_string(),
            |l, count| td_display!(l, comment_count_one_form, count = count).to_string(),
            |l, count| td_display!(l, comment_count_two_form, count = count).to_string(),
            |l, count| td_display!(l, comment_count_few_form, count = count).to_string(),
            |l, count| td_display!(l, comment_count_many_form, count = count).to_string(),
            |l, count| td_display!(l, comment_count_other_form, count = count).to_string(),
        ],
    )
}

/// "N positions", with the language's plural rules.
pub fn position_count(locale: Locale, count: u64) -> String {
    counted(
        locale,
        count,
        [
            |l, count| td_display!(l, position_count_zero_form, count = count).to_string(),
            |l, count| td_display!(l, position_count_one_form, count = count).to_string(),
            |l, count| td_display!(l, position_count_two_form, count = count).to_string(),
            |l, count| td_display!(l, position_count_few_form, count = count).to_string(),
            |l, count| td_display!(l, position_count_many_form, count = count).to_string(),
            |l, count| td_display!(l, position_count_other_form, count = count).to_string(),
        ],
    )
}

/// `n` as the interface's language writes numbers (5,000; 5 000; 5.000; ٥٬٠٠٠).
pub fn number(locale: Locale, n: usize) -> String {
    #[allow(clippy::cast_precision_loss)] // a count of characters fits a double exactly
    let n = n as f64;
    let format = js_sys::Intl::NumberFormat::new(
        &js_sys::Array::of1(&locale.as_str().into()),
        &js_sys::Object::new(),
    );
    format
        .format()
        .call1(&wasm_bindgen::JsValue::UNDEFINED, &n.into())
        .ok()
        .and_then(|text| text.as_string())
        .unwrap_or_else(|| n.to_string())
}

/// "1 comment, 0 answered by the conveners".
pub fn comments_answered(locale: Locale, total: u64, answered: u64) -> String {
    let comments = comment_count(locale, total);
    td_string!(
        locale,
        comments_answered,
        comments = comments,
        answered = answered
    )
    .to_string()
}

/// "Signed in <date> · last active <date>".
pub fn session_line(locale: Locale, started: &str, seen: &str) -> String {
    td_display!(locale, session_line, started = started, seen = seen).to_string()
}

/// Why a passkey's answer was refused (the `credential` field's code), in `locale`.
fn passkey_problem(locale: Locale, err: &ApiError) -> &'static str {
    match err.fields.first().map(|f| f.code.as_str()) {
        Some("another_site") => td_string!(locale, passkey_problem_another_site),
        Some("another_request") => td_string!(locale, passkey_problem_another_request),
        Some("counter") => td_string!(locale, passkey_problem_counter),
        Some("unverified") => td_string!(locale, passkey_problem_unverified),
        Some("not_registered") => td_string!(locale, passkey_problem_not_registered),
        Some("no_passkey") => td_string!(locale, passkey_problem_no_passkey),
        _ => td_string!(locale, error_passkey_refused),
    }
}

/// When a passkey was added and last used, in `locale`.
pub fn passkey_line(locale: Locale, added_ms: i64, used_ms: Option<i64>) -> String {
    let added = format_date(locale, added_ms);
    let used = used_ms.map_or_else(
        || td_string!(locale, passkey_never_used).to_owned(),
        |ms| format_date(locale, ms),
    );
    td_display!(locale, passkey_line, added = added, used = used).to_string()
}

/// The label of a button removing the passkey named `name`, in `locale`.
pub fn remove_passkey_named(locale: Locale, name: &str) -> String {
    td_display!(locale, remove_passkey_named, name = name).to_string()
}

/// A security event's action (`passkey.added`, …) in `locale`.
pub fn security_event(locale: Locale, action: &str) -> &'static str {
    match action {
        "account.created" => td_string!(locale, event_account_created),
        "passkey.added" => td_string!(locale, event_passkey_added),
        "passkey.removed" => td_string!(locale, event_passkey_removed),
        "totp.enabled" => td_string!(locale, event_totp_enabled),
        "totp.disabled" => td_string!(locale, event_totp_disabled),
        "account.second_factor_locked" => td_string!(locale, event_second_factor_locked),
        _ => td_string!(locale, event_other),
    }
}

/// A moment as the reader writes dates: in the browser's own locale when it speaks the
/// interface's language (`en-GB` for a British reader of the English interface: 6 Dec 2026,
/// 18:58), else in the interface's, through `Intl.DateTimeFormat`.
pub fn format_date(locale: Locale, ms: i64) -> String {
    let language = locale.as_str();
    let tag = window()
        .navigator()
        .languages()
        .iter()
        .filter_map(|l| l.as_string())
        .find(|l| l == language || l.starts_with(&format!("{language}-")))
        .unwrap_or_else(|| language.to_owned());
    let options = js_sys::Object::new();
    for (name, value) in [("dateStyle", "medium"), ("timeStyle", "short")] {
        let _ = js_sys::Reflect::set(&options, &name.into(), &value.into());
    }
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::of1(&tag.into()), &options);
    #[allow(clippy::cast_precision_loss)] // milliseconds since 1970 fit a double exactly
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format
        .format()
        .call1(&wasm_bindgen::JsValue::UNDEFINED, &date)
        .ok()
        .and_then(|text| text.as_string())
        .unwrap_or_default()
}

/// A sentence explaining an API error in `locale` (the server's own message when the code has
/// no translation).
pub fn error_text(locale: Locale, err: &ApiError) -> String {
    let text = match err.code {
        ErrorCode::NotFound => td_string!(locale, error_not_found),
        ErrorCode::NotSignedIn => td_string!(locale, error_not_signed_in),
        ErrorCode::InvalidCredentials => td_string!(locale, error_invalid_credentials),
        ErrorCode::TooManyAttempts => td_string!(locale, error_too_many_attempts),
        ErrorCode::CrossSiteRequest => td_string!(locale, error_cross_site_request),
        ErrorCode::TwoFactorAlreadyOn => td_string!(locale, error_two_factor_already_on),
        ErrorCode::TwoFactorNotStarted => td_string!(locale, error_two_factor_not_started),
        ErrorCode::Forbidden => td_string!(locale, error_forbidden),
        ErrorCode::TwoFactorRequired => td_string!(locale, error_two_factor_required),
        ErrorCode::OrganisationExists => td_string!(locale, error_organisation_exists),
        ErrorCode::HandleTaken => td_string!(locale, error_handle_taken),
        ErrorCode::PhaseClosed => td_string!(locale, error_phase_closed),
        ErrorCode::NotInvited => td_string!(locale, error_not_invited),
        ErrorCode::InvitationUsed => td_string!(locale, error_invitation_used),
        ErrorCode::InvitationExpired => td_string!(locale, error_invitation_expired),
        ErrorCode::InvitationRevoked => td_string!(locale, error_invitation_revoked),
        ErrorCode::RoundExists => td_string!(locale, error_round_exists),
        ErrorCode::PreviousRoundOpen => td_string!(locale, error_previous_round_open),
        ErrorCode::PhaseMoveRefused => td_string!(locale, error_phase_move_refused),
        ErrorCode::GroupRequired => td_string!(locale, error_group_required),
        ErrorCode::NotAuthor => td_string!(locale, error_not_author),
        ErrorCode::CommentHidden => td_string!(locale, error_comment_hidden),
        ErrorCode::AlreadyFlagged => td_string!(locale, error_already_flagged),
        ErrorCode::OwnComment => td_string!(locale, error_own_comment),
        ErrorCode::NotRepresentative => td_string!(locale, error_not_representative),
        ErrorCode::NotPublished => td_string!(locale, error_not_published),
        ErrorCode::ValidationFailed => td_string!(locale, fix_fields),
        ErrorCode::Unavailable => td_string!(locale, error_unavailable),
        ErrorCode::PayloadTooLarge => td_string!(locale, error_payload_too_large),
        ErrorCode::Internal => td_string!(locale, error_internal),
        ErrorCode::PasskeyRefused => passkey_problem(locale, err),
        ErrorCode::CeremonyExpired => td_string!(locale, error_ceremony_expired),
        ErrorCode::PasskeysUnavailable => td_string!(locale, error_passkeys_unavailable),
        ErrorCode::LastFactor => td_string!(locale, error_last_factor),
        ErrorCode::PasskeyRequired => td_string!(locale, error_passkey_required),
        ErrorCode::PasskeyTaken => td_string!(locale, error_passkey_taken),
        ErrorCode::EmailUnavailable => td_string!(locale, error_email_unavailable),
        ErrorCode::LinkUsed => td_string!(locale, error_link_used),
        ErrorCode::LinkExpired => td_string!(locale, error_link_expired),
        _ => return err.message.clone(),
    };
    text.to_owned()
}

/// A sentence explaining a broken field rule in `locale`.
pub fn field_error_text(locale: Locale, err: &FieldError) -> String {
    let text = match (err.field.as_str(), err.code.as_str()) {
        ("body", "required") => td_string!(locale, field_body_required),
        ("handle", "required") => td_string!(locale, field_handle_required),
        ("handle", "too_short") => td_string!(locale, field_handle_too_short),
        ("handle", "too_long") => td_string!(locale, field_handle_too_long),
        ("handle", "invalid_characters") => td_string!(locale, field_handle_invalid_characters),
        ("handle", "taken") => td_string!(locale, field_handle_taken),
        ("password" | "new_password", "too_short") => td_string!(locale, field_password_too_short),
        ("password" | "new_password", "too_long") => td_string!(locale, field_password_too_long),
        ("password" | "new_password", "too_common") => {
            td_string!(locale, field_password_too_common)
        }
        ("current_password", "wrong") => td_string!(locale, field_current_password_wrong),
        ("password", "wrong") => td_string!(locale, field_password_wrong),
        ("code", "wrong") => td_string!(locale, field_code_wrong),
        ("name", "required") => td_string!(locale, field_name_required),
        ("name", "taken") => td_string!(locale, field_name_taken),
        ("name", "invalid_characters") => td_string!(locale, field_name_invalid_characters),
        ("region", "required") => td_string!(locale, field_region_required),
        ("valid_days", "out_of_range") => td_string!(locale, field_valid_days_out_of_range),
        ("organisation", "unknown") => td_string!(locale, field_organisation_unknown),
        ("convener_handle", "unknown") => td_string!(locale, field_convener_unknown),
        ("slug", "taken") => td_string!(locale, field_round_slug_taken),
        ("slug", "invalid_characters") => td_string!(locale, field_round_slug_invalid),
        ("slug" | "consultation_slug", "length") => {
            td_string!(locale, field_consultation_slug_length)
        }
        ("slug" | "consultation_slug", "reserved") => td_string!(locale, field_slug_reserved),
        ("consultation_slug", "invalid_characters") => {
            td_string!(locale, field_consultation_slug_invalid)
        }
        (f, "invalid_characters") if f.ends_with(".key") => td_string!(locale, field_key_invalid),
        (f, "duplicate") if f.ends_with(".key") => td_string!(locale, field_key_duplicate),
        (f, "reserved") if f.ends_with(".key") => td_string!(locale, field_key_reserved),
        (f, "duplicate") if f.starts_with("regions") => td_string!(locale, field_duplicate_region),
        (f, "duplicate") if f.starts_with("titles") => {
            td_string!(locale, field_title_language_duplicate)
        }
        (_, "control_characters") => td_string!(locale, field_control_characters),
        (_, "too_many") => td_string!(locale, field_too_many),
        (_, "not_taking_part") => td_string!(locale, field_not_taking_part),
        (_, "unknown_region") => td_string!(locale, field_unknown_region),
        (_, "in_the_past") => td_string!(locale, field_in_the_past),
        (_, "out_of_order") => td_string!(locale, field_out_of_order),
        (_, "reached") => td_string!(locale, field_phase_reached),
        ("responds_to", "unknown_comment") => td_string!(locale, field_unknown_comment),
        ("passkey_name", "required") => td_string!(locale, field_passkey_name_required),
        (_, "required") => td_string!(locale, field_required),
        (_, "not_member") => td_string!(locale, field_not_member),
        ("organisation", "other_group") => td_string!(locale, field_other_group),
        ("organisation", "did_not_object") => td_string!(locale, field_did_not_object),
        (_, "too_long") => td_string!(locale, field_too_long),
        _ => return err.message.clone(),
    };
    text.to_owned()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    fn keys(lang: &str) -> BTreeSet<String> {
        let path = format!("{}/locales/{lang}.json", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).expect("catalogue");
        let map: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&text).expect("a JSON object");
        map.into_iter()
            .inspect(|(k, v)| {
                assert!(
                    v.as_str().is_some_and(|s| !s.trim().is_empty()),
                    "{lang}: {k} is empty"
                )
            })
            .map(|(k, _)| k)
            .collect()
    }

    #[test]
    fn every_language_has_every_key() {
        use leptos_i18n::Locale as _;
        let english = keys("en");
        for locale in super::Locale::get_all() {
            let lang = locale.as_str();
            let other = keys(lang);
            let missing: Vec<_> = english.difference(&other).collect();
            let extra: Vec<_> = other.difference(&english).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{lang}: missing {missing:?}, extra {extra:?}"
            );
        }
    }
}
