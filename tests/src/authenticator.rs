//! A software authenticator, answering WebAuthn options as a browser with a passkey provider
//! does: it makes P-256 keys, builds the authenticator data and the client data, and signs
//! them (WebAuthn Level 3, §6.1 and §7), with attestation `none`. What a test wants wrong —
//! another origin, another challenge, a counter that goes back — it says in a [`Tweak`].

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ciborium::Value as Cbor;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use rand::RngCore;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// User present, user verified, attested credential data included (authenticator data flags).
const UP: u8 = 0x01;
const UV: u8 = 0x04;
const AT: u8 = 0x40;

/// One passkey the authenticator holds.
#[derive(Clone)]
pub struct Credential {
    pub id: Vec<u8>,
    key: SigningKey,
    pub user_handle: Vec<u8>,
    pub counter: u32,
}

/// What to answer wrongly, as an attacker or a broken client would.
#[derive(Debug, Clone, Default)]
pub struct Tweak {
    /// The origin written in the client data, instead of the site's.
    pub origin: Option<String>,
    /// The challenge written in the client data, instead of the one asked.
    pub challenge: Option<String>,
    /// The signature counter, instead of one more than the last.
    pub counter: Option<u32>,
    /// Leave the user-verified flag off.
    pub unverified: bool,
    /// The answer's `id`, instead of its `rawId` in base64url.
    pub id: Option<String>,
    /// The answer's `type`, instead of `public-key`.
    pub kind: Option<String>,
    /// The credential id written in the authenticator data at registration, instead of the
    /// one the answer names.
    pub inner_id: Option<Vec<u8>>,
}

/// A software authenticator for one site.
#[derive(Clone)]
pub struct Authenticator {
    origin: String,
    pub credentials: Vec<Credential>,
}

impl Authenticator {
    /// An authenticator in a browser showing `origin` (such as `http://localhost:8080`).
    pub fn new(origin: &str) -> Self {
        Self {
            origin: origin.to_owned(),
            credentials: Vec::new(),
        }
    }

    /// Answers `options` (`PublicKeyCredentialCreationOptionsJSON`) with a new passkey, as
    /// `credential.toJSON()` gives it.
    pub fn register(&mut self, options: &Value) -> Value {
        self.register_with(options, &Tweak::default())
    }

    /// [`Authenticator::register`], answering as `tweak` says.
    pub fn register_with(&mut self, options: &Value, tweak: &Tweak) -> Value {
        let rp_id = options["rp"]["id"].as_str().expect("rp.id");
        let user_handle = decode(options["user"]["id"].as_str().expect("user.id"));
        let mut id = vec![0u8; 16];
        rand::rng().fill_bytes(&mut id);
        let key = new_key();
        let point = key.verifying_key().to_encoded_point(false);
        let cose = Cbor::Map(vec![
            (Cbor::from(1), Cbor::from(2)),  // kty: EC2
            (Cbor::from(3), Cbor::from(-7)), // alg: ES256
            (Cbor::from(-1), Cbor::from(1)), // crv: P-256
            (Cbor::from(-2), Cbor::Bytes(point.x().expect("x").to_vec())),
            (Cbor::from(-3), Cbor::Bytes(point.y().expect("y").to_vec())),
        ]);
        let mut auth_data = header(rp_id, AT | flags(tweak), 0);
        auth_data.extend_from_slice(&[0u8; 16]); // AAGUID: none
        let inner = tweak.inner_id.clone().unwrap_or_else(|| id.clone());
        auth_data.extend_from_slice(&u16::try_from(inner.len()).expect("short").to_be_bytes());
        auth_data.extend_from_slice(&inner);
        auth_data.extend_from_slice(&cbor(&cose));
        let attestation = Cbor::Map(vec![
            (Cbor::from("fmt"), Cbor::from("none")),
            (Cbor::from("attStmt"), Cbor::Map(Vec::new())),
            (Cbor::from("authData"), Cbor::Bytes(auth_data)),
        ]);
        let client_data = self.client_data("webauthn.create", options, tweak);
        self.credentials.push(Credential {
            id: id.clone(),
            key,
            user_handle,
            counter: 0,
        });
        json!({
            "id": tweak.id.clone().unwrap_or_else(|| encode(&id)),
            "rawId": encode(&id),
            "type": tweak.kind.as_deref().unwrap_or("public-key"),
            "response": {
                "clientDataJSON": encode(client_data.as_bytes()),
                "attestationObject": encode(&cbor(&attestation)),
                "transports": ["internal"],
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
        })
    }

    /// Answers `options` (`PublicKeyCredentialRequestOptionsJSON`) with the first passkey it
    /// allows (or, allowing any, the first held), as `credential.toJSON()` gives it.
    pub fn sign_in(&mut self, options: &Value) -> Value {
        self.sign_in_with(options, &Tweak::default())
    }

    /// [`Authenticator::sign_in`], answering as `tweak` says.
    pub fn sign_in_with(&mut self, options: &Value, tweak: &Tweak) -> Value {
        let allowed: Vec<Vec<u8>> = options["allowCredentials"]
            .as_array()
            .map(|list| {
                list.iter()
                    .map(|c| decode(c["id"].as_str().expect("id")))
                    .collect()
            })
            .unwrap_or_default();
        let index = self
            .credentials
            .iter()
            .position(|c| allowed.is_empty() || allowed.contains(&c.id))
            .expect("the authenticator holds a passkey the site allows");
        let rp_id = options["rpId"].as_str().expect("rpId").to_owned();
        let client_data = self.client_data("webauthn.get", options, tweak);
        let credential = &mut self.credentials[index];
        credential.counter = tweak.counter.unwrap_or(credential.counter + 1);
        let auth_data = header(&rp_id, flags(tweak), credential.counter);
        let mut signed = auth_data.clone();
        signed.extend_from_slice(&Sha256::digest(client_data.as_bytes()));
        let signature: Signature = credential.key.sign(&signed);
        json!({
            "id": tweak.id.clone().unwrap_or_else(|| encode(&credential.id)),
            "rawId": encode(&credential.id),
            "type": tweak.kind.as_deref().unwrap_or("public-key"),
            "response": {
                "clientDataJSON": encode(client_data.as_bytes()),
                "authenticatorData": encode(&auth_data),
                "signature": encode(signature.to_der().as_bytes()),
                "userHandle": encode(&credential.user_handle),
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
        })
    }

    /// The client data a browser writes for a ceremony of `kind` answering `options`.
    fn client_data(&self, kind: &str, options: &Value, tweak: &Tweak) -> String {
        let challenge = tweak
            .challenge
            .clone()
            .unwrap_or_else(|| options["challenge"].as_str().expect("challenge").to_owned());
        let origin = tweak.origin.as_deref().unwrap_or(&self.origin);
        json!({ "type": kind, "challenge": challenge, "origin": origin, "crossOrigin": false })
            .to_string()
    }
}

/// A challenge of the right shape that no server asked for.
pub fn stray_challenge() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    encode(&bytes)
}

fn flags(tweak: &Tweak) -> u8 {
    if tweak.unverified { UP } else { UP | UV }
}

/// The start of authenticator data: the RP id's hash, the flags and the counter.
fn header(rp_id: &str, flags: u8, counter: u32) -> Vec<u8> {
    let mut data = Sha256::digest(rp_id.as_bytes()).to_vec();
    data.push(flags);
    data.extend_from_slice(&counter.to_be_bytes());
    data
}

fn new_key() -> SigningKey {
    loop {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        if let Ok(key) = SigningKey::from_bytes(&bytes.into()) {
            return key;
        }
    }
}

fn cbor(value: &Cbor) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(value, &mut out).expect("CBOR");
    out
}

fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn decode(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(text).expect("base64url")
}
