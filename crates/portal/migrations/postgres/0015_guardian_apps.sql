-- Apps for parents and guardians (issue 11, item 9): an app registered with `--roles guardian`
-- is a tile on "My children", so `app_roles` takes the role `guardian` (crate::roles::Role).
ALTER TABLE app_roles DROP CONSTRAINT app_roles_role_check;
ALTER TABLE app_roles ADD CONSTRAINT app_roles_role_check
    CHECK (role IN ('student', 'teacher', 'administrator', 'other', 'guardian'));
