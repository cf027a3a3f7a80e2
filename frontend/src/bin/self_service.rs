//! Starts the customer app of the pages customers come back to (`/withdraw`, `/verify`,
//! `/consent`): installs the panic hook and mounts
//! [`consentry_frontend::embed::CustomerApp`] with those pages on `<body>`.

use consentry_frontend::embed::{self_service_pages, CustomerApp};
use leptos::prelude::*;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(|| view! { <CustomerApp pages=self_service_pages /> });
}
