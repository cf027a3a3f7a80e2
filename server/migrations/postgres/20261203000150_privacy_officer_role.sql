-- Issue #20: users may be privacy officers.
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('admin', 'auditor', 'manager', 'staff', 'privacy_officer'));
