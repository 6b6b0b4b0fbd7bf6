//! What a rule of the domain refuses, in the domain's own words: no status code and no HTTP.
//! The store and the domain return these; `http::error` answers each with its status and a
//! message a person can act on.

use shared::{FieldError, Phase};

/// What came too often, for the words of a refusal to try again yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempts {
    SignIns,
    Codes,
    SignUps,
    /// Verification links sent for one account.
    EmailLinks,
}

/// Why a passkey's answer was refused; each has a stable code (the `credential` field's) and
/// words a person can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasskeyProblem {
    /// Signed for another origin or relying party: a phishing site's, or the wrong address.
    AnotherSite,
    /// Signed for another challenge.
    AnotherRequest,
    /// Its signature counter did not move forwards: a copied passkey, or a replay.
    Counter,
    /// The authenticator did not verify its user.
    Unverified,
    /// No account here has this passkey (or it names another account).
    NotRegistered,
    /// The account has no passkey to use as a second factor.
    NoPasskey,
    /// Anything else that does not verify.
    Unverifiable,
}

impl PasskeyProblem {
    pub fn code(self) -> &'static str {
        match self {
            Self::AnotherSite => "another_site",
            Self::AnotherRequest => "another_request",
            Self::Counter => "counter",
            Self::Unverified => "unverified",
            Self::NotRegistered => "not_registered",
            Self::NoPasskey => "no_passkey",
            Self::Unverifiable => "unverifiable",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Self::AnotherSite => {
                "This passkey answered for another site, not this one. Sign in on Concord's \
                 own address."
            }
            Self::AnotherRequest => "This passkey answered another request. Start again.",
            Self::Counter => {
                "This passkey's counter went backwards, as happens when a passkey was copied. It \
                 was not accepted: use another passkey or a recovery code, and remove this one."
            }
            Self::Unverified => {
                "The passkey did not check that it is you (a PIN, fingerprint or face). Try \
                 again and confirm on your device."
            }
            Self::NotRegistered => {
                "This passkey is not registered here (it may have been removed). Sign in \
                 another way, then add it again on your account page."
            }
            Self::NoPasskey => {
                "This account has no passkey. Use a code from your authenticator app or a \
                 recovery code."
            }
            Self::Unverifiable => "The passkey's answer could not be verified. Try again.",
        }
    }
}

/// A request the rules refuse, whoever asked and however.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("not signed in")]
    NotSignedIn,
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("too many attempts")]
    TooManyAttempts {
        retry_after_secs: u64,
        what: Attempts,
    },
    #[error("no such {0}")]
    NotFound(&'static str),
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("handle taken")]
    HandleTaken,
    #[error("phase {0:?} does not allow this")]
    PhaseClosed(Phase),
    #[error("two-factor sign-in is on already")]
    TwoFactorAlreadyOn,
    /// The account may not do this; the message says who may.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error("administrators and conveners must turn on two-factor sign-in first")]
    TwoFactorRequired,
    #[error("the consultation is by invitation only")]
    NotInvited,
    #[error("invitation used")]
    InvitationUsed,
    #[error("invitation expired")]
    InvitationExpired,
    #[error("invitation revoked")]
    InvitationRevoked,
    #[error("round exists")]
    RoundExists,
    #[error("the newest round is still open")]
    PreviousRoundOpen,
    #[error("the round cannot move from {0:?} to {1:?}")]
    PhaseMoveRefused(Phase, Phase),
    #[error("the participant has not stated their stakeholder group")]
    GroupRequired,
    #[error("only the organisation's representative casts its position")]
    NotRepresentative,
    #[error("only the organisation's representative speaks for it")]
    NotItsRepresentative,
    #[error("results not published")]
    NotPublished,
    #[error("organisation exists")]
    OrganisationExists,
    #[error("two-factor enrolment not started")]
    TwoFactorNotStarted,
    #[error("consultation exists")]
    ConsultationExists,
    #[error("the consultation is archived")]
    Archived,
    #[error("a round is still open")]
    RoundStillOpen,
    #[error("comment flagged already")]
    AlreadyFlagged,
    #[error("not the comment's author")]
    NotAuthor,
    #[error("the comment is hidden")]
    CommentHidden,
    #[error("one's own comment")]
    OwnComment,
    /// A passkey's answer that does not hold, and why.
    #[error("passkey refused: {0:?}")]
    PasskeyRefused(PasskeyProblem),
    #[error("the passkey ceremony expired or was answered")]
    CeremonyExpired,
    #[error("this server offers no passkeys")]
    PasskeysUnavailable,
    #[error("the last second factor of an administrator")]
    LastFactor,
    #[error("the consultation asks its conveners to sign in with a passkey")]
    PasskeyRequired,
    #[error("passkey registered already")]
    PasskeyTaken,
    #[error("this server sends no e-mail")]
    EmailUnavailable,
    #[error("the link was followed already")]
    LinkUsed,
    #[error("the link has expired")]
    LinkExpired,
}
