-- Password failures are counted in memory now (auth::guard): junk attempts cost no writes.
DROP TABLE login_failures;
-- An administrator's unlock, seen by every service instance.
ALTER TABLE users ADD COLUMN unlocked_at INTEGER;
-- Browsers recognised for an account (OWASP's device cookie): the cookie's SHA-256 digest.
CREATE TABLE known_devices (
    device_hash BLOB NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id),
    last_seen_at INTEGER NOT NULL,
    PRIMARY KEY (device_hash, user_id)
);
CREATE INDEX known_devices_user ON known_devices(user_id);
-- Whether an account has signed in at a kiosk before (a kiosk recognised for it).
CREATE INDEX sessions_user_kiosk ON sessions(user_id, kiosk_id);
