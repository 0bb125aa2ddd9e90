-- The grade a user is in, from the roster's `grades` column (the first of PK, K, 1..12 it
-- lists, as badgein_roster::Grade reads CEDS codes; stored as `PK`, `K`, `1` .. `12`): released
-- to apps only as the OpenID Connect `school` scope's `grade` claim and the SAML `grade`
-- attribute (docs/identity-provider.md), and what the grade rules of a school will use.
ALTER TABLE users ADD COLUMN grade TEXT;
