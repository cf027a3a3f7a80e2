//! Building blocks shared by the pages: the page frame, the language switch, form parts,
//! calls to the API with their pending state and error, and the console's common pieces
//! (permission guard, load errors, copy button, times), the signature pad, the badge of
//! open alerts and the on-screen watermark of pages that show personal data.

pub mod alerts_badge;
pub mod api_call;
pub mod console_ui;
pub mod focus;
pub mod form;
pub mod form_renderer;
pub mod lang_switch;
pub mod layout;
pub mod signature_pad;
pub mod watermark;
