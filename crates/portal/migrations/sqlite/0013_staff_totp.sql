-- The staff second factor (RFC 6238 TOTP, auth::totp) and the school settings it and the
-- lockout's "try again at" need (docs/staff-second-factor.md).

-- One authenticator per member of staff. The secret (160 random bits) must be readable to check
-- a code, so it cannot be hashed: it is sealed with XChaCha20-Poly1305 under the identity
-- provider's key-encryption key (idp::kek, kept outside the database), with "totp:" and the user
-- id as associated data, so a copy of the database alone does not give it back.
CREATE TABLE staff_totp (
    user_id TEXT PRIMARY KEY REFERENCES users(id),
    -- nonce || ciphertext || tag.
    secret_sealed BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    -- NULL while the enrollment waits for its first code; from then on the factor is on.
    confirmed_at INTEGER,
    -- The last 30-second time step whose code was accepted: a code is accepted once, and
    -- never one of an earlier step (no replay within its window).
    last_step INTEGER NOT NULL DEFAULT 0
);

-- The single-use recovery codes, as SHA-256 digests (80 random bits each, shown once).
CREATE TABLE staff_totp_recovery (
    user_id TEXT NOT NULL REFERENCES users(id),
    code_hash BLOB NOT NULL,
    used_at INTEGER,
    PRIMARY KEY (user_id, code_hash)
);

-- Whether the school's staff must enroll the second factor before the teacher pages open
-- (school policy --staff-totp required|optional).
ALTER TABLE schools ADD COLUMN staff_totp_required INTEGER NOT NULL DEFAULT 0;
-- The school's IANA time zone (school policy --time-zone), for the times the pages say
-- ("try again at 9:42 AM").
ALTER TABLE schools ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
-- Whether a password session also passed the second factor (SessionMethod::PasswordAndTotp;
-- `method` keeps its two values).
ALTER TABLE sessions ADD COLUMN second_factor INTEGER NOT NULL DEFAULT 0;
