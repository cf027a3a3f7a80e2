//! What the vector tests share: running a checker in Node.js, an implementation other
//! than ours.

/// Runs `tests/vectors/<script>` on `tests/vectors/<vectors>` with Node.js and returns
/// what it printed, trimmed; panics when it fails.
pub fn node(script: &str, vectors: &str) -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/");
    let out = std::process::Command::new("node")
        .arg(format!("{dir}{script}"))
        .arg(format!("{dir}{vectors}"))
        .output()
        .expect("Node.js runs the independent check (scripts/tools.sh installs it)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "node failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout.trim().to_owned()
}
