//! `concord export` and `concord verify BUNDLE`: the record from the command line, with a
//! progress bar on a terminal and one plain line per step otherwise.

use super::bundle::{self, Refusal};
use super::import::{ImportError, Imported};
use super::{DataFile, Exporter, Visibility};
use crate::cli::{ExportArgs, ExportFormat, ImportArgs, VerifyArgs};
use crate::store::{Store, now_ms};
use anyhow::{Context, Result, bail};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Shows which file is being written.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    fn new(steps: usize) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(steps as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} {msg}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        });
        Self { bar }
    }

    fn step(&self, file: DataFile) {
        match &self.bar {
            Some(bar) => {
                if bar.message().is_empty() {
                    bar.set_message(file.name());
                } else {
                    bar.inc(1);
                    bar.set_message(file.name());
                }
            }
            None => eprintln!("writing {}", file.name()),
        }
    }

    fn done(&self, what: &str) {
        match &self.bar {
            Some(bar) => bar.finish_with_message(what.to_owned()),
            None => eprintln!("{what}"),
        }
    }
}

/// `concord export`.
pub async fn export(args: ExportArgs) -> Result<()> {
    let store = Store::connect(&args.database.database_url).await?;
    store.migrate().await?;
    let consultation = store
        .consultation_ref(&args.consultation)
        .await?
        .with_context(|| format!("no consultation {:?}", args.consultation))?;
    let round = store
        .round_row(consultation.id, &args.round)
        .await?
        .with_context(|| format!("no round {:?} in {:?}", args.round, args.consultation))?;
    let visibility = match args.visibility.as_str() {
        "convener" => Visibility::Convener,
        _ => Visibility::Public,
    };
    let stem = format!(
        "{}-{}-{}",
        args.consultation,
        args.round,
        visibility.as_str()
    );
    let output = args.output.clone().unwrap_or_else(|| match args.format {
        ExportFormat::Bundle => PathBuf::from(format!("{stem}.zip")),
        ExportFormat::Json => PathBuf::from(format!("{stem}.json")),
        ExportFormat::Report => PathBuf::from(format!("{stem}.html")),
        ExportFormat::Csv => PathBuf::from(&stem),
    });
    let source = super::source::snapshot(&store).await?;
    let key = store.pseudonym_key().await?;
    let signer = match args.format {
        ExportFormat::Bundle => {
            sign_with(&store, args.record_key.load()?).await?;
            Some(store.record_signer().await?)
        }
        _ => None,
    };
    let format = args.format;
    let written = output.clone();
    tokio::task::spawn_blocking(move || -> Result<()> {
        let mut exporter = Exporter::new(source, round.id, visibility, key)?;
        match (format, signer) {
            (ExportFormat::Bundle, Some(signer)) => {
                let progress = Progress::new(DataFile::ALL.len());
                let file = create(&written)?;
                let manifest = bundle::write(&mut exporter, &signer, now_ms(), file, &mut |f| {
                    progress.step(f)
                })?;
                progress.done(&format!(
                    "wrote {} (audit head {}, key {})",
                    written.display(),
                    manifest.audit_head.entry,
                    manifest.key_id
                ));
            }
            (ExportFormat::Json | ExportFormat::Report, _) => {
                let file = match format {
                    ExportFormat::Json => DataFile::Json,
                    _ => DataFile::Report,
                };
                let progress = Progress::new(1);
                progress.step(file);
                exporter.write(file, &mut create(&written)?)?;
                progress.done(&format!("wrote {}", written.display()));
            }
            (ExportFormat::Csv, _) => {
                std::fs::create_dir_all(&written)
                    .with_context(|| format!("creating {}", written.display()))?;
                let files: Vec<DataFile> =
                    DataFile::ALL.into_iter().filter(|f| f.is_csv()).collect();
                let progress = Progress::new(files.len());
                for file in files {
                    progress.step(file);
                    exporter.write(file, &mut create(&written.join(file.name()))?)?;
                }
                progress.done(&format!("wrote {}", written.display()));
            }
            (ExportFormat::Bundle, None) => bail!("no signing key"),
        }
        Ok(())
    })
    .await??;
    Ok(())
}

fn create(path: &Path) -> Result<std::io::BufWriter<std::fs::File>> {
    let file =
        std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    Ok(std::io::BufWriter::with_capacity(1 << 16, file))
}

/// The public key in a minisign `.pub` file.
fn key_file(path: &Path) -> Result<minisign::PublicKey> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    bundle::public_key_from(&text)
}

/// `concord import BUNDLE --public-key KEY`.
pub async fn import(args: ImportArgs) -> Result<Result<Imported, ImportError>> {
    let key = key_file(&args.public_key)?;
    let store = Store::connect(&args.database.database_url).await?;
    store.migrate().await?;
    let file = std::fs::File::open(&args.bundle)
        .with_context(|| format!("opening {}", args.bundle.display()))?;
    Ok(super::import::import(&store, std::io::BufReader::new(file), &key, None).await)
}

/// `concord verify BUNDLE`: whether the bundle is whole and signed by the key given, or by
/// default by one of the keys this instance's database lists.
pub async fn verify(
    args: &VerifyArgs,
    bundle_path: &Path,
) -> Result<Result<bundle::Manifest, Refusal>> {
    let keys = match &args.public_key {
        Some(path) => bundle::trusted_keys_from(
            &std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?,
        )?,
        None => {
            let store = Store::connect(&args.database.database_url).await?;
            store.migrate().await?;
            let listed = store.record_keys().await?;
            store.close().await;
            if listed.is_empty() {
                bail!("this database lists no record key; give the signer's with --public-key");
            }
            bundle::trusted_keys_from(&bundle::published_keys(&listed))?
        }
    };
    let mut verdict = None;
    for key in &keys {
        let file = std::fs::File::open(bundle_path)
            .with_context(|| format!("opening {}", bundle_path.display()))?;
        let found = bundle::verify(std::io::BufReader::new(file), &key.key)
            .and_then(|manifest| bundle::within_dates(&manifest, key).map(|()| manifest));
        let good = found.is_ok();
        // A refusal for the dates says more than another key's "not by this key".
        if good || verdict.is_none() || matches!(found, Err(Refusal::OutsideKeyDates(_))) {
            verdict = Some(found);
        }
        if good {
            break;
        }
    }
    verdict.context("no key to check the bundle with")
}

/// Makes `signer` the key `store` signs with, after checking that the database no longer
/// holds a key of its own and listing its public half.
pub async fn sign_with(store: &Store, signer: crate::secrets::Signer) -> Result<()> {
    if store.kept_record_key().await?.is_some() {
        bail!(
            "the database still holds a record-signing key, as earlier versions kept it: move \
             it into a key file with `concord key export --record-key PATH` (the same public \
             key, so old bundles still verify), then start with that --record-key"
        );
    }
    store.register_record_key(&signer).await?;
    store.use_signer(std::sync::Arc::new(signer));
    Ok(())
}

/// `concord public-key`: the key file's public half, or the key the database lists in use.
pub async fn public_key(args: &crate::cli::PublicKeyArgs) -> Result<String> {
    if args.record_key.record_key.is_some() {
        return args.record_key.load()?.public_key_file();
    }
    let store = Store::connect(&args.database.database_url).await?;
    store.migrate().await?;
    let keys = store.record_keys().await?;
    store.close().await;
    match keys.first() {
        Some(key) if key.until_ms.is_none() => Ok(bundle::published_keys(&keys)),
        _ => bail!("this database lists no record key in use; give the key file with --record-key"),
    }
}

/// `concord key export`: moves the key kept in the database into the key file, whole, then
/// deletes it there. Run again after an interruption, it finds the file holding the same key
/// and finishes.
pub async fn export_key(args: &crate::cli::KeyExportArgs) -> Result<crate::secrets::Signer> {
    let store = Store::connect(&args.database.database_url).await?;
    store.migrate().await?;
    let Some((kept, since_ms)) = store.kept_record_key().await? else {
        bail!("the database holds no record-signing key: there is nothing to move");
    };
    let signer = crate::secrets::Signer::from_kept(&kept)?;
    let path = args.record_key.path()?;
    if path.exists() {
        let there = args.record_key.load()?;
        if there.public_key().to_bytes() != signer.public_key().to_bytes() {
            bail!(
                "{} holds another key ({}, not {}); give another path",
                path.display(),
                there.key_id(),
                signer.key_id()
            );
        }
    } else {
        args.record_key.save(&signer)?;
    }
    store.forget_kept_record_key(&signer, since_ms).await?;
    store.close().await;
    Ok(signer)
}
