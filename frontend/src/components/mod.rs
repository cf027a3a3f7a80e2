//! Building blocks shared by the pages: the page frame, the language switch and form parts.

pub mod form;
pub mod form_renderer;
pub mod lang_switch;
pub mod layout;
