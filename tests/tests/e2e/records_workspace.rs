//! The records list as a workspace (issue #21): filters by form, days, team, owner and
//! state of consent select exactly their records and never reach past the caller's
//! scope; pages follow an opaque cursor over (time, id), newest or oldest first, so
//! records collected in the same millisecond are neither skipped nor repeated; the
//! pickers name teams, owners and audit actors.

use std::collections::BTreeSet;

use consentry_tests::{
    consent::{demo_answers, Choices},
    story,
    sync::{post_sync, register_device, signed_record},
    Session, TestApp,
};
use serde_json::json;
use shared::{
    api::{
        audit::AuditActor,
        auth::Role,
        error::{ApiError, ErrorCode},
        records::{ConsentState, RecordFilter, RecordPage, RecordPeople, RecordSort},
        sync::{SyncBatch, SyncStatus},
        users::TeamSummary,
    },
    ids::{FormId, RecordId, TeamId, UserId},
};

/// Midnight UTC of 2024-03-01, in milliseconds.
const MARCH_1: i64 = 1_709_251_200_000;
const DAY: i64 = 86_400_000;

/// `count` records collected by `staff` on a new device, synced in one batch: their ids.
async fn collect_many(app: &TestApp, staff: &Session, count: usize) -> Vec<RecordId> {
    let version = app.demo_version().await;
    let (device, key) = register_device(staff, "phone").await;
    let records: Vec<_> = (1..=count)
        .map(|seq| {
            signed_record(
                &version,
                &demo_answers(),
                &Choices::all_demo(),
                &device.id,
                &key,
                i64::try_from(seq).unwrap(),
            )
        })
        .collect();
    let answer = post_sync(
        staff,
        &SyncBatch {
            device_id: device.id,
            records: records.clone(),
        },
    )
    .await;
    assert!(answer
        .results
        .iter()
        .all(|r| matches!(r.status, SyncStatus::Stored { .. })));
    records.iter().map(|r| r.uuid.parse().unwrap()).collect()
}

/// A new team of `members`, made by the admin (members are moved straight in the
/// database, as in the other suites).
async fn team_of(app: &TestApp, admin: &Session, name: &str, members: &[&Session]) -> TeamId {
    let team: TeamSummary = admin
        .post_json("/teams", &json!({ "name": name }), 201)
        .await;
    for m in members {
        app.execute(&format!(
            "UPDATE users SET team_id = '{}' WHERE id = '{}'",
            team.id,
            m.user().id
        ))
        .await;
    }
    team.id
}

/// Sets when a record was collected.
async fn collected_at(app: &TestApp, id: RecordId, at_ms: i64) {
    app.execute(&format!(
        "UPDATE records SET created_at_ms = {at_ms} WHERE id = '{id}'"
    ))
    .await;
}

/// Staff record the customer's withdrawal of `purposes` on record `id`.
async fn withdraw(staff: &Session, id: RecordId, purposes: &[&str]) {
    let _: serde_json::Value = staff
        .post_json(
            &format!("/records/{id}/withdrawals"),
            &json!({"purposes": purposes, "reason": "Asked at the counter, ID card checked"}),
            200,
        )
        .await;
}

/// `/records?…` of `filter` (and any `extra` parameters).
fn list_path(filter: &RecordFilter, extra: &[(&str, String)]) -> String {
    let pairs: Vec<String> = filter
        .query_pairs()
        .iter()
        .map(|(k, v)| (*k, v.clone()))
        .chain(extra.iter().map(|(k, v)| (*k, v.clone())))
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    format!("/records?{}", pairs.join("&"))
}

/// The ids of the records `filter` selects for `caller` (one page of up to 200).
async fn selected(caller: &Session, filter: &RecordFilter) -> BTreeSet<RecordId> {
    let page: RecordPage = caller
        .get_json(&list_path(filter, &[("limit", "200".to_owned())]), 200)
        .await;
    assert_eq!(page.next, None);
    page.records.iter().map(|r| r.id).collect()
}

fn ids(list: &[RecordId]) -> BTreeSet<RecordId> {
    list.iter().copied().collect()
}

/// Every record in `sort` order, read page by page following `next`.
async fn every_page(caller: &Session, sort: RecordSort, limit: usize) -> Vec<RecordId> {
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut extra = vec![
            ("sort", sort.as_str().to_owned()),
            ("limit", limit.to_string()),
        ];
        if let Some(c) = &cursor {
            extra.push(("cursor", c.clone()));
        }
        let page: RecordPage = caller
            .get_json(&list_path(&RecordFilter::default(), &extra), 200)
            .await;
        assert!(page.records.len() <= limit);
        seen.extend(page.records.iter().map(|r| r.id));
        match page.next {
            Some(next) => cursor = Some(next),
            None => return seen,
        }
        assert!(seen.len() < 1000, "the pages never end");
    }
}

story!(filters_select_exactly_their_records, |app| {
    let admin = app.admin().await;
    let north_staff = app.collector(Role::Staff).await;
    let south_staff = app.collector(Role::Staff).await;
    let manager = app.user_with_role(Role::Manager).await;
    let north = team_of(&app, &admin, "North", &[&north_staff, &manager]).await;
    let south = team_of(&app, &admin, "South", &[&south_staff]).await;
    let a = collect_many(&app, &north_staff, 3).await;
    let b = collect_many(&app, &south_staff, 2).await;
    // Days at their edges: 2 March runs from b[0] to a[1], both included.
    collected_at(&app, a[0], MARCH_1 + 10 * 3_600_000).await;
    collected_at(&app, a[1], MARCH_1 + 2 * DAY - 1).await;
    collected_at(&app, a[2], MARCH_1 + 2 * DAY).await;
    collected_at(&app, b[0], MARCH_1 + DAY).await;
    collected_at(&app, b[1], MARCH_1 + 4 * DAY).await;
    // a[0] partly withdrawn, b[0] withdrawn for every purpose it granted.
    withdraw(&north_staff, a[0], &["marketing"]).await;
    withdraw(
        &south_staff,
        b[0],
        &["identity_verification", "marketing", "membership_service"],
    )
    .await;

    let all = RecordFilter::default();
    let everything: BTreeSet<RecordId> = a.iter().chain(&b).copied().collect();
    assert_eq!(selected(&admin, &all).await, everything);
    let day = |from: &str, to: &str| RecordFilter {
        from: (!from.is_empty()).then(|| from.to_owned()),
        to: (!to.is_empty()).then(|| to.to_owned()),
        ..RecordFilter::default()
    };
    assert_eq!(
        selected(&admin, &day("2024-03-02", "2024-03-02")).await,
        ids(&[a[1], b[0]])
    );
    assert_eq!(
        selected(&admin, &day("2024-03-03", "")).await,
        ids(&[a[2], b[1]])
    );
    assert_eq!(selected(&admin, &day("", "2024-03-01")).await, ids(&[a[0]]));
    assert_eq!(
        selected(&admin, &day("2024-03-06", "2024-03-31")).await,
        BTreeSet::new()
    );

    let team = |id: TeamId| RecordFilter {
        team_id: Some(id),
        ..RecordFilter::default()
    };
    assert_eq!(selected(&admin, &team(north)).await, ids(&a));
    assert_eq!(selected(&admin, &team(south)).await, ids(&b));
    let owner = RecordFilter {
        owner_id: Some(south_staff.user().id),
        ..RecordFilter::default()
    };
    assert_eq!(selected(&admin, &owner).await, ids(&b));

    let consent = |state: ConsentState| RecordFilter {
        consent: Some(state),
        ..RecordFilter::default()
    };
    assert_eq!(
        selected(&admin, &consent(ConsentState::InForce)).await,
        ids(&[a[1], a[2], b[1]])
    );
    assert_eq!(
        selected(&admin, &consent(ConsentState::PartlyWithdrawn)).await,
        ids(&[a[0]])
    );
    assert_eq!(
        selected(&admin, &consent(ConsentState::Withdrawn)).await,
        ids(&[b[0]])
    );

    // Parts combine; the form is a filter like the others (`form` is read too).
    let combined = RecordFilter {
        form_id: Some(app.demo_form_id),
        from: Some("2024-03-01".to_owned()),
        to: Some("2024-03-02".to_owned()),
        team_id: Some(north),
        consent: Some(ConsentState::InForce),
        ..RecordFilter::default()
    };
    assert_eq!(selected(&admin, &combined).await, ids(&[a[1]]));
    let other_form = RecordFilter {
        form_id: Some(FormId::from_uuid(uuid::Uuid::new_v4())),
        ..RecordFilter::default()
    };
    assert_eq!(selected(&admin, &other_form).await, BTreeSet::new());
    // By the form's version: every record here was collected with version 1, which is
    // the one version the form's picker offers.
    let version = |n: i64| RecordFilter {
        form_id: Some(app.demo_form_id),
        form_version: Some(n),
        ..RecordFilter::default()
    };
    assert_eq!(selected(&admin, &version(1)).await.len(), 5);
    assert_eq!(selected(&admin, &version(2)).await, BTreeSet::new());
    let forms: Vec<shared::api::records::RecordForm> = admin.get_json("/records/forms", 200).await;
    assert_eq!(forms[0].versions, [1]);
    let page: RecordPage = admin
        .get_json(
            &format!("/records?form={}&limit=200", app.demo_form_id),
            200,
        )
        .await;
    assert_eq!(page.records.len(), 5);

    // The pickers name the teams and owners of the records in reach.
    let people: RecordPeople = admin.get_json("/records/people", 200).await;
    let names: Vec<&str> = people.teams.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["North", "South"]);
    let owners: BTreeSet<UserId> = people.owners.iter().map(|o| o.id).collect();
    assert_eq!(
        owners,
        BTreeSet::from([north_staff.user().id, south_staff.user().id])
    );
    let named = people
        .owners
        .iter()
        .find(|o| o.id == north_staff.user().id)
        .unwrap();
    assert_eq!(named.username, north_staff.user().username);
    assert_eq!(named.team_id, Some(north));
});

story!(a_manager_filters_only_within_their_team, |app| {
    let admin = app.admin().await;
    let north_staff = app.collector(Role::Staff).await;
    let south_staff = app.collector(Role::Staff).await;
    let manager = app.user_with_role(Role::Manager).await;
    let north = team_of(&app, &admin, "North", &[&north_staff, &manager]).await;
    let south = team_of(&app, &admin, "South", &[&south_staff]).await;
    let a = collect_many(&app, &north_staff, 2).await;
    let _ = collect_many(&app, &south_staff, 2).await;

    let people: RecordPeople = manager.get_json("/records/people", 200).await;
    assert_eq!(
        people.teams.iter().map(|t| t.id).collect::<Vec<_>>(),
        [north]
    );
    assert_eq!(
        people.owners.iter().map(|o| o.id).collect::<Vec<_>>(),
        [north_staff.user().id]
    );
    assert_eq!(selected(&manager, &RecordFilter::default()).await, ids(&a));
    // Another team, its member, or a team that does not exist: the same empty page,
    // so the filter tells nothing about who exists outside the reach.
    for filter in [
        RecordFilter {
            team_id: Some(south),
            ..RecordFilter::default()
        },
        RecordFilter {
            owner_id: Some(south_staff.user().id),
            ..RecordFilter::default()
        },
        RecordFilter {
            team_id: Some(TeamId::from_uuid(uuid::Uuid::new_v4())),
            ..RecordFilter::default()
        },
        RecordFilter {
            team_id: Some(north),
            owner_id: Some(south_staff.user().id),
            ..RecordFilter::default()
        },
    ] {
        assert_eq!(
            selected(&manager, &filter).await,
            BTreeSet::new(),
            "{filter:?}"
        );
    }
    assert_eq!(
        selected(
            &manager,
            &RecordFilter {
                team_id: Some(north),
                ..RecordFilter::default()
            }
        )
        .await,
        ids(&a)
    );
    // Staff reach only what they own, whoever they name.
    let people: RecordPeople = south_staff.get_json("/records/people", 200).await;
    assert_eq!(
        people.owners.iter().map(|o| o.id).collect::<Vec<_>>(),
        [south_staff.user().id]
    );
    let theirs = RecordFilter {
        owner_id: Some(north_staff.user().id),
        ..RecordFilter::default()
    };
    assert_eq!(selected(&south_staff, &theirs).await, BTreeSet::new());
});

story!(
    pages_neither_skip_nor_repeat_records_of_one_millisecond,
    |app| {
        let admin = app.admin().await;
        let staff = app.collector(Role::Staff).await;
        let all = collect_many(&app, &staff, 23).await;
        // Seventeen collected in one millisecond, the rest a millisecond or so around it.
        app.execute("UPDATE records SET created_at_ms = 1700000000000")
            .await;
        for (id, offset) in all.iter().zip([1, -1, 2, -2, 3, -3]) {
            collected_at(&app, *id, 1_700_000_000_000 + offset).await;
        }
        let expected: BTreeSet<RecordId> = all.iter().copied().collect();
        for limit in [1, 4, 5, 23, 50] {
            let newest = every_page(&admin, RecordSort::Newest, limit).await;
            assert_eq!(newest.len(), 23, "limit {limit}: nothing repeated");
            assert_eq!(newest.iter().copied().collect::<BTreeSet<_>>(), expected);
            let mut oldest = every_page(&staff, RecordSort::Oldest, limit).await;
            oldest.reverse();
            assert_eq!(oldest, newest, "limit {limit}: one order, both ways");
        }
        // The order is by time, then id.
        let newest = every_page(&admin, RecordSort::Newest, 200).await;
        let page: RecordPage = admin.get_json("/records?limit=200", 200).await;
        let times: Vec<(i64, RecordId)> = page
            .records
            .iter()
            .map(|r| (r.created_at_ms, r.id))
            .collect();
        let mut sorted = times.clone();
        sorted.sort_by(|x, y| y.cmp(x));
        assert_eq!(times, sorted);
        assert_eq!(times.iter().map(|t| t.1).collect::<Vec<_>>(), newest);

        // A record collected while paging comes first, not in the middle of the pages.
        let first: RecordPage = admin.get_json("/records?limit=10", 200).await;
        let _ = collect_many(&app, &staff, 1).await;
        let rest: RecordPage = admin
            .get_json(
                &format!("/records?limit=50&cursor={}", first.next.unwrap()),
                200,
            )
            .await;
        assert_eq!(first.records.len() + rest.records.len(), 23);
        assert_eq!(rest.next, None);

        // A cursor belongs to its order.
        let oldest: RecordPage = admin.get_json("/records?limit=2&sort=oldest", 200).await;
        let e: ApiError = admin
            .get_json(
                &format!("/records?sort=newest&cursor={}", oldest.next.unwrap()),
                422,
            )
            .await;
        assert!(e.details.unwrap().fields.contains_key("cursor"));
    }
);

story!(
    a_filter_that_does_not_parse_is_422_naming_its_field,
    |app| {
        let admin = app.admin().await;
        for (query, field) in [
            ("from=2024-13-01", "from"),
            ("to=yesterday", "to"),
            ("from=2024-03-02&to=2024-03-01", "to"),
            ("team_id=north", "team_id"),
            ("owner_id=42", "owner_id"),
            ("form_id=..%2F..%2F", "form_id"),
            ("form=nope", "form_id"),
            ("consent=maybe", "consent"),
            ("form_version=0", "form_version"),
            ("form_version=latest", "form_version"),
            ("sort=sideways", "sort"),
            ("cursor=bm90IGEgY3Vyc29y", "cursor"),
            ("cursor=%E2%9C%93", "cursor"),
        ] {
            let e: ApiError = admin.get_json(&format!("/records?{query}"), 422).await;
            assert_eq!(e.code, ErrorCode::ValidationFailed, "{query}");
            let fields = e.details.unwrap().fields;
            assert!(fields.contains_key(field), "{query}: {fields:?}");
        }
        // Every bad parameter is named at once.
        let e: ApiError = admin.get_json("/records?team_id=x&consent=y", 422).await;
        let fields = e.details.unwrap().fields;
        assert!(fields.contains_key("team_id") && fields.contains_key("consent"));
        // Empty values (a picker's "all") are no filter.
        let _: RecordPage = admin
            .get_json(
                "/records?form_id=&from=&to=&team_id=&owner_id=&consent=&sort=&cursor=",
                200,
            )
            .await;
    }
);

story!(auditors_pick_actors_by_name, |app| {
    let admin = app.admin().await;
    let auditor = app.user_with_role(Role::Auditor).await;
    // Auditors may not list accounts, but they may name those in the log.
    let _: ApiError = auditor.get_json("/users", 403).await;
    let actors: Vec<AuditActor> = auditor.get_json("/audit/actors", 200).await;
    let admin_entry = actors
        .iter()
        .find(|a| a.id == admin.user().id)
        .expect("the admin acted");
    assert_eq!(admin_entry.username, "admin");
    let log: shared::api::audit::AuditPage = auditor
        .get_json(&format!("/audit?actor={}", admin_entry.id), 200)
        .await;
    assert!(!log.entries.is_empty());
    assert!(log
        .entries
        .iter()
        .all(|e| e.actor_id.as_deref() == Some(admin_entry.id.to_string().as_str())));
});
