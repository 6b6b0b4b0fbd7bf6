//! Test support shared by the API and end-to-end tests.
//!
//! `spawn_app()`: the real server on `127.0.0.1:0` over its own fresh database (a SQLite file in
//! a temporary directory, or a new PostgreSQL database), with the demo consultation loaded; and
//! `TestApp`, one method per endpoint.

pub mod api;
pub mod authenticator;
pub mod browser;
pub mod smtp;

use backend::state::AppState;
pub use backend::state::Settings;
use backend::store::Store;
use rand::Rng;
use reqwest::{Method, Response};
use serde_json::{Value, json};

/// Which database a test runs against.
#[derive(Debug, Clone, Copy)]
pub enum Db {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub address: String,
    /// The app's own database, for arranging states the API cannot reach (such as old sessions).
    pub database_url: String,
    pub client: reqwest::Client,
    /// The store of the server process this browser talks to, for what only it can tell (how
    /// often it read a tally).
    pub store: Store,
    _dir: std::sync::Arc<tempfile::TempDir>,
}

/// The demo clause most tests use, in the round that is voting.
pub const CLAUSE: &str = "/api/v1/consultations/paris-call/rounds/2019/clauses/protect-individuals";
/// Another demo clause of the voting round.
pub const OTHER_CLAUSE: &str =
    "/api/v1/consultations/paris-call/rounds/2019/clauses/protect-internet";
/// The same clause in the closed 2018 round.
pub const CLOSED_CLAUSE: &str =
    "/api/v1/consultations/paris-call/rounds/2018/clauses/protect-individuals";

async fn database_url(db: Db, dir: &tempfile::TempDir) -> String {
    match db {
        Db::Sqlite => format!("sqlite://{}", dir.path().join("concord.db").display()),
        Db::Postgres => fresh_postgres_database().await,
    }
}

/// The URL of a new, empty database on the PostgreSQL server named by
/// `CONCORD_TEST_POSTGRES_URL`.
pub async fn fresh_postgres_database() -> String {
    let admin = std::env::var("CONCORD_TEST_POSTGRES_URL").expect(
        "CONCORD_TEST_POSTGRES_URL must name a PostgreSQL server the tests may create \
         databases on; scripts/test starts one and sets it",
    );
    let name = format!("concord_test_{:016x}", rand::rng().random::<u64>());
    let pool = sqlx::PgPool::connect(&admin)
        .await
        .expect("connect to PostgreSQL");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&pool)
        .await
        .expect("create a test database");
    pool.close().await;
    let (server, _) = admin
        .rsplit_once('/')
        .expect("URL ends with a database name");
    format!("{server}/{name}")
}

/// Starts Concord exactly as `concord serve` does, with `settings`.
pub async fn spawn_app_with(db: Db, settings: Settings) -> TestApp {
    spawn(db, settings, true).await
}

/// Starts Concord over SQLite with the demo, serving the built front end
/// ([`browser::assets_dir`]), as the browser tests need it.
pub async fn spawn_app_with_front_end() -> TestApp {
    let settings = Settings {
        assets: Some(browser::assets_dir()),
        ..Settings::default()
    };
    spawn_app_with(Db::Sqlite, settings).await
}

/// [`spawn_app_with_front_end`], sending mail through `smtp`.
pub async fn spawn_app_with_front_end_mailing(smtp: &smtp::SmtpServer) -> TestApp {
    let settings = Settings {
        assets: Some(browser::assets_dir()),
        mailer: Some(mailer(smtp)),
        ..Settings::default()
    };
    spawn_app_with(Db::Sqlite, settings).await
}

/// Starts Concord over an empty SQLite database (a fresh install), serving the built front end.
pub async fn spawn_empty_app_with_front_end() -> TestApp {
    let settings = Settings {
        assets: Some(browser::assets_dir()),
        ..Settings::default()
    };
    spawn(Db::Sqlite, settings, false).await
}

/// Starts another Concord instance, over a database with nothing in it.
pub async fn spawn_empty_app(db: Db) -> TestApp {
    spawn(db, Settings::default(), false).await
}

async fn spawn(db: Db, settings: Settings, demo: bool) -> TestApp {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = database_url(db, &dir).await;
    let store = Store::connect(&url).await.expect("connect");
    store.migrate().await.expect("migrate");
    if demo {
        backend::ops::demo::load(&store)
            .await
            .expect("load the demo");
    }
    let address = start_server(store.clone(), settings).await;
    TestApp {
        address,
        database_url: url,
        client: browser_like_client(),
        store,
        _dir: std::sync::Arc::new(dir),
    }
}

/// The server secret of every test instance, under which TOTP secrets are sealed.
pub const SERVER_SECRET: &str = "the test instances' server secret, 32+ characters";

/// The record-signing key of every test instance, as if each read the same key file.
pub fn record_signer() -> backend::secrets::Signer {
    use backend::secrets::Signer;
    static KEPT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let kept = KEPT.get_or_init(|| Signer::generate().expect("a key").0);
    Signer::from_kept(kept).expect("the key")
}

/// Serves Concord over `store` on a free port of 127.0.0.1, as `concord serve` does; its address.
async fn start_server(store: Store, settings: Settings) -> String {
    start_signing(store, settings, record_signer()).await
}

/// [`start_server`] with the record key `signer`.
async fn start_signing(
    store: Store,
    settings: Settings,
    signer: backend::secrets::Signer,
) -> String {
    backend::record::command::sign_with(&store, signer)
        .await
        .expect("sign with the test key");
    store.use_server_secret(
        backend::secrets::SecretBox::new(SERVER_SECRET).expect("the test server secret"),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let bound = listener.local_addr().expect("address");
    let address = format!("http://{bound}");
    let mut settings = settings;
    if settings.passkeys.is_none() {
        // As `concord serve` does without --public-url, also over HTTPS (on localhost).
        let scheme = if settings.https { "https" } else { "http" };
        let public = format!("{scheme}://localhost:{}", bound.port());
        let rp =
            backend::passkeys::RelyingParty::configure(Some(&public), settings.https, bound.port())
                .expect("passkeys for the test instance");
        settings.passkeys = Some(std::sync::Arc::new(rp));
    }
    let app = backend::app(AppState::new(store, settings));
    tokio::spawn(backend::serve(listener, app, std::future::pending()));
    address
}

/// An HTTP client that keeps cookies, as a browser does.
fn browser_like_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client")
}

/// The mailer of a test instance sending through `smtp`.
fn mailer(smtp: &smtp::SmtpServer) -> std::sync::Arc<backend::mail::Mailer> {
    let mailer = backend::mail::Mailer::configure(&smtp.url(), None, false, "localhost")
        .expect("a mailer for the test SMTP server");
    std::sync::Arc::new(mailer)
}

/// Starts Concord over a fresh database with the demo loaded, sending mail through `smtp`.
pub async fn spawn_app_mailing(db: Db, smtp: &smtp::SmtpServer) -> TestApp {
    let settings = Settings {
        mailer: Some(mailer(smtp)),
        ..Settings::default()
    };
    spawn_app_with(db, settings).await
}

/// Starts Concord over a fresh database with the demo loaded.
pub async fn spawn_app(db: Db) -> TestApp {
    spawn_app_with(db, Settings::default()).await
}

impl TestApp {
    /// Makes `handle` an administrator, as `concord admin grant` does.
    pub async fn make_admin(&self, handle: &str) {
        let sql = format!("UPDATE accounts SET role = 'admin' WHERE handle = '{handle}'");
        self.execute(&sql, &[]).await;
        self.until_the_server_notices().await;
    }

    /// A fresh browser in which `handle` (password "a long passphrase") signs in and turns on
    /// two-factor sign-in, as administrators and conveners must.
    pub async fn with_two_factor(&self, handle: &str) -> TestApp {
        let client = self.another_browser();
        client.sign_in(handle, "a long passphrase").await;
        let (_, setup) = parts(
            client
                .begin_two_factor(json!({"password": "a long passphrase"}))
                .await,
        )
        .await;
        let secret = setup["secret_base32"].as_str().expect("secret").to_owned();
        let code = json!({ "code": totp_code(&secret, 0) });
        let confirmed = client.confirm_two_factor(code).await;
        assert_eq!(confirmed.status(), 200, "two-factor sign-in turned on");
        client
    }

    /// The origin a browser shows for this instance, to which its passkeys are bound:
    /// `http://localhost:PORT` (a relying party cannot be an IP address).
    pub fn passkey_origin(&self) -> String {
        self.address.replace("127.0.0.1", "localhost")
    }

    /// Adds a passkey named `name` from `authenticator` to the signed-in account (password "a
    /// long passphrase"); the response to the registration's second step.
    pub async fn add_passkey_from(
        &self,
        authenticator: &mut authenticator::Authenticator,
        name: &str,
    ) -> Response {
        let begun = self
            .begin_passkey_registration(json!({"password": "a long passphrase"}))
            .await;
        assert_eq!(begun.status(), 200, "registration begun");
        let (_, begun) = parts(begun).await;
        let credential = authenticator.register(&begun["options"]);
        self.add_passkey(json!({
            "ceremony": begun["ceremony"],
            "name": name,
            "credential": credential,
        }))
        .await
    }

    /// Signs in with a passkey of `authenticator` and no password; the response.
    pub async fn sign_in_with_passkey(
        &self,
        authenticator: &mut authenticator::Authenticator,
    ) -> Response {
        let (status, begun) = parts(self.begin_passkey_sign_in().await).await;
        assert_eq!(status, 200, "sign-in begun: {begun}");
        let credential = authenticator.sign_in(&begun["options"]);
        self.finish_passkey_sign_in(
            json!({"ceremony": begun["ceremony"], "credential": credential}),
        )
        .await
    }

    /// A fresh browser in which `handle` (password "a long passphrase") signs in and adds a
    /// passkey, its only second factor; and the authenticator holding it.
    pub async fn with_passkey(&self, handle: &str) -> (TestApp, authenticator::Authenticator) {
        let client = self.another_browser();
        client.sign_in(handle, "a long passphrase").await;
        let mut authenticator = authenticator::Authenticator::new(&self.passkey_origin());
        let added = client
            .add_passkey_from(&mut authenticator, "my phone")
            .await;
        assert_eq!(added.status(), 201, "passkey added");
        (client, authenticator)
    }

    /// A new administrator `handle` with two-factor sign-in, signed in on a fresh browser.
    pub async fn new_admin(&self, handle: &str) -> TestApp {
        let response = self
            .another_browser()
            .sign_up(handle, "a long passphrase")
            .await;
        assert_eq!(response.status(), 201);
        self.make_admin(handle).await;
        self.with_two_factor(handle).await
    }

    /// A new convener `handle` of consultation `slug`, named by `admin`, with two-factor
    /// sign-in, signed in on a fresh browser.
    pub async fn new_convener(&self, admin: &TestApp, slug: &str, handle: &str) -> TestApp {
        let response = self
            .another_browser()
            .sign_up(handle, "a long passphrase")
            .await;
        assert_eq!(response.status(), 201);
        let named = admin.add_convener(&slug, &handle).await;
        assert_eq!(named.status(), 204, "convener named");
        self.with_two_factor(handle).await
    }

    /// Adds an empty consultation `slug` (consultations are created by loading text, which
    /// has no API yet).
    pub async fn add_consultation(&self, slug: &str) {
        let sql = format!(
            "INSERT INTO consultations (slug, title, description, created_at_ms) \
             VALUES ('{slug}', 'Consultation {slug}', 'For tests.', 0)"
        );
        self.execute(&sql, &[]).await;
    }

    /// A browser of a server already running at `address` (another process) over
    /// `database_url`, which `store` opens.
    pub fn at(address: &str, database_url: &str, store: Store) -> TestApp {
        TestApp {
            address: address.to_owned(),
            database_url: database_url.to_owned(),
            client: browser_like_client(),
            store,
            _dir: std::sync::Arc::new(tempfile::tempdir().expect("temporary directory")),
        }
    }

    /// Another browser on the same server: its own cookies, nobody signed in.
    pub fn another_browser(&self) -> TestApp {
        TestApp {
            address: self.address.clone(),
            database_url: self.database_url.clone(),
            client: browser_like_client(),
            store: self.store.clone(),
            _dir: self._dir.clone(),
        }
    }

    /// The same browser, for a benchmark's loop (shares cookies and connections).
    pub fn clone_for_bench(&self) -> TestApp {
        self.on(self)
    }

    /// This browser (its cookies) talking to `other`'s server process.
    pub fn on(&self, other: &TestApp) -> TestApp {
        TestApp {
            address: other.address.clone(),
            database_url: self.database_url.clone(),
            client: self.client.clone(),
            store: other.store.clone(),
            _dir: self._dir.clone(),
        }
    }

    /// A second server process over the same database, as behind a load balancer.
    pub async fn sibling(&self) -> TestApp {
        self.restarted_with(record_signer()).await
    }

    /// Another server process over the same database, started with the record key `signer`
    /// (a new one retires the one before).
    pub async fn restarted_with(&self, signer: backend::secrets::Signer) -> TestApp {
        self.another_process(signer, None).await
    }

    /// A second server process over the same database, sending mail through `smtp` as this
    /// one does.
    pub async fn sibling_mailing(&self, smtp: &smtp::SmtpServer) -> TestApp {
        self.another_process(record_signer(), Some(mailer(smtp)))
            .await
    }

    async fn another_process(
        &self,
        signer: backend::secrets::Signer,
        mailer: Option<std::sync::Arc<backend::mail::Mailer>>,
    ) -> TestApp {
        let store = Store::connect(&self.database_url).await.expect("connect");
        // Behind one public address, as processes behind a load balancer are.
        let origin = self.passkey_origin();
        let port = origin
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("port");
        let rp = backend::passkeys::RelyingParty::configure(Some(&origin), false, port)
            .expect("passkeys for the sibling");
        let settings = Settings {
            passkeys: Some(std::sync::Arc::new(rp)),
            mailer,
            ..Settings::default()
        };
        let address = start_signing(store.clone(), settings, signer).await;
        TestApp {
            address,
            database_url: self.database_url.clone(),
            client: browser_like_client(),
            store,
            _dir: self._dir.clone(),
        }
    }

    /// Runs one SQL statement with integer parameters on the app's database.
    pub async fn execute(&self, sql: &str, params: &[i64]) {
        let pool = sqlx::AnyPool::connect(&self.database_url)
            .await
            .expect("connect");
        let mut query = sqlx::query(sql);
        for param in params {
            query = query.bind(*param);
        }
        query.execute(&pool).await.expect("execute");
        pool.close().await;
    }

    /// Waits until the server has let go of what it remembered, after [`TestApp::execute`]
    /// changed a session, an account, a consultation, a round or a clause behind its back.
    pub async fn until_the_server_notices(&self) {
        tokio::time::sleep(backend::store::cache::LIFETIME).await;
    }

    /// Waits (up to 5 s) until this browser's server process remembers what it reads: with
    /// PostgreSQL, once it hears the other processes.
    pub async fn until_remembering(&self) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while !self.store.remembering() {
            assert!(
                std::time::Instant::now() < deadline,
                "the process never listened"
            );
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }

    /// Waits (up to 5 s) until this browser's server process has heard of another process's
    /// write, `before` being [`Store::writes_heard`] before that write (PostgreSQL).
    pub async fn until_heard(&self, before: u64) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while self.store.writes_heard() <= before {
            assert!(
                std::time::Instant::now() < deadline,
                "the write was never heard of"
            );
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
    }

    /// The text column every row of `sql` answers, read from the app's database.
    pub async fn strings(&self, sql: &str) -> Vec<String> {
        let pool = sqlx::AnyPool::connect(&self.database_url)
            .await
            .expect("connect");
        let rows = sqlx::query_scalar(sql)
            .fetch_all(&pool)
            .await
            .expect("query");
        pool.close().await;
        rows
    }

    pub async fn request(&self, method: Method, path: &str, body: Option<Value>) -> Response {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.address));
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("request")
    }

    pub async fn get(&self, path: &str) -> Response {
        self.request(Method::GET, path, None).await
    }

    pub async fn sign_up(&self, handle: &str, password: &str) -> Response {
        let body = json!({ "handle": handle, "password": password });
        self.sign_up_with(body).await
    }

    pub async fn sign_in(&self, handle: &str, password: &str) -> Response {
        let body = json!({ "handle": handle, "password": password });
        self.sign_in_with(body).await
    }

    pub async fn sign_out(&self) -> Response {
        self.request(Method::DELETE, &api::path("/session"), None)
            .await
    }

    /// Signs up a fresh participant (and so signs in).
    pub async fn signed_in(&self) -> &Self {
        let response = self.sign_up("tester", "a long passphrase").await;
        assert_eq!(response.status(), 201);
        self
    }

    /// States the signed-in participant's stakeholder group in the demo consultation, as the
    /// position form does before a first position.
    pub async fn join(&self, group: &str) -> &Self {
        let body = json!({ "stakeholder_group": group });
        let response = self.join_consultation("paris-call", body).await;
        assert_eq!(response.status(), 200, "joined the consultation");
        self
    }

    /// Posts `body` as-is with `content_type` as a comment on `clause`.
    pub async fn post_comment_raw(
        &self,
        clause: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Response {
        self.raw(
            Method::POST,
            &format!("{clause}/comments"),
            content_type,
            body,
        )
        .await
    }

    /// Sends `body` as-is with `content_type` to `path`.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Response {
        self.client
            .request(method, format!("{}{path}", self.address))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("request")
    }
}

/// Whether `text` holds anything shaped like an email address (`user@domain.tld`).
pub fn looks_like_it_holds_an_email_address(text: &str) -> bool {
    text.split(|c: char| c.is_whitespace() || "\"'<>(),;".contains(c))
        .any(|word| {
            word.split_once('@')
                .is_some_and(|(user, domain)| !user.is_empty() && domain.contains('.'))
        })
}

/// The status and JSON body of a response.
pub async fn parts(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let body = response.json::<Value>().await.unwrap_or(Value::Null);
    (status, body)
}

/// The code an authenticator app shows for `secret_base32`, `steps_ahead` 30-second steps from now.
pub fn totp_code(secret_base32: &str, steps_ahead: u64) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret_base32).expect("base32 secret");
    let totp = totp_rs::Builder::new()
        .with_secret(secret)
        .build()
        .expect("TOTP");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_secs();
    totp.generate(now + steps_ahead * 30).to_string()
}

#[cfg(test)]
mod checks {
    use super::looks_like_it_holds_an_email_address as email_like;

    #[test]
    fn an_email_address_is_spotted_in_text_json_and_markup() {
        assert!(email_like("write to amina@example.org today"));
        assert!(email_like(r#"{"contact":"amina@example.org"}"#));
        assert!(email_like("<td>amina@example.org</td>"));
        assert!(!email_like("@amina said: meet at 10"));
        assert!(!email_like("amina@localhost"));
    }
}
