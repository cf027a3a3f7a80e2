//! First start: an admin account to sign in with, and a demo form to look at.

use crate::{
    auth::service::{ensure_first_admin, FirstAdmin},
    store::Db,
};

/// What a first start created.
#[derive(Default)]
pub struct Seeded {
    /// The first admin's credentials, to be printed once and never stored in clear.
    pub admin: Option<FirstAdmin>,
}

/// Creates what an empty database needs; does nothing on a database in use.
pub async fn seed(db: &Db) -> anyhow::Result<Seeded> {
    let admin = ensure_first_admin(db).await?;
    Ok(Seeded { admin })
}
