//! Records as a viewer sees them: masked by sensitivity for the viewer's role (or in
//! full for an unmasked export by a role that may reveal), withdrawn purposes hidden,
//! what retention did shown in place of a removed value, choices by their labels in the
//! viewer's language; the one building of views for the screen, requests and exports.

use std::collections::BTreeMap;

use shared::{
    access::{may_reveal, visibility, Visibility},
    api::{
        auth::Role,
        records::{RecordView, ViewValue},
        retention::ProcessedValue,
    },
    i18n::Locale,
    ids::{RecordId, UserId},
    mask::mask,
    schema::{FormDefinition, Sensitivity},
};

use super::{
    sealed::{self, Entries, Place},
    service::{data_key, log_unreadable, open_entry, withdrawn, withdrawn_set},
};
use crate::{
    crypto::{DataKey, SealedValues},
    error::AppResult,
    state::AppState,
    store::records::RecordRow,
};

/// Who looks at records, in which language, and whether values the role sees masked
/// are shown in full (an unmasked export, which the role may reveal).
#[derive(Debug, Clone, Copy)]
pub struct Viewer {
    pub role: Role,
    pub locale: Locale,
    pub unmask: bool,
}

impl Viewer {
    /// The caller as the screen shows records to them.
    #[must_use]
    pub fn screen(role: Role, locale: Locale) -> Self {
        Self {
            role,
            locale,
            unmask: false,
        }
    }

    /// How this viewer sees a value of `sensitivity`: the role's masking, or in full for
    /// an unmasked export by a role that may reveal.
    #[must_use]
    pub fn visibility(self, sensitivity: Sensitivity) -> Visibility {
        match visibility(self.role, sensitivity) {
            Visibility::Masked if self.unmask && may_reveal(self.role) => Visibility::Full,
            vis => vis,
        }
    }

    /// A value's text as this viewer sees it: in full, masked, or `None` when hidden.
    #[must_use]
    pub fn show(self, field: &shared::schema::Field, text: String) -> Option<String> {
        match self.visibility(field.sensitivity) {
            Visibility::Hidden => None,
            Visibility::Full => Some(text),
            Visibility::Masked => Some(mask(field.mask, &text)),
        }
    }
}

/// A record as the viewer sees it; counts the values shown in full.
fn view(
    state: &AppState,
    viewer: Viewer,
    def: &FormDefinition,
    row: &RecordRow,
    unmasked: &mut usize,
) -> AppResult<RecordView> {
    let values = values_view(
        state,
        viewer,
        def,
        row,
        (&row.values, Place::Record),
        unmasked,
    )?;
    let labels = def
        .fields()
        .filter(|f| values.contains_key(f.key.as_str()))
        .map(|f| (f.key.as_str().to_owned(), f.label.clone()))
        .collect();
    let field_order = def
        .fields()
        .filter(|f| values.contains_key(f.key.as_str()))
        .map(|f| f.key.as_str().to_owned())
        .collect();
    Ok(RecordView {
        relationship_ended_at_ms: row.relationship_ended_at_ms,
        form_title: def.title.clone(),
        labels,
        id: row.id,
        form_id: row.form_id,
        form_version: row.form_version,
        source: row.source,
        owner_id: row.owner_id,
        owner_name: None,
        created_at_ms: row.created_at_ms,
        values,
        version: 1,
        open_conflicts: 0,
        pending_fields: Vec::new(),
        field_order,
        imported: row.imported.clone().map(|mut b| {
            b.purpose_names = b
                .purposes
                .iter()
                .map(|k| {
                    def.purpose(k.as_str()).map_or_else(
                        || shared::i18n::LocalizedText::new(k.as_str(), k.as_str()),
                        |p| p.name.clone(),
                    )
                })
                .collect();
            b
        }),
    })
}

/// The values of `row` as `role` sees them: those in `stored` (the record's, or a kept
/// version's, opened at `place`), masked by sensitivity, withdrawn purposes hidden, and
/// what retention did shown in place of a value it removed. Counts the values shown in
/// clear.
pub(crate) fn values_view(
    state: &AppState,
    viewer: Viewer,
    def: &FormDefinition,
    row: &RecordRow,
    (stored, place): (&SealedValues, Place<'_>),
    unmasked: &mut usize,
) -> AppResult<BTreeMap<String, ViewValue>> {
    let locale = viewer.locale;
    let entries = Entries::of(row.id, stored)?;
    let gone = withdrawn_set(row);
    // The data key, unwrapped at the first sealed value shown: `Some(None)` when it
    // cannot be (a wrapped key altered or moved from another record), and then every
    // sealed value is unreadable while the rest of the record, and of the list, shows.
    let mut dek: Option<Option<DataKey>> = None;
    let mut values = BTreeMap::new();
    let processed: BTreeMap<String, ProcessedValue> = row
        .retention_json
        .as_deref()
        .and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default();
    for field in def.fields() {
        let Some(entry) = entries.get(field.key.as_str()) else {
            // Deleted or anonymised by retention: what is left, never revealed.
            if let Some(mark) = processed.get(field.key.as_str()) {
                values.insert(
                    field.key.as_str().to_owned(),
                    ViewValue {
                        sensitivity: field.sensitivity,
                        visibility: if mark.anonymised.is_some() {
                            Visibility::Full
                        } else {
                            Visibility::Hidden
                        },
                        display: mark
                            .anonymised
                            .as_ref()
                            .map(|kept| field.anonymised_text(kept, locale)),
                        withdrawn: false,
                        unreadable: false,
                        retention: Some(mark.clone()),
                    },
                );
            }
            continue;
        };
        let sensitivity = field.sensitivity;
        if withdrawn(field, &gone) {
            values.insert(
                field.key.as_str().to_owned(),
                ViewValue {
                    sensitivity,
                    visibility: Visibility::Hidden,
                    display: None,
                    withdrawn: true,
                    unreadable: false,
                    retention: None,
                },
            );
            continue;
        }
        let vis = viewer.visibility(sensitivity);
        let display = match vis {
            Visibility::Hidden => None,
            Visibility::Full | Visibility::Masked => {
                if dek.is_none() && sealed::is_sealed(entry) {
                    dek = Some(data_key(state, row).map_err(log_unreadable(row)).ok());
                }
                let opened = match open_entry(
                    row,
                    dek.as_ref().and_then(Option::as_ref),
                    place,
                    field.key.as_str(),
                    entry,
                ) {
                    Ok(v) => v,
                    Err(e) => {
                        // Tampering or corruption: show nothing for this value, keep the rest.
                        tracing::error!(record_id = %row.id, field = %field.key.as_str(), error = %e, "stored value unreadable");
                        values.insert(
                            field.key.as_str().to_owned(),
                            ViewValue {
                                sensitivity,
                                visibility: Visibility::Hidden,
                                display: None,
                                withdrawn: false,
                                unreadable: true,
                                retention: None,
                            },
                        );
                        continue;
                    }
                };
                let text = field.value_text(&opened, locale);
                if vis == Visibility::Full {
                    if sensitivity != Sensitivity::Ordinary {
                        *unmasked += 1;
                    }
                    Some(text)
                } else {
                    Some(mask(field.mask, &text))
                }
            }
        };
        values.insert(
            field.key.as_str().to_owned(),
            ViewValue {
                sensitivity,
                visibility: vis,
                display,
                withdrawn: false,
                unreadable: false,
                retention: None,
            },
        );
    }
    Ok(values)
}

/// Fills in each record's version, its number of open edit conflicts and its owner's
/// user name.
async fn complete_views(state: &AppState, records: &mut [RecordView]) -> AppResult<()> {
    let ids: Vec<RecordId> = records.iter().map(|r| r.id).collect();
    let found = state.db.versions_and_open_conflicts(&ids).await?;
    let owners: Vec<UserId> = records.iter().filter_map(|r| r.owner_id).collect();
    let names = state.db.user_names(&owners).await?;
    let mut pending = state.db.pending_fields(&ids).await?;
    for r in records.iter_mut() {
        if let Some((version, open)) = found.get(&r.id) {
            r.version = *version;
            r.open_conflicts = *open;
        }
        r.owner_name = r.owner_id.as_ref().and_then(|id| names.get(id).cloned());
        r.pending_fields = pending.remove(&r.id).unwrap_or_default();
    }
    Ok(())
}

/// Records as `role` sees them, complete (version, open conflicts, owner's name), and
/// how many values they show in clear (what the caller audits).
pub(crate) async fn views(
    state: &AppState,
    viewer: Viewer,
    rows: &[RecordRow],
) -> AppResult<(Vec<RecordView>, usize)> {
    let mut records = Vec::with_capacity(rows.len());
    let mut unmasked = 0;
    for row in rows {
        let version = state
            .versions
            .get_any(&state.db, row.form_id, row.form_version)
            .await?;
        records.push(view(
            state,
            viewer,
            &version.definition,
            row,
            &mut unmasked,
        )?);
    }
    complete_views(state, &mut records).await?;
    Ok((records, unmasked))
}
