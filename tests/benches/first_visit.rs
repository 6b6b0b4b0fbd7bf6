//! What a first visit to a clause page transfers (`scripts/bench/bundle-size`): a headless
//! Chromium with an empty cache opens the demo's first clause and waits for its text and its
//! comments and until it fetches nothing more; the browser's own resource timing then gives the bytes that crossed the wire for
//! the page, the wasm, the JS, the stylesheet and the API data, compressed as served. The
//! baseline, in the same run and the same browser: a minimal Leptos counter served by the same
//! server code (`target/bench-counter-dist`, built by the script).

use std::path::PathBuf;
use tests::browser::Browser;
use tests::{Db, Settings, spawn_app_with, spawn_app_with_front_end};

/// Every request of the page so far, by kind, with its transfer size (headers included).
const TRANSFERS: &str = "
    const entries = performance.getEntriesByType('navigation')
        .concat(performance.getEntriesByType('resource'));
    return entries.map(e => [e.name.replace(location.origin, ''), e.transferSize]);";

async fn visit(browser: &Browser, url: &str, ready: &str) -> Vec<(String, u64)> {
    browser.client.goto(url).await.expect("open");
    browser.wait(ready).await;
    browser.until_quiet().await;
    let found = browser
        .client
        .execute(TRANSFERS, vec![])
        .await
        .expect("resource timing");
    serde_json::from_value(found).expect("a list of [name, size]")
}

fn total(transfers: &[(String, u64)]) -> u64 {
    transfers.iter().map(|(_, n)| n).sum()
}

#[tokio::main]
async fn main() {
    let concord = spawn_app_with_front_end().await;
    let counter_dist =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bench-counter-dist");
    let counter = spawn_app_with(
        Db::Sqlite,
        Settings {
            assets: Some(counter_dist),
            ..Settings::default()
        },
    )
    .await;

    // A fresh browser for each, so that nothing is cached.
    let browser = Browser::start().await;
    let base = visit(&browser, &counter.address, "button").await;
    browser.close().await;
    let browser = Browser::start().await;
    let clause = format!("{}/c/paris-call/2019/protect-individuals", concord.address);
    let ours = visit(&browser, &clause, ".comment").await;
    browser.close().await;

    println!("first visit, bytes transferred (compressed as served, headers included)");
    for (name, size) in &ours {
        println!("  {size:>9}  {name}");
    }
    let (base, ours) = (total(&base), total(&ours));
    println!("{:<40} {:>10}", "Leptos counter page (baseline)", base);
    println!("{:<40} {:>10}", "Concord clause page", ours);
    println!(
        "{:<40} {:>9.2}x",
        "ratio Concord / baseline",
        ours as f64 / base as f64
    );
    println!(
        "{:<40} {:>9.0}%",
        "Concord against the 200 KB budget",
        100.0 * ours as f64 / 200_000.0
    );
}
