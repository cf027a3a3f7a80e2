//! First start: an admin account to sign in with, and a demo form to look at.

use crate::{
    auth::service::{ensure_first_admin, FirstAdmin},
    forms::service::seed_demo,
    store::Db,
};

/// What a first start created.
#[derive(Default)]
pub struct Seeded {
    /// The first admin's credentials, to be printed once and never stored in clear.
    pub admin: Option<FirstAdmin>,
    /// The demo form, published as version 1 and owned by the first admin.
    pub demo_form_id: Option<shared::ids::FormId>,
}

/// Creates what an empty database needs; does nothing on a database in use.
///
/// The demo form comes with the first admin only: a database that already has users
/// (say, one upgraded from before forms existed) is not given a demo form unasked.
pub async fn seed(db: &Db) -> anyhow::Result<Seeded> {
    let admin = ensure_first_admin(db).await?;
    let mut demo_form_id = None;
    if let Some(first) = &admin {
        let owner = db.user_by_username(&first.username).await?.map(|u| u.id);
        demo_form_id = seed_demo(db, owner).await?;
        if let Some(id) = &demo_form_id {
            tracing::info!(form_id = %id, "demo form published");
        }
    }
    Ok(Seeded {
        admin,
        demo_form_id,
    })
}
