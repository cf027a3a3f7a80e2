//! Building blocks shared by the pages: the page frame, the language switch, form parts,
//! calls to the API with their pending state and error, and the console's common pieces
//! (permission guard, load errors, copy button, times), the signature pad, the badge of
//! open alerts and the on-screen watermark of pages that show personal data.

#[cfg(feature = "console")]
pub mod alerts_badge;
#[cfg(feature = "console")]
pub mod api_call;
#[cfg(feature = "console")]
pub mod console_ui;
pub mod focus;
#[cfg(feature = "console")]
pub mod form;
pub mod form_renderer;
pub mod lang_switch;
#[cfg(feature = "console")]
pub mod layout;
pub mod signature_pad;
#[cfg(feature = "console")]
pub mod watermark;
