//! The one error shape every failing API call answers with, and its stable codes.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A stable, machine-readable error code. Clients match on these; the message may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The body is not valid JSON.
    MalformedJson,
    /// The JSON is well formed but a field has the wrong type or an unknown value.
    InvalidJson,
    /// The request did not say `Content-Type: application/json`.
    UnsupportedMediaType,
    /// The body is larger than the server accepts.
    PayloadTooLarge,
    /// A segment of the address is not valid (not UTF-8, or not of the expected type).
    InvalidPath,
    /// One or more fields break a rule; see `fields`.
    ValidationFailed,
    /// No such route or resource.
    NotFound,
    /// The route exists but not for this method.
    MethodNotAllowed,
    /// The action needs a signed-in account.
    NotSignedIn,
    /// Handle or password is wrong (deliberately not saying which).
    InvalidCredentials,
    /// Too many failed sign-ins recently; wait (see the `Retry-After` header).
    TooManyAttempts,
    /// Somebody already uses this handle.
    HandleTaken,
    /// The round's current phase does not allow this action.
    PhaseClosed,
    /// A browser sent a state-changing request from another site.
    CrossSiteRequest,
    /// Two-factor sign-in is on already.
    TwoFactorAlreadyOn,
    /// The account may not do this.
    Forbidden,
    /// The action needs an administrator who has turned on two-factor sign-in.
    TwoFactorRequired,
    /// An organisation with this name exists.
    OrganisationExists,
    /// Confirming two-factor sign-in before starting it.
    TwoFactorNotStarted,
    /// The consultation is by invitation only and the account has not accepted one.
    NotInvited,
    /// The invitation has been used already.
    InvitationUsed,
    /// The invitation's time ran out.
    InvitationExpired,
    /// A convener revoked the invitation.
    InvitationRevoked,
    /// A round with this slug exists in the consultation.
    RoundExists,
    /// The newest round is still open; close it before opening the next.
    PreviousRoundOpen,
    /// The round cannot move to that phase (after closing, only publication).
    PhaseMoveRefused,
    /// Taking a position needs the participant's stakeholder group first.
    GroupRequired,
    /// In a round counting one position per organisation, only its representative casts it.
    NotRepresentative,
    /// The round's results are public once it is published.
    NotPublished,
    /// Only a comment's author edits it.
    NotAuthor,
    /// The conveners hid the comment; it cannot be edited.
    CommentHidden,
    /// One flags another's comment, once.
    AlreadyFlagged,
    /// One does not flag one's own comment.
    OwnComment,
    /// A consultation with this address exists.
    ConsultationExists,
    /// The consultation is archived: it can be read, not changed.
    Archived,
    /// A round is taking comments or positions; close it first.
    RoundStillOpen,
    /// The document is of a kind Concord does not read, or not of the kind it says it is.
    UnsupportedDocument,
    /// The document cannot be read: a broken ZIP or XML, or not text.
    CorruptDocument,
    /// The document, or what it unpacks to, is larger than Concord reads.
    DocumentTooLarge,
    /// The document holds no text.
    EmptyDocument,
    /// A record bundle was not imported: not signed by the key given, changed, or damaged.
    BundleRefused,
    /// A passkey's answer was not accepted (another site, another request, a counter gone
    /// backwards, a passkey not the account's); the message says which.
    PasskeyRefused,
    /// The passkey request is over (they last five minutes) or was answered already.
    CeremonyExpired,
    /// This server offers no passkeys (it was started without the address they are bound to).
    PasskeysUnavailable,
    /// The account's last second factor cannot be removed (an administrator keeps one).
    LastFactor,
    /// The consultation asks its conveners to sign in with a passkey.
    PasskeyRequired,
    /// This passkey is registered already.
    PasskeyTaken,
    /// This server sends no e-mail (it was started without an SMTP server).
    EmailUnavailable,
    /// This link (an address's verification) was followed already.
    LinkUsed,
    /// This link (an address's verification) has expired.
    LinkExpired,
    /// The database cannot be reached or has no space left; nothing was written. Try again.
    Unavailable,
    /// Something failed on the server; nothing the client sent caused it.
    Internal,
}

impl ErrorCode {
    /// The code as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MalformedJson => "malformed_json",
            Self::InvalidJson => "invalid_json",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::PayloadTooLarge => "payload_too_large",
            Self::InvalidPath => "invalid_path",
            Self::ValidationFailed => "validation_failed",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::NotSignedIn => "not_signed_in",
            Self::InvalidCredentials => "invalid_credentials",
            Self::TooManyAttempts => "too_many_attempts",
            Self::HandleTaken => "handle_taken",
            Self::PhaseClosed => "phase_closed",
            Self::CrossSiteRequest => "cross_site_request",
            Self::TwoFactorAlreadyOn => "two_factor_already_on",
            Self::Forbidden => "forbidden",
            Self::TwoFactorRequired => "two_factor_required",
            Self::OrganisationExists => "organisation_exists",
            Self::TwoFactorNotStarted => "two_factor_not_started",
            Self::NotInvited => "not_invited",
            Self::InvitationUsed => "invitation_used",
            Self::InvitationExpired => "invitation_expired",
            Self::InvitationRevoked => "invitation_revoked",
            Self::RoundExists => "round_exists",
            Self::PreviousRoundOpen => "previous_round_open",
            Self::PhaseMoveRefused => "phase_move_refused",
            Self::GroupRequired => "group_required",
            Self::NotRepresentative => "not_representative",
            Self::NotPublished => "not_published",
            Self::NotAuthor => "not_author",
            Self::CommentHidden => "comment_hidden",
            Self::AlreadyFlagged => "already_flagged",
            Self::OwnComment => "own_comment",
            Self::ConsultationExists => "consultation_exists",
            Self::Archived => "archived",
            Self::RoundStillOpen => "round_still_open",
            Self::UnsupportedDocument => "unsupported_document",
            Self::CorruptDocument => "corrupt_document",
            Self::DocumentTooLarge => "document_too_large",
            Self::EmptyDocument => "empty_document",
            Self::BundleRefused => "bundle_refused",
            Self::PasskeyRefused => "passkey_refused",
            Self::CeremonyExpired => "ceremony_expired",
            Self::PasskeysUnavailable => "passkeys_unavailable",
            Self::LastFactor => "last_factor",
            Self::PasskeyRequired => "passkey_required",
            Self::PasskeyTaken => "passkey_taken",
            Self::EmailUnavailable => "email_unavailable",
            Self::LinkUsed => "link_used",
            Self::LinkExpired => "link_expired",
            Self::Unavailable => "unavailable",
            Self::Internal => "internal",
        }
    }
}

/// A rule broken by one field of a request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The field's name in the request body, e.g. `reason`.
    pub field: String,
    /// A stable code for the rule, e.g. `required`, `too_long`.
    pub code: String,
    /// A sentence a person can act on.
    pub message: String,
}

impl FieldError {
    /// A field error for `field` breaking rule `code`.
    pub fn new(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

/// The body of every 4xx and 5xx answer of the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    /// Stable code, see [`ErrorCode`].
    pub code: ErrorCode,
    /// A sentence a person can act on.
    pub message: String,
    /// Per-field details when `code` is `validation_failed`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

impl ApiError {
    /// An error without field details.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            fields: Vec::new(),
        }
    }

    /// A `validation_failed` error carrying the broken field rules.
    pub fn validation(fields: Vec<FieldError>) -> Self {
        Self {
            code: ErrorCode::ValidationFailed,
            message: "Some fields need attention.".to_owned(),
            fields,
        }
    }

    /// The message attached to `field`, if the error names it.
    pub fn field(&self, field: &str) -> Option<&FieldError> {
        self.fields.iter().find(|f| f.field == field)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}
