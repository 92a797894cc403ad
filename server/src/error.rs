//! The server binary's one error type.

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] app::backend::store::StoreError),
    /// Building the catalog (search index) failed.
    #[error(transparent)]
    Engine(#[from] engine::Error),
    /// Training or evaluating a recommendation model failed.
    #[error(transparent)]
    Recs(#[from] engine::recs::RecsError),
    /// Training from the store, or saving the trained model, failed.
    #[error("training failed: {0}")]
    Train(#[from] app::backend::recommender::TrainError),
    /// A command-line value is not valid.
    #[error("{0}")]
    Usage(String),
    /// Binding the address or serving failed.
    #[error("server I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// A backup could not be written, read or restored.
    #[error(transparent)]
    Backup(#[from] crate::backup::BackupError),
    /// A dataset folder lacks a required file.
    #[error("{0} not found: is this the right folder?")]
    MissingFile(String),
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
