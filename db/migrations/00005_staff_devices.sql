-- +goose Up
-- Staff sessions as staff see them on their account page: which device,
-- when last used, and whether it is kept signed in (a counter tablet).

ALTER TABLE staff_sessions
    ADD COLUMN remember     boolean NOT NULL DEFAULT false,
    ADD COLUMN last_seen_at timestamptz,
    ADD COLUMN user_agent   text NOT NULL DEFAULT '' CHECK (length(user_agent) <= 300);

CREATE INDEX staff_sessions_last_seen_idx ON staff_sessions (last_seen_at);

-- +goose Down
DROP INDEX staff_sessions_last_seen_idx;
ALTER TABLE staff_sessions DROP COLUMN user_agent, DROP COLUMN last_seen_at, DROP COLUMN remember;
