//! Starts the customer-facing app (embedded forms, withdrawal, receipt checks): installs
//! the panic hook and mounts [`consentry_frontend::embed::EmbedApp`] on `<body>`.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(consentry_frontend::embed::EmbedApp);
}
