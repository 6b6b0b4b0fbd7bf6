//! A first visit over a slow link (`scripts/bench/slow-link`): Chromium's own network throttling
//! (DevTools `Network.emulateNetworkConditions`: 400 kbit/s each way, 400 ms latency), an empty
//! cache, and the demo's first clause opened in the app signed out and signed in, against the
//! same text on its `/read` page in the same run. For each: the time from the start of the
//! navigation until the browser first painted the clause's text (the Element Timing API, on the
//! clause's heading), and the requests the page made until it fetched nothing more for a second.
//! Each visit is made three times in a fresh browser; the median is printed.

use serde_json::{Value, json};
use tests::browser::Browser;
use tests::spawn_app_with_front_end;

/// 400 kbit/s is 50,000 bytes a second.
const LINK: (u64, u64) = (400, 50_000);
const RUNS: usize = 3;

/// Run in every document before its own scripts: marks the first clause text (`selector`) for
/// the Element Timing API as the parser or the app adds it, and keeps the times it is painted.
fn observer(selector: &str) -> String {
    format!(
        "(() => {{
            const mark = () => document.querySelectorAll({selector:?})
                .forEach(e => e.setAttribute('elementtiming', 'clause-text'));
            new MutationObserver(mark).observe(document, {{ childList: true, subtree: true }});
            window.__painted = [];
            new PerformanceObserver(list => list.getEntries()
                .forEach(e => window.__painted.push(e.renderTime || e.loadTime)))
                .observe({{ type: 'element', buffered: true }});
        }})();"
    )
}

/// A page visited: where, its first clause text, what shows it is ready, and whether the
/// visitor is signed in.
struct Page {
    name: &'static str,
    path: &'static str,
    text: &'static str,
    ready: &'static str,
    signed_in: bool,
}

/// What a visit measured: milliseconds to the text, and requests made.
struct Visit {
    text_ms: f64,
    requests: u64,
}

async fn visit(address: &str, page: &Page, signed_in: Option<usize>) -> Visit {
    let Page {
        path,
        text: selector,
        ready,
        ..
    } = *page;
    let browser = Browser::start().await;
    if let Some(run) = signed_in {
        // An account with its stakeholder group stated, made from the sign-in page, then an
        // empty cache: the visit below starts with only the session cookie.
        browser
            .client
            .goto(&format!("{address}/signin"))
            .await
            .expect("open");
        let status = browser
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 const json = { 'Content-Type': 'application/json' };
                 fetch('/api/v1/accounts', { method: 'POST', headers: json,
                     body: JSON.stringify({ handle: 'slow-link-' + arguments[0],
                         password: 'a long passphrase' }) })
                 .then(() => fetch('/api/v1/consultations/paris-call/participation', {
                     method: 'PUT', headers: json,
                     body: JSON.stringify({ stakeholder_group: 'civil_society' }) }))
                 .then(r => done(r.status), e => done(String(e)));",
                vec![json!(run)],
            )
            .await
            .expect("sign up");
        assert_eq!(status, json!(200), "signed up and joined");
        browser
            .devtools("Network.clearBrowserCache", json!({}))
            .await;
    }
    browser.devtools("Network.enable", json!({})).await;
    browser
        .devtools(
            "Network.emulateNetworkConditions",
            json!({
                "offline": false,
                "latency": LINK.0,
                "downloadThroughput": LINK.1,
                "uploadThroughput": LINK.1,
            }),
        )
        .await;
    browser
        .devtools(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": observer(selector) }),
        )
        .await;
    browser
        .client
        .goto(&format!("{address}{path}"))
        .await
        .expect("open");
    // The app has drawn the page and its forms; then nothing more for a second.
    browser.wait(ready).await;
    browser.until_quiet().await;
    let found: Value = browser
        .client
        .execute(
            "return [Math.min(...window.__painted),
                     1 + performance.getEntriesByType('resource').length];",
            vec![],
        )
        .await
        .expect("timings");
    browser.close().await;
    Visit {
        text_ms: found[0].as_f64().expect("the text was painted"),
        requests: found[1].as_u64().expect("a count"),
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

#[tokio::main]
async fn main() {
    let app = spawn_app_with_front_end().await;
    const CLAUSE: &str = "/c/paris-call/2019/protect-individuals";
    let pages = [
        Page {
            name: "/read round page (baseline)",
            path: "/read/paris-call/2019",
            text: "section.clause h3",
            ready: "section.clause h3",
            signed_in: false,
        },
        Page {
            name: "clause, signed out",
            path: CLAUSE,
            text: "h1",
            ready: "main#main .comment",
            signed_in: false,
        },
        Page {
            name: "clause, signed in",
            path: CLAUSE,
            text: "h1",
            ready: "#record-position",
            signed_in: true,
        },
    ];
    println!(
        "first visit over {} kbit/s with {} ms latency, empty cache; median of {RUNS} runs",
        LINK.1 * 8 / 1000,
        LINK.0
    );
    println!(
        "{:<30} {:>12} {:>10} {:>14}",
        "page", "text (ms)", "requests", "text / /read"
    );
    let mut baseline = None;
    for page in &pages {
        let mut times = Vec::new();
        let mut requests = Vec::new();
        for run in 0..RUNS {
            let account = page.signed_in.then_some(run);
            let visit = visit(&app.address, page, account).await;
            times.push(visit.text_ms);
            requests.push(visit.requests as f64);
        }
        let (time, requests) = (median(times), median(requests));
        let base = *baseline.get_or_insert(time);
        println!(
            "{:<30} {time:>12.0} {requests:>10.0} {:>13.2}x",
            page.name,
            time / base
        );
    }
}
