//! Rebuilds the server when a migration is added: `sqlx::migrate!` embeds the files it
//! finds, but Cargo only notices changes to files it already knew (the build script
//! `sqlx migrate build-script` writes).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
