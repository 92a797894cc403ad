//! The recommender: interaction matrices, the evaluation protocol, the models (popularity,
//! item-kNN, EASE, weighted ALS, content TF-IDF and their hybrid), fold-in of a reader who
//! was not in the training data, and explanations.
//!
//! Every collaborative model works on *works* (editions merged with [`crate::text::work_key`]),
//! so the signal of one book is not split over its ISBNs; a recommended work is shown as the
//! edition the reader most likely reads ([`editions`]). The pieces:
//!
//! - [`data`]: the catalog as the recommender sees it ([`data::ItemIndex`]), interactions
//!   (loaded by [`crate::datasets::load`]) and the sparse matrices built from them;
//! - [`editions`]: which edition of a recommended work a reader is shown;
//! - [`split`]: the hold-out protocol and the split files (Book-Crossing ratings layout);
//! - [`metrics`]: NDCG@k, Recall@k, hit rate and top-k selection;
//! - [`models`]: the models, each scoring works from a reader's rated works;
//! - [`trained`]: the trained bundle the server serves from ([`trained::TrainedModels`]):
//!   training every model ([`models::Fit`]) and persistence;
//! - [`serve`]: that bundle served under a deployment's [`serve::Rules`] ([`serve::Serving`]):
//!   fold-in, exclusions, the per-author cap ([`serve::cap_per_author`]), edition choice and
//!   explanations ([`serve::Explanation`]);
//! - [`onboarding`] and [`taste`]: the books a new reader is asked to rate, and a reader's
//!   taste in numbers;
//! - [`eval`]: `shelfwise eval` ([`eval::run`]) and the tuning `shelfwise train` does first
//!   ([`eval::train_tuned`], through [`trained::TrainedModels::train_from_tuples`]);
//! - [`external_als`]: the ALS component trained elsewhere (Spark MLlib): the interactions
//!   exported for it and the work factors read back.

pub mod data;
pub mod editions;
pub mod eval;
pub mod external_als;
pub mod metrics;
pub mod models;
pub mod onboarding;
pub mod rng;
pub mod serve;
pub mod split;
pub mod taste;
pub mod trained;

/// What a progress callback is told: the stage, and how far it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// E.g. `"training ease"`, `"scoring"`.
    pub stage: String,
    /// Units done.
    pub done: u64,
    /// Units in all (0 when unknown).
    pub total: u64,
}

/// A progress callback.
pub type ProgressFn<'a> = &'a (dyn Fn(&Progress) + Sync);

/// Everything that can go wrong in the recommender.
#[derive(Debug, thiserror::Error)]
pub enum RecsError {
    /// A dataset file could not be read or parsed.
    #[error(transparent)]
    Engine(#[from] crate::Error),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The configuration cannot be run (e.g. an unknown model name, an empty split).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A linear-algebra step failed (e.g. a Gram matrix that is not positive definite).
    #[error("linear algebra: {0}")]
    Linalg(String),
    /// Model factors trained elsewhere do not fit this catalog or model (another catalog,
    /// wrong dimensions, missing or unknown works, values that are not numbers).
    #[error("item factors: {0}")]
    Factors(String),
    /// A persisted model could not be encoded or decoded.
    #[error("model file: {0}")]
    Codec(#[from] postcard::Error),
    /// A persisted model is of a format this build does not read (written by another
    /// version): it is retrained, never decoded into something else.
    #[error("model file of format {found}; this build reads formats {readable:?}")]
    ModelFormat {
        /// The file's format.
        found: u32,
        /// The formats this build reads.
        readable: &'static [u32],
    },
}

/// Shorthand for results carrying [`RecsError`].
pub type Result<T, E = RecsError> = std::result::Result<T, E>;

impl RecsError {
    /// Wrap an I/O error with the path it concerns.
    pub fn io(path: impl AsRef<std::path::Path>, source: std::io::Error) -> RecsError {
        RecsError::Io {
            path: path.as_ref().display().to_string(),
            source,
        }
    }
}
