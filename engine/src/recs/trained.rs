//! The trained bundle: every model trained on the same interactions, with the catalog they
//! index and what the serving rules need (the edition shown per work, the relevance prior);
//! training and persistence. Recommending from it is [`super::serve`].

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::data::{Interaction, ItemIndex, TrainMatrix, Weighting};
use super::editions::{self, EditionChooser, ReaderPublishers};
use super::models::als::{Als, AlsParams};
use super::models::content::{Content, ContentParams};
use super::models::ease::{Ease, EaseParams};
use super::models::hybrid::{Blend, Components, Hybrid};
use super::models::knn::{ItemKnn, KnnParams};
use super::models::popularity::Popularity;
use super::models::rerank::{RerankParams, Reranker};
use super::models::{Contribution, Fit, ModelKind, Scorer, TrainingData};
use super::{ProgressFn, RecsError, Result};
use crate::datasets::load::Dataset;
use crate::records::Book;

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
    /// Train the hybrid's reranker (and tune the blend) on a validation split first: training
    /// then fits every model twice. `None`: the blend as given, no reranker. Not persisted
    /// (a model's file carries the reranker itself), so the file's layout is unchanged.
    #[serde(skip)]
    pub rerank: Option<RerankParams>,
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
            rerank: None,
        }
    }
}

/// Every trained model, ready to serve (the serving rules are in [`super::serve`]).
///
/// Persisted with [`TrainedModels::save`] in postcard: the fields keep the order (and types)
/// of the former `TrainedModel`, so files written before the split still load.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrainedModels {
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
    /// Reorders the hybrid's candidates, when one was trained on a validation split
    /// ([`crate::recs::eval::tune_blend`]). Written after the rest of the file (see
    /// [`TrainedModels::save`]), so files of format 2 still read.
    #[serde(skip)]
    pub reranker: Option<Reranker>,
    /// Seconds each stage of tuning on a validation split took ([`crate::recs::eval::Tuned`]),
    /// when this model was tuned; not saved with it.
    #[serde(skip)]
    pub tuning_secs: Vec<(&'static str, f64)>,
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let t = Instant::now();
    let out = f();
    (out, t.elapsed().as_secs_f64())
}

impl TrainedModels {
    /// Train every model in `params.models` on `train` (ratings of `items`' editions).
    pub fn train(
        items: ItemIndex,
        train: &[Interaction],
        params: &TrainParams,
        progress: ProgressFn<'_>,
    ) -> Result<TrainedModels> {
        let m = TrainMatrix::build(&items, train, &params.weighting);
        TrainedModels::fit(items, &m, train, params, progress)
    }

    /// Train from a store's own records (what the server calls): `books` in store-id order,
    /// and (user id, book index into `books`, rating 0–10) tuples; see
    /// [`Dataset::from_tuples`] for what is left out. With `params.rerank`, the blend is tuned
    /// and the reranker trained on a validation split of them first
    /// ([`crate::recs::eval::train_tuned`]); without, `params.blend` is used as given
    /// ([`TrainParams::default`] carries the blend the evaluation tuned on Book-Crossing).
    pub fn train_from_tuples(
        books: Vec<Book>,
        ratings: impl IntoIterator<Item = (u32, u32, u8)>,
        params: &TrainParams,
        progress: ProgressFn<'_>,
    ) -> Result<TrainedModels> {
        let data = Dataset::from_tuples(books, ratings);
        if params.rerank.is_some() {
            return crate::recs::eval::train_tuned(data.items, &data.ratings, params, progress);
        }
        TrainedModels::train(data.items, &data.ratings, params, progress)
    }

    /// Train from an already built matrix (the evaluation reuses it for profiles).
    pub fn fit(
        items: ItemIndex,
        m: &TrainMatrix,
        train: &[Interaction],
        params: &TrainParams,
        progress: ProgressFn<'_>,
    ) -> Result<TrainedModels> {
        TrainedModels::fit_with_als(items, m, train, params, None, progress)
    }

    /// [`TrainedModels::fit`], with the ALS component given (`Some((model, seconds it took))`:
    /// factors trained on Spark, [`super::external_als`]) instead of trained here; every
    /// other model trains as usual.
    pub fn fit_with_als(
        items: ItemIndex,
        m: &TrainMatrix,
        train: &[Interaction],
        params: &TrainParams,
        given_als: Option<(Als, f64)>,
        progress: ProgressFn<'_>,
    ) -> Result<TrainedModels> {
        let wants =
            |k: ModelKind| params.models.contains(&k) || params.models.contains(&ModelKind::Hybrid);
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
        let data = TrainingData {
            items: &items,
            matrix: m,
            interactions: train,
        };
        // Popularity always (it is the fallback), the others when asked for; in this order,
        // which is the order of `train_secs`.
        let mut fit = Fitter {
            data: &data,
            params,
            progress,
            secs: &mut secs,
        };
        let popularity = fit.model::<Popularity>()?;
        let content = fit.wanted::<Content>(&wants)?;
        let knn = fit.wanted::<ItemKnn>(&wants)?;
        let als = match given_als {
            Some((als, seconds)) => {
                fit.secs.push((ModelKind::Als, seconds));
                Some(als)
            }
            None => fit.wanted::<Als>(&wants)?,
        };
        let ease = fit.wanted::<Ease>(&wants)?;
        if params.models.contains(&ModelKind::Hybrid) {
            let sum: f64 = secs.iter().map(|s| s.1).sum();
            secs.push((ModelKind::Hybrid, sum));
        }
        Ok(TrainedModels {
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
            reranker: None,
            tuning_secs: Vec::new(),
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
            work_author: &self.items.work_author,
            reranker: self.reranker.as_ref(),
            cache: Default::default(),
        }
    }

    /// Write the model to a file: [`MODEL_MAGIC`], [`MODEL_FORMAT`] (4 bytes, big-endian),
    /// then the model (postcard), then the reranker (postcard, an `Option`).
    pub fn save(&self, path: &Path) -> Result<()> {
        let file = std::fs::File::create(path).map_err(|e| RecsError::io(path, e))?;
        let mut out = std::io::BufWriter::new(file);
        out.write_all(MODEL_MAGIC)
            .and_then(|()| out.write_all(&MODEL_FORMAT.to_be_bytes()))
            .map_err(|e| RecsError::io(path, e))?;
        // Streamed: the EASE matrix alone can be a gigabyte, so no second copy in memory.
        let out = postcard::to_io(self, out)?;
        let mut out = postcard::to_io(&self.reranker, out)?;
        out.flush().map_err(|e| RecsError::io(path, e))
    }

    /// Read a model written by [`TrainedModels::save`]; a file of a format this build does
    /// not read is [`RecsError::ModelFormat`].
    pub fn load(path: &Path) -> Result<TrainedModels> {
        let bytes = std::fs::read(path).map_err(|e| RecsError::io(path, e))?;
        let (format, body) = match bytes.strip_prefix(MODEL_MAGIC) {
            Some(rest) if rest.len() >= 4 => {
                let (format, body) = rest.split_at(4);
                let format = u32::from_be_bytes(format.try_into().unwrap_or_default());
                (format, body)
            }
            // Files written before the header: format 1.
            _ => (1, &bytes[..]),
        };
        if !READABLE_FORMATS.contains(&format) {
            return Err(RecsError::ModelFormat {
                found: format,
                readable: READABLE_FORMATS,
            });
        }
        let (mut model, rest): (TrainedModels, _) = postcard::take_from_bytes(body)?;
        if format >= 3 {
            model.reranker = postcard::from_bytes(rest)?;
        }
        model.items.reindex();
        Ok(model)
    }
}

/// The first bytes of a model file.
pub const MODEL_MAGIC: &[u8; 8] = b"SWMODEL\0";

/// The format [`TrainedModels::save`] writes. Bump it with any change to what is serialised
/// (a field added, renamed, reordered or retyped anywhere in [`TrainedModels`]), and set
/// [`READABLE_FORMATS`] to the formats whose bytes still decode to the new layout (usually
/// only the new one): a server finding another format retrains instead of decoding garbage.
pub const MODEL_FORMAT: u32 = 3;

/// The formats [`TrainedModels::load`] reads. Format 1 is the same layout as 2, written
/// without the header (before 2026-12-04; `tests/model_file_compat.rs` keeps one); format 3
/// is format 2 followed by the reranker (2026-12-07).
pub const READABLE_FORMATS: &[u32] = &[1, 2, 3];

/// Trains one model after another on the same data, timing each.
struct Fitter<'a, 'd> {
    data: &'a TrainingData<'d>,
    params: &'a TrainParams,
    progress: ProgressFn<'a>,
    secs: &'a mut Vec<(ModelKind, f64)>,
}

impl Fitter<'_, '_> {
    /// Train `M` and record how long it took (also when it fails).
    fn model<M: Fit>(&mut self) -> Result<M> {
        let (out, t) = timed(|| M::fit(self.data, M::params(self.params), self.progress));
        self.secs.push((M::KIND, t));
        out
    }

    /// [`Fitter::model`] when `wants(M::KIND)`.
    fn wanted<M: Fit>(&mut self, wants: &dyn Fn(ModelKind) -> bool) -> Result<Option<M>> {
        if wants(M::KIND) {
            self.model().map(Some)
        } else {
            Ok(None)
        }
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
