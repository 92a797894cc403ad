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
use super::models::ModelKind;
use super::models::Scorer;
use super::split::{self, Protocol};
use super::trained::{TrainParams, TrainedModels};
use super::{Progress, ProgressFn};
use super::{RecsError, Result};
use crate::datasets::load::{self, Dataset};

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
            params: TrainParams::default(),
            tune_blend: true,
            max_users: None,
            rules: EvalRules::Protocol,
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
        Ok(())
    }
}

/// The ranked works of one user, and what they are scored against.
struct UserCase {
    user: u32,
    profile: Vec<(u32, f32)>,
    /// The user's training editions.
    train_isbns: Vec<u32>,
    relevant_isbn: Vec<u32>,
    relevant_work: Vec<u32>,
}

fn cases(
    items: &ItemIndex,
    m: &TrainMatrix,
    test: &[Interaction],
    protocol: &Protocol,
    max: Option<usize>,
) -> Vec<UserCase> {
    let mut users = split::relevant_by_user(test, protocol.relevant_min);
    if let Some(max) = max {
        users.truncate(max);
    }
    users
        .into_iter()
        .map(|(user, relevant_isbn)| {
            // A test user without training data gets an empty profile (popularity).
            let (profile, train_isbns) = user_rows(m, user);
            let mut relevant_work: Vec<u32> = relevant_isbn
                .iter()
                .map(|&e| items.work_of[e as usize])
                .collect();
            relevant_work.sort_unstable();
            relevant_work.dedup();
            UserCase {
                user,
                profile,
                train_isbns,
                relevant_isbn,
                relevant_work,
            }
        })
        .collect()
}

/// A user's training profile (works) and training editions; empty for an unknown user.
fn user_rows(m: &TrainMatrix, user: u32) -> (Vec<(u32, f32)>, Vec<u32>) {
    match m.user_row.get(&user) {
        Some(&r) => (
            m.row(r as usize),
            data::row_of(&m.by_user_isbn, r as usize)
                .into_iter()
                .map(|x| x.0)
                .collect(),
        ),
        None => (Vec::new(), Vec::new()),
    }
}

/// What a user's lists must leave out under `rules`, and how a work is shown to them.
struct Shown<'a> {
    model: &'a TrainedModels,
    rules: EvalRules,
    train_isbns: HashSet<u32>,
    publishers: ReaderPublishers,
    excluded: HashSet<u32>,
}

impl<'a> Shown<'a> {
    fn new(
        model: &'a TrainedModels,
        rules: EvalRules,
        profile: &[(u32, f32)],
        train_isbns: &[u32],
    ) -> Shown<'a> {
        let train_isbns: HashSet<u32> = train_isbns.iter().copied().collect();
        // Works, not editions: a work model has one score per work, and a work the user has
        // would otherwise fill the list with the other editions of their own books.
        let excluded = profile.iter().map(|p| p.0).collect();
        let publishers = ReaderPublishers::new(&model.items, train_isbns.iter().copied());
        Shown {
            model,
            rules,
            train_isbns,
            publishers,
            excluded,
        }
    }

    fn cap(&self) -> usize {
        match self.rules {
            EvalRules::Product => self.model.params.max_per_author,
            EvalRules::Protocol => usize::MAX,
        }
    }

    /// The edition shown for a work: the model's choice for this user's publishers, among
    /// the editions the user does not have.
    fn edition(&self, w: u32) -> u32 {
        self.model
            .editions
            .choose(&self.model.items, w, &self.publishers, &|e| {
                self.train_isbns.contains(&e)
            })
            .unwrap_or(self.model.shown[w as usize])
    }

    fn rank(&self, scorer: &dyn Scorer, profile: &[(u32, f32)], k: usize) -> (Vec<u32>, Vec<u32>) {
        let works: Vec<u32> = self
            .model
            .rank_capped(
                scorer,
                profile,
                &|w| self.excluded.contains(&w),
                k,
                self.cap(),
            )
            .into_iter()
            .map(|x| x.0)
            .collect();
        let editions = works.iter().map(|&w| self.edition(w)).collect();
        (works, editions)
    }
}

/// Score one model over the cases: (per ISBN, per work, coverage).
fn score_model(
    model: &TrainedModels,
    rules: EvalRules,
    scorer: &dyn Scorer,
    cases: &[UserCase],
    progress: ProgressFn<'_>,
    name: &str,
) -> (Scores, Scores, f64, Vec<Vec<u32>>) {
    let done = std::sync::atomic::AtomicU64::new(0);
    let total = cases.len() as u64;
    let per_user: Vec<(Scores, Scores, Vec<u32>)> = cases
        .par_iter()
        .map(|c| {
            let shown = Shown::new(model, rules, &c.profile, &c.train_isbns);
            let (works, editions) = shown.rank(scorer, &c.profile, 20);
            let (mut si, mut sw) = (Scores::default(), Scores::default());
            si.add(&editions, &c.relevant_isbn);
            sw.add(&works, &c.relevant_work);
            let d = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            if d.is_multiple_of(1000) || d == total {
                progress(&Progress {
                    stage: format!("scoring {name}"),
                    done: d,
                    total,
                });
            }
            (si, sw, editions)
        })
        .collect();
    let mut seen = HashSet::new();
    let (mut si, mut sw) = (Scores::default(), Scores::default());
    let mut lists = Vec::with_capacity(per_user.len());
    for (a, b, e) in per_user {
        si = si.merge(a);
        sw = sw.merge(b);
        seen.extend(e.iter().take(10).copied());
        lists.push(e);
    }
    let coverage = seen.len() as f64 / model.items.len().max(1) as f64;
    (si.mean(), sw.mean(), coverage, lists)
}

/// The split to evaluate on: from files, or the protocol's hold-out.
fn the_split(config: &EvalConfig, dataset: &Dataset) -> Result<split::Split> {
    match (&config.train_file, &config.test_file) {
        (Some(train), Some(test)) => Ok(split::Split {
            train: load::read_bx_ratings(train, &dataset.items)?,
            test: load::read_bx_ratings(test, &dataset.items)?,
        }),
        (None, None) => Ok(split::holdout(&dataset.ratings, &config.protocol)),
        _ => Err(RecsError::Config("--train and --test go together".into())),
    }
}

/// The candidate grid of blend weights (EASE's weight fixed at 1 or 0: only ratios matter)
/// and relevance-prior powers.
fn grid() -> Vec<BlendWeights> {
    let mut out = Vec::new();
    for ease in [1.0, 0.0] {
        for knn in [0.0, 0.1, 0.25, 0.5, 1.0] {
            for als in [0.0, 0.1, 0.25, 0.5] {
                for content in [0.0, 0.03, 0.1, 0.3, 1.0] {
                    for popularity in [0.0, 0.02, 0.05, 0.1] {
                        for prior in [0.0, 0.5] {
                            if ease + knn + als + content + popularity > 0.0 {
                                out.push(BlendWeights {
                                    ease,
                                    knn,
                                    als,
                                    content,
                                    popularity,
                                    prior,
                                });
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

/// One validation user for tuning: activity bucket, normalised component scores and relevance
/// prior of each candidate, whether each candidate is relevant, number of relevant works.
type TuneCase = (usize, Vec<([f32; 5], f32)>, Vec<bool>, usize);

/// Tune the hybrid's weights per activity bucket on a validation split carved from `train`
/// (the protocol applied again, with another seed). Returns the blend and each single
/// model's and the hybrid's validation NDCG@10 per work.
pub fn tune_blend(
    items: &ItemIndex,
    train: &[Interaction],
    params: &TrainParams,
    protocol: &Protocol,
    max_users: Option<usize>,
    rules: EvalRules,
    progress: ProgressFn<'_>,
) -> Result<(Blend, Vec<(String, f64)>)> {
    let val_protocol = Protocol {
        seed: protocol.seed.wrapping_add(1),
        ..*protocol
    };
    let val = split::holdout(train, &val_protocol);
    let m = TrainMatrix::build(items, &val.train, &params.weighting);
    let mut p = params.clone();
    p.models = vec![ModelKind::Hybrid];
    let model = TrainedModels::fit(items.clone(), &m, &val.train, &p, progress)?;
    let cases = cases(items, &m, &val.test, &val_protocol, max_users);
    let all_on = Blend {
        bounds: params.blend.bounds.clone(),
        weights: vec![
            BlendWeights {
                ease: 1.0,
                knn: 1.0,
                als: 1.0,
                content: 1.0,
                popularity: 1.0,
                prior: 0.0,
            };
            params.blend.bounds.len() + 1
        ],
    };
    let hybrid = model.hybrid(&all_on);
    const PER_MODEL: usize = 50;
    let done = std::sync::atomic::AtomicU64::new(0);
    let total = cases.len() as u64;
    // Per user: candidate works, their normalised component scores, hit flags.
    let table: Vec<TuneCase> = cases
        .par_iter()
        .map(|c| {
            let comps = hybrid.component_scores(&c.profile, items.work_count());
            let excluded = Shown::new(&model, rules, &c.profile, &c.train_isbns).excluded;
            let mut cand: Vec<u32> = Vec::new();
            for (s, _) in &comps {
                if s.is_empty() {
                    continue;
                }
                let top = metrics::top_k(s, PER_MODEL, |w| !excluded.contains(&w));
                cand.extend(top);
            }
            cand.sort_unstable();
            cand.dedup();
            let rows: Vec<([f32; 5], f32)> = cand
                .iter()
                .map(|&w| {
                    let mut r = [0f32; 5];
                    for (k, (s, norm)) in comps.iter().enumerate() {
                        if let Some(&v) = s.get(w as usize) {
                            if v.is_finite() {
                                r[k] = v * norm;
                            }
                        }
                    }
                    (r, model.relevance[w as usize])
                })
                .collect();
            let hits = cand
                .iter()
                .map(|w| c.relevant_work.binary_search(w).is_ok())
                .collect();
            let d = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            if d.is_multiple_of(1000) || d == total {
                progress(&Progress {
                    stage: "tuning hybrid".into(),
                    done: d,
                    total,
                });
            }
            (
                params.blend.bucket(c.profile.len()),
                rows,
                hits,
                c.relevant_work.len(),
            )
        })
        .collect();
    let ndcg_of =
        |g: &BlendWeights, rows: &[([f32; 5], f32)], hits: &[bool], n_rel: usize| -> f64 {
            let w = g.as_array();
            let mut scored: Vec<(f32, u32)> = rows
                .iter()
                .enumerate()
                .map(|(i, (r, q))| {
                    let s = r.iter().zip(&w).map(|(a, b)| a * b).sum::<f32>();
                    let s = if g.prior == 0.0 {
                        s
                    } else {
                        with_prior(s, prior_factor(*q, g.prior))
                    };
                    (s, i as u32)
                })
                .collect();
            let top = metrics::top_of(&mut scored, 10);
            let flags: Vec<bool> = top.iter().map(|&i| hits[i as usize]).collect();
            metrics::ndcg_at(&flags, n_rel, 10)
        };
    let buckets = params.blend.bounds.len() + 1;
    let grid = grid();
    // sums[g][b]: summed NDCG of grid point g over bucket b's users.
    let sums: Vec<Vec<f64>> = grid
        .par_iter()
        .map(|g| {
            let mut s = vec![0f64; buckets];
            for (b, rows, hits, n_rel) in &table {
                s[*b] += ndcg_of(g, rows, hits, *n_rel);
            }
            s
        })
        .collect();
    let mut blend = Blend {
        bounds: params.blend.bounds.clone(),
        weights: Vec::new(),
    };
    let mut best_total = 0.0;
    for b in 0..buckets {
        let (gi, s) = sums
            .iter()
            .enumerate()
            .map(|(i, s)| (i, s[b]))
            .fold((0, f64::MIN), |a, x| if x.1 > a.1 { x } else { a });
        blend.weights.push(grid[gi]);
        best_total += s;
    }
    let n = table.len().max(1) as f64;
    let mut validation = Vec::new();
    let singles = [
        ("ease", [1.0, 0.0, 0.0, 0.0, 0.0]),
        ("item-knn", [0.0, 1.0, 0.0, 0.0, 0.0]),
        ("als", [0.0, 0.0, 1.0, 0.0, 0.0]),
        ("content", [0.0, 0.0, 0.0, 1.0, 0.0]),
        ("popularity", [0.0, 0.0, 0.0, 0.0, 1.0]),
    ];
    for (name, [ease, knn, als, content, popularity]) in singles {
        let g = BlendWeights {
            ease,
            knn,
            als,
            content,
            popularity,
            prior: 0.0,
        };
        let s: f64 = table
            .iter()
            .map(|(_, r, h, n_rel)| ndcg_of(&g, r, h, *n_rel))
            .sum();
        validation.push((name.to_string(), s / n));
    }
    validation.push(("hybrid".to_string(), best_total / n));
    Ok((blend, validation))
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
    let split = the_split(config, &dataset)?;
    if split.train.is_empty() || split.test.is_empty() {
        return Err(RecsError::Config("empty training or test split".into()));
    }
    if let Some(dir) = &config.split_out {
        std::fs::create_dir_all(dir).map_err(|e| RecsError::io(dir, e))?;
        split::write_ratings(&dir.join("train.csv"), &dataset.items, &split.train)?;
        split::write_ratings(&dir.join("test.csv"), &dataset.items, &split.test)?;
        split::write_works(&dir.join("works.csv"), &dataset.items)?;
    }
    let mut params = config.params.clone();
    let (mut validation, mut tune_secs) = (Vec::new(), 0.0);
    if config.tune_blend && params.models.contains(&ModelKind::Hybrid) {
        let t = Instant::now();
        let (blend, val) = tune_blend(
            &dataset.items,
            &split.train,
            &params,
            &config.protocol,
            config.max_users,
            config.rules,
            progress,
        )?;
        params.blend = blend;
        validation = val;
        tune_secs = t.elapsed().as_secs_f64();
    }
    let m = TrainMatrix::build(&dataset.items, &split.train, &params.weighting);
    let model = TrainedModels::fit(dataset.items.clone(), &m, &split.train, &params, progress)?;
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
    })
}

/// Write `user_id,rank,isbn` lists (ranks from 1), one list per user.
fn write_lists(path: &Path, items: &ItemIndex, users: &[u32], lists: &[Vec<u32>]) -> Result<()> {
    let file = std::fs::File::create(path).map_err(|e| RecsError::io(path, e))?;
    let mut out = std::io::BufWriter::new(file);
    let mut write = || -> std::io::Result<()> {
        writeln!(out, "user_id,rank,isbn")?;
        for (u, list) in users.iter().zip(lists) {
            for (rank, e) in list.iter().enumerate() {
                writeln!(out, "{u},{},{}", rank + 1, items.keys[*e as usize])?;
            }
        }
        out.flush()
    };
    write().map_err(|e| RecsError::io(path, e))
}

/// Write `user_id,rank,isbn` (ranks 1–20) for every user of `test`.
pub fn write_recs(
    path: &Path,
    model: &TrainedModels,
    kind: ModelKind,
    m: &TrainMatrix,
    test: &[Interaction],
    rules: EvalRules,
    progress: ProgressFn<'_>,
) -> Result<()> {
    let scorer = model
        .scorer(kind)
        .ok_or_else(|| RecsError::Config(format!("model {kind} was not trained")))?;
    let mut users: Vec<u32> = test.iter().map(|r| r.user).collect();
    users.sort_unstable();
    users.dedup();
    progress(&Progress {
        stage: format!("writing {kind} recommendations"),
        done: 0,
        total: users.len() as u64,
    });
    let lists: Vec<(u32, Vec<u32>)> = users
        .par_iter()
        .map(|&u| {
            let (profile, isbns) = user_rows(m, u);
            let shown = Shown::new(model, rules, &profile, &isbns);
            (u, shown.rank(&*scorer, &profile, 20).1)
        })
        .collect();
    let file = std::fs::File::create(path).map_err(|e| RecsError::io(path, e))?;
    let mut out = std::io::BufWriter::new(file);
    let mut write = || -> std::io::Result<()> {
        writeln!(out, "user_id,rank,isbn")?;
        for (u, list) in &lists {
            for (rank, e) in list.iter().enumerate() {
                writeln!(out, "{u},{},{}", rank + 1, model.items.keys[*e as usize])?;
            }
        }
        out.flush()
    };
    write().map_err(|e| RecsError::io(path, e))
}

/// `shelfwise train`: train every model on all of a dataset's ratings (hybrid weights tuned on
/// a validation split of them) and return the model to persist with [`TrainedModels::save`].
pub fn train(
    source: &DataSource,
    params: &TrainParams,
    tune: bool,
    progress: ProgressFn<'_>,
) -> Result<TrainedModels> {
    let dataset = load(source)?;
    let mut params = params.clone();
    if tune && params.models.contains(&ModelKind::Hybrid) {
        let (blend, _) = tune_blend(
            &dataset.items,
            &dataset.ratings,
            &params,
            &Protocol::default(),
            None,
            EvalRules::Product,
            progress,
        )?;
        params.blend = blend;
    }
    TrainedModels::train(dataset.items, &dataset.ratings, &params, progress)
}
