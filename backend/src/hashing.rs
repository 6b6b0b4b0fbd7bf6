//! Password hashing (argon2id, 19 MiB) on a few threads of its own, each reusing one block of
//! memory for every hash.
//!
//! Hashing on tokio's blocking pool let hundreds of threads each allocate 19 MiB at once, and
//! the allocator kept what they freed: a burst of sign-ups took a server from 22 MB to 3.5 GB and
//! never gave it back. Here at most [`threads`] hashes run at once, their memory is allocated once
//! per thread, and when more than [`QUEUE`] wait the request is answered 503 with `Retry-After`
//! rather than queued without end.

use crate::store::StoreError;
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex, OnceLock};

/// How many hashes may wait for a thread before a request is refused as busy.
pub const QUEUE: usize = 64;
/// The most hashing threads, whatever the number of cores: each holds 19 MiB.
const THREADS_MAX: usize = 4;

/// argon2id with 19 MiB, 2 passes, 1 lane (ASVS 11.4.2; OWASP's minimum).
fn params() -> Params {
    #[allow(clippy::expect_used)] // constant, valid parameters
    Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters")
}

/// How many hashes run at once: one per core, at most [`THREADS_MAX`].
pub fn threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(THREADS_MAX)
}

type Job = Box<dyn FnOnce(&mut Vec<Block>) + Send>;

/// Hashing threads and the queue in front of them.
struct Pool {
    jobs: SyncSender<Job>,
}

impl Pool {
    fn start(threads: usize, queue: usize) -> Self {
        let (jobs, waiting) = sync_channel::<Job>(queue);
        let waiting = Arc::new(Mutex::new(waiting));
        for n in 0..threads {
            let waiting = Arc::clone(&waiting);
            let spawned = std::thread::Builder::new()
                .name(format!("password-hashing-{n}"))
                .spawn(move || work(&waiting));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a password-hashing thread");
            }
        }
        Self { jobs }
    }

    /// Runs `hash` on a hashing thread with its memory; 503 when the queue is full.
    async fn run<T: Send + 'static>(
        &self,
        hash: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    ) -> Result<T, StoreError> {
        let (done, answer) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |memory| {
            let _ = done.send(hash(memory));
        });
        match self.jobs.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                tracing::warn!(event = "hashing_busy", "password hashing queue full");
                return Err(StoreError::Unavailable(
                    "The server is busy checking passwords just now; please try again in a \
                     moment.",
                ));
            }
            Err(TrySendError::Disconnected(_)) => {
                return Err(StoreError::Internal(anyhow::anyhow!(
                    "no password-hashing thread is running"
                )));
            }
        }
        answer
            .await
            .map_err(|_| StoreError::Internal(anyhow::anyhow!("a password-hashing thread stopped")))
    }
}

/// The process's hashing threads, started on first use.
fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| Pool::start(threads(), QUEUE))
}

/// One hashing thread: its memory, then every job it is given.
fn work(waiting: &Mutex<Receiver<Job>>) {
    let mut memory = vec![Block::default(); params().block_count()];
    loop {
        let job = match waiting.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        match job {
            Ok(job) => job(&mut memory),
            Err(_) => return,
        }
    }
}

/// `params`' hash of `password` with `salt` into `out`, in `memory` (grown if the parameters
/// need more, as an old hash's might).
fn hash_into(
    params: Params,
    algorithm: Algorithm,
    version: Version,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
    memory: &mut Vec<Block>,
) -> argon2::Result<()> {
    if memory.len() < params.block_count() {
        memory.resize(params.block_count(), Block::default());
    }
    Argon2::new(algorithm, version, params).hash_password_into_with_memory(
        password,
        salt,
        out,
        memory.as_mut_slice(),
    )
}

/// A password's hash for storage, in the PHC string format.
fn hash_with(password: &[u8], memory: &mut Vec<Block>) -> Result<String, String> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt
        .decode_b64(&mut salt_bytes)
        .map_err(|e| e.to_string())?;
    let params = params();
    let output = Output::init_with(Params::DEFAULT_OUTPUT_LEN, |out| {
        hash_into(
            params.clone(),
            Algorithm::Argon2id,
            Version::V0x13,
            password,
            salt_bytes,
            out,
            memory,
        )
        .map_err(|_| argon2::password_hash::Error::Crypto)
    })
    .map_err(|e| e.to_string())?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| e.to_string())?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches `stored` (a PHC string), compared in constant time.
fn matches(password: &[u8], stored: &str, memory: &mut Vec<Block>) -> bool {
    let Ok(phc) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(expected), Some(salt)) = (phc.hash, phc.salt) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (Algorithm::try_from(phc.algorithm), Params::try_from(&phc))
    else {
        return false;
    };
    let version = match phc.version.map(Version::try_from) {
        None => Version::V0x13,
        Some(Ok(version)) => version,
        Some(Err(_)) => return false,
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    Output::init_with(expected.len(), |out| {
        hash_into(
            params, algorithm, version, password, salt_bytes, out, memory,
        )
        .map_err(|_| argon2::password_hash::Error::Crypto)
    })
    .is_ok_and(|computed| computed == expected)
}

/// Hashes a password for storage.
pub async fn hash_password(password: String) -> Result<String, StoreError> {
    pool()
        .run(move |memory| hash_with(password.as_bytes(), memory))
        .await?
        .map_err(|e| StoreError::Internal(anyhow::anyhow!("hashing a password: {e}")))
}

/// A hash of a random password, checked when the handle does not exist so that a failed sign-in
/// takes as long whether or not the account exists.
fn dummy_hash(memory: &mut Vec<Block>) -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_with(b"no account has this password", memory).unwrap_or_default())
}

/// Checks `password` against a stored hash (or the dummy hash when `stored` is `None`).
pub async fn verify_password(password: String, stored: Option<String>) -> Result<bool, StoreError> {
    pool()
        .run(move |memory| match stored {
            Some(stored) => matches(password.as_bytes(), &stored, memory),
            None => {
                let dummy = dummy_hash(memory);
                matches(password.as_bytes(), dummy, memory);
                false
            }
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_burst_beyond_the_queue_is_refused_as_busy_and_the_rest_is_hashed() {
        // A pool of its own, so that other tests' hashes do not meet this burst.
        let pool = Arc::new(Pool::start(1, 4));
        let burst = 12;
        let hashes = (0..burst).map(|n| {
            let pool = Arc::clone(&pool);
            tokio::spawn(async move {
                pool.run(move |memory| hash_with(format!("password {n}").as_bytes(), memory))
                    .await
            })
        });
        let mut busy = 0;
        for hash in futures_util::future::join_all(hashes).await {
            match hash.expect("task") {
                Ok(stored) => assert!(stored.expect("hash").starts_with("$argon2id$")),
                Err(StoreError::Unavailable(_)) => busy += 1,
                Err(e) => panic!("{e}"),
            }
        }
        assert!(busy > 0 && busy < burst, "{busy} of {burst} refused");
        // Afterwards the thread takes work again.
        let again = pool.run(|memory| hash_with(b"again", memory)).await;
        assert!(again.is_ok_and(|h| h.is_ok()));
    }

    #[test]
    fn a_hash_checks_its_password_only_and_reads_as_argon2_writes_it() {
        let mut memory = Vec::new();
        let stored = hash_with(b"a long passphrase", &mut memory).expect("hash");
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert!(matches(b"a long passphrase", &stored, &mut memory));
        assert!(!matches(b"a long passphrase!", &stored, &mut memory));
        // The argon2 crate's own reader agrees, both ways.
        use argon2::{PasswordHasher, PasswordVerifier};
        let parsed = PasswordHash::new(&stored).expect("PHC");
        assert!(
            Argon2::default()
                .verify_password(b"a long passphrase", &parsed)
                .is_ok()
        );
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        let theirs = Argon2::new(Algorithm::Argon2id, Version::V0x13, params())
            .hash_password(b"another", &salt)
            .expect("hash")
            .to_string();
        assert!(matches(b"another", &theirs, &mut memory));
        assert!(!matches(b"another", "not a hash", &mut memory));
    }
}
