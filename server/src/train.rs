//! `shelfwise train`, and the server's model lifecycle: load the persisted model at start (or
//! train one when there is none), retrain periodically, swap atomically.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::backend::recommender::{self, ModelStatus, Recommender};
use app::backend::store::Store;
use engine::recs::trained::{TrainParams, TrainedModels};
use engine::recs::Progress;
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::{GlobalArgs, TrainArgs};
use crate::{Error, Result};

/// Train every model on the store and persist it (`DATA_DIR/model.bin`); a running server
/// picks it up at its next start or retrain. With `--als-factors`, ALS is Spark's
/// ([`crate::external_als`]).
pub fn run(global: &GlobalArgs, args: &TrainArgs) -> Result<()> {
    let (books, ratings) = {
        let store = Store::open(&global.store_dir(), global.cache_mb << 20)?;
        recommender::training_data(&store)?
        // The store closes here, before training's own peak: sled keeps more than its page
        // cache of what a full scan read (`bench/results/training-rss-2026-12-02.txt`).
    };
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {elapsed:>4} {msg}")
            .map_err(|e| Error::Usage(e.to_string()))?,
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let progress = |p: &Progress| bar.set_message(p.stage.clone());
    let started = Instant::now();
    let (model, n) = train_and_save(
        (books, ratings),
        &global.data_dir,
        args.als_factors.as_deref(),
        &global.train_params(),
        &progress,
    )?;
    bar.finish_and_clear();
    println!(
        "trained on {n} ratings in {:.1} s: {}",
        started.elapsed().as_secs_f64(),
        seconds(&model.train_secs)
    );
    if !model.tuning_secs.is_empty() {
        println!(
            "tuned on a validation split first: {}",
            seconds(&model.tuning_secs)
        );
    }
    println!(
        "wrote {}",
        recommender::model_path(&global.data_dir).display()
    );
    Ok(())
}

/// `name 1.2 s, other 3.4 s`: what each stage took.
fn seconds<K: std::fmt::Display>(stages: &[(K, f64)]) -> String {
    stages
        .iter()
        .map(|(k, s)| format!("{k} {s:.1} s"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Train on what was read from the store with `params` (ALS from the factor folder
/// `als_factors` when given) and persist the model; returns it and the number of ratings it saw.
fn train_and_save(
    (books, ratings): recommender::TrainingData,
    data_dir: &Path,
    als_factors: Option<&Path>,
    params: &TrainParams,
    progress: &(dyn Fn(&Progress) + Sync),
) -> Result<(TrainedModels, usize)> {
    let n = ratings.len();
    let model = match als_factors {
        Some(dir) => {
            crate::external_als::train_with_factors((books, ratings), dir, params, progress)?
        }
        None => TrainedModels::train_from_tuples(books, ratings, params, progress)
            .map_err(recommender::TrainError::from)?,
    };
    recommender::save_atomic(&model, &recommender::model_path(data_dir))?;
    Ok((model, n))
}

/// At start: serve the persisted model, or train (and persist) one. Runs on a blocking
/// thread; the server answers from popularity meanwhile.
pub fn prepare(store: &Store, data_dir: &Path, params: &TrainParams, recommender: &Recommender) {
    recommender.set_status(ModelStatus::Preparing);
    let path = recommender::model_path(data_dir);
    let started = Instant::now();
    if path.exists() {
        match TrainedModels::load(&path) {
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
    retrain(store, data_dir, params, recommender);
}

/// Train a new model from everything in the store with `params`, persist it, swap it in.
pub fn retrain(store: &Store, data_dir: &Path, params: &TrainParams, recommender: &Recommender) {
    let started = Instant::now();
    let quiet = |_: &Progress| {};
    let trained = recommender::training_data(store)
        .map_err(Error::from)
        .and_then(|data| train_and_save(data, data_dir, None, params, &quiet));
    match trained {
        Ok((model, ratings)) => {
            // Where a retraining's time went: most of it is the tuning when it is on.
            let tuning = seconds(&model.tuning_secs);
            recommender.install(model, ratings);
            tracing::info!(
                ratings,
                seconds = started.elapsed().as_secs_f64(),
                tuning,
                "model trained"
            );
        }
        Err(e) => failed(recommender, &e),
    }
}

/// Log a failed load or training and, when no model is served, say so in the status
/// (`/readyz` reports it); otherwise the previous model stays.
fn failed(recommender: &Recommender, error: &dyn std::fmt::Display) {
    tracing::error!(%error, "training failed; the previous model, if any, stays");
    if recommender.get().is_none() {
        recommender.set_status(ModelStatus::Failed(error.to_string()));
    }
}

/// Run one step of the lifecycle on a blocking thread. A panic in it (a bug in a model) is
/// not a model that is still being prepared: it is logged and reported like any failure,
/// instead of leaving `/readyz` at "preparing" for good.
async fn run_step(recommender: Arc<Recommender>, step: impl FnOnce(&Recommender) + Send + 'static) {
    let rec = recommender.clone();
    if let Err(e) = tokio::task::spawn_blocking(move || step(&rec)).await {
        let why = if e.is_panic() {
            format!("training panicked: {e}")
        } else {
            format!("training was cancelled: {e}")
        };
        failed(&recommender, &why);
    }
}

/// When the server retrains by itself: as soon as enough has changed, at most once per check,
/// and after a while if anything changed at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetrainPolicy {
    /// How often to look at what changed since the last model: the shortest gap between two
    /// trainings (zero: only `max_age` counts).
    pub check_every: Duration,
    /// New ratings plus new books since the last model that make a check retrain.
    pub min_changes: usize,
    /// After this long, any change at all is enough (zero: never by age).
    pub max_age: Duration,
}

/// The store's size a model was trained at (or loaded over), and when.
#[derive(Debug, Clone, Copy)]
struct Baseline {
    ratings: usize,
    books: usize,
    at: Instant,
}

impl Baseline {
    fn of(store: &Store) -> Baseline {
        Baseline {
            ratings: store.rating_count(),
            books: store.book_count(),
            at: Instant::now(),
        }
    }
}

impl RetrainPolicy {
    /// How often the loop wakes up (`None`: never).
    fn tick(&self) -> Option<Duration> {
        [self.check_every, self.max_age]
            .into_iter()
            .filter(|d| !d.is_zero())
            .min()
    }

    /// Whether a model trained at `base` should be replaced, now that the store holds
    /// `ratings` and `books` and `age` has passed. Counts, not a change log: a reader
    /// changing a rating they had given is not a new rating (fold-in shows it at once anyway).
    fn due(&self, base: (usize, usize), now: (usize, usize), age: Duration) -> bool {
        let changes = base.0.abs_diff(now.0) + base.1.abs_diff(now.1);
        let enough = !self.check_every.is_zero() && changes >= self.min_changes.max(1);
        let old = !self.max_age.is_zero() && age >= self.max_age && changes > 0;
        enough || old
    }
}

/// Start the model lifecycle in the background: prepare now, then retrain with `params`
/// whenever `policy` says so.
pub fn start(
    store: Store,
    data_dir: &Path,
    params: TrainParams,
    recommender: Arc<Recommender>,
    policy: RetrainPolicy,
) {
    let data_dir = data_dir.to_path_buf();
    let params = Arc::new(params);
    tokio::spawn(async move {
        let mut base = Baseline::of(&store);
        {
            let (store, data_dir, params) = (store.clone(), data_dir.clone(), params.clone());
            run_step(recommender.clone(), move |rec| {
                prepare(&store, &data_dir, &params, rec)
            })
            .await;
        }
        let Some(tick) = policy.tick() else {
            return;
        };
        let mut ticks = tokio::time::interval(tick);
        ticks.tick().await;
        loop {
            ticks.tick().await;
            let now = Baseline::of(&store);
            let age = base.at.elapsed();
            if !policy.due((base.ratings, base.books), (now.ratings, now.books), age) {
                continue;
            }
            tracing::info!(
                new_ratings = now.ratings.abs_diff(base.ratings),
                new_books = now.books.abs_diff(base.books),
                hours_since_last = age.as_secs_f64() / 3600.0,
                "retraining: the store changed"
            );
            // Counted before training reads the store: what readers add meanwhile counts
            // toward the next one.
            base = now;
            let (store, data_dir, params) = (store.clone(), data_dir.clone(), params.clone());
            run_step(recommender.clone(), move |rec| {
                retrain(&store, &data_dir, &params, rec)
            })
            .await;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_step_that_panics_is_reported_not_left_preparing() {
        let recommender = Arc::new(Recommender::default());
        recommender.set_status(ModelStatus::Preparing);
        run_step(recommender.clone(), |_| panic!("a bug in a model")).await;
        match recommender.status() {
            ModelStatus::Failed(why) => assert!(why.contains("panicked"), "{why}"),
            other => panic!("still {other:?}"),
        }
    }

    const HOUR: Duration = Duration::from_secs(3600);

    fn policy() -> RetrainPolicy {
        RetrainPolicy {
            check_every: HOUR,
            min_changes: 1_000,
            max_age: 24 * HOUR,
        }
    }

    #[test]
    fn enough_new_ratings_or_books_retrain_at_the_next_check() {
        let p = policy();
        let base = (50_000, 2_000);
        assert!(!p.due(base, (50_999, 2_000), HOUR));
        assert!(p.due(base, (51_000, 2_000), HOUR));
        // Books readers added count too.
        assert!(p.due(base, (50_600, 2_400), HOUR));
        // A store that shrank (ratings removed, a restore) changed as well.
        assert!(p.due(base, (48_000, 2_000), HOUR));
    }

    #[test]
    fn a_day_old_model_retrains_on_any_change_and_never_without_one() {
        let p = policy();
        let base = (50_000, 2_000);
        assert!(!p.due(base, (50_001, 2_000), 23 * HOUR));
        assert!(p.due(base, (50_001, 2_000), 24 * HOUR));
        assert!(!p.due(base, base, 100 * HOUR));
    }

    #[test]
    fn zero_turns_either_rule_off() {
        let base = (50_000, 2_000);
        let no_checks = RetrainPolicy {
            check_every: Duration::ZERO,
            ..policy()
        };
        assert!(!no_checks.due(base, (90_000, 2_000), HOUR));
        assert!(no_checks.due(base, (50_001, 2_000), 24 * HOUR));
        assert_eq!(no_checks.tick(), Some(24 * HOUR));
        let never_by_age = RetrainPolicy {
            max_age: Duration::ZERO,
            ..policy()
        };
        assert!(!never_by_age.due(base, (50_001, 2_000), 1_000 * HOUR));
        assert_eq!(never_by_age.tick(), Some(HOUR));
        let never = RetrainPolicy {
            check_every: Duration::ZERO,
            max_age: Duration::ZERO,
            min_changes: 1,
        };
        assert_eq!(never.tick(), None);
    }

    #[tokio::test]
    async fn a_step_that_returns_keeps_its_status() {
        let recommender = Arc::new(Recommender::default());
        run_step(recommender.clone(), |r| r.set_status(ModelStatus::Missing)).await;
        assert_eq!(recommender.status(), ModelStatus::Missing);
    }
}
