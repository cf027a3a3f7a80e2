//! Customer consent: submissions with signed statements, countersigned receipts,
//! verification and withdrawal.

pub mod handlers;
pub mod service;
pub mod versions;
pub mod withdrawal;
pub mod writer;
