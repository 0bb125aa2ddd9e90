-- The apps each session signed in to over OpenID Connect, so that when the session ends
-- each app hears of it (OpenID Connect Back-Channel Logout; idp::backchannel). A row is
-- written with the first access token an app gets for a session; the delivery worker sends
-- the logout once the session is no longer live, retries briefly, and marks the row done.
-- No foreign keys: a session pruned before its logout was sent counts as ended.
CREATE TABLE oidc_sign_ins (
    session_id TEXT NOT NULL,
    app_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    signed_in_at BIGINT NOT NULL,
    -- When the logout was delivered, found not needed (no URI), or given up; NULL: pending.
    logout_done_at BIGINT,
    logout_attempts INTEGER NOT NULL DEFAULT 0,
    -- Not before this (ms since the epoch): the next try after a failure, or the lease of the
    -- worker sending it now (so two portal processes do not both send it).
    logout_next_at BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (session_id, app_id)
);
CREATE INDEX oidc_sign_ins_pending ON oidc_sign_ins(logout_next_at) WHERE logout_done_at IS NULL;
CREATE INDEX oidc_sign_ins_done ON oidc_sign_ins(logout_done_at) WHERE logout_done_at IS NOT NULL;
