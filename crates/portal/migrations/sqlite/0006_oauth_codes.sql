-- The OpenID Connect authorization code flow (idp::codes, docs/identity-provider.md).
-- Codes and access tokens are 256-bit random tokens stored only as their SHA-256 digest.
-- No foreign keys: a removed app deletes its rows itself (store::apps::remove), and the
-- sessions and users they name are checked again when the code is redeemed.
CREATE TABLE oauth_codes (
    code_hash BLOB PRIMARY KEY,
    app_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    session_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    nonce TEXT,
    -- The PKCE S256 challenge (base64url of SHA-256 of the verifier), if the app sent one.
    code_challenge TEXT,
    -- The granted scopes, space-separated.
    scope TEXT NOT NULL,
    -- When the session was made (the ID token's auth_time), ms since the epoch.
    auth_time INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    -- Single use: set at the first redemption.
    used_at INTEGER,
    -- Set when a second redemption was tried: what the first issued is revoked with it.
    revoked_at INTEGER
);
CREATE INDEX oauth_codes_app ON oauth_codes(app_id);

CREATE TABLE oauth_access_tokens (
    token_hash BLOB PRIMARY KEY,
    -- The code it was issued for (revoked with it).
    code_hash BLOB NOT NULL,
    app_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX oauth_access_tokens_code ON oauth_access_tokens(code_hash);
CREATE INDEX oauth_access_tokens_app ON oauth_access_tokens(app_id);

-- A pairwise app's secret salt (128 random bits): its `sub` for a user is the SHA-256 of the
-- salt and the user id, so two apps cannot match their users by `sub`. Set at registration;
-- a pairwise app registered before this migration has none and is refused until registered
-- again.
ALTER TABLE apps ADD COLUMN pairwise_salt BLOB;
