-- +goose Up
-- Sign-in failures from a browser that has signed in to the account before
-- (its device cookie) count against that browser alone, so that someone
-- guessing from elsewhere cannot lock the owner out; the others count per
-- account and per client network (IPv4 address, IPv6 /64).

ALTER TABLE login_failures ADD COLUMN device text CHECK (length(device) <= 80);

CREATE INDEX login_failures_device_idx ON login_failures (device, failed_at) WHERE device IS NOT NULL;

-- +goose Down
DROP INDEX login_failures_device_idx;
ALTER TABLE login_failures DROP COLUMN device;
