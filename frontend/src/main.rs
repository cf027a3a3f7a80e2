//! Starts the web app: installs the panic hook and mounts [`App`] on `<body>`.

use consentry_frontend::App;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
