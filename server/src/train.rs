//! `shelfwise train`, and the server's model lifecycle: load the persisted model at start (or
//! train one when there is none), retrain periodically, swap atomically.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::recommender::{self, ModelStatus, Recommender};
use app::store::Store;
use engine::recs::recommend::{Progress, TrainedModel};
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::GlobalArgs;
use crate::{Error, Result};

/// Train every model on the store and persist it (`DATA_DIR/model.bin`); a running server
/// picks it up at its next start or retrain.
pub fn run(global: &GlobalArgs) -> Result<()> {
    let (books, ratings) = {
        let store = Store::open(&global.store_dir(), global.cache_mb << 20)?;
        recommender::training_data(&store)
            .map_err(|e| Error::Usage(format!("reading the store failed: {e}")))?
        // The store closes here, before training's own peak: sled keeps more than its page
        // cache of what a full scan read (peak RSS 6.9 GB with the store open throughout,
        // 6.6 GB closed, on Book-Crossing).
    };
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {elapsed:>4} {msg}")
            .map_err(|e| Error::Usage(e.to_string()))?,
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let progress = |p: &Progress| bar.set_message(p.stage.clone());
    let started = Instant::now();
    let (model, n) = train_and_save((books, ratings), &global.data_dir, &progress)?;
    bar.finish_and_clear();
    println!(
        "trained on {n} ratings in {:.1} s: {}",
        started.elapsed().as_secs_f64(),
        model
            .train_secs
            .iter()
            .map(|(k, s)| format!("{k} {s:.1} s"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "wrote {}",
        recommender::model_path(&global.data_dir).display()
    );
    Ok(())
}

/// Train on what was read from the store and persist the model; returns it and the number
/// of ratings it saw.
fn train_and_save(
    (books, ratings): recommender::TrainingData,
    data_dir: &Path,
    progress: &(dyn Fn(&Progress) + Sync),
) -> Result<(TrainedModel, usize)> {
    let n = ratings.len();
    let model =
        TrainedModel::train_from_tuples(books, ratings, &recommender::serving_params(), progress)
            .map_err(|e| Error::Usage(format!("training failed: {e}")))?;
    recommender::save_atomic(&model, &recommender::model_path(data_dir))
        .map_err(|e| Error::Usage(format!("saving the model failed: {e}")))?;
    Ok((model, n))
}

/// At start: serve the persisted model, or train (and persist) one. Runs on a blocking
/// thread; the server answers from popularity meanwhile.
pub fn prepare(store: &Store, data_dir: &Path, recommender: &Recommender) {
    recommender.set_status(ModelStatus::Preparing);
    let path = recommender::model_path(data_dir);
    let started = Instant::now();
    if path.exists() {
        match TrainedModel::load(&path) {
            Ok(model) => {
                let ratings = store.rating_count();
                recommender.install(model, ratings);
                tracing::info!(seconds = started.elapsed().as_secs_f64(), "model loaded");
                return;
            }
            // An older format or a damaged file: train a new one rather than serve nothing.
            Err(e) => {
                tracing::warn!(error = %e, "the persisted model could not be read; retraining")
            }
        }
    }
    retrain(store, data_dir, recommender);
}

/// Train a new model from everything in the store, persist it, swap it in.
pub fn retrain(store: &Store, data_dir: &Path, recommender: &Recommender) {
    let started = Instant::now();
    let quiet = |_: &Progress| {};
    let trained = recommender::training_data(store)
        .map_err(|e| Error::Usage(format!("training failed: {e}")))
        .and_then(|data| train_and_save(data, data_dir, &quiet));
    match trained {
        Ok((model, ratings)) => {
            recommender.install(model, ratings);
            tracing::info!(
                ratings,
                seconds = started.elapsed().as_secs_f64(),
                "model trained"
            );
        }
        Err(e) => {
            tracing::error!(error = %e, "training failed; the previous model stays");
            if recommender.get().is_none() {
                recommender.set_status(ModelStatus::Failed(e.to_string()));
            }
        }
    }
}

/// Start the model lifecycle in the background: prepare now, then retrain every `period`
/// (none when zero).
pub fn start(store: Store, data_dir: &Path, recommender: Arc<Recommender>, period: Duration) {
    let data_dir = data_dir.to_path_buf();
    tokio::spawn(async move {
        {
            let (store, data_dir, rec) = (store.clone(), data_dir.clone(), recommender.clone());
            let _ = tokio::task::spawn_blocking(move || prepare(&store, &data_dir, &rec)).await;
        }
        if period.is_zero() {
            return;
        }
        let mut ticks = tokio::time::interval(period);
        ticks.tick().await;
        loop {
            ticks.tick().await;
            let (store, data_dir, rec) = (store.clone(), data_dir.clone(), recommender.clone());
            let _ = tokio::task::spawn_blocking(move || retrain(&store, &data_dir, &rec)).await;
        }
    });
}
