//! Two versions of a record side by side, every field of the form, with a mark where
//! they differ.
//!
//! Values shown in full are compared by their text, so a field changed and changed back
//! is the same. A value the viewer sees only masked, hidden or withdrawn cannot be
//! compared by its text: it differs when a version between the two changed it (the
//! server lists each version's changed fields), or when only one version has it.

use std::collections::BTreeMap;

use leptos::prelude::*;
use shared::access::Visibility;
use shared::api::records::{RecordHistory, RecordVersionView, ViewValue};

use super::history::{label_of, ChangedMark, HistoryValue};
use crate::components::console_ui::local_time;
use crate::i18n::{fill, use_i18n, Texts};

/// The keys to lay values out by: the form's order, then any other key the values have
/// (a field of an older form version), in key order.
pub(super) fn field_keys(order: &[String], values: &[&BTreeMap<String, ViewValue>]) -> Vec<String> {
    let mut keys = order.to_vec();
    for map in values {
        for key in map.keys() {
            if !keys.contains(key) {
                keys.push(key.clone());
            }
        }
    }
    keys
}

/// True for a value shown as it is: not masked, hidden, withdrawn, unreadable or
/// processed by retention.
fn plain(value: &ViewValue) -> bool {
    value.visibility == Visibility::Full
        && !value.withdrawn
        && !value.unreadable
        && value.retention.is_none()
}

/// True when a version after the older of `a` and `b`, up to the newer, changed `key`.
fn edited_between(versions: &[RecordVersionView], a: i64, b: i64, key: &str) -> bool {
    let (from, to) = (a.min(b), a.max(b));
    versions
        .iter()
        .filter(|v| v.version > from && v.version <= to)
        .any(|v| v.changed.iter().any(|c| c == key))
}

/// Whether field `key` differs between versions `a` and `b` of `versions`.
fn differs(
    versions: &[RecordVersionView],
    a: &RecordVersionView,
    b: &RecordVersionView,
    key: &str,
) -> bool {
    if a.version == b.version {
        return false;
    }
    let (x, y) = (a.values.get(key), b.values.get(key));
    match (x, y) {
        (Some(x), Some(y)) if plain(x) && plain(y) => x.display != y.display,
        _ => {
            let shown_differ = matches!(
                (x.and_then(|v| v.display.as_ref()), y.and_then(|v| v.display.as_ref())),
                (Some(p), Some(q)) if p != q
            );
            x.is_some() != y.is_some()
                || shown_differ
                || edited_between(versions, a.version, b.version, key)
        }
    }
}

/// The pair shown first: the previous version and the latest (the only one, twice).
fn default_pair(versions: &[RecordVersionView]) -> Option<(i64, i64)> {
    let latest = versions.last()?.version;
    let previous = versions
        .len()
        .checked_sub(2)
        .and_then(|i| versions.get(i))
        .map_or(latest, |v| v.version);
    Some((previous, latest))
}

/// One field of the comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
struct CompareRow {
    key: String,
    changed: bool,
}

/// Every field, in form order, and whether it differs between versions `a` and `b`
/// (empty when either is not in the history).
fn compare(history: &RecordHistory, a: i64, b: i64) -> Vec<CompareRow> {
    let find = |n: i64| history.versions.iter().find(|v| v.version == n);
    let (Some(va), Some(vb)) = (find(a), find(b)) else {
        return Vec::new();
    };
    field_keys(&history.field_order, &[&va.values, &vb.values])
        .into_iter()
        .map(|key| CompareRow {
            changed: differs(&history.versions, va, vb, &key),
            key,
        })
        .collect()
}

/// The two selects and the table of every field in both versions.
#[component]
pub(super) fn Compare(
    history: StoredValue<RecordHistory>,
    /// The versions picked (`None`: the default), kept by the page across reloads.
    picked: (RwSignal<Option<i64>>, RwSignal<Option<i64>>),
) -> impl IntoView {
    let i18n = use_i18n();
    let (pick_a, pick_b) = picked;
    let (first_a, first_b) = history
        .with_value(|h| default_pair(&h.versions))
        .unwrap_or((1, 1));
    let exists = move |n: i64| history.with_value(|h| h.versions.iter().any(|v| v.version == n));
    let a = Signal::derive(move || pick_a.get().filter(|n| exists(*n)).unwrap_or(first_a));
    let b = Signal::derive(move || pick_b.get().filter(|n| exists(*n)).unwrap_or(first_b));
    let choices: Vec<(i64, i64)> =
        history.with_value(|h| h.versions.iter().map(|v| (v.version, v.at_ms)).collect());
    let table = move || {
        let (a, b) = (a.get(), b.get());
        let locale = i18n.locale();
        let t = i18n.t();
        let column = |n: i64| fill(t.history.col_in_version, &[("n", &n.to_string())]);
        let (col_a, col_b) = (column(a), column(b));
        history.with_value(|h| {
            let find = |n: i64| h.versions.iter().find(|v| v.version == n);
            let rows = compare(h, a, b);
            let count = rows.iter().filter(|r| r.changed).count();
            let summary = if a == b {
                t.history.compare_same_version.to_owned()
            } else {
                fill(t.history.compare_count, &[("count", &count.to_string())])
            };
            let rows = rows
                .into_iter()
                .map(|row| {
                    let value_a = find(a).and_then(|v| v.values.get(&row.key).cloned());
                    let value_b = find(b).and_then(|v| v.values.get(&row.key).cloned());
                    let label = label_of(&h.labels, &row.key, locale);
                    let mark = if row.changed {
                        view! { <ChangedMark /> }.into_any()
                    } else {
                        view! { <span class="muted">{t.history.same_mark}</span> }.into_any()
                    };
                    view! {
                        <tr
                            class:history-row-changed=row.changed
                            data-testid="compare-row"
                            data-field=row.key
                            data-changed=if row.changed { "true" } else { "false" }
                        >
                            <th scope="row">{label}</th>
                            <td data-label=col_a.clone() data-testid="compare-a-value">
                                <HistoryValue value=value_a />
                            </td>
                            <td data-label=col_b.clone() data-testid="compare-b-value">
                                <HistoryValue value=value_b />
                            </td>
                            <td data-label=t.history.col_changed>{mark}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <p role="status" data-testid="compare-summary">{summary}</p>
                <div class="table-wrap">
                    <table class="table history-compare-table">
                        <thead>
                            <tr>
                                <th scope="col">{t.history.col_field}</th>
                                <th scope="col">{col_a.clone()}</th>
                                <th scope="col">{col_b.clone()}</th>
                                <th scope="col">{t.history.col_changed}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
        })
    };
    view! {
        <section class="card history-compare" aria-labelledby="history-compare-title">
            <h2 id="history-compare-title">{move || i18n.t().history.compare_heading}</h2>
            <p class="muted">{move || i18n.t().history.compare_intro}</p>
            <div class="history-compare-pick">
                <VersionSelect
                    id="compare-a"
                    label=|t| t.history.compare_a
                    choices=choices.clone()
                    chosen=a
                    pick=pick_a
                />
                <VersionSelect
                    id="compare-b"
                    label=|t| t.history.compare_b
                    choices
                    chosen=b
                    pick=pick_b
                />
            </div>
            {table}
        </section>
    }
}

/// A select of one of the versions, by number and time.
#[component]
fn VersionSelect(
    /// The select's `id`, also its `data-testid`.
    id: &'static str,
    label: fn(&Texts) -> &'static str,
    /// Each version's number and time.
    choices: Vec<(i64, i64)>,
    chosen: Signal<i64>,
    pick: RwSignal<Option<i64>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let options = choices
        .into_iter()
        .map(|(n, at)| {
            let text = move || {
                let time = local_time(at, i18n.locale().tag());
                fill(
                    i18n.t().history.compare_option,
                    &[("n", &n.to_string()), ("time", &time)],
                )
            };
            view! {
                <option value=n.to_string() selected=move || chosen.get() == n>
                    {text}
                </option>
            }
        })
        .collect_view();
    view! {
        <div class="field">
            <label for=id>{move || label(i18n.t())}</label>
            <select
                id=id
                data-testid=id
                prop:value=move || chosen.get().to_string()
                on:change=move |ev| pick.set(event_target_value(&ev).parse().ok())
            >
                {options}
            </select>
        </div>
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use shared::api::records::VersionCause;
    use shared::i18n::LocalizedText;
    use shared::schema::Sensitivity;

    fn value(text: &str, visibility: Visibility) -> ViewValue {
        ViewValue {
            sensitivity: Sensitivity::Personal,
            visibility,
            display: Some(text.to_owned()),
            withdrawn: false,
            unreadable: false,
            retention: None,
        }
    }

    fn version(n: i64, changed: &[&str], values: &[(&str, ViewValue)]) -> RecordVersionView {
        RecordVersionView {
            version: n,
            at_ms: n * 1000,
            by_name: None,
            device_id: None,
            cause: if n == 1 {
                VersionCause::Collected
            } else {
                VersionCause::DeviceEdit
            },
            request_id: None,
            approved_by_name: None,
            changed: changed.iter().map(|c| (*c).to_owned()).collect(),
            values: values
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        }
    }

    fn history(versions: Vec<RecordVersionView>) -> RecordHistory {
        RecordHistory {
            record_id: "6f1c2d3e-4b5a-4978-8a6b-5c4d3e2f1a0b".parse().unwrap(),
            source: shared::api::records::RecordSource::Web,
            form_title: LocalizedText::new("表", "Form"),
            labels: BTreeMap::new(),
            field_order: vec!["name".into(), "phone".into(), "city".into()],
            versions,
        }
    }

    fn changed(h: &RecordHistory, a: i64, b: i64) -> Vec<(String, bool)> {
        compare(h, a, b)
            .into_iter()
            .map(|r| (r.key, r.changed))
            .collect()
    }

    /// v1 collected; v2 changes the city; v3 changes the (masked) phone; v4 changes the
    /// city back.
    fn story() -> RecordHistory {
        let full = Visibility::Full;
        let masked = Visibility::Masked;
        history(vec![
            version(
                1,
                &[],
                &[
                    ("name", value("Li", full)),
                    ("phone", value("138****0000", masked)),
                    ("city", value("Beijing", full)),
                ],
            ),
            version(
                2,
                &["city"],
                &[
                    ("name", value("Li", full)),
                    ("phone", value("138****0000", masked)),
                    ("city", value("Shanghai", full)),
                ],
            ),
            version(
                3,
                &["phone"],
                &[
                    ("name", value("Li", full)),
                    ("phone", value("138****0000", masked)),
                    ("city", value("Shanghai", full)),
                ],
            ),
            version(
                4,
                &["city"],
                &[
                    ("name", value("Li", full)),
                    ("phone", value("138****0000", masked)),
                    ("city", value("Beijing", full)),
                ],
            ),
        ])
    }

    fn rows(pairs: &[(&str, bool)]) -> Vec<(String, bool)> {
        pairs.iter().map(|(k, c)| ((*k).to_owned(), *c)).collect()
    }

    #[test]
    fn values_in_full_are_compared_by_their_text() {
        let h = story();
        assert_eq!(
            changed(&h, 1, 2),
            rows(&[("name", false), ("phone", false), ("city", true)])
        );
        assert_eq!(
            changed(&h, 1, 4),
            rows(&[("name", false), ("phone", true), ("city", false)]),
            "the city changed and changed back; the masked phone changed in v3"
        );
    }

    #[test]
    fn masked_values_differ_when_a_version_between_changed_them() {
        let h = story();
        assert_eq!(changed(&h, 2, 3)[1], ("phone".to_owned(), true));
        assert_eq!(
            changed(&h, 3, 2)[1],
            ("phone".to_owned(), true),
            "either order"
        );
        assert_eq!(changed(&h, 3, 4)[1], ("phone".to_owned(), false));
    }

    #[test]
    fn the_same_version_twice_differs_nowhere() {
        let h = story();
        assert!(changed(&h, 3, 3).iter().all(|(_, c)| !c));
    }

    #[test]
    fn a_field_only_one_version_has_differs_and_is_listed_after_the_form_order() {
        let h = history(vec![
            version(1, &[], &[("name", value("Li", Visibility::Full))]),
            version(
                2,
                &["city", "old"],
                &[
                    ("name", value("Li", Visibility::Full)),
                    ("city", value("Beijing", Visibility::Hidden)),
                    ("old", value("x", Visibility::Full)),
                ],
            ),
        ]);
        assert_eq!(
            changed(&h, 1, 2),
            rows(&[
                ("name", false),
                ("phone", false),
                ("city", true),
                ("old", true)
            ])
        );
    }

    #[test]
    fn masks_that_differ_mean_the_values_differ() {
        let h = history(vec![
            version(
                1,
                &[],
                &[("phone", value("138****0000", Visibility::Masked))],
            ),
            version(
                2,
                &[],
                &[("phone", value("139****1111", Visibility::Masked))],
            ),
        ]);
        assert_eq!(changed(&h, 1, 2)[1], ("phone".to_owned(), true));
    }

    #[test]
    fn versions_not_in_the_history_compare_nothing() {
        assert!(compare(&story(), 1, 9).is_empty());
    }

    #[test]
    fn the_default_pair_is_the_previous_and_the_latest() {
        assert_eq!(default_pair(&story().versions), Some((3, 4)));
        assert_eq!(
            default_pair(&history(vec![version(1, &[], &[])]).versions),
            Some((1, 1))
        );
        assert_eq!(default_pair(&[]), None);
    }
}
