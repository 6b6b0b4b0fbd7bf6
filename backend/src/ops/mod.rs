//! What operators run besides serving: SQLite backups and restores, the demo consultation, and
//! the Prometheus metrics.

pub mod backup;
pub mod demo;
pub mod metrics;
