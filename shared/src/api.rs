//! Request and response bodies of the HTTP API under `/api/v1`.

use crate::{
    Chambered, ConsensusLevel, Counting, MinorityStatement, PhaseChange, RedlineSegment, Results,
    Rule, Schedule,
};
use serde::{Deserialize, Serialize};

/// Where a round stands in its annual review; phases are ordered as a round walks through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// The convener prepares the text; participants cannot act yet.
    Draft,
    /// Participants comment on clauses.
    Commenting,
    /// Participants comment and take positions.
    Voting,
    /// Nothing changes any more; results are being prepared.
    Closed,
    /// Results and record are public.
    Published,
}

impl Phase {
    /// Every phase, in the order a round walks through them.
    pub const ALL: [Phase; 5] = [
        Phase::Draft,
        Phase::Commenting,
        Phase::Voting,
        Phase::Closed,
        Phase::Published,
    ];

    /// The phase as stored and sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Commenting => "commenting",
            Self::Voting => "voting",
            Self::Closed => "closed",
            Self::Published => "published",
        }
    }

    /// The phase named `s`, as written by [`Phase::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// Whether participants may post comments in this phase.
    pub fn accepts_comments(self) -> bool {
        matches!(self, Self::Commenting | Self::Voting)
    }

    /// Whether participants may take or change positions in this phase.
    pub fn accepts_positions(self) -> bool {
        self == Self::Voting
    }
}

/// A position a participant takes on a clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Stance {
    /// Supports the clause as written.
    Endorse,
    /// Supports the clause but records a reservation (a reason is required).
    EndorseWithReservation,
    /// Opposes the clause (a reason is required).
    Oppose,
    /// Takes part without supporting or opposing.
    Abstain,
}

impl Stance {
    /// Every stance, in the order they are offered.
    pub const ALL: [Stance; 4] = [
        Stance::Endorse,
        Stance::EndorseWithReservation,
        Stance::Oppose,
        Stance::Abstain,
    ];

    /// The stance as stored and sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Endorse => "endorse",
            Self::EndorseWithReservation => "endorse_with_reservation",
            Self::Oppose => "oppose",
            Self::Abstain => "abstain",
        }
    }

    /// The stance named `s`, as written by [`Stance::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// Whether taking this stance requires a written reason.
    pub fn requires_reason(self) -> bool {
        matches!(self, Self::EndorseWithReservation | Self::Oppose)
    }
}

/// Counts of current positions on one clause.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tally {
    pub endorse: u64,
    pub endorse_with_reservation: u64,
    pub oppose: u64,
    pub abstain: u64,
}

impl Tally {
    /// Adds `count` positions of `stance`.
    pub fn add(&mut self, stance: Stance, count: u64) {
        *self.slot(stance) += count;
    }

    /// The count for one stance.
    pub fn count(&self, stance: Stance) -> u64 {
        match stance {
            Stance::Endorse => self.endorse,
            Stance::EndorseWithReservation => self.endorse_with_reservation,
            Stance::Oppose => self.oppose,
            Stance::Abstain => self.abstain,
        }
    }

    /// All positions taken, abstentions included.
    pub fn total(&self) -> u64 {
        Stance::ALL.into_iter().map(|s| self.count(s)).sum()
    }

    fn slot(&mut self, stance: Stance) -> &mut u64 {
        match stance {
            Stance::Endorse => &mut self.endorse,
            Stance::EndorseWithReservation => &mut self.endorse_with_reservation,
            Stance::Oppose => &mut self.oppose,
            Stance::Abstain => &mut self.abstain,
        }
    }
}

/// One round of a consultation, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoundSummary {
    /// The round's identifier within its consultation, e.g. `2019`.
    pub slug: String,
    /// A human title, e.g. `2019 review`.
    pub title: String,
    /// The phase now (scheduled changes that are due included).
    pub phase: Phase,
    /// The next scheduled phase change, if any.
    #[serde(default)]
    pub deadline: Option<PhaseChange>,
}

/// A consultation as listed on the home page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsultationSummary {
    pub slug: String,
    pub title: String,
    pub description: String,
    pub access: ConsultationAccess,
    /// The newest round, if any.
    pub current_round: Option<RoundSummary>,
    /// The title in each language that has one; `title` is the first of them.
    #[serde(default)]
    pub titles: Vec<crate::LocalTitle>,
    /// Archived: read-only, still readable, its records still downloadable.
    #[serde(default)]
    pub archived: bool,
}

/// A consultation with all its rounds, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Consultation {
    pub slug: String,
    pub title: String,
    pub description: String,
    pub access: ConsultationAccess,
    pub rounds: Vec<RoundSummary>,
    /// Comments on the consultation, every round together.
    #[serde(default)]
    pub comments: u64,
    /// Of those, how many have a response from the conveners.
    #[serde(default)]
    pub answered: u64,
    /// The title in each language that has one; `title` is the first of them.
    #[serde(default)]
    pub titles: Vec<crate::LocalTitle>,
    /// The stakeholder groups taking part, in the order offered.
    #[serde(default)]
    pub stakeholder_groups: Vec<StakeholderGroup>,
    /// The regions participants choose from, in the order offered.
    #[serde(default)]
    pub regions: Vec<String>,
    /// Archived: read-only, still readable, its records still downloadable.
    #[serde(default)]
    pub archived: bool,
    /// Its conveners must sign in with a passkey to act on it.
    #[serde(default)]
    pub conveners_need_passkey: bool,
}

/// A clause as listed in its round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClauseSummary {
    /// Stable key that survives rounds, e.g. `protect-individuals`.
    pub key: String,
    pub number: i64,
    pub title: String,
    /// `None` while the round hides results from the caller.
    pub tally: Option<Tally>,
    pub comment_count: u64,
    /// Set when this is a participant's proposal.
    #[serde(default)]
    pub proposal: Option<crate::ProposalInfo>,
}

/// A round with its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Round {
    pub consultation_slug: String,
    pub consultation_title: String,
    pub slug: String,
    pub title: String,
    pub phase: Phase,
    /// The next scheduled phase change, if any.
    #[serde(default)]
    pub deadline: Option<PhaseChange>,
    #[serde(default)]
    pub schedule: Schedule,
    /// Participants see no counts until the round closes.
    #[serde(default)]
    pub hide_results: bool,
    /// The slug of the round this one follows.
    #[serde(default)]
    pub previous_round: Option<String>,
    #[serde(default)]
    pub rule: Rule,
    #[serde(default)]
    pub abstentions_count: bool,
    #[serde(default)]
    pub counting: Counting,
    /// What comes before the clauses, rendered and cleaned like a clause; may be empty.
    #[serde(default)]
    pub preamble_html: String,
    /// Its Markdown source.
    #[serde(default)]
    pub preamble_md: String,
    pub clauses: Vec<ClauseSummary>,
    /// Participants' amendments and additions, in the order proposed.
    #[serde(default)]
    pub proposals: Vec<ClauseSummary>,
}

/// One clause in full.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Clause {
    pub consultation_slug: String,
    pub consultation_title: String,
    pub round: RoundSummary,
    pub key: String,
    pub number: i64,
    pub title: String,
    /// The Markdown body rendered to HTML by the server, with anything unsafe removed; passages
    /// that comments quote are inside `<mark>`.
    pub body_html: String,
    /// The Markdown source, for editing.
    #[serde(default)]
    pub body_md: String,
    /// The conveners' translations, one per language at most.
    #[serde(default)]
    pub translations: Vec<crate::ClauseTranslation>,
    /// The words of the text as readers see it, in order: what a passage is chosen from.
    #[serde(default)]
    pub words: Vec<String>,
    /// `None` while the round hides results from the caller.
    pub results: Option<Results>,
    /// Why the clause changed since the previous round.
    #[serde(default)]
    pub change_note: String,
    /// Ids of the previous round's comments on this clause that led to the change.
    #[serde(default)]
    pub responds_to: Vec<i64>,
    /// The slug of the previous round, when this clause was in it.
    #[serde(default)]
    pub previous_round: Option<String>,
    /// The body's changes since the previous round; `None` for a clause new in this round.
    #[serde(default)]
    pub redline: Option<Vec<RedlineSegment>>,
    /// The caller's stakeholder group in this consultation, once stated.
    #[serde(default)]
    pub my_group: Option<StakeholderGroup>,
    /// Set when this is a participant's proposal; an amendment's `redline` is then against the
    /// clause it rewrites.
    #[serde(default)]
    pub proposal: Option<crate::ProposalInfo>,
    /// The conveners' response to a proposal.
    #[serde(default)]
    pub response: Option<crate::Response>,
    /// Whose positions the round counts.
    #[serde(default)]
    pub counting: Counting,
    /// The result under the round's rule, when results are shown.
    #[serde(default)]
    pub chambered: Option<Chambered>,
    /// Designated by the conveners after the round closes.
    #[serde(default)]
    pub consensus: Option<ConsensusLevel>,
    #[serde(default)]
    pub minority_statements: Vec<MinorityStatement>,
    /// The signed-in participant's current position, if any.
    pub my_position: Option<Position>,
    /// Who may comment and take positions in this consultation.
    pub access: ConsultationAccess,
    /// Whether the caller may take part: signed in, and the consultation is open or the caller
    /// accepted an invitation to it (or convenes it).
    pub may_take_part: bool,
}

impl Clause {
    /// Whether a signed-in reader may take part here: the consultation is open to everyone,
    /// or they were let in.
    pub fn open_to_reader(&self) -> bool {
        self.access == ConsultationAccess::Open || self.may_take_part
    }
}

/// Body of `PUT …/position`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CastPosition {
    pub stance: Stance,
    /// Required for `endorse_with_reservation` and `oppose`.
    #[serde(default)]
    pub reason: Option<String>,
}

/// A participant's current position on a clause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Position {
    pub stance: Stance,
    pub reason: Option<String>,
    /// Milliseconds since the Unix epoch.
    pub updated_at_ms: i64,
    /// A digest of this position that the published record lists, so the voter can check it was
    /// counted as cast without anyone else learning which one is theirs.
    #[serde(default)]
    pub receipt: String,
}

/// Answer to `PUT …/position`: the position as stored and the clause's new tally.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PositionCast {
    pub position: Position,
    /// `None` while the round hides results.
    pub tally: Option<Tally>,
}

/// Body of sign-up and sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Credentials {
    pub handle: String,
    pub password: String,
}

/// The signed-in account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub handle: String,
    /// Whether sign-in asks for a second factor (TOTP or a recovery code).
    #[serde(default)]
    pub two_factor: bool,
    /// Whether the account administers this Concord (acting as such also needs `two_factor`).
    #[serde(default)]
    pub admin: bool,
    /// The slugs of the consultations the account convenes (acting as such also needs
    /// `two_factor`).
    #[serde(default)]
    pub convenes: Vec<String>,
    /// Whether the account's authenticator app (TOTP) is on.
    #[serde(default)]
    pub totp: bool,
    /// How many passkeys the account has.
    #[serde(default)]
    pub passkeys: u32,
}

/// Answer to `POST /session`: signed in, or the password was right and a second factor is due
/// (then `POST /session/second-factor` finishes the sign-in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SignInOutcome {
    SignedIn(Me),
    SecondFactorRequired {
        /// Whether the account has a passkey to use for it (else a code).
        #[serde(default)]
        passkey: bool,
    },
}

/// A code from an authenticator app, or a recovery code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OneTimeCode {
    pub code: String,
}

/// The account's password, to confirm a sensitive change (ASVS 7.5.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordConfirmation {
    pub password: String,
}

/// What an authenticator app needs to start producing codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TotpSetup {
    /// The shared secret, base32, for typing into an app.
    pub secret_base32: String,
    /// The `otpauth://` address the QR code holds.
    pub otpauth_uri: String,
    /// The QR code as an SVG image, drawn by the server.
    pub qr_svg: String,
}

/// Recovery codes, shown once when two-factor sign-in is turned on; each works once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecoveryCodes {
    pub codes: Vec<String>,
}

/// A passkey ceremony begun: what the browser is asked, and the token that finishes it (it
/// lasts five minutes and answers once).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasskeyChallenge {
    pub ceremony: String,
    /// `PublicKeyCredentialCreationOptionsJSON` or `PublicKeyCredentialRequestOptionsJSON`
    /// (WebAuthn Level 3), for `PublicKeyCredential.parse…OptionsFromJSON()`.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub options: serde_json::Value,
}

/// Body of `POST /account/passkeys/registration`: the password again (ASVS 6.6).
pub type PasskeyStart = PasswordConfirmation;

/// Body finishing the registration of a passkey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewPasskey {
    pub ceremony: String,
    /// The owner's name for it, e.g. "my phone" (at most 60 characters).
    pub name: String,
    /// The browser's answer, `RegistrationResponseJSON` (`credential.toJSON()`).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub credential: serde_json::Value,
}

/// Body finishing a sign-in with a passkey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasskeyAnswer {
    pub ceremony: String,
    /// The browser's answer, `AuthenticationResponseJSON` (`credential.toJSON()`).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub credential: serde_json::Value,
}

/// A passkey of the account, as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasskeyInfo {
    pub id: i64,
    pub name: String,
    /// Milliseconds since the Unix epoch.
    pub created_at_ms: i64,
    /// Milliseconds since the Unix epoch; none before its first sign-in.
    pub last_used_at_ms: Option<i64>,
}

/// A passkey just added and, when it is the account's first second factor, its recovery codes
/// (shown this once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasskeyAdded {
    pub passkey: PasskeyInfo,
    #[serde(default)]
    pub recovery_codes: Vec<String>,
}

/// A change to how the account signs in, as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecurityEvent {
    /// Milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// `account.created`, `passkey.added`, `passkey.removed`, `totp.enabled`, `totp.disabled`
    /// or `account.second_factor_locked` (too many wrong codes).
    pub action: String,
}

/// Body of `PUT /consultations/{slug}/convener-passkeys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasskeyRule {
    /// Whether the consultation's conveners must sign in with a passkey to act on it.
    pub required: bool,
}

/// One signed-in session of the account, as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionInfo {
    /// Opaque identifier, for ending this session.
    pub id: String,
    /// Milliseconds since the Unix epoch.
    pub created_at_ms: i64,
    /// Milliseconds since the Unix epoch (updated at most once a minute).
    pub last_seen_at_ms: i64,
    /// Whether this is the session making the request.
    pub current: bool,
}

/// Body of `PUT /account/password`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordChange {
    /// The password in use now (ASVS 7.5.1).
    pub current_password: String,
    pub new_password: String,
    /// End every other session of the account (ASVS 7.4.3).
    #[serde(default)]
    pub end_other_sessions: bool,
}

/// Everything Concord holds about one account (`GET /account/export`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountExport {
    pub handle: String,
    /// Milliseconds since the Unix epoch.
    pub created_at_ms: i64,
    pub sessions: Vec<SessionInfo>,
    pub comments: Vec<ExportedComment>,
    /// Every position ever cast, oldest first (the current one is the last per clause).
    pub positions: Vec<ExportedPosition>,
    pub memberships: Vec<Membership>,
    /// The consultations the account was let into by an invitation.
    pub participations: Vec<Participation>,
    /// The slugs of the consultations the account convenes.
    pub convenes: Vec<String>,
    /// The organisation shown next to the handle, by slug.
    pub shown_organisation: Option<String>,
    /// Amendments and additions proposed.
    #[serde(default)]
    pub proposals: Vec<ExportedProposal>,
    /// Comments flagged for the conveners, with the reasons given.
    #[serde(default)]
    pub flags: Vec<ExportedFlag>,
    /// The passkeys registered (their names and dates; the public keys are not personal data).
    #[serde(default)]
    pub passkeys: Vec<PasskeyInfo>,
    /// The e-mail address given for reminders, if any (verified or not).
    #[serde(default)]
    pub email_address: Option<String>,
    /// The reminders asked for, consultation by consultation.
    #[serde(default)]
    pub reminders: Vec<crate::following::ReminderChoice>,
}

/// A proposal in an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedProposal {
    /// Where it is read: its own key among the round's clauses.
    pub on: ClauseRef,
    pub kind: crate::ProposalKind,
    pub title: String,
    pub body_md: String,
    pub proposed_at_ms: i64,
}

/// A flag in an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedFlag {
    pub comment_id: i64,
    pub reason: String,
    pub flagged_at_ms: i64,
}

/// Where something was written: consultation, round, clause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClauseRef {
    pub consultation: String,
    pub round: String,
    pub clause: String,
}

/// A comment in an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedComment {
    pub on: ClauseRef,
    pub body: String,
    pub created_at_ms: i64,
}

/// A position in an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedPosition {
    pub on: ClauseRef,
    pub stance: Stance,
    pub reason: Option<String>,
    pub cast_at_ms: i64,
    /// The receipt of this cast, to find in the published record.
    #[serde(default)]
    pub receipt: String,
}

/// The part of society an organisation speaks for; tallies count each as one house.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StakeholderGroup {
    CivilSociety,
    PrivateSector,
    Government,
    Academia,
    TechnicalCommunity,
    Intergovernmental,
}

impl StakeholderGroup {
    /// Every group, in the order they are offered.
    pub const ALL: [StakeholderGroup; 6] = [
        StakeholderGroup::CivilSociety,
        StakeholderGroup::PrivateSector,
        StakeholderGroup::Government,
        StakeholderGroup::Academia,
        StakeholderGroup::TechnicalCommunity,
        StakeholderGroup::Intergovernmental,
    ];

    /// The group as stored and sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CivilSociety => "civil_society",
            Self::PrivateSector => "private_sector",
            Self::Government => "government",
            Self::Academia => "academia",
            Self::TechnicalCommunity => "technical_community",
            Self::Intergovernmental => "intergovernmental",
        }
    }

    /// The group named `s`, as written by [`StakeholderGroup::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == s)
    }
}

/// An organisation taking part in consultations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Organisation {
    pub slug: String,
    pub name: String,
    pub stakeholder_group: StakeholderGroup,
    pub region: String,
    /// An administrator or convener checked that the organisation is who it says it is;
    /// until then it is self-declared by a participant.
    pub verified: bool,
    /// The handle of the member who casts the organisation's position when a round counts one
    /// per organisation.
    #[serde(default)]
    pub representative: Option<String>,
    /// The name of an earlier organisation that this one's name could be mistaken for on
    /// screen (the same Unicode confusables skeleton, ignoring case and spaces): a warning to
    /// check which is which before verifying or joining it.
    #[serde(default)]
    pub looks_like: Option<String>,
}

/// Body of `POST /organisations`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewOrganisation {
    pub name: String,
    pub stakeholder_group: StakeholderGroup,
    pub region: String,
}

/// Where a participant stands with an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MembershipStatus {
    /// Asked to join; an administrator has not accepted yet.
    Requested,
    /// Belongs to the organisation.
    Member,
}

impl MembershipStatus {
    /// The status as stored and sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Member => "member",
        }
    }

    /// The status named `s`.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Requested, Self::Member]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
}

/// A participant's membership of an organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Membership {
    /// The organisation's slug.
    pub organisation: String,
    pub organisation_name: String,
    pub status: MembershipStatus,
}

/// A request to join an organisation, as administrators see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MembershipRequest {
    /// The organisation's slug.
    pub organisation: String,
    pub organisation_name: String,
    /// The participant's handle.
    pub handle: String,
}

/// Who may comment and take positions in a consultation (anyone may read it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConsultationAccess {
    /// Anyone may sign up and take part.
    #[default]
    Open,
    /// Only those who accepted an invitation, and the conveners.
    Invitation,
}

impl ConsultationAccess {
    /// The access as stored and sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Invitation => "invitation",
        }
    }

    /// The access named `s`.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Open, Self::Invitation]
            .into_iter()
            .find(|a| a.as_str() == s)
    }
}

/// Body of `PUT /consultations/{slug}/access`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccessChange {
    pub access: ConsultationAccess,
}

/// A convener of a consultation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Convener {
    pub handle: String,
    /// Whether they turned on two-factor sign-in, without which they cannot act as convener.
    pub two_factor: bool,
}

/// Body of `POST /consultations/{slug}/invitations`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewInvitation {
    /// For an invitation on behalf of an organisation, its slug: accepting makes one a member.
    #[serde(default)]
    pub organisation: Option<String>,
    /// The stakeholder group the person will take part in.
    pub stakeholder_group: StakeholderGroup,
    /// How many days the link works, 1 to 90.
    #[serde(default = "default_valid_days")]
    pub valid_days: i64,
    /// The convener's own reminder of whom the link is for; only conveners see it.
    #[serde(default)]
    pub note: String,
}

/// Invitations work for two weeks unless the convener says otherwise.
pub fn default_valid_days() -> i64 {
    14
}

/// Where an invitation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InvitationStatus {
    /// Issued, neither used nor expired nor revoked.
    Sent,
    Accepted,
    Expired,
    Revoked,
}

crate::review::wire_names!(InvitationStatus {
    Sent => "sent",
    Accepted => "accepted",
    Expired => "expired",
    Revoked => "revoked",
});

/// An invitation as its consultation's conveners see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Invitation {
    pub id: i64,
    /// The organisation's slug, for an invitation on behalf of one.
    pub organisation: Option<String>,
    pub organisation_name: Option<String>,
    pub stakeholder_group: StakeholderGroup,
    pub note: String,
    pub status: InvitationStatus,
    /// Milliseconds since the Unix epoch.
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
    /// The handle of whoever accepted it.
    pub accepted_by: Option<String>,
}

/// Answer to `POST /consultations/{slug}/invitations`: the invitation and its secret, shown
/// this once. The link to send is `/invitation#` followed by the token: the part after `#`
/// never leaves the browser, so the token appears in no server log and no `Referer`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssuedInvitation {
    pub invitation: Invitation,
    pub token: String,
}

/// Body of `POST /invitations/preview` and `POST /invitations/accept`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitationToken {
    pub token: String,
}

/// What an invitation offers, shown before accepting it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitationPreview {
    pub consultation_slug: String,
    pub consultation_title: String,
    pub organisation_name: Option<String>,
    pub stakeholder_group: StakeholderGroup,
    pub status: InvitationStatus,
    /// Milliseconds since the Unix epoch.
    pub expires_at_ms: i64,
}

/// A consultation one takes part in by invitation, with the group and organisation assigned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Participation {
    pub consultation_slug: String,
    pub consultation_title: String,
    pub stakeholder_group: StakeholderGroup,
    /// The organisation's slug, when the invitation was on behalf of one.
    pub organisation: Option<String>,
    /// Where the participant works (the organisation's region, or their own words).
    #[serde(default)]
    pub region: String,
}

/// Body of `PUT /organisations/{slug}/representative`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RepresentativeChange {
    /// A member's handle.
    pub handle: String,
}

/// Body of `PUT /account/profile`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfileChange {
    /// The slug of an organisation the account belongs to, shown next to its handle on public
    /// pages; `None` shows the handle alone.
    #[serde(default)]
    pub shown_organisation: Option<String>,
}

/// Answer of `GET /.well-known/concord-audit-head`: how long the audit chain is now and its last
/// hash, signed with the instance's record key, for observers to keep. `statement` is what was
/// signed; `signature` is a minisign signature of it (save them as two files and run
/// `minisign -Vm FILE -p concord-record-key.pub`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditHeadStatement {
    pub entries: i64,
    pub hash: String,
    /// RFC 3339, UTC.
    pub at: String,
    pub statement: String,
    pub signature: String,
}
