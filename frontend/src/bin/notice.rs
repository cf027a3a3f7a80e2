//! The customer component's first stage (`/f/{id}`): the privacy pop-up, drawn without
//! a framework, which then loads the form app (`consentry-embed`). See
//! [`consentry_frontend::notice`].

fn main() {
    consentry_frontend::notice::start();
}
