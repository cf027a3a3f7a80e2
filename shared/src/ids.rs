//! Typed identifiers: one UUID newtype per kind of thing, so that a form id cannot be
//! passed where a user id is expected, and a malformed id is refused where it enters
//! (a path segment, a JSON body) instead of travelling on as a string.
//!
//! On the wire and in the database every id is the lower-case hyphenated UUID
//! (`6f1c2d3e-4b5a-4978-8a6b-5c4d3e2f1a0b`). Parsing accepts the spellings the `uuid`
//! crate accepts; writing always gives that one form, which is also the form that signed
//! structures (consent statements, receipts, sync envelopes) carry in their bytes.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A string that is not a UUID where an id was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid {what} id")]
pub struct InvalidId {
    /// What kind of id was expected, such as "form".
    pub what: &'static str,
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// What the id names, for messages ("No such form").
            pub const WHAT: &'static str = $what;

            /// The id made of this UUID.
            #[must_use]
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// A random (version 4) id from 16 random bytes, which the caller draws from
            /// its own source of randomness (the OS on the server, the browser's crypto
            /// in the web app), so that this crate does no I/O.
            #[must_use]
            pub fn from_random_bytes(bytes: [u8; 16]) -> Self {
                Self(uuid::Builder::from_random_bytes(bytes).into_uuid())
            }

            /// The UUID inside.
            #[must_use]
            pub const fn as_uuid(&self) -> &Uuid {
                &self.0
            }

            /// Parses an id, accepting any spelling of a UUID.
            pub fn parse(raw: &str) -> Result<Self, InvalidId> {
                Uuid::parse_str(raw)
                    .map(Self)
                    .map_err(|_| InvalidId { what: $what })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self.0.hyphenated())
            }
        }

        impl FromStr for $name {
            type Err = InvalidId;

            fn from_str(raw: &str) -> Result<Self, Self::Err> {
                Self::parse(raw)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = InvalidId;

            fn try_from(raw: &str) -> Result<Self, Self::Error> {
                Self::parse(raw)
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidId;

            fn try_from(raw: String) -> Result<Self, Self::Error> {
                Self::parse(&raw)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.to_string()
            }
        }

        #[cfg(feature = "openapi")]
        crate::openapi::manual_schema!(
            $name,
            crate::openapi::string(
                Some("uuid"),
                None,
                concat!("The id of a ", $what, ": a UUID"),
            )
        );
    };
}

id_type!(
    /// A collection form (all of its versions share it).
    FormId,
    "form"
);
id_type!(
    /// A collected record. A staff device chooses it, and it is then also the id of the
    /// record's consent receipt.
    RecordId,
    "record"
);
id_type!(
    /// An account.
    UserId,
    "user"
);
id_type!(
    /// A staff member's registered device.
    DeviceId,
    "device"
);
id_type!(
    /// A consent receipt, chosen by the customer's browser (or the staff device).
    ReceiptId,
    "receipt"
);
id_type!(
    /// A team of staff under a manager.
    TeamId,
    "team"
);
id_type!(
    /// An edit conflict waiting for a manager.
    ConflictId,
    "conflict"
);
id_type!(
    /// A form assignment to a person or a team.
    AssignmentId,
    "assignment"
);
id_type!(
    /// A retention run.
    RetentionRunId,
    "retention run"
);
id_type!(
    /// A legal hold.
    LegalHoldId,
    "legal hold"
);
id_type!(
    /// A data-subject request.
    SubjectRequestId,
    "request"
);
id_type!(
    /// A one-time download of a request's answer package.
    PackageId,
    "package"
);
id_type!(
    /// An export of records (its ledger entry).
    ExportId,
    "export"
);
id_type!(
    /// An alert raised by a rule on unusual behaviour.
    AlertId,
    "alert"
);
id_type!(
    /// An import of records from a spreadsheet.
    ImportId,
    "import"
);
id_type!(
    /// A link that asks the person behind an imported record for their consent.
    ConsentInviteId,
    "consent request"
);
id_type!(
    /// A backup of the database (one encrypted file and its off-site copy).
    BackupId,
    "backup"
);

impl From<ReceiptId> for RecordId {
    /// A staff-collected record and its receipt share one UUID.
    fn from(id: ReceiptId) -> Self {
        Self(id.0)
    }
}

impl From<RecordId> for ReceiptId {
    fn from(id: RecordId) -> Self {
        Self(id.0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const CANONICAL: &str = "6f1c2d3e-4b5a-4978-8a6b-5c4d3e2f1a0b";

    #[test]
    fn ids_read_any_spelling_and_write_one() {
        let upper = CANONICAL.to_uppercase();
        for raw in [
            CANONICAL,
            upper.as_str(),
            "6f1c2d3e4b5a49788a6b5c4d3e2f1a0b",
        ] {
            let id = FormId::parse(raw).unwrap();
            assert_eq!(id.to_string(), CANONICAL);
            assert_eq!(
                serde_json::to_string(&id).unwrap(),
                format!("\"{CANONICAL}\"")
            );
        }
        let from_json: RecordId = serde_json::from_str(&format!("\"{CANONICAL}\"")).unwrap();
        assert_eq!(from_json.to_string(), CANONICAL);
        assert_eq!(format!("{from_json:?}"), format!("RecordId({CANONICAL})"));
    }

    #[test]
    fn malformed_ids_are_refused() {
        for raw in [
            "",
            "f1",
            "6f1c2d3e-4b5a-4978-8a6b-5c4d3e2f1a0",
            "../../etc/passwd",
        ] {
            assert_eq!(UserId::parse(raw), Err(InvalidId { what: "user" }), "{raw}");
        }
        assert!(serde_json::from_str::<TeamId>("\"nope\"").is_err());
        assert!(serde_json::from_str::<TeamId>("42").is_err());
    }

    #[test]
    fn random_ids_are_version_4() {
        let id = DeviceId::from_random_bytes([7; 16]);
        assert_eq!(id.as_uuid().get_version_num(), 4);
        assert_ne!(id, DeviceId::from_random_bytes([8; 16]));
    }
}
