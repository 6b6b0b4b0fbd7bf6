//! Passkeys (WebAuthn) through kanidm's `webauthn-rs`: the relying party this server is, and the
//! four ceremonies it runs — registering a passkey, and signing in with one without a password
//! (the passkey says whose it is), as the second factor after a password, or with a handle's
//! own passkeys. Each ceremony's state is serialised for the database
//! (`store::passkeys`), so that any process can finish a ceremony another began.
//!
//! The relying party's id is the host name of the address people use (`--public-url`), and its
//! origin that address: a browser signs only for the site it shows, which is what makes a
//! passkey impossible to phish. [`RelyingParty::configure`] refuses settings a browser would
//! refuse, so that a server never starts with passkeys that cannot work.

use crate::refusal::{PasskeyProblem, Refusal};
use crate::store::StoreError;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::time::Duration;
use url::Url;
use webauthn_rs::prelude::{
    AuthenticationResult, CredentialID, DiscoverableAuthentication, DiscoverableKey, Passkey,
    PasskeyAuthentication, PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential,
    Uuid, Webauthn, WebauthnBuilder, WebauthnError,
};
use webauthn_rs_proto::ResidentKeyRequirement;

/// How long a ceremony may wait for the browser's answer.
pub const CEREMONY_LIFETIME: Duration = Duration::from_secs(5 * 60);

/// This server as a WebAuthn relying party.
pub struct RelyingParty {
    webauthn: Webauthn,
    origin: String,
}

impl std::fmt::Debug for RelyingParty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelyingParty")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

/// What a browser is asked to do, and what the server keeps to check its answer.
pub struct Begun {
    /// The options for `navigator.credentials.create()` or `.get()`, in WebAuthn's JSON form
    /// (`PublicKeyCredentialCreationOptionsJSON` / `…RequestOptionsJSON`).
    pub options: Value,
    /// The ceremony's state, serialised.
    pub state: String,
}

impl RelyingParty {
    /// The relying party for `public_url` (the address people type, `--public-url`) as served
    /// with `https` or not; without one, `http://localhost:PORT`. Refuses, saying what to
    /// change, what a browser would refuse: a scheme other than `--https` says, an IP address,
    /// plain HTTP anywhere but on localhost, or an address with a path, query or credentials.
    pub fn configure(public_url: Option<&str>, https: bool, port: u16) -> Result<Self, String> {
        let given = match public_url {
            Some(given) => given.to_owned(),
            None if https => {
                return Err(
                    "with --https, give --public-url (CONCORD_PUBLIC_URL): the https:// \
                            address people use to reach Concord, to which passkeys are bound"
                        .to_owned(),
                );
            }
            None => format!("http://localhost:{port}"),
        };
        let url = Url::parse(&given)
            .map_err(|e| format!("--public-url {given:?} is not an address ({e})"))?;
        let wanted = if https { "https" } else { "http" };
        if url.scheme() != wanted {
            return Err(format!(
                "--public-url {given:?} starts with {}:// but Concord is served with{} --https: \
                 make the two agree",
                url.scheme(),
                if https { "" } else { "out" }
            ));
        }
        let Some(host) = url.domain() else {
            return Err(format!(
                "--public-url {given:?} names an IP address: passkeys need a host name \
                 (browsers refuse an IP address as a relying party)"
            ));
        };
        if host.ends_with('.') {
            return Err(format!(
                "--public-url {given:?} ends its host name with a dot, which browsers treat as \
                 another site than the name without it: drop the dot"
            ));
        }
        let local = host == "localhost" || host.ends_with(".localhost");
        if !https && !local {
            return Err(format!(
                "--public-url {given:?} is plain http on a host other than localhost, where \
                 browsers offer no passkeys: serve Concord over HTTPS (--https, behind a TLS \
                 proxy) or use http://localhost:PORT"
            ));
        }
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
            return Err(format!(
                "--public-url {given:?} must be the site's root: no path, query or fragment"
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(format!("--public-url {given:?} must not hold credentials"));
        }
        let webauthn = WebauthnBuilder::new(host, &url)
            .and_then(|b| b.rp_name("Concord").timeout(CEREMONY_LIFETIME).build())
            .map_err(|e| format!("--public-url {given:?}: {e}"))?;
        Ok(Self {
            webauthn,
            origin: url.origin().ascii_serialization(),
        })
    }

    /// The origin passkeys are bound to, e.g. `https://concord.example.org`.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Starts registering a passkey for the account known to authenticators as `user`, shown as
    /// `handle`; `existing` are its passkeys already, which the browser will not register again.
    /// The passkey is discoverable (it can name its account at sign-in) and verifies its user.
    pub fn begin_registration(
        &self,
        user: Uuid,
        handle: &str,
        existing: Vec<CredentialID>,
    ) -> Result<Begun, StoreError> {
        let exclude = (!existing.is_empty()).then_some(existing);
        let (mut challenge, state) = self
            .webauthn
            .start_passkey_registration(user, handle, handle, exclude)
            .map_err(internal)?;
        // A passkey, not a key that needs its id sent first: sign-in without a handle needs it.
        if let Some(selection) = challenge.public_key.authenticator_selection.as_mut() {
            selection.resident_key = Some(ResidentKeyRequirement::Required);
            selection.require_resident_key = true;
        }
        begun(&challenge.public_key, &state)
    }

    /// Checks the browser's answer `credential` to the registration kept as `state`.
    pub fn finish_registration(
        &self,
        credential: Value,
        state: &str,
    ) -> Result<Passkey, StoreError> {
        let credential: RegisterPublicKeyCredential = answer(credential)?;
        check_shape(&credential.id, &credential.raw_id, &credential.type_)?;
        let state: PasskeyRegistration = kept(state)?;
        let passkey = self
            .webauthn
            .finish_passkey_registration(&credential, &state)
            .map_err(refused)?;
        // The credential the authenticator data names is the one the answer says it is.
        if passkey.cred_id().as_slice() != credential.raw_id.as_slice() {
            tracing::info!("a registration whose authenticator data names another credential");
            return Err(malformed());
        }
        Ok(passkey)
    }

    /// Starts a sign-in with one of `passkeys` (the account is known: the second factor).
    pub fn begin_authentication(&self, passkeys: &[Passkey]) -> Result<Begun, StoreError> {
        let (challenge, state) = self
            .webauthn
            .start_passkey_authentication(passkeys)
            .map_err(internal)?;
        begun(&challenge.public_key, &state)
    }

    /// Starts a sign-in where the passkey names its account: the browser offers every passkey
    /// it holds for this site.
    pub fn begin_discoverable(&self) -> Result<Begun, StoreError> {
        let (challenge, state) = self
            .webauthn
            .start_discoverable_authentication()
            .map_err(internal)?;
        begun(&challenge.public_key, &state)
    }

    /// Which account (its authenticators' user id) and which credential an answer to a
    /// sign-in claims, before it is checked.
    pub fn claimed(credential: &Value) -> Result<(PublicKeyCredential, Option<Uuid>), StoreError> {
        let credential: PublicKeyCredential = answer(credential.clone())?;
        check_shape(&credential.id, &credential.raw_id, &credential.type_)?;
        let user = credential
            .get_user_unique_id()
            .and_then(|id| Uuid::from_slice(id).ok());
        Ok((credential, user))
    }

    /// Checks an answer to a sign-in kept as `state`: with `discoverable`, against that stored
    /// passkey; otherwise against the passkeys the ceremony began with.
    pub fn finish_authentication(
        &self,
        credential: &PublicKeyCredential,
        state: &str,
        discoverable: Option<&Passkey>,
    ) -> Result<AuthenticationResult, StoreError> {
        let result = match discoverable {
            Some(passkey) => {
                let state: DiscoverableAuthentication = kept(state)?;
                self.webauthn.finish_discoverable_authentication(
                    credential,
                    state,
                    &[DiscoverableKey::from(passkey)],
                )
            }
            None => {
                let state: PasskeyAuthentication = kept(state)?;
                self.webauthn
                    .finish_passkey_authentication(credential, &state)
            }
        };
        result.map_err(refused)
    }
}

/// The credential id of a passkey as stored and compared: base64url without padding.
pub fn credential_key(id: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id)
}

fn begun(options: &impl Serialize, state: &impl Serialize) -> Result<Begun, StoreError> {
    Ok(Begun {
        options: serde_json::to_value(options).map_err(|e| internal(e.to_string()))?,
        state: serde_json::to_string(state).map_err(|e| internal(e.to_string()))?,
    })
}

/// A browser's answer, or a refusal saying it is not one.
fn answer<T: DeserializeOwned>(credential: Value) -> Result<T, StoreError> {
    serde_json::from_value(credential).map_err(|e| {
        tracing::info!(error = %e, "a passkey answer that is not WebAuthn's JSON");
        malformed()
    })
}

/// A ceremony's state as the database kept it.
fn kept<T: DeserializeOwned>(state: &str) -> Result<T, StoreError> {
    serde_json::from_str(state).map_err(|e| internal(format!("a ceremony's stored state: {e}")))
}

fn internal(e: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(anyhow::anyhow!("passkeys: {e}"))
}

/// What the library found wrong with an answer; the details are logged.
fn refused(e: WebauthnError) -> StoreError {
    use PasskeyProblem as P;
    use WebauthnError as W;
    tracing::info!(error = %e, "passkey answer refused");
    let problem = match e {
        W::InvalidRPOrigin | W::InvalidRPIDHash => P::AnotherSite,
        W::MismatchedChallenge | W::ChallengeNotFound => P::AnotherRequest,
        W::CredentialPossibleCompromise => P::Counter,
        W::UserNotVerified | W::UserNotPresent => P::Unverified,
        W::CredentialExcludedFromRequest | W::CredentialNotFound => P::NotRegistered,
        _ => P::Unverifiable,
    };
    Refusal::PasskeyRefused(problem).into()
}

/// Refuses an answer whose outer fields disagree with what it carries: its `id` must be its
/// `rawId` in base64url, its `type` `public-key`, and the credential id non-empty.
fn check_shape(id: &str, raw_id: &[u8], kind: &str) -> Result<(), StoreError> {
    if kind == "public-key" && !raw_id.is_empty() && id == credential_key(raw_id) {
        return Ok(());
    }
    tracing::info!(%kind, "a passkey answer whose id, rawId or type disagree");
    Err(malformed())
}

fn malformed() -> StoreError {
    Refusal::Validation(vec![shared::FieldError::new(
        "credential",
        "malformed",
        "This is not a passkey's answer (WebAuthn's JSON, as the browser's toJSON() gives it).",
    )])
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_an_address_a_plain_server_is_localhost_on_its_port() {
        let rp = RelyingParty::configure(None, false, 8080).unwrap();
        assert_eq!(rp.origin(), "http://localhost:8080");
    }

    #[test]
    fn an_address_that_disagrees_with_https_or_that_browsers_refuse_stops_the_start() {
        let refused = |url: Option<&str>, https: bool| {
            RelyingParty::configure(url, https, 8080).expect_err(&format!("{url:?} {https}"))
        };
        assert!(refused(None, true).contains("--public-url"));
        assert!(refused(Some("http://concord.example.org"), true).contains("--https"));
        assert!(refused(Some("https://concord.example.org"), false).contains("--https"));
        assert!(refused(Some("https://192.0.2.1"), true).contains("IP address"));
        assert!(refused(Some("http://concord.example.org"), false).contains("localhost"));
        assert!(refused(Some("https://concord.example.org/app"), true).contains("root"));
        assert!(refused(Some("https://u:p@concord.example.org"), true).contains("credentials"));
        assert!(refused(Some("not an address"), true).contains("not an address"));
        assert!(refused(Some("https://concord.example.org."), true).contains("dot"));
        let rp = RelyingParty::configure(Some("https://concord.example.org/"), true, 1).unwrap();
        assert_eq!(rp.origin(), "https://concord.example.org");
    }
}
