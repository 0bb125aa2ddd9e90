-- What claiming an account needs from the roster (issue 11, item 1).
--
-- The student or staff number (users.csv identifier): spaces removed and letters uppercased
-- (badgein_roster::Identifier), compared exactly with what a person types at /claim.
ALTER TABLE users ADD COLUMN number TEXT;
CREATE INDEX users_number ON users(number);
-- The date of birth (demographics.csv birthDate) only as HMAC-SHA256(key, user id, 0,
-- YYYY-MM-DD), the key derived from the key file kept outside the database (crate::claim::
-- birth_key): a copy of the database alone gives neither the dates nor a way to test a guess.
ALTER TABLE users ADD COLUMN birth_date_hmac BYTEA;
-- A child and one of their parents or guardians (users.csv agentSourcedIds, either way round).
CREATE TABLE guardians (
    student_id TEXT NOT NULL REFERENCES users(id),
    guardian_id TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (student_id, guardian_id)
);
CREATE INDEX guardians_guardian ON guardians(guardian_id);
