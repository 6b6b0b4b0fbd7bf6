//! Two-factor sign-in: TOTP (RFC 6238: SHA-1, 6 digits, 30-second steps, one step of skew) with
//! the QR code drawn here (no third party sees the secret), and single-use recovery codes of
//! 80 random bits stored as SHA-256 digests.

use crate::store::{StoreError, unusable};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};
use totp_rs::{Builder, Secret, Totp};

/// How many recovery codes an account gets.
pub const RECOVERY_CODES: usize = 10;

/// The TOTP generator for a secret.
/// A stored secret that makes no generator (not base 32, or shorter than 128 bits, as only a
/// row written behind Concord's back can be) is logged and answered as unavailable, like one
/// that does not open: the account can still use a recovery code.
pub fn totp(secret_base32: &str, handle: &str) -> Result<Totp, StoreError> {
    let secret = Secret::try_from_base32(secret_base32).map_err(|e| unusable(&e.to_string()))?;
    Builder::new()
        .with_secret(secret)
        .with_issuer(Some("Concord"))
        .with_account_name(handle)
        .build()
        .map_err(|e| unusable(&e.to_string()))
}

/// A new random secret of 160 bits, base32.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    Secret::from(bytes).to_base32()
}

/// The `otpauth://` address and its QR code as SVG.
pub fn enrolment(totp: &Totp) -> Result<(String, String), StoreError> {
    let uri = totp
        .to_url()
        .map_err(|e| StoreError::Internal(anyhow::anyhow!("TOTP address: {e}")))?;
    let qr = qrcode::QrCode::new(uri.as_bytes())
        .map_err(|e| StoreError::Internal(anyhow::anyhow!("QR code: {e}")))?;
    let svg = qr
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .build();
    Ok((uri, svg))
}

/// The time step a six-digit `code` belongs to, if it is valid now (within one step of skew).
pub fn matching_step(totp: &Totp, code: &str, now_secs: u64) -> Option<i64> {
    totp.check(code.trim(), now_secs)
        .and_then(|step| i64::try_from(step).ok())
}

/// The time step a six-digit `code` belongs to, if it is valid at this moment.
pub fn matching_step_now(totp: &Totp, code: &str) -> Option<i64> {
    let now_secs = u64::try_from(crate::store::now_ms() / 1000).unwrap_or(0);
    matching_step(totp, code, now_secs)
}

/// Whether `code` looks like an authenticator code rather than a recovery code.
pub fn is_totp_code(code: &str) -> bool {
    let code = code.trim();
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())
}

/// New recovery codes (shown once) and their digests (stored).
pub fn new_recovery_codes() -> (Vec<String>, Vec<String>) {
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 10];
            rand::rng().fill_bytes(&mut bytes);
            let raw = lower_base32(&bytes);
            let shown = raw
                .as_bytes()
                .chunks(4)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>()
                .join("-");
            let digest = recovery_digest(&shown);
            (shown, digest)
        })
        .unzip()
}

/// The stored form of a recovery code, whatever spacing, dashes or case it was typed with.
pub fn recovery_digest(typed: &str) -> String {
    let normal: String = typed
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    URL_SAFE_NO_PAD.encode(Sha256::digest(normal.as_bytes()))
}

/// Lower-case base32 (RFC 4648 alphabet) without padding: 10 bytes give 16 characters.
fn lower_base32(bytes: &[u8]) -> String {
    Secret::from(bytes.to_vec())
        .to_base32()
        .to_ascii_lowercase()
        .trim_end_matches('=')
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_from_the_secret_matches_its_own_step_only_nearby() {
        let secret = new_secret();
        let totp = totp(&secret, "ada").unwrap();
        let now = 1_800_000_000;
        let code = totp.generate(now).to_string();
        assert_eq!(matching_step(&totp, &code, now), Some(60_000_000));
        assert_eq!(
            matching_step(&totp, &code, now + 30),
            Some(60_000_000),
            "one step of skew"
        );
        assert_eq!(matching_step(&totp, &code, now + 120), None);
    }

    #[test]
    fn recovery_codes_are_distinct_and_match_however_they_are_typed() {
        let (codes, digests) = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        assert_eq!(codes[0].len(), 19, "xxxx-xxxx-xxxx-xxxx: {}", codes[0]);
        let typed = codes[0].to_uppercase().replace('-', " ");
        assert_eq!(recovery_digest(&typed), digests[0]);
        assert_ne!(digests[0], digests[1]);
    }

    #[test]
    fn the_qr_code_is_an_svg_drawn_here() {
        let totp = totp(&new_secret(), "ada").unwrap();
        let (uri, svg) = enrolment(&totp).unwrap();
        assert!(uri.starts_with("otpauth://totp/Concord:ada?"), "{uri}");
        assert!(svg.contains("<svg"), "{svg}");
    }
}
