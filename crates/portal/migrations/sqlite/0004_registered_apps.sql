-- Apps are registered (`badgein-portal app add`, the administrators' apps page), not tiles
-- typed into one school: an app may be shown to several schools (none listed: every school)
-- and to some roles (none listed: every role), and may be an OpenID Connect client (redirect
-- URIs, a client id and the SHA-256 digest of its secret) or a SAML service provider.
-- The old tiles survive as plain links of their one school, for every role.
ALTER TABLE apps RENAME TO apps_0003;

CREATE TABLE apps (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    -- Registration order (ms since the epoch; the old tiles keep their old number, so they
    -- still list first and in their old order).
    listed_at INTEGER NOT NULL,
    client_id TEXT UNIQUE,
    secret_hash BLOB,
    backchannel_logout_uri TEXT,
    pairwise INTEGER NOT NULL DEFAULT 0,
    saml_entity_id TEXT UNIQUE,
    saml_acs TEXT,
    icon BLOB,
    icon_type TEXT,
    CHECK ((client_id IS NULL) = (secret_hash IS NULL)),
    CHECK ((saml_entity_id IS NULL) = (saml_acs IS NULL)),
    CHECK ((icon IS NULL) = (icon_type IS NULL))
);

-- No row for an app: every school. Schools are never deleted, so an app cannot fall back to
-- every school by losing its last row (no cascade either way).
CREATE TABLE app_schools (
    app_id TEXT NOT NULL REFERENCES apps(id),
    school_id TEXT NOT NULL REFERENCES schools(id),
    PRIMARY KEY (app_id, school_id)
);
CREATE INDEX app_schools_school ON app_schools(school_id);

-- No row for an app: every role.
CREATE TABLE app_roles (
    app_id TEXT NOT NULL REFERENCES apps(id),
    role TEXT NOT NULL CHECK (role IN ('student', 'teacher', 'administrator', 'other')),
    PRIMARY KEY (app_id, role)
);

-- Kept exactly as registered: OpenID Connect compares redirect URIs as strings.
CREATE TABLE app_redirect_uris (
    app_id TEXT NOT NULL REFERENCES apps(id),
    uri TEXT NOT NULL,
    PRIMARY KEY (app_id, uri)
);

INSERT INTO apps (id, name, url, listed_at)
    SELECT 'app-' || id, name, url, id FROM apps_0003;
INSERT INTO app_schools (app_id, school_id)
    SELECT 'app-' || id, school_id FROM apps_0003;
DROP TABLE apps_0003;
