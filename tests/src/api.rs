//! The API's addresses and one [`TestApp`] method per endpoint, so that tests name what they do
//! (`app.move_phase("paris-call", "2019", body)`) and no test spells a path. Each method sends
//! its request as it is and answers the response, whatever its status: the tests assert it.
//!
//! Endpoints on a clause take the clause's address (such as [`crate::CLAUSE`], or one made by
//! [`clause`]), since most tests follow one clause through several of them.

use crate::TestApp;
use reqwest::{Method, Response};
use serde_json::Value;
use std::fmt::Display;

/// Where the API lives.
pub const API: &str = "/api/v1";

/// The address of a clause, for the endpoints on a clause.
pub fn clause(slug: impl Display, round: impl Display, key: impl Display) -> String {
    format!("{API}/consultations/{slug}/rounds/{round}/clauses/{key}")
}

/// The address of any path under the API, for tests of the HTTP contract itself (unknown
/// routes, raw bodies, other clients).
pub fn path(under: impl Display) -> String {
    format!("{API}{under}")
}

/// `Some(body)` for an endpoint that takes a body, `None` for one that does not.
macro_rules! body {
    () => {
        None
    };
    ($body:ident) => {
        Some($body)
    };
}

/// Declares the methods of endpoints under [`API`]: method, path, name and path parameters.
macro_rules! endpoints {
    ($($method:ident $path:literal => $name:ident($($param:ident),*) $(with $body:ident)?;)*) => {
        impl TestApp {$(
            #[doc = concat!("`", stringify!($method), " /api/v1", $path, "`")]
            pub async fn $name(&self, $($param: impl Display,)* $($body: Value)?) -> Response {
                let path = format!(concat!("{api}", $path), api = API $(, $param = $param)*);
                self.request(Method::$method, &path, body!($($body)?)).await
            }
        )*}
    };
}

/// Declares the methods of endpoints on a clause, whose address comes first.
macro_rules! clause_endpoints {
    ($($method:ident $path:literal => $name:ident($($param:ident),*) $(with $body:ident)?;)*) => {
        impl TestApp {$(
            #[doc = concat!("`", stringify!($method), " {clause}", $path, "`")]
            pub async fn $name(
                &self,
                clause: impl Display,
                $($param: impl Display,)*
                $($body: Value)?
            ) -> Response {
                let path = format!(concat!("{clause}", $path), clause = clause $(, $param = $param)*);
                self.request(Method::$method, &path, body!($($body)?)).await
            }
        )*}
    };
}

endpoints! {
    DELETE "/account" => delete_account() with body;
    GET "/account/export" => export_account();
    GET "/account/memberships" => list_memberships();
    GET "/account/passkeys" => list_passkeys();
    GET "/account/email" => email_settings();
    PUT "/account/email" => set_email_address() with body;
    DELETE "/account/email" => delete_email_address();
    PUT "/account/reminders/{slug}" => set_reminders(slug) with body;
    POST "/email-verifications" => verify_email_address() with body;
    POST "/account/passkeys" => add_passkey() with body;
    DELETE "/account/passkeys/{id}" => remove_passkey(id) with body;
    POST "/account/passkeys/registration" => begin_passkey_registration() with body;
    PUT "/account/password" => change_password() with body;
    GET "/account/profile" => get_profile();
    PUT "/account/profile" => change_profile() with body;
    GET "/account/security-events" => security_events();
    GET "/account/sessions" => list_sessions();
    DELETE "/account/sessions/{id}" => end_session(id);
    PUT "/account/two-factor" => confirm_two_factor() with body;
    POST "/account/two-factor" => begin_two_factor() with body;
    DELETE "/account/two-factor" => disable_two_factor() with body;
    POST "/accounts" => sign_up_with() with body;
    GET "/consultations" => list_consultations();
    POST "/consultations" => create_consultation() with body;
    GET "/consultations/{slug}" => get_consultation(slug);
    PUT "/consultations/{slug}" => change_consultation(slug) with body;
    PUT "/consultations/{slug}/access" => set_access(slug) with body;
    POST "/consultations/{slug}/archive" => archive_consultation(slug);
    PUT "/consultations/{slug}/comments/{id}" => edit_comment(slug, id) with body;
    POST "/consultations/{slug}/comments/{id}/flags" => flag_comment(slug, id) with body;
    POST "/consultations/{slug}/comments/{id}/moderation" => moderate_comment(slug, id) with body;
    PUT "/consultations/{slug}/comments/{id}/response" => respond_to_comment(slug, id) with body;
    GET "/consultations/{slug}/comments/{id}/versions" => comment_versions(slug, id);
    GET "/consultations/{slug}/conveners" => list_conveners(slug);
    PUT "/consultations/{slug}/convener-passkeys" => set_passkey_rule(slug) with body;
    PUT "/consultations/{slug}/conveners/{handle}" => add_convener(slug, handle);
    DELETE "/consultations/{slug}/conveners/{handle}" => remove_convener(slug, handle);
    GET "/consultations/{slug}/dashboard" => dashboard(slug);
    GET "/consultations/{slug}/invitations" => list_invitations(slug);
    POST "/consultations/{slug}/invitations" => create_invitation(slug) with body;
    DELETE "/consultations/{slug}/invitations/{id}" => revoke_invitation(slug, id);
    GET "/consultations/{slug}/moderation/log" => moderation_log(slug);
    GET "/consultations/{slug}/moderation/queue" => moderation_queue(slug);
    PUT "/consultations/{slug}/participation" => join_consultation(slug) with body;
    POST "/consultations/{slug}/rounds" => open_round(slug) with body;
    GET "/consultations/{slug}/rounds/{round}" => get_round(slug, round);
    POST "/consultations/{slug}/rounds/{round}/clauses" => add_clause(slug, round) with body;
    GET "/consultations/{slug}/rounds/{round}/live" => live_tally(slug, round);
    PUT "/consultations/{slug}/rounds/{round}/order" => reorder_clauses(slug, round) with body;
    PUT "/consultations/{slug}/rounds/{round}/phase" => move_phase(slug, round) with body;
    POST "/consultations/{slug}/rounds/{round}/proposals" => propose(slug, round) with body;
    GET "/consultations/{slug}/rounds/{round}/record/{file}" => download(slug, round, file);
    GET "/consultations/{slug}/rounds/{round}/redline" => round_redline(slug, round);
    GET "/consultations/{slug}/rounds/{round}/results" => round_results(slug, round);
    PUT "/consultations/{slug}/rounds/{round}/rules" => set_rules(slug, round) with body;
    PUT "/consultations/{slug}/rounds/{round}/schedule" => set_schedule(slug, round) with body;
    POST "/invitations/accept" => accept_invitation() with body;
    POST "/invitations/preview" => preview_invitation() with body;
    GET "/membership-requests" => list_membership_requests();
    GET "/organisations" => list_organisations();
    POST "/organisations" => create_organisation() with body;
    PUT "/organisations/{slug}/members/{handle}" => accept_membership(slug, handle);
    POST "/organisations/{slug}/membership" => request_membership(slug);
    PUT "/organisations/{slug}/representative" => set_representative(slug) with body;
    PUT "/organisations/{slug}/verification" => verify_organisation(slug);
    GET "/schema/record.json" => record_schema();
    GET "/session" => get_session();
    POST "/session" => sign_in_with() with body;
    POST "/session/passkey" => begin_passkey_sign_in();
    PUT "/session/passkey" => finish_passkey_sign_in() with body;
    POST "/session/second-factor" => complete_sign_in() with body;
    POST "/session/second-factor/passkey" => begin_passkey_second_factor();
    PUT "/session/second-factor/passkey" => finish_passkey_second_factor() with body;
}

clause_endpoints! {
    GET "" => get_clause();
    PUT "" => edit_clause() with body;
    DELETE "" => remove_clause();
    GET "/comments" => list_comments();
    POST "/comments" => post_comment() with body;
    GET "/comments/live" => live_comments();
    PUT "/consensus" => designate_consensus() with body;
    PUT "/minority-statement" => attach_minority_statement() with body;
    PUT "/position" => cast_position() with body;
    PUT "/response" => respond_to_proposal() with body;
    GET "/results" => get_results();
    PUT "/translations/{language}" => translate_clause(language) with body;
    DELETE "/translations/{language}" => remove_translation(language);
}

impl TestApp {
    /// `GET /api/v1/consultations/{slug}/rounds/{round}/record/{file}?visibility=…`
    pub async fn download_as(
        &self,
        (slug, round): (&str, &str),
        file: &str,
        visibility: impl Display,
    ) -> Response {
        let path = format!("{API}/consultations/{slug}/rounds/{round}/record/{file}");
        self.get(&format!("{path}?visibility={visibility}")).await
    }

    /// `GET {clause}/comments?after=…`: the page of threads after `after`.
    pub async fn list_comments_after(&self, clause: impl Display, after: impl Display) -> Response {
        self.get(&format!("{clause}/comments?after={after}")).await
    }

    /// `GET /api/v1/openapi.json`
    pub async fn openapi_document(&self) -> Response {
        self.get(&path("/openapi.json")).await
    }

    /// `POST /api/v1/consultations/{slug}/text-preview`, a document sent as `content_type`.
    pub async fn preview_text(
        &self,
        slug: impl Display,
        content_type: &str,
        document: Vec<u8>,
    ) -> Response {
        let path = format!("{API}/consultations/{slug}/text-preview");
        self.raw(Method::POST, &path, content_type, document).await
    }

    /// `POST /api/v1/imports`, a record's bundle.
    pub async fn import_record(&self, bundle: Vec<u8>) -> Response {
        self.raw(Method::POST, &path("/imports"), "application/zip", bundle)
            .await
    }
}
