//! Starts the customer app that shows forms (`/f/{id}`): installs the panic hook and
//! mounts [`consentry_frontend::embed::CustomerApp`] with the form's pages on `<body>`.

use consentry_frontend::embed::{form_pages, CustomerApp};
use leptos::prelude::*;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(|| view! { <CustomerApp pages=form_pages /> });
}
