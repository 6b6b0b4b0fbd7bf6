//! Rebuilds the binary when the built front end changes, so that `cargo build --release` after
//! `scripts/build-frontend` always embeds the current one (new hashed files included).
fn main() {
    println!("cargo:rerun-if-changed=../frontend/dist");
}
