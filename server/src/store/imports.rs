//! What imports read from the store: which of a file's identifiers (blind indexes) a
//! form's stored records already have.

use std::collections::BTreeSet;

use shared::ids::FormId;

use super::Db;

impl Db {
    /// The blind indexes among `indexes` that a record of `form` (not erased) has.
    pub async fn stored_lookups(
        &self,
        form: FormId,
        indexes: &[String],
    ) -> Result<BTreeSet<String>, sqlx::Error> {
        let mut found = BTreeSet::new();
        for chunk in indexes.chunks(500) {
            // The list's placeholders first (positional on SQLite), then the form's.
            let form_param = match self.kind() {
                shared::api::system::DatabaseKind::Sqlite => "?".to_owned(),
                shared::api::system::DatabaseKind::Postgres => format!("${}", chunk.len() + 1),
            };
            let sql = format!(
                "SELECT DISTINCT l.blind_index FROM record_lookup l \
                 JOIN records r ON r.id = l.record_id \
                 WHERE l.blind_index IN {} AND r.form_id = {form_param} \
                 AND r.status <> 'erased'",
                super::records::placeholders_for(self.kind(), 1, chunk.len())
            );
            let mut q = sqlx::query_scalar::<_, String>(&sql);
            for index in chunk {
                q = q.bind(index);
            }
            found.extend(q.bind(form.to_string()).fetch_all(self.pool()).await?);
        }
        Ok(found)
    }
}
