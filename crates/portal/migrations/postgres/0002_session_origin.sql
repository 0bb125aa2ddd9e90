-- How each session was made, so that what it may do (docs/API.md, "Sessions") and what ends
-- it (voiding its badge) can be told from the session itself.
-- `method`: 'badge' or 'password'. Sessions from before this migration made at a kiosk may
-- have been either; they count as badge sessions (the lesser power) until they end. Sessions
-- without a kiosk came from the browser login page, which takes only a password.
ALTER TABLE sessions ADD COLUMN method TEXT NOT NULL DEFAULT 'badge'
    CHECK (method IN ('badge', 'password'));
UPDATE sessions SET method = 'password' WHERE kiosk_id IS NULL;
-- The badge that started a badge session (NULL for password sessions).
ALTER TABLE sessions ADD COLUMN badge_id TEXT REFERENCES badges(id);
-- Voiding a badge and revoking a kiosk end the sessions they started.
CREATE INDEX sessions_badge ON sessions(badge_id);
CREATE INDEX sessions_kiosk ON sessions(kiosk_id);
