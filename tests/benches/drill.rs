//! Load drills: many readers and writers at once, every answer checked, every acknowledged write
//! looked for afterwards.
//!
//! - `load` (`scripts/drills/load`): 1,000 readers and 100 writers for 60 s against one instance
//!   on SQLite (server and clients in this process, on loopback);
//! - `balanced` (`scripts/drills/balanced`): the deadline hour on PostgreSQL. Debian's nginx,
//!   configured as the README recommends, balances three processes of the release binary;
//!   1,000 readers and 200 writers casting and changing positions (every tenth request a comment)
//!   for 60 s, with conveners watching the live tally through nginx. Baseline: nginx alone
//!   serving a static 1 KB file to the same readers, in the same run;
//! - `instance-lost` (`scripts/drills/instance-lost`): the same, with one instance killed (SIGKILL)
//!   20 s in and started again 15 s later.
//!
//! Each prints throughput and latencies per kind of request, and exits with status 1 when a check
//! fails: an error answer (beyond 1 % in the 10 s after a kill), an acknowledged position or comment
//! missing, counts that differ from a recount, a live watcher whose last tallies are not the
//! final ones, or a restarted instance that gets no traffic.

#[path = "support/cluster.rs"]
mod cluster;
#[path = "support/latency.rs"]
mod latency;

use latency::{Run, header};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tests::{Db, TestApp, spawn_app};

const ROUND: &str = "/api/v1/consultations/paris-call/rounds/2019";
const CLAUSES: [&str; 3] = [
    "protect-individuals",
    "protect-internet",
    "electoral-processes",
];
const STANCES: [&str; 4] = ["endorse", "abstain", "oppose", "endorse_with_reservation"];

#[tokio::main]
async fn main() {
    let which = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_else(|| "load".to_owned());
    let passed = match which.as_str() {
        "load" => load_on_sqlite().await,
        "balanced" => balanced(None).await,
        "instance-lost" => {
            let lost = Loss {
                instance: 1,
                at: Duration::from_secs(20),
                back_at: Duration::from_secs(35),
            };
            balanced(Some(lost)).await
        }
        other => panic!("no drill {other:?}: load, balanced or instance-lost"),
    };
    if !passed {
        std::process::exit(1);
    }
}

/// How long the load lasts: 60 s, or `CONCORD_DRILL_SECONDS` for a quick look.
fn length() -> Duration {
    let seconds = std::env::var("CONCORD_DRILL_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok());
    Duration::from_secs(seconds.unwrap_or(60))
}

/// One instance killed at `at` and started again at `back_at`.
#[derive(Clone, Copy)]
struct Loss {
    instance: usize,
    at: Duration,
    back_at: Duration,
}

/// What kind of request a sample was.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
enum Kind {
    Read,
    Cast,
    Comment,
}

/// One request: when it was sent (from the start), how long it took, whether it succeeded and
/// its status (0: no answer).
#[derive(Clone, Copy)]
struct Sample {
    kind: Kind,
    at: Duration,
    took: Duration,
    ok: bool,
    status: u16,
}

impl Sample {
    /// When the answer came (or the request failed), from the start.
    fn answered(&self) -> Duration {
        self.at + self.took
    }
}

/// The status of an answer read to its end (0 when there was none, or it broke off).
async fn status_of(response: reqwest::Result<reqwest::Response>) -> (u16, Option<Vec<u8>>) {
    match response {
        Ok(r) => {
            let status = r.status().as_u16();
            match r.bytes().await {
                Ok(body) => (status, Some(body.to_vec())),
                Err(_) => (0, None),
            }
        }
        Err(_) => (0, None),
    }
}

/// What the writers were told was durable, and what they tried after it.
#[derive(Default)]
struct Acknowledged {
    /// (writer, clause) → the last acknowledged stance, and the stances tried since whose
    /// answer was lost (any of them may be what the database holds).
    positions: HashMap<(String, String), (Option<String>, Vec<String>)>,
    comments: Vec<i64>,
}

/// The SQLite drill of the first sessions: one instance, 1,000 readers, 100 writers.
async fn load_on_sqlite() -> bool {
    let app = spawn_app(Db::Sqlite).await;
    let traffic = Traffic {
        readers: 1_000,
        writers: 100,
        watchers: 0,
        length: length(),
    };
    println!(
        "\nLoad drill: {} readers and {} writers for {:?}, one instance, SQLite",
        traffic.readers, traffic.writers, traffic.length
    );
    let outcome = traffic.run(&app, None, None).await;
    outcome.report(None);
    outcome.verify(&app).await
}

/// The deadline hour through nginx in front of three instances on PostgreSQL, optionally with
/// one instance lost.
async fn balanced(loss: Option<Loss>) -> bool {
    let mut cluster = cluster::Cluster::start(3).await;
    let nginx = Nginx::start(&cluster.addresses());
    let front = TestApp::at(&nginx.address, &cluster.database_url, cluster.store());
    let traffic = Traffic {
        readers: 1_000,
        writers: 200,
        watchers: 30,
        length: length(),
    };
    // Baseline: nginx alone, a static 1 KB file, the same readers.
    let static_run = reads_of(
        &front,
        traffic.readers,
        "/static.txt",
        Duration::from_secs(10),
    )
    .await;
    let served_before = match loss {
        Some(loss) => cluster.requests_served(loss.instance).await,
        None => 0,
    };
    println!(
        "\nDeadline-hour drill: {} readers, {} writers (1 request in 10 a comment), {} live \
         watchers, for {:?}; nginx round-robin over 3 instances, PostgreSQL{}",
        traffic.readers,
        traffic.writers,
        traffic.watchers,
        traffic.length,
        match loss {
            Some(l) => format!(
                "; instance {} killed (SIGKILL) at {:?}, started again at {:?}",
                l.instance, l.at, l.back_at
            ),
            None => String::new(),
        }
    );
    let outcome = traffic.run(&front, Some(&mut cluster), loss).await;
    print!("{:<34}", "nginx static 1 KB file (baseline)");
    static_run.line("");
    outcome.report(Some(&static_run));
    let mut passed = outcome.verify(&front).await;
    if let Some(loss) = loss {
        let served = cluster.requests_served(loss.instance).await;
        println!(
            "instance {} after its restart: {served} requests served (before the kill: {served_before})",
            loss.instance
        );
        if served == 0 {
            println!("FAILED: the restarted instance got no traffic");
            passed = false;
        }
    }
    drop(nginx);
    passed
}

/// `readers` clients reading `path` in a loop for `length`.
async fn reads_of(front: &TestApp, readers: usize, path: &str, length: Duration) -> Run {
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..readers {
        let (client, url) = (
            front.another_browser().client,
            format!("{}{path}", front.address),
        );
        tasks.spawn(async move {
            let mut took = Vec::new();
            while start.elapsed() < length {
                let sent = Instant::now();
                let ok = match client.get(&url).send().await {
                    Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                assert!(ok, "the static file failed");
                took.push(sent.elapsed());
            }
            took
        });
    }
    let mut latencies = Vec::new();
    while let Some(done) = tasks.join_next().await {
        latencies.extend(done.expect("reader"));
    }
    latencies.sort();
    Run {
        latencies,
        elapsed: start.elapsed(),
    }
}

struct Traffic {
    readers: usize,
    writers: usize,
    watchers: usize,
    length: Duration,
}

struct Outcome {
    samples: Vec<Sample>,
    length: Duration,
    loss: Option<Loss>,
    acknowledged: Acknowledged,
    /// Each watcher's last tally per clause, and how many times it reconnected.
    watched: Vec<(BTreeMap<String, Value>, usize)>,
}

impl Traffic {
    /// Signs the writers up, then runs readers, writers and watchers against `front` for
    /// `length`, killing and restarting an instance of `cluster` as `loss` says.
    async fn run(
        &self,
        front: &TestApp,
        cluster: Option<&mut cluster::Cluster>,
        loss: Option<Loss>,
    ) -> Outcome {
        let writers = self.sign_up_writers(front).await;
        let watcher = if self.watchers > 0 {
            Some(front.new_admin("drill-chair").await)
        } else {
            None
        };
        let start = Instant::now();
        let end = start + self.length;
        let samples = Arc::new(Mutex::new(Vec::new()));
        let acknowledged = Arc::new(Mutex::new(Acknowledged::default()));
        let mut tasks = tokio::task::JoinSet::new();
        for r in 0..self.readers {
            let (reader, samples) = (front.another_browser(), samples.clone());
            tasks.spawn(async move { read(reader, r, start, end, samples).await });
        }
        for (w, writer) in writers.into_iter().enumerate() {
            let (samples, acknowledged) = (samples.clone(), acknowledged.clone());
            tasks.spawn(async move { write(writer, w, start, end, samples, acknowledged).await });
        }
        let mut watching = tokio::task::JoinSet::new();
        if let Some(watcher) = &watcher {
            // The watchers stay a little longer, for the last events to arrive.
            let until = end + Duration::from_secs(3);
            for _ in 0..self.watchers {
                watching.spawn(watch(watcher.clone_for_bench(), until));
            }
        }
        if let (Some(cluster), Some(loss)) = (cluster, loss) {
            tokio::time::sleep_until((start + loss.at).into()).await;
            cluster.kill(loss.instance);
            tokio::time::sleep_until((start + loss.back_at).into()).await;
            cluster.start_instance(loss.instance).await;
        }
        while let Some(done) = tasks.join_next().await {
            done.expect("a client");
        }
        let mut watched = Vec::new();
        while let Some(done) = watching.join_next().await {
            watched.push(done.expect("a watcher"));
        }
        let samples = std::mem::take(&mut *samples.lock().expect("samples"));
        let acknowledged = std::mem::take(&mut *acknowledged.lock().expect("acknowledged"));
        Outcome {
            samples,
            length: self.length,
            loss,
            acknowledged,
            watched,
        }
    }

    /// The writers, signed up and in a stakeholder group, 16 at a time.
    async fn sign_up_writers(&self, front: &TestApp) -> Vec<TestApp> {
        let gate = Arc::new(tokio::sync::Semaphore::new(16));
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..self.writers {
            let (writer, gate) = (front.another_browser(), gate.clone());
            tasks.spawn(async move {
                let _turn = gate.acquire().await.expect("gate");
                let signed = writer
                    .sign_up(&format!("writer-{i}"), "a long passphrase")
                    .await;
                assert_eq!(signed.status(), 201, "writer-{i} signed up");
                writer.join("civil_society").await;
                (i, writer)
            });
        }
        let mut writers = Vec::new();
        while let Some(done) = tasks.join_next().await {
            writers.push(done.expect("a sign-up"));
        }
        // writer-0 first: each task writes as the handle of its index.
        writers.sort_by_key(|(i, _)| *i);
        writers.into_iter().map(|(_, writer)| writer).collect()
    }
}

fn record(samples: &Mutex<Vec<Sample>>, kind: Kind, start: Instant, sent: Instant, status: u16) {
    let sample = Sample {
        kind,
        at: sent - start,
        took: sent.elapsed(),
        ok: (200..300).contains(&status),
        status,
    };
    samples.lock().expect("samples").push(sample);
}

/// A reader: the clauses, their discussions and the round, in turn.
async fn read(
    reader: TestApp,
    r: usize,
    start: Instant,
    end: Instant,
    samples: Arc<Mutex<Vec<Sample>>>,
) {
    let mut i = r;
    while Instant::now() < end {
        let clause = format!("{ROUND}/clauses/{}", CLAUSES[i % CLAUSES.len()]);
        let path = match i % 3 {
            0 => clause,
            1 => format!("{clause}/comments"),
            _ => ROUND.to_owned(),
        };
        let sent = Instant::now();
        let url = format!("{}{path}", reader.address);
        let (status, _) = status_of(reader.client.get(url).send().await).await;
        record(&samples, Kind::Read, start, sent, status);
        if status != 200 {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        i += 1;
    }
}

/// A writer: positions cast and changed, every tenth request a comment; what was acknowledged
/// is kept.
async fn write(
    writer: TestApp,
    w: usize,
    start: Instant,
    end: Instant,
    samples: Arc<Mutex<Vec<Sample>>>,
    acknowledged: Arc<Mutex<Acknowledged>>,
) {
    let handle = format!("writer-{w}");
    let mut i = w;
    while Instant::now() < end {
        let key = CLAUSES[i % CLAUSES.len()];
        let clause = format!("{ROUND}/clauses/{key}");
        let sent = Instant::now();
        if i.is_multiple_of(10) {
            let body = json!({"body": format!("Drill comment {i} by {handle}.")});
            let url = format!("{}{clause}/comments", writer.address);
            let (status, answer) =
                status_of(writer.client.post(url).json(&body).send().await).await;
            let id = answer
                .filter(|_| status == 201)
                .and_then(|body| serde_json::from_slice::<Value>(&body).ok()?["id"].as_i64());
            record(
                &samples,
                Kind::Comment,
                start,
                sent,
                if id.is_some() || status != 201 {
                    status
                } else {
                    0
                },
            );
            if let Some(id) = id {
                acknowledged.lock().expect("acknowledged").comments.push(id);
            }
        } else {
            let stance = STANCES[(i / CLAUSES.len() + w) % STANCES.len()];
            let body = match stance {
                "oppose" | "endorse_with_reservation" => {
                    json!({"stance": stance, "reason": "Drill."})
                }
                _ => json!({"stance": stance}),
            };
            let url = format!("{}{clause}/position", writer.address);
            let (status, _) = status_of(writer.client.put(url).json(&body).send().await).await;
            let ok = status == 200;
            record(&samples, Kind::Cast, start, sent, status);
            let mut acknowledged = acknowledged.lock().expect("acknowledged");
            let entry = acknowledged
                .positions
                .entry((handle.clone(), key.to_owned()))
                .or_default();
            if ok {
                *entry = (Some(stance.to_owned()), Vec::new());
            } else {
                entry.1.push(stance.to_owned());
            }
        }
        i += 1;
    }
}

/// A convener's live tally through the front, reconnecting (after 1 s, as a browser's
/// `EventSource` does after 3) whenever the stream ends, until `until`; the last tally of each
/// clause and the number of reconnections.
async fn watch(convener: TestApp, until: Instant) -> (BTreeMap<String, Value>, usize) {
    let url = format!("{}{ROUND}/live", convener.address);
    let mut last = BTreeMap::new();
    let mut reconnections = 0;
    let mut first = true;
    while Instant::now() < until {
        if !first {
            reconnections += 1;
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        first = false;
        let Ok(mut stream) = convener.client.get(&url).send().await else {
            continue;
        };
        if !stream.status().is_success() {
            continue;
        }
        let mut text = String::new();
        loop {
            let left = until.saturating_duration_since(Instant::now());
            let chunk = match tokio::time::timeout(left, stream.chunk()).await {
                Ok(Ok(Some(chunk))) => chunk,
                Err(_) => return (last, reconnections),
                // The stream ended or broke: reconnect.
                Ok(_) => break,
            };
            text.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = text.find("\n\n") {
                let event: String = text.drain(..end + 2).collect();
                for data in event.lines().filter_map(|l| l.strip_prefix("data:")) {
                    if let Ok(tally) = serde_json::from_str::<Value>(data.trim())
                        && let Some(clause) = tally["clause"].as_str()
                    {
                        last.insert(clause.to_owned(), tally["tally"].clone());
                    }
                }
            }
        }
    }
    (last, reconnections)
}

impl Outcome {
    fn report(&self, baseline: Option<&Run>) {
        header();
        let kinds = [
            (Kind::Read, "reads (clause, comments, round)"),
            (Kind::Cast, "casts (PUT …/position)"),
            (Kind::Comment, "comments (POST …/comments)"),
        ];
        for (kind, name) in kinds {
            let mut latencies: Vec<Duration> = self
                .samples
                .iter()
                .filter(|s| s.kind == kind)
                .map(|s| s.took)
                .collect();
            latencies.sort();
            let run = Run {
                latencies,
                elapsed: self.length,
            };
            run.line(name);
            if let (Kind::Read, Some(baseline)) = (kind, baseline) {
                println!(
                    "{:<34} reads / nginx static: throughput {:.3}×, p50 {:.1}×",
                    "",
                    run.per_second() / baseline.per_second(),
                    run.percentile(0.5) / baseline.percentile(0.5)
                );
            }
        }
        let errors = self.samples.iter().filter(|s| !s.ok).count();
        println!("requests: {}, errors: {errors}", self.samples.len());
        // What failed, and when (seconds from the start).
        let mut failures: BTreeMap<(Kind, u16), Vec<u64>> = BTreeMap::new();
        for s in self.samples.iter().filter(|s| !s.ok) {
            failures
                .entry((s.kind, s.status))
                .or_default()
                .push(s.at.as_secs());
        }
        for ((kind, status), at) in failures {
            let (first, last) = (at.iter().min(), at.iter().max());
            println!(
                "  {} × {kind:?} answered {status} (0: no answer), sent between {first:?} and {last:?} s",
                at.len()
            );
        }
        if let Some(loss) = self.loss {
            let window = loss.at..loss.at + Duration::from_secs(10);
            let (sent, failed) = self
                .samples
                .iter()
                .filter(|s| window.contains(&s.answered()))
                .fold((0, 0), |(n, f), s| (n + 1, f + usize::from(!s.ok)));
            let outside = errors - failed;
            println!(
                "answered in the 10 s after the kill: {failed} errors of {sent} requests ({:.3} %); at other times: {outside}",
                100.0 * failed as f64 / sent.max(1) as f64
            );
        }
        if !self.watched.is_empty() {
            let reconnected = self.watched.iter().filter(|(_, n)| *n > 0).count();
            println!(
                "live watchers: {}, of which {reconnected} reconnected ({} reconnections)",
                self.watched.len(),
                self.watched.iter().map(|(_, n)| n).sum::<usize>()
            );
        }
    }

    /// Every check of the drill, each failure printed; whether all passed.
    async fn verify(&self, app: &TestApp) -> bool {
        let mut passed = true;
        let mut fail = |what: String| {
            println!("FAILED: {what}");
            passed = false;
        };
        let errors = self.samples.iter().filter(|s| !s.ok).count();
        match self.loss {
            None if errors > 0 => fail(format!("{errors} error answers")),
            None => {}
            Some(loss) => {
                let window = loss.at..loss.at + Duration::from_secs(10);
                let in_window: Vec<&Sample> = self
                    .samples
                    .iter()
                    .filter(|s| window.contains(&s.answered()))
                    .collect();
                let failed = in_window.iter().filter(|s| !s.ok).count();
                if failed * 100 > in_window.len() {
                    fail(format!(
                        "{failed} errors of {} after the kill (> 1 %)",
                        in_window.len()
                    ));
                }
                if errors > failed {
                    fail(format!(
                        "{} errors outside the 10 s after the kill",
                        errors - failed
                    ));
                }
            }
        }
        // Every acknowledged position is there (or one tried after it whose answer was lost).
        let held: HashMap<(String, String), String> = app
            .strings(
                "SELECT a.handle || ' ' || k.key || ' ' || p.stance FROM positions p \
                 JOIN accounts a ON a.id = p.account_id JOIN clauses k ON k.id = p.clause_id \
                 JOIN rounds r ON r.id = k.round_id \
                 WHERE r.slug = '2019' AND a.handle LIKE 'writer-%'",
            )
            .await
            .into_iter()
            .filter_map(|row| {
                let mut parts = row.split(' ').map(str::to_owned);
                Some(((parts.next()?, parts.next()?), parts.next()?))
            })
            .collect();
        let lost: Vec<String> = self
            .acknowledged
            .positions
            .iter()
            .filter_map(|(key, (acked, tried))| {
                let (acked, now) = (acked.as_ref()?, held.get(key));
                (now != Some(acked) && !now.is_some_and(|n| tried.contains(n)))
                    .then(|| format!("{key:?}: acknowledged {acked}, holds {now:?}"))
            })
            .collect();
        if !lost.is_empty() {
            fail(format!(
                "{} acknowledged positions missing, such as {:?}",
                lost.len(),
                &lost[..lost.len().min(3)]
            ));
        }
        let comments: HashSet<String> = app
            .strings("SELECT CAST(id AS TEXT) FROM comments")
            .await
            .into_iter()
            .collect();
        let missing = self
            .acknowledged
            .comments
            .iter()
            .filter(|id| !comments.contains(&id.to_string()))
            .count();
        if missing > 0 {
            fail(format!("{missing} acknowledged comments missing"));
        }
        // The kept counts are a recount of the positions, and what every watcher saw last.
        let counted = |sql: &str| {
            let sql = format!(
                "SELECT k.key || ' ' || c.stance || ' ' || CAST(SUM(c.n) AS TEXT) FROM ({sql}) c \
                 JOIN clauses k ON k.id = c.clause_id JOIN rounds r ON r.id = k.round_id \
                 WHERE r.slug = '2019' GROUP BY k.key, c.stance HAVING SUM(c.n) <> 0"
            );
            async move {
                let mut rows = app.strings(&sql).await;
                rows.sort();
                rows
            }
        };
        let kept = counted("SELECT clause_id, stance, n FROM tally_counts").await;
        let recount = counted("SELECT clause_id, stance, 1 AS n FROM positions").await;
        if kept != recount {
            fail(format!(
                "kept counts {kept:?} differ from a recount {recount:?}"
            ));
        }
        let mut unseen = 0;
        let mut example = None;
        for (last, _) in &self.watched {
            let seen: Vec<String> = last
                .iter()
                .flat_map(|(clause, tally)| {
                    STANCES.iter().filter_map(move |stance| {
                        let n = tally[*stance].as_i64().unwrap_or(0);
                        (n != 0).then(|| format!("{clause} {stance} {n}"))
                    })
                })
                .collect();
            let mut seen = seen;
            seen.sort();
            if seen != recount {
                unseen += 1;
                example.get_or_insert(seen);
            }
        }
        if unseen > 0 {
            fail(format!(
                "{unseen} of {} live watchers ended with other tallies than the final ones \
                 ({example:?} against {recount:?})",
                self.watched.len()
            ));
        }
        if passed {
            println!("every check passed");
        }
        passed
    }
}

/// Debian's nginx in front of the instances, configured as the README recommends, on a free
/// port of loopback, with a static 1 KB file beside them; stopped when dropped.
struct Nginx {
    address: String,
    child: std::process::Child,
    _dir: tempfile::TempDir,
}

impl Nginx {
    fn start(upstreams: &[String]) -> Nginx {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temporary directory");
        // nginx's workers run as an unprivileged user: they must read the static file.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
            .expect("permissions");
        std::fs::write(dir.path().join("static.txt"), "x".repeat(1024)).expect("static file");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let servers: String = upstreams
            .iter()
            .map(|u| {
                format!(
                    "        server {} max_fails=1 fail_timeout=5s;\n",
                    u.trim_start_matches("http://")
                )
            })
            .collect();
        let recommended = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../docs/nginx-locations.conf"
        ))
        .expect("docs/nginx-locations.conf");
        let d = dir.path().display();
        let config = format!(
            "worker_processes auto;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
             worker_rlimit_nofile 65536;\n\
             events {{ worker_connections 16384; }}\n\
             http {{\n    access_log off;\n\
                 client_body_temp_path {d}/body;\n    proxy_temp_path {d}/proxy;\n\
                 fastcgi_temp_path {d}/fastcgi;\n    uwsgi_temp_path {d}/uwsgi;\n\
                 scgi_temp_path {d}/scgi;\n\
                 upstream concord {{\n{servers}        keepalive 64;\n    }}\n\
                 server {{\n        listen 127.0.0.1:{port};\n\
                     location = /static.txt {{ root {d}; }}\n\
             {recommended}\n    }}\n}}\n"
        );
        let conf = dir.path().join("nginx.conf");
        std::fs::write(&conf, config).expect("nginx.conf");
        let child = std::process::Command::new("/usr/sbin/nginx")
            .arg("-c")
            .arg(&conf)
            .args(["-g", "daemon off;"])
            .spawn()
            .expect("Debian's nginx (apt-get install nginx)");
        let address = format!("127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(&address).is_err() {
            assert!(Instant::now() < deadline, "nginx did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Nginx {
            address: format!("http://{address}"),
            child,
            _dir: dir,
        }
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
