//! Secrets kept outside the database, so that a copy of it (a backup, a seized disk) can neither
//! sign records nor make second-factor codes:
//! - the record-signing key is a minisign secret-key file protected by a password
//!   (`--record-key`). Its password comes from `CONCORD_RECORD_KEY_PASSWORD` or from a file
//!   (`--record-key-password-file`), never from a flag, since flags show in the process list;
//! - the server secret (`CONCORD_SERVER_SECRET`, or the file `--server-secret-file`), under
//!   which every account's TOTP secret is encrypted in the database ([`SecretBox`]).

use anyhow::{Context, Result, bail, ensure};
use clap::Args;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The environment variable that may hold the record key's password.
pub const PASSWORD_VARIABLE: &str = "CONCORD_RECORD_KEY_PASSWORD";

/// Where the record-signing key is and how to open it.
#[derive(Debug, Clone, Default, Args)]
pub struct RecordKeyArgs {
    /// The record-signing key: a minisign secret-key file protected by a password, made by
    /// `concord keygen`. Its password comes from CONCORD_RECORD_KEY_PASSWORD or from
    /// --record-key-password-file.
    #[arg(long, env = "CONCORD_RECORD_KEY")]
    pub record_key: Option<PathBuf>,
    /// A file whose first line is the record key's password (readable by Concord's user only).
    #[arg(long, env = "CONCORD_RECORD_KEY_PASSWORD_FILE")]
    pub record_key_password_file: Option<PathBuf>,
}

impl RecordKeyArgs {
    /// The key file's path, or what to do when none is given.
    pub fn path(&self) -> Result<&Path> {
        self.record_key.as_deref().context(
            "Concord needs its record-signing key: give --record-key PATH (or set \
             CONCORD_RECORD_KEY). Make a key with `concord keygen --record-key PATH`; an \
             installation that kept its key in the database moves it out with \
             `concord key export --record-key PATH`.",
        )
    }

    /// The key's password, from the environment or the password file.
    fn password(&self) -> Result<String> {
        // A file named on the command line is meant over what the environment holds.
        let Some(file) = &self.record_key_password_file else {
            if let Ok(password) = std::env::var(PASSWORD_VARIABLE) {
                ensure!(!password.is_empty(), "{PASSWORD_VARIABLE} is empty");
                return Ok(password);
            }
            bail!(
                "the record key's password is missing: set {PASSWORD_VARIABLE}, or give \
                 --record-key-password-file FILE (or CONCORD_RECORD_KEY_PASSWORD_FILE)"
            );
        };
        warn_if_shared(file);
        let text = std::fs::read_to_string(file).with_context(|| {
            format!("reading the record key's password from {}", file.display())
        })?;
        let password = text.lines().next().unwrap_or_default().to_owned();
        ensure!(
            !password.is_empty(),
            "{} holds no password on its first line",
            file.display()
        );
        Ok(password)
    }

    /// Opens the key file with its password.
    pub fn load(&self) -> Result<Signer> {
        let path = self.path()?;
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
                "there is no record key at {}: make one with `concord keygen --record-key {}`, \
                 or move the one kept in the database there with `concord key export \
                 --record-key {}`",
                path.display(),
                path.display(),
                path.display()
            ),
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("reading the record key {}", path.display()));
            }
        };
        warn_if_shared(path);
        let password = self.password()?;
        open(&text, password).with_context(|| format!("opening the record key {}", path.display()))
    }

    /// Writes `signer`'s key to the key file, sealed with the password; refuses to replace a
    /// file that is there. The file is readable by its owner only, written whole or not at all.
    pub fn save(&self, signer: &Signer) -> Result<()> {
        let path = self.path()?;
        ensure!(
            !path.exists(),
            "{} exists already; Concord never replaces a key file",
            path.display()
        );
        let password = self.password()?;
        ensure!(
            password.chars().count() >= 12,
            "the record key's password is too short: give it at least 12 characters"
        );
        let sealed = seal(signer.secret_key(), &password)?;
        // Checked before it is kept: the sealed key opens with the password to the same key.
        let opened = open(&sealed, password)?;
        ensure!(
            opened.public_key().to_bytes() == signer.public_key().to_bytes(),
            "the sealed key does not open to the same key"
        );
        write_private(path, sealed.as_bytes())
    }
}

/// The signer of a sealed key file's text.
fn open(text: &str, password: String) -> Result<Signer> {
    let boxed = minisign::SecretKeyBox::from_string(text)
        .map_err(|e| anyhow::anyhow!("it is not a minisign secret key ({e})"))?;
    let secret = boxed.into_secret_key(Some(password)).map_err(|e| {
        if e.to_string().contains("Wrong password") {
            anyhow::anyhow!("the password is wrong for this key (or the key file is damaged)")
        } else {
            anyhow::anyhow!("it is not a readable minisign secret key ({e})")
        }
    })?;
    Signer::from_secret(secret)
}

/// The minisign secret-key file of `secret` (an unencrypted key) encrypted with `password`,
/// in minisign's own format, so that the stock `minisign` tool opens it too: scrypt with
/// minisign's limits derives a stream from the password and a fresh salt, XORed into the key
/// number, the secret key and its checksum.
fn seal(secret: &minisign::SecretKey, password: &str) -> Result<String> {
    // sig_alg 2, kdf_alg 2, chk_alg 2, salt 32, opslimit 8, memlimit 8, then keynum 8,
    // secret key 64 and checksum 32: the part the stream covers.
    const SALT: std::ops::Range<usize> = 6..38;
    const OPSLIMIT: std::ops::Range<usize> = 38..46;
    const MEMLIMIT: std::ops::Range<usize> = 46..54;
    const SEALED: std::ops::Range<usize> = 54..158;
    let mut bytes = secret.to_bytes();
    ensure!(
        bytes.len() == SEALED.end && bytes[2..4] == [0, 0],
        "only an unencrypted key can be sealed"
    );
    bytes[2..4].copy_from_slice(b"Sc");
    let mut salt = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut salt);
    bytes[SALT].copy_from_slice(&salt);
    // minisign's limits (1,048,576 operations, 32 MiB) are scrypt's N = 2^15, r = 8, p = 1.
    bytes[OPSLIMIT].copy_from_slice(&1_048_576u64.to_le_bytes());
    bytes[MEMLIMIT].copy_from_slice(&33_554_432u64.to_le_bytes());
    let params = scrypt::Params::new(15, 8, 1, scrypt::Params::RECOMMENDED_LEN)
        .map_err(|e| anyhow::anyhow!("scrypt parameters: {e}"))?;
    let mut stream = [0u8; SEALED.end - SEALED.start];
    scrypt::scrypt(password.as_bytes(), &salt, &params, &mut stream)
        .map_err(|e| anyhow::anyhow!("scrypt: {e}"))?;
    for (byte, key) in bytes[SEALED].iter_mut().zip(stream) {
        *byte ^= key;
    }
    let sealed = minisign::SecretKey::from_bytes(&bytes)?;
    Ok(sealed
        .to_box(Some("Concord record signing key"))?
        .to_string())
}

/// Writes `bytes` to a new file at `path`, readable and writable by its owner only: first to
/// a temporary file beside it, flushed to disk, then renamed into place.
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("creating a file in {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist_noclobber(path)
        .map_err(|e| e.error)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// Warns, as ssh does, when a secret's file may be read by other users.
fn warn_if_shared(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path)
            && meta.permissions().mode() & 0o077 != 0
        {
            tracing::warn!(
                file = %path.display(),
                mode = format!("{:o}", meta.permissions().mode() & 0o777),
                "this secret's file may be read by other users: `chmod 600` it"
            );
        }
    }
}

/// The environment variable that may hold the server secret itself.
pub const SERVER_SECRET_VARIABLE: &str = "CONCORD_SERVER_SECRET";

/// Where the server secret is.
#[derive(Debug, Clone, Default, Args)]
pub struct ServerSecretArgs {
    /// A file holding the server secret (made by `concord keygen --server-secret-file`), under
    /// which TOTP secrets are encrypted in the database; or the secret itself in
    /// CONCORD_SERVER_SECRET. At least 32 characters.
    #[arg(long, env = "CONCORD_SERVER_SECRET_FILE")]
    pub server_secret_file: Option<PathBuf>,
}

impl ServerSecretArgs {
    /// The server secret's box, if one is configured.
    pub fn load(&self) -> Result<Option<SecretBox>> {
        let text = if let Ok(text) = std::env::var(SERVER_SECRET_VARIABLE) {
            text
        } else if let Some(file) = &self.server_secret_file {
            warn_if_shared(file);
            std::fs::read_to_string(file).with_context(|| {
                format!(
                    "reading the server secret {} (make one with `concord keygen \
                     --server-secret-file {}`)",
                    file.display(),
                    file.display()
                )
            })?
        } else {
            return Ok(None);
        };
        SecretBox::new(text.trim()).map(Some)
    }

    /// The server secret's box, or what to set.
    pub fn require(&self) -> Result<SecretBox> {
        self.load()?.context(
            "Concord needs its server secret, under which second-factor secrets are encrypted: \
             give --server-secret-file FILE (or CONCORD_SERVER_SECRET_FILE, or the secret itself \
             in CONCORD_SERVER_SECRET). Make one with `concord keygen --server-secret-file FILE`, \
             and keep a copy apart from the database's backups.",
        )
    }

    /// Writes a new random server secret to the file, readable by its owner only; never
    /// replaces one.
    pub fn create(&self) -> Result<()> {
        let path = self
            .server_secret_file
            .as_deref()
            .context("give --server-secret-file FILE")?;
        ensure!(
            !path.exists(),
            "{} exists already; Concord never replaces a secret",
            path.display()
        );
        let mut secret = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut secret);
        use base64::Engine;
        let text = base64::engine::general_purpose::STANDARD.encode(secret);
        write_private(path, format!("{text}\n").as_bytes())
    }
}

/// Encrypts and decrypts TOTP secrets under a key derived from the server secret
/// (XChaCha20-Poly1305; HKDF-SHA256 derives the key), with the account's id as associated
/// data, so that a secret copied to another account's row does not decrypt.
pub struct SecretBox {
    cipher: chacha20poly1305::XChaCha20Poly1305,
    /// The key under which network addresses become pseudonyms for throttling, derived from
    /// the same secret, so that a copy of the database cannot turn them back into addresses.
    address_key: [u8; 32],
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(…)")
    }
}

/// How a sealed value begins; base-32 secrets never hold a `:`, so old plain rows are told
/// apart.
const SEALED_PREFIX: &str = "v1:";

impl SecretBox {
    /// The box of a server secret of at least 32 characters.
    pub fn new(secret: &str) -> Result<Self> {
        use chacha20poly1305::KeyInit;
        ensure!(
            secret.chars().count() >= 32,
            "the server secret is too short: it needs at least 32 characters (`concord keygen \
             --server-secret-file FILE` makes a good one)"
        );
        let derive = |purpose: &[u8]| -> Result<[u8; 32]> {
            let mut key = [0u8; 32];
            hkdf::Hkdf::<sha2::Sha256>::new(Some(b"concord"), secret.as_bytes())
                .expand(purpose, &mut key)
                .map_err(|_| anyhow::anyhow!("deriving a key"))?;
            Ok(key)
        };
        Ok(Self {
            cipher: chacha20poly1305::XChaCha20Poly1305::new(&derive(b"totp secrets v1")?.into()),
            address_key: derive(b"address pseudonyms v1")?,
        })
    }

    /// The key under which addresses become pseudonyms.
    pub fn address_key(&self) -> &[u8; 32] {
        &self.address_key
    }

    /// `plain` sealed for `account_id`'s row.
    pub fn seal(&self, account_id: i64, plain: &str) -> Result<String> {
        use base64::Engine;
        use chacha20poly1305::aead::{Aead, AeadCore, Payload};
        let nonce =
            chacha20poly1305::XChaCha20Poly1305::generate_nonce(&mut chacha20poly1305::aead::OsRng);
        let sealed = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plain.as_bytes(),
                    aad: &associated(account_id),
                },
            )
            .map_err(|_| anyhow::anyhow!("sealing a secret"))?;
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        Ok(format!(
            "{SEALED_PREFIX}{}",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        ))
    }

    /// What `sealed` holds, if it was sealed for `account_id` under this secret.
    pub fn open(&self, account_id: i64, sealed: &str) -> Option<String> {
        use base64::Engine;
        use chacha20poly1305::aead::{Aead, Payload};
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(sealed.strip_prefix(SEALED_PREFIX)?)
            .ok()?;
        if bytes.len() < 24 {
            return None;
        }
        let (nonce, sealed) = bytes.split_at(24);
        let plain = self
            .cipher
            .decrypt(
                chacha20poly1305::XNonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: &associated(account_id),
                },
            )
            .ok()?;
        String::from_utf8(plain).ok()
    }
}

/// Whether a stored value is sealed (rather than a plain secret of an earlier version).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(SEALED_PREFIX)
}

fn associated(account_id: i64) -> Vec<u8> {
    format!("concord totp secret of account {account_id}").into_bytes()
}

/// The instance's signing key.
pub struct Signer {
    secret: minisign::SecretKey,
    public: minisign::PublicKey,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer({})", key_id(&self.public))
    }
}

/// A public key's id as minisign prints it (16 hex digits, upper case).
pub fn key_id(key: &minisign::PublicKey) -> String {
    let n: [u8; 8] = key.keynum().try_into().unwrap_or_default();
    format!("{:016X}", u64::from_le_bytes(n))
}

impl Signer {
    /// A new key, as a secret key box (to keep) and the signer.
    pub fn generate() -> Result<(String, Self)> {
        let pair = minisign::KeyPair::generate_unencrypted_keypair()?;
        let kept = pair
            .sk
            .to_box(Some("Concord record signing key"))?
            .to_string();
        Ok((
            kept,
            Self {
                secret: pair.sk,
                public: pair.pk,
            },
        ))
    }

    /// The signer of a kept secret key box, unencrypted (as earlier versions kept it in the
    /// database).
    pub fn from_kept(kept: &str) -> Result<Self> {
        Self::from_secret(minisign::SecretKeyBox::from_string(kept)?.into_unencrypted_secret_key()?)
    }

    /// The signer of a decrypted secret key.
    pub fn from_secret(secret: minisign::SecretKey) -> Result<Self> {
        let public = minisign::PublicKey::from_secret_key(&secret)?;
        Ok(Self { secret, public })
    }

    /// The decrypted secret key, for sealing it in a key file.
    pub fn secret_key(&self) -> &minisign::SecretKey {
        &self.secret
    }

    /// The public key as a minisign `.pub` file.
    pub fn public_key_file(&self) -> Result<String> {
        public_key_file(&self.public)
    }

    /// The public key's id, as minisign prints it.
    pub fn key_id(&self) -> String {
        key_id(&self.public)
    }

    /// The key line of the public key's `.pub` file (its base64).
    pub fn public_key_line(&self) -> Result<String> {
        let boxed = self.public.to_box()?.into_string();
        Ok(boxed
            .lines()
            .nth(1)
            .context("public key box without key")?
            .to_owned())
    }

    pub fn public_key(&self) -> &minisign::PublicKey {
        &self.public
    }

    pub fn sign(&self, data: &[u8], trusted_comment: &str) -> Result<String> {
        let signature = minisign::sign(
            Some(&self.public),
            &self.secret,
            data,
            Some(trusted_comment),
            Some("signed with a Concord instance's record key"),
        )?;
        Ok(signature.to_string())
    }
}

/// A public key as a minisign `.pub` file, its comment naming it.
pub fn public_key_file(key: &minisign::PublicKey) -> Result<String> {
    let boxed = key.to_box()?.into_string();
    // minisign writes its own comment line; keep the key and say whose it is.
    let key_line = boxed.lines().nth(1).context("public key box without key")?;
    Ok(format!(
        "untrusted comment: Concord record signing key {}\n{key_line}\n",
        key_id(key)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_for_its_account_under_its_secret_only() {
        let secret = "a server secret of more than thirty-two characters";
        let sealed_box = SecretBox::new(secret).expect("box");
        let sealed = sealed_box.seal(7, "JBSWY3DPEHPK3PXP").expect("seal");
        assert!(is_sealed(&sealed) && !sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_eq!(
            sealed_box.open(7, &sealed).as_deref(),
            Some("JBSWY3DPEHPK3PXP")
        );
        assert_eq!(sealed_box.open(8, &sealed), None, "another account's row");
        let other = SecretBox::new("another server secret, also long enough!!").expect("box");
        assert_eq!(other.open(7, &sealed), None, "another server secret");
        assert!(SecretBox::new("short").is_err());
    }

    #[test]
    fn a_sealed_key_opens_with_its_password_only() {
        let (_, signer) = Signer::generate().expect("key");
        let sealed = seal(signer.secret_key(), "correct horse").expect("seal");
        let opened = open(&sealed, "correct horse".into()).expect("open");
        assert_eq!(
            opened.public_key().to_bytes(),
            signer.public_key().to_bytes()
        );
        let wrong = open(&sealed, "wrong horse".into()).expect_err("a wrong password");
        assert!(wrong.to_string().contains("password is wrong"), "{wrong}");
        let cut = open(&sealed[..sealed.len() / 2], "correct horse".into()).expect_err("cut");
        assert!(cut.to_string().contains("minisign secret key"), "{cut}");
    }
}
