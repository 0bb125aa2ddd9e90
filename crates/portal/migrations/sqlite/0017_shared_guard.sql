-- Several service instances on one database (docs/deploy.md, "Running more than one
-- instance"): what the password lockout counts and the sign-ins waiting for their second factor
-- live here, so that every instance sees the same.
--
-- The password guard's failure counters (auth::guard). The account is the SHA-256 digest of the
-- lowercased username as typed (known or not: a username field sometimes holds a password);
-- the counter is the digest of what is counted: one device or address of that account, its
-- attempts from unrecognised devices, or its wrong second-factor codes.
CREATE TABLE password_failures (
    account_hash BLOB NOT NULL,
    counter_hash BLOB NOT NULL,
    failures INTEGER NOT NULL,
    -- ms since the epoch; 0 when not locked in this round.
    locked_until INTEGER NOT NULL,
    last_at INTEGER NOT NULL,
    PRIMARY KEY (account_hash, counter_hash)
);
CREATE INDEX password_failures_last ON password_failures(last_at);
-- An unlock now forgets the account's counters above; the time of the last one is in the audit log.
ALTER TABLE users DROP COLUMN unlocked_at;
-- Password sign-ins waiting for their second factor (auth::pending): the browser's token only
-- as its SHA-256 digest; the device cookie to set at the end sealed with a key derived from
-- that token, so a copy of the database holds neither.
CREATE TABLE pending_sign_ins (
    token_hash BLOB PRIMARY KEY,
    user_id TEXT NOT NULL,
    -- The lowercased username: the password guard's account.
    account TEXT NOT NULL,
    device_sealed BLOB NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX pending_sign_ins_expiry ON pending_sign_ins(expires_at);
