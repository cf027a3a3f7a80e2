//! What a draft changes compared with the published version, listed for the form designer.
//!
//! [`diff`] compares two definitions part by part: form settings, the notice, purposes,
//! sections and fields (matched by key). Every member of a definition is covered, so for
//! definitions with unique keys the list is empty exactly when the two are equal. An item counts as
//! moved only when its order relative to the other kept items changed (the longest run of
//! items still in order stays put), so inserting one field does not "move" all after it.
//! Drafts may be unsound (duplicate keys, say): the first item with a key stands for it,
//! and nothing here panics.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::change_messages;
use super::definition::{FormDefinition, Purpose, Section};
use super::field::Field;
use super::keys::{FieldKey, PurposeKey, SectionKey};
use crate::i18n::{Locale, LocalizedText};

/// One change of the draft, in JSON tagged by `change`: `{"change": "field_added", ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum DraftChange {
    /// Form-wide settings changed.
    SettingsChanged { settings: Vec<FormSetting> },
    /// The privacy notice text changed.
    NoticeChanged,
    /// A purpose was added.
    PurposeAdded {
        key: PurposeKey,
        name: LocalizedText,
    },
    /// A purpose was removed.
    PurposeRemoved {
        key: PurposeKey,
        name: LocalizedText,
    },
    /// A kept purpose changed.
    PurposeChanged {
        key: PurposeKey,
        name: LocalizedText,
        attributes: Vec<PurposeAttribute>,
    },
    /// A section was added.
    SectionAdded {
        key: SectionKey,
        title: LocalizedText,
    },
    /// A section was removed.
    SectionRemoved {
        key: SectionKey,
        title: LocalizedText,
    },
    /// A kept section changed (its own settings, not its fields).
    SectionChanged {
        key: SectionKey,
        title: LocalizedText,
        attributes: Vec<SectionAttribute>,
    },
    /// A field was added.
    FieldAdded {
        key: FieldKey,
        label: LocalizedText,
        section: SectionKey,
    },
    /// A field was removed.
    FieldRemoved {
        key: FieldKey,
        label: LocalizedText,
        section: SectionKey,
    },
    /// A kept field changed.
    FieldChanged {
        key: FieldKey,
        label: LocalizedText,
        attributes: Vec<FieldAttribute>,
    },
    /// A kept field moved to another section or to another place among the kept fields.
    FieldMoved {
        key: FieldKey,
        label: LocalizedText,
        from_section: SectionKey,
        to_section: SectionKey,
    },
}

impl DraftChange {
    /// The change described for the designer, in `locale`.
    #[must_use]
    pub fn message(&self, locale: Locale) -> String {
        change_messages::change_message(self, locale)
    }
}

macro_rules! attribute_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $json:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable JSON name.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $json),+
                }
            }
        }
    };
}

attribute_enum!(
    /// A form-wide setting.
    FormSetting {
        /// `format_version`.
        FormatVersion => "format_version",
        /// The form's title.
        Title => "title",
        /// The introduction under the title.
        Description => "description",
        /// The controller's name or contact.
        Controller => "controller",
        /// The separate-consent wording for sensitive data.
        SensitiveConsentText => "sensitive_consent_text",
        /// The origins allowed to embed the form.
        EmbedOrigins => "embed_origins",
        /// The cross-border transfer.
        CrossBorder => "cross_border",
        /// The guardian-consent age.
        GuardianConsentAge => "guardian_consent_age",
    }
);

attribute_enum!(
    /// A part of a purpose.
    PurposeAttribute {
        /// Its name.
        Name => "name",
        /// Its description.
        Description => "description",
        /// Its lawful basis.
        LawfulBasis => "lawful_basis",
        /// Whether it is required.
        Required => "required",
        /// Its own retention period.
        Retention => "retention",
        /// Its place among the purposes.
        Position => "position",
    }
);

attribute_enum!(
    /// A part of a section.
    SectionAttribute {
        /// Its heading.
        Title => "title",
        /// Whether it starts a new page.
        NewPage => "new_page",
        /// Its place among the sections.
        Position => "position",
    }
);

attribute_enum!(
    /// A part of a field.
    FieldAttribute {
        /// The question.
        Label => "label",
        /// The help text (or a notice's body).
        Help => "help",
        /// The kind, with its settings such as choice options.
        Kind => "kind",
        /// The answer rules.
        Rules => "rules",
        /// Whether an answer is needed.
        Required => "required",
        /// The default answer.
        Default => "default",
        /// The visibility condition.
        Visibility => "visibility",
        /// The sensitivity.
        Sensitivity => "sensitivity",
        /// The purposes it is collected for.
        Purposes => "purposes",
        /// The retention period.
        Retention => "retention",
        /// The masking style.
        Mask => "mask",
    }
);

/// Every change from `published` to `draft`, in this order: settings, notice, purposes,
/// sections, fields; within each group removed items first (in published order), then
/// added, changed and moved items in draft order.
#[must_use]
pub fn diff(published: &FormDefinition, draft: &FormDefinition) -> Vec<DraftChange> {
    let mut out = Vec::new();
    let settings = changed_settings(published, draft);
    if !settings.is_empty() {
        out.push(DraftChange::SettingsChanged { settings });
    }
    if published.notice != draft.notice {
        out.push(DraftChange::NoticeChanged);
    }
    diff_purposes(&published.purposes, &draft.purposes, &mut out);
    diff_sections(&published.sections, &draft.sections, &mut out);
    diff_fields(published, draft, &mut out);
    out
}

fn changed_settings(a: &FormDefinition, b: &FormDefinition) -> Vec<FormSetting> {
    [
        (
            FormSetting::FormatVersion,
            a.format_version == b.format_version,
        ),
        (FormSetting::Title, a.title == b.title),
        (FormSetting::Description, a.description == b.description),
        (FormSetting::Controller, a.controller == b.controller),
        (
            FormSetting::SensitiveConsentText,
            a.sensitive_consent_text == b.sensitive_consent_text,
        ),
        (
            FormSetting::EmbedOrigins,
            a.embed_origins == b.embed_origins,
        ),
        (FormSetting::CrossBorder, a.cross_border == b.cross_border),
        (
            FormSetting::GuardianConsentAge,
            a.guardian_consent_under_age == b.guardian_consent_under_age,
        ),
    ]
    .into_iter()
    .filter_map(|(setting, same)| (!same).then_some(setting))
    .collect()
}

/// The first item with each key, with its index.
fn first_by_key<'a, T, K: Ord + 'a>(
    items: &'a [T],
    key: impl Fn(&'a T) -> &'a K,
) -> BTreeMap<&'a K, (usize, &'a T)> {
    let mut map = BTreeMap::new();
    for (i, item) in items.iter().enumerate() {
        map.entry(key(item)).or_insert((i, item));
    }
    map
}

/// The keys found in both sequences whose relative order changed: those outside a longest
/// run of kept keys that is in the same order in both (a longest increasing subsequence of
/// old positions, taken in new order; `O(n log n)`).
fn reordered<'a, K: Ord>(old: &[&'a K], new: &[&'a K]) -> BTreeSet<&'a K> {
    let new_keys: BTreeSet<&K> = new.iter().copied().collect();
    let old_pos: BTreeMap<&K, usize> = old
        .iter()
        .copied()
        .filter(|k| new_keys.contains(k))
        .enumerate()
        .map(|(i, k)| (k, i))
        .collect();
    let kept: Vec<(&'a K, usize)> = new
        .iter()
        .filter_map(|k| old_pos.get(k).map(|p| (*k, *p)))
        .collect();
    // tails[l] = index into `kept` of the smallest tail of an increasing run of length l+1.
    let mut tails: Vec<usize> = Vec::new();
    let mut prev: Vec<Option<usize>> = vec![None; kept.len()];
    for (i, (_, pos)) in kept.iter().enumerate() {
        let at = tails.partition_point(|t| kept[*t].1 < *pos);
        prev[i] = at.checked_sub(1).map(|j| tails[j]);
        if at == tails.len() {
            tails.push(i);
        } else {
            tails[at] = i;
        }
    }
    let mut in_order = BTreeSet::new();
    let mut cursor = tails.last().copied();
    while let Some(i) = cursor {
        in_order.insert(kept[i].0);
        cursor = prev[i];
    }
    kept.iter()
        .map(|(k, _)| *k)
        .filter(|k| !in_order.contains(k))
        .collect()
}

fn diff_purposes(old: &[Purpose], new: &[Purpose], out: &mut Vec<DraftChange>) {
    let old_map = first_by_key(old, |p| &p.key);
    let new_map = first_by_key(new, |p| &p.key);
    for (key, p) in sorted_by_index(&old_map) {
        if !new_map.contains_key(key) {
            out.push(DraftChange::PurposeRemoved {
                key: key.clone(),
                name: p.name.clone(),
            });
        }
    }
    let moved = reordered(
        &old.iter().map(|p| &p.key).collect::<Vec<_>>(),
        &new.iter().map(|p| &p.key).collect::<Vec<_>>(),
    );
    for (key, p) in sorted_by_index(&new_map) {
        let Some((_, before)) = old_map.get(key) else {
            out.push(DraftChange::PurposeAdded {
                key: key.clone(),
                name: p.name.clone(),
            });
            continue;
        };
        let attributes: Vec<PurposeAttribute> = [
            (PurposeAttribute::Name, before.name == p.name),
            (
                PurposeAttribute::Description,
                before.description == p.description,
            ),
            (
                PurposeAttribute::LawfulBasis,
                before.lawful_basis == p.lawful_basis,
            ),
            (PurposeAttribute::Required, before.required == p.required),
            (PurposeAttribute::Retention, before.retention == p.retention),
            (PurposeAttribute::Position, !moved.contains(key)),
        ]
        .into_iter()
        .filter_map(|(a, same)| (!same).then_some(a))
        .collect();
        if !attributes.is_empty() {
            out.push(DraftChange::PurposeChanged {
                key: key.clone(),
                name: p.name.clone(),
                attributes,
            });
        }
    }
}

fn diff_sections(old: &[Section], new: &[Section], out: &mut Vec<DraftChange>) {
    let old_map = first_by_key(old, |s| &s.key);
    let new_map = first_by_key(new, |s| &s.key);
    for (key, s) in sorted_by_index(&old_map) {
        if !new_map.contains_key(key) {
            out.push(DraftChange::SectionRemoved {
                key: key.clone(),
                title: s.title.clone(),
            });
        }
    }
    let moved = reordered(
        &old.iter().map(|s| &s.key).collect::<Vec<_>>(),
        &new.iter().map(|s| &s.key).collect::<Vec<_>>(),
    );
    for (key, s) in sorted_by_index(&new_map) {
        let Some((_, before)) = old_map.get(key) else {
            out.push(DraftChange::SectionAdded {
                key: key.clone(),
                title: s.title.clone(),
            });
            continue;
        };
        let attributes: Vec<SectionAttribute> = [
            (SectionAttribute::Title, before.title == s.title),
            (SectionAttribute::NewPage, before.new_page == s.new_page),
            (SectionAttribute::Position, !moved.contains(key)),
        ]
        .into_iter()
        .filter_map(|(a, same)| (!same).then_some(a))
        .collect();
        if !attributes.is_empty() {
            out.push(DraftChange::SectionChanged {
                key: key.clone(),
                title: s.title.clone(),
                attributes,
            });
        }
    }
}

/// Every field with its section's key, in form order.
fn fields_with_sections(def: &FormDefinition) -> Vec<(&SectionKey, &Field)> {
    def.sections
        .iter()
        .flat_map(|s| s.fields.iter().map(move |f| (&s.key, f)))
        .collect()
}

fn diff_fields(old_def: &FormDefinition, new_def: &FormDefinition, out: &mut Vec<DraftChange>) {
    let old = fields_with_sections(old_def);
    let new = fields_with_sections(new_def);
    let old_map = first_by_key(&old, |(_, f)| &f.key);
    let new_map = first_by_key(&new, |(_, f)| &f.key);
    for (key, (section, f)) in sorted_by_index(&old_map) {
        if !new_map.contains_key(key) {
            out.push(DraftChange::FieldRemoved {
                key: key.clone(),
                label: f.label.clone(),
                section: (*section).clone(),
            });
        }
    }
    let moved = reordered(
        &old.iter().map(|(_, f)| &f.key).collect::<Vec<_>>(),
        &new.iter().map(|(_, f)| &f.key).collect::<Vec<_>>(),
    );
    for (key, (section, f)) in sorted_by_index(&new_map) {
        let Some((_, (old_section, before))) = old_map.get(key) else {
            out.push(DraftChange::FieldAdded {
                key: key.clone(),
                label: f.label.clone(),
                section: (*section).clone(),
            });
            continue;
        };
        let attributes = changed_field_attributes(before, f);
        if !attributes.is_empty() {
            out.push(DraftChange::FieldChanged {
                key: key.clone(),
                label: f.label.clone(),
                attributes,
            });
        }
        if moved.contains(key) || old_section != section {
            out.push(DraftChange::FieldMoved {
                key: key.clone(),
                label: f.label.clone(),
                from_section: (*old_section).clone(),
                to_section: (*section).clone(),
            });
        }
    }
}

fn changed_field_attributes(a: &Field, b: &Field) -> Vec<FieldAttribute> {
    [
        (FieldAttribute::Label, a.label == b.label),
        (FieldAttribute::Help, a.help == b.help),
        (FieldAttribute::Kind, a.kind == b.kind),
        (FieldAttribute::Rules, a.rules == b.rules),
        (FieldAttribute::Required, a.required == b.required),
        (FieldAttribute::Default, a.default == b.default),
        (FieldAttribute::Visibility, a.visible_when == b.visible_when),
        (FieldAttribute::Sensitivity, a.sensitivity == b.sensitivity),
        (FieldAttribute::Purposes, a.purposes == b.purposes),
        (FieldAttribute::Retention, a.retention == b.retention),
        (FieldAttribute::Mask, a.mask == b.mask),
    ]
    .into_iter()
    .filter_map(|(attribute, same)| (!same).then_some(attribute))
    .collect()
}

/// The entries of a `first_by_key` map in the order of the items.
fn sorted_by_index<'m, 'a, K: Ord, T>(map: &'m BTreeMap<&'a K, (usize, T)>) -> Vec<(&'a K, &'m T)> {
    let mut entries: Vec<(&'a K, usize, &'m T)> =
        map.iter().map(|(k, (i, t))| (*k, *i, t)).collect();
    entries.sort_by_key(|(_, i, _)| *i);
    entries.into_iter().map(|(k, _, t)| (k, t)).collect()
}
