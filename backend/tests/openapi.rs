//! The OpenAPI document is a contract with every client: it changes only on purpose. This test
//! compares it with the copy committed in `docs/openapi.json`; after a deliberate change, run it
//! once with `CONCORD_BLESS_OPENAPI=1` to write the new copy, and commit it with the change.

use std::path::Path;

#[test]
fn the_openapi_document_is_the_committed_one() {
    let document = serde_json::to_string_pretty(&backend::openapi()).expect("json") + "\n";
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/openapi.json");
    if std::env::var_os("CONCORD_BLESS_OPENAPI").is_some() {
        std::fs::write(&committed, &document).expect("write docs/openapi.json");
    }
    let expected = std::fs::read_to_string(&committed).unwrap_or_default();
    assert!(
        document == expected,
        "The OpenAPI document differs from docs/openapi.json. If the change is deliberate, run \
         `CONCORD_BLESS_OPENAPI=1 cargo test -p backend --test openapi` and commit the new copy."
    );
}
