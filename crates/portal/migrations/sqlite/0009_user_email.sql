-- An optional e-mail address per user, from the roster's email column (checked and lowercased
-- at import): released to apps only under the OpenID Connect 'email' scope and as the SAML
-- emailAddress NameID and 'email' attribute (docs/identity-provider.md).
ALTER TABLE users ADD COLUMN email TEXT;
