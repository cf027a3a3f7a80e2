//! A sync batch with malformed records: each is refused on its own, with the reason and
//! its UUID when that much could be read, and the rest of the batch is stored. A body
//! that is not JSON at all is refused whole.

use consentry_tests::{story, sync::register_device, Expect};
use serde_json::{json, Value};

use crate::sync::demo_record;
use shared::api::{
    auth::Role,
    error::{ApiError, ErrorCode},
    sync::{SyncResponse, SyncStatus},
};

story!(
    a_malformed_record_is_refused_alone_and_the_rest_stored,
    |app| {
        let version = app.demo_version().await;
        let staff = app.collector(Role::Staff).await;
        let (dev, key) = register_device(&staff, "Zhang's phone").await;
        let record = |seq| serde_json::to_value(demo_record(&version, &dev.id, &key, seq)).unwrap();
        let (first, mut wrong_answers, mut unsigned, last) =
            (record(1), record(2), record(3), record(4));
        wrong_answers["answers"] = json!("not an object");
        unsigned.as_object_mut().unwrap().remove("signature");
        let batch = json!({
            "device_id": dev.id,
            "records": [first, wrong_answers, unsigned, 5, last],
        });
        let answer: SyncResponse = staff.post_json("/sync", &batch, 200).await;

        let uuid = |v: &Value| v["uuid"].as_str().unwrap().to_owned();
        let got: Vec<(String, String)> = answer
            .results
            .iter()
            .map(|r| {
                let kind = match &r.status {
                    SyncStatus::Stored { .. } => "stored".to_owned(),
                    SyncStatus::Rejected { code, message, .. } => {
                        assert!(message.contains("expected shape"), "{message}");
                        code.to_string()
                    }
                    other => panic!("unexpected {other:?}"),
                };
                (r.uuid.clone(), kind)
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (uuid(&first), "stored".to_owned()),
                (uuid(&wrong_answers), "malformed_record".to_owned()),
                (uuid(&unsigned), "malformed_record".to_owned()),
                (String::new(), "malformed_record".to_owned()),
                (uuid(&last), "stored".to_owned()),
            ]
        );
        assert_eq!(app.count("SELECT COUNT(*) FROM records").await, 2);

        // Not JSON at all: the whole body is refused, and nothing is stored.
        let e: ApiError = staff
            .post("/sync")
            .header("content-type", "application/json")
            .body("{\"device_id\": \"x\", \"records\": [")
            .expect_json(400)
            .await;
        assert_eq!(e.code, ErrorCode::InvalidJson);
        assert_eq!(app.count("SELECT COUNT(*) FROM records").await, 2);
    }
);
