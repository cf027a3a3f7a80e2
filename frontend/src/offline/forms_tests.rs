//! Tests of the kept forms: what each user sees and how a refresh changes the cache.
#![allow(clippy::unwrap_used)]

use super::*;
use shared::api::forms::VersionSummary;
use shared::schema::FormDefinition;

/// Form ids (the forms are named by the last digit).
const A: &str = "00000000-0000-4000-8000-00000000000a";
const B: &str = "00000000-0000-4000-8000-00000000000b";
const C: &str = "00000000-0000-4000-8000-00000000000c";

fn version(id: &str, number: i64) -> VersionDetail {
    VersionDetail {
        summary: VersionSummary {
            number,
            hash: format!("sha256:{id}{number}"),
            published_at_ms: number,
            published_by: None,
        },
        form_id: id.parse().unwrap(),
        definition: FormDefinition::blank(),
    }
}

fn assigned(id: &str, number: i64) -> AssignedForm {
    AssignedForm {
        version: version(id, number),
        direct: true,
        via_team: false,
    }
}

fn kept(id: &str, number: i64, users: &[&str], by_link: bool) -> CachedForm {
    CachedForm {
        version: version(id, number),
        cached_at_ms: 0,
        assigned_to: users.iter().map(|u| (*u).to_owned()).collect(),
        by_link,
        superseded: false,
    }
}

fn waiting(user: &str, id: &str, number: i64) -> Waiting {
    Waiting {
        user_id: user.to_owned(),
        form_id: id.to_owned(),
        form_version: number,
    }
}

#[test]
fn assigned_forms_are_kept_for_their_user() {
    let plan = plan_refresh("u1", vec![assigned(A, 1)], vec![], &[], 7);
    let form = plan[A].clone().unwrap();
    assert!(form.assigned_to.contains("u1") && !form.by_link);
    assert_eq!(form.cached_at_ms, 7);
    // Nothing changed: nothing to write.
    assert!(plan_refresh("u1", vec![assigned(A, 1)], vec![form], &[], 8).is_empty());
}

#[test]
fn a_form_taken_away_goes_unless_records_wait_for_it() {
    let form = kept(A, 1, &["u1"], false);
    let plan = plan_refresh("u1", vec![], vec![form.clone()], &[], 1);
    assert_eq!(plan[A], None);

    let records = [waiting("u1", A, 1)];
    let plan = plan_refresh("u1", vec![], vec![form], &records, 1);
    let still = plan[A].clone().unwrap();
    assert!(still.assigned_to.is_empty());
    let shown = forms_of("u1", vec![still], &records);
    assert_eq!(shown[0].1, Standing::Unassigned { waiting: 1 });

    // Another user of the device still has it, and links keep it too.
    let shared = kept(A, 1, &["u1", "u2"], false);
    let plan = plan_refresh("u1", vec![], vec![shared], &[], 1);
    assert!(plan[A].as_ref().unwrap().assigned_to.contains("u2"));
    let linked = kept(A, 1, &["u1"], true);
    let plan = plan_refresh("u1", vec![], vec![linked], &[], 1);
    assert!(plan[A].as_ref().unwrap().by_link);
}

#[test]
fn a_new_version_keeps_the_old_one_while_records_wait() {
    let old = kept(A, 1, &["u1"], false);
    let plan = plan_refresh("u1", vec![assigned(A, 2)], vec![old.clone()], &[], 1);
    assert_eq!(plan.len(), 1);
    assert_eq!(plan[A].as_ref().unwrap().version.summary.number, 2);

    let records = [waiting("u1", A, 1)];
    let plan = plan_refresh("u1", vec![assigned(A, 2)], vec![old], &records, 1);
    let superseded = plan[&format!("{A}@1")].clone().unwrap();
    assert!(superseded.superseded && !superseded.usable_by("u1"));

    // Dropped once the records have synced.
    let plan = plan_refresh(
        "u1",
        vec![assigned(A, 2)],
        vec![superseded, plan[A].clone().unwrap()],
        &[],
        2,
    );
    assert_eq!(plan.get(&format!("{A}@1")), Some(&None));
}

#[test]
fn each_user_sees_their_own_forms() {
    let forms = vec![
        kept(A, 1, &["u1"], false),
        kept(B, 1, &["u2"], false),
        kept(C, 1, &[], true),
    ];
    let shown = forms_of("u1", forms, &[waiting("u2", B, 1)]);
    let states: Vec<(String, Standing)> = shown
        .iter()
        .map(|(f, s)| (f.version.form_id.to_string(), *s))
        .collect();
    assert_eq!(
        states,
        vec![
            (A.to_owned(), Standing::Assigned),
            (C.to_owned(), Standing::ByLink)
        ]
    );
}

#[test]
fn form_ids_come_from_links_or_bare_ids() {
    let id = "6f1c2a9e-6a3b-4b43-9d4e-1a2b3c4d5e6f";
    assert_eq!(form_id_from(id).as_deref(), Some(id));
    assert_eq!(
        form_id_from(&format!("https://x.example/f/{id}?lang=en")).as_deref(),
        Some(id)
    );
    assert_eq!(form_id_from(&format!(" /f/{id}/ ")).as_deref(), Some(id));
    assert_eq!(form_id_from(""), None);
    assert_eq!(form_id_from("https://x.example/f/"), None);
    assert_eq!(form_id_from("a b"), None);
}
