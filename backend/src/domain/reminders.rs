//! Opt-in e-mail reminders: an account gives an address and verifies it through a link, picks
//! what it wants to hear about per consultation, and stops any kind of message in one click
//! from the message itself. The mail worker turns happenings into messages, each in its
//! recipient's language, and sends them through the SMTP server, retrying with back-off.
//!
//! With no SMTP server configured none of this is offered and nothing is written.

use super::following::{Site, phase_title};
use crate::mail::Mailer;
use crate::refusal::Refusal;
use crate::state::AppState;
use crate::store::reminders::{ClaimedMail, MailEvent, NewMail, NotVerified, Recipient};
use crate::store::{Account, StoreError, now_ms};
use crate::words::Words;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use shared::following::{EmailSettings, NewEmailAddress, Reminders, check_email};
use shared::{FieldError, Language, Phase};
use std::time::Duration;

/// How long a verification link works.
const LINK_LIFETIME_MS: i64 = 24 * 60 * 60 * 1000;
/// How far ahead of a deadline its reminder goes out.
pub const DEADLINE_AHEAD_MS: i64 = 48 * 60 * 60 * 1000;
/// How often the worker looks for work.
const WORK_EVERY: Duration = Duration::from_secs(2);
/// The wait before the first retry of a message; it doubles each time, up to an hour.
const RETRY_FIRST_MS: i64 = 30_000;

/// Refuses unless this server sends mail.
fn require_mail(state: &AppState) -> Result<&Mailer, StoreError> {
    state
        .settings
        .mailer
        .as_deref()
        .ok_or(Refusal::EmailUnavailable.into())
}

/// The e-mail settings of `account`: only `available: false` when the server sends no mail.
pub async fn settings(state: &AppState, account: &Account) -> Result<EmailSettings, StoreError> {
    let address = state.store.email_address(account.id).await?;
    if state.settings.mailer.is_none() {
        // An address given while the server sent mail stays the account's to see and remove.
        return Ok(EmailSettings {
            available: false,
            verified: address.as_ref().is_some_and(|a| a.verified_at_ms.is_some()),
            address: address.map(|a| a.address),
            choices: Vec::new(),
        });
    }
    let choices = state
        .store
        .reminder_choices(account.id)
        .await?
        .into_iter()
        .map(|c| c.asked())
        .collect();
    Ok(EmailSettings {
        available: true,
        verified: address.as_ref().is_some_and(|a| a.verified_at_ms.is_some()),
        address: address.map(|a| a.address),
        choices,
    })
}

/// Gives `account` the address `new` asks for, unverified, and sends it a verification link.
pub async fn set_address(
    state: &AppState,
    account: &Account,
    new: &NewEmailAddress,
) -> Result<(), StoreError> {
    require_mail(state)?;
    let address = check_email(&new.address).map_err(|e| Refusal::Validation(vec![e]))?;
    // What SMTP itself takes, too.
    if address.parse::<lettre::Address>().is_err() {
        return Err(Refusal::Validation(vec![FieldError::new(
            "address",
            "invalid",
            "This is not an e-mail address: write it as name@example.org, nothing else.",
        )])
        .into());
    }
    // The address it has, verified already (however its letters are cased): nothing to send,
    // nothing to lose.
    let current = state.store.email_address(account.id).await?;
    if current
        .is_some_and(|c| c.address.eq_ignore_ascii_case(&address) && c.verified_at_ms.is_some())
    {
        return Ok(());
    }
    let (token, digest) = token();
    let w = Words(new.language);
    let site = Site::of(state);
    let link = site.url(&format!("/email/verify#{token}"));
    let message = NewMail {
        kind: "verification",
        subject: w.get("mail_verify_subject").to_owned(),
        body: format!(
            "{}\n\n{link}\n\n{}\n",
            w.get("mail_verify_body"),
            w.get("mail_verify_not_you")
        ),
        unsubscribe: None,
    };
    state
        .store
        .set_email_address(
            account.id,
            &address,
            new.language.as_str(),
            &digest,
            now_ms() + LINK_LIFETIME_MS,
            &message,
        )
        .await?;
    tracing::info!(
        event = "email_address_set",
        account = account.id,
        "e-mail address given"
    );
    Ok(())
}

/// Follows the verification link carrying `token`.
pub async fn verify(state: &AppState, token: &str) -> Result<(), StoreError> {
    require_mail(state)?;
    match state.store.verify_email(&digest(token)).await? {
        Ok(()) => {
            tracing::info!(event = "email_address_verified", "e-mail address verified");
            Ok(())
        }
        Err(NotVerified::Unknown) => Err(Refusal::NotFound("verification link").into()),
        Err(NotVerified::Used) => Err(Refusal::LinkUsed.into()),
        Err(NotVerified::Expired) => Err(Refusal::LinkExpired.into()),
    }
}

/// Sets what `account` hears about in consultation `slug`.
pub async fn choose(
    state: &AppState,
    account: &Account,
    slug: &str,
    reminders: Reminders,
) -> Result<(), StoreError> {
    require_mail(state)?;
    let consultation = state.store.existing_consultation(slug).await?;
    let Reminders {
        new_round,
        phase_changes,
        deadlines,
        responses,
    } = reminders;
    state
        .store
        .set_reminder_choice(
            account.id,
            consultation.id,
            [new_round, phase_changes, deadlines, responses],
        )
        .await?;
    tracing::info!(event = "reminders_chosen", account = account.id,
        consultation = %consultation.slug, "reminders chosen");
    Ok(())
}

/// Forgets the address of `account`, its links and the messages not yet sent.
pub async fn remove_address(state: &AppState, account: &Account) -> Result<(), StoreError> {
    state.store.delete_email_address(account.id).await?;
    tracing::info!(
        event = "email_address_removed",
        account = account.id,
        "e-mail address removed"
    );
    Ok(())
}

/// Stops the kind of message that carried `token` (RFC 8058's one click); `NotFound` for a
/// token no message carried.
pub async fn unsubscribe(state: &AppState, token: &str) -> Result<(), StoreError> {
    if state.store.unsubscribe(&digest(token)).await? {
        tracing::info!(
            event = "unsubscribed",
            "a kind of reminder stopped from a message"
        );
        Ok(())
    } else {
        Err(Refusal::NotFound("unsubscribe link").into())
    }
}

/// A new random token, and its digest as kept.
fn token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let digest = digest(&token);
    (token, digest)
}

/// How a token is kept: its SHA-256 in hex.
fn digest(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The message telling `recipient` of `event`, in their language, with its one-click
/// unsubscribe link.
fn write(site: &Site, event: &MailEvent, recipient: &Recipient) -> Option<NewMail> {
    let w = Words(Language::parse(&recipient.language).unwrap_or(Language::En));
    let round = event.round_title.as_deref().unwrap_or_default();
    let round_page = site.url(&format!(
        "/c/{}/{}",
        event.consultation_slug,
        event.round_slug.as_deref().unwrap_or_default()
    ));
    let at = |ms: i64| {
        chrono::DateTime::from_timestamp_millis(ms)
            .unwrap_or_default()
            .format("%Y-%m-%d %H:%M UTC")
            .to_string()
    };
    let phase = event.phase.as_deref().and_then(Phase::parse);
    let (kind, title, detail, page) = match (event.kind.as_str(), phase) {
        ("new_round", _) => (
            "new_round",
            w.with("feed_round_opened", &[("round", round)]),
            String::new(),
            round_page.clone(),
        ),
        ("phase_change", Some(phase)) => (
            "phase_change",
            phase_title(w, phase, round),
            String::new(),
            if phase == Phase::Published {
                format!("{round_page}/results")
            } else {
                round_page.clone()
            },
        ),
        ("deadline", Some(phase)) => (
            "deadline",
            w.with(
                "mail_deadline",
                &[
                    ("round", round),
                    ("phase", w.get(&format!("phase_{}", phase.as_str()))),
                    ("at", &at(event.at_ms)),
                ],
            ),
            String::new(),
            round_page.clone(),
        ),
        ("response", _) => (
            "response",
            w.with(
                "feed_response",
                &[
                    ("round", round),
                    ("clause", event.clause_title.as_deref().unwrap_or_default()),
                ],
            ),
            w.get("mail_response_detail").to_owned(),
            site.url(&format!(
                "/c/{}/{}/{}#comment-{}",
                event.consultation_slug,
                event.round_slug.as_deref().unwrap_or_default(),
                event.clause_key.as_deref().unwrap_or_default(),
                event.comment_id.unwrap_or_default()
            )),
        ),
        _ => return None,
    };
    let (token, digest) = token();
    let one_click = site.url(&format!("/api/v1/unsubscribe?token={token}"));
    let by_hand = site.url(&format!("/unsubscribe#{token}"));
    let subject = format!("{}: {title}", event.consultation_title);
    let mut body = format!("{}\n{title}\n\n", event.consultation_title);
    if !detail.is_empty() {
        body.push_str(&format!("{detail}\n\n"));
    }
    body.push_str(&format!(
        "{page}\n\n-- \n{}\n{by_hand}\n\n{}\n{}\n",
        w.get("mail_why"),
        w.get("mail_change"),
        site.url("/account#reminders")
    ));
    Some(NewMail {
        kind,
        subject,
        body,
        unsubscribe: Some((digest, one_click)),
    })
}

/// Sends reminders for as long as the server runs (started with it when it has an SMTP
/// server): notes the happenings time brings, writes each as messages, sends those due.
pub async fn work(state: AppState) {
    let Some(mailer) = state.settings.mailer.clone() else {
        return;
    };
    let mut every = tokio::time::interval(WORK_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if let Err(e) = work_once(&state, &mailer).await {
            tracing::warn!(error = %e, "e-mail reminders: tried again later");
        }
    }
}

/// One turn of [`work`].
async fn work_once(state: &AppState, mailer: &Mailer) -> Result<(), StoreError> {
    let site = Site::of(state);
    let now = now_ms();
    state
        .store
        .note_due_happenings(now, DEADLINE_AHEAD_MS)
        .await?;
    while state
        .store
        .fan_out(20, &|event, recipient| write(&site, event, recipient))
        .await?
        > 0
    {}
    loop {
        let claimed = state.store.claim_mails(now_ms(), 10).await?;
        if claimed.is_empty() {
            return Ok(());
        }
        for mail in claimed {
            send(state, mailer, &mail).await?;
        }
    }
}

/// Sends one claimed message, or puts it back to be tried later.
async fn send(state: &AppState, mailer: &Mailer, mail: &ClaimedMail) -> Result<(), StoreError> {
    let Some(to) = state.store.mail_recipient(mail).await? else {
        // The address went, or changed, since the message was written.
        return state
            .store
            .mail_done(mail.id, Some("no address to send to"))
            .await;
    };
    match mailer
        .send(
            &to,
            &mail.subject,
            &mail.body,
            mail.unsubscribe_url.as_deref(),
        )
        .await
    {
        Ok(()) => {
            tracing::info!(event = "mail_sent", mail = mail.id, kind = %mail.kind, "reminder sent");
            state.store.mail_done(mail.id, None).await
        }
        Err(not_sent) if not_sent.permanent => {
            tracing::warn!(mail = mail.id, error = %not_sent.why, "reminder given up");
            state.store.mail_done(mail.id, Some(&not_sent.why)).await
        }
        Err(not_sent) => {
            let why = not_sent.why;
            let wait = RETRY_FIRST_MS
                .saturating_mul(1 << (mail.attempts - 1).clamp(0, 7))
                .min(3_600_000);
            tracing::warn!(mail = mail.id, attempt = mail.attempts, error = %why,
                retry_in_s = wait / 1000, "reminder not sent");
            state
                .store
                .mail_failed(mail.id, &why, now_ms() + wait)
                .await
        }
    }
}
