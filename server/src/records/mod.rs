//! Collected records as each role may see them: scoped, masked by sensitivity, with
//! withdrawn purposes honoured; revealing a masked value needs a reason and is audited.

pub mod conflicts;
pub mod handlers;
pub mod history;
pub mod identifier;
pub mod sealed;
pub mod service;
pub mod versions;
pub mod view;
