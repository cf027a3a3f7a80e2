//! The one reading of a records filter (`RecordFilter`) as SQL: the scope, form and
//! version, days, team, owner and consent state, as a condition on `records r` with
//! numbered parameters, shared by the records list and exports.

use shared::api::records::{ConsentState, FilterProblem, RecordFilter};

use super::records::{scope_condition, Scope};

/// A value bound to a numbered parameter: text (ids, names) or a number (times),
/// bound as its own type so that PostgreSQL compares like with like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqlParam {
    Text(Option<String>),
    Int(Option<i64>),
}

/// A condition over `records r` and the values of its parameters, numbered from the
/// `first` it was built with: `$first` is `params[0]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub sql: String,
    pub params: Vec<SqlParam>,
}

/// Binds `params` in order to `query`.
pub fn bind_all<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    params: Vec<SqlParam>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for p in params {
        query = match p {
            SqlParam::Text(v) => query.bind(v),
            SqlParam::Int(v) => query.bind(v),
        };
    }
    query
}

/// How many `"` a JSON text column holds. A consent's purposes are keys that never hold
/// one (`[a-z][a-z0-9_]*`, see `shared::schema::keys`), written by serde: a list of
/// them (`purposes_granted`) and a map from them to times (`purposes_withdrawn`) hold
/// two per purpose. Plain string functions, so the same SQL runs on SQLite and
/// PostgreSQL without their different JSON functions.
fn quotes_in(column: &str) -> String {
    format!("(LENGTH({column}) - LENGTH(REPLACE({column}, '\"', '')))")
}

/// The SQL condition on `records r` for a consent state, from the record's receipt: in
/// force when no purpose was withdrawn (or there is no receipt), withdrawn when every
/// purpose granted was (a withdrawal takes only purposes granted), partly otherwise.
fn consent_condition(state: ConsentState) -> String {
    let withdrawn = quotes_in("cf.purposes_withdrawn");
    let granted = quotes_in("cf.purposes_granted");
    let receipt = "SELECT 1 FROM consent_receipts cf WHERE cf.record_id = r.id";
    match state {
        ConsentState::InForce => format!("NOT EXISTS ({receipt} AND {withdrawn} > 0)"),
        ConsentState::PartlyWithdrawn => {
            format!("EXISTS ({receipt} AND {withdrawn} > 0 AND {withdrawn} < {granted})")
        }
        ConsentState::Withdrawn => {
            format!("EXISTS ({receipt} AND {withdrawn} > 0 AND {withdrawn} >= {granted})")
        }
    }
}

/// The records of `scope` that `filter` selects, as a condition on `records r` with
/// parameters from `$first` on: the one reading of a [`RecordFilter`], shared by the
/// records list and exports. A team or owner outside the scope selects nothing (the
/// scope still applies), so whether it exists is not told.
///
/// # Errors
/// A day that is not `yyyy-mm-dd`, or a last day before the first.
pub fn filter_condition(
    scope: &Scope,
    filter: &RecordFilter,
    first: usize,
) -> Result<Condition, FilterProblem> {
    let (from_ms, to_ms) = filter.collected_between()?;
    let (scope_sql, scope_params) = scope_condition(scope, first);
    let mut parts = vec![scope_sql];
    let mut params: Vec<SqlParam> = scope_params.into_iter().map(SqlParam::Text).collect();
    let mut add = |sql: &str, value: SqlParam| {
        parts.push(sql.replace("$?", &format!("${}", first + params.len())));
        params.push(value);
    };
    if let Some(form) = filter.form_id {
        add("r.form_id = $?", SqlParam::Text(Some(form.to_string())));
    }
    if let Some(version) = filter.form_version {
        add("r.form_version = $?", SqlParam::Int(Some(version)));
    }
    if let Some(ms) = from_ms {
        add("r.created_at_ms >= $?", SqlParam::Int(Some(ms)));
    }
    if let Some(ms) = to_ms {
        add("r.created_at_ms <= $?", SqlParam::Int(Some(ms)));
    }
    if let Some(team) = filter.team_id {
        add(
            "r.owner_id IN (SELECT tu.id FROM users tu WHERE tu.team_id = $?)",
            SqlParam::Text(Some(team.to_string())),
        );
    }
    if let Some(owner) = filter.owner_id {
        add("r.owner_id = $?", SqlParam::Text(Some(owner.to_string())));
    }
    if let Some(state) = filter.consent {
        parts.push(consent_condition(state));
    }
    Ok(Condition {
        sql: parts.join(" AND "),
        params,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use shared::ids::{TeamId, UserId};

    #[test]
    fn a_filter_numbers_its_parameters_after_the_scopes() {
        let manager_id = UserId::from_random_bytes([1; 16]);
        let team = TeamId::from_random_bytes([2; 16]);
        let scope = Scope::Team {
            manager_id,
            team_id: Some(team),
            intake: false,
        };
        let filter = RecordFilter {
            from: Some("2024-03-01".to_owned()),
            team_id: Some(team),
            consent: Some(ConsentState::Withdrawn),
            ..RecordFilter::default()
        };
        let c = filter_condition(&scope, &filter, 3).unwrap();
        assert!(c.sql.contains("r.owner_id = $3"), "{}", c.sql);
        assert!(c.sql.contains("team_id = $4"), "{}", c.sql);
        assert!(c.sql.contains("r.created_at_ms >= $5"), "{}", c.sql);
        assert!(c.sql.contains("tu.team_id = $6"), "{}", c.sql);
        assert!(!c.sql.contains("$7"), "{}", c.sql);
        assert_eq!(c.params.len(), 4);
        assert_eq!(c.params[2], SqlParam::Int(Some(1_709_251_200_000)));
        assert_eq!(
            filter_condition(&Scope::All, &RecordFilter::default(), 1),
            Ok(Condition {
                sql: "1 = 1".to_owned(),
                params: vec![]
            })
        );
    }

    #[test]
    fn a_bad_day_is_no_condition() {
        let filter = RecordFilter {
            to: Some("2024-02-30".to_owned()),
            ..RecordFilter::default()
        };
        assert_eq!(
            filter_condition(&Scope::All, &filter, 1),
            Err(FilterProblem::ToNotADay)
        );
    }
}
