-- +goose Up
-- Emails the shop sends, staff invitations and password resets. Each email
-- row is written in the transaction that causes it, together with the job
-- that sends it (River's tables are migrated alongside these), so a
-- rolled-back change sends nothing and a committed one is never lost.

-- Single-use links for staff: an invitation (the account is created when
-- it is accepted) or a password reset. Only a hash of the link's token is
-- stored; the token itself exists only in the email or the command output.
CREATE TABLE staff_tokens (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    purpose     text NOT NULL CHECK (purpose IN ('invite', 'reset')),
    email       text NOT NULL CHECK (length(email) BETWEEN 3 AND 254 AND position('@' IN email) > 1),
    name        text NOT NULL DEFAULT '' CHECK (length(name) <= 100),
    role        text CHECK (role IN ('owner', 'staff')),
    staff_id    bigint REFERENCES staff (id),
    created_by  bigint REFERENCES staff (id),
    -- Set when the link is made: by the command that prints it, or by the
    -- job that emails it (a resend makes a new link and the old one dies).
    token_hash  bytea UNIQUE CHECK (length(token_hash) = 32),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    CHECK (expires_at > created_at),
    CHECK ((purpose = 'invite' AND role IS NOT NULL) OR (purpose = 'reset' AND staff_id IS NOT NULL))
);

CREATE INDEX staff_tokens_staff_idx ON staff_tokens (staff_id, created_at) WHERE staff_id IS NOT NULL;
CREATE INDEX staff_tokens_pending_invites_idx ON staff_tokens (created_at) WHERE purpose = 'invite' AND used_at IS NULL;

-- One row per email and recipient: what staff see on an order ("sent",
-- "waiting to be sent", "failed: …") and what a resend starts again.
CREATE TABLE emails (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind           text NOT NULL CHECK (kind IN ('order_confirmation', 'order_alert', 'order_ready',
                                                 'order_out_for_delivery', 'order_delivered', 'order_cancelled',
                                                 'staff_invite', 'password_reset')),
    order_id       bigint REFERENCES orders (id),
    staff_token_id bigint REFERENCES staff_tokens (id),
    recipient      text NOT NULL CHECK (length(recipient) BETWEEN 3 AND 254 AND position('@' IN recipient) > 1),
    status         text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    -- Delivery attempts so far, and how many times staff asked to send it again.
    attempts       integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    resends        integer NOT NULL DEFAULT 0 CHECK (resends >= 0),
    last_error     text CHECK (length(last_error) <= 500),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    sent_at        timestamptz,
    CHECK ((order_id IS NULL) <> (staff_token_id IS NULL))
);

-- The same cause never sends the same email twice.
CREATE UNIQUE INDEX emails_order_kind_idx ON emails (order_id, kind, lower(recipient)) WHERE order_id IS NOT NULL;
CREATE UNIQUE INDEX emails_staff_token_idx ON emails (staff_token_id) WHERE staff_token_id IS NOT NULL;
CREATE INDEX emails_failed_idx ON emails (updated_at DESC) WHERE status = 'failed';

-- The development mailbox: with no SMTP server configured in development,
-- messages are kept here and shown at /dev/mail. Production never writes it.
CREATE TABLE dev_mail (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id  text NOT NULL,
    sender      text NOT NULL,
    recipients  text NOT NULL,
    subject     text NOT NULL,
    text_body   text NOT NULL,
    html_body   text NOT NULL,
    raw         bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Why an order was cancelled, as staff gave it: shown in the history and
-- sent to the customer.
ALTER TABLE order_events ADD COLUMN reason text CHECK (length(reason) <= 300);

-- Housekeeping deletes images no product uses any more.
CREATE INDEX products_image_idx ON products (image_id) WHERE image_id IS NOT NULL;
CREATE INDEX products_original_image_idx ON products (original_image_id) WHERE original_image_id IS NOT NULL;
CREATE INDEX staff_sessions_created_idx ON staff_sessions (created_at);
CREATE INDEX login_failures_failed_at_idx ON login_failures (failed_at);

-- +goose Down
DROP INDEX login_failures_failed_at_idx;
DROP INDEX staff_sessions_created_idx;
DROP INDEX products_original_image_idx;
DROP INDEX products_image_idx;
ALTER TABLE order_events DROP COLUMN reason;
DROP TABLE dev_mail;
DROP TABLE emails;
DROP TABLE staff_tokens;
