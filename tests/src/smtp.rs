//! A real SMTP server for the e-mail tests: Debian's `aiosmtpd` (installed by
//! `scripts/setup --test`) running `tests/fixtures/smtp_sink.py`, which writes each message it
//! accepts to a folder. It can be stopped and started again on the same port, and told to
//! refuse messages for a while, as a server that is down or busy would.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One message as the SMTP server received it.
#[derive(Debug, Clone)]
pub struct Received {
    /// The envelope's recipients.
    pub recipients: Vec<String>,
    /// The message as it arrived, headers and all.
    pub raw: Vec<u8>,
}

impl Received {
    /// The value of header `name` (decoded), if the message has it.
    pub fn header(&self, name: &str) -> Option<String> {
        let message = mail_parser::MessageParser::default().parse(&self.raw)?;
        message
            .header_raw(name)
            .map(|v| v.trim().to_owned())
            .or_else(|| {
                message
                    .header(name)
                    .and_then(|h| h.as_text().map(str::to_owned))
            })
    }

    /// The subject, decoded.
    pub fn subject(&self) -> String {
        mail_parser::MessageParser::default()
            .parse(&self.raw)
            .and_then(|m| m.subject().map(str::to_owned))
            .unwrap_or_default()
    }

    /// The text of the message, decoded.
    pub fn text(&self) -> String {
        mail_parser::MessageParser::default()
            .parse(&self.raw)
            .and_then(|m| m.body_text(0).map(|t| t.into_owned()))
            .unwrap_or_default()
    }

    /// The first address in the text that starts with `prefix`.
    pub fn link(&self, prefix: &str) -> String {
        let text = self.text();
        let at = text
            .find(prefix)
            .unwrap_or_else(|| panic!("no link {prefix} in {text}"));
        text[at..]
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned()
    }
}

/// The SMTP server and the folder its messages land in.
pub struct SmtpServer {
    port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

impl SmtpServer {
    /// Starts one on a free port of 127.0.0.1.
    pub async fn start() -> SmtpServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut server = SmtpServer {
            port,
            dir: tempfile::tempdir().expect("a folder"),
            child: None,
        };
        server.resume().await;
        server
    }

    /// `smtp://127.0.0.1:PORT`, as `--smtp-url` takes it (no TLS: it is on this machine).
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Stops the server, as a server that is down.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on its port, keeping the messages it received.
    pub async fn resume(&mut self) {
        let python = ["/usr/bin/python3", "python3"]
            .into_iter()
            .find(|p| !p.starts_with('/') || std::path::Path::new(p).exists())
            .unwrap_or("python3");
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/smtp_sink.py");
        let child = Command::new(python)
            .arg(script)
            .arg(self.port.to_string())
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 with aiosmtpd (scripts/setup --test installs it)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while tokio::net::TcpStream::connect(("127.0.0.1", self.port))
            .await
            .is_err()
        {
            assert!(Instant::now() < deadline, "the SMTP server never listened");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Makes the server answer every message "451 try again later", or stop doing so.
    pub fn refuse(&self, refusing: bool) {
        let flag = self.dir.path().join("refuse");
        if refusing {
            std::fs::write(flag, b"").expect("flag");
        } else {
            let _ = std::fs::remove_file(flag);
        }
    }

    /// Every message received so far, in order.
    pub fn received(&self) -> Vec<Received> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .expect("the folder")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|path| Received {
                recipients: std::fs::read_to_string(path.with_extension("rcpt"))
                    .unwrap_or_default()
                    .lines()
                    .map(str::to_owned)
                    .collect(),
                raw: std::fs::read(&path).expect("a message"),
            })
            .collect()
    }

    /// Waits (up to 20 s) until the server has received `n` messages; answers them all.
    pub async fn until_received(&self, n: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let received = self.received();
            if received.len() >= n {
                return received;
            }
            assert!(
                Instant::now() < deadline,
                "{} messages arrived, not {n}",
                received.len()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}
