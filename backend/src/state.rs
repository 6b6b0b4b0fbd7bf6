//! The state every handler shares.

use crate::live::Hub;
use crate::store::Store;
use std::path::PathBuf;
use std::sync::Arc;

/// Shared, cheaply cloned server state.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub settings: Arc<Settings>,
    /// The watchers of live tallies in this process.
    pub hub: Hub,
}

/// Settings fixed at start-up.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Concord is reached over HTTPS: `Secure` cookies with the `__Host-` prefix, and HSTS.
    pub https: bool,
    /// The built front end (`index.html` and its hashed assets), if served by this process.
    pub assets: Option<PathBuf>,
}

impl AppState {
    /// State over `store` with `settings`.
    pub fn new(store: Store, settings: Settings) -> Self {
        Self {
            store,
            settings: Arc::new(settings),
            hub: Hub::default(),
        }
    }
}
