-- The identity provider's token-signing keys (idp::keys). The private key is PKCS#8 DER sealed
-- with XChaCha20-Poly1305 under the key-encryption key, which is kept outside the database
-- (docs/identity-provider.md): a copy of the database alone cannot sign.
CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY,
    -- The JWS algorithm: RS256 or ES256.
    alg TEXT NOT NULL,
    -- nonce || ciphertext || tag; the kid and alg are its associated data.
    private_key BLOB NOT NULL,
    -- The public JWK as the JWKS publishes it (JSON).
    public_jwk TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    -- When it stopped signing (a rotation); NULL while it is the current key of its alg.
    retired_at INTEGER,
    -- When it leaves the JWKS: after every token it signed has expired.
    not_after INTEGER
);
-- One current key per algorithm.
CREATE UNIQUE INDEX signing_keys_current ON signing_keys(alg) WHERE retired_at IS NULL;
