//! Building blocks shared by the pages: the page frame, the language switch, form parts,
//! calls to the API with their pending state and error, and the console's common pieces
//! (permission guard, load errors, copy button, times), and the signature pad.

pub mod api_call;
pub mod console_ui;
pub mod focus;
pub mod form;
pub mod form_renderer;
pub mod lang_switch;
pub mod layout;
pub mod signature_pad;
