-- Times are i64 milliseconds since the Unix epoch; tokens are stored only as SHA-256 digests.
CREATE TABLE schools (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    idle_timeout_secs INTEGER NOT NULL DEFAULT 120,
    languages TEXT NOT NULL DEFAULT 'en,es',
    allow_typed_login INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    school_id TEXT NOT NULL REFERENCES schools(id),
    role TEXT NOT NULL,
    username TEXT NOT NULL UNIQUE,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    locale TEXT NOT NULL DEFAULT 'en',
    disabled_at INTEGER,
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
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    school_id TEXT NOT NULL REFERENCES schools(id),
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    color TEXT NOT NULL
);

CREATE TABLE badges (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    secret_hash BLOB NOT NULL,
    issued_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    voided_at INTEGER
);
CREATE INDEX badges_user ON badges(user_id);

CREATE TABLE kiosks (
    id TEXT PRIMARY KEY,
    school_id TEXT NOT NULL REFERENCES schools(id),
    name TEXT NOT NULL,
    credential_hash BLOB NOT NULL UNIQUE,
    enrolled_at INTEGER NOT NULL,
    revoked_at INTEGER
);

CREATE TABLE enrollment_codes (
    code_hash BLOB PRIMARY KEY,
    school_id TEXT NOT NULL REFERENCES schools(id),
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    kiosk_id TEXT REFERENCES kiosks(id),
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    ended_at INTEGER,
    cookie_hash BLOB UNIQUE,
    ticket_hash BLOB UNIQUE,
    ticket_expires_at INTEGER,
    ticket_ip TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE login_failures (
    username TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    locked_until INTEGER NOT NULL
);

CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    action TEXT NOT NULL,
    result TEXT NOT NULL,
    badge_id TEXT,
    kiosk_id TEXT,
    user_id TEXT,
    detail TEXT,
    latency_ms INTEGER
);
