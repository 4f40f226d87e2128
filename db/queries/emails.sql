-- Emails, staff links (invitations and password resets), the development
-- mailbox and housekeeping.

-- name: InsertEmail :one
-- Nothing is inserted (and no row returned) when this cause already has
-- its email: one email per order, kind and recipient.
INSERT INTO emails (kind, order_id, staff_token_id, recipient)
VALUES ($1, $2, $3, $4)
ON CONFLICT DO NOTHING
RETURNING id;

-- name: ShopOwnerEmails :many
SELECT email FROM staff WHERE role = 'owner' AND active ORDER BY id;

-- name: EmailToSend :one
SELECT id, kind, order_id, staff_token_id, recipient, status, attempts, resends
FROM emails
WHERE id = $1;

-- name: MarkEmailSent :exec
UPDATE emails
SET status = 'sent', sent_at = sqlc.arg(at)::timestamptz, attempts = attempts + 1, last_error = NULL, updated_at = sqlc.arg(at)::timestamptz
WHERE id = sqlc.arg(id) AND resends = sqlc.arg(resends)::integer;

-- name: MarkEmailFailed :exec
UPDATE emails
SET status = 'failed', attempts = attempts + sqlc.arg(attempted)::integer, last_error = sqlc.arg(error)::text, updated_at = sqlc.arg(at)::timestamptz
WHERE id = sqlc.arg(id) AND resends = sqlc.arg(resends)::integer;

-- name: RecordEmailAttempt :exec
-- A failed attempt that will be tried again: the email stays pending.
UPDATE emails
SET attempts = attempts + 1, last_error = sqlc.arg(error)::text, updated_at = sqlc.arg(at)::timestamptz
WHERE id = sqlc.arg(id) AND resends = sqlc.arg(resends)::integer;

-- name: ResendEmail :one
-- Starts an email again, unless it is still waiting to be sent.
UPDATE emails
SET status = 'pending', resends = resends + 1, last_error = NULL, updated_at = now()
WHERE id = sqlc.arg(id) AND order_id = sqlc.arg(order_id)::bigint AND status <> 'pending'
RETURNING resends;

-- name: OrderEmails :many
SELECT id, kind, recipient, status, attempts, resends, last_error, created_at, updated_at, sent_at
FROM emails
WHERE order_id = sqlc.arg(order_id)::bigint
ORDER BY id;

-- name: RecentFailedEmails :many
-- Emails that gave up recently, for the notice on the orders board.
SELECT e.id, e.kind, e.recipient, e.updated_at, o.id AS order_id, o.number AS order_number
FROM emails e
JOIN orders o ON o.id = e.order_id
WHERE e.status = 'failed' AND e.updated_at > sqlc.arg(since)::timestamptz
ORDER BY e.updated_at DESC
LIMIT 20;

-- name: OrderForEmail :one
SELECT o.id, o.number, o.token, o.status, o.fulfilment, o.delivery_address, o.delivery_postcode,
       o.customer_name, o.customer_email, o.customer_phone, o.note, o.currency,
       o.subtotal_minor, o.delivery_fee_minor, o.total_minor, o.paid_at, o.placed_at,
       s.starts_at AS slot_starts_at, s.ends_at AS slot_ends_at, o.pickup_point_id, o.delivery_zone_name,
       coalesce((SELECT e.reason FROM order_events e
                 WHERE e.order_id = o.id AND e.to_status = 'cancelled'
                 ORDER BY e.id DESC LIMIT 1), '')::text AS cancel_reason
FROM orders o
LEFT JOIN pickup_slots s ON s.id = o.slot_id
WHERE o.id = $1;

-- name: CreateStaffToken :one
INSERT INTO staff_tokens (purpose, email, name, role, staff_id, created_by, token_hash, created_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
RETURNING id;

-- name: StaffTokenForEmail :one
SELECT id, purpose, email, name, role, staff_id, expires_at, used_at FROM staff_tokens WHERE id = $1;

-- name: SetStaffTokenHash :execrows
-- A new link for an unused, unexpired token; any earlier link stops working.
UPDATE staff_tokens SET token_hash = sqlc.arg(token_hash)
WHERE id = sqlc.arg(id) AND used_at IS NULL AND expires_at > sqlc.arg(now)::timestamptz;

-- name: StaffTokenByHash :one
SELECT id, purpose, email, name, role, staff_id, expires_at, used_at
FROM staff_tokens
WHERE token_hash = $1;

-- name: UseStaffToken :execrows
-- Consumes a link: it works once, before it expires.
UPDATE staff_tokens SET used_at = sqlc.arg(now)::timestamptz
WHERE id = sqlc.arg(id) AND used_at IS NULL AND expires_at > sqlc.arg(now)::timestamptz;

-- name: EndOtherResets :exec
-- A password that was reset ends every other reset link of the account.
UPDATE staff_tokens SET used_at = sqlc.arg(now)::timestamptz
WHERE staff_id = sqlc.arg(staff_id)::bigint AND purpose = 'reset' AND used_at IS NULL;

-- name: RecentResetRequests :one
SELECT count(*) FROM staff_tokens
WHERE staff_id = sqlc.arg(staff_id)::bigint AND purpose = 'reset' AND created_at > sqlc.arg(since)::timestamptz;

-- name: LockStaffEmail :exec
-- Serialises invitations and resets for one address across nodes.
SELECT pg_advisory_xact_lock(hashtextextended('staff-email:' || lower(sqlc.arg(email)::text), 7));

-- name: PendingInvites :many
SELECT t.id, t.email, t.name, t.role, t.created_at, t.expires_at, coalesce(s.name, '')::text AS invited_by,
       coalesce(e.status, '')::text AS email_status, coalesce(e.last_error, '')::text AS email_error, coalesce(e.id, 0)::bigint AS email_id
FROM staff_tokens t
LEFT JOIN staff s ON s.id = t.created_by
LEFT JOIN emails e ON e.staff_token_id = t.id
WHERE t.purpose = 'invite' AND t.used_at IS NULL AND t.expires_at > sqlc.arg(now)::timestamptz
ORDER BY t.created_at DESC
LIMIT 100;

-- name: PendingInviteFor :one
SELECT id FROM staff_tokens
WHERE purpose = 'invite' AND lower(email) = lower(sqlc.arg(email)::text) AND used_at IS NULL AND expires_at > sqlc.arg(now)::timestamptz
LIMIT 1;

-- name: WithdrawInvite :execrows
UPDATE staff_tokens SET used_at = sqlc.arg(now)::timestamptz
WHERE id = sqlc.arg(id) AND purpose = 'invite' AND used_at IS NULL;

-- name: RestartInviteEmail :one
-- Sends an invitation again (with a new link) and a day more to use it.
WITH t AS (
    UPDATE staff_tokens SET expires_at = sqlc.arg(expires_at)::timestamptz
    WHERE staff_tokens.id = sqlc.arg(token_id) AND purpose = 'invite' AND used_at IS NULL
    RETURNING staff_tokens.id
)
UPDATE emails
SET status = 'pending', resends = resends + 1, last_error = NULL, updated_at = now()
FROM t
WHERE emails.staff_token_id = t.id AND emails.status <> 'pending'
RETURNING emails.id, emails.resends;

-- name: InsertDevMail :exec
INSERT INTO dev_mail (message_id, sender, recipients, subject, text_body, html_body, raw)
VALUES ($1, $2, $3, $4, $5, $6, $7);

-- name: ListDevMail :many
SELECT id, sender, recipients, subject, created_at FROM dev_mail ORDER BY id DESC LIMIT 200;

-- name: GetDevMail :one
SELECT id, message_id, sender, recipients, subject, text_body, html_body, created_at FROM dev_mail WHERE id = $1;

-- name: DeleteUnusedImages :execrows
-- Images no product shows any more, once they are a day old (so an upload
-- in progress is never caught between storing its image and using it).
DELETE FROM images i
WHERE i.created_at < sqlc.arg(before)::timestamptz
  AND NOT EXISTS (SELECT 1 FROM products p WHERE p.image_id = i.id)
  AND NOT EXISTS (SELECT 1 FROM products p WHERE p.original_image_id = i.id)
  AND NOT EXISTS (SELECT 1 FROM shop_settings s WHERE i.id IN (s.logo_image_id, s.icon_image_id));

-- name: DeleteEndedStaffSessions :execrows
-- Sessions past the longest lifetime, unused past the longest idle time,
-- and sessions signed out a while ago.
DELETE FROM staff_sessions
WHERE created_at < sqlc.arg(before)::timestamptz
   OR coalesce(last_seen_at, created_at) < sqlc.arg(idle_before)::timestamptz
   OR revoked_at < sqlc.arg(revoked_before)::timestamptz;

-- name: DeleteLoginFailuresBefore :execrows
DELETE FROM login_failures WHERE failed_at < sqlc.arg(before)::timestamptz;

-- name: DeleteOldStaffTokens :execrows
-- Links that can no longer be used, once nobody needs to see them. Their
-- email rows go first.
WITH old AS (
    SELECT t.id FROM staff_tokens t
    WHERE (t.used_at IS NOT NULL OR t.expires_at < now()) AND t.created_at < sqlc.arg(before)::timestamptz
), gone AS (
    DELETE FROM emails e USING old WHERE e.staff_token_id = old.id
)
DELETE FROM staff_tokens t USING old WHERE t.id = old.id;

-- name: DeleteOldDevMail :execrows
DELETE FROM dev_mail WHERE created_at < sqlc.arg(before)::timestamptz;
