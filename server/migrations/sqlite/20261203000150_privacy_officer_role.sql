-- Issue #20: users may be privacy officers. SQLite cannot change the CHECK of
-- users.role in place, and rebuilding the table needs foreign keys off, which does
-- nothing inside the transaction sqlx runs this file in: `Db::migrate` rebuilds it
-- after the migrations (store/mod.rs, `widen_roles_sqlite`). Nothing to do here.
SELECT 1;
