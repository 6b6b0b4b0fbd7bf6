//! Mounts Concord's browser application.

// No panic hook: the shipped wasm is built to stop at a panic without formatting a message
// (scripts/build-frontend), which keeps the download small.
fn main() {
    leptos::mount::mount_to_body(frontend::App);
}
