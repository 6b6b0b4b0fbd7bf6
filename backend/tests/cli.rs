//! The `concord` binary's record commands, run as an operator runs them: export a bundle,
//! verify it, import it into another database, export it again there, and refuse a damaged one.

use std::path::Path;
use std::process::{Command, Output};

fn concord(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_concord"))
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .args(args)
        .output()
        .expect("concord runs")
}

fn ok(output: Output) -> String {
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn export_verify_import_and_export_again_from_the_command_line() {
    let dir = tempfile::tempdir().expect("directory");
    let here = dir.path();
    let source = ["--database-url", "sqlite://source.db"];
    ok(concord(here, &[&["demo"][..], &source].concat()));
    // Only a finished round's record is imported elsewhere; the demo's 2019 round is voting.
    rusqlite::Connection::open(here.join("source.db"))
        .expect("the demo's database")
        .execute("UPDATE rounds SET phase = 'closed' WHERE slug = '2019'", [])
        .expect("close 2019");
    let export = |db: &[&str], output: &str| {
        let args = [
            &["export", "--consultation", "paris-call", "--round", "2019"][..],
            db,
            &["--visibility", "convener", "--output", output],
        ]
        .concat();
        let out = concord(here, &args);
        assert!(out.status.success(), "{out:?}");
        // Not a terminal: one plain line per file, then what was written.
        let progress = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(progress.contains("writing comments.csv"), "{progress}");
        assert!(progress.contains(&format!("wrote {output}")), "{progress}");
    };
    export(&source, "bundle.zip");
    let verified = ok(concord(
        here,
        &[&["verify", "bundle.zip"][..], &source].concat(),
    ));
    assert!(
        verified.starts_with("bundle intact: 10 files of paris-call/2019 (convener)"),
        "{verified}"
    );

    // The instance's public key (as published on the web) is what another checks it with.
    let key = ok(concord(here, &[&["public-key"][..], &source].concat()));
    assert!(
        key.starts_with("untrusted comment: Concord record signing key"),
        "{key}"
    );
    std::fs::write(here.join("source.pub"), key).expect("write");

    let target = ["--database-url", "sqlite://target.db"];
    let imported = ok(concord(
        here,
        &[
            &["import", "bundle.zip", "--public-key", "source.pub"][..],
            &target,
        ]
        .concat(),
    ));
    assert_eq!(
        imported.trim(),
        "imported paris-call/2019: 4 comments, 4 positions"
    );
    export(&target, "again.zip");
    let files = |name: &str| {
        let bytes = std::fs::read(here.join(name)).expect("bundle");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
        (0..zip.len())
            .map(|i| {
                let mut file = zip.by_index(i).expect("entry");
                let mut content = Vec::new();
                std::io::Read::read_to_end(&mut file, &mut content).expect("read");
                (file.name().to_owned(), content)
            })
            .filter(|(name, _)| !name.starts_with("manifest"))
            .collect::<Vec<_>>()
    };
    assert!(
        files("bundle.zip") == files("again.zip"),
        "the same data files"
    );

    // A second import is refused, and so is a truncated bundle, each saying why.
    let again = concord(
        here,
        &[
            &["import", "bundle.zip", "--public-key", "source.pub"][..],
            &target,
        ]
        .concat(),
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stdout).contains("already here"));
    let bytes = std::fs::read(here.join("bundle.zip")).expect("bundle");
    std::fs::write(here.join("cut.zip"), &bytes[..bytes.len() / 3]).expect("write");
    let cut = concord(
        here,
        &[
            &["verify", "cut.zip", "--public-key", "source.pub"][..],
            &target,
        ]
        .concat(),
    );
    assert_eq!(cut.status.code(), Some(1));
    let said = String::from_utf8_lossy(&cut.stdout);
    assert!(said.contains("not a readable ZIP file"), "{said}");
}

#[test]
fn a_backup_is_taken_while_serving_and_only_a_sound_one_is_restored() {
    let dir = tempfile::tempdir().expect("directory");
    let here = dir.path();
    let db = ["--database-url", "sqlite://live.db"];
    ok(concord(here, &[&["demo"][..], &db].concat()));
    // The server keeps the database open (and writing) while the copy is taken.
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
        probe.local_addr().expect("address").port()
    };
    let bind = format!("127.0.0.1:{port}");
    let mut server = Command::new(env!("CARGO_BIN_EXE_concord"))
        .current_dir(here)
        .args([
            "serve",
            "--database-url",
            "sqlite://live.db",
            "--bind",
            &bind,
        ])
        .args(["--assets", "none"])
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("serve");
    let ready = (0..100).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(50));
        std::net::TcpStream::connect(&bind).is_ok()
    });
    let said = ok(concord(here, &[&["backup", "copy.db"][..], &db].concat()));
    let _ = server.kill();
    let _ = server.wait();
    assert!(ready, "the server started");
    assert_eq!(said.trim(), "wrote copy.db (integrity check: ok)");
    let again = concord(here, &[&["backup", "copy.db"][..], &db].concat());
    assert!(
        !again.status.success(),
        "an existing file is never overwritten"
    );

    // A damaged copy is refused and the database is left as it was.
    let mut bytes = std::fs::read(here.join("copy.db")).expect("copy");
    let page = 4096 * 3;
    for b in &mut bytes[page..page + 2048] {
        *b = 0x5a;
    }
    std::fs::write(here.join("damaged.db"), &bytes).expect("write");
    let before = std::fs::read(here.join("live.db")).expect("live");
    let refused = concord(here, &[&["restore", "damaged.db"][..], &db].concat());
    assert!(!refused.status.success());
    let why = String::from_utf8_lossy(&refused.stderr);
    assert!(why.contains("refused"), "{why}");
    assert_eq!(std::fs::read(here.join("live.db")).expect("live"), before);

    let restored = ok(concord(here, &[&["restore", "copy.db"][..], &db].concat()));
    assert!(
        restored.contains("integrity check and audit log: ok"),
        "{restored}"
    );
    let verified = ok(concord(here, &[&["verify"][..], &db].concat()));
    assert!(verified.starts_with("audit log intact"), "{verified}");
}

#[test]
fn a_consultation_is_set_up_from_a_markdown_draft_on_the_command_line() {
    let dir = tempfile::tempdir().expect("directory");
    let here = dir.path();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    std::fs::copy(fixtures.join("declaration.md"), here.join("draft.md")).expect("copy");
    std::fs::write(here.join("draft.pdf"), b"%PDF-1.7").expect("write");
    let db = ["--database-url", "sqlite://concord.db"];
    let create = |from: &str, slug: &str| {
        let args = [
            &["consultation", "create", "--slug", slug][..],
            &["--title", "Declaration on a Trustworthy Internet"],
            &["--title-fr", "Déclaration pour un internet de confiance"],
            &["--group", "civil_society", "--group", "academia"],
            &[
                "--round",
                "2027",
                "--round-title",
                "2027 review",
                "--from",
                from,
            ],
            &db,
        ]
        .concat();
        concord(here, &args)
    };

    let created = ok(create("draft.md", "trust"));
    assert_eq!(
        created.trim(),
        "created trust with its first round 2027 (a draft of 3 clauses and a preamble)"
    );

    // A taken address, an unreadable file: refused, and nothing more is written.
    for (from, slug, why) in [
        ("draft.md", "trust", "exists already"),
        (
            "draft.pdf",
            "other",
            "Concord reads .md, .txt, .docx and .odt files",
        ),
        ("missing.md", "other", "cannot read missing.md"),
    ] {
        let refused = create(from, slug);
        let said = String::from_utf8_lossy(&refused.stdout);
        assert_eq!(refused.status.code(), Some(1), "{said}");
        assert!(
            said.starts_with("nothing created: ") && said.contains(why),
            "{said}"
        );
    }

    let database = rusqlite::Connection::open(here.join("concord.db")).expect("open");
    let keys: Vec<String> = database
        .prepare("SELECT k.key FROM clauses k JOIN rounds r ON r.id = k.round_id ORDER BY k.number")
        .expect("query")
        .query_map([], |row| row.get(0))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("keys");
    assert_eq!(
        keys,
        [
            "protect-individuals",
            "protect-infrastructure",
            "defend-elections"
        ]
    );
    let (consultations, groups): (i64, String) = database
        .query_row(
            "SELECT COUNT(*), MAX(stakeholder_groups) FROM consultations",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .expect("consultations");
    assert_eq!(
        (consultations, groups.as_str()),
        (1, "civil_society academia")
    );
    let verified = ok(concord(here, &[&["verify"][..], &db].concat()));
    assert!(
        verified.starts_with("audit log intact: 2 entries"),
        "{verified}"
    );
}

#[test]
fn a_chain_cut_short_fails_against_a_head_kept_elsewhere() {
    let dir = tempfile::tempdir().expect("directory");
    let here = dir.path();
    let db = ["--database-url", "sqlite://audit.db"];
    ok(concord(here, &[&["demo"][..], &db].concat()));
    // An observer keeps the head (as /.well-known/concord-audit-head gives it).
    let verified = ok(concord(here, &[&["verify"][..], &db].concat()));
    let (entries, head) = verified
        .trim()
        .strip_prefix("audit log intact: ")
        .and_then(|rest| rest.split_once(" entries, head "))
        .expect("entries and head");
    let kept = format!("{entries}:{head}");
    let with_head = [&["verify", "--expect-head", kept.as_str()][..], &db].concat();
    ok(concord(here, &with_head));

    // Someone with write access to the database cuts the chain's tail and moves the head back.
    let connection = rusqlite::Connection::open(here.join("audit.db")).expect("the database");
    connection
        .execute_batch(
            "DROP TRIGGER audit_log_no_delete;
             DELETE FROM audit_log WHERE id = (SELECT MAX(id) FROM audit_log);
             UPDATE audit_head SET last_id = last_id - 1,
                 last_hash = (SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1);",
        )
        .expect("cut");
    drop(connection);
    // On its own the chain still looks whole; against the head kept, it is not.
    ok(concord(here, &[&["verify"][..], &db].concat()));
    let refused = concord(here, &with_head);
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stdout);
    assert!(said.contains("cut short"), "{said}");
}
