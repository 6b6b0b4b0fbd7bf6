//! E-mail reminders: an account's address (verified by a link whose token is kept as a digest),
//! what it wants to hear about per consultation, the happenings written with the changes that
//! cause them, and the queue of messages. The queue is shared by every process on one
//! PostgreSQL database: each claims what it sends with `FOR UPDATE SKIP LOCKED`, so that no
//! message goes out twice; a claim lapses if its process dies, and the message is sent later.
//!
//! Nothing here is written unless the server sends mail ([`Store::use_mail`]).

use super::{Backend, Store, StoreError, now_ms};
use sqlx::FromRow;

/// An account's address as stored.
#[derive(Debug, Clone, FromRow)]
pub struct EmailAddress {
    pub address: String,
    pub verified_at_ms: Option<i64>,
    pub language: String,
}

/// What an account wants to hear about in one consultation.
#[derive(Debug, Clone, FromRow)]
pub struct ReminderChoice {
    pub consultation_id: i64,
    pub slug: String,
    pub title: String,
    pub new_round: i64,
    pub phase_changes: i64,
    pub deadlines: i64,
    pub responses: i64,
}

impl ReminderChoice {
    /// The choice as the API shows it.
    pub fn asked(self) -> shared::following::ReminderChoice {
        shared::following::ReminderChoice {
            consultation: self.slug,
            title: self.title,
            reminders: shared::following::Reminders {
                new_round: self.new_round != 0,
                phase_changes: self.phase_changes != 0,
                deadlines: self.deadlines != 0,
                responses: self.responses != 0,
            },
        }
    }
}

/// Why a verification link did not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotVerified {
    /// No such link (or one for an address the account no longer has).
    Unknown,
    /// Followed already.
    Used,
    Expired,
}

/// A message to queue, written for its recipient.
#[derive(Debug, Clone)]
pub struct NewMail {
    pub kind: &'static str,
    pub subject: String,
    pub body: String,
    /// The digest of the one-click unsubscribe token and the address carrying the token.
    pub unsubscribe: Option<(String, String)>,
}

/// A happening to tell subscribers of, with what its messages say.
#[derive(Debug, Clone, FromRow)]
pub struct MailEvent {
    pub id: i64,
    pub kind: String,
    pub consultation_id: i64,
    pub consultation_slug: String,
    pub consultation_title: String,
    pub round_slug: Option<String>,
    pub round_title: Option<String>,
    pub phase: Option<String>,
    pub at_ms: i64,
    pub comment_id: Option<i64>,
    pub clause_key: Option<String>,
    pub clause_title: Option<String>,
    pub comment_author: Option<i64>,
}

/// Someone to write to about an event.
#[derive(Debug, Clone, FromRow)]
pub struct Recipient {
    pub account_id: i64,
    pub language: String,
}

/// A message claimed for sending.
#[derive(Debug, Clone, FromRow)]
pub struct ClaimedMail {
    pub id: i64,
    pub account_id: i64,
    pub kind: String,
    pub address: Option<String>,
    pub subject: String,
    pub body: String,
    pub unsubscribe_url: Option<String>,
    pub attempts: i64,
}

/// How long a claimed message is left to the process that claimed it.
pub const CLAIM_MS: i64 = 5 * 60 * 1000;
/// How many verification links one account may have sent in [`LINKS_WINDOW_MS`].
pub const LINKS_PER_WINDOW: i64 = 5;
pub const LINKS_WINDOW_MS: i64 = 60 * 60 * 1000;
/// After this many failed attempts a message is given up.
pub const MAX_ATTEMPTS: i64 = 12;

/// The column of `reminder_choices` for a kind of message.
fn choice_column(kind: &str) -> Option<&'static str> {
    match kind {
        "new_round" => Some("new_round"),
        "phase_change" => Some("phase_changes"),
        "deadline" => Some("deadlines"),
        "response" => Some("responses"),
        _ => None,
    }
}

impl Store {
    /// Turns on e-mail: from now on happenings are written and messages queued.
    pub fn use_mail(&self) {
        self.mail_on
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether this server sends mail.
    pub fn mail_on(&self) -> bool {
        self.mail_on.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The address of `account_id`, if it gave one.
    pub async fn email_address(&self, account_id: i64) -> Result<Option<EmailAddress>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT address, verified_at_ms, language FROM email_addresses WHERE account_id = $1",
        )
        .bind(account_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Gives `account_id` the unverified address `address` (replacing any other), and queues
    /// `message` to it with the link whose token digest is `token_digest`, valid until
    /// `expires_at_ms`. Links sent to an earlier address stop working.
    pub async fn set_email_address(
        &self,
        account_id: i64,
        address: &str,
        language: &str,
        token_digest: &str,
        expires_at_ms: i64,
        message: &NewMail,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        let mut tx = self.write_tx().await?;
        // Nobody turns Concord against an inbox: a few links an hour per account.
        let recent: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM mails WHERE account_id = $1 AND kind = 'verification' \
               AND created_at_ms > $2",
        )
        .bind(account_id)
        .bind(now - LINKS_WINDOW_MS)
        .fetch_one(&mut *tx)
        .await?;
        if recent >= LINKS_PER_WINDOW {
            let oldest: i64 = sqlx::query_scalar(
                "SELECT MIN(created_at_ms) FROM mails WHERE account_id = $1 \
                   AND kind = 'verification' AND created_at_ms > $2",
            )
            .bind(account_id)
            .bind(now - LINKS_WINDOW_MS)
            .fetch_one(&mut *tx)
            .await?;
            let wait_ms = (oldest + LINKS_WINDOW_MS - now).max(1000);
            return Err(crate::refusal::Refusal::TooManyAttempts {
                retry_after_secs: u64::try_from(wait_ms / 1000).unwrap_or(60),
                what: crate::refusal::Attempts::EmailLinks,
            }
            .into());
        }
        sqlx::query(
            "INSERT INTO email_addresses (account_id, address, verified_at_ms, language, \
                 created_at_ms) VALUES ($1, $2, NULL, $3, $4) \
             ON CONFLICT (account_id) DO UPDATE SET address = excluded.address, \
                 verified_at_ms = NULL, language = excluded.language, \
                 created_at_ms = excluded.created_at_ms",
        )
        .bind(account_id)
        .bind(address)
        .bind(language)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM email_verifications WHERE account_id = $1")
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        // Messages for the address before go nowhere now (a link not yet sent stays counted).
        sqlx::query(
            "UPDATE mails SET sent_at_ms = $2, subject = '', body = '', address = NULL, \
                 unsubscribe_url = NULL, last_error = 'replaced by another address' \
             WHERE account_id = $1 AND sent_at_ms IS NULL",
        )
        .bind(account_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO email_verifications (token_digest, account_id, address, expires_at_ms) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_digest)
        .bind(account_id)
        .bind(address)
        .bind(expires_at_ms)
        .execute(&mut *tx)
        .await?;
        insert_mail(&mut tx, account_id, None, None, Some(address), message, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Follows the verification link whose token digest is `token_digest`: the account's
    /// address is verified, once.
    pub async fn verify_email(
        &self,
        token_digest: &str,
    ) -> Result<Result<(), NotVerified>, StoreError> {
        let now = now_ms();
        let mut tx = self.write_tx().await?;
        let found: Option<(i64, String, i64, Option<i64>)> = sqlx::query_as(
            "SELECT account_id, address, expires_at_ms, used_at_ms FROM email_verifications \
             WHERE token_digest = $1",
        )
        .bind(token_digest)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((account_id, address, expires_at_ms, used_at_ms)) = found else {
            return Ok(Err(NotVerified::Unknown));
        };
        if used_at_ms.is_some() {
            return Ok(Err(NotVerified::Used));
        }
        if expires_at_ms <= now {
            return Ok(Err(NotVerified::Expired));
        }
        // Only the first of two simultaneous uses marks it.
        let used = sqlx::query(
            "UPDATE email_verifications SET used_at_ms = $1 \
             WHERE token_digest = $2 AND used_at_ms IS NULL",
        )
        .bind(now)
        .bind(token_digest)
        .execute(&mut *tx)
        .await?;
        if used.rows_affected() == 0 {
            return Ok(Err(NotVerified::Used));
        }
        let verified = sqlx::query(
            "UPDATE email_addresses SET verified_at_ms = $1 \
             WHERE account_id = $2 AND address = $3",
        )
        .bind(now)
        .bind(account_id)
        .bind(&address)
        .execute(&mut *tx)
        .await?;
        if verified.rows_affected() == 0 {
            return Ok(Err(NotVerified::Unknown));
        }
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// Forgets the address of `account_id`, its links and the messages not yet sent.
    pub async fn delete_email_address(&self, account_id: i64) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        for sql in [
            "DELETE FROM email_addresses WHERE account_id = $1",
            "DELETE FROM email_verifications WHERE account_id = $1",
            "DELETE FROM mails WHERE account_id = $1",
        ] {
            sqlx::query(sql).bind(account_id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// What `account_id` chose to hear about, consultation by consultation.
    pub async fn reminder_choices(
        &self,
        account_id: i64,
    ) -> Result<Vec<ReminderChoice>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT c.id AS consultation_id, c.slug, c.title, \
                    COALESCE(r.new_round, 0) AS new_round, \
                    COALESCE(r.phase_changes, 0) AS phase_changes, \
                    COALESCE(r.deadlines, 0) AS deadlines, COALESCE(r.responses, 0) AS responses \
             FROM consultations c \
             LEFT JOIN reminder_choices r ON r.consultation_id = c.id AND r.account_id = $1 \
             WHERE c.archived_at_ms IS NULL ORDER BY c.title, c.id",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Sets what `account_id` wants to hear about in `consultation_id`: new round, each phase
    /// change, deadlines, responses to its comments.
    pub async fn set_reminder_choice(
        &self,
        account_id: i64,
        consultation_id: i64,
        choice: [bool; 4],
    ) -> Result<(), StoreError> {
        let [new_round, phase_changes, deadlines, responses] = choice.map(i64::from);
        sqlx::query(
            "INSERT INTO reminder_choices (account_id, consultation_id, new_round, \
                 phase_changes, deadlines, responses) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (account_id, consultation_id) DO UPDATE SET \
                 new_round = excluded.new_round, phase_changes = excluded.phase_changes, \
                 deadlines = excluded.deadlines, responses = excluded.responses",
        )
        .bind(account_id)
        .bind(consultation_id)
        .bind(new_round)
        .bind(phase_changes)
        .bind(deadlines)
        .bind(responses)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Stops the kind of message that carried the unsubscribe token whose digest is
    /// `token_digest`, for its recipient and consultation; `false` for an unknown token.
    pub async fn unsubscribe(&self, token_digest: &str) -> Result<bool, StoreError> {
        let found: Option<(i64, Option<i64>, String)> = sqlx::query_as(
            "SELECT account_id, consultation_id, kind FROM mails WHERE unsubscribe_digest = $1",
        )
        .bind(token_digest)
        .fetch_optional(&self.pool)
        .await?;
        let Some((account_id, Some(consultation_id), kind)) = found else {
            return Ok(false);
        };
        let Some(column) = choice_column(&kind) else {
            return Ok(false);
        };
        sqlx::query(&format!(
            "UPDATE reminder_choices SET {column} = 0 \
             WHERE account_id = $1 AND consultation_id = $2"
        ))
        .bind(account_id)
        .bind(consultation_id)
        .execute(&self.pool)
        .await?;
        Ok(true)
    }

    /// Writes up to `limit` waiting happenings as messages, one per subscriber, each written by
    /// `write` (none: that subscriber gets nothing); answers how many happenings it took. Each
    /// is taken by one process (the others skip it), and each subscriber gets one message.
    pub async fn fan_out(
        &self,
        limit: i64,
        write: &(dyn Fn(&MailEvent, &Recipient) -> Option<NewMail> + Sync),
    ) -> Result<usize, StoreError> {
        // Most turns find nothing: a read says so without taking SQLite's write lock.
        let waiting: Option<i64> =
            sqlx::query_scalar("SELECT id FROM mail_events WHERE fanned_out_at_ms IS NULL LIMIT 1")
                .fetch_optional(&self.pool)
                .await?;
        if waiting.is_none() {
            return Ok(0);
        }
        let now = now_ms();
        let mut tx = self.write_tx().await?;
        let lock = match self.backend {
            Backend::Postgres => " FOR UPDATE OF e SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let events: Vec<MailEvent> = sqlx::query_as(&format!(
            "SELECT e.id, e.kind, e.consultation_id, c.slug AS consultation_slug, \
                    c.title AS consultation_title, r.slug AS round_slug, r.title AS round_title, \
                    e.phase, e.at_ms, e.comment_id, k.key AS clause_key, k.title AS clause_title, \
                    m.account_id AS comment_author \
             FROM mail_events e JOIN consultations c ON c.id = e.consultation_id \
             LEFT JOIN rounds r ON r.id = e.round_id \
             LEFT JOIN comments m ON m.id = e.comment_id \
             LEFT JOIN clauses k ON k.id = m.clause_id \
             WHERE e.fanned_out_at_ms IS NULL ORDER BY e.id LIMIT $1{lock}"
        ))
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        for event in &events {
            let Some(column) = choice_column(&event.kind) else {
                continue;
            };
            let recipients: Vec<Recipient> = sqlx::query_as(&format!(
                "SELECT a.id AS account_id, e.language FROM reminder_choices c \
                 JOIN email_addresses e ON e.account_id = c.account_id \
                 JOIN accounts a ON a.id = c.account_id \
                 WHERE c.consultation_id = $1 AND c.{column} = 1 \
                   AND e.verified_at_ms IS NOT NULL AND a.deleted_at_ms IS NULL \
                   AND ($2 IS NULL OR a.id = $2) ORDER BY a.id"
            ))
            .bind(event.consultation_id)
            .bind(event.comment_author.filter(|_| event.kind == "response"))
            .fetch_all(&mut *tx)
            .await?;
            for recipient in &recipients {
                if let Some(mail) = write(event, recipient) {
                    insert_mail(
                        &mut tx,
                        recipient.account_id,
                        Some(event.id),
                        Some(event.consultation_id),
                        None,
                        &mail,
                        now,
                    )
                    .await?;
                }
            }
            sqlx::query("UPDATE mail_events SET fanned_out_at_ms = $1 WHERE id = $2")
                .bind(now)
                .bind(event.id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(events.len())
    }

    /// Claims up to `limit` messages due at `now` for this process to send; each is left to it
    /// for [`CLAIM_MS`]. Another process claiming at the same moment skips them.
    pub async fn claim_mails(&self, now: i64, limit: i64) -> Result<Vec<ClaimedMail>, StoreError> {
        let due: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM mails WHERE sent_at_ms IS NULL AND next_attempt_at_ms <= $1 \
               AND attempts < $2 AND (claimed_until_ms IS NULL OR claimed_until_ms < $1) LIMIT 1",
        )
        .bind(now)
        .bind(MAX_ATTEMPTS)
        .fetch_optional(&self.pool)
        .await?;
        if due.is_none() {
            return Ok(Vec::new());
        }
        let lock = match self.backend {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let mut tx = self.write_tx().await?;
        let claimed: Vec<ClaimedMail> = sqlx::query_as(&format!(
            "UPDATE mails SET claimed_until_ms = $1, attempts = attempts + 1 WHERE id IN ( \
                 SELECT id FROM mails WHERE sent_at_ms IS NULL AND next_attempt_at_ms <= $2 \
                   AND attempts < $3 AND (claimed_until_ms IS NULL OR claimed_until_ms < $2) \
                 ORDER BY id LIMIT $4{lock}) \
             RETURNING id, account_id, kind, address, subject, body, unsubscribe_url, attempts"
        ))
        .bind(now + CLAIM_MS)
        .bind(now)
        .bind(MAX_ATTEMPTS)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(claimed)
    }

    /// Where a message to `account_id` goes: its verified address (a verification message goes
    /// to the address it names, if the account still has it unverified).
    pub async fn mail_recipient(&self, mail: &ClaimedMail) -> Result<Option<String>, StoreError> {
        let found = self.email_address(mail.account_id).await?;
        Ok(match (&mail.address, found) {
            (Some(to), Some(current)) if *to == current.address => Some(current.address),
            (None, Some(current)) if current.verified_at_ms.is_some() => Some(current.address),
            _ => None,
        })
    }

    /// Marks message `id` sent (or dropped: nowhere to send it), emptying what it said.
    pub async fn mail_done(&self, id: i64, outcome: Option<&str>) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE mails SET sent_at_ms = $1, subject = '', body = '', address = NULL, \
                 unsubscribe_url = NULL, claimed_until_ms = NULL, last_error = $2 WHERE id = $3",
        )
        .bind(now_ms())
        .bind(outcome)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Puts message `id` back in the queue after a failure, to be tried at `retry_at_ms`.
    pub async fn mail_failed(
        &self,
        id: i64,
        error: &str,
        retry_at_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE mails SET claimed_until_ms = NULL, next_attempt_at_ms = $1, last_error = $2 \
             WHERE id = $3",
        )
        .bind(retry_at_ms)
        .bind(error)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Writes the happenings that time brings: scheduled phase changes that came due (in the
    /// last day) and deadlines within `ahead_ms`. Each is written once, whichever process and
    /// however often this runs.
    pub async fn note_due_happenings(&self, now: i64, ahead_ms: i64) -> Result<(), StoreError> {
        if !self.mail_on() {
            return Ok(());
        }
        let (from, until) = (now - super::DAY_MS, now + ahead_ms);
        #[derive(FromRow)]
        struct Scheduled {
            id: i64,
            consultation_id: i64,
            phase: String,
            commenting_at_ms: Option<i64>,
            voting_at_ms: Option<i64>,
            closing_at_ms: Option<i64>,
        }
        let rounds: Vec<Scheduled> = sqlx::query_as(
            "SELECT id, consultation_id, phase, commenting_at_ms, voting_at_ms, \
                     closing_at_ms FROM rounds \
                 WHERE commenting_at_ms BETWEEN $1 AND $2 OR voting_at_ms BETWEEN $1 AND $2 \
                    OR closing_at_ms BETWEEN $1 AND $2",
        )
        .bind(from)
        .bind(until)
        .fetch_all(&self.pool)
        .await?;
        for round in rounds {
            let (round_id, consultation_id) = (round.id, round.consultation_id);
            let stored = super::parse_phase(&round.phase)?;
            let schedule = shared::Schedule {
                commenting_at_ms: round.commenting_at_ms,
                voting_at_ms: round.voting_at_ms,
                closing_at_ms: round.closing_at_ms,
            };
            let current = schedule.effective_phase(stored, now);
            let mut happenings = Vec::new();
            for change in schedule.changes().filter(|c| c.phase > stored) {
                if change.at_ms <= now && change.at_ms >= from {
                    happenings.push(("phase_change", change));
                }
            }
            if let Some(next) = schedule.next_change(current, now)
                && next.at_ms <= until
            {
                happenings.push(("deadline", next));
            }
            for (kind, change) in happenings {
                let mut tx = self.write_tx().await?;
                record_event(
                    &mut tx,
                    Happening {
                        kind,
                        consultation_id,
                        round_id: Some(round_id),
                        phase: Some(change.phase.as_str()),
                        at_ms: change.at_ms,
                        comment_id: None,
                    },
                )
                .await?;
                tx.commit().await?;
            }
        }
        Ok(())
    }
}

/// Something subscribers may hear of, as written with the change that caused it.
#[derive(Debug, Clone, Copy)]
pub struct Happening<'a> {
    pub kind: &'static str,
    pub consultation_id: i64,
    pub round_id: Option<i64>,
    pub phase: Option<&'a str>,
    pub at_ms: i64,
    pub comment_id: Option<i64>,
}

/// Writes `happening` in `tx`, unless it was written before (by this process or another).
pub(crate) async fn record_event(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    happening: Happening<'_>,
) -> Result<(), StoreError> {
    let dedupe = match happening.kind {
        "new_round" => format!("new_round:{}", happening.round_id.unwrap_or_default()),
        "response" => format!("response:{}", happening.comment_id.unwrap_or_default()),
        kind => format!(
            "{kind}:{}:{}:{}",
            happening.round_id.unwrap_or_default(),
            happening.phase.unwrap_or_default(),
            happening.at_ms
        ),
    };
    sqlx::query(
        "INSERT INTO mail_events (kind, dedupe, consultation_id, round_id, phase, at_ms, \
             comment_id) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (dedupe) DO NOTHING",
    )
    .bind(happening.kind)
    .bind(dedupe)
    .bind(happening.consultation_id)
    .bind(happening.round_id)
    .bind(happening.phase)
    .bind(happening.at_ms)
    .bind(happening.comment_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Queues `mail` to `account_id` in `tx`; a second message for the same happening and account
/// is not written.
async fn insert_mail(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    account_id: i64,
    event_id: Option<i64>,
    consultation_id: Option<i64>,
    address: Option<&str>,
    mail: &NewMail,
    now: i64,
) -> Result<(), StoreError> {
    let (digest, url) = match &mail.unsubscribe {
        Some((digest, url)) => (Some(digest.as_str()), Some(url.as_str())),
        None => (None, None),
    };
    sqlx::query(
        "INSERT INTO mails (account_id, event_id, consultation_id, kind, address, subject, body, \
             unsubscribe_digest, unsubscribe_url, next_attempt_at_ms, created_at_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) \
         ON CONFLICT (event_id, account_id) DO NOTHING",
    )
    .bind(account_id)
    .bind(event_id)
    .bind(consultation_id)
    .bind(mail.kind)
    .bind(address)
    .bind(&mail.subject)
    .bind(&mail.body)
    .bind(digest)
    .bind(url)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
