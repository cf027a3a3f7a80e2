//! [`TestApp`]'s shortcuts beside the HTTP API: the published keys and receipt checks
//! as anyone calls them, and what tests read and write straight in the app's database
//! (counts, accounts of a role, form assignments).

use crate::{expect_json, Session, TestApp, USER_PASSWORD};

impl TestApp {
    /// The server's published signing keys, as anyone fetches them.
    pub async fn published_keys(&self) -> shared::consent::PublishedKeySet {
        expect_json(
            self.http
                .get(format!("{}/.well-known/consentry-keys.json", self.address))
                .send()
                .await
                .unwrap(),
            200,
        )
        .await
    }

    /// The server's verdict on `receipt`, asked anonymously.
    pub async fn verify_receipt(
        &self,
        receipt: &shared::consent::SignedReceipt,
    ) -> shared::api::consent::ReceiptVerification {
        self.anonymous()
            .post_json("/public/receipts/verify", receipt, 200)
            .await
    }

    /// The one number `sql` selects, read straight from the test's database.
    pub async fn count(&self, sql: &str) -> i64 {
        let db = consentry_server::store::Db::connect(&self.database_url)
            .await
            .unwrap();
        let n: i64 = sqlx::query_scalar(sql).fetch_one(db.pool()).await.unwrap();
        db.close().await;
        n
    }

    /// Runs `sql` straight on the test's database, as someone holding it would.
    pub async fn execute(&self, sql: &str) {
        let db = consentry_server::store::Db::connect(&self.database_url)
            .await
            .unwrap();
        sqlx::query(sql).execute(db.pool()).await.unwrap();
        db.close().await;
    }

    /// A new collecting account of `role` (staff or manager) with every form assigned
    /// to it, signed in: what sync needs to accept its records.
    pub async fn collector(&self, role: shared::api::auth::Role) -> Session {
        let session = self.user_with_role(role).await;
        let db = consentry_server::store::Db::connect(&self.database_url)
            .await
            .unwrap();
        assign_every_form(&db, session.user().id).await;
        db.close().await;
        session
    }

    /// A new account of `role`, with [`USER_PASSWORD`], signed in.
    pub async fn user_with_role(&self, role: shared::api::auth::Role) -> Session {
        let db = consentry_server::store::Db::connect(&self.database_url)
            .await
            .unwrap();
        let username = format!(
            "{}-{}",
            role.as_str(),
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        let hash = consentry_server::auth::password::hash(USER_PASSWORD).unwrap();
        let id = shared::ids::UserId::from_uuid(uuid::Uuid::now_v7());
        let created = db
            .insert_user(&consentry_server::store::users::NewUser {
                id,
                username: &username,
                display_name: &username,
                role,
                password_hash: &hash,
                must_change_password: false,
            })
            .await
            .unwrap();
        assert!(created);
        db.close().await;
        self.sign_in(&username, USER_PASSWORD)
            .await
            .unwrap_or_else(|_| panic!("{username} cannot sign in"))
    }
}

/// Assigns every form in `db` to `user` straight in the database (as an admin would on
/// the assignment page), so that the user's synced records are accepted.
///
/// # Panics
/// If the database cannot be read or written.
#[allow(clippy::unwrap_used)]
pub async fn assign_every_form(db: &consentry_server::store::Db, user: shared::ids::UserId) {
    use sqlx::Row as _;
    let forms: Vec<String> = sqlx::query("SELECT id FROM forms")
        .fetch_all(db.pool())
        .await
        .unwrap()
        .iter()
        .map(|row| row.get::<String, _>("id"))
        .collect();
    for form in forms {
        sqlx::query(
            "INSERT INTO form_assignments (id, form_id, user_id, team_id, assigned_by, \
             assigned_at_ms) VALUES ($1, $2, $3, NULL, NULL, 0) ON CONFLICT DO NOTHING",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(form)
        .bind(user.to_string())
        .execute(db.pool())
        .await
        .unwrap();
    }
}
