-- Opt-in e-mail reminders (issue 21). An account may give one address, used for nothing else,
-- shown to nobody, deleted with the account. It is verified by a link whose token is kept only as
-- a digest.
CREATE TABLE email_addresses (
    account_id      BIGINT  PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    address         TEXT     NOT NULL,
    -- NULL until the link sent to it is followed.
    verified_at_ms  BIGINT,
    -- The interface language the account chose: messages are written in it.
    language        TEXT     NOT NULL,
    created_at_ms   BIGINT  NOT NULL
);

CREATE TABLE email_verifications (
    -- SHA-256 of the link's token, in hex.
    token_digest   TEXT     PRIMARY KEY,
    account_id     BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    address        TEXT     NOT NULL,
    expires_at_ms  BIGINT  NOT NULL,
    -- Set once the link is followed: a second use is told apart from an unknown link.
    used_at_ms     BIGINT
);
CREATE INDEX email_verifications_account ON email_verifications (account_id);

-- What an account wants to hear about, per consultation (1 or 0 each).
CREATE TABLE reminder_choices (
    account_id       BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    consultation_id  BIGINT  NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    new_round        BIGINT  NOT NULL,
    phase_changes    BIGINT  NOT NULL,
    deadlines        BIGINT  NOT NULL,
    responses        BIGINT  NOT NULL,
    PRIMARY KEY (account_id, consultation_id)
);
CREATE INDEX reminder_choices_consultation ON reminder_choices (consultation_id);

-- What happened that someone may want to hear about, written with the change itself; the mail
-- worker turns each into one message per subscriber. `dedupe` names the happening (a phase
-- reached at a time, a deadline two days ahead, …) so that it is written once, whichever
-- process notices it.
CREATE TABLE mail_events (
    id                BIGSERIAL PRIMARY KEY,
    kind              TEXT     NOT NULL
        CHECK (kind IN ('new_round', 'phase_change', 'deadline', 'response')),
    dedupe            TEXT     NOT NULL UNIQUE,
    consultation_id   BIGINT  NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    round_id          BIGINT  REFERENCES rounds (id) ON DELETE CASCADE,
    phase             TEXT,
    at_ms             BIGINT  NOT NULL,
    comment_id        BIGINT  REFERENCES comments (id) ON DELETE CASCADE,
    fanned_out_at_ms  BIGINT
);
CREATE INDEX mail_events_waiting ON mail_events (fanned_out_at_ms, id);

-- Each message to send: written in its recipient's language, sent to the verified address the
-- account has when it goes out (none: it is dropped). Retries back off; a claim lets one process
-- send it while the others skip it.
CREATE TABLE mails (
    id                  BIGSERIAL PRIMARY KEY,
    account_id          BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- NULL for a verification message.
    event_id            BIGINT  REFERENCES mail_events (id) ON DELETE CASCADE,
    consultation_id     BIGINT  REFERENCES consultations (id) ON DELETE CASCADE,
    kind                TEXT     NOT NULL,
    -- The address a verification message goes to (any other goes to the verified one).
    address             TEXT,
    subject             TEXT     NOT NULL,
    body                TEXT     NOT NULL,
    -- SHA-256 of the one-click unsubscribe token the message carries, in hex; and the address
    -- with the token itself, for the message's List-Unsubscribe header until it is sent (then
    -- the subject, body and address are emptied: a sent message keeps only what it was).
    unsubscribe_digest  TEXT     UNIQUE,
    unsubscribe_url     TEXT,
    attempts            BIGINT  NOT NULL DEFAULT 0,
    next_attempt_at_ms  BIGINT  NOT NULL,
    claimed_until_ms    BIGINT,
    sent_at_ms          BIGINT,
    last_error          TEXT,
    created_at_ms       BIGINT  NOT NULL,
    UNIQUE (event_id, account_id)
);
CREATE INDEX mails_due ON mails (sent_at_ms, next_attempt_at_ms);
CREATE INDEX mails_account ON mails (account_id);
