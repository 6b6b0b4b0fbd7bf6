//! The server's one error type. Every failure becomes a JSON [`shared::ApiError`] with a stable
//! code; database and internal faults become a generic 500 and are logged, never echoed.

use crate::document::{DOCUMENT_MAX, DocumentError, UNPACKED_MAX};
use crate::refusal::{Attempts, Refusal};
use crate::store::{StoreError, database_unavailable, writer_unavailable};
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use shared::{ApiError, ErrorCode, FieldError};

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A rule refused the request: the domain's words, answered here with a status.
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("cross-site request refused")]
    CrossSite,
    /// A request refused for what it carries: the framework's refusals before a handler ran (bad
    /// JSON, wrong media type, …) and documents that cannot be imported.
    #[error("{message}")]
    Rejected {
        status: StatusCode,
        code: ErrorCode,
        message: String,
    },
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database (position writer): {0}")]
    Writer(#[from] rusqlite::Error),
    /// The server cannot serve yet (`/readyz`); the message says why.
    #[error("not ready: {0}")]
    NotReady(&'static str),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    fn status_and_body(&self) -> (StatusCode, ApiError) {
        use AppError as E;
        match self {
            E::Refused(refusal) => refusal_answer(refusal),
            E::CrossSite => (
                StatusCode::FORBIDDEN,
                ApiError::new(
                    ErrorCode::CrossSiteRequest,
                    "This request came from another site and was refused. Use Concord's own pages.",
                ),
            ),
            E::Rejected {
                status,
                code,
                message,
            } => (*status, ApiError::new(*code, message.clone())),
            E::NotReady(why) => (
                StatusCode::SERVICE_UNAVAILABLE,
                ApiError::new(ErrorCode::Unavailable, *why),
            ),
            E::Database(e) if refused_characters(e) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ApiError::new(
                    ErrorCode::ValidationFailed,
                    "The request holds a character text cannot hold here (a NUL); remove it.",
                ),
            ),
            e if e.is_unavailable() => (
                StatusCode::SERVICE_UNAVAILABLE,
                ApiError::new(
                    ErrorCode::Unavailable,
                    "The server cannot reach its database just now (or it is full); nothing was \
                     saved. Please try again in a moment.",
                ),
            ),
            E::Database(_) | E::Writer(_) | E::Corrupt(_) | E::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                ApiError::new(
                    ErrorCode::Internal,
                    "Something went wrong on the server. Please try again later.",
                ),
            ),
        }
    }
}

/// The status and words of each refusal.
fn refusal_answer(refusal: &Refusal) -> (StatusCode, ApiError) {
    use Refusal as R;
    match refusal {
        R::NotSignedIn => (
            StatusCode::UNAUTHORIZED,
            ApiError::new(ErrorCode::NotSignedIn, "Sign in to do this."),
        ),
        R::InvalidCredentials => (
            StatusCode::UNAUTHORIZED,
            ApiError::new(
                ErrorCode::InvalidCredentials,
                "That handle and password do not match an account.",
            ),
        ),
        R::TooManyAttempts {
            retry_after_secs,
            what,
        } => {
            let minutes = retry_after_secs.div_ceil(60);
            let wait = if minutes <= 1 {
                "a minute".to_owned()
            } else {
                format!("{minutes} minutes")
            };
            let what = match what {
                Attempts::SignIns => "Too many failed sign-ins",
                Attempts::Codes => "Too many wrong codes",
                Attempts::SignUps => "Too many new accounts from this address just now",
                Attempts::EmailLinks => {
                    "Too many verification links for this account just now (5 an hour)"
                }
            };
            (
                StatusCode::TOO_MANY_REQUESTS,
                ApiError::new(
                    ErrorCode::TooManyAttempts,
                    format!("{what}. Wait {wait}, then try again."),
                ),
            )
        }
        R::NotFound(what) => (
            StatusCode::NOT_FOUND,
            ApiError::new(ErrorCode::NotFound, format!("There is no such {what}.")),
        ),
        R::Validation(fields) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::validation(fields.clone()),
        ),
        R::HandleTaken => (
            StatusCode::CONFLICT,
            ApiError {
                fields: vec![FieldError::new(
                    "handle",
                    "taken",
                    "Somebody already uses this handle; choose another.",
                )],
                ..ApiError::new(ErrorCode::HandleTaken, "This handle is taken.")
            },
        ),
        R::PhaseClosed(phase) => (
            StatusCode::CONFLICT,
            ApiError::new(
                ErrorCode::PhaseClosed,
                format!(
                    "This round is in its {} phase, which does not allow this.",
                    phase.as_str()
                ),
            ),
        ),
        R::Forbidden(who) => (
            StatusCode::FORBIDDEN,
            ApiError::new(ErrorCode::Forbidden, *who),
        ),
        R::TwoFactorRequired => (
            StatusCode::FORBIDDEN,
            ApiError::new(
                ErrorCode::TwoFactorRequired,
                "Turn on two-factor sign-in in your account before acting as an administrator \
                 or convener.",
            ),
        ),
        R::ConsultationExists => (
            StatusCode::CONFLICT,
            ApiError {
                fields: vec![FieldError::new(
                    "slug",
                    "taken",
                    "Another consultation has this address; choose another.",
                )],
                ..ApiError::new(
                    ErrorCode::ConsultationExists,
                    "A consultation with this address exists.",
                )
            },
        ),
        R::Archived => (
            StatusCode::CONFLICT,
            ApiError::new(
                ErrorCode::Archived,
                "This consultation is archived: it can be read and its records downloaded, \
                 but nothing in it can change.",
            ),
        ),
        R::RoundStillOpen => (
            StatusCode::CONFLICT,
            ApiError::new(
                ErrorCode::RoundStillOpen,
                "A round of this consultation is taking comments or positions, or is closed \
                 with its results unpublished. Close and publish it before archiving the \
                 consultation.",
            ),
        ),
        R::NotInvited => (
            StatusCode::FORBIDDEN,
            ApiError::new(
                ErrorCode::NotInvited,
                "This consultation is by invitation only. Ask its conveners for an invitation.",
            ),
        ),
        R::InvitationUsed => (
            StatusCode::CONFLICT,
            ApiError::new(
                ErrorCode::InvitationUsed,
                "This invitation has been used already. Ask the conveners for a new one.",
            ),
        ),
        R::InvitationExpired => (
            StatusCode::CONFLICT,
            ApiError::new(
                ErrorCode::InvitationExpired,
                "This invitation has expired. Ask the conveners for a new one.",
            ),
        ),
        R::InvitationRevoked => (
            StatusCode::CONFLICT,
            ApiError::new(
                ErrorCode::InvitationRevoked,
                "The conveners withdrew this invitation. Ask them if you think it is a mistake.",
            ),
        ),
        R::OrganisationExists => (
            StatusCode::CONFLICT,
            ApiError {
                fields: vec![FieldError::new(
                    "name",
                    "taken",
                    "An organisation with this name exists already.",
                )],
                ..ApiError::new(
                    ErrorCode::OrganisationExists,
                    "This organisation exists already.",
                )
            },
        ),
        R::TwoFactorAlreadyOn => (
            StatusCode::CONFLICT,
            ApiError::new(
                ErrorCode::TwoFactorAlreadyOn,
                "Two-factor sign-in is on already. Turn it off first to start again.",
            ),
        ),
        R::TwoFactorNotStarted => (
            StatusCode::CONFLICT,
            ApiError::new(
                ErrorCode::TwoFactorNotStarted,
                "Start setting up two-factor sign-in first.",
            ),
        ),
        R::RoundExists => (
            StatusCode::CONFLICT,
            ApiError {
                fields: vec![FieldError::new(
                    "slug",
                    "taken",
                    "This consultation has a round with this address already.",
                )],
                ..ApiError::new(ErrorCode::RoundExists, "This round exists already.")
            },
        ),
        R::PreviousRoundOpen => (
            StatusCode::CONFLICT,
            ApiError::new(
                ErrorCode::PreviousRoundOpen,
                "The newest round is still open. Close it before opening the next one.",
            ),
        ),
        R::PhaseMoveRefused(from, to) => (
            StatusCode::CONFLICT,
            ApiError::new(
                ErrorCode::PhaseMoveRefused,
                format!(
                    "A round in its {} phase cannot move to {}: once closed, a round can only \
                     be published.",
                    from.as_str(),
                    to.as_str()
                ),
            ),
        ),
        R::GroupRequired => (
            StatusCode::CONFLICT,
            ApiError::new(
                ErrorCode::GroupRequired,
                "Say in which stakeholder group you take part before taking a position.",
            ),
        ),
        R::NotRepresentative => (
            StatusCode::FORBIDDEN,
            ApiError::new(
                ErrorCode::NotRepresentative,
                "This round counts one position per organisation: only an organisation's \
                 representative casts it, after saying they take part for that organisation.",
            ),
        ),
        R::NotItsRepresentative => (
            StatusCode::FORBIDDEN,
            ApiError::new(
                ErrorCode::NotRepresentative,
                "Only the organisation's representative may attach its minority statement.",
            ),
        ),
        R::NotPublished => (
            StatusCode::CONFLICT,
            ApiError::new(
                ErrorCode::NotPublished,
                "The results of this round are public once its conveners publish them.",
            ),
        ),
        R::NotAuthor => (
            StatusCode::FORBIDDEN,
            ApiError::new(
                ErrorCode::NotAuthor,
                "Only the author of a comment edits it.",
            ),
        ),
        R::CommentHidden => (
            StatusCode::CONFLICT,
            ApiError::new(
                ErrorCode::CommentHidden,
                "The conveners hid this comment; it cannot be edited. Write to them if you think \
                 it is a mistake.",
            ),
        ),
        R::PasskeyRefused(problem) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            // The reason also as the `credential` field's code, for the browser's own words.
            ApiError {
                fields: vec![FieldError::new(
                    "credential",
                    problem.code(),
                    problem.message(),
                )],
                ..ApiError::new(ErrorCode::PasskeyRefused, problem.message())
            },
        ),
        R::CeremonyExpired => (
            StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::new(
                ErrorCode::CeremonyExpired,
                "This passkey request is over: it lasts five minutes and answers once. Start \
                 again.",
            ),
        ),
        R::EmailUnavailable => (
            StatusCode::CONFLICT,
            ApiError::new(
                ErrorCode::EmailUnavailable,
                "This server sends no e-mail: it was started without an SMTP server \
                 (--smtp-url). Follow consultations with their feeds or calendars instead.",
            ),
        ),
        R::LinkUsed => (
            StatusCode::CONFLICT,
            ApiError::new(
                ErrorCode::LinkUsed,
                "This link was followed already: the address is verified. If you changed it \
                 since, use the link sent to the new address.",
            ),
        ),
        R::LinkExpired => (
            StatusCode::GONE,
            ApiError::new(
                ErrorCode::LinkExpired,
                "This link has expired (links last 24 hours). Give your address again on your \
                 account page to get a new one.",
            ),
        ),
        R::PasskeysUnavailable => (
            StatusCode::CONFLICT,
            ApiError::new(
                ErrorCode::PasskeysUnavailable,
                "This server offers no passkeys: it was started without the address they are \
                 bound to (--public-url). Ask its operator, or use an authenticator app.",
            ),
        ),
        R::LastFactor => (
            StatusCode::CONFLICT,
            ApiError::new(
                ErrorCode::LastFactor,
                "An administrator keeps a second factor. Add another passkey or an \
                 authenticator app first, then remove this one.",
            ),
        ),
        R::PasskeyRequired => (
            StatusCode::FORBIDDEN,
            ApiError::new(
                ErrorCode::PasskeyRequired,
                "This consultation asks its conveners to sign in with a passkey. Add one on your \
                 account page if you have none, sign out, then sign in with it.",
            ),
        ),
        R::PasskeyTaken => (
            StatusCode::CONFLICT,
            ApiError::new(
                ErrorCode::PasskeyTaken,
                "This passkey is registered already. Use it to sign in, or add another.",
            ),
        ),
        R::OwnComment => (
            StatusCode::CONFLICT,
            ApiError::new(
                ErrorCode::OwnComment,
                "This is your own comment: edit it instead of flagging it.",
            ),
        ),
        R::AlreadyFlagged => (
            StatusCode::CONFLICT,
            ApiError::new(
                ErrorCode::AlreadyFlagged,
                "You flagged this comment already; the conveners will look at it.",
            ),
        ),
    }
}

impl AppError {
    /// Whether the database is away, busy past its timeout or out of space: nothing the client
    /// did, and worth trying again (503).
    pub fn is_unavailable(&self) -> bool {
        match self {
            Self::Database(e) => database_unavailable(e),
            Self::Writer(e) => writer_unavailable(e),
            _ => false,
        }
    }
}

/// PostgreSQL's refusal of a character its text cannot hold (NUL, or one outside the encoding):
/// something the client sent, wherever it came from (a path, a query, a body).
fn refused_characters(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => matches!(db.code().as_deref(), Some("22021" | "22P05")),
        _ => false,
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, body) = self.status_and_body();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let unavailable = status == StatusCode::SERVICE_UNAVAILABLE;
        let mut response = (status, Json(body)).into_response();
        if unavailable {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, 5.into());
        }
        if let Self::Refused(Refusal::TooManyAttempts {
            retry_after_secs, ..
        }) = self
        {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, retry_after_secs.into());
        }
        response
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Refused(refusal) => Self::Refused(refusal),
            StoreError::Database(e) => Self::Database(e),
            StoreError::Writer(e) => Self::Writer(e),
            StoreError::Corrupt(what) => Self::Corrupt(what),
            StoreError::Unavailable(why) => Self::NotReady(why),
            StoreError::Internal(e) => Self::Internal(e),
        }
    }
}

impl From<DocumentError> for AppError {
    fn from(e: DocumentError) -> Self {
        let (status, code, message) = match &e {
            DocumentError::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::DocumentTooLarge,
                format!(
                    "The file is larger than {} MB, the most Concord reads. Send a smaller file, \
                     or paste the text.",
                    DOCUMENT_MAX / (1024 * 1024)
                ),
            ),
            DocumentError::UnpacksTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::DocumentTooLarge,
                format!(
                    "The document unpacks to more than {} MB, the most Concord reads. Save it \
                     again without embedded files, or paste the text.",
                    UNPACKED_MAX / (1024 * 1024)
                ),
            ),
            DocumentError::Unsupported(_) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedDocument,
                "Concord reads Markdown (.md), plain text (.txt), Word (.docx) and \
                 OpenDocument (.odt) files. Save the draft in one of these formats."
                    .to_owned(),
            ),
            DocumentError::Mislabelled(format) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedDocument,
                format!(
                    "This file's content is not {format}, although its name or type says so. \
                     Check the file, or save it again in the format its name says."
                ),
            ),
            DocumentError::NotUtf8 => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedDocument,
                "This text is not in UTF-8. Save it again with the UTF-8 encoding (in most \
                 editors: Save as…, then Encoding: UTF-8), or paste it."
                    .to_owned(),
            ),
            DocumentError::Corrupt { format, .. } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::CorruptDocument,
                format!(
                    "This document ({format}) is damaged and cannot be read. Open it in a word \
                     processor, save it again and retry."
                ),
            ),
            DocumentError::Empty => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::EmptyDocument,
                "The document holds no text to import.".to_owned(),
            ),
        };
        tracing::info!(event = "document_refused", reason = %e, "a draft document was refused");
        Self::Rejected {
            status,
            code,
            message,
        }
    }
}
