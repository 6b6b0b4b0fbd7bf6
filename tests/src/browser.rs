//! A real headless Chromium, driven through WebDriver: the test starts its own `chromedriver` on a
//! free port and a browser with a fresh profile and no background network traffic.

use fantoccini::elements::Element;
use fantoccini::error::{CmdError, ErrorStatus};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The built front end the end-to-end tests serve (`scripts/build-frontend` makes it).
pub fn assets_dir() -> PathBuf {
    let dir = std::env::var_os("CONCORD_ASSETS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../frontend/dist"));
    assert!(
        dir.join("index.html").is_file(),
        "no built front end in {}; run scripts/build-frontend (scripts/test does)",
        dir.display()
    );
    dir
}

/// A running chromedriver and a browser session on it; both end when this is dropped.
pub struct Browser {
    pub client: Client,
    driver: Child,
    /// Where chromedriver listens, for the commands fantoccini has no method for.
    driver_url: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium.
    pub async fn start() -> Browser {
        Self::start_with(true, "en-GB,en").await
    }

    /// A headless Chromium whose person prefers `languages` (as in its settings: "es-MX,es").
    pub async fn start_preferring(languages: &str) -> Browser {
        Self::start_with(true, languages).await
    }

    /// A Chromium that runs no JavaScript (and so no WebAssembly), as some careful readers set
    /// theirs.
    pub async fn start_without_javascript() -> Browser {
        Self::start_with(false, "en-GB,en").await
    }

    async fn start_with(javascript: bool, languages: &str) -> Browser {
        let port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
            probe.local_addr().expect("address").port()
        };
        let driver = Command::new(std::env::var("CHROMEDRIVER").unwrap_or("chromedriver".into()))
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian package chromium-driver) must be installed");
        let profile = tempfile::tempdir().expect("profile dir");
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": std::env::var("CHROMIUM").unwrap_or("/usr/bin/chromium".into()),
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--disable-quic", "--no-first-run",
                    "--window-size=1024,900",
                    format!("--lang={}", languages.split(',').next().unwrap_or("en")),
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                "prefs": {
                    "intl.accept_languages": languages,
                    "profile.managed_default_content_settings.javascript":
                        if javascript { 1 } else { 2 },
                },
            }),
        );
        // Everything the page writes to its console, for `console_errors`.
        caps.insert("goog:loggingPrefs".into(), json!({ "browser": "ALL" }));
        // chromedriver takes a moment to listen; keep trying to open a session until it does.
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(client) => break client,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("could not start Chromium through chromedriver: {e}"),
            }
        };
        Browser {
            client,
            driver,
            driver_url: format!("http://127.0.0.1:{port}"),
            _profile: profile,
        }
    }

    /// Waits for an element to appear (up to 20 s) and returns it.
    pub async fn wait(&self, css: &str) -> Element {
        self.wait_for(Locator::Css(css)).await
    }

    /// Waits until the page has fetched nothing new for a second (at most 20 s): pieces of the
    /// application the page loads after its first paint count too.
    pub async fn until_quiet(&self) {
        let (start, mut seen, mut since) = (Instant::now(), 0, Instant::now());
        while since.elapsed() < Duration::from_secs(1) && start.elapsed() < Duration::from_secs(20)
        {
            let count = self
                .client
                .execute(
                    "return performance.getEntriesByType('resource').length",
                    vec![],
                )
                .await
                .expect("resource timing");
            if count.as_u64() != Some(seen) {
                seen = count.as_u64().unwrap_or_default();
                since = Instant::now();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits for an element matching `locator`.
    pub async fn wait_for(&self, locator: Locator<'_>) -> Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(locator)
            .await
            .unwrap_or_else(|e| panic!("waiting for {locator:?}: {e}"))
    }

    /// Waits for an element whose text is exactly `text`, under the element matched by `css`.
    pub async fn wait_for_text(&self, css_scope: &str, text: &str) -> Element {
        let xpath = format!(
            "//*[@id='{}']//*[normalize-space(.)={}] | //*[@id='{}'][normalize-space(.)={}]",
            css_scope.trim_start_matches('#'),
            xpath_literal(text),
            css_scope.trim_start_matches('#'),
            xpath_literal(text)
        );
        self.wait_for(Locator::XPath(&xpath)).await
    }

    /// A DOM property (`value`, `lang`, …) of the first element matching `css`.
    pub async fn property(&self, css: &str, name: &str) -> serde_json::Value {
        self.client
            .execute(
                "return document.querySelector(arguments[0])[arguments[1]]",
                vec![json!(css), json!(name)],
            )
            .await
            .expect("a property")
    }

    /// Whether an element matches `css` now (without waiting).
    pub async fn has(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_ok()
    }

    /// Waits for the element with id `id` to contain `text` somewhere in its text.
    pub async fn wait_containing(&self, id: &str, text: &str) -> Element {
        let xpath = format!(
            "//*[@id='{}'][contains(normalize-space(.), {})]",
            id.trim_start_matches('#'),
            xpath_literal(text)
        );
        self.wait_for(Locator::XPath(&xpath)).await
    }

    /// Types `text` into the field matched by `css`, replacing what it held.
    pub async fn fill(&self, css: &str, text: &str) {
        self.on_element(css, |field| async move {
            field.clear().await?;
            field.send_keys(text).await
        })
        .await
        .expect("type");
    }

    /// Clicks the element matched by `css`.
    pub async fn click(&self, css: &str) {
        self.on_element(
            css,
            |element| async move { element.click().await.map(drop) },
        )
        .await
        .expect("click");
    }

    /// The text of the element matched by `css`.
    pub async fn text(&self, css: &str) -> String {
        self.on_element(css, |element| async move { element.text().await })
            .await
            .expect("text")
    }

    /// Does `act` on the element matched by `css`. A page that draws the element again between
    /// finding and acting on it (a resource or a live update arriving) leaves a stale reference:
    /// the element is found again.
    async fn on_element<T, F, Fut>(&self, css: &str, act: F) -> Result<T, CmdError>
    where
        F: Fn(Element) -> Fut,
        Fut: std::future::Future<Output = Result<T, CmdError>>,
    {
        for _ in 0..3 {
            match act(self.wait(css).await).await {
                Err(CmdError::Standard(e)) if e.error == ErrorStatus::StaleElementReference => {}
                outcome => return outcome,
            }
        }
        panic!("{css} was drawn again at every attempt to use it");
    }

    /// The errors the page wrote to its console (an uncaught exception, a trap of the
    /// WebAssembly, a failed request) since the last call.
    pub async fn console_errors(&self) -> Vec<String> {
        let log = self
            .client
            // The browser's console log, emptied as it is read.
            .issue_cmd(Chromedriver {
                path: "se/log",
                body: json!({ "type": "browser" }),
            })
            .await
            .expect("the browser's console log");
        log.as_array()
            .into_iter()
            .flatten()
            .filter(|entry| entry["level"] == "SEVERE")
            .map(|entry| entry["message"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// Sends `method` with `params` to the browser through the DevTools protocol (chromedriver's
    /// `goog/cdp/execute`): network conditions, cache, scripts run before a page's own.
    pub async fn devtools(&self, method: &str, params: serde_json::Value) -> serde_json::Value {
        self.client
            .issue_cmd(Chromedriver {
                path: "goog/cdp/execute",
                body: json!({ "cmd": method, "params": params }),
            })
            .await
            .unwrap_or_else(|e| panic!("DevTools {method}: {e}"))
    }

    /// Gives the browser a virtual authenticator (WebDriver's WebAuthn extension, `POST
    /// /session/{id}/webauthn/authenticator`): a platform authenticator that keeps passkeys
    /// and verifies its user without asking, as a phone's screen lock would say yes.
    pub async fn add_virtual_authenticator(&self) -> serde_json::Value {
        self.client
            .issue_cmd(Chromedriver {
                path: "webauthn/authenticator",
                body: json!({
                    "protocol": "ctap2",
                    "transport": "internal",
                    "hasResidentKey": true,
                    "hasUserVerification": true,
                    "isUserConsenting": true,
                    "isUserVerified": true,
                }),
            })
            .await
            .expect("a virtual authenticator")
    }

    /// The passkeys the virtual authenticator `id` (as [`Browser::add_virtual_authenticator`]
    /// answered it) holds: `GET /session/{id}/webauthn/authenticator/{id}/credentials`.
    pub async fn virtual_credentials(&self, id: &serde_json::Value) -> serde_json::Value {
        let session = self
            .client
            .session_id()
            .await
            .expect("session")
            .expect("an id");
        let url = format!(
            "{}/session/{session}/webauthn/authenticator/{}/credentials",
            self.driver_url,
            id.as_str().expect("an authenticator id")
        );
        let answer: serde_json::Value = reqwest::get(&url)
            .await
            .expect("chromedriver answers")
            .json()
            .await
            .expect("JSON");
        answer["value"].clone()
    }

    /// Ends the browser session and the driver.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}

/// A command of chromedriver's own: `POST /session/{id}/{path}` with `body`.
#[derive(Debug)]
struct Chromedriver {
    path: &'static str,
    body: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Chromedriver {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/{}",
            session_id.unwrap_or_default(),
            self.path
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.to_string()))
    }
}

/// `text` as an XPath string literal.
fn xpath_literal(text: &str) -> String {
    if !text.contains('\'') {
        format!("'{text}'")
    } else {
        let parts: Vec<String> = text.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}
