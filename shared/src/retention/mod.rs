//! Retention: when each stored answer is due ([`clock`]) and what anonymising leaves of
//! it ([`anonymise`]). Pure rules, the same for the server's runs, its forecasts and
//! the designer's explanations; the server does the deleting.

pub mod anonymise;
pub mod clock;

pub use anonymise::{province_name, AnonymisationRule, Anonymised};
pub use clock::{
    due_fields, field_due, next_due, serves_only, serves_only_withdrawn, Due, DueBecause, Kept,
    RecordClocks, DAY_MS,
};

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::BTreeMap;

    use time::macros::date;

    use super::*;
    use crate::schema::{
        FieldValue, FormDefinition, PurposeKey, RetentionAction, RetentionPeriod, RetentionStart,
    };

    const T0: i64 = 1_700_000_000_000;

    fn clocks() -> RecordClocks {
        RecordClocks {
            collected_at_ms: T0,
            relationship_ended_at_ms: None,
            withdrawn: BTreeMap::new(),
            grace_ms: 7 * DAY_MS,
        }
    }

    fn due(def: &FormDefinition, key: &str, clocks: &RecordClocks) -> Result<Due, Kept> {
        field_due(def, def.field(key).unwrap(), clocks)
    }

    #[test]
    fn a_fields_own_period_counts_from_collection() {
        let def = FormDefinition::demo_customer_registration();
        let d = due(&def, "resident_id", &clocks()).unwrap();
        assert_eq!(d.at_ms, T0 + 1095 * DAY_MS);
        assert_eq!(d.action, RetentionAction::Delete);
        assert_eq!(d.because, DueBecause::Field);
        // Due on its day, not the day before.
        let due_now: Vec<_> = due_fields(&def, &clocks(), T0 + 1095 * DAY_MS)
            .map(|(f, _)| f.key.as_str().to_owned())
            .collect();
        assert!(due_now.contains(&"resident_id".to_owned()), "{due_now:?}");
        assert!(due_fields(&def, &clocks(), T0 + 1095 * DAY_MS - 1)
            .all(|(f, _)| f.key.as_str() != "resident_id"));
    }

    fn field_mut<'a>(def: &'a mut FormDefinition, key: &str) -> &'a mut crate::schema::Field {
        def.sections
            .iter_mut()
            .flat_map(|s| s.fields.iter_mut())
            .find(|f| f.key.as_str() == key)
            .unwrap()
    }

    #[test]
    fn the_longest_purpose_clock_wins_and_a_purpose_without_one_keeps_the_answer() {
        let mut def = FormDefinition::demo_customer_registration();
        let service = PurposeKey::parse("membership_service").unwrap();
        let marketing = PurposeKey::parse("marketing").unwrap();
        // The mobile number serves both; the field keeps it 730 days, then anonymises.
        field_mut(&mut def, "mobile").purposes = vec![service.clone(), marketing.clone()];
        let d = due(&def, "mobile", &clocks()).unwrap();
        assert_eq!(d.at_ms, T0 + 730 * DAY_MS);
        assert_eq!(d.because, DueBecause::Field);
        assert_eq!(d.action, RetentionAction::Anonymise);
        // The service states ten years of its own: it needs the number longer, and wins.
        for p in &mut def.purposes {
            if p.key == service {
                p.retention = Some(RetentionPeriod {
                    days: 3650,
                    action: RetentionAction::Delete,
                    from: RetentionStart::Collection,
                });
            }
        }
        let d = due(&def, "mobile", &clocks()).unwrap();
        assert_eq!(d.at_ms, T0 + 3650 * DAY_MS);
        assert_eq!(d.because, DueBecause::Purpose(service));
        assert_eq!(d.action, RetentionAction::Delete);
        // Marketing withdrawn: the service still needs it, nothing changes.
        let mut c = clocks();
        c.withdrawn.insert(marketing, T0 + DAY_MS);
        assert_eq!(due(&def, "mobile", &c).unwrap().at_ms, T0 + 3650 * DAY_MS);

        // With no period anywhere, marketing keeps it while the record exists.
        field_mut(&mut def, "mobile").retention = None;
        assert_eq!(due(&def, "mobile", &clocks()), Err(Kept::NoPeriod));
    }

    #[test]
    fn withdrawal_ends_a_purpose_after_the_grace_period() {
        let mut def = FormDefinition::demo_customer_registration();
        let marketing = PurposeKey::parse("marketing").unwrap();
        // A field only for marketing, kept otherwise for ten years.
        let f = field_mut(&mut def, "email");
        f.purposes = vec![marketing.clone()];
        f.retention = Some(RetentionPeriod {
            days: 3650,
            action: RetentionAction::Anonymise,
            from: RetentionStart::Collection,
        });
        let mut c = clocks();
        let field = def.field("email").unwrap().clone();
        assert!(!serves_only_withdrawn(&field, &c));
        c.withdrawn.insert(marketing, T0 + DAY_MS);
        assert!(serves_only_withdrawn(&field, &c));
        let d = due(&def, "email", &c).unwrap();
        assert_eq!(d.at_ms, T0 + 8 * DAY_MS);
        assert_eq!(d.action, RetentionAction::Delete);
        assert_eq!(d.because, DueBecause::Withdrawn);
    }

    #[test]
    fn relationship_clocks_start_when_the_end_is_recorded() {
        let mut def = FormDefinition::demo_customer_registration();
        field_mut(&mut def, "resident_id").retention = Some(RetentionPeriod {
            days: 30,
            action: RetentionAction::Delete,
            from: RetentionStart::RelationshipEnd,
        });
        let mut c = clocks();
        assert_eq!(
            due(&def, "resident_id", &c),
            Err(Kept::UntilRelationshipEnds)
        );
        c.relationship_ended_at_ms = Some(T0 + 100 * DAY_MS);
        assert_eq!(
            due(&def, "resident_id", &c).unwrap().at_ms,
            T0 + 130 * DAY_MS
        );
        assert_eq!(
            next_due(&def, def.fields(), &c),
            Some(T0 + 130 * DAY_MS).min(Some(T0 + 730 * DAY_MS))
        );
    }

    #[test]
    fn anonymising_keeps_only_what_names_nobody() {
        let today = date!(2026 - 12 - 03);
        let id = crate::schema::ResidentId::parse("11010519491231002X", today).unwrap();
        let a = Anonymised::of(&FieldValue::ResidentId(id)).unwrap();
        assert_eq!(
            a,
            Anonymised::BirthYearAndProvince {
                birth_year: Some(1949),
                province_code: "11".into()
            }
        );
        assert_eq!(a.display(true), "1949 年生 · 北京市");
        assert_eq!(a.display(false), "born 1949 · Beijing");
        let json = serde_json::to_string(&a).unwrap();
        assert!(!json.contains("11010519491231002X"));
        assert_eq!(serde_json::from_str::<Anonymised>(&json).unwrap(), a);

        let phone = FieldValue::Phone(
            crate::schema::PhoneNumber::parse(
                "13812345678",
                &[crate::schema::PhoneFormat::CnMobile],
            )
            .unwrap(),
        );
        assert_eq!(Anonymised::of(&phone), None);
        assert_eq!(
            Anonymised::of(&FieldValue::Date(date!(1990 - 03 - 07))),
            Some(Anonymised::Year { year: 1990 })
        );
        let def = FormDefinition::demo_customer_registration();
        for f in def.fields().filter(|f| f.holds_value()) {
            let rule = AnonymisationRule::of(&f.kind);
            assert!(!rule.as_str().is_empty());
        }
        assert_eq!(
            AnonymisationRule::of(&def.field("resident_id").unwrap().kind),
            AnonymisationRule::BirthYearAndProvince
        );
    }
}
