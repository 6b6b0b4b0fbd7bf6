//! Concord as it is deployed to grow: several `concord serve` processes of the release binary
//! on one PostgreSQL database (a fresh one on the server of `scripts/postgres`), with the demo.
//! Shared by the benchmarks and the drills that measure such a deployment.

// Each of them uses a part.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tests::TestApp;

/// Running instances of Concord over one database; each is killed when this is dropped.
pub struct Cluster {
    pub database_url: String,
    store: backend::store::Store,
    binary: PathBuf,
    dir: tempfile::TempDir,
    instances: Vec<Instance>,
}

struct Instance {
    port: u16,
    metrics_port: u16,
    child: Option<Child>,
}

/// The release binary `scripts/bench/review` and the drills build first.
fn binary() -> PathBuf {
    std::env::var_os("CONCORD_BINARY").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/release/concord"),
        PathBuf::from,
    )
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl Cluster {
    /// A fresh PostgreSQL database with the demo, served by `count` instances.
    pub async fn start(count: usize) -> Cluster {
        let database_url = tests::fresh_postgres_database().await;
        let dir = tempfile::tempdir().expect("temporary directory");
        let binary = binary();
        let key = dir.path().join("record.key");
        let run = |args: &[&str]| {
            let status = Command::new(&binary)
                .args(args)
                .envs(Self::secrets())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .expect("the release binary (cargo build --release -p backend)");
            assert!(status.success(), "concord {args:?}");
        };
        run(&["demo", "--database-url", &database_url]);
        run(&["keygen", "--record-key", key.to_str().expect("UTF-8 path")]);
        let store = backend::store::Store::connect(&database_url)
            .await
            .expect("connect");
        let mut cluster = Cluster {
            store,
            database_url,
            binary,
            dir,
            instances: Vec::new(),
        };
        for _ in 0..count {
            cluster.instances.push(Instance {
                port: free_port(),
                metrics_port: free_port(),
                child: None,
            });
        }
        for i in 0..count {
            cluster.start_instance(i).await;
        }
        cluster
    }

    fn secrets() -> [(&'static str, &'static str); 2] {
        [
            (
                "CONCORD_RECORD_KEY_PASSWORD",
                "a benchmark's record key passphrase",
            ),
            (
                "CONCORD_SERVER_SECRET",
                "a benchmark's server secret, 32 characters or more",
            ),
        ]
    }

    /// Starts instance `i` (again) and waits until it is ready.
    pub async fn start_instance(&mut self, i: usize) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join(format!("instance-{i}.log")))
            .expect("log file");
        let instance = &mut self.instances[i];
        let child = Command::new(&self.binary)
            .args(["serve", "--database-url", &self.database_url, "--bind"])
            .arg(format!("127.0.0.1:{}", instance.port))
            .arg("--metrics-bind")
            .arg(format!("127.0.0.1:{}", instance.metrics_port))
            .args(["--sign-ups-per-minute", "0", "--record-key"])
            .arg(self.dir.path().join("record.key"))
            .envs(Self::secrets())
            .stdout(log.try_clone().expect("log file"))
            .stderr(log)
            .spawn()
            .expect("concord serve");
        instance.child = Some(child);
        let ready = format!("{}/readyz", self.address(i));
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(r) = client.get(&ready).send().await
                && r.status().is_success()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("instance {i} did not become ready");
    }

    /// Kills instance `i` with SIGKILL, as a crash would.
    pub fn kill(&mut self, i: usize) {
        if let Some(mut child) = self.instances[i].child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The address of instance `i`.
    pub fn address(&self, i: usize) -> String {
        format!("http://127.0.0.1:{}", self.instances[i].port)
    }

    /// The addresses of every instance.
    pub fn addresses(&self) -> Vec<String> {
        (0..self.instances.len()).map(|i| self.address(i)).collect()
    }

    /// How many requests instance `i` has answered since it started, from its metrics.
    pub async fn requests_served(&self, i: usize) -> u64 {
        let metrics = format!(
            "http://127.0.0.1:{}/metrics",
            self.instances[i].metrics_port
        );
        let Ok(response) = reqwest::get(&metrics).await else {
            return 0;
        };
        let text = response.text().await.unwrap_or_default();
        text.lines()
            .filter(|l| l.starts_with("concord_http_requests_total"))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum::<f64>() as u64
    }

    /// A store over the cluster's database, for what a test reads there.
    pub fn store(&self) -> backend::store::Store {
        self.store.clone()
    }

    /// A browser of instance `i`: its own cookies, nobody signed in.
    pub fn browser(&self, i: usize) -> TestApp {
        TestApp::at(&self.address(i), &self.database_url, self.store.clone())
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for i in 0..self.instances.len() {
            self.kill(i);
        }
    }
}
