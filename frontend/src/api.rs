//! Every call the browser makes to the server, through gloo-net. A non-2xx answer is decoded into
//! the API's [`ApiError`]; a network failure becomes an `internal` error the page can explain.
//!
//! JSON is read and written by the browser itself (`Response.json()`, `JSON.stringify`) and
//! crosses into Rust through serde-wasm-bindgen, so the wasm carries no JSON parser or writer.

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::{
    AccessChange, ApiError, CastPosition, Clause, ClauseEdit, ClauseOrder, ClauseTranslation,
    Comment, CommentEdit, CommentPage, CommentVersion, ConsensusDesignation, Consultation,
    ConsultationSettings, ConsultationSummary, Convener, CreatedProposal, Credentials, Dashboard,
    DraftText, ErrorCode, FlaggedComment, ImportedRecord, Invitation, InvitationPreview,
    InvitationToken, IssuedInvitation, JoinConsultation, Language, LiveTally, Me, Membership,
    MembershipRequest, MinorityStatement, Moderation, ModerationEntry, NewComment, NewConsultation,
    NewInvitation, NewMinorityStatement, NewOrganisation, NewProposal, NewResponse, NewRound,
    OneTimeCode, Organisation, Participation, PasswordChange, PasswordConfirmation, PhaseMove,
    PositionCast, ProfileChange, Reason, RecoveryCodes, RepresentativeChange, Round, RoundRedline,
    RoundResults, RoundRules, Schedule, SessionInfo, SignInOutcome, TotpSetup, TranslationEdit,
};

const BASE: &str = "/api/v1";

fn unreachable(err: gloo_net::Error) -> ApiError {
    ApiError::new(
        ErrorCode::Internal,
        format!("Could not reach the server: {err}"),
    )
}

/// Percent-encodes one path segment.
fn seg(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

fn clause_url(slug: &str, round: &str, key: &str) -> String {
    format!(
        "{BASE}/consultations/{}/rounds/{}/clauses/{}",
        seg(slug),
        seg(round),
        seg(key)
    )
}

fn unreadable() -> ApiError {
    ApiError::new(
        ErrorCode::Internal,
        "The server's answer could not be read.",
    )
}

/// A JavaScript value (parsed JSON) as `T`.
fn from_js<T: DeserializeOwned>(value: wasm_bindgen::JsValue) -> Result<T, ApiError> {
    serde_wasm_bindgen::from_value(value).map_err(|_| unreadable())
}

/// A JSON text (a live event's data) as `T`.
pub fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    from_js(js_sys::JSON::parse(text).map_err(|_| unreadable())?)
}

async fn body<T: DeserializeOwned>(response: &web_sys::Response) -> Result<T, ApiError> {
    let parsing = response.json().map_err(|_| unreadable())?;
    let value = wasm_bindgen_futures::JsFuture::from(parsing)
        .await
        .map_err(|_| unreadable())?;
    from_js(value)
}

/// `builder` with `body` as its JSON content.
fn with_json<B: Serialize>(builder: RequestBuilder, body: &B) -> Result<Request, ApiError> {
    let unwritable = || ApiError::new(ErrorCode::Internal, "The request could not be written.");
    let value = body
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|_| unwritable())?;
    let text = js_sys::JSON::stringify(&value).map_err(|_| unwritable())?;
    builder
        .header("Content-Type", "application/json")
        .body(text)
        .map_err(unreachable)
}

async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    let status = response.status();
    let response = web_sys::Response::from(response);
    if response.ok() {
        body(&response).await
    } else {
        Err(body::<ApiError>(&response).await.unwrap_or_else(|_| {
            ApiError::new(
                ErrorCode::Internal,
                format!("The server answered {status}."),
            )
        }))
    }
}

async fn get<T: DeserializeOwned>(url: &str) -> Result<T, ApiError> {
    decode(Request::get(url).send().await.map_err(unreachable)?).await
}

async fn send<B: Serialize, T: DeserializeOwned>(
    builder: RequestBuilder,
    body: &B,
) -> Result<T, ApiError> {
    let request = with_json(builder, body)?;
    decode(request.send().await.map_err(unreachable)?).await
}

/// `GET /consultations`
pub async fn list_consultations() -> Result<Vec<ConsultationSummary>, ApiError> {
    get(&format!("{BASE}/consultations")).await
}

/// `POST /consultations` (administrators)
pub async fn create_consultation(new: &NewConsultation) -> Result<Consultation, ApiError> {
    send(Request::post(&format!("{BASE}/consultations")), new).await
}

/// `PUT /consultations/{slug}` (administrators)
pub async fn change_consultation(
    slug: &str,
    settings: &ConsultationSettings,
) -> Result<Consultation, ApiError> {
    send(
        Request::put(&format!("{BASE}/consultations/{}", seg(slug))),
        settings,
    )
    .await
}

/// `POST /consultations/{slug}/archive` (administrators)
pub async fn archive_consultation(slug: &str) -> Result<Consultation, ApiError> {
    let url = consultation_url(slug, "archive");
    decode(Request::post(&url).send().await.map_err(unreachable)?).await
}

/// `POST /consultations/{slug}/text-preview` (conveners): how a document (a `File`, or pasted
/// text) of `media_type` would be cut into clauses; nothing is saved.
pub async fn preview_text(
    slug: &str,
    media_type: &str,
    document: wasm_bindgen::JsValue,
) -> Result<DraftText, ApiError> {
    let request = Request::post(&consultation_url(slug, "text-preview"))
        .header("Content-Type", media_type)
        .body(document)
        .map_err(unreachable)?;
    decode(request.send().await.map_err(unreachable)?).await
}

/// `POST /imports` (administrators): a consultation from another instance's record `bundle`
/// (a `File`), checked against that instance's public `key` (the key line of its `.pub`).
pub async fn import_record(
    bundle: wasm_bindgen::JsValue,
    key: &str,
) -> Result<ImportedRecord, ApiError> {
    let request = Request::post(&format!("{BASE}/imports"))
        .header("Content-Type", "application/zip")
        .header("Concord-Public-Key", key)
        .body(bundle)
        .map_err(unreachable)?;
    decode(request.send().await.map_err(unreachable)?).await
}

/// `GET /consultations/{slug}`
pub async fn get_consultation(slug: &str) -> Result<Consultation, ApiError> {
    get(&format!("{BASE}/consultations/{}", seg(slug))).await
}

/// `GET /consultations/{slug}/rounds/{round}`
pub async fn get_round(slug: &str, round: &str) -> Result<Round, ApiError> {
    get(&format!(
        "{BASE}/consultations/{}/rounds/{}",
        seg(slug),
        seg(round)
    ))
    .await
}

/// `GET …/clauses/{key}`
pub async fn get_clause(slug: &str, round: &str, key: &str) -> Result<Clause, ApiError> {
    get(&clause_url(slug, round, key)).await
}

/// `GET …/clauses/{key}/comments`: the page of threads after thread `after`.
pub async fn list_comments(
    slug: &str,
    round: &str,
    key: &str,
    after: Option<i64>,
) -> Result<CommentPage, ApiError> {
    let query = after.map(|a| format!("?after={a}")).unwrap_or_default();
    get(&format!("{}/comments{query}", clause_url(slug, round, key))).await
}

/// Every comment on a clause, page after page, each thread's replies after its first comment.
pub async fn all_comments(slug: &str, round: &str, key: &str) -> Result<Vec<Comment>, ApiError> {
    fn flatten(mut comment: Comment, into: &mut Vec<Comment>) {
        let replies = std::mem::take(&mut comment.replies);
        into.push(comment);
        for reply in replies {
            flatten(reply, into);
        }
    }
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let page = list_comments(slug, round, key, after).await?;
        for thread in page.threads {
            flatten(thread, &mut all);
        }
        match page.next_after {
            Some(next) => after = Some(next),
            None => return Ok(all),
        }
    }
}

/// Follows server-sent events named `event` at `url` for as long as the calling view lives,
/// handing each to `on` once read. A stream the browser cannot open is left alone: the page
/// still shows what it read before.
fn follow<T: DeserializeOwned + 'static>(url: &str, event: &str, mut on: impl FnMut(T) + 'static) {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    let Ok(source) = web_sys::EventSource::new(url) else {
        return;
    };
    let listener =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |message: web_sys::MessageEvent| {
            if let Some(item) = message.data().as_string().and_then(|d| from_json(&d).ok()) {
                on(item);
            }
        });
    let _ = source.add_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
    // The connection and its listener live as long as the view that follows.
    let kept = leptos::prelude::StoredValue::new_local((source, listener));
    leptos::prelude::on_cleanup(move || {
        use leptos::prelude::WithValue;
        kept.with_value(|(source, _)| source.close());
    });
}

/// `GET …/clauses/{key}/comments/live`: the clause's new and changed comments as they happen.
pub fn follow_comments(slug: &str, round: &str, key: &str, on: impl FnMut(Comment) + 'static) {
    let url = format!("{}/comments/live", clause_url(slug, round, key));
    follow(&url, "comment", on);
}

/// `GET /consultations/{slug}/rounds/{round}/live`: the round's tallies for its conveners, each
/// clause's first and then each that changes.
pub fn follow_tallies(slug: &str, round: &str, on: impl FnMut(LiveTally) + 'static) {
    follow(&round_url(slug, round, "live"), "tally", on);
}

fn comment_url(slug: &str, id: i64) -> String {
    format!("{BASE}/consultations/{}/comments/{id}", seg(slug))
}

/// `PUT /consultations/{slug}/comments/{id}`: rewrite one's own comment.
pub async fn edit_comment(slug: &str, id: i64, edit: &CommentEdit) -> Result<Comment, ApiError> {
    send(Request::put(&comment_url(slug, id)), edit).await
}

/// `GET …/comments/{id}/versions` (conveners).
pub async fn comment_versions(slug: &str, id: i64) -> Result<Vec<CommentVersion>, ApiError> {
    get(&format!("{}/versions", comment_url(slug, id))).await
}

/// `POST …/comments/{id}/flags`
pub async fn flag_comment(slug: &str, id: i64, reason: &Reason) -> Result<(), ApiError> {
    let request = with_json(
        Request::post(&format!("{}/flags", comment_url(slug, id))),
        reason,
    )?;
    no_content(request.send().await.map_err(unreachable)?).await
}

/// `POST …/comments/{id}/moderation` (conveners).
pub async fn moderate_comment(
    slug: &str,
    id: i64,
    moderation: &Moderation,
) -> Result<Comment, ApiError> {
    let url = format!("{}/moderation", comment_url(slug, id));
    send(Request::post(&url), moderation).await
}

/// `PUT …/comments/{id}/response` (conveners).
pub async fn respond_to_comment(
    slug: &str,
    id: i64,
    response: &NewResponse,
) -> Result<Comment, ApiError> {
    send(
        Request::put(&format!("{}/response", comment_url(slug, id))),
        response,
    )
    .await
}

/// `POST /consultations/{slug}/rounds/{round}/proposals`
pub async fn propose(
    slug: &str,
    round: &str,
    proposal: &NewProposal,
) -> Result<CreatedProposal, ApiError> {
    let url = format!(
        "{BASE}/consultations/{}/rounds/{}/proposals",
        seg(slug),
        seg(round)
    );
    send(Request::post(&url), proposal).await
}

/// `PUT …/clauses/{key}/response`: the conveners' response to a proposal.
pub async fn respond_to_proposal(
    slug: &str,
    round: &str,
    key: &str,
    response: &NewResponse,
) -> Result<shared::Response, ApiError> {
    let url = format!("{}/response", clause_url(slug, round, key));
    send(Request::put(&url), response).await
}

/// `GET /consultations/{slug}/moderation/queue` (conveners).
pub async fn moderation_queue(slug: &str) -> Result<Vec<FlaggedComment>, ApiError> {
    get(&format!(
        "{BASE}/consultations/{}/moderation/queue",
        seg(slug)
    ))
    .await
}

/// `GET /consultations/{slug}/moderation/log`
pub async fn moderation_log(slug: &str) -> Result<Vec<ModerationEntry>, ApiError> {
    get(&format!(
        "{BASE}/consultations/{}/moderation/log",
        seg(slug)
    ))
    .await
}

/// `POST …/clauses/{key}/comments`
pub async fn post_comment(
    slug: &str,
    round: &str,
    key: &str,
    comment: &NewComment,
) -> Result<Comment, ApiError> {
    let url = format!("{}/comments", clause_url(slug, round, key));
    send(Request::post(&url), comment).await
}

/// `PUT …/clauses/{key}/position`
pub async fn cast_position(
    slug: &str,
    round: &str,
    key: &str,
    cast: &CastPosition,
) -> Result<PositionCast, ApiError> {
    let url = format!("{}/position", clause_url(slug, round, key));
    send(Request::put(&url), cast).await
}

/// `POST /accounts`: sign up and sign in.
pub async fn sign_up(credentials: &Credentials) -> Result<Me, ApiError> {
    send(Request::post(&format!("{BASE}/accounts")), credentials).await
}

/// `POST /session`: sign in, or learn that a second factor is due.
pub async fn sign_in(credentials: &Credentials) -> Result<SignInOutcome, ApiError> {
    send(Request::post(&format!("{BASE}/session")), credentials).await
}

/// `POST /session/second-factor`: finish signing in with a code.
pub async fn complete_sign_in(code: &OneTimeCode) -> Result<Me, ApiError> {
    send(
        Request::post(&format!("{BASE}/session/second-factor")),
        code,
    )
    .await
}

/// `POST /account/two-factor`: start turning on two-factor sign-in.
pub async fn begin_two_factor(confirmation: &PasswordConfirmation) -> Result<TotpSetup, ApiError> {
    send(
        Request::post(&format!("{BASE}/account/two-factor")),
        confirmation,
    )
    .await
}

/// `PUT /account/two-factor`: turn it on with a first code; answers the recovery codes.
pub async fn confirm_two_factor(code: &OneTimeCode) -> Result<RecoveryCodes, ApiError> {
    send(Request::put(&format!("{BASE}/account/two-factor")), code).await
}

/// `DELETE /account/two-factor`: turn it off.
pub async fn disable_two_factor(confirmation: &PasswordConfirmation) -> Result<(), ApiError> {
    let request = with_json(
        Request::delete(&format!("{BASE}/account/two-factor")),
        confirmation,
    )?;
    no_content(request.send().await.map_err(unreachable)?).await
}

/// `GET /session`: who is signed in (`None` when nobody is).
pub async fn get_session() -> Result<Option<Me>, ApiError> {
    match get::<Me>(&format!("{BASE}/session")).await {
        Ok(me) => Ok(Some(me)),
        Err(e) if e.code == ErrorCode::NotSignedIn => Ok(None),
        Err(e) => Err(e),
    }
}

/// `GET /account/sessions`
pub async fn list_sessions() -> Result<Vec<SessionInfo>, ApiError> {
    get(&format!("{BASE}/account/sessions")).await
}

/// `DELETE /account/sessions/{id}`
pub async fn end_session(id: &str) -> Result<(), ApiError> {
    let url = format!("{BASE}/account/sessions/{}", seg(id));
    no_content(Request::delete(&url).send().await.map_err(unreachable)?).await
}

/// `PUT /account/password`
pub async fn change_password(change: &PasswordChange) -> Result<(), ApiError> {
    let request = with_json(Request::put(&format!("{BASE}/account/password")), change)?;
    no_content(request.send().await.map_err(unreachable)?).await
}

/// `DELETE /account`
pub async fn delete_account(deletion: &PasswordConfirmation) -> Result<(), ApiError> {
    let request = with_json(Request::delete(&format!("{BASE}/account")), deletion)?;
    no_content(request.send().await.map_err(unreachable)?).await
}

/// Where the browser downloads the account's data (a plain link; the cookie authenticates it).
pub const EXPORT_URL: &str = "/api/v1/account/export";

/// The JSON Schema of `record.json`, a link for readers of a record.
pub const RECORD_SCHEMA_URL: &str = "/api/v1/schema/record.json";

/// `GET /organisations`
pub async fn list_organisations() -> Result<Vec<Organisation>, ApiError> {
    get(&format!("{BASE}/organisations")).await
}

/// `POST /organisations`
pub async fn create_organisation(new: &NewOrganisation) -> Result<Organisation, ApiError> {
    send(Request::post(&format!("{BASE}/organisations")), new).await
}

/// `POST /organisations/{slug}/membership`: ask to join.
pub async fn request_membership(slug: &str) -> Result<Membership, ApiError> {
    let url = format!("{BASE}/organisations/{}/membership", seg(slug));
    decode(Request::post(&url).send().await.map_err(unreachable)?).await
}

/// `GET /account/memberships`
pub async fn list_memberships() -> Result<Vec<Membership>, ApiError> {
    get(&format!("{BASE}/account/memberships")).await
}

/// `GET /membership-requests` (administrators)
pub async fn list_membership_requests() -> Result<Vec<MembershipRequest>, ApiError> {
    get(&format!("{BASE}/membership-requests")).await
}

/// `PUT /organisations/{slug}/members/{handle}` (administrators)
pub async fn accept_membership(slug: &str, handle: &str) -> Result<(), ApiError> {
    let url = format!("{BASE}/organisations/{}/members/{}", seg(slug), seg(handle));
    no_content(Request::put(&url).send().await.map_err(unreachable)?).await
}

/// `PUT /organisations/{slug}/verification` (administrators and conveners)
pub async fn verify_organisation(slug: &str) -> Result<(), ApiError> {
    let url = format!("{BASE}/organisations/{}/verification", seg(slug));
    no_content(Request::put(&url).send().await.map_err(unreachable)?).await
}

/// `PUT /organisations/{slug}/representative` (administrators and conveners)
pub async fn set_representative(slug: &str, change: &RepresentativeChange) -> Result<(), ApiError> {
    let url = format!("{BASE}/organisations/{}/representative", seg(slug));
    let request = with_json(Request::put(&url), change)?;
    no_content(request.send().await.map_err(unreachable)?).await
}

/// `GET /account/profile`
pub async fn get_profile() -> Result<ProfileChange, ApiError> {
    get(&format!("{BASE}/account/profile")).await
}

/// `PUT /account/profile`
pub async fn change_profile(change: &ProfileChange) -> Result<ProfileChange, ApiError> {
    send(Request::put(&format!("{BASE}/account/profile")), change).await
}

fn consultation_url(slug: &str, rest: &str) -> String {
    format!("{BASE}/consultations/{}/{rest}", seg(slug))
}

/// `PUT /consultations/{slug}/participation`: state one's stakeholder group.
pub async fn join_consultation(
    slug: &str,
    join: &JoinConsultation,
) -> Result<Participation, ApiError> {
    send(Request::put(&consultation_url(slug, "participation")), join).await
}

fn round_url(slug: &str, round: &str, rest: &str) -> String {
    consultation_url(slug, &format!("rounds/{}/{rest}", seg(round)))
}

/// `POST /consultations/{slug}/rounds` (conveners): the next round, as a draft.
pub async fn open_round(slug: &str, new: &NewRound) -> Result<Round, ApiError> {
    send(Request::post(&consultation_url(slug, "rounds")), new).await
}

/// `PUT …/rounds/{round}/phase` (conveners)
pub async fn move_phase(slug: &str, round: &str, to: &PhaseMove) -> Result<Round, ApiError> {
    send(Request::put(&round_url(slug, round, "phase")), to).await
}

/// `PUT …/rounds/{round}/rules` (conveners)
pub async fn set_rules(slug: &str, round: &str, rules: &RoundRules) -> Result<Round, ApiError> {
    send(Request::put(&round_url(slug, round, "rules")), rules).await
}

/// `GET …/rounds/{round}/redline`
pub async fn round_redline(slug: &str, round: &str) -> Result<RoundRedline, ApiError> {
    get(&round_url(slug, round, "redline")).await
}

/// Where a file of a round's record downloads: `…/record/{file}`, the convener record with
/// `convener`. (A link, not a fetch: the browser saves it.)
pub fn record_url(slug: &str, round: &str, file: &str, convener: bool) -> String {
    let url = round_url(slug, round, &format!("record/{}", seg(file)));
    if convener {
        format!("{url}?visibility=convener")
    } else {
        url
    }
}

/// `GET …/rounds/{round}/results`
pub async fn round_results(slug: &str, round: &str) -> Result<RoundResults, ApiError> {
    get(&round_url(slug, round, "results")).await
}

/// `PUT …/clauses/{key}/consensus` (conveners)
pub async fn designate_consensus(
    slug: &str,
    round: &str,
    key: &str,
    designation: &ConsensusDesignation,
) -> Result<(), ApiError> {
    let request = with_json(
        Request::put(&format!("{}/consensus", clause_url(slug, round, key))),
        designation,
    )?;
    no_content(request.send().await.map_err(unreachable)?).await
}

/// `PUT …/clauses/{key}/minority-statement` (an organisation's representative)
pub async fn attach_minority_statement(
    slug: &str,
    round: &str,
    key: &str,
    statement: &NewMinorityStatement,
) -> Result<Vec<MinorityStatement>, ApiError> {
    let url = format!("{}/minority-statement", clause_url(slug, round, key));
    send(Request::put(&url), statement).await
}

/// `PUT …/rounds/{round}/schedule` (conveners)
pub async fn set_schedule(slug: &str, round: &str, schedule: &Schedule) -> Result<Round, ApiError> {
    send(Request::put(&round_url(slug, round, "schedule")), schedule).await
}

/// `PUT …/rounds/{round}/order` (conveners)
pub async fn reorder_clauses(
    slug: &str,
    round: &str,
    order: &ClauseOrder,
) -> Result<Round, ApiError> {
    send(Request::put(&round_url(slug, round, "order")), order).await
}

/// `POST …/rounds/{round}/clauses` (conveners)
pub async fn add_clause(slug: &str, round: &str, edit: &ClauseEdit) -> Result<Round, ApiError> {
    send(Request::post(&round_url(slug, round, "clauses")), edit).await
}

/// `PUT …/clauses/{key}` (conveners)
pub async fn edit_clause(
    slug: &str,
    round: &str,
    key: &str,
    edit: &ClauseEdit,
) -> Result<Round, ApiError> {
    send(Request::put(&clause_url(slug, round, key)), edit).await
}

/// `DELETE …/clauses/{key}` (conveners)
pub async fn remove_clause(slug: &str, round: &str, key: &str) -> Result<Round, ApiError> {
    decode(
        Request::delete(&clause_url(slug, round, key))
            .send()
            .await
            .map_err(unreachable)?,
    )
    .await
}

/// `GET /consultations/{slug}/dashboard` (conveners)
pub async fn dashboard(slug: &str) -> Result<Dashboard, ApiError> {
    get(&consultation_url(slug, "dashboard")).await
}

/// `PUT /consultations/{slug}/access` (conveners)
pub async fn set_access(slug: &str, change: &AccessChange) -> Result<Consultation, ApiError> {
    send(Request::put(&consultation_url(slug, "access")), change).await
}

/// `GET /consultations/{slug}/conveners` (conveners)
pub async fn list_conveners(slug: &str) -> Result<Vec<Convener>, ApiError> {
    get(&consultation_url(slug, "conveners")).await
}

/// `PUT /consultations/{slug}/conveners/{handle}` (administrators)
pub async fn add_convener(slug: &str, handle: &str) -> Result<(), ApiError> {
    let url = consultation_url(slug, &format!("conveners/{}", seg(handle)));
    no_content(Request::put(&url).send().await.map_err(unreachable)?).await
}

/// `DELETE /consultations/{slug}/conveners/{handle}` (administrators)
pub async fn remove_convener(slug: &str, handle: &str) -> Result<(), ApiError> {
    let url = consultation_url(slug, &format!("conveners/{}", seg(handle)));
    no_content(Request::delete(&url).send().await.map_err(unreachable)?).await
}

/// `GET /consultations/{slug}/invitations` (conveners)
pub async fn list_invitations(slug: &str) -> Result<Vec<Invitation>, ApiError> {
    get(&consultation_url(slug, "invitations")).await
}

/// `POST /consultations/{slug}/invitations` (conveners)
pub async fn create_invitation(
    slug: &str,
    new: &NewInvitation,
) -> Result<IssuedInvitation, ApiError> {
    send(Request::post(&consultation_url(slug, "invitations")), new).await
}

/// `DELETE /consultations/{slug}/invitations/{id}` (conveners)
pub async fn revoke_invitation(slug: &str, id: i64) -> Result<Invitation, ApiError> {
    let url = consultation_url(slug, &format!("invitations/{id}"));
    decode(Request::delete(&url).send().await.map_err(unreachable)?).await
}

/// `POST /invitations/preview`
pub async fn preview_invitation(token: &InvitationToken) -> Result<InvitationPreview, ApiError> {
    send(Request::post(&format!("{BASE}/invitations/preview")), token).await
}

/// `POST /invitations/accept`
pub async fn accept_invitation(token: &InvitationToken) -> Result<Participation, ApiError> {
    send(Request::post(&format!("{BASE}/invitations/accept")), token).await
}

/// `DELETE /session`: sign out.
pub async fn sign_out() -> Result<(), ApiError> {
    no_content(
        Request::delete(&format!("{BASE}/session"))
            .send()
            .await
            .map_err(unreachable)?,
    )
    .await
}

/// An answer without a body on success.
async fn no_content(response: Response) -> Result<(), ApiError> {
    if response.ok() {
        Ok(())
    } else {
        decode::<()>(response).await
    }
}

fn translation_url(slug: &str, round: &str, key: &str, language: Language) -> String {
    format!(
        "{}/translations/{}",
        clause_url(slug, round, key),
        language.as_str()
    )
}

/// `PUT …/clauses/{key}/translations/{language}` (conveners): the clause's translations.
pub async fn translate_clause(
    slug: &str,
    round: &str,
    key: &str,
    language: Language,
    edit: &TranslationEdit,
) -> Result<Vec<ClauseTranslation>, ApiError> {
    let request = with_json(
        Request::put(&translation_url(slug, round, key, language)),
        edit,
    )?;
    decode(request.send().await.map_err(unreachable)?).await
}

/// `DELETE …/clauses/{key}/translations/{language}` (conveners): the translations left.
pub async fn remove_translation(
    slug: &str,
    round: &str,
    key: &str,
    language: Language,
) -> Result<Vec<ClauseTranslation>, ApiError> {
    let request = Request::delete(&translation_url(slug, round, key, language));
    decode(request.send().await.map_err(unreachable)?).await
}
