//! Mounts Concord's browser application.

// No panic hook in the shipped wasm: it is built to stop at a panic without formatting a
// message (scripts/build-frontend), which keeps the download small. A build for finding a
// panic's cause writes its message to the console.
fn main() {
    #[cfg(feature = "panic-messages")]
    std::panic::set_hook(Box::new(|panic| {
        web_sys::console::error_1(&panic.to_string().into());
    }));
    leptos::mount::mount_to_body(frontend::App);
}
