-- Times are i64 milliseconds since the Unix epoch; tokens are stored only as SHA-256 digests.
CREATE TABLE schools (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    idle_timeout_secs BIGINT NOT NULL DEFAULT 120,
    languages TEXT NOT NULL DEFAULT 'en,es',
    allow_typed_login BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    school_id TEXT NOT NULL REFERENCES schools(id),
    role TEXT NOT NULL,
    username TEXT NOT NULL UNIQUE,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    locale TEXT NOT NULL DEFAULT 'en',
    disabled_at BIGINT,
    password_hash TEXT
);

CREATE TABLE classes (
    id TEXT PRIMARY KEY,
    school_id TEXT NOT NULL REFERENCES schools(id),
    title TEXT NOT NULL
);

CREATE TABLE class_members (
    class_id TEXT NOT NULL REFERENCES classes(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    PRIMARY KEY (class_id, user_id)
);
CREATE INDEX class_members_user ON class_members(user_id);

CREATE TABLE apps (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    school_id TEXT NOT NULL REFERENCES schools(id),
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    color TEXT NOT NULL
);

CREATE TABLE badges (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    secret_hash BYTEA NOT NULL,
    issued_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    voided_at BIGINT
);
CREATE INDEX badges_user ON badges(user_id);

CREATE TABLE kiosks (
    id TEXT PRIMARY KEY,
    school_id TEXT NOT NULL REFERENCES schools(id),
    name TEXT NOT NULL,
    credential_hash BYTEA NOT NULL UNIQUE,
    enrolled_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE enrollment_codes (
    code_hash BYTEA PRIMARY KEY,
    school_id TEXT NOT NULL REFERENCES schools(id),
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    kiosk_id TEXT REFERENCES kiosks(id),
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    ended_at BIGINT,
    cookie_hash BYTEA UNIQUE,
    ticket_hash BYTEA UNIQUE,
    ticket_expires_at BIGINT,
    ticket_ip TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE login_failures (
    username TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    locked_until BIGINT NOT NULL
);

CREATE TABLE audit (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at BIGINT NOT NULL,
    action TEXT NOT NULL,
    result TEXT NOT NULL,
    badge_id TEXT,
    kiosk_id TEXT,
    user_id TEXT,
    detail TEXT,
    latency_ms BIGINT
);
