//! `concord`: parses the command line and hands over to the library.

use backend::cli::{Cli, Command};
use backend::state::{AppState, Settings};
use backend::store::Store;
use clap::Parser;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Logs go to standard error, so that a command's output stays its own.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            EnvFilter::try_from_env("CONCORD_LOG")
                // webauthn-rs logs each refused passkey answer (a client's doing) as an error;
                // Concord logs the refusal itself, at info.
                .unwrap_or_else(|_| {
                    EnvFilter::new("info,sqlx=warn,tower_http=info,webauthn_rs_core=off")
                }),
        )
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Migrate(args) => {
            let store = Store::connect(&args.database.database_url).await?;
            store.migrate().await?;
            tracing::info!(backend = ?store.backend(), "migrations applied");
            match args.server_secret.load()? {
                Some(secret_box) => {
                    store.use_server_secret(secret_box);
                    let sealed = store.seal_plain_totp_secrets().await?;
                    tracing::info!(sealed, "second-factor secrets encrypted");
                }
                None => {
                    let (_, plain) = store.totp_secrets_stored().await?;
                    if plain > 0 {
                        tracing::warn!(
                            plain,
                            "second-factor secrets are stored unencrypted: give the server \
                             secret (--server-secret-file) and run `concord migrate` again"
                        );
                    }
                }
            }
        }
        Command::Demo(db) => {
            let store = Store::connect(&db.database_url).await?;
            store.migrate().await?;
            let loaded = backend::ops::demo::load(&store).await?;
            if loaded {
                tracing::info!("demo consultation loaded");
            } else {
                tracing::info!("demo consultation already present; left as it is");
            }
        }
        Command::Verify(args) => match &args.bundle {
            Some(path) => match backend::record::command::verify(&args, path).await? {
                Ok(manifest) => println!(
                    "bundle intact: {} files of {}/{} ({}), signed by key {}, audit head {} {}",
                    manifest.files.len(),
                    manifest.consultation,
                    manifest.round,
                    manifest.visibility,
                    manifest.key_id,
                    manifest.audit_head.entry,
                    manifest.audit_head.hash
                ),
                Err(refusal) => {
                    println!("bundle refused: {refusal}");
                    std::process::exit(1);
                }
            },
            None => {
                let store = Store::connect(&args.database.database_url).await?;
                match store.verify_audit().await? {
                    backend::store::audit::Verdict::Intact { entries, head } => {
                        if let Some(kept) = &args.expect_head
                            && let Err(why) = holds_head(&store, kept, entries).await?
                        {
                            println!("audit log broken: {why}");
                            std::process::exit(1);
                        }
                        println!("audit log intact: {entries} entries, head {head}");
                    }
                    backend::store::audit::Verdict::Broken { entry, why } => {
                        println!("audit log broken at entry {entry}: {why}");
                        std::process::exit(1);
                    }
                }
            }
        },
        Command::Export(args) => backend::record::command::export(args).await?,
        Command::Backup(args) => {
            backend::ops::backup::backup(&args.database.database_url, &args.output).await?;
            println!("wrote {} (integrity check: ok)", args.output.display());
        }
        Command::Restore(args) => {
            backend::ops::backup::restore(&args.database.database_url, &args.backup).await?;
            println!(
                "restored {} (integrity check and audit log: ok)",
                args.backup.display()
            );
        }
        Command::PublicKey(args) => {
            print!("{}", backend::record::command::public_key(&args).await?)
        }
        Command::Keygen(args) => {
            let secret = args.server_secret.server_secret_file.as_ref();
            if args.record_key.record_key.is_none() && secret.is_none() {
                anyhow::bail!("say what to make: --record-key FILE, --server-secret-file FILE");
            }
            if let Some(file) = secret {
                args.server_secret.create()?;
                eprintln!("wrote the server secret {}", file.display());
            }
            if args.record_key.record_key.is_some() {
                let (_, signer) = backend::secrets::Signer::generate()?;
                args.record_key.save(&signer)?;
                eprintln!(
                    "wrote {} (key {}); its public key:",
                    args.record_key.path()?.display(),
                    signer.key_id()
                );
                print!("{}", signer.public_key_file()?);
            }
        }
        Command::Key(backend::cli::KeyCommand::Export(args)) => {
            let signer = backend::record::command::export_key(&args).await?;
            println!(
                "moved key {} to {}; the database no longer holds it",
                signer.key_id(),
                args.record_key.path()?.display()
            );
        }
        Command::Import(args) => match backend::record::command::import(args).await? {
            Ok(imported) => println!(
                "imported {}/{}: {} comments, {} positions",
                imported.consultation, imported.round, imported.comments, imported.positions
            ),
            Err(refused) => {
                println!("nothing imported: {refused}");
                std::process::exit(1);
            }
        },
        Command::Consultation(backend::cli::ConsultationCommand::Create(args)) => {
            match backend::setup::create(&args).await? {
                Ok(created) => println!("{created}"),
                Err(refused) => {
                    println!("nothing created: {refused}");
                    std::process::exit(1);
                }
            }
        }
        Command::Admin(args) => {
            let store = Store::connect(&args.database.database_url).await?;
            store.migrate().await?;
            let role = if args.action == "grant" {
                backend::store::ADMIN
            } else {
                backend::store::PARTICIPANT
            };
            let handle = args.handle.trim().to_lowercase();
            if !store.set_role(&handle, role).await? {
                anyhow::bail!("no account has the handle {handle:?}");
            }
            tracing::info!(event = "role_changed", %handle, role, "role changed");
        }
        Command::Serve(args) => {
            // Settings a browser would refuse stop the start, before anything is touched.
            let passkeys = backend::passkeys::RelyingParty::configure(
                args.public_url.as_deref(),
                args.https,
                args.bind.port(),
            )
            .map_err(|why| anyhow::anyhow!("passkeys: {why}"))?;
            let origin = passkeys.origin().to_owned();
            let mailer = args
                .smtp_url
                .as_deref()
                .map(|url| {
                    let host = url::Url::parse(&origin)
                        .ok()
                        .and_then(|u| u.host_str().map(str::to_owned))
                        .unwrap_or_else(|| "localhost".into());
                    backend::mail::Mailer::configure(
                        url,
                        args.mail_from.as_deref(),
                        args.smtp_allow_plaintext,
                        &host,
                    )
                })
                .transpose()
                .map_err(|why| anyhow::anyhow!("e-mail: {why}"))?;
            let signer = args.record_key.load()?;
            let secret_box = args.server_secret.require()?;
            let store = Store::connect(&args.database.database_url).await?;
            store.migrate().await?;
            backend::record::command::sign_with(&store, signer).await?;
            store.use_server_secret(secret_box);
            let sealed = store.seal_plain_totp_secrets().await?;
            if sealed > 0 {
                tracing::info!(
                    sealed,
                    "second-factor secrets of an earlier version encrypted"
                );
            }
            if !store.server_secret_opens().await? {
                tracing::error!(
                    "this server secret does not open the stored second-factor secrets: was it \
                     changed? Codes from authenticator apps are refused until the right one is \
                     given; recovery codes still work"
                );
            }
            match &args.assets {
                Some(dir) if !dir.join("index.html").is_file() => {
                    tracing::warn!(assets = %dir.display(), "no index.html there; serving the API only");
                }
                None if backend::http::web::embedded_index().is_none() => tracing::warn!(
                    "no front end built into this binary (run scripts/build-frontend before \
                     cargo build --release) and no --assets; serving the API only"
                ),
                _ => {}
            }
            let embedded = args.assets.is_none();
            let state = AppState::new(
                store.clone(),
                Settings {
                    https: args.https,
                    assets: args.assets,
                    embedded,
                    sign_ups_per_minute: args.sign_ups_per_minute,
                    passkeys: Some(std::sync::Arc::new(passkeys)),
                    mailer: mailer.map(std::sync::Arc::new),
                },
            );
            match &state.settings.mailer {
                Some(mailer) => tracing::info!("e-mail reminders on: {mailer:?}"),
                None => tracing::info!("e-mail reminders off (no --smtp-url)"),
            }
            let listener = tokio::net::TcpListener::bind(args.bind).await?;
            // The address to open: passkeys are bound to it (its host name, not the bound IP).
            tracing::info!(backend = ?store.backend(), "Concord is listening on http://{}; open {origin}", listener.local_addr()?);
            if let Some(address) = args.metrics_bind {
                let metrics = tokio::net::TcpListener::bind(address).await?;
                tracing::info!("metrics at http://{}/metrics", metrics.local_addr()?);
                let router = backend::ops::metrics::router(state.hub.clone());
                tokio::spawn(async move {
                    if let Err(e) = axum::serve(metrics, router).await {
                        tracing::error!(error = %e, "metrics listener stopped");
                    }
                });
            }
            let hub = state.hub.clone();
            let shutdown = async move {
                backend::shutdown_signal().await;
                hub.close();
            };
            backend::serve(listener, backend::app(state), shutdown).await?;
            store.close().await;
        }
    }
    Ok(())
}

/// Whether the audit log of `entries` entries still holds the head `kept` (`ENTRIES:HASH`):
/// `Err` says how it does not.
async fn holds_head(store: &Store, kept: &str, entries: i64) -> anyhow::Result<Result<(), String>> {
    let Some((n, hash)) = kept
        .split_once(':')
        .and_then(|(n, hash)| Some((n.trim().parse::<i64>().ok()?, hash.trim())))
        .filter(|(n, hash)| {
            *n > 0 && hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit())
        })
    else {
        anyhow::bail!(
            "--expect-head takes ENTRIES:HASH, the hash in 64 hexadecimal digits, e.g. \
             1234:9f86d081884c7d65…; check the head you kept"
        );
    };
    let hash = hash.to_ascii_lowercase();
    let hash = hash.as_str();
    if n > entries {
        return Ok(Err(format!(
            "it has {entries} entries, fewer than the {n} of the head kept: it was cut short"
        )));
    }
    match store.audit_hash_at(n).await? {
        Some(found) if found == hash => Ok(Ok(())),
        Some(found) => Ok(Err(format!(
            "entry {n} hashes to {found}, not to the {hash} kept: the log was rewritten"
        ))),
        None => Ok(Err(format!("entry {n} of the head kept is missing"))),
    }
}
