//! The state every handler shares.

use crate::live::Hub;
use crate::store::Store;
use std::path::PathBuf;
use std::sync::Arc;

/// Shared server state; a clone (one per request and extractor) copies one pointer.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// What [`AppState`] points to.
pub struct Shared {
    pub store: Store,
    pub settings: Arc<Settings>,
    /// The watchers of live tallies and comments in this process.
    pub hub: Hub,
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// Settings fixed at start-up.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Concord is reached over HTTPS: `Secure` cookies with the `__Host-` prefix, and HSTS.
    pub https: bool,
    /// Sign-ups taken from one address per minute; 0 takes any number (as tests do).
    pub sign_ups_per_minute: u32,
    /// The built front end (`index.html` and its hashed assets), if served from a folder.
    pub assets: Option<PathBuf>,
    /// Serve the front end built into the binary (when `assets` is not set).
    pub embedded: bool,
    /// This server as a WebAuthn relying party; none offers no passkeys.
    pub passkeys: Option<Arc<crate::passkeys::RelyingParty>>,
    /// The SMTP server of e-mail reminders; none sends no mail and offers no e-mail settings.
    pub mailer: Option<Arc<crate::mail::Mailer>>,
}

impl AppState {
    /// State over `store` with `settings`.
    pub fn new(store: Store, settings: Settings) -> Self {
        Self(Arc::new(Shared {
            store,
            settings: Arc::new(settings),
            hub: Hub::default(),
        }))
    }
}
