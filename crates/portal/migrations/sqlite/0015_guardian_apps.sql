-- Apps for parents and guardians (issue 11, item 9): an app registered with `--roles guardian`
-- is a tile on "My children", so `app_roles` takes the role `guardian` (crate::roles::Role).
-- SQLite cannot change a CHECK in place: the table is made again with the same rows.
CREATE TABLE app_roles_new (
    app_id TEXT NOT NULL REFERENCES apps(id),
    role TEXT NOT NULL
        CHECK (role IN ('student', 'teacher', 'administrator', 'other', 'guardian')),
    PRIMARY KEY (app_id, role)
);
INSERT INTO app_roles_new (app_id, role) SELECT app_id, role FROM app_roles;
DROP TABLE app_roles;
ALTER TABLE app_roles_new RENAME TO app_roles;
