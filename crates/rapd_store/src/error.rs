//! The storage layer's error type.

use rapd_model::Rejection;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The lifecycle refused the mutation; nothing was written.
    #[error(transparent)]
    Rejected(#[from] Rejection),
    /// The engine could not do the work now (I/O, a lost connection, shutdown); nothing was
    /// acknowledged.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// The engine refused the transaction because a concurrent one touched the same rows
    /// (serialization failure, deadlock, lost insert race); nothing was written, and the same
    /// call may succeed if retried.
    #[error("concurrent transaction conflict: {0}")]
    Conflict(String),
    /// Stored data could not be read back as a valid value.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The store could not be opened or migrated.
    #[error("cannot open the store: {0}")]
    Open(String),
}
