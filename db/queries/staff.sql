-- name: CreateStaff :one
INSERT INTO staff (email, name, role, password_hash)
VALUES ($1, $2, $3, $4)
RETURNING id;

-- name: StaffByEmail :one
SELECT id, email, name, role, password_hash, session_epoch, active
FROM staff
WHERE lower(email) = lower($1);

-- name: StaffSession :one
-- The check every staff request makes: one indexed read.
SELECT s.id, s.email, s.name, s.role, s.session_epoch, s.active, ss.revoked_at, ss.last_seen_at, ss.remember
FROM staff_sessions ss
JOIN staff s ON s.id = ss.staff_id
WHERE ss.id = sqlc.arg(session_id) AND s.id = sqlc.arg(staff_id);

-- name: CreateStaffSession :exec
INSERT INTO staff_sessions (id, staff_id, created_at, last_seen_at, remember, user_agent) VALUES ($1, $2, $3, $3, $4, $5);

-- name: TouchStaffSession :exec
UPDATE staff_sessions SET last_seen_at = sqlc.arg(at)::timestamptz WHERE id = sqlc.arg(id);

-- name: StaffSessions :many
-- An account's sessions that are still open, newest first.
SELECT id, created_at, coalesce(last_seen_at, created_at)::timestamptz AS last_seen_at, remember, user_agent
FROM staff_sessions
WHERE staff_id = $1 AND revoked_at IS NULL AND created_at > sqlc.arg(since)::timestamptz
ORDER BY coalesce(last_seen_at, created_at) DESC
LIMIT 50;

-- name: RevokeOwnStaffSession :execrows
-- Ends one of the person's own sessions, and tells every node.
WITH r AS (UPDATE staff_sessions SET revoked_at = now()
           WHERE id = sqlc.arg(id) AND staff_id = sqlc.arg(staff_id) AND revoked_at IS NULL RETURNING staff_id)
SELECT pg_notify('staff_sessions', staff_id::text) FROM r;

-- name: RevokeStaffSession :exec
-- Tells every node, so that its open staff streams end.
WITH r AS (UPDATE staff_sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING staff_id)
SELECT pg_notify('staff_sessions', staff_id::text) FROM r;

-- name: DeleteOldStaffSessions :exec
DELETE FROM staff_sessions WHERE created_at < sqlc.arg(before)::timestamptz;

-- name: BumpSessionEpoch :exec
WITH u AS (UPDATE staff SET session_epoch = session_epoch + 1, updated_at = now() WHERE id = $1 RETURNING id)
SELECT pg_notify('staff_sessions', id::text) FROM u;

-- name: SetStaffPassword :exec
-- A new password also signs the person out everywhere.
WITH u AS (UPDATE staff SET password_hash = $2, session_epoch = session_epoch + 1, updated_at = now() WHERE id = $1 RETURNING id)
SELECT pg_notify('staff_sessions', id::text) FROM u;

-- name: ListStaff :many
SELECT id, email, name, role, active, created_at FROM staff ORDER BY active DESC, lower(name);

-- name: UpdateStaffAccess :execrows
-- Role and active flag; deactivating also signs the person out everywhere.
WITH u AS (
    UPDATE staff
    SET role = sqlc.arg(role), active = sqlc.arg(active),
        session_epoch = session_epoch + CASE WHEN active AND NOT sqlc.arg(active)::boolean THEN 1 ELSE 0 END,
        updated_at = now()
    WHERE id = sqlc.arg(id)
    RETURNING id
)
SELECT pg_notify('staff_sessions', id::text) FROM u;

-- name: CountActiveOwners :one
SELECT count(*) FROM staff WHERE role = 'owner' AND active;

-- name: StaffByID :one
SELECT id, email, name, role, active FROM staff WHERE id = $1;

-- name: LockLoginAttempts :exec
-- Serialises sign-in attempts for one account and one address, so a burst
-- spread over many nodes cannot slip past the limit.
SELECT pg_advisory_xact_lock(hashtextextended('login:' || sqlc.arg(email)::text, 7)),
       pg_advisory_xact_lock(hashtextextended('login-ip:' || sqlc.arg(ip)::text, 7));

-- name: RecentLoginFailures :one
-- Failures in the window, and when the oldest of each leaves it: for this
-- account and this client network from browsers without a device cookie
-- for it, and for this one device (empty: none).
SELECT
  (SELECT count(*) FROM login_failures f WHERE f.email = sqlc.arg(email) AND f.device IS NULL AND f.failed_at > sqlc.arg(since)::timestamptz)::bigint AS by_email,
  (SELECT count(*) FROM login_failures f WHERE f.ip = sqlc.arg(ip)::inet AND f.device IS NULL AND f.failed_at > sqlc.arg(since)::timestamptz)::bigint AS by_ip,
  (SELECT count(*) FROM login_failures f WHERE f.device = sqlc.arg(device)::text AND f.failed_at > sqlc.arg(since)::timestamptz)::bigint AS by_device,
  coalesce((SELECT min(f.failed_at) FROM login_failures f WHERE f.email = sqlc.arg(email) AND f.device IS NULL AND f.failed_at > sqlc.arg(since)::timestamptz), sqlc.arg(since)::timestamptz)::timestamptz AS oldest_email,
  coalesce((SELECT min(f.failed_at) FROM login_failures f WHERE f.ip = sqlc.arg(ip)::inet AND f.device IS NULL AND f.failed_at > sqlc.arg(since)::timestamptz), sqlc.arg(since)::timestamptz)::timestamptz AS oldest_ip,
  coalesce((SELECT min(f.failed_at) FROM login_failures f WHERE f.device = sqlc.arg(device)::text AND f.failed_at > sqlc.arg(since)::timestamptz), sqlc.arg(since)::timestamptz)::timestamptz AS oldest_device;

-- name: RecordLoginFailure :one
-- Recorded before the password is checked (and removed again if it was
-- right), so attempts checked at the same time all count.
INSERT INTO login_failures (email, ip, failed_at, device) VALUES ($1, sqlc.arg(ip)::inet, $2, sqlc.narg(device)::text)
RETURNING id;

-- name: DeleteLoginFailure :exec
DELETE FROM login_failures WHERE id = $1;

-- name: ClearLoginFailures :exec
-- After a successful sign-in: this browser's own mistakes, not the
-- failures of others guessing at the same account.
DELETE FROM login_failures
WHERE email = sqlc.arg(email) AND (device = sqlc.arg(device)::text OR (device IS NULL AND ip = sqlc.arg(ip)::inet));

-- name: DeleteOldLoginFailures :exec
DELETE FROM login_failures WHERE failed_at < sqlc.arg(before)::timestamptz;

-- name: LockOwnerChanges :exec
-- Serialises changes of role and access, so two owners demoting each other
-- at once cannot both succeed and leave the shop without an owner.
SELECT pg_advisory_xact_lock(hashtextextended('staff-owners', 7));
