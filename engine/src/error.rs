//! The engine's one error type.

/// Everything that can go wrong inside the engine.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading an input stream failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// A CSV file could not be read as CSV at all (not a single bad row: those are rejected).
    #[error("CSV error: {0}")]
    Csv(#[from] csv::Error),
    /// A file does not have the header the dataset layout requires.
    #[error("unexpected header in {file}: expected {expected:?}, found {found:?}")]
    Header {
        /// Which file.
        file: String,
        /// The header the layout publishes.
        expected: String,
        /// What the file had.
        found: String,
    },
    /// The search index could not be built.
    #[error("search index: {0}")]
    Index(String),
}

/// Shorthand for results carrying [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
