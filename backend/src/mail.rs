//! Sending mail: the SMTP server (`--smtp-url`), checked at start-up, and each message built by
//! `lettre` with the headers a mail client needs to unsubscribe in one click (RFC 8058). Text
//! a person wrote (a consultation's title, say) reaches a header only with its control
//! characters turned to spaces, so that nobody can add a header or a recipient through it.

use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, Message, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::time::Duration;

/// How long one SMTP exchange may take before it counts as failed.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// The SMTP server Concord sends through, and who its messages are from.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold the SMTP password.
        write!(f, "Mailer(from {})", self.from)
    }
}

impl Mailer {
    /// The mailer for `smtp_url` (`smtps://user:password@host:465`, or
    /// `smtp://host:587?tls=required` for STARTTLS), sending from `from` (default:
    /// `Concord <concord@HOST>`, HOST being the public address's). An SMTP server reached
    /// without TLS is refused unless it is on this machine, or `allow_plaintext` says so.
    pub fn configure(
        smtp_url: &str,
        from: Option<&str>,
        allow_plaintext: bool,
        public_host: &str,
    ) -> Result<Self, String> {
        let url = url::Url::parse(smtp_url)
            .map_err(|e| format!("--smtp-url is not an address ({e}); give e.g. smtps://user:password@mail.example.org"))?;
        let host = url.host_str().unwrap_or_default().to_owned();
        if host.is_empty() {
            return Err("--smtp-url names no host; give e.g. smtps://mail.example.org".into());
        }
        let tls = url
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.into_owned());
        let encrypted = match (url.scheme(), tls.as_deref()) {
            ("smtps", None) => true,
            ("smtp", Some("required")) => true,
            ("smtp", None | Some("opportunistic")) => false,
            ("smtp" | "smtps", Some(other)) => {
                return Err(format!(
                    "--smtp-url: tls={other} is not a choice; use tls=required (STARTTLS) or \
                     the smtps:// scheme"
                ));
            }
            (scheme, _) => {
                return Err(format!(
                    "--smtp-url: {scheme}:// is not SMTP; use smtps:// or smtp://…?tls=required"
                ));
            }
        };
        let loopback = host == "localhost"
            || host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        if !encrypted && !loopback && !allow_plaintext {
            return Err(format!(
                "--smtp-url reaches {host} without TLS: messages and the SMTP password would \
                 cross the network in clear. Use smtps://{host} or smtp://{host}:587?tls=required, \
                 or pass --smtp-allow-plaintext if the network between them is trusted"
            ));
        }
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|e| format!("--smtp-url: {e}"))?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        let from = match from {
            Some(from) => from.parse::<Mailbox>().map_err(|e| {
                format!("--mail-from {from:?} is not an address ({e}); give e.g. Concord <concord@example.org>")
            })?,
            None => format!("Concord <concord@{public_host}>")
                .parse::<Mailbox>()
                .map_err(|e| format!("give --mail-from: concord@{public_host} is not an address ({e})"))?,
        };
        Ok(Self { transport, from })
    }

    /// Sends `body` with `subject` to `to`; `unsubscribe`: the address that stops such messages
    /// in one click. The error says what the SMTP server answered, with no address in it.
    pub async fn send(
        &self,
        to: &str,
        subject: &str,
        body: &str,
        unsubscribe: Option<&str>,
    ) -> Result<(), NotSent> {
        let to: Mailbox = to.parse().map_err(|_| NotSent {
            permanent: true,
            why: "the recipient's address is not valid".to_owned(),
        })?;
        let mut id = [0u8; 16];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut id);
        let id: String = id.iter().map(|b| format!("{b:02x}")).collect();
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(header_text(subject))
            .message_id(Some(format!("<{id}@{}>", self.from.email.domain())))
            .header(AutoSubmitted);
        if let Some(url) = unsubscribe {
            builder = builder
                .header(ListUnsubscribe(format!("<{}>", header_text(url))))
                .header(ListUnsubscribePost);
        }
        let message = builder
            .singlepart(SinglePart::plain(body.to_owned()))
            .map_err(|e| NotSent {
                permanent: true,
                why: format!("the message could not be built: {e}"),
            })?;
        self.transport
            .send(message)
            .await
            .map(drop)
            .map_err(|e| smtp_error(&e))
    }
}

/// Why a message was not sent, and whether trying again could help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotSent {
    /// The SMTP server refused it for good (a 5xx answer), or it cannot be built: it is given up.
    pub permanent: bool,
    /// What happened, without the addresses some servers repeat.
    pub why: String,
}

/// What an SMTP failure says, without the addresses some servers repeat in it.
fn smtp_error(e: &lettre::transport::smtp::Error) -> NotSent {
    let kind = if e.is_permanent() {
        "refused for good"
    } else if e.is_transient() {
        "refused for now"
    } else if e.is_timeout() {
        "timed out"
    } else if e.is_tls() {
        "could not be reached over TLS"
    } else {
        "unreachable"
    };
    let code = e.status().map(|c| format!(" ({c})")).unwrap_or_default();
    NotSent {
        permanent: e.is_permanent(),
        why: format!("the SMTP server {kind}{code}"),
    }
}

/// `text` fit for a header: every control character (a line break above all) a space, and
/// what a mail client would decode as an encoded word (`=?`) broken apart.
pub fn header_text(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .replace("=?", "= ?")
}

/// `Auto-Submitted: auto-generated` (RFC 3834): no auto-reply should answer it.
#[derive(Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}

/// `List-Unsubscribe` (RFC 2369): where a mail client unsubscribes.
#[derive(Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058): one POST unsubscribes.
#[derive(Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_without_tls_is_refused_off_this_machine_unless_allowed() {
        let configure = |url: &str, allow: bool| Mailer::configure(url, None, allow, "example.org");
        assert!(configure("smtp://mail.example.org:25", false).is_err());
        assert!(configure("smtp://mail.example.org:587?tls=opportunistic", false).is_err());
        assert!(configure("smtp://mail.example.org:25", true).is_ok());
        assert!(configure("smtp://mail.example.org:587?tls=required", false).is_ok());
        assert!(configure("smtps://user:secret@mail.example.org", false).is_ok());
        assert!(configure("smtp://127.0.0.1:2525", false).is_ok());
        assert!(configure("smtp://localhost:2525", false).is_ok());
        assert!(configure("smtp://[::1]:2525", false).is_ok());
        assert!(configure("smtp://mail.example.org?tls=sometimes", false).is_err());
        assert!(configure("http://mail.example.org", false).is_err());
        assert!(configure("not a url", false).is_err());
        let bad_from =
            Mailer::configure("smtps://mail.example.org", Some("no at sign"), false, "x");
        assert!(bad_from.is_err());
    }

    #[test]
    fn a_line_break_never_reaches_a_header() {
        assert_eq!(
            header_text("Title\r\nBcc: someone@example.org"),
            "Title  Bcc: someone@example.org"
        );
        assert_eq!(header_text("tab\there"), "tab here");
        assert_eq!(
            header_text("=?utf-8?q?=0D=0ABcc:?="),
            "= ?utf-8?q?=0D=0ABcc:?="
        );
    }

    #[test]
    fn a_mailer_never_shows_its_password() {
        let mailer = Mailer::configure(
            "smtps://user:hunter2@mail.example.org",
            None,
            false,
            "example.org",
        )
        .expect("a mailer");
        assert!(!format!("{mailer:?}").contains("hunter2"));
    }

    #[test]
    fn a_long_unsubscribe_address_stays_on_one_unbroken_line() {
        let url = format!(
            "http://localhost:8080/api/v1/unsubscribe?token={}",
            "a".repeat(43)
        );
        let message = Message::builder()
            .from("Concord <concord@localhost>".parse().expect("from"))
            .to("amina@example.org".parse().expect("to"))
            .subject("s")
            .header(ListUnsubscribe(format!("<{url}>")))
            .header(ListUnsubscribePost)
            .body(String::from("b"))
            .expect("message");
        let raw = String::from_utf8(message.formatted()).expect("text");
        assert!(
            raw.contains(&format!("List-Unsubscribe: <{url}>\r\n")),
            "{raw}"
        );
    }
}
