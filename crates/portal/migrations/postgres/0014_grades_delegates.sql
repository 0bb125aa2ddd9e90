-- Issue 11, items 2, 3 and 5 (docs/accounts.md).
-- A school's grade rules, as ranges of PK, K, 1..12 (`PK-5`): no row is the default
-- (PK-5 badges, 3-12 change their password, 6-12 claim).
CREATE TABLE school_policies (
    school_id TEXT PRIMARY KEY REFERENCES schools (id),
    badge_grades TEXT NOT NULL,
    password_change_grades TEXT NOT NULL,
    claim_grades TEXT NOT NULL
);
-- A teacher marked the student as needing a badge outside the badge grades (accessibility).
ALTER TABLE users ADD COLUMN needs_badge BOOLEAN NOT NULL DEFAULT FALSE;
-- A temporary password was given: the next sign-in goes to the change-password page first.
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
-- Staff of a school who may print and void badges, or reset passwords and clear lockouts, in
-- every class of the school.
CREATE TABLE delegates (
    school_id TEXT NOT NULL REFERENCES schools (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    can_badges BOOLEAN NOT NULL,
    can_passwords BOOLEAN NOT NULL,
    PRIMARY KEY (school_id, user_id),
    CHECK (can_badges OR can_passwords)
);
