//! `shelfwise eval` and `shelfwise train`: load a dataset, split it (or read a split), train
//! every model, score them by the protocol of [`super::split`], and print one table.
//!
//! Wiring from a CLI is a few lines:
//!
//! ```no_run
//! use engine::recs::eval::{run, DataSource, EvalConfig};
//! let config = EvalConfig::new(DataSource::BookCrossing("data/raw".into()));
//! let report = run(&config, &|p| eprintln!("{} {}/{}", p.stage, p.done, p.total)).unwrap();
//! println!("{report}");
//! ```

use std::collections::HashSet;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use super::data::{self, Interaction, ItemIndex, TrainMatrix};
use super::editions::ReaderPublishers;
use super::metrics::{self, Scores};
use super::models::hybrid::{prior_factor, with_prior, Blend, BlendWeights};
use super::models::rerank::RerankParams;
use super::models::ModelKind;
use super::models::Scorer;
use super::split::{self, Protocol};
use super::trained::{TrainParams, TrainedModels};
use super::{Progress, ProgressFn};
use super::{RecsError, Result};
use crate::datasets::load::{self, Dataset};
pub use cold::{cold_split, write_buckets, BucketRow, ColdSplit, ColdStart};
use lists::write_lists;
pub use lists::write_recs;
use score::{cases, score_cases, score_model, the_split, user_rows, Shown, UserCase};
pub use tune::{tune_blend, Tuned};

mod cold;
mod lists;
mod score;
mod tune;

/// Where the ratings come from.
#[derive(Debug, Clone, PartialEq)]
pub enum DataSource {
    /// A directory with `BX-Books.csv` and `BX-Book-Ratings.csv`.
    BookCrossing(PathBuf),
    /// A directory with goodbooks-10k's `books.csv` and `ratings.csv` (tags optional).
    Goodbooks(PathBuf),
}

/// Load a dataset.
pub fn load(source: &DataSource) -> Result<Dataset> {
    match source {
        DataSource::BookCrossing(dir) => load::load_bookcrossing(dir),
        DataSource::Goodbooks(dir) => load::load_goodbooks(dir),
    }
}

/// What `shelfwise eval` runs.
#[derive(Debug, Clone)]
pub struct EvalConfig {
    /// The dataset (its book table is the catalog; its ratings are split unless files are given).
    pub data: DataSource,
    /// `--train FILE`: training ratings in the Book-Crossing ratings layout.
    pub train_file: Option<PathBuf>,
    /// `--test FILE`: held-out ratings in the same layout.
    pub test_file: Option<PathBuf>,
    /// The hold-out protocol (used when no split files are given, and for validation).
    pub protocol: Protocol,
    /// Write the split used as `train.csv` and `test.csv` into this directory.
    pub split_out: Option<PathBuf>,
    /// `--recs-out FILE`: write `user_id,rank,isbn` (top 20) for every scored test user (the
    /// users with a relevant held-out book: the ones the metrics average over).
    pub recs_out: Option<PathBuf>,
    /// `--model NAME`: whose recommendations `recs_out` gets (default: best on validation).
    pub recs_model: Option<ModelKind>,
    /// Model settings.
    pub params: TrainParams,
    /// Tune the hybrid's weights on a validation split carved from the training data.
    pub tune_blend: bool,
    /// Score only the first this many test users (quick runs and tests).
    pub max_users: Option<usize>,
    /// Which exclusions the scored lists follow.
    pub rules: EvalRules,
    /// `--cold-start`: evaluate on the cold-start split instead (see [`ColdStart`]); the
    /// split directory also gets `buckets.csv`, and the report per-bucket rows.
    pub cold_start: Option<ColdStart>,
    /// `--lists-out DIR`: write every scored model's top-20 lists, `DIR/shelfwise-MODEL.csv`.
    pub lists_out: Option<PathBuf>,
}

/// The rules evaluated lists follow. Both leave out every work the user has in training
/// (any edition of it) and show one edition per work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvalRules {
    /// The protocol's: no author cap (the peers have none).
    Protocol,
    /// The product's: at most `max_per_author` works by one author.
    Product,
}

impl EvalConfig {
    /// The default evaluation of a dataset: protocol split, every model, tuned hybrid.
    pub fn new(data: DataSource) -> EvalConfig {
        EvalConfig {
            data,
            train_file: None,
            test_file: None,
            protocol: Protocol::default(),
            split_out: None,
            recs_out: None,
            recs_model: None,
            params: TrainParams {
                rerank: Some(RerankParams::default()),
                ..TrainParams::default()
            },
            tune_blend: true,
            max_users: None,
            rules: EvalRules::Protocol,
            cold_start: None,
            lists_out: None,
        }
    }
}

/// One model's line of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelRow {
    /// Model name.
    pub model: String,
    /// Metrics per ISBN.
    pub isbn: Scores,
    /// Metrics per work.
    pub work: Scores,
    /// Share of the catalog's editions that appear in some top-10.
    pub coverage: f64,
    /// Training time in seconds.
    pub train_secs: f64,
}

/// The result of an evaluation.
#[derive(Debug, Clone)]
pub struct EvalReport {
    /// One row per model.
    pub rows: Vec<ModelRow>,
    /// Editions in the catalog.
    pub catalog: usize,
    /// Training ratings.
    pub train_ratings: usize,
    /// Held-out ratings.
    pub test_ratings: usize,
    /// Users scored (with a relevant held-out book).
    pub users: usize,
    /// The hybrid's weights (tuned on validation when asked).
    pub blend: Blend,
    /// Validation NDCG@10 (per work) of each single model and of the tuned hybrid.
    pub validation: Vec<(String, f64)>,
    /// Seconds spent tuning the hybrid (validation training included).
    pub tune_secs: f64,
    /// Per cold-start bucket and model (empty unless `cold_start` was asked).
    pub buckets: Vec<BucketRow>,
    /// The hybrid's reranker, when one was trained: the smallest profile it reranks, and each
    /// feature's share of the trees' gain.
    pub reranker: Option<(usize, Vec<(&'static str, f32)>)>,
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "catalog {} editions · train {} ratings · test {} ratings · {} users scored",
            self.catalog, self.train_ratings, self.test_ratings, self.users
        )?;
        writeln!(
            f,
            "{:<12} {:>8} {:>9} {:>7} | {:>8} {:>9} {:>7} | {:>8} {:>9}",
            "", "per ISBN", "", "", "per work", "", "", "", ""
        )?;
        writeln!(
            f,
            "{:<12} {:>8} {:>9} {:>7} | {:>8} {:>9} {:>7} | {:>8} {:>9}",
            "model",
            "NDCG@10",
            "Recall@20",
            "HR@10",
            "NDCG@10",
            "Recall@20",
            "HR@10",
            "coverage",
            "train s"
        )?;
        for r in &self.rows {
            writeln!(
                f,
                "{:<12} {:>8.4} {:>9.4} {:>7.4} | {:>8.4} {:>9.4} {:>7.4} | {:>7.2}% {:>9.1}",
                r.model,
                r.isbn.ndcg10,
                r.isbn.recall20,
                r.isbn.hr10,
                r.work.ndcg10,
                r.work.recall20,
                r.work.hr10,
                r.coverage * 100.0,
                r.train_secs
            )?;
        }
        if !self.validation.is_empty() {
            let v: Vec<String> = self
                .validation
                .iter()
                .map(|(m, s)| format!("{m} {s:.4}"))
                .collect();
            writeln!(f, "validation NDCG@10 per work: {}", v.join(" · "))?;
            for (i, w) in self.blend.weights.iter().enumerate() {
                let lo = if i == 0 { 0 } else { self.blend.bounds[i - 1] };
                let hi = self
                    .blend
                    .bounds
                    .get(i)
                    .map(|b| format!("{}", b - 1))
                    .unwrap_or_else(|| "∞".into());
                writeln!(
                    f,
                    "hybrid weights for {lo}–{hi} rated: ease {} knn {} als {} content {} popularity {} prior^{}",
                    w.ease, w.knn, w.als, w.content, w.popularity, w.prior
                )?;
            }
        }
        if let Some((min_profile, gains)) = &self.reranker {
            let gains: Vec<String> = gains
                .iter()
                .map(|(name, g)| format!("{name} {:.0} %", g * 100.0))
                .collect();
            writeln!(
                f,
                "hybrid reranked from {min_profile} rated works; gain per feature: {}",
                gains.join(" · ")
            )?;
        }
        if !self.buckets.is_empty() {
            writeln!(f, "cold start: readers cut down to n training interactions")?;
            writeln!(
                f,
                "{:<12} {:>3} {:>6} | {:>8} {:>9} {:>7} | {:>8} {:>9} {:>7}",
                "model",
                "n",
                "users",
                "NDCG@10",
                "Recall@20",
                "HR@10",
                "NDCG@10",
                "Recall@20",
                "HR@10"
            )?;
            for b in &self.buckets {
                writeln!(
                    f,
                    "{:<12} {:>3} {:>6} | {:>8.4} {:>9.4} {:>7.4} | {:>8.4} {:>9.4} {:>7.4}",
                    b.model,
                    b.bucket,
                    b.users,
                    b.isbn.ndcg10,
                    b.isbn.recall20,
                    b.isbn.hr10,
                    b.work.ndcg10,
                    b.work.recall20,
                    b.work.hr10
                )?;
            }
        }
        Ok(())
    }
}

/// Run the evaluation: load, split, (tune,) train, score, and optionally write the split and
/// the recommendations.
pub fn run(config: &EvalConfig, progress: ProgressFn<'_>) -> Result<EvalReport> {
    progress(&Progress {
        stage: "loading".into(),
        done: 0,
        total: 0,
    });
    let dataset = load(&config.data)?;
    let (split, buckets) = match &config.cold_start {
        Some(cold) => {
            let c = cold_split(&dataset.ratings, cold, config.protocol.relevant_min);
            (c.split, c.buckets)
        }
        None => (the_split(config, &dataset)?, Vec::new()),
    };
    if split.train.is_empty() || split.test.is_empty() {
        return Err(RecsError::Config("empty training or test split".into()));
    }
    if let Some(dir) = &config.split_out {
        std::fs::create_dir_all(dir).map_err(|e| RecsError::io(dir, e))?;
        split::write_ratings(&dir.join("train.csv"), &dataset.items, &split.train)?;
        split::write_ratings(&dir.join("test.csv"), &dataset.items, &split.test)?;
        split::write_works(&dir.join("works.csv"), &dataset.items)?;
        if !buckets.is_empty() {
            write_buckets(&dir.join("buckets.csv"), &buckets)?;
        }
    }
    if let Some(dir) = &config.lists_out {
        std::fs::create_dir_all(dir).map_err(|e| RecsError::io(dir, e))?;
    }
    let mut params = config.params.clone();
    let (mut validation, mut tune_secs, mut reranker) = (Vec::new(), 0.0, None);
    if config.tune_blend && params.models.contains(&ModelKind::Hybrid) {
        let t = Instant::now();
        let tuned = tune_blend(
            &dataset.items,
            &split.train,
            &params,
            &config.protocol,
            config.max_users,
            config.params.rerank.as_ref(),
            progress,
        )?;
        params.blend = tuned.blend;
        validation = tuned.validation;
        reranker = tuned.reranker;
        tune_secs = t.elapsed().as_secs_f64();
    }
    let m = TrainMatrix::build(&dataset.items, &split.train, &params.weighting);
    let mut model = TrainedModels::fit(dataset.items.clone(), &m, &split.train, &params, progress)?;
    model.reranker = reranker;
    let cases = cases(
        &dataset.items,
        &m,
        &split.test,
        &config.protocol,
        config.max_users,
    );
    // The model whose lists `--recs-out` gets: asked for, else the best on validation.
    let recs_kind = config.recs_out.as_ref().map(|_| {
        config.recs_model.unwrap_or_else(|| {
            validation
                .iter()
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .and_then(|(name, _)| name.parse().ok())
                .unwrap_or(ModelKind::Ease)
        })
    });
    let mut recs_lists: Option<Vec<Vec<u32>>> = None;
    let mut rows = Vec::new();
    let mut bucket_rows = Vec::new();
    let bucket_of: std::collections::HashMap<u32, usize> = buckets.iter().copied().collect();
    for kind in ModelKind::ALL {
        if !params.models.contains(&kind) {
            continue;
        }
        let Some(scorer) = model.scorer(kind) else {
            continue;
        };
        let (isbn, work, coverage, lists) = score_model(
            &model,
            config.rules,
            &*scorer,
            &cases,
            progress,
            kind.name(),
        );
        if let Some(dir) = &config.lists_out {
            let users: Vec<u32> = cases.iter().map(|c| c.user).collect();
            let path = dir.join(format!("shelfwise-{}.csv", kind.name()));
            write_lists(&path, &model.items, &users, &lists)?;
        }
        if let Some(cold) = &config.cold_start {
            for &n in &cold.sizes {
                let mine: Vec<&UserCase> = cases
                    .iter()
                    .filter(|c| bucket_of.get(&c.user) == Some(&n))
                    .collect();
                let (isbn, work) = score_cases(&model, config.rules, &*scorer, &mine);
                bucket_rows.push(BucketRow {
                    model: kind.name().to_string(),
                    bucket: n,
                    users: mine.len(),
                    isbn,
                    work,
                });
            }
        }
        if recs_kind == Some(kind) {
            recs_lists = Some(lists);
        }
        let train_secs = model
            .train_secs
            .iter()
            .find(|s| s.0 == kind)
            .map(|s| s.1)
            .unwrap_or(0.0)
            + if kind == ModelKind::Hybrid {
                tune_secs
            } else {
                0.0
            };
        rows.push(ModelRow {
            model: kind.name().to_string(),
            isbn,
            work,
            coverage,
            train_secs,
        });
    }
    if let (Some(path), Some(kind)) = (&config.recs_out, recs_kind) {
        match recs_lists {
            Some(lists) => {
                let users: Vec<u32> = cases.iter().map(|c| c.user).collect();
                write_lists(path, &model.items, &users, &lists)?;
            }
            None => write_recs(path, &model, kind, &m, &split.test, config.rules, progress)?,
        }
    }
    Ok(EvalReport {
        rows,
        catalog: dataset.items.len(),
        train_ratings: split.train.len(),
        test_ratings: split.test.len(),
        users: cases.len(),
        blend: params.blend.clone(),
        validation,
        tune_secs,
        buckets: bucket_rows,
        reranker: model
            .reranker
            .as_ref()
            .map(|r| (r.min_profile, r.importances())),
    })
}

/// One model of an already trained bundle scored on the held-out readers of `test` (those with
/// a relevant held-out book; the first `max_users` of them), as its row of [`run`]'s table;
/// `None` when the bundle lacks the model. For callers that train the bundle themselves, e.g.
/// with ALS factors from Spark (`examples/spark_als.rs`).
pub fn score_trained(
    model: &TrainedModels,
    kind: ModelKind,
    m: &TrainMatrix,
    test: &[Interaction],
    protocol: &Protocol,
    rules: EvalRules,
    max_users: Option<usize>,
) -> Option<ModelRow> {
    let scorer = model.scorer(kind)?;
    let cases = cases(&model.items, m, test, protocol, max_users);
    let (isbn, work, coverage, _) =
        score_model(model, rules, &*scorer, &cases, &|_| {}, kind.name());
    let train_secs = model
        .train_secs
        .iter()
        .find(|s| s.0 == kind)
        .map_or(0.0, |s| s.1);
    Some(ModelRow {
        model: kind.name().to_string(),
        isbn,
        work,
        coverage,
        train_secs,
    })
}

/// Fewest validation readers a tuning must have to replace the given blend: below it (a small
/// or new store) the weights would follow a handful of readers.
pub const MIN_TUNING_READERS: usize = 200;

/// Most validation readers a training tunes on: their candidates' features are held in memory
/// (about 22 MB per 1,000 readers, twice that for the reranker's copy), so beyond this the
/// tuning's memory and time stop growing with the data. Book-Crossing has about 11,000.
pub const MAX_TUNING_READERS: usize = 20_000;

/// Tune the blend and train the reranker (`params.rerank`, default settings when `None`) on a
/// validation split of `ratings` (at most [`MAX_TUNING_READERS`] of its readers), then train
/// every model on all of them. A store with fewer than [`MIN_TUNING_READERS`] validation
/// readers keeps `params.blend` and gets no reranker.
pub fn train_tuned(
    items: ItemIndex,
    ratings: &[Interaction],
    params: &TrainParams,
    progress: ProgressFn<'_>,
) -> Result<TrainedModels> {
    let mut params = params.clone();
    let rerank = params.rerank.unwrap_or_default();
    let tuned = tune_blend(
        &items,
        ratings,
        &params,
        &Protocol::default(),
        Some(MAX_TUNING_READERS),
        Some(&rerank),
        progress,
    )?;
    let mut reranker = None;
    if tuned.readers >= MIN_TUNING_READERS {
        params.blend = tuned.blend;
        reranker = tuned.reranker;
    }
    let mut model = TrainedModels::train(items, ratings, &params, progress)?;
    model.reranker = reranker;
    model.tuning_secs = tuned.secs;
    Ok(model)
}
