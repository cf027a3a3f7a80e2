//! Staff devices sync signed records: idempotent replays, conflicts that change nothing,
//! forged or invalid records refused one by one, revoked devices refused.

use consentry_tests::{
    consent::{demo_answers, new_key, Choices},
    story,
    sync::{post_sync, register_device, signed_record, signed_record_with_uuid},
    Expect, Session,
};
use shared::ids::DeviceId;
use shared::{
    api::{
        auth::Role,
        error::{ApiError, ErrorCode},
        forms::VersionDetail,
        sync::{DeviceInfo, SyncBatch, SyncRecord, SyncResponse, SyncStatus},
    },
    consent::SignedReceipt,
};

async fn device(staff: &Session) -> (DeviceInfo, ed25519_dalek::SigningKey) {
    register_device(staff, "Zhang's phone").await
}

async fn revoke(admin: &Session, device_id: impl std::fmt::Display) -> DeviceInfo {
    admin
        .post(&format!("/devices/{device_id}/revoke"))
        .expect_json(200)
        .await
}

async fn sync(staff: &Session, batch: &SyncBatch) -> SyncResponse {
    post_sync(staff, batch).await
}

/// A batch of `records` from the device.
fn batch_from(device: &DeviceInfo, records: Vec<SyncRecord>) -> SyncBatch {
    SyncBatch {
        device_id: device.id,
        records,
    }
}

/// The demo answers, every purpose consented to, signed by the device as its `seq`th.
pub(crate) fn demo_record(
    version: &VersionDetail,
    device_id: &DeviceId,
    key: &ed25519_dalek::SigningKey,
    seq: i64,
) -> SyncRecord {
    signed_record(
        version,
        &demo_answers(),
        &Choices::all_demo(),
        device_id,
        key,
        seq,
    )
}

/// Demo records signed by the device, one per sequence number.
fn demo_records(
    version: &VersionDetail,
    device_id: &DeviceId,
    key: &ed25519_dalek::SigningKey,
    seqs: std::ops::RangeInclusive<i64>,
) -> Vec<SyncRecord> {
    seqs.map(|seq| demo_record(version, device_id, key, seq))
        .collect()
}

fn kinds(r: &SyncResponse) -> Vec<&'static str> {
    r.results
        .iter()
        .map(|r| match &r.status {
            SyncStatus::Stored { .. } => "stored",
            SyncStatus::AlreadyStored { .. } => "already_stored",
            SyncStatus::Edited { .. } => "edited",
            SyncStatus::Conflict { .. } => "conflict",
            SyncStatus::Rejected { .. } => "rejected",
        })
        .collect()
}

/// The batch's receipts share one server signature over a Merkle root, and each still
/// verifies on its own: through the API and offline with the published keys. Each
/// names the device and sequence number whose envelope signature is its client
/// signature (one device signature per record serves the consent and the sync).
async fn check_batch_receipts(
    app: &consentry_tests::TestApp,
    batch: &SyncBatch,
    response: &SyncResponse,
) {
    let keys = app.published_keys().await;
    for (record, result) in batch.records.iter().zip(&response.results) {
        if let SyncStatus::Stored { receipt, .. } = &result.status {
            let device = receipt
                .body
                .device
                .as_ref()
                .expect("a device-signed receipt");
            assert_eq!(
                (device.id.as_str(), device.seq),
                (batch.device_id.to_string().as_str(), record.seq)
            );
            assert_eq!(receipt.body.client_signature, record.signature);
            // Changing the sequence number the receipt names breaks the client signature.
            let mut body = receipt.body.clone();
            body.device = Some(shared::consent::CollectingDevice {
                id: device.id.clone(),
                seq: device.seq + 1,
            });
            assert_eq!(
                body.verify_client_signature(),
                Err(shared::consent::ReceiptError::ClientSignature)
            );
        }
    }
    let receipts: Vec<&SignedReceipt> = response
        .results
        .iter()
        .filter_map(|r| match &r.status {
            SyncStatus::Stored { receipt, .. } => Some(&**receipt),
            _ => None,
        })
        .collect();
    // Receipts are countersigned in groups (per chunk of the batch the server prepares):
    // a group's receipts share the signature, and their proofs number them 0..size. A
    // record found to repeat another only when written leaves a gap in its group.
    let mut groups: std::collections::HashMap<&str, Vec<(u32, u32)>> = Default::default();
    for receipt in &receipts {
        let group = groups.entry(&receipt.server_signature).or_default();
        match &receipt.batch {
            Some(proof) => group.push((proof.size, proof.index)),
            None => group.push((1, 0)),
        }
    }
    assert!(
        groups.len() < receipts.len(),
        "some receipts share a signature"
    );
    let complete = receipts.len() == batch.records.len();
    for mut members in groups.into_values() {
        members.sort_unstable();
        let size = members[0].0;
        assert!(
            members.iter().all(|&(s, i)| s == size && i < size),
            "{members:?}"
        );
        assert!(members.windows(2).all(|w| w[0] != w[1]), "{members:?}");
        if complete {
            assert_eq!(members.len(), usize::try_from(size).unwrap());
        }
    }
    for receipt in &receipts {
        receipt.verify(&keys).unwrap();
        let v = app.verify_receipt(receipt).await;
        assert!(v.valid, "{v:?}");
    }
    // Another receipt's proof does not fit.
    let (a, b) = receipts
        .iter()
        .flat_map(|a| receipts.iter().map(move |b| (a, b)))
        .find(|(a, b)| a.server_signature == b.server_signature && a.batch != b.batch)
        .unwrap();
    let mut moved = (*a).clone();
    moved.batch = b.batch.clone();
    assert!(moved.verify(&keys).is_err());
    let v = app.verify_receipt(&moved).await;
    assert!(!v.valid);
}

story!(replaying_a_batch_changes_nothing, |app| {
    let version = app.demo_version().await;
    let staff = app.collector(Role::Staff).await;
    let (dev, key) = device(&staff).await;
    let records = demo_records(&version, &dev.id, &key, 1..=3);
    let batch = batch_from(&dev, records);
    let first = sync(&staff, &batch).await;
    assert_eq!(kinds(&first), ["stored", "stored", "stored"]);
    check_batch_receipts(&app, &batch, &first).await;
    let audit_rows = app.count("SELECT COUNT(*) FROM audit_log").await;
    for _ in 0..5 {
        let again = sync(&staff, &batch).await;
        assert_eq!(
            kinds(&again),
            ["already_stored", "already_stored", "already_stored"]
        );
        // The receipts come back the same.
        for (a, b) in first.results.iter().zip(&again.results) {
            match (&a.status, &b.status) {
                (
                    SyncStatus::Stored { receipt: x, .. },
                    SyncStatus::AlreadyStored { receipt: y, .. },
                ) => {
                    assert_eq!(x, y);
                }
                other => panic!("{other:?}"),
            }
        }
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM records").await, 3);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log").await,
        audit_rows
    );
    // The records belong to the staff member who collected them, from this device.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM records WHERE source = 'staff' AND device_id IS NOT NULL")
            .await,
        3
    );
    let page: shared::api::records::RecordPage = staff.get_json("/records", 200).await;
    assert_eq!(page.records.len(), 3);
    let devices: Vec<DeviceInfo> = staff.get_json("/devices", 200).await;
    assert_eq!(devices[0].last_seq, 3);
});

story!(the_audit_names_the_collectors_own_role, |app| {
    let version = app.demo_version().await;
    let admin = app.admin().await;
    for role in [Role::Staff, Role::Manager] {
        let collector = app.collector(role).await;
        let (dev, key) = device(&collector).await;
        let batch = batch_from(&dev, demo_records(&version, &dev.id, &key, 1..=1));
        assert_eq!(kinds(&sync(&collector, &batch).await), ["stored"]);
        let log = admin.audit_log("consent.given").await;
        let entry = log
            .entries
            .iter()
            .find(|e| e.actor_id.as_deref() == Some(collector.user().id.to_string().as_str()))
            .expect("the collection is audited");
        assert_eq!(entry.actor_role.as_deref(), Some(role.as_str()));
    }
});

// A device numbers each record once: another record under a number the device already
// used (stored before, or earlier in the same request) is refused and not stored, while
// the record that has the number replays as before.
story!(a_sequence_number_used_twice_is_refused, |app| {
    let version = app.demo_version().await;
    let staff = app.collector(Role::Staff).await;
    let (dev, key) = device(&staff).await;
    let first = demo_record(&version, &dev.id, &key, 1);
    assert_eq!(
        kinds(&sync(&staff, &batch_from(&dev, vec![first.clone()])).await),
        ["stored"]
    );
    // As from a copy of the device's storage: a new record under number 1, then two new
    // records sharing number 2 in one request.
    let copy = demo_record(&version, &dev.id, &key, 1);
    let (a, b) = (
        demo_record(&version, &dev.id, &key, 2),
        demo_record(&version, &dev.id, &key, 2),
    );
    let r = sync(&staff, &batch_from(&dev, vec![copy, first, a, b])).await;
    assert_eq!(
        kinds(&r),
        ["rejected", "already_stored", "stored", "rejected"]
    );
    for i in [0, 3] {
        match &r.results[i].status {
            SyncStatus::Rejected { code, .. } => {
                assert_eq!(*code, shared::api::sync::RejectionCode::SeqReused);
                assert!(!code.is_retryable());
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM records").await, 2);
});

/// The code of the `i`th answer, which must be a refusal.
fn rejection(r: &SyncResponse, i: usize) -> &shared::api::sync::RejectionCode {
    match &r.results[i].status {
        SyncStatus::Rejected { code, .. } => code,
        other => panic!("{other:?}"),
    }
}

// Staff collect only with the forms given to them: a new record of a form not assigned
// to them (or no longer) is refused as retryable, so that the device keeps it and sends
// it again, and it is stored once the form is assigned; records stored before are still
// acknowledged.
story!(
    records_of_a_form_not_assigned_to_the_caller_wait_on_the_device,
    |app| {
        use shared::api::sync::RejectionCode;
        let version = app.demo_version().await;
        let admin = app.admin().await;
        let staff = app.user_with_role(Role::Staff).await;
        let (dev, key) = device(&staff).await;
        let first = demo_record(&version, &dev.id, &key, 1);
        let r = sync(&staff, &batch_from(&dev, vec![first.clone()])).await;
        assert_eq!(*rejection(&r, 0), RejectionCode::FormNotAssigned);
        assert!(rejection(&r, 0).is_retryable());
        assert_eq!(app.count("SELECT COUNT(*) FROM records").await, 0);

        let assign = |users: Vec<String>| {
            admin
                .put(&format!("/form-assignments/{}", app.demo_form_id))
                .json(&serde_json::json!({ "users": users, "teams": [] }))
                .expect_status(200)
        };
        assign(vec![staff.user().id.to_string()]).await;
        let r = sync(&staff, &batch_from(&dev, vec![first.clone()])).await;
        assert_eq!(kinds(&r), ["stored"]);

        // Taken away again: the stored record is still acknowledged, a new one waits.
        assign(Vec::new()).await;
        let second = demo_record(&version, &dev.id, &key, 2);
        let r = sync(&staff, &batch_from(&dev, vec![first, second])).await;
        assert_eq!(kinds(&r), ["already_stored", "rejected"]);
        assert_eq!(*rejection(&r, 1), RejectionCode::FormNotAssigned);
        assert_eq!(app.count("SELECT COUNT(*) FROM records").await, 1);
    }
);

story!(the_same_uuid_with_other_content_is_a_conflict, |app| {
    let version = app.demo_version().await;
    let staff = app.collector(Role::Staff).await;
    let (dev, key) = device(&staff).await;
    let original = demo_record(&version, &dev.id, &key, 1);
    let r = sync(&staff, &batch_from(&dev, vec![original.clone()])).await;
    assert_eq!(kinds(&r), ["stored"]);
    let mut answers = demo_answers();
    answers.insert("full_name".into(), serde_json::json!("李四"));
    // Same UUID, other content, signed properly by the device: a conflict, not an overwrite.
    let resigned = signed_record_with_uuid(
        &version,
        &answers,
        &Choices::all_demo(),
        &dev.id,
        &key,
        2,
        &original.uuid,
    );
    let r = sync(&staff, &batch_from(&dev, vec![resigned])).await;
    assert_eq!(kinds(&r), ["conflict"]);
    let page: shared::api::records::RecordPage = staff.get_json("/records", 200).await;
    assert_eq!(page.records.len(), 1);
    assert_eq!(
        page.records[0].values["full_name"].display.as_deref(),
        Some("张三")
    );
});

story!(
    a_forged_or_invalid_record_is_refused_and_the_rest_stored,
    |app| {
        let version = app.demo_version().await;
        let staff = app.collector(Role::Staff).await;
        let (dev, key) = device(&staff).await;
        let good1 = demo_record(&version, &dev.id, &key, 1);
        // Signed by a key that is not the device's.
        let forged = signed_record(
            &version,
            &demo_answers(),
            &Choices::all_demo(),
            &dev.id,
            &new_key(),
            2,
        );
        // Invalid values, properly signed.
        let mut bad_answers = demo_answers();
        bad_answers.insert("mobile".into(), serde_json::json!("12345"));
        let mut invalid = demo_record(&version, &dev.id, &key, 3);
        invalid.answers = bad_answers;
        let good2 = demo_record(&version, &dev.id, &key, 4);
        let r = sync(
            &staff,
            &batch_from(&dev, vec![good1, forged, invalid, good2]),
        )
        .await;
        assert_eq!(kinds(&r), ["stored", "rejected", "rejected", "stored"]);
        match &r.results[1].status {
            SyncStatus::Rejected { code, .. } => assert_eq!(code, "invalid_signature"),
            other => panic!("{other:?}"),
        }
        match &r.results[2].status {
            SyncStatus::Rejected { code, fields, .. } => {
                assert_eq!(code, "validation_failed");
                assert!(fields.contains_key("mobile"), "{fields:?}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM records").await, 2);
    }
);

// A batch larger than one chunk (the server prepares and writes 100 records at a time,
// in one transaction): a UUID repeated in a later chunk is acknowledged once when it is
// the same record and is a conflict when it is not; nothing is stored twice.
story!(a_batch_of_many_chunks_is_stored_once_and_whole, |app| {
    let version = app.demo_version().await;
    let staff = app.collector(Role::Staff).await;
    let (dev, key) = device(&staff).await;
    let mut records: Vec<_> = demo_records(&version, &dev.id, &key, 1..=248);
    records.push(records[19].clone());
    let mut answers = demo_answers();
    answers.insert("full_name".into(), serde_json::json!("李四"));
    records.push(signed_record_with_uuid(
        &version,
        &answers,
        &Choices::all_demo(),
        &dev.id,
        &key,
        249,
        &records[29].uuid,
    ));
    let batch = batch_from(&dev, records);
    let audit_before = app.count("SELECT COUNT(*) FROM audit_log").await;
    let first = sync(&staff, &batch).await;
    let mut expected = vec!["stored"; 248];
    expected.extend(["already_stored", "conflict"]);
    assert_eq!(kinds(&first), expected);
    check_batch_receipts(&app, &batch, &first).await;
    // The repeat is answered with the receipt of the record it repeats.
    match (&first.results[19].status, &first.results[248].status) {
        (SyncStatus::Stored { receipt: a, .. }, SyncStatus::AlreadyStored { receipt: b, .. }) => {
            assert_eq!(a, b);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM records").await, 248);
    let audit_after = app.count("SELECT COUNT(*) FROM audit_log").await;
    assert_eq!(audit_after - audit_before, 248);
    let again = sync(&staff, &batch).await;
    let mut expected = vec!["already_stored"; 249];
    expected.push("conflict");
    assert_eq!(kinds(&again), expected);
    assert_eq!(app.count("SELECT COUNT(*) FROM records").await, 248);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log").await,
        audit_after
    );
    let devices: Vec<DeviceInfo> = staff.get_json("/devices", 200).await;
    assert_eq!(devices[0].last_seq, 248);
});

story!(revoked_devices_and_oversized_batches_are_refused, |app| {
    let version = app.demo_version().await;
    let staff = app.collector(Role::Staff).await;
    let (dev, key) = device(&staff).await;

    let too_many: Vec<_> = demo_records(&version, &dev.id, &key, 0..=1000);
    let e: ApiError = staff
        .post_json("/sync", &batch_from(&dev, too_many), 413)
        .await;
    assert_eq!(e.code, ErrorCode::PayloadTooLarge);
    assert!(e.message.contains("1000"));

    // Admins do not collect; a device of someone else is not yours.
    let admin = app.admin().await;
    let record = demo_record(&version, &dev.id, &key, 1);
    let batch = batch_from(&dev, vec![record]);
    admin.post("/sync").json(&batch).expect_status(403).await;
    let other = app.collector(Role::Staff).await;
    other.post("/sync").json(&batch).expect_status(404).await;

    // An admin revokes the device; its records are refused with a reason.
    let revoked = revoke(&admin, &dev.id).await;
    assert!(revoked.revoked_at_ms.is_some());
    let e: ApiError = staff.post_json("/sync", &batch, 403).await;
    assert!(e.message.contains("revoked"));
    assert_eq!(app.count("SELECT COUNT(*) FROM records").await, 0);
    assert_eq!(admin.audit_log("devices.").await.entries.len(), 2);
});

story!(consent_collected_offline_days_ago_still_syncs, |app| {
    let version = app.demo_version().await;
    let staff = app.collector(Role::Staff).await;
    let (dev, key) = device(&staff).await;
    let three_days = 3 * 24 * 3_600_000;
    let mut old = demo_record(&version, &dev.id, &key, 1);
    old.statement.signed_at_ms -= three_days;
    let old = consentry_tests::sync::resigned(old, &dev.id, &key);
    let mut future = demo_record(&version, &dev.id, &key, 2);
    future.statement.signed_at_ms += three_days;
    let future = consentry_tests::sync::resigned(future, &dev.id, &key);
    let r = sync(&staff, &batch_from(&dev, vec![old, future])).await;
    assert_eq!(kinds(&r), ["stored", "rejected"]);
});

story!(weak_or_malformed_device_keys_are_refused, |app| {
    let staff = app.collector(Role::Staff).await;
    // The identity point (small order: it would verify forged signatures) and a key of
    // the wrong length, next to a good one.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let weak = shared::consent::b64(&identity);
    for bad in [weak.as_str(), "AAAA"] {
        let e: ApiError = staff
            .post_json(
                "/devices",
                &serde_json::json!({"name": "phone", "public_key": bad}),
                422,
            )
            .await;
        assert_eq!(e.code, ErrorCode::ValidationFailed);
        assert_eq!(
            e.details.unwrap().fields["public_key"][0].code,
            "public_key_invalid"
        );
    }
    let good = consentry_tests::sync::device_public_key(&new_key());
    staff
        .post("/devices")
        .json(&serde_json::json!({"name": "phone", "public_key": good}))
        .expect_status(201)
        .await;
    assert_eq!(app.count("SELECT COUNT(*) FROM devices").await, 1);
});

story!(only_the_owner_of_a_live_device_gets_its_outbox_key, |app| {
    use shared::api::sync::OutboxKey;
    let staff = app.collector(Role::Staff).await;
    let (dev, _) = device(&staff).await;
    let (second, _) = device(&staff).await;
    let key_of =
        |session: &Session, id: &DeviceId| session.get(&format!("/devices/{id}/outbox-key"));
    let first: OutboxKey = key_of(&staff, &dev.id).expect_json(200).await;
    let again: OutboxKey = key_of(&staff, &dev.id).expect_json(200).await;
    let other_device: OutboxKey = key_of(&staff, &second.id).expect_json(200).await;
    assert_eq!(first, again, "the same for the life of the device");
    assert_ne!(first, other_device);
    assert_eq!(shared::consent::b64_decode(&first.key).unwrap().len(), 32);

    // Nobody else gets it: not another collector, not an admin.
    let other = app.collector(Role::Staff).await;
    let e: ApiError = key_of(&other, &dev.id).expect_json(404).await;
    assert_eq!(e.code, ErrorCode::NotFound);
    let admin = app.admin().await;
    key_of(&admin, &dev.id).expect_status(403).await;

    // Once revoked, the outbox opens only with the owner's password.
    revoke(&admin, &dev.id).await;
    let e: ApiError = key_of(&staff, &dev.id).expect_json(403).await;
    assert!(e.message.contains("revoked"));
    let still: OutboxKey = key_of(&staff, &second.id).expect_json(200).await;
    assert_eq!(still, other_device);
});
