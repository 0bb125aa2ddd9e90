-- The scopes an OpenID Connect app may be granted besides `openid` (space-separated, of
-- `profile`, `email`, `school`): an app asking for more gets only these (idp::authorization).
-- Registered from now on with `--scopes` (default `profile`); the apps registered before keep
-- what they could be granted until now, every scope.
ALTER TABLE apps ADD COLUMN oidc_scopes TEXT;
UPDATE apps SET oidc_scopes = 'profile email school' WHERE client_id IS NOT NULL;
