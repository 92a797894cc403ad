//! The reranker: gradient-boosted trees trained with LambdaMART (`rank:ndcg`, the
//! `hessboost` crate) that reorder the hybrid's candidates.
//!
//! The linear blend weighs each component the same for every work of a bucket; the trees learn
//! where each component is to be trusted: EASE's top ranks for a reader with many books,
//! content's author match when a book has few readers, the relevance prior for a reader who
//! rates. Candidates are the union of every component's top [`PER_COMPONENT`] works, the
//! reader's own works left out, exactly as the validation split that trains the trees saw them
//! (`eval::tune`); works outside that union keep their blended score below every candidate.

use std::collections::HashMap;

use hessboost::config::GrowPolicy;
use hessboost::objective::LambdaRank;
use hessboost::prelude::*;
use rayon::prelude::*;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::super::metrics;
use crate::recs::{RecsError, Result};

/// How many of each component's best works become candidates.
pub const PER_COMPONENT: usize = 50;

/// The number of features of a candidate (see [`Candidates`]).
pub const N_FEATURES: usize = 14;

/// The names of the features, in order (for the importances `recs_eval` prints).
pub const FEATURE_NAMES: [&str; N_FEATURES] = [
    "ease",
    "ease rank",
    "knn",
    "knn rank",
    "als",
    "als rank",
    "content",
    "content rank",
    "popularity",
    "popularity rank",
    "relevance",
    "author's works read",
    "ln profile size",
    "author's share",
];

/// A reader's candidates and their features, one row of [`N_FEATURES`] per work.
#[derive(Debug, Clone, Default)]
pub struct Candidates {
    /// The candidate works, ascending.
    pub works: Vec<u32>,
    /// Row-major features: per component (blend order) its score divided by its largest
    /// (missing, NaN, when it did not score the work: the trees then learn a direction for
    /// "no evidence" apart from a score of 0) and the work's rank in its top [`PER_COMPONENT`]
    /// (`PER_COMPONENT` when outside); the relevance prior; how many of the reader's works are
    /// by this work's author; ln(1 + profile size); that count over the profile size.
    pub features: Vec<f32>,
}

/// What the features of a reader's candidates are computed from.
pub struct CandidateInput<'a> {
    /// Each component's scores and normaliser (`1 / max`, 0 when unused), in blend order, as
    /// [`super::hybrid::Hybrid::component_scores`] gives them; an empty vector: not scored.
    pub components: &'a [(Vec<f32>, f32)],
    /// The reader's profile.
    pub profile: &'a [(u32, f32)],
    /// The relevance prior of each work.
    pub relevance: &'a [f32],
    /// The author of each work.
    pub work_author: &'a [u32],
}

impl Candidates {
    /// The candidates of one reader: every component's top works but the reader's own.
    pub fn new(input: &CandidateInput<'_>) -> Candidates {
        let own: std::collections::HashSet<u32> = input.profile.iter().map(|p| p.0).collect();
        // Each component's best works but the reader's own: the best `PER_COMPONENT + own`
        // by a bounded heap (no catalog-sized allocation), then the reader's left out.
        let tops: Vec<Vec<u32>> = input
            .components
            .par_iter()
            .map(|(s, _)| {
                let mut top: Vec<u32> = metrics::top_n(s, PER_COMPONENT + own.len())
                    .into_iter()
                    .map(|x| x.1)
                    .filter(|w| !own.contains(w))
                    .collect();
                top.truncate(PER_COMPONENT);
                top
            })
            .collect();
        let mut works: Vec<u32> = tops.iter().flatten().copied().collect();
        works.sort_unstable();
        works.dedup();
        let mut by_author: HashMap<u32, u32> = HashMap::new();
        for &(w, _) in input.profile {
            if let Some(&a) = input.work_author.get(w as usize) {
                *by_author.entry(a).or_default() += 1;
            }
        }
        let n = input.profile.len() as f32;
        let mut features = Vec::with_capacity(works.len() * N_FEATURES);
        for &w in &works {
            for ((scores, norm), top) in input.components.iter().zip(&tops) {
                let v = scores.get(w as usize).copied().unwrap_or(f32::NEG_INFINITY);
                features.push(if v.is_finite() { v * norm } else { f32::NAN });
                let rank = top.iter().position(|&x| x == w).unwrap_or(PER_COMPONENT);
                features.push(rank as f32);
            }
            // A component the hybrid lacks still takes its two columns.
            for _ in input.components.len()..5 {
                features.extend([f32::NAN, PER_COMPONENT as f32]);
            }
            features.push(input.relevance.get(w as usize).copied().unwrap_or(0.0));
            let same = input
                .work_author
                .get(w as usize)
                .and_then(|a| by_author.get(a))
                .copied()
                .unwrap_or(0) as f32;
            features.push(same);
            features.push(n.ln_1p());
            features.push(if n > 0.0 { same / n } else { 0.0 });
        }
        Candidates { works, features }
    }

    /// What the linear blend reads of each candidate: every component's normalised score (0
    /// when it did not score the work, as [`super::hybrid`] sums them) and the relevance prior.
    pub fn blend_rows(&self) -> Vec<([f32; 5], f32)> {
        self.features
            .chunks(N_FEATURES)
            .map(|row| {
                let score = |i: usize| {
                    row.get(2 * i)
                        .copied()
                        .filter(|v| !v.is_nan())
                        .unwrap_or(0.0)
                };
                (
                    [score(0), score(1), score(2), score(3), score(4)],
                    row.get(10).copied().unwrap_or(0.0),
                )
            })
            .collect()
    }

    /// The number of candidates.
    pub fn len(&self) -> usize {
        self.works.len()
    }

    /// Whether there is no candidate.
    pub fn is_empty(&self) -> bool {
        self.works.is_empty()
    }
}

/// One reader of the reranker's training data: candidates and which of them the reader read
/// in the held-out part.
pub struct TrainingCase {
    /// The candidates.
    pub candidates: Candidates,
    /// Whether each candidate is a held-out work of the reader.
    pub hits: Vec<bool>,
}

/// How the trees are grown. Small trees and many rounds: on Book-Crossing
/// (`bench/results/rerank-2026-12-07.txt`) 7 leaves beat 15 and 31, which overfit the few hits.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RerankParams {
    /// Boosting rounds.
    pub rounds: usize,
    /// Leaves of each tree (grown best split first).
    pub max_leaves: usize,
    /// Learning rate.
    pub eta: f64,
    /// Smallest hessian sum of a leaf (keeps leaves from fitting a handful of readers).
    pub min_child_weight: f64,
    /// Profiles with fewer works keep the linear blend.
    pub min_profile: usize,
}

impl Default for RerankParams {
    fn default() -> Self {
        RerankParams {
            rounds: 200,
            max_leaves: 7,
            eta: 0.05,
            min_child_weight: 1.0,
            min_profile: 2,
        }
    }
}

/// A trained reranker.
#[derive(Debug, Clone)]
pub struct Reranker {
    /// The boosted trees.
    model: BoostedModel,
    /// Profiles with fewer works than this keep the linear blend.
    pub min_profile: usize,
}

fn boost_error(e: HessboostError) -> RecsError {
    RecsError::Config(format!("reranker: {e}"))
}

impl Reranker {
    /// Train on readers' candidates with LambdaMART; `None` when no case has a hit (nothing
    /// to learn from, e.g. a tiny catalog).
    pub fn fit(cases: &[TrainingCase], params: &RerankParams) -> Result<Option<Reranker>> {
        let cases: Vec<&TrainingCase> = cases
            .iter()
            .filter(|c| !c.candidates.is_empty() && c.hits.iter().any(|&h| h))
            .collect();
        if cases.is_empty() {
            return Ok(None);
        }
        let rows: usize = cases.iter().map(|c| c.candidates.len()).sum();
        let mut x = Vec::with_capacity(rows * N_FEATURES);
        let mut y = Vec::with_capacity(rows);
        let mut sizes = Vec::with_capacity(cases.len());
        for c in &cases {
            x.extend_from_slice(&c.candidates.features);
            y.extend(c.hits.iter().map(|&h| f32::from(u8::from(h))));
            sizes.push(c.candidates.len());
        }
        let data = DMatrix::from_dense_vec(x, rows, N_FEATURES)
            .and_then(|d| d.with_labels(&y))
            .and_then(|d| d.with_group_sizes(&sizes))
            .map_err(boost_error)?;
        let boost = TrainingParams::builder()
            .objective(Objective::RankNdcg(LambdaRank::default()))
            .grow_policy(GrowPolicy::LossGuide)
            .max_leaves(params.max_leaves)
            .unlimited_depth()
            .eta(params.eta)
            .min_child_weight(params.min_child_weight)
            .seed(42)
            .build()
            .map_err(boost_error)?;
        let model = train(&boost, &data, params.rounds).map_err(boost_error)?;
        Ok(Some(Reranker {
            model,
            min_profile: params.min_profile,
        }))
    }

    /// Whether a profile of `n` works is reranked.
    pub fn applies(&self, n: usize) -> bool {
        n >= self.min_profile
    }

    /// The reranker's score of each candidate (higher is better), in one batch: the trees are
    /// walked for all rows at once, several times faster than row by row.
    pub fn score(&self, candidates: &Candidates) -> Vec<f32> {
        match self
            .model
            .predict_rows(&candidates.features, Iterations::Best)
        {
            Ok(p) => p.into_vec(),
            // Rows of the width the model was trained on, finite or missing, always score; if
            // not (a bug), the candidates keep their order rather than failing the request.
            Err(_) => (0..candidates.len()).map(|i| -(i as f32)).collect(),
        }
    }

    /// Each feature's share of the total gain (for reports).
    pub fn importances(&self) -> Vec<(&'static str, f32)> {
        let gains = self.model.feature_importance(ImportanceType::TotalGain);
        let total = gains.values().sum::<f64>().max(f64::MIN_POSITIVE);
        let mut out: Vec<(&'static str, f32)> = FEATURE_NAMES
            .iter()
            .enumerate()
            .map(|(i, &name)| {
                let g = gains.get(&i).copied().unwrap_or(0.0);
                (name, (g / total) as f32)
            })
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1));
        out
    }
}

/// Persisted as the crate's own compact binary encoding (a byte string in the model file).
impl Serialize for Reranker {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let bytes = self
            .model
            .encode(ModelFormat::Binary)
            .map_err(serde::ser::Error::custom)?;
        (bytes, self.min_profile as u32).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Reranker {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let (bytes, min_profile) = <(Vec<u8>, u32)>::deserialize(d)?;
        let model =
            BoostedModel::decode(&bytes, ModelFormat::Binary).map_err(serde::de::Error::custom)?;
        Ok(Reranker {
            model,
            min_profile: min_profile as usize,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recs::rng::SplitMix64;

    /// Scores over 6 works for two components (the other three absent).
    fn input_components() -> Vec<(Vec<f32>, f32)> {
        let ninf = f32::NEG_INFINITY;
        vec![
            (vec![4.0, 3.0, 2.0, 1.0, ninf, ninf], 0.25),
            (Vec::new(), 0.0),
            (vec![ninf, ninf, ninf, 0.5, 1.0, ninf], 1.0),
        ]
    }

    #[test]
    fn candidates_are_every_components_top_but_the_readers_own() {
        let components = input_components();
        let profile = [(0u32, 1.0f32), (5, 1.0)];
        // Works 0 and 1 share author 7; the reader has work 0.
        let work_author = [7, 7, 8, 9, 10, 11];
        let relevance = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
        let c = Candidates::new(&CandidateInput {
            components: &components,
            profile: &profile,
            relevance: &relevance,
            work_author: &work_author,
        });
        assert_eq!(c.works, vec![1, 2, 3, 4]);
        assert_eq!(c.features.len(), 4 * N_FEATURES);
        let row = |w: usize| &c.features[w * N_FEATURES..(w + 1) * N_FEATURES];
        // Work 1: EASE's best after the reader's own (rank 0), scaled by 1/4.
        assert_eq!(row(0)[0..2], [0.75, 0.0]);
        // Absent components: missing, and the rank past the top.
        for f in [2, 8] {
            assert!(row(0)[f].is_nan());
            assert_eq!(row(0)[f + 1], PER_COMPONENT as f32);
        }
        // Work 4 is the third component's best, unscored by the first.
        assert!(row(3)[0].is_nan());
        assert_eq!(row(3)[1], PER_COMPONENT as f32);
        assert_eq!(row(3)[4..6], [1.0, 0.0]);
        // Relevance, one work of the reader's by this author (work 1), ln 3, a half.
        assert_eq!(row(0)[10..12], [0.2, 1.0]);
        assert!((row(0)[12] - 3f32.ln()).abs() < 1e-6);
        assert_eq!(row(0)[13], 0.5);
        assert_eq!(row(1)[11], 0.0);
    }

    /// Readers whose hits are the candidates with a high fourth feature, hidden among noise.
    fn cases(n: usize, seed: u64) -> Vec<TrainingCase> {
        let mut rng = SplitMix64::new(seed);
        let mut unit = move || (rng.next_u64() >> 40) as f32 / (1u64 << 24) as f32;
        (0..n)
            .map(|_| {
                let len = 30;
                let mut features = Vec::with_capacity(len * N_FEATURES);
                let mut hits = Vec::with_capacity(len);
                for _ in 0..len {
                    let row: Vec<f32> = (0..N_FEATURES).map(|_| unit()).collect();
                    hits.push(row[4] > 0.9);
                    features.extend(row);
                }
                TrainingCase {
                    candidates: Candidates {
                        works: (0..len as u32).collect(),
                        features,
                    },
                    hits,
                }
            })
            .collect()
    }

    /// Mean share of hits among each case's reranked top 3.
    fn precision_at_3(r: &Reranker, cases: &[TrainingCase]) -> f64 {
        let mut sum = 0.0;
        for c in cases {
            let scores = r.score(&c.candidates);
            let mut order: Vec<usize> = (0..scores.len()).collect();
            order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
            sum += order.iter().take(3).filter(|&&i| c.hits[i]).count() as f64 / 3.0;
        }
        sum / cases.len() as f64
    }

    #[test]
    fn a_reranker_learns_which_feature_marks_the_hits() {
        let params = RerankParams {
            rounds: 40,
            ..RerankParams::default()
        };
        let r = Reranker::fit(&cases(300, 1), &params)
            .unwrap()
            .expect("hits to learn from");
        // About 3 hits in 30: chance puts 0.1 of a top 3 on them.
        let p = precision_at_3(&r, &cases(100, 2));
        assert!(p > 0.6, "precision@3 {p}");
        assert_eq!(r.importances()[0].0, "als");
    }

    #[test]
    fn nothing_to_learn_gives_no_reranker() {
        let mut none = cases(20, 3);
        for c in &mut none {
            c.hits.iter_mut().for_each(|h| *h = false);
        }
        assert!(Reranker::fit(&none, &RerankParams::default())
            .unwrap()
            .is_none());
        assert!(Reranker::fit(&[], &RerankParams::default())
            .unwrap()
            .is_none());
    }

    #[test]
    fn a_saved_reranker_scores_the_same() {
        let params = RerankParams {
            rounds: 10,
            min_profile: 3,
            ..RerankParams::default()
        };
        let r = Reranker::fit(&cases(50, 4), &params).unwrap().unwrap();
        let bytes = postcard::to_allocvec(&r).unwrap();
        let back: Reranker = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(back.min_profile, 3);
        assert!(!back.applies(2) && back.applies(3));
        for c in cases(5, 5) {
            assert_eq!(r.score(&c.candidates), back.score(&c.candidates));
        }
        assert!(postcard::from_bytes::<Reranker>(&bytes[..bytes.len() / 2]).is_err());
    }
}
