//! The `concord` binary's record commands, run as an operator runs them: export a bundle,
//! verify it, import it into another database, export it again there, and refuse a damaged one.

use std::path::Path;
use std::process::{Command, Output};

/// The record key's password in these tests, given as an operator gives it: in the
/// environment, never as a flag.
const PASSWORD: &str = "a record key passphrase";
/// The server secret, given in the environment too.
const SERVER_SECRET: &str = "a server secret for the command-line tests";

fn concord(dir: &Path, args: &[&str]) -> Output {
    concord_with(dir, &[], args)
}

/// `concord` with some of its environment changed: each variable set to a value, or removed.
fn concord_with(dir: &Path, env: &[(&str, Option<&str>)], args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_concord"));
    command
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("CONCORD_RECORD_KEY")
        .env("CONCORD_RECORD_KEY_PASSWORD", PASSWORD)
        .env("CONCORD_SERVER_SECRET", SERVER_SECRET);
    for (name, value) in env {
        match value {
            Some(value) => command.env(name, value),
            None => command.env_remove(name),
        };
    }
    command.args(args).output().expect("concord runs")
}

/// Asserts that only the file's owner may read or write it.
fn assert_owner_only(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{}", path.display());
    }
}

/// Makes a record key `record.key` in `dir`; the flag that gives it.
fn keyed(dir: &Path) -> [&'static str; 2] {
    ok(concord(dir, &["keygen", "--record-key", "record.key"]));
    ["--record-key", "record.key"]
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
    let key = keyed(here);
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
            &key,
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
    // The stock minisign tool checks the manifest the key file signed.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(here.join("bundle.zip")).expect("zip"))
        .expect("a ZIP");
    for name in ["manifest.json", "manifest.json.minisig"] {
        let mut out = std::fs::File::create(here.join(name)).expect("create");
        std::io::copy(&mut zip.by_name(name).expect("entry"), &mut out).expect("copy");
    }
    let checked = Command::new("minisign")
        .current_dir(here)
        .args(["-Vm", "manifest.json", "-p", "source.pub"])
        .output()
        .expect("minisign (Debian package) runs");
    assert!(checked.status.success(), "{checked:?}");

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
    let key = keyed(here);
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
        .args(key)
        .env("CONCORD_RECORD_KEY_PASSWORD", PASSWORD)
        .env("CONCORD_SERVER_SECRET", SERVER_SECRET)
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
    // A head mistyped is an input error, never taken for tampering.
    let mistyped = format!("{entries}:zz");
    let wrong = concord(
        here,
        &[&["verify", "--expect-head", mistyped.as_str()][..], &db].concat(),
    );
    assert!(!wrong.status.success());
    assert!(
        String::from_utf8_lossy(&wrong.stderr).contains("64 hexadecimal digits"),
        "{wrong:?}"
    );
    assert!(!String::from_utf8_lossy(&wrong.stdout).contains("broken"));

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

/// The record-signing key lives in a password-protected minisign file, outside the database:
/// made by `keygen`, refused clearly when missing, wrong, damaged or unprotected, and moved out
/// of the database of an earlier version by `key export` with its public key unchanged.
#[test]
fn the_record_key_lives_in_a_protected_file_outside_the_database() {
    let dir = tempfile::tempdir().expect("directory");
    let here = dir.path();
    let db = ["--database-url", "sqlite://concord.db"];
    ok(concord(here, &[&["demo"][..], &db].concat()));
    let fails = |args: &[&str], expected: &str| {
        let out = concord(here, args);
        let said = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(said.contains(expected), "{args:?}: {said}");
    };
    fn serve<'a>(db: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
        [&["serve", "--bind", "127.0.0.1:0"][..], db, extra].concat()
    }

    // A newcomer who starts without a key is told how to make one.
    fails(&serve(&db, &[]), "concord keygen --record-key PATH");
    fails(
        &serve(&db, &["--record-key", "missing.key"]),
        "there is no record key at missing.key",
    );

    // keygen: a minisign secret key, encrypted, readable by its owner only; never replaced.
    let made = ok(concord(here, &["keygen", "--record-key", "record.key"]));
    assert!(
        made.starts_with("untrusted comment: Concord record signing key"),
        "{made}"
    );
    let text = std::fs::read_to_string(here.join("record.key")).expect("key file");
    let boxed = minisign::SecretKeyBox::from_string(&text).expect("a minisign key");
    assert!(
        boxed.clone().into_unencrypted_secret_key().is_err(),
        "encrypted"
    );
    boxed
        .into_secret_key(Some(PASSWORD.into()))
        .expect("opens with its password");
    assert_owner_only(&here.join("record.key"));
    fails(
        &["keygen", "--record-key", "record.key"],
        "never replaces a key file",
    );
    // The stock minisign tool signs with it, given the same password.
    std::fs::write(here.join("note.txt"), "a note").expect("write");
    let mut signing = Command::new("minisign")
        .current_dir(here)
        .args(["-S", "-s", "record.key", "-m", "note.txt"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("minisign (Debian package) runs");
    std::io::Write::write_all(
        signing.stdin.as_mut().expect("stdin"),
        format!("{PASSWORD}\n").as_bytes(),
    )
    .expect("password");
    let signed = signing.wait_with_output().expect("minisign");
    assert!(
        signed.status.success(),
        "{}",
        String::from_utf8_lossy(&signed.stderr)
    );
    std::fs::write(here.join("record.pub"), made).expect("write");
    let checked = Command::new("minisign")
        .current_dir(here)
        .args(["-Vm", "note.txt", "-p", "record.pub"])
        .output()
        .expect("minisign");
    assert!(checked.status.success(), "{checked:?}");

    // A short password is refused; a password file named on the command line wins over the
    // environment.
    let short = concord_with(
        here,
        &[("CONCORD_RECORD_KEY_PASSWORD", Some("x"))],
        &["keygen", "--record-key", "short.key"],
    );
    assert!(
        String::from_utf8_lossy(&short.stderr).contains("at least 12 characters"),
        "{short:?}"
    );
    std::fs::write(here.join("password"), format!("{PASSWORD}\n")).expect("write");
    let wrong_password = [("CONCORD_RECORD_KEY_PASSWORD", Some("not the password"))];
    let by_file = concord_with(
        here,
        &wrong_password,
        &[
            "public-key",
            "--record-key",
            "record.key",
            "--record-key-password-file",
            "password",
        ],
    );
    assert!(by_file.status.success(), "{by_file:?}");

    // A wrong password, a damaged file, no password at all: each says so.
    let wrong = concord_with(
        here,
        &wrong_password,
        &["public-key", "--record-key", "record.key"],
    );
    assert!(
        String::from_utf8_lossy(&wrong.stderr).contains("the password is wrong"),
        "{wrong:?}"
    );
    let nothing = concord_with(
        here,
        &[("CONCORD_RECORD_KEY_PASSWORD", None)],
        &["public-key", "--record-key", "record.key"],
    );
    assert!(
        String::from_utf8_lossy(&nothing.stderr).contains("set CONCORD_RECORD_KEY_PASSWORD"),
        "{nothing:?}"
    );
    std::fs::write(here.join("cut.key"), &text[..text.len() / 2]).expect("write");
    fails(
        &["public-key", "--record-key", "cut.key"],
        "not a readable minisign secret key",
    );
    std::fs::write(here.join("junk.key"), "hello").expect("write");
    fails(
        &["public-key", "--record-key", "junk.key"],
        "minisign secret key",
    );
    // A key file others may read: it works, with a warning, as ssh gives.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::copy(here.join("record.key"), here.join("shared.key")).expect("copy");
        std::fs::set_permissions(
            here.join("shared.key"),
            std::fs::Permissions::from_mode(0o644),
        )
        .expect("chmod");
        let out = concord(here, &["public-key", "--record-key", "shared.key"]);
        assert!(out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("may be read by other users"));
    }

    // An installation of an earlier version kept its key in the database: the server refuses
    // to start until it is moved out; `key export` moves it, with the same public key.
    let (kept, legacy) = backend::secrets::Signer::generate().expect("a key");
    {
        use base64::Engine;
        let stored = base64::engine::general_purpose::STANDARD.encode(&kept);
        rusqlite::Connection::open(here.join("concord.db"))
            .expect("database")
            .execute(
                "INSERT INTO server_keys (name, key_base64, created_at_ms) \
                 VALUES ('record_signing', ?1, 1)",
                [stored],
            )
            .expect("an earlier version's key");
    }
    fails(
        &serve(&db, &["--record-key", "record.key"]),
        "concord key export --record-key PATH",
    );
    let moved = ok(concord(
        here,
        &[&["key", "export", "--record-key", "moved.key"][..], &db].concat(),
    ));
    assert!(moved.contains("the database no longer holds it"), "{moved}");
    let public = ok(concord(here, &["public-key", "--record-key", "moved.key"]));
    assert_eq!(public, legacy.public_key_file().expect("public key"));
    let rows: i64 = rusqlite::Connection::open(here.join("concord.db"))
        .expect("database")
        .query_row(
            "SELECT COUNT(*) FROM server_keys WHERE name = 'record_signing'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(rows, 0, "the database holds no signing key");
    fails(
        &[&["key", "export", "--record-key", "moved.key"][..], &db].concat(),
        "nothing to move",
    );
}

/// Second-factor secrets are encrypted under a server secret kept outside the database:
/// `keygen` makes one, `migrate` encrypts what an earlier version stored plainly, and the
/// server will not start without it.
#[test]
fn second_factor_secrets_are_encrypted_under_a_secret_kept_outside_the_database() {
    let dir = tempfile::tempdir().expect("directory");
    let here = dir.path();
    let db = ["--database-url", "sqlite://concord.db"];
    ok(concord(here, &[&["migrate"][..], &db].concat()));
    // An earlier version's row: the secret as it is.
    let plain = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    let database = || rusqlite::Connection::open(here.join("concord.db")).expect("database");
    database()
        .execute_batch(&format!(
            "INSERT INTO accounts (id, handle, password_hash, created_at_ms) VALUES (41, 'amina', '', 0);
             INSERT INTO totp_secrets (account_id, secret_base32, confirmed_at_ms, last_step)
                 VALUES (41, '{plain}', 1, 0);"
        ))
        .expect("an earlier version's second factor");
    let stored = || -> String {
        database()
            .query_row("SELECT secret_base32 FROM totp_secrets", [], |r| r.get(0))
            .expect("row")
    };
    let without_secret =
        |args: &[&str]| concord_with(here, &[("CONCORD_SERVER_SECRET", None)], args);

    // Without the secret, migrate says what is left to do, and the server does not start.
    let migrated = without_secret(&[&["migrate"][..], &db].concat());
    assert!(migrated.status.success());
    assert!(
        String::from_utf8_lossy(&migrated.stderr).contains("stored unencrypted"),
        "{migrated:?}"
    );
    assert_eq!(stored(), plain);
    let key = keyed(here);
    let refused = without_secret(&[&["serve", "--bind", "127.0.0.1:0"][..], &db, &key].concat());
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("needs its server secret"),
        "{refused:?}"
    );

    // keygen makes a secret file readable by its owner only, and never replaces it.
    let made = without_secret(&["keygen", "--server-secret-file", "server.secret"]);
    assert!(made.status.success(), "{made:?}");
    assert_owner_only(&here.join("server.secret"));
    let again = without_secret(&["keygen", "--server-secret-file", "server.secret"]);
    assert!(!again.status.success());
    // With it, migrate seals the old row: readable under that secret and that account only.
    let sealed = without_secret(
        &[
            &["migrate", "--server-secret-file", "server.secret"][..],
            &db,
        ]
        .concat(),
    );
    assert!(sealed.status.success(), "{sealed:?}");
    let row = stored();
    assert!(row.starts_with("v1:") && !row.contains(plain), "{row}");
    let secret = std::fs::read_to_string(here.join("server.secret")).expect("secret");
    let secret_box = backend::secrets::SecretBox::new(secret.trim()).expect("box");
    assert_eq!(secret_box.open(41, &row).as_deref(), Some(plain));
    assert_eq!(secret_box.open(42, &row), None);
}

/// A replaced key still verifies what it signed, on the instance and against the published key
/// file, but not a bundle it signed dated after it was replaced.
#[test]
fn a_replaced_record_key_verifies_only_what_it_signed_before() {
    let dir = tempfile::tempdir().expect("directory");
    let here = dir.path();
    let db = ["--database-url", "sqlite://concord.db"];
    ok(concord(here, &[&["demo"][..], &db].concat()));
    let export = |key: &str, output: &str| {
        let args = [
            &["export", "--consultation", "paris-call", "--round", "2019"][..],
            &db,
            &["--record-key", key, "--output", output],
        ]
        .concat();
        ok(concord(here, &args));
    };
    ok(concord(here, &["keygen", "--record-key", "old.key"]));
    export("old.key", "old.zip");
    ok(concord(here, &["keygen", "--record-key", "new.key"]));
    export("new.key", "new.zip");
    let published = ok(concord(here, &[&["public-key"][..], &db].concat()));
    assert_eq!(published.lines().count(), 4, "{published}");
    assert!(published.lines().nth(2).expect("old").contains(" until "));
    std::fs::write(here.join("keys.pub"), &published).expect("write");
    for bundle in ["old.zip", "new.zip"] {
        ok(concord(here, &[&["verify", bundle][..], &db].concat()));
        ok(concord(
            here,
            &[&["verify", bundle, "--public-key", "keys.pub"][..], &db].concat(),
        ));
    }

    // The old key signs a manifest dated after it was replaced: refused, either way.
    let bytes = std::fs::read(here.join("old.zip")).expect("bundle");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut out = zip::ZipWriter::new(std::fs::File::create(here.join("late.zip")).expect("file"));
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).expect("entry");
        let name = entry.name().to_owned();
        let mut content = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut content).expect("read");
        if name == "manifest.json.minisig" {
            continue;
        }
        if name == "manifest.json" {
            let text = String::from_utf8(content).expect("UTF-8");
            let at = text.find("\"created_at\": \"").expect("created_at") + 15;
            let late = format!(
                "{}2099-01-01T00:00:00.000Z{}",
                &text[..at],
                &text[at + 24..]
            );
            std::fs::write(here.join("manifest.json"), &late).expect("write");
            let mut signing = Command::new("minisign")
                .current_dir(here)
                .args(["-S", "-s", "old.key", "-m", "manifest.json"])
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::null())
                .spawn()
                .expect("minisign");
            std::io::Write::write_all(
                signing.stdin.as_mut().expect("stdin"),
                format!("{PASSWORD}\n").as_bytes(),
            )
            .expect("password");
            assert!(signing.wait().expect("minisign").success());
            content = late.into_bytes();
            let signature = std::fs::read(here.join("manifest.json.minisig")).expect("sig");
            out.start_file(
                "manifest.json.minisig",
                zip::write::SimpleFileOptions::default(),
            )
            .expect("start");
            std::io::Write::write_all(&mut out, &signature).expect("write");
        }
        out.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .expect("start");
        std::io::Write::write_all(&mut out, &content).expect("write");
    }
    out.finish().expect("zip");
    for args in [
        vec!["verify", "late.zip"],
        vec!["verify", "late.zip", "--public-key", "keys.pub"],
    ] {
        let refused = concord(here, &[&args[..], &db].concat());
        assert_eq!(refused.status.code(), Some(1), "{refused:?}");
        let said = String::from_utf8_lossy(&refused.stdout);
        assert!(
            said.contains("dated outside the time that key signed"),
            "{said}"
        );
    }
}
