//! Following a consultation: where anyone finds its Atom feeds and calendar with no account, and
//! the e-mail reminders an account may ask for.

use crate::{FieldError, Language};
use serde::{Deserialize, Serialize};

/// The address of a consultation's Atom feed, from the site's root.
pub fn consultation_feed_path(slug: &str) -> String {
    format!("/api/v1/consultations/{slug}/feed.atom")
}

/// The address of a round's Atom feed, from the site's root.
pub fn round_feed_path(slug: &str, round: &str) -> String {
    format!("/api/v1/consultations/{slug}/rounds/{round}/feed.atom")
}

/// The address of a consultation's calendar (iCalendar), from the site's root.
pub fn calendar_path(slug: &str) -> String {
    format!("/api/v1/consultations/{slug}/calendar.ics")
}

/// An account's e-mail reminders, as only the account sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmailSettings {
    /// Whether this server sends e-mail at all; when it does not, nothing else is offered.
    pub available: bool,
    /// The address given, if any.
    pub address: Option<String>,
    /// Whether its owner followed the link sent to it; reminders go only to a verified address.
    pub verified: bool,
    /// What the account hears about, consultation by consultation (every open consultation).
    pub choices: Vec<ReminderChoice>,
}

/// What an account hears about in one consultation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReminderChoice {
    /// The consultation's slug.
    pub consultation: String,
    pub title: String,
    #[serde(flatten)]
    pub reminders: Reminders,
}

/// The reminders an account may ask for in a consultation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Reminders {
    /// A new round opens.
    pub new_round: bool,
    /// A round's phase changes (comments open, positions open, closed, published).
    pub phase_changes: bool,
    /// 48 hours before a round's next scheduled phase change.
    pub deadlines: bool,
    /// The conveners respond to one of the account's comments.
    pub responses: bool,
}

/// An address to verify, and the language reminders to it are written in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewEmailAddress {
    pub address: String,
    pub language: Language,
}

/// The token of a verification link (the part after `#`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EmailVerification {
    pub token: String,
}

/// Longest address SMTP carries (RFC 5321 4.5.3.1.3, less the angle brackets).
pub const EMAIL_MAX: usize = 254;

/// `address` as it is kept (trimmed), or the field error that says what is wrong with it: an
/// address is one `@` between a name of at most 64 characters and a domain with a dot, with no
/// space, angle bracket or control character in it.
pub fn check_email(address: &str) -> Result<String, FieldError> {
    let address = address.trim();
    let refuse = |code: &str, message: &str| Err(FieldError::new("address", code, message));
    if address.is_empty() {
        return refuse(
            "required",
            "Give an e-mail address, or leave reminders off.",
        );
    }
    if address.chars().count() > EMAIL_MAX {
        return refuse("too_long", "An e-mail address has at most 254 characters.");
    }
    let forbidden = |c: char| c.is_control() || c.is_whitespace() || "<>()[],;:\\\"".contains(c);
    // What a mail client would decode as an encoded word is no address.
    let encoded = address.contains("=?");
    let parts: Vec<&str> = address.split('@').collect();
    let valid = match parts.as_slice() {
        [local, domain] => {
            !local.is_empty()
                && local.chars().count() <= 64
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains("..")
                && !address.chars().any(forbidden)
                && !encoded
        }
        _ => false,
    };
    if valid {
        Ok(address.to_owned())
    } else {
        refuse(
            "invalid",
            "This is not an e-mail address: write it as name@example.org, nothing else.",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_plain_address_is_taken() {
        assert_eq!(
            check_email("  amina@example.org ").as_deref().ok(),
            Some("amina@example.org")
        );
        for bad in [
            "",
            "amina",
            "amina@",
            "@example.org",
            "amina@example",
            "a@b@example.org",
            "Amina <amina@example.org>",
            "amina@example.org\r\nBcc: eve@example.org",
            "amina@exa mple.org",
            "amina@example..org",
            "amina@.example.org",
            "=?utf-8?q?victim=40evil.test?=@example.org",
        ] {
            assert!(check_email(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            check_email(&format!("{}@example.org", "a".repeat(65)))
                .unwrap_err()
                .code,
            "invalid"
        );
        assert_eq!(
            check_email(&format!("a@{}.org", "b".repeat(260)))
                .unwrap_err()
                .code,
            "too_long"
        );
    }
}
