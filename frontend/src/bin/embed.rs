//! Starts the customer app that shows forms (`/f/{id}`): installs the panic hook and
//! mounts [`consentry_frontend::embed::CustomerApp`] with the form's pages on `<body>`,
//! once the customer has continued from the first stage's privacy pop-up
//! (`consentry-notice`, which loads this app) when it is showing.

use consentry_frontend::embed::{form_pages, CustomerApp};
use consentry_frontend::notice::handover;
use leptos::prelude::*;

fn main() {
    console_error_panic_hook::set_once();
    handover::when_handed_over(|| {
        leptos::mount::mount_to_body(|| view! { <CustomerApp pages=form_pages /> });
    });
}
