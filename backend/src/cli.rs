//! The `concord` command line. Every flag can also come from an environment variable; the
//! database URL (which may hold a password) is never printed.

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Concord: open consultations on a shared text, reviewed every year.
#[derive(Debug, Parser)]
#[command(name = "concord", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// What `concord` should do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API and the front end (applies pending migrations first).
    Serve(ServeArgs),
    /// Load the demo consultation (the Paris Call) if it is not there yet.
    Demo(DatabaseArgs),
    /// Apply pending database migrations and exit; given the server secret, also encrypt the
    /// second-factor secrets an earlier version stored plainly.
    Migrate(MigrateArgs),
    /// Make an account an administrator, or a participant again. An administrator must also
    /// turn on two-factor sign-in before acting as one.
    Admin(AdminArgs),
    /// Check the database's audit log: every entry's hash and its link to the one before; or,
    /// given a bundle, its signature and every file in it. Exits with status 1 and says what
    /// does not match.
    Verify(VerifyArgs),
    /// Write the record of a round: the signed bundle, `record.json`, the printable report, or
    /// the CSV files.
    Export(ExportArgs),
    /// Write a consistent copy of a live SQLite database (the server keeps running), checked
    /// with `PRAGMA integrity_check`. For PostgreSQL use `pg_dump`.
    Backup(BackupArgs),
    /// Put a backup in place of the SQLite database, after checking its integrity and its audit
    /// chain; refuses a damaged file. Stop the server first.
    Restore(RestoreArgs),
    /// Print the public key that signs this instance's record bundles, as a minisign `.pub`
    /// file (the same as `/.well-known/concord-record-key.pub`): the key file's, given
    /// --record-key, or else the one the database lists as in use.
    PublicKey(PublicKeyArgs),
    /// Make the secrets Concord keeps outside its database: a record-signing key (a minisign
    /// secret-key file at --record-key, protected by the password in
    /// CONCORD_RECORD_KEY_PASSWORD or --record-key-password-file; starting with a new key
    /// retires the one before, which still verifies what it signed) and/or a server secret
    /// (--server-secret-file). Each file is readable by its owner only; none is ever replaced.
    Keygen(KeygenArgs),
    /// Manage the record-signing key: `concord key export …`.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Load a round's record from another instance's bundle, after checking it against that
    /// instance's public key. Writes everything or nothing.
    Import(ImportArgs),
    /// Set up consultations: `concord consultation create …`.
    #[command(subcommand)]
    Consultation(ConsultationCommand),
}

/// What `concord key` does.
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Move the record-signing key that earlier versions kept in the database into a key file
    /// (as `concord keygen` makes), then delete it from the database. The public key stays the
    /// same, so bundles signed before still verify. Safe to run again if interrupted.
    Export(KeyExportArgs),
}

/// Options of `concord keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    #[command(flatten)]
    pub record_key: crate::secrets::RecordKeyArgs,
    #[command(flatten)]
    pub server_secret: crate::secrets::ServerSecretArgs,
}

/// Options of `concord migrate`.
#[derive(Debug, Args)]
pub struct MigrateArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub server_secret: crate::secrets::ServerSecretArgs,
}

/// Options of `concord key export`.
#[derive(Debug, Args)]
pub struct KeyExportArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub record_key: crate::secrets::RecordKeyArgs,
}

/// Options of `concord public-key`.
#[derive(Debug, Args)]
pub struct PublicKeyArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub record_key: crate::secrets::RecordKeyArgs,
}

/// What `concord consultation` does.
#[derive(Debug, Subcommand)]
pub enum ConsultationCommand {
    /// Create a consultation, and with `--from` its first round as a draft, its text read from
    /// a Markdown, plain-text, DOCX or ODT file (headings or numbered paragraphs become
    /// clauses; what comes before the first is the preamble). Everything or nothing is written.
    Create(CreateArgs),
}

/// Options of `concord consultation create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Its address, e.g. `paris-call`: 3–64 lower-case letters and digits joined by `-`.
    #[arg(long)]
    pub slug: String,
    /// Its title in English (at least one of the four titles is needed).
    #[arg(long)]
    pub title: Option<String>,
    /// Its title in French.
    #[arg(long)]
    pub title_fr: Option<String>,
    /// Its title in Spanish.
    #[arg(long)]
    pub title_es: Option<String>,
    /// Its title in Arabic.
    #[arg(long)]
    pub title_ar: Option<String>,
    /// What it is about.
    #[arg(long, default_value = "")]
    pub description: String,
    /// Only those invited take part (by default anyone signed in may).
    #[arg(long)]
    pub invitation_only: bool,
    /// The handle of a convener (repeat for several).
    #[arg(long = "convener")]
    pub conveners: Vec<String>,
    /// A stakeholder group taking part (repeat for several; all six by default):
    /// civil_society, private_sector, government, academia, technical_community,
    /// intergovernmental.
    #[arg(long = "group")]
    pub groups: Vec<String>,
    /// A file with one region per line, offered to participants (the UN geoscheme's
    /// sub-regions by default).
    #[arg(long)]
    pub regions: Option<PathBuf>,
    /// The draft text of its first round: a `.md`, `.txt`, `.docx` or `.odt` file.
    #[arg(long)]
    pub from: Option<PathBuf>,
    /// The first round's address.
    #[arg(long, default_value = "draft")]
    pub round: String,
    /// The first round's title.
    #[arg(long, default_value = "First review")]
    pub round_title: String,
}

/// Options of `concord backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Where to write the copy (must not exist yet).
    pub output: PathBuf,
}

/// Options of `concord restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The backup to put in place.
    pub backup: PathBuf,
}

/// Options of `concord import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The bundle (`.zip`).
    pub bundle: PathBuf,
    /// The public key of the instance that signed it (a minisign `.pub` file, published there
    /// at `/.well-known/concord-record-key.pub`).
    #[arg(long)]
    pub public_key: PathBuf,
}

/// Options of `concord verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// A bundle (`.zip`) to check instead of the database's audit log.
    pub bundle: Option<PathBuf>,
    /// The signer's public key (a minisign `.pub` file, as published at
    /// `/.well-known/concord-record-key.pub`); by default this instance's own key.
    #[arg(long)]
    pub public_key: Option<PathBuf>,
    /// A head of the audit chain kept earlier (`ENTRIES:HASH`, from a bundle's manifest or
    /// `/.well-known/concord-audit-head`): the log must still hold that entry with that hash,
    /// or it was cut short or rewritten.
    #[arg(long, value_name = "ENTRIES:HASH")]
    pub expect_head: Option<String>,
}

/// What `concord export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// A ZIP of every file with `manifest.json` and its minisign signature.
    Bundle,
    /// `record.json` alone.
    Json,
    /// `report.html` alone: the printable report.
    Report,
    /// Every CSV file, into a directory.
    Csv,
}

/// Options of `concord export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The consultation's slug.
    #[arg(long)]
    pub consultation: String,
    /// The round's slug.
    #[arg(long)]
    pub round: String,
    #[arg(long, value_enum, default_value = "bundle")]
    pub format: ExportFormat,
    /// `public` (pseudonymous, hidden comments without their text) or `convener` (complete).
    #[arg(long, value_parser = ["public", "convener"], default_value = "public")]
    pub visibility: String,
    /// Where to write: a file (bundle, JSON, report) or a directory (CSV). By default
    /// `CONSULTATION-ROUND-VISIBILITY.zip`, `.json`, `.html`, or a directory of that name.
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// The key that signs a bundle.
    #[command(flatten)]
    pub record_key: crate::secrets::RecordKeyArgs,
}

/// Options of `concord admin`.
#[derive(Debug, Args)]
pub struct AdminArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// `grant` or `revoke`.
    #[arg(value_parser = ["grant", "revoke"])]
    pub action: String,
    /// The account's handle.
    pub handle: String,
}

/// Where the data lives.
#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// Database URL: `sqlite://FILE` (created if missing) or `postgres://USER:PASSWORD@HOST/DB`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://concord.db",
        hide_env_values = true
    )]
    pub database_url: String,
}

/// Options of `concord serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Address and port to listen on.
    #[arg(long, env = "CONCORD_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Serve the front end from this directory (`index.html` and its assets) instead of the
    /// one built into the binary, e.g. `frontend/dist` while developing it.
    #[arg(long, env = "CONCORD_ASSETS")]
    pub assets: Option<PathBuf>,
    /// Concord is reached over HTTPS (usually through a TLS proxy): the session cookie becomes
    /// `Secure` with the `__Host-` prefix, and responses carry Strict-Transport-Security.
    #[arg(long, env = "CONCORD_HTTPS")]
    pub https: bool,
    /// The address people use to reach Concord, e.g. `https://concord.example.org`: passkeys
    /// are bound to its host name. Required with `--https`; without, `http://localhost:PORT`.
    #[arg(long, env = "CONCORD_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// The SMTP server for opt-in e-mail reminders, e.g. `smtps://user:password@mail.example.org`
    /// or `smtp://mail.example.org:587?tls=required` (STARTTLS). Without it Concord sends no
    /// mail and offers no e-mail settings.
    #[arg(long, env = "CONCORD_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Who reminders are from, e.g. `Concord <concord@example.org>`; by default
    /// `concord@` the public address's host.
    #[arg(long, env = "CONCORD_MAIL_FROM")]
    pub mail_from: Option<String>,
    /// Let `--smtp-url` reach a server on another machine without TLS (only on a network you
    /// trust: messages and the SMTP password cross it in clear).
    #[arg(long, env = "CONCORD_SMTP_ALLOW_PLAINTEXT")]
    pub smtp_allow_plaintext: bool,
    /// Address and port for Prometheus metrics (`GET /metrics`), kept off the public listener;
    /// none by default. Bind it to loopback or a private network.
    #[arg(long, env = "CONCORD_METRICS_BIND")]
    pub metrics_bind: Option<SocketAddr>,
    /// Sign-ups taken from one address per minute (0: no limit). Behind a proxy every sign-up
    /// comes from the proxy's address: raise it there to what the whole audience needs.
    #[arg(long, env = "CONCORD_SIGN_UPS_PER_MINUTE", default_value_t = 5)]
    pub sign_ups_per_minute: u32,
    /// The key that signs records (required).
    #[command(flatten)]
    pub record_key: crate::secrets::RecordKeyArgs,
    /// The secret that second-factor secrets are encrypted under (required).
    #[command(flatten)]
    pub server_secret: crate::secrets::ServerSecretArgs,
}
