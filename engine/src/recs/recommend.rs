//! The trained bundle the server serves from: every model trained on the same interactions,
//! the recommendation rules, fold-in of any reader, explanations, and persistence.
//!
//! Rules: a recommendation never repeats a work the reader rated, shelved or marked not
//! interested (any edition of it), shows each work once (as the edition
//! [`super::editions`] picks for the reader), and holds at most `max_per_author` works by one
//! author.

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::data::{profile, Interaction, ItemIndex, TrainMatrix, Weighting, NO_AUTHOR};
use super::editions::{self, EditionChooser, ReaderPublishers};
use super::models::als::{Als, AlsParams};
use super::models::content::{Content, ContentParams};
use super::models::ease::{Ease, EaseParams};
use super::models::hybrid::{Blend, Components, Hybrid};
use super::models::knn::{ItemKnn, KnnParams};
use super::models::popularity::Popularity;
use super::models::{Contribution, Reason, Scorer};
use super::{RecsError, Result};
use crate::datasets::load::Dataset;
use crate::records::Book;

/// The models Shelfwise trains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ModelKind {
    /// Interaction counts nudged by the Bayesian average.
    Popularity,
    /// Item-based kNN on works.
    Knn,
    /// EASE on works.
    Ease,
    /// Weighted ALS with conjugate gradient.
    Als,
    /// Content TF-IDF.
    Content,
    /// The blend of the above.
    Hybrid,
}

impl ModelKind {
    /// Every model, in table order.
    pub const ALL: [ModelKind; 6] = [
        ModelKind::Popularity,
        ModelKind::Content,
        ModelKind::Knn,
        ModelKind::Als,
        ModelKind::Ease,
        ModelKind::Hybrid,
    ];

    /// The name used on the command line and in tables.
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Popularity => "popularity",
            ModelKind::Knn => "item-knn",
            ModelKind::Ease => "ease",
            ModelKind::Als => "als",
            ModelKind::Content => "content",
            ModelKind::Hybrid => "hybrid",
        }
    }
}

impl std::fmt::Display for ModelKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for ModelKind {
    type Err = RecsError;
    fn from_str(s: &str) -> Result<ModelKind> {
        ModelKind::ALL
            .into_iter()
            .find(|m| m.name() == s || (s == "knn" && *m == ModelKind::Knn))
            .ok_or_else(|| {
                let names: Vec<&str> = ModelKind::ALL.iter().map(|m| m.name()).collect();
                RecsError::Config(format!("unknown model {s:?}; known: {}", names.join(", ")))
            })
    }
}

/// Everything that shapes training.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainParams {
    /// Rating → interaction weight.
    pub weighting: Weighting,
    /// Item-kNN settings.
    pub knn: KnnParams,
    /// EASE settings.
    pub ease: EaseParams,
    /// ALS settings.
    pub als: AlsParams,
    /// Content settings.
    pub content: ContentParams,
    /// Hybrid weights (replaced by tuned ones when the evaluation tunes them).
    pub blend: Blend,
    /// At most this many works by one author in a list.
    pub max_per_author: usize,
    /// Weight of a reader's own publishers in choosing the edition they are shown
    /// ([`super::editions`]); 0 leaves them out.
    pub edition_weight: f32,
    /// Weight of the match between a reader's publishers and those of an edition's readers.
    pub edition_rater_weight: f32,
    /// Weight of the reader's taste for first editions against later ones.
    #[serde(default)]
    pub edition_first_weight: f32,
    /// Which models to train (popularity always is: it is the fallback).
    pub models: Vec<ModelKind>,
}

impl Default for TrainParams {
    fn default() -> Self {
        TrainParams {
            weighting: Weighting {
                implicit: 1.0,
                explicit_low: 0.5,
                explicit_high: 2.0,
            },
            knn: KnnParams::default(),
            ease: EaseParams::default(),
            als: AlsParams::default(),
            content: ContentParams::default(),
            blend: Blend::default(),
            max_per_author: 3,
            edition_weight: editions::PUBLISHER_WEIGHT,
            edition_rater_weight: editions::RATER_WEIGHT,
            edition_first_weight: editions::FIRST_WEIGHT,
            models: ModelKind::ALL.to_vec(),
        }
    }
}

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

/// Every trained model, ready to serve.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrainedModel {
    /// The catalog the models index.
    pub items: ItemIndex,
    /// How they were trained.
    pub params: TrainParams,
    /// The edition shown for each work to a reader of whom nothing is known (its most
    /// explicitly rated in training).
    pub shown: Vec<u32>,
    /// Chooses the edition shown to a reader from their own editions' publishers.
    pub editions: EditionChooser,
    /// Popularity (always trained).
    pub popularity: Popularity,
    /// Item-kNN.
    pub knn: Option<ItemKnn>,
    /// EASE.
    pub ease: Option<Ease>,
    /// ALS.
    pub als: Option<Als>,
    /// Content.
    pub content: Option<Content>,
    /// Relevance prior per work: smoothed share of its training readers who rated it ≥ 7.
    pub relevance: Vec<f32>,
    /// Seconds each model took to train.
    pub train_secs: Vec<(ModelKind, f64)>,
}

/// What one recommendation is for, in terms a reader understands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Because {
    /// You rated this book (catalog key).
    Book(String),
    /// It shares this feature (`author:…`, `word:…`, `decade:…`) with books you rated.
    Feature(String),
    /// Popular with readers.
    Popular,
}

/// One recommended book with the reasons for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recommendation {
    /// Catalog key of the edition shown.
    pub key: String,
    /// Its work id.
    pub work: u32,
    /// The model's score.
    pub score: f32,
    /// Every reason with its additive share of `score`, largest first; the shares sum to
    /// `score` (to rounding).
    pub because: Vec<(Because, f32)>,
}

/// A reader's request: what they rated and what must not be shown.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Request {
    /// Their ratings: catalog key and 0 (implicit) or 1–10.
    pub ratings: Vec<(String, u8)>,
    /// Books on their shelves (never recommended).
    pub shelved: Vec<String>,
    /// Books they marked not interested (never recommended).
    pub not_interested: Vec<String>,
    /// How many recommendations.
    pub k: usize,
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let t = Instant::now();
    let out = f();
    (out, t.elapsed().as_secs_f64())
}

impl TrainedModel {
    /// Train every model in `params.models` on `train` (ratings of `items`' editions).
    pub fn train(
        items: ItemIndex,
        train: &[Interaction],
        params: &TrainParams,
        progress: ProgressFn<'_>,
    ) -> Result<TrainedModel> {
        let m = TrainMatrix::build(&items, train, &params.weighting);
        TrainedModel::fit(items, &m, train, params, progress)
    }

    /// Train from a store's own records (what the server calls): `books` in store-id order,
    /// and (user id, book index into `books`, rating 0–10) tuples; see
    /// [`Dataset::from_tuples`] for what is left out. Nothing is tuned here (there is no
    /// validation split): `params.blend` is used as given, and [`TrainParams::default`]
    /// carries the blend the evaluation tuned on Book-Crossing.
    pub fn train_from_tuples(
        books: Vec<Book>,
        ratings: impl IntoIterator<Item = (u32, u32, u8)>,
        params: &TrainParams,
        progress: ProgressFn<'_>,
    ) -> Result<TrainedModel> {
        let data = Dataset::from_tuples(books, ratings);
        TrainedModel::train(data.items, &data.ratings, params, progress)
    }

    /// Train from an already built matrix (the evaluation reuses it for profiles).
    pub fn fit(
        items: ItemIndex,
        m: &TrainMatrix,
        train: &[Interaction],
        params: &TrainParams,
        progress: ProgressFn<'_>,
    ) -> Result<TrainedModel> {
        let wants =
            |k: ModelKind| params.models.contains(&k) || params.models.contains(&ModelKind::Hybrid);
        let stage = |s: &str| {
            progress(&Progress {
                stage: s.to_string(),
                done: 0,
                total: 0,
            })
        };
        let mut secs = Vec::new();
        let editions = EditionChooser::new(
            &items,
            m,
            params.edition_weight,
            params.edition_rater_weight,
            params.edition_first_weight,
        );
        let nobody = ReaderPublishers::default();
        let shown = (0..items.work_count() as u32)
            .map(|w| editions.choose(&items, w, &nobody, &|_| false).unwrap_or(0))
            .collect();
        let relevance = relevance_prior(&items, train);
        stage("training popularity");
        let (popularity, t) = timed(|| Popularity::train(&items, train));
        secs.push((ModelKind::Popularity, t));
        let content = if wants(ModelKind::Content) {
            stage("training content");
            let (c, t) = timed(|| Content::train(&items, &params.content));
            secs.push((ModelKind::Content, t));
            Some(c)
        } else {
            None
        };
        let knn = if wants(ModelKind::Knn) {
            stage("training item-knn");
            let (k, t) = timed(|| ItemKnn::train(m, &params.knn));
            secs.push((ModelKind::Knn, t));
            Some(k)
        } else {
            None
        };
        let als = if wants(ModelKind::Als) {
            let total = params.als.iterations as u64;
            let (a, t) = timed(|| {
                Als::train(m, &params.als, |i, _| {
                    progress(&Progress {
                        stage: "training als".into(),
                        done: i as u64 + 1,
                        total,
                    })
                })
            });
            secs.push((ModelKind::Als, t));
            Some(a)
        } else {
            None
        };
        let ease = if wants(ModelKind::Ease) {
            stage("training ease");
            let (e, t) = timed(|| Ease::train(m, &params.ease));
            secs.push((ModelKind::Ease, t));
            Some(e?)
        } else {
            None
        };
        if params.models.contains(&ModelKind::Hybrid) {
            let sum: f64 = secs.iter().map(|s| s.1).sum();
            secs.push((ModelKind::Hybrid, sum));
        }
        Ok(TrainedModel {
            items,
            params: params.clone(),
            shown,
            editions,
            popularity,
            knn,
            ease,
            als,
            content,
            relevance,
            train_secs: secs,
        })
    }

    /// The scorer of a model, `None` when it was not trained.
    pub fn scorer(&self, kind: ModelKind) -> Option<Box<dyn Scorer + '_>> {
        fn boxed<'a, S: Scorer + 'a>(s: &'a S) -> Box<dyn Scorer + 'a> {
            Box::new(Ref(s))
        }
        match kind {
            ModelKind::Popularity => Some(boxed(&self.popularity)),
            ModelKind::Knn => self.knn.as_ref().map(boxed),
            ModelKind::Ease => self.ease.as_ref().map(boxed),
            ModelKind::Als => self.als.as_ref().map(boxed),
            ModelKind::Content => self.content.as_ref().map(boxed),
            ModelKind::Hybrid => Some(Box::new(self.hybrid(&self.params.blend))),
        }
    }

    /// The hybrid with the given weights.
    pub fn hybrid<'a>(&'a self, blend: &'a Blend) -> Hybrid<'a> {
        Hybrid {
            parts: Components {
                models: [
                    self.ease.as_ref().map(|m| m as &dyn Scorer),
                    self.knn.as_ref().map(|m| m as &dyn Scorer),
                    self.als.as_ref().map(|m| m as &dyn Scorer),
                    self.content.as_ref().map(|m| m as &dyn Scorer),
                    Some(&self.popularity as &dyn Scorer),
                ],
            },
            blend,
            n_works: self.items.work_count(),
            relevance: &self.relevance,
            cache: Default::default(),
        }
    }

    /// The top `k` works for a profile by `scorer`, best first with their scores, skipping
    /// `excluded` works, at most `max_per_author` per author, filled up from popularity when the
    /// model has too few candidates.
    pub fn rank_with(
        &self,
        scorer: &dyn Scorer,
        profile: &[(u32, f32)],
        excluded: &dyn Fn(u32) -> bool,
        k: usize,
    ) -> Vec<(u32, f32)> {
        self.rank_capped(scorer, profile, excluded, k, self.params.max_per_author)
    }

    /// [`TrainedModel::rank_with`] with an explicit per-author cap (`usize::MAX`: none).
    pub fn rank_capped(
        &self,
        scorer: &dyn Scorer,
        profile: &[(u32, f32)],
        excluded: &dyn Fn(u32) -> bool,
        k: usize,
        max_per_author: usize,
    ) -> Vec<(u32, f32)> {
        let mut scores = vec![f32::NEG_INFINITY; self.items.work_count()];
        scorer.score(profile, &mut scores);
        // The reader's own works usually score high: look past as many of them.
        self.top_of_scores(&scores, excluded, profile.len(), k, max_per_author)
    }

    /// The top `k` works of a dense score buffer (finite scores only), skipping `excluded`
    /// ones (about `n_excluded` of them), at most `max_per_author` per author, filled up from
    /// popularity. `excluded` is only asked about the head of the ranking, never the catalog.
    pub fn top_of_scores(
        &self,
        scores: &[f32],
        excluded: &dyn Fn(u32) -> bool,
        n_excluded: usize,
        k: usize,
        max_per_author: usize,
    ) -> Vec<(u32, f32)> {
        // Enough candidates that exclusions and the author cap can rarely exhaust them;
        // widened if they do.
        let mut take = k * 4 + 32 + n_excluded;
        loop {
            let head = super::metrics::top_n(scores, take);
            let complete = head.len() < take;
            let mut out = self.capped(
                head.iter().filter(|c| !excluded(c.1)).map(|&(s, w)| (w, s)),
                k,
                max_per_author,
            );
            if out.len() >= k || complete {
                if out.len() < k {
                    // Rank the rest of the catalog by popularity.
                    let have: HashSet<u32> = out.iter().map(|x| x.0).collect();
                    let fill = self
                        .popularity
                        .ranking
                        .iter()
                        .filter(|&&w| !have.contains(&w) && !excluded(w))
                        .map(|&w| (w, f32::NEG_INFINITY));
                    let mut authors = self.author_counts(&out);
                    for (w, s) in fill {
                        if out.len() >= k {
                            break;
                        }
                        if self.author_ok(w, &mut authors, max_per_author) {
                            out.push((w, s));
                        }
                    }
                }
                return out;
            }
            take *= 4;
        }
    }

    fn author_counts(&self, list: &[(u32, f32)]) -> std::collections::HashMap<u32, usize> {
        let mut counts = std::collections::HashMap::new();
        for &(w, _) in list {
            *counts
                .entry(self.items.work_author[w as usize])
                .or_insert(0) += 1;
        }
        counts
    }

    fn author_ok(
        &self,
        w: u32,
        counts: &mut std::collections::HashMap<u32, usize>,
        cap: usize,
    ) -> bool {
        let a = self.items.work_author[w as usize];
        if a == NO_AUTHOR {
            return true;
        }
        let c = counts.entry(a).or_insert(0);
        if *c < cap.max(1) {
            *c += 1;
            true
        } else {
            false
        }
    }

    fn capped(
        &self,
        ranked: impl Iterator<Item = (u32, f32)>,
        k: usize,
        cap: usize,
    ) -> Vec<(u32, f32)> {
        let mut counts = std::collections::HashMap::new();
        let mut out = Vec::with_capacity(k);
        for (w, s) in ranked {
            if out.len() >= k {
                break;
            }
            if self.author_ok(w, &mut counts, cap) {
                out.push((w, s));
            }
        }
        out
    }

    /// The profile of a list of (edition, rating) pairs.
    pub fn profile(&self, ratings: &[(u32, u8)]) -> Vec<(u32, f32)> {
        profile(&self.items, ratings, &self.params.weighting)
    }

    /// Recommend for any reader (fold-in: nothing is retrained; a rating given a moment ago
    /// counts), with explanations. Unknown keys are ignored.
    pub fn recommend(&self, kind: ModelKind, request: &Request) -> Result<Vec<Recommendation>> {
        let scorer = self
            .scorer(kind)
            .ok_or_else(|| RecsError::Config(format!("model {kind} was not trained")))?;
        let rated: Vec<(u32, u8)> = request
            .ratings
            .iter()
            .filter_map(|(key, r)| self.items.find(key).map(|e| (e, *r)))
            .collect();
        let profile = self.profile(&rated);
        let mut excluded: HashSet<u32> = profile.iter().map(|p| p.0).collect();
        for key in request.shelved.iter().chain(&request.not_interested) {
            if let Some(e) = self.items.find(key) {
                excluded.insert(self.items.work_of[e as usize]);
            }
        }
        let top = self.rank_with(&*scorer, &profile, &|w| excluded.contains(&w), request.k);
        let scored: Vec<u32> = top
            .iter()
            .filter(|x| x.1.is_finite())
            .map(|x| x.0)
            .collect();
        let mut explained = scorer.explain_many(&profile, &scored).into_iter();
        let publishers = ReaderPublishers::new(&self.items, rated.iter().map(|r| r.0));
        Ok(top
            .into_iter()
            .map(|(w, score)| {
                let because = if score.is_finite() {
                    self.because(explained.next().unwrap_or_default(), &rated)
                } else {
                    vec![(Because::Popular, 0.0)]
                };
                Recommendation {
                    key: self.edition_key(w, &publishers),
                    work: w,
                    score: if score.is_finite() { score } else { 0.0 },
                    because,
                }
            })
            .collect())
    }

    /// The works to show on the page of book `key`, best first: for [`ModelKind::Knn`] its
    /// item-kNN neighbours and for [`ModelKind::Ease`] its positive EASE weights ("readers who
    /// liked this also liked", explained by `Because::Book(key)`), for [`ModelKind::Content`]
    /// the works closest by TF-IDF cosine ("similar books", explained by the shared
    /// features), for [`ModelKind::Hybrid`] the kNN list topped up by content when it is
    /// short, and for [`ModelKind::Popularity`] the most popular works. Never the book's own
    /// work (any edition), nor a work of `exclude`'s ratings, shelf or not-interested list
    /// (its `k` is not used); one edition per work and at most `max_per_author` works by one
    /// author. Fewer than `k` when the model knows fewer similar works: a book page shows
    /// nothing rather than unrelated books. ALS has no item-to-item list here.
    pub fn similar(
        &self,
        kind: ModelKind,
        key: &str,
        k: usize,
        exclude: &Request,
    ) -> Result<Vec<Recommendation>> {
        let e = self
            .items
            .find(key)
            .ok_or_else(|| RecsError::Config(format!("unknown book {key:?}")))?;
        let own = self.items.work_of[e as usize];
        let mut excluded: HashSet<u32> = exclude
            .ratings
            .iter()
            .map(|r| &r.0)
            .chain(&exclude.shelved)
            .chain(&exclude.not_interested)
            .filter_map(|k| self.items.find(k))
            .map(|e| self.items.work_of[e as usize])
            .collect();
        excluded.insert(own);
        let publishers = ReaderPublishers::new(
            &self.items,
            exclude.ratings.iter().filter_map(|r| self.items.find(&r.0)),
        );
        let n = self.items.work_count();
        let cap = self.params.max_per_author;
        let untrained = || RecsError::Config(format!("model {kind} was not trained"));
        let cf = |scores: &mut [f32]| -> Result<()> {
            match kind {
                ModelKind::Ease => {
                    self.ease
                        .as_ref()
                        .ok_or_else(untrained)?
                        .row_scores(own, scores);
                }
                _ => {
                    let knn = self.knn.as_ref().ok_or_else(untrained)?;
                    let (nb, sim) = knn.neighbours(own);
                    for (&j, &s) in nb.iter().zip(sim) {
                        if s > 0.0 {
                            scores[j as usize] = s;
                        }
                    }
                }
            }
            Ok(())
        };
        let book = |w: u32, s: f32| Recommendation {
            key: self.edition_key(w, &publishers),
            work: w,
            score: s,
            because: vec![(Because::Book(key.to_string()), s)],
        };
        let mut out: Vec<Recommendation> = Vec::new();
        let mut scores = vec![f32::NEG_INFINITY; n];
        match kind {
            ModelKind::Knn | ModelKind::Ease | ModelKind::Hybrid => {
                cf(&mut scores)?;
                let top =
                    self.top_capped(&scores, &|w| excluded.contains(&w), excluded.len(), k, cap);
                out.extend(top.into_iter().map(|(w, s)| book(w, s)));
            }
            ModelKind::Popularity => {
                let top = self.top_of_scores(
                    &self.popularity.scores,
                    &|w| excluded.contains(&w),
                    excluded.len(),
                    k,
                    cap,
                );
                out.extend(top.into_iter().map(|(w, s)| Recommendation {
                    key: self.edition_key(w, &publishers),
                    work: w,
                    score: s,
                    because: vec![(Because::Popular, s)],
                }));
            }
            ModelKind::Content => {}
            ModelKind::Als => {
                return Err(RecsError::Config(
                    "similar books: use knn, ease, content or hybrid".into(),
                ))
            }
        }
        if matches!(kind, ModelKind::Content | ModelKind::Hybrid) && out.len() < k {
            let content = self.content.as_ref().ok_or_else(untrained)?;
            scores.fill(f32::NEG_INFINITY);
            content.similar_to(own, &mut scores);
            // The content list tops up the CF one: same exclusions, same author cap overall.
            let have: HashSet<u32> = out.iter().map(|r| r.work).collect();
            let mut authors =
                self.author_counts(&out.iter().map(|r| (r.work, 0.0)).collect::<Vec<_>>());
            let more = self.top_capped(
                &scores,
                &|w| excluded.contains(&w) || have.contains(&w),
                excluded.len() + have.len(),
                k - out.len() + 16,
                cap,
            );
            for (w, s) in more {
                if out.len() >= k {
                    break;
                }
                if !self.author_ok(w, &mut authors, cap) {
                    continue;
                }
                let because = content
                    .explain_similar(own, w)
                    .into_iter()
                    .map(|(f, share)| (Because::Feature(f), share))
                    .collect();
                out.push(Recommendation {
                    key: self.edition_key(w, &publishers),
                    work: w,
                    score: s,
                    because,
                });
            }
        }
        Ok(out)
    }

    /// The catalog key of the edition of work `w` shown to a reader with `publishers`.
    fn edition_key(&self, w: u32, publishers: &ReaderPublishers) -> String {
        let e = self
            .editions
            .choose(&self.items, w, publishers, &|_| false)
            .unwrap_or(self.shown[w as usize]);
        self.items.keys[e as usize].clone()
    }

    /// [`TrainedModel::top_of_scores`] without the popularity fill: only works with a score.
    fn top_capped(
        &self,
        scores: &[f32],
        excluded: &dyn Fn(u32) -> bool,
        n_excluded: usize,
        k: usize,
        cap: usize,
    ) -> Vec<(u32, f32)> {
        let mut out = self.top_of_scores(scores, excluded, n_excluded, k, cap);
        out.retain(|x| x.1.is_finite());
        out
    }

    /// Contributions in reader terms, largest share first.
    fn because(
        &self,
        contributions: Vec<Contribution>,
        rated: &[(u32, u8)],
    ) -> Vec<(Because, f32)> {
        let mut out: Vec<(Because, f32)> = contributions
            .into_iter()
            .map(|c| {
                let b = match c.reason {
                    Reason::Rated(w) => {
                        // The edition the reader actually rated, else the work's shown one.
                        let e = rated
                            .iter()
                            .find(|r| self.items.work_of[r.0 as usize] == w)
                            .map(|r| r.0)
                            .unwrap_or(self.shown[w as usize]);
                        Because::Book(self.items.keys[e as usize].clone())
                    }
                    Reason::Feature(f) => Because::Feature(f),
                    Reason::Popular => Because::Popular,
                };
                (b, c.share)
            })
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1));
        out
    }

    /// Write the model to a file (postcard).
    pub fn save(&self, path: &Path) -> Result<()> {
        // Streamed: the EASE matrix alone can be a gigabyte, so no second copy in memory.
        let file = std::fs::File::create(path).map_err(|e| RecsError::io(path, e))?;
        let mut out = postcard::to_io(self, std::io::BufWriter::new(file))?;
        out.flush().map_err(|e| RecsError::io(path, e))
    }

    /// Read a model written by [`TrainedModel::save`].
    pub fn load(path: &Path) -> Result<TrainedModel> {
        let bytes = std::fs::read(path).map_err(|e| RecsError::io(path, e))?;
        let mut model: TrainedModel = postcard::from_bytes(&bytes)?;
        model.items.reindex();
        Ok(model)
    }
}

/// The smoothed share of each work's training interactions that are explicit ratings ≥ 7:
/// `(loved + 10·q̄) / (all + 10)`, `q̄` the catalog-wide share.
pub fn relevance_prior(items: &ItemIndex, train: &[Interaction]) -> Vec<f32> {
    let mut loved = vec![0u32; items.work_count()];
    let mut all = vec![0u32; items.work_count()];
    for r in train {
        let w = items.work_of[r.item as usize] as usize;
        all[w] += 1;
        if r.rating >= 7 {
            loved[w] += 1;
        }
    }
    let mean = loved.iter().map(|&x| f64::from(x)).sum::<f64>()
        / all.iter().map(|&x| f64::from(x)).sum::<f64>().max(1.0);
    loved
        .iter()
        .zip(&all)
        .map(|(&h, &n)| ((f64::from(h) + 10.0 * mean) / (f64::from(n) + 10.0)).max(1e-3) as f32)
        .collect()
}

/// A borrowed scorer as a boxed one.
struct Ref<'a, S>(&'a S);

impl<S: Scorer> Scorer for Ref<'_, S> {
    fn score(&self, profile: &[(u32, f32)], out: &mut [f32]) {
        self.0.score(profile, out)
    }
    fn explain(&self, profile: &[(u32, f32)], target: u32) -> Vec<Contribution> {
        self.0.explain(profile, target)
    }
    fn explain_many(&self, profile: &[(u32, f32)], targets: &[u32]) -> Vec<Vec<Contribution>> {
        self.0.explain_many(profile, targets)
    }
}
