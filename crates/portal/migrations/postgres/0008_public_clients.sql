-- Public OpenID Connect clients and the ID token's algorithm per app (docs/apps.md).
--
-- A public client (RFC 6749 2.1: a single-page or native app, which cannot keep a secret)
-- authenticates at the token endpoint with `none` and must use PKCE S256. It has no secret.
-- As on SQLite (which cannot drop the CHECK tying `client_id` to `secret_hash` without
-- rebuilding the table), a public client's `secret_hash` is the empty string of bytes: no
-- SHA-256 digest is empty, so no presented secret ever matches it, and the CHECK below keeps
-- the two facts together.
ALTER TABLE apps ADD COLUMN public_client BOOLEAN NOT NULL DEFAULT FALSE
    CHECK (public_client = (length(secret_hash) = 0));

-- The algorithm of the app's ID tokens (idp::alg::SigningAlg's text); RS256 for every app
-- registered before.
ALTER TABLE apps ADD COLUMN id_token_alg TEXT NOT NULL DEFAULT 'RS256'
    CHECK (id_token_alg IN ('RS256', 'ES256'));
