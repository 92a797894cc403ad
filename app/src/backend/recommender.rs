//! The trained recommendation model the server answers from (server only).
//!
//! Training takes minutes on Book-Crossing, so it never happens on a request: the server loads
//! the model persisted by the last training (`model.bin` in the data dir), or trains one in the
//! background when there is none, and answers from popularity until it is ready. A retrain
//! builds a whole new model beside the old one and swaps the pointer: readers never wait and
//! never see half a model.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use engine::recs::serve::Rules;
use engine::recs::trained::{TrainParams, TrainedModels};
use engine::recs::ProgressFn;

use crate::backend::store::{Store, StoreError};

/// The rules the site serves every list under: a row of ten shows at most two books by one
/// author (training's own cap, which the evaluation scores, stays in the model file).
pub const RULES: Rules = Rules { max_per_author: 2 };

/// The file the model is persisted to, inside the data dir.
pub const MODEL_FILE: &str = "model.bin";

/// The model's file in a data dir.
pub fn model_path(data_dir: &Path) -> PathBuf {
    data_dir.join(MODEL_FILE)
}

/// Where the model stands.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelStatus {
    /// No model yet, none being trained.
    Missing,
    /// Loading a persisted model or training one.
    Preparing,
    /// Serving a model trained on this many ratings.
    Ready {
        /// Ratings the model was trained on.
        ratings: usize,
    },
    /// The last attempt failed (the previous model, if any, is still served).
    Failed(String),
}

/// The current model behind a lock that is only held to clone or swap an `Arc`.
#[derive(Debug)]
pub struct Recommender {
    model: RwLock<Option<Arc<TrainedModels>>>,
    status: RwLock<ModelStatus>,
    /// Bumped on every swap, so lists computed from an older model are never served again.
    generation: AtomicU64,
}

impl Default for Recommender {
    fn default() -> Self {
        Recommender {
            model: RwLock::new(None),
            status: RwLock::new(ModelStatus::Missing),
            generation: AtomicU64::new(0),
        }
    }
}

impl Recommender {
    /// The model to answer this request with, if one is ready.
    pub fn get(&self) -> Option<Arc<TrainedModels>> {
        self.model.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The model with its generation, read together so a list is never cached under the
    /// generation of a model it was not computed from.
    pub fn get_with_generation(&self) -> (u64, Option<Arc<TrainedModels>>) {
        let model = self.model.read().unwrap_or_else(|p| p.into_inner());
        (self.generation.load(Ordering::Acquire), model.clone())
    }

    /// Swap in a new model (atomically: requests in flight keep the one they hold).
    pub fn install(&self, model: TrainedModels, ratings: usize) {
        let mut slot = self.model.write().unwrap_or_else(|p| p.into_inner());
        *slot = Some(Arc::new(model));
        self.generation.fetch_add(1, Ordering::AcqRel);
        drop(slot);
        self.set_status(ModelStatus::Ready { ratings });
    }

    /// Record where the model stands.
    pub fn set_status(&self, status: ModelStatus) {
        *self.status.write().unwrap_or_else(|p| p.into_inner()) = status;
    }

    /// Where the model stands.
    pub fn status(&self) -> ModelStatus {
        self.status
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

/// Errors of training from the store.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// Reading the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The engine refused (e.g. an empty catalog).
    #[error(transparent)]
    Recs(#[from] engine::recs::RecsError),
    /// Writing the model file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

/// The parameters the server trains with: the engine's defaults.
pub fn serving_params() -> TrainParams {
    TrainParams::default()
}

/// What training reads from the store: the catalog's books, and the ratings that count for
/// everyone as `(user, book, value)`.
pub type TrainingData = (Vec<engine::records::Book>, Vec<(u32, u32, u8)>);

/// Read everything training needs out of the store: the dataset's ratings and those of
/// established readers (see [`crate::backend::store::standing`]: a reader who appeared
/// moments ago shapes their own lists, not other readers' models).
pub fn training_data(store: &Store) -> Result<TrainingData, TrainError> {
    training_data_as_of(store, crate::backend::auth::now())
}

/// [`training_data`] as of `now` (Unix seconds).
pub fn training_data_as_of(store: &Store, now: u64) -> Result<TrainingData, TrainError> {
    let books = store
        .books()
        .map(|b| b.map(|(_, book)| book))
        .collect::<Result<Vec<_>, _>>()?;
    let uncounted = store.unestablished_readers(now)?;
    let mut ratings = Vec::with_capacity(store.rating_count());
    for r in store.all_ratings() {
        let (user, book, rating) = r?;
        if !uncounted.contains(&user) {
            ratings.push((user, book, rating.value()));
        }
    }
    Ok((books, ratings))
}

/// Train every model on the store's ratings that count for everyone (see [`training_data`]).
/// Returns the model and the number of ratings it saw.
pub fn train_from_store(
    store: &Store,
    params: &TrainParams,
    progress: ProgressFn<'_>,
) -> Result<(TrainedModels, usize), TrainError> {
    let (books, ratings) = training_data(store)?;
    let n = ratings.len();
    let model = TrainedModels::train_from_tuples(books, ratings, params, progress)?;
    Ok((model, n))
}

/// Write a model so that a reader of `path` sees the old file or the new one, never a part:
/// write beside it, then rename over it.
pub fn save_atomic(model: &TrainedModels, path: &Path) -> Result<(), TrainError> {
    let tmp = path.with_extension("bin.tmp");
    model.save(&tmp)?;
    std::fs::rename(&tmp, path).map_err(|source| TrainError::Io {
        path: path.display().to_string(),
        source,
    })
}
