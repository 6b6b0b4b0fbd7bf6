//! The signed bundle of a round's record: a ZIP of every data file, `manifest.json` (the
//! SHA-256 and size of each file, the audit chain's head, the round and the time) and
//! `manifest.json.minisig`, a signature of the manifest in minisign's format by the instance's
//! Ed25519 key. `minisign -Vm manifest.json -p concord.pub` checks it with the stock tool;
//! [`verify`] checks the signature and every file.

use super::{DataFile, Exporter, SCHEMA_VERSION, timestamp};
use crate::secrets::{Signer, key_id};
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{Read, Seek, Write};

pub const MANIFEST: &str = "manifest.json";
pub const SIGNATURE: &str = "manifest.json.minisig";

/// What `manifest.json` says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub schema_version: u32,
    /// The software that wrote the bundle.
    pub generator: String,
    pub consultation: String,
    pub round: String,
    /// `public` or `convener`.
    pub visibility: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// The audit chain's last entry when the record was read.
    pub audit_head: AuditHead,
    /// The signing key's id, as minisign prints it.
    pub key_id: String,
    pub files: Vec<ManifestFile>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditHead {
    pub entry: i64,
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestFile {
    pub name: String,
    pub bytes: u64,
    pub sha256: String,
}

/// The public keys this instance has signed with, as one file: the key in use first (so that
/// `minisign -p` reads it), then earlier ones, each after a comment saying when it signed.
pub fn published_keys(keys: &[crate::store::RecordKey]) -> String {
    keys.iter()
        .map(|k| {
            let until = k
                .until_ms
                .map(|ms| format!(" until {}", super::timestamp(ms)))
                .unwrap_or_default();
            format!(
                "untrusted comment: Concord record signing key {}, signs from {}{until}\n{}\n",
                k.key_id,
                super::timestamp(k.from_ms),
                k.public_key
            )
        })
        .collect()
}

/// A key a bundle may be signed with, and the times it signed between, when its file says.
pub struct TrustedKey {
    pub key: minisign::PublicKey,
    pub from_ms: Option<i64>,
    pub until_ms: Option<i64>,
}

/// Every key in a `.pub` file of one or more keys (as [`published_keys`] writes, or a single
/// minisign key), with the dates its comment gives.
pub fn trusted_keys_from(text: &str) -> Result<Vec<TrustedKey>> {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let keys = lines
        .chunks(2)
        .map(|pair| {
            let [comment, line] = pair else {
                anyhow::bail!("a key file holds a comment line, then a key line, for each key");
            };
            let key = public_key_from(&format!("{comment}\n{line}\n"))?;
            let date = |word: &str| {
                let at = comment.split(word).nth(1)?.split_whitespace().next()?;
                let when = humantime::parse_rfc3339(at.trim_end_matches(',')).ok()?;
                let since = when.duration_since(std::time::UNIX_EPOCH).ok()?;
                i64::try_from(since.as_millis()).ok()
            };
            Ok(TrustedKey {
                key,
                from_ms: date(" signs from "),
                until_ms: date(" until "),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    anyhow::ensure!(!keys.is_empty(), "the key file holds no key");
    Ok(keys)
}

/// Whether `manifest` says it was made while `key` signed: a key that was replaced signs
/// nothing after.
pub fn within_dates(manifest: &Manifest, key: &TrustedKey) -> Result<(), Refusal> {
    let made = humantime::parse_rfc3339(&manifest.created_at)
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .and_then(|d| i64::try_from(d.as_millis()).ok())
        .ok_or_else(|| Refusal::BadManifest(MANIFEST, "created_at is not a time".into()))?;
    let after_start = key.from_ms.is_none_or(|from| made >= from);
    let before_end = key.until_ms.is_none_or(|until| made <= until);
    if after_start && before_end {
        Ok(())
    } else {
        Err(Refusal::OutsideKeyDates(manifest.key_id.clone()))
    }
}

/// Counts and hashes what passes through it.
struct Hashing<W> {
    inner: W,
    hash: Sha256,
    bytes: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes the bundle of `exporter`'s round to `out`; `progress` hears of each file as it
/// starts.
pub fn write(
    exporter: &mut Exporter,
    signer: &Signer,
    created_at_ms: i64,
    out: impl Write + Seek,
    progress: &mut dyn FnMut(DataFile),
) -> Result<Manifest> {
    let mut zip = zip::ZipWriter::new(out);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    let mut files = Vec::new();
    for file in DataFile::ALL {
        progress(file);
        zip.start_file(file.name(), options)?;
        let mut hashing = Hashing {
            inner: &mut zip,
            hash: Sha256::new(),
            bytes: 0,
        };
        exporter.write(file, &mut hashing)?;
        files.push(ManifestFile {
            name: file.name().to_owned(),
            bytes: hashing.bytes,
            sha256: hex(&hashing.hash.finalize()),
        });
    }
    let header = &exporter.header;
    let manifest = Manifest {
        schema_version: SCHEMA_VERSION,
        generator: format!("Concord {}", env!("CARGO_PKG_VERSION")),
        consultation: header.consultation.slug.clone(),
        round: header.round.slug.clone(),
        visibility: exporter.visibility.as_str().to_owned(),
        created_at: timestamp(created_at_ms),
        audit_head: AuditHead {
            entry: header.audit_head.0,
            hash: header.audit_head.1.clone(),
        },
        key_id: key_id(signer.public_key()),
        files,
    };
    let mut manifest_bytes = serde_json::to_vec_pretty(&manifest)?;
    manifest_bytes.push(b'\n');
    let trusted = format!(
        "concord record of {}/{} ({}), {}",
        manifest.consultation, manifest.round, manifest.visibility, manifest.created_at
    );
    let signature = signer.sign(&manifest_bytes, &trusted)?;
    zip.start_file(MANIFEST, options)?;
    zip.write_all(&manifest_bytes)?;
    zip.start_file(SIGNATURE, options)?;
    zip.write_all(signature.as_bytes())?;
    zip.finish()?.flush()?;
    Ok(manifest)
}

/// Why a bundle was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Refusal {
    #[error("this is not a readable ZIP file (truncated or damaged?): {0}")]
    NotZip(String),
    #[error("the bundle has no {0}")]
    Missing(String),
    #[error("{0} is not a manifest this version understands: {1}")]
    BadManifest(&'static str, String),
    #[error("the signature is not by this key or does not match the manifest: {0}")]
    BadSignature(String),
    #[error(
        "the record is of schema version {found}; this Concord reads up to version {supported}"
    )]
    NewerSchema { found: u32, supported: u32 },
    #[error("{0} does not match the manifest (changed since it was signed)")]
    Changed(String),
    #[error("{0} is in the bundle but not in its manifest")]
    Unlisted(String),
    #[error("{0} is in the bundle twice")]
    Twice(String),
    #[error(
        "it is signed by key {0}, but dated outside the time that key signed (it was replaced)"
    )]
    OutsideKeyDates(String),
}

/// Checks a bundle against `key`: the manifest's signature, the schema version, then every
/// listed file's size and SHA-256, and that no file is missing or extra. Gives the manifest.
pub fn verify(
    mut bundle: impl Read + Seek,
    key: &minisign::PublicKey,
) -> Result<Manifest, Refusal> {
    once_each(&mut bundle)?;
    let mut zip = zip::ZipArchive::new(bundle).map_err(|e| Refusal::NotZip(e.to_string()))?;
    let manifest_bytes = read_entry(&mut zip, MANIFEST)?;
    let signature = read_entry(&mut zip, SIGNATURE)?;
    let signature = String::from_utf8(signature)
        .map_err(|e| Refusal::BadSignature(e.to_string()))
        .and_then(|s| {
            minisign::SignatureBox::from_string(&s)
                .map_err(|e| Refusal::BadSignature(e.to_string()))
        })?;
    minisign::verify(
        key,
        &signature,
        std::io::Cursor::new(&manifest_bytes),
        true,
        false,
        false,
    )
    .map_err(|e| Refusal::BadSignature(e.to_string()))?;
    // The version is read on its own first, so a newer layout is named as such.
    let version: serde_json::Value = serde_json::from_slice(&manifest_bytes)
        .map_err(|e| Refusal::BadManifest(MANIFEST, e.to_string()))?;
    let found = version
        .get("schema_version")
        .and_then(serde_json::Value::as_u64)
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| Refusal::BadManifest(MANIFEST, "no schema_version".into()))?;
    if found > SCHEMA_VERSION {
        return Err(Refusal::NewerSchema {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes)
        .map_err(|e| Refusal::BadManifest(MANIFEST, e.to_string()))?;
    for listed in &manifest.files {
        let mut entry = match zip.by_name(&listed.name) {
            Ok(entry) => entry,
            Err(zip::result::ZipError::FileNotFound) => {
                return Err(Refusal::Missing(listed.name.clone()));
            }
            Err(e) => return Err(Refusal::NotZip(e.to_string())),
        };
        let mut hash = Sha256::new();
        let mut bytes = 0u64;
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = entry
                .read(&mut buf)
                .map_err(|e| Refusal::NotZip(format!("{}: {e}", listed.name)))?;
            if n == 0 {
                break;
            }
            hash.update(&buf[..n]);
            bytes += n as u64;
        }
        if bytes != listed.bytes || hex(&hash.finalize()) != listed.sha256 {
            return Err(Refusal::Changed(listed.name.clone()));
        }
    }
    for name in zip.file_names() {
        if name != MANIFEST && name != SIGNATURE && !manifest.files.iter().any(|f| f.name == name) {
            return Err(Refusal::Unlisted(name.to_owned()));
        }
    }
    Ok(manifest)
}

/// Refuses a ZIP that names one file twice, or starts after other data. The zip crate keeps one
/// entry per name (the last), while other tools read the first: a changed file followed by the
/// original of the same name would pass the check and be what `unzip` shows. So the central
/// directory's own records are counted here.
fn once_each<R: Read + Seek>(bundle: &mut R) -> Result<(), Refusal> {
    let not_zip = |e: &dyn std::fmt::Display| Refusal::NotZip(e.to_string());
    let (start, offset) = {
        let zip = zip::ZipArchive::new(&mut *bundle).map_err(|e| not_zip(&e))?;
        (zip.central_directory_start(), zip.offset())
    };
    if offset != 0 {
        return Err(Refusal::NotZip("data comes before the archive".into()));
    }
    bundle
        .seek(std::io::SeekFrom::Start(start))
        .map_err(|e| not_zip(&e))?;
    let mut seen = std::collections::HashSet::new();
    let mut header = [0u8; 46];
    loop {
        // Each record: a signature, fixed fields, then the name, extra field and comment.
        if bundle.read_exact(&mut header[..4]).is_err() || header[..4] != *b"PK\x01\x02" {
            return Ok(());
        }
        bundle
            .read_exact(&mut header[4..])
            .map_err(|e| not_zip(&e))?;
        let field = |at: usize| u16::from_le_bytes([header[at], header[at + 1]]);
        let mut name = vec![0u8; usize::from(field(28))];
        bundle.read_exact(&mut name).map_err(|e| not_zip(&e))?;
        let skip = i64::from(field(30)) + i64::from(field(32));
        bundle
            .seek(std::io::SeekFrom::Current(skip))
            .map_err(|e| not_zip(&e))?;
        let name = String::from_utf8_lossy(&name).into_owned();
        if !seen.insert(name.clone()) {
            return Err(Refusal::Twice(name));
        }
    }
}

fn read_entry<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    name: &str,
) -> Result<Vec<u8>, Refusal> {
    let mut entry = match zip.by_name(name) {
        Ok(entry) => entry,
        Err(zip::result::ZipError::FileNotFound) => return Err(Refusal::Missing(name.to_owned())),
        Err(e) => return Err(Refusal::NotZip(e.to_string())),
    };
    let mut bytes = Vec::new();
    entry
        .read_to_end(&mut bytes)
        .map_err(|e| Refusal::NotZip(format!("{name}: {e}")))?;
    Ok(bytes)
}

/// A public key from a minisign `.pub` file's text (or its bare base64 line).
pub fn public_key_from(text: &str) -> Result<minisign::PublicKey> {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("untrusted comment:"))
        .context("no key in the public key file")?;
    Ok(minisign::PublicKey::from_base64(line)?)
}
