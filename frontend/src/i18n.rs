//! The translation layer: every string a person reads goes through here. Each language is one
//! exhaustive `match`, so a missing translation is a compile error, and the catalogue ships
//! inside the wasm (no request for language files). The chosen language is kept in the
//! browser's local storage and mirrored on `<html lang>`.

use leptos::prelude::*;
use shared::{ApiError, ErrorCode, FieldError, Phase, Stance};

/// A language the interface is offered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Fr,
}

impl Lang {
    /// Every language, in the order the switcher lists them.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Fr];

    /// The BCP 47 tag.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }

    /// The language's own name for itself.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Fr => "Français",
        }
    }

    /// The language tagged `tag` (only its primary subtag counts).
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.tag() == primary)
    }
}

/// A fixed interface string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    SkipToContent,
    MainNavigation,
    Breadcrumb,
    Language,
    Consultations,
    ConsultationsIntro,
    NoConsultations,
    Loading,
    CurrentRound,
    NoRounds,
    Rounds,
    Clauses,
    NoClauses,
    Comments,
    NoComments,
    SignIn,
    SignUp,
    SignOut,
    SignedInAs,
    Handle,
    HandleHelp,
    Password,
    PasswordHelp,
    CreateAccount,
    HaveAccount,
    NoAccount,
    YourComment,
    CommentHelp,
    PostComment,
    Posting,
    CommentPosted,
    SignInToComment,
    CommentsClosed,
    TakePosition,
    TakePositionHelp,
    Reason,
    ReasonHelp,
    RecordPosition,
    Saving,
    PositionRecorded,
    YourPosition,
    SignInToTakePosition,
    PositionsClosed,
    Tally,
    NoPositions,
    PhaseLabel,
    NotFoundTitle,
    NotFoundText,
    BackHome,
    SomethingWentWrong,
    FixFields,
}

/// The active language, provided once at the root.
#[derive(Clone, Copy)]
pub struct I18n {
    pub lang: RwSignal<Lang>,
}

const STORAGE_KEY: &str = "concord.lang";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Picks the saved language, else the browser's, else English, and provides it to the app.
pub fn provide_i18n() -> I18n {
    let saved = storage()
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
        .and_then(|t| Lang::from_tag(&t));
    let browser = || {
        web_sys::window()
            .and_then(|w| w.navigator().language())
            .and_then(|t| Lang::from_tag(&t))
    };
    let i18n = I18n {
        lang: RwSignal::new(saved.or_else(browser).unwrap_or(Lang::En)),
    };
    Effect::new(move |_| {
        let lang = i18n.lang.get();
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", lang.tag());
        }
    });
    provide_context(i18n);
    i18n
}

/// The app's translation context.
pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or(I18n {
        lang: RwSignal::new(Lang::En),
    })
}

impl I18n {
    /// Switches language and remembers the choice in this browser.
    pub fn set(&self, lang: Lang) {
        if let Some(s) = storage() {
            let _ = s.set_item(STORAGE_KEY, lang.tag());
        }
        self.lang.set(lang);
    }

    /// The current language (reactive).
    pub fn lang(&self) -> Lang {
        self.lang.get()
    }
}

/// A reactive translation of `key`, for use directly in views and attributes.
pub fn t(key: Key) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let i18n = use_i18n();
    move || text(i18n.lang.get(), key)
}

/// The text of `key` in `lang`.
pub fn text(lang: Lang, key: Key) -> &'static str {
    match lang {
        Lang::En => en(key),
        Lang::Fr => fr(key),
    }
}

fn en(key: Key) -> &'static str {
    use Key::*;
    match key {
        SkipToContent => "Skip to content",
        MainNavigation => "Main",
        Breadcrumb => "You are here",
        Language => "Language",
        Consultations => "Consultations",
        ConsultationsIntro => {
            "Read the text under review, comment on each clause and say where you stand."
        }
        NoConsultations => "There are no consultations yet.",
        Loading => "Loading…",
        CurrentRound => "Current round",
        NoRounds => "This consultation has no rounds yet.",
        Rounds => "Rounds",
        Clauses => "Clauses",
        NoClauses => "This round has no clauses yet.",
        Comments => "Comments",
        NoComments => "No comments yet. Be the first to comment.",
        SignIn => "Sign in",
        SignUp => "Sign up",
        SignOut => "Sign out",
        SignedInAs => "Signed in as",
        Handle => "Handle",
        HandleHelp => {
            "Your public name here: 3–32 letters a–z, digits, '_' or '-'. Do not use your real name if that puts you at risk."
        }
        Password => "Password",
        PasswordHelp => {
            "8 to 128 characters. A passphrase of several words is strong and easy to remember."
        }
        CreateAccount => "Create account",
        HaveAccount => "Already have an account?",
        NoAccount => "No account yet?",
        YourComment => "Your comment",
        CommentHelp => "Shown publicly under your handle.",
        PostComment => "Post comment",
        Posting => "Posting…",
        CommentPosted => "Your comment is posted.",
        SignInToComment => "Sign in to comment.",
        CommentsClosed => "This round does not take comments in its current phase.",
        TakePosition => "Your position",
        TakePositionHelp => "You can change your position until voting closes.",
        Reason => "Reason",
        ReasonHelp => "Required for a reservation or an opposition.",
        RecordPosition => "Record my position",
        Saving => "Saving…",
        PositionRecorded => "Your position is recorded.",
        YourPosition => "Your current position:",
        SignInToTakePosition => "Sign in to take a position.",
        PositionsClosed => "Positions can only be taken while the round is in its voting phase.",
        Tally => "Positions so far",
        NoPositions => "No positions yet.",
        PhaseLabel => "Phase",
        NotFoundTitle => "Page not found",
        NotFoundText => "There is nothing at this address.",
        BackHome => "Back to the consultations",
        SomethingWentWrong => "Something went wrong",
        FixFields => "Please correct the marked fields.",
    }
}

fn fr(key: Key) -> &'static str {
    use Key::*;
    match key {
        SkipToContent => "Aller au contenu",
        MainNavigation => "Principale",
        Breadcrumb => "Vous êtes ici",
        Language => "Langue",
        Consultations => "Consultations",
        ConsultationsIntro => {
            "Lisez le texte en révision, commentez chaque clause et dites où vous vous situez."
        }
        NoConsultations => "Il n’y a pas encore de consultation.",
        Loading => "Chargement…",
        CurrentRound => "Cycle en cours",
        NoRounds => "Cette consultation n’a pas encore de cycle.",
        Rounds => "Cycles",
        Clauses => "Clauses",
        NoClauses => "Ce cycle n’a pas encore de clause.",
        Comments => "Commentaires",
        NoComments => "Pas encore de commentaire. Soyez le premier ou la première.",
        SignIn => "Se connecter",
        SignUp => "Créer un compte",
        SignOut => "Se déconnecter",
        SignedInAs => "Connecté·e en tant que",
        Handle => "Pseudonyme",
        HandleHelp => {
            "Votre nom public ici : 3 à 32 lettres a–z, chiffres, « _ » ou « - ». N’utilisez pas votre vrai nom si cela vous met en danger."
        }
        Password => "Mot de passe",
        PasswordHelp => {
            "8 à 128 caractères. Une phrase de plusieurs mots est solide et facile à retenir."
        }
        CreateAccount => "Créer le compte",
        HaveAccount => "Vous avez déjà un compte ?",
        NoAccount => "Pas encore de compte ?",
        YourComment => "Votre commentaire",
        CommentHelp => "Publié sous votre pseudonyme.",
        PostComment => "Publier",
        Posting => "Publication…",
        CommentPosted => "Votre commentaire est publié.",
        SignInToComment => "Connectez-vous pour commenter.",
        CommentsClosed => "Ce cycle n’accepte pas de commentaires dans sa phase actuelle.",
        TakePosition => "Votre position",
        TakePositionHelp => "Vous pouvez changer de position jusqu’à la clôture du vote.",
        Reason => "Motif",
        ReasonHelp => "Obligatoire pour une réserve ou une opposition.",
        RecordPosition => "Enregistrer ma position",
        Saving => "Enregistrement…",
        PositionRecorded => "Votre position est enregistrée.",
        YourPosition => "Votre position actuelle :",
        SignInToTakePosition => "Connectez-vous pour prendre position.",
        PositionsClosed => "On ne peut prendre position que pendant la phase de vote du cycle.",
        Tally => "Positions à ce jour",
        NoPositions => "Pas encore de position.",
        PhaseLabel => "Phase",
        NotFoundTitle => "Page introuvable",
        NotFoundText => "Il n’y a rien à cette adresse.",
        BackHome => "Retour aux consultations",
        SomethingWentWrong => "Un problème est survenu",
        FixFields => "Veuillez corriger les champs signalés.",
    }
}

/// The name of a phase.
pub fn phase(lang: Lang, phase: Phase) -> &'static str {
    match (lang, phase) {
        (Lang::En, Phase::Draft) => "Draft",
        (Lang::En, Phase::Commenting) => "Commenting",
        (Lang::En, Phase::Voting) => "Voting",
        (Lang::En, Phase::Closed) => "Closed",
        (Lang::En, Phase::Published) => "Published",
        (Lang::Fr, Phase::Draft) => "Projet",
        (Lang::Fr, Phase::Commenting) => "Commentaires",
        (Lang::Fr, Phase::Voting) => "Vote",
        (Lang::Fr, Phase::Closed) => "Clos",
        (Lang::Fr, Phase::Published) => "Publié",
    }
}

/// The name of a stance.
pub fn stance(lang: Lang, stance: Stance) -> &'static str {
    match (lang, stance) {
        (Lang::En, Stance::Endorse) => "Endorse",
        (Lang::En, Stance::EndorseWithReservation) => "Endorse with reservation",
        (Lang::En, Stance::Oppose) => "Oppose",
        (Lang::En, Stance::Abstain) => "Abstain",
        (Lang::Fr, Stance::Endorse) => "Approuver",
        (Lang::Fr, Stance::EndorseWithReservation) => "Approuver avec réserve",
        (Lang::Fr, Stance::Oppose) => "S’opposer",
        (Lang::Fr, Stance::Abstain) => "S’abstenir",
    }
}

/// "N comments".
pub fn comment_count(lang: Lang, n: u64) -> String {
    match (lang, n) {
        (Lang::En, 1) => "1 comment".into(),
        (Lang::En, n) => format!("{n} comments"),
        (Lang::Fr, 0 | 1) => format!("{n} commentaire"),
        (Lang::Fr, n) => format!("{n} commentaires"),
    }
}

/// "N positions".
pub fn position_count(lang: Lang, n: u64) -> String {
    match (lang, n) {
        (Lang::En, 1) => "1 position".into(),
        (Lang::En, n) => format!("{n} positions"),
        (Lang::Fr, 0 | 1) => format!("{n} position"),
        (Lang::Fr, n) => format!("{n} positions"),
    }
}

/// A person-readable sentence for an API error.
pub fn error(lang: Lang, err: &ApiError) -> String {
    let fr = lang == Lang::Fr;
    let s = match err.code {
        ErrorCode::NotFound if fr => "Cette page ou cet élément n’existe pas.",
        ErrorCode::NotFound => "This page or item does not exist.",
        ErrorCode::NotSignedIn if fr => "Votre session a pris fin ; connectez-vous à nouveau.",
        ErrorCode::NotSignedIn => "Your session has ended; please sign in again.",
        ErrorCode::InvalidCredentials if fr => {
            "Ce pseudonyme et ce mot de passe ne correspondent à aucun compte."
        }
        ErrorCode::InvalidCredentials => "That handle and password do not match an account.",
        ErrorCode::HandleTaken if fr => "Ce pseudonyme est déjà pris.",
        ErrorCode::HandleTaken => "This handle is taken.",
        ErrorCode::PhaseClosed if fr => "La phase actuelle du cycle ne le permet pas.",
        ErrorCode::PhaseClosed => "The round's current phase does not allow this.",
        ErrorCode::ValidationFailed => text(lang, Key::FixFields),
        ErrorCode::Internal if fr => {
            "Le serveur est injoignable ou a échoué. Réessayez dans un moment."
        }
        ErrorCode::Internal => {
            "The server could not be reached or failed. Please try again in a moment."
        }
        _ => return err.message.clone(),
    };
    s.to_owned()
}

/// A person-readable sentence for a broken field rule.
pub fn field_error(lang: Lang, err: &FieldError) -> String {
    if lang == Lang::En {
        return err.message.clone();
    }
    let s = match (err.field.as_str(), err.code.as_str()) {
        ("reason", "required") => "Une réserve ou une opposition doit être motivée.",
        ("body", "required") => "Écrivez un commentaire avant de publier.",
        ("handle", "required") => "Choisissez un pseudonyme.",
        ("handle", "too_short") => "Un pseudonyme a au moins 3 caractères.",
        ("handle", "too_long") => "Un pseudonyme a au plus 32 caractères.",
        ("handle", "invalid_characters") => {
            "Utilisez seulement les lettres a–z, les chiffres, « _ » et « - »."
        }
        ("handle", "taken") => "Ce pseudonyme est déjà pris ; choisissez-en un autre.",
        ("password", "too_short") => "Un mot de passe a au moins 8 caractères.",
        ("password", "too_long") => "Un mot de passe a au plus 128 caractères.",
        (_, "too_long") => "Ce texte est trop long.",
        _ => return err.message.clone(),
    };
    s.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags_match_on_their_primary_subtag() {
        assert_eq!(Lang::from_tag("fr-CA"), Some(Lang::Fr));
        assert_eq!(Lang::from_tag("EN_gb"), Some(Lang::En));
        assert_eq!(Lang::from_tag("de"), None);
    }
}
