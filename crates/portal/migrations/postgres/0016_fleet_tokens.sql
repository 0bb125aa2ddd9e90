-- Fleet enrollment tokens (issue 12; docs/fleet.md): one secret that enrolls up to `uses` kiosks
-- of one school, unattended, until it expires or is revoked (crate::fleet_tokens). Stored as the
-- SHA-256 digest of the normalised token (130 random bits), never the token. A use is spent by one
-- conditional UPDATE (`used < uses`), so kiosks racing for the last uses cannot overspend it; the
-- CHECK is the last word if a query ever forgot that.
CREATE TABLE fleet_tokens (
    id TEXT PRIMARY KEY,
    token_hash BYTEA NOT NULL UNIQUE,
    school_id TEXT NOT NULL REFERENCES schools(id),
    uses BIGINT NOT NULL CHECK (uses > 0),
    used BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT,
    CHECK (used >= 0 AND used <= uses)
);

CREATE INDEX fleet_tokens_school ON fleet_tokens (school_id);
