//! Collected records as staff, managers, admins and auditors see them.

use std::collections::BTreeMap;

use crate::ids::{FormId, RecordId, TeamId, UserId};
use serde::{Deserialize, Serialize};

use crate::{access::Visibility, i18n::LocalizedText, schema::Sensitivity};

/// One field of a record in a view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ViewValue {
    pub sensitivity: Sensitivity,
    /// What the viewer gets.
    pub visibility: Visibility,
    /// The text shown: in full, masked, or `None` when hidden or withdrawn.
    pub display: Option<String>,
    /// True when consent to every purpose of this field was withdrawn: the value is
    /// no longer shown to anyone.
    pub withdrawn: bool,
    /// True when the stored value does not decrypt (it was altered or moved): nothing
    /// is shown, and the server logs it.
    #[serde(default)]
    pub unreadable: bool,
    /// What retention did to this field's value, when it did: deleted, or anonymised
    /// (with what was left, shown instead of the value). Never revealed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<super::retention::ProcessedValue>,
}

/// Where a record was collected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RecordSource {
    /// A customer's browser, through the embedded form.
    Web,
    /// A staff member's device, through offline collection and sync.
    Staff,
    /// A spreadsheet brought in by an import, on the basis the import stated.
    Import,
}

impl RecordSource {
    /// The name on the wire and in the database.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            RecordSource::Web => "web",
            RecordSource::Staff => "staff",
            RecordSource::Import => "import",
        }
    }

    /// Reads a name written by [`Self::as_str`].
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "web" => Some(RecordSource::Web),
            "staff" => Some(RecordSource::Staff),
            "import" => Some(RecordSource::Import),
            _ => None,
        }
    }
}

/// A record in a list or detail view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordView {
    pub id: RecordId,
    /// When the customer relationship ended, once recorded (clocks counted from it run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationship_ended_at_ms: Option<i64>,
    pub form_id: FormId,
    pub form_version: i64,
    pub source: RecordSource,
    pub owner_id: Option<UserId>,
    /// The owner's user name, so that a list names people rather than ids.
    #[serde(default)]
    pub owner_name: Option<String>,
    pub created_at_ms: i64,
    pub values: BTreeMap<String, ViewValue>,
    /// The form's title, so that a list names the form rather than its id.
    #[serde(default)]
    pub form_title: LocalizedText,
    /// The label of each field in `values`, by field key, so that a list shows labels
    /// rather than keys.
    #[serde(default)]
    pub labels: BTreeMap<String, LocalizedText>,
    /// The server's version of the record: 1 when collected, one more per merged edit.
    #[serde(default = "first_version")]
    pub version: i64,
    /// Edit conflicts on this record that wait for a manager.
    #[serde(default)]
    pub open_conflicts: i64,
    /// Fields with a change waiting for approval (the value shown is the one in force).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending_fields: Vec<String>,
    /// The keys of `values` in the form's order, to show them as the form asks them.
    #[serde(default)]
    pub field_order: Vec<String>,
    /// For an imported record: the lawful basis the import stated and the purposes it
    /// covers (the record has no consent receipt until the person gives consent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imported: Option<crate::api::imports::ImportedBasis>,
}

impl RecordView {
    /// Takes the values out in the form's order (any `field_order` does not name follow,
    /// by key).
    pub fn take_ordered_values(&mut self) -> Vec<(String, ViewValue)> {
        let mut values = std::mem::take(&mut self.values);
        let mut out: Vec<(String, ViewValue)> = self
            .field_order
            .iter()
            .filter_map(|k| values.remove(k).map(|v| (k.clone(), v)))
            .collect();
        out.extend(values);
        out
    }
}

fn first_version() -> i64 {
    1
}

/// Which records, within the caller's reach, a records list or an export covers. The
/// same filter drives the list on screen and the export of it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordFilter {
    /// Records of this form (required for an export).
    #[serde(default)]
    pub form_id: Option<FormId>,
    /// Collected with this version of the form.
    #[serde(default)]
    pub form_version: Option<i64>,
    /// Collected on or after this day (`yyyy-mm-dd`, UTC).
    #[serde(default)]
    pub from: Option<String>,
    /// Collected on or before this day.
    #[serde(default)]
    pub to: Option<String>,
    /// Owned by a member of this team.
    #[serde(default)]
    pub team_id: Option<TeamId>,
    /// Owned by (assigned to) this user.
    #[serde(default)]
    pub owner_id: Option<UserId>,
    /// The state of the record's consent.
    #[serde(default)]
    pub consent: Option<ConsentState>,
}

/// The state of a record's consent, as a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConsentState {
    /// No purpose withdrawn.
    InForce,
    /// Some purposes withdrawn, others still in force.
    PartlyWithdrawn,
    /// Every purpose withdrawn.
    Withdrawn,
}

impl ConsentState {
    pub const ALL: [ConsentState; 3] = [Self::InForce, Self::PartlyWithdrawn, Self::Withdrawn];

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InForce => "in_force",
            Self::PartlyWithdrawn => "partly_withdrawn",
            Self::Withdrawn => "withdrawn",
        }
    }

    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// One day, in milliseconds.
const DAY_MS: i64 = 86_400_000;

/// Why a [`RecordFilter`] cannot be applied, under the field it concerns (the list's
/// query parameter and the export's JSON field have the same name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterProblem {
    /// `from` is not a day written `yyyy-mm-dd`.
    FromNotADay,
    /// `to` is not a day written `yyyy-mm-dd`.
    ToNotADay,
    /// `to` is a day before `from`.
    ToBeforeFrom,
}

impl FilterProblem {
    /// The field the problem is about.
    #[must_use]
    pub const fn field(self) -> &'static str {
        match self {
            Self::FromNotADay => "from",
            Self::ToNotADay | Self::ToBeforeFrom => "to",
        }
    }

    /// The code, as exports also use it.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::FromNotADay | Self::ToNotADay => "invalid",
            Self::ToBeforeFrom => "before_from",
        }
    }

    /// The problem in English, for the API's message.
    #[must_use]
    pub const fn message(self) -> &'static str {
        match self {
            Self::FromNotADay | Self::ToNotADay => "A date as yyyy-mm-dd",
            Self::ToBeforeFrom => "The last day is before the first",
        }
    }
}

impl RecordFilter {
    /// The collection times the filter allows, in Unix milliseconds, both ends included:
    /// from midnight (UTC) of `from` to the last millisecond of `to`. Blank days are no
    /// bound.
    ///
    /// # Errors
    /// A day that is not `yyyy-mm-dd`, or a last day before the first.
    pub fn collected_between(&self) -> Result<(Option<i64>, Option<i64>), FilterProblem> {
        let midnight = |text: Option<&str>, problem: FilterProblem| match text
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            None => Ok(None),
            Some(t) => crate::schema::parse_iso_date(t)
                .map(|d| Some(d.midnight().assume_utc().unix_timestamp() * 1000))
                .ok_or(problem),
        };
        let from = midnight(self.from.as_deref(), FilterProblem::FromNotADay)?;
        let to = midnight(self.to.as_deref(), FilterProblem::ToNotADay)?.map(|d| d + DAY_MS - 1);
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                return Err(FilterProblem::ToBeforeFrom);
            }
        }
        Ok((from, to))
    }

    /// The filter as query parameters of `GET /api/v1/records` (named as the fields are
    /// in JSON), leaving out what it does not set.
    #[must_use]
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let day = |d: &Option<String>| d.as_deref().map(str::trim).map(str::to_owned);
        [
            ("form_id", self.form_id.map(|id| id.to_string())),
            ("form_version", self.form_version.map(|v| v.to_string())),
            ("from", day(&self.from)),
            ("to", day(&self.to)),
            ("team_id", self.team_id.map(|id| id.to_string())),
            ("owner_id", self.owner_id.map(|id| id.to_string())),
            ("consent", self.consent.map(|c| c.as_str().to_owned())),
        ]
        .into_iter()
        .filter_map(|(name, value)| Some((name, value.filter(|v| !v.is_empty())?)))
        .collect()
    }
}

/// The order of the records list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RecordSort {
    /// The most recently collected first.
    #[default]
    Newest,
    /// The first collected first.
    Oldest,
}

impl RecordSort {
    pub const ALL: [RecordSort; 2] = [Self::Newest, Self::Oldest];

    /// The name of the `sort` query parameter's value.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Newest => "newest",
            Self::Oldest => "oldest",
        }
    }

    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// `GET /api/v1/records`: a page of the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordPage {
    pub records: Vec<RecordView>,
    /// Pass as `cursor` (with the same filter and sort) for the next page; `None` on the
    /// last. Opaque: it marks a place in the order, not a time.
    pub next: Option<String>,
}

/// `GET /api/v1/records/people`: the teams and people owning records in the caller's
/// reach, by name, for the list's filter (a manager gets their own team only).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordPeople {
    /// By name.
    pub teams: Vec<RecordTeam>,
    /// By display name.
    pub owners: Vec<RecordOwner>,
}

/// A team whose members own records in reach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordTeam {
    pub id: TeamId,
    pub name: String,
}

/// An account owning records in reach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordOwner {
    pub id: UserId,
    /// The user name, which records' `owner_name` shows.
    pub username: String,
    pub display_name: String,
    pub team_id: Option<TeamId>,
}

/// `GET /api/v1/records/forms`: one of the forms that records in the caller's reach
/// were collected with, to filter the list by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordForm {
    pub id: FormId,
    /// The title of the newest version any of those records was collected with.
    pub title: LocalizedText,
    /// The versions those records were collected with, newest first.
    #[serde(default)]
    pub versions: Vec<i64>,
}

/// The shortest reason for a reveal the server accepts.
pub const MIN_REVEAL_REASON_CHARS: usize = 5;
/// The longest: a reason stays in the audit log for good, so it is a sentence, not a
/// place for notes that may themselves hold personal data.
pub const MAX_REVEAL_REASON_CHARS: usize = 200;

/// `POST /api/v1/records/{id}/reveal`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RevealRequest {
    pub field: String,
    /// Why the person needs to see it (kept in the audit log).
    pub reason: String,
}

/// The revealed value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RevealResponse {
    pub field: String,
    pub value: String,
}

/// What kind of identifier a lookup searches by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IdentifierKind {
    Phone,
    Email,
    ResidentId,
}

impl IdentifierKind {
    /// Every kind, in the order forms list them.
    pub const ALL: [IdentifierKind; 3] = [Self::Phone, Self::Email, Self::ResidentId];

    /// The JSON name, which is also the blind index's kind.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Phone => "phone",
            Self::Email => "email",
            Self::ResidentId => "resident_id",
        }
    }

    /// Reads a name written by [`Self::as_str`].
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// `POST /api/v1/records/lookup`: find a person's records by an identifier, for a
/// data-subject request or to spot duplicates, without decrypting anything.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LookupRequest {
    pub kind: IdentifierKind,
    pub value: String,
}

impl std::fmt::Debug for LookupRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LookupRequest")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// Why a version of a record was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VersionCause {
    /// As collected.
    Collected,
    /// An edit synced from a staff device, merged.
    DeviceEdit,
    /// A conflict resolved by taking the device's value.
    ConflictResolved,
    /// A correction made for a data-subject request.
    RequestCorrection,
    /// A change of a key field, approved by a manager or an admin.
    ApprovedChange,
}

impl VersionCause {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Collected => "collected",
            Self::DeviceEdit => "device_edit",
            Self::ConflictResolved => "conflict_resolved",
            Self::RequestCorrection => "request_correction",
            Self::ApprovedChange => "approved_change",
        }
    }

    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        [
            Self::Collected,
            Self::DeviceEdit,
            Self::ConflictResolved,
            Self::RequestCorrection,
            Self::ApprovedChange,
        ]
        .into_iter()
        .find(|c| c.as_str() == name)
    }
}

/// One version of a record in its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordVersionView {
    pub version: i64,
    pub at_ms: i64,
    /// Who made it (`None`: the customer, or the collector of version 1 when unknown).
    pub by_name: Option<String>,
    /// The device it was synced from, when it was.
    pub device_id: Option<crate::ids::DeviceId>,
    pub cause: VersionCause,
    /// The request it was made for, for a correction.
    pub request_id: Option<crate::ids::SubjectRequestId>,
    /// For an approved change: who approved it, and their comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by_name: Option<String>,
    /// The fields this version changed (empty for version 1).
    pub changed: Vec<String>,
    /// The values as the viewer may see them, masked as elsewhere.
    pub values: BTreeMap<String, ViewValue>,
}

/// `GET /api/v1/records/{id}/history`: every version, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordHistory {
    pub record_id: RecordId,
    /// Where the record was collected: version 1 of a web record was made by the
    /// customer.
    pub source: RecordSource,
    pub form_title: LocalizedText,
    /// Field labels by key, in form order of appearance.
    pub labels: BTreeMap<String, LocalizedText>,
    /// The form's field keys in form order, to lay values out.
    pub field_order: Vec<String>,
    pub versions: Vec<RecordVersionView>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn days(from: &str, to: &str) -> RecordFilter {
        RecordFilter {
            from: Some(from.to_owned()),
            to: Some(to.to_owned()),
            ..RecordFilter::default()
        }
    }

    #[test]
    fn days_cover_whole_utc_days() {
        // 2024-03-01T00:00:00Z is 1709251200 s.
        assert_eq!(
            days("2024-03-01", "2024-03-01").collected_between(),
            Ok((
                Some(1_709_251_200_000),
                Some(1_709_251_200_000 + DAY_MS - 1)
            ))
        );
        assert_eq!(days(" ", "").collected_between(), Ok((None, None)));
        assert_eq!(
            RecordFilter::default().collected_between(),
            Ok((None, None))
        );
    }

    #[test]
    fn bad_days_name_their_field() {
        assert_eq!(
            days("2024-02-30", "").collected_between(),
            Err(FilterProblem::FromNotADay)
        );
        assert_eq!(
            days("", "yesterday").collected_between(),
            Err(FilterProblem::ToNotADay)
        );
        let backwards = days("2024-03-02", "2024-03-01").collected_between();
        assert_eq!(backwards, Err(FilterProblem::ToBeforeFrom));
        assert_eq!(FilterProblem::ToBeforeFrom.field(), "to");
        assert_eq!(FilterProblem::FromNotADay.code(), "invalid");
    }

    #[test]
    fn query_pairs_leave_out_what_is_unset() {
        assert!(RecordFilter::default().query_pairs().is_empty());
        let team = TeamId::from_random_bytes([1; 16]);
        let filter = RecordFilter {
            from: Some("2024-03-01".to_owned()),
            to: Some(String::new()),
            team_id: Some(team),
            consent: Some(ConsentState::PartlyWithdrawn),
            ..RecordFilter::default()
        };
        assert_eq!(
            filter.query_pairs(),
            [
                ("from", "2024-03-01".to_owned()),
                ("team_id", team.to_string()),
                ("consent", "partly_withdrawn".to_owned()),
            ]
        );
    }

    #[test]
    fn names_read_back() {
        for s in ConsentState::ALL {
            assert_eq!(ConsentState::parse(s.as_str()), Some(s));
        }
        for s in RecordSort::ALL {
            assert_eq!(RecordSort::parse(s.as_str()), Some(s));
        }
        assert_eq!(RecordSort::default(), RecordSort::Newest);
    }
}
