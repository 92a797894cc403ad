//! The hybrid: a weighted blend of the other models whose weights depend on how much the
//! reader has rated.
//!
//! Each component's scores are divided by that component's largest score for this reader
//! (popularity: by its global largest), so weights compare like with like, and then
//! `score = Σ_m weight_m(bucket) · score_m / max_m`. The weights are picked per *activity
//! bucket* (by number of rated works) on a validation split carved from the training data
//! (see [`crate::recs::eval`]), never on the test split. Because the blend is linear, each
//! component's explanation scaled by `weight_m / max_m` explains the blended score exactly.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{bump, Contribution, Scorer};

/// The weight of each component in one activity bucket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct BlendWeights {
    /// EASE.
    pub ease: f32,
    /// Item-kNN.
    pub knn: f32,
    /// ALS.
    pub als: f32,
    /// Content TF-IDF.
    pub content: f32,
    /// Popularity.
    pub popularity: f32,
    /// Power β of the relevance prior: the blended score is multiplied by `q^β`, `q` being
    /// the smoothed share of a work's readers who rated it 7 or more (divided, for a negative
    /// score), so works people merely shelve rank below works people love. 0: off.
    #[serde(default)]
    pub prior: f32,
}

impl BlendWeights {
    /// The weights as an array in [`Components`] order (ease, knn, als, content, popularity).
    pub fn as_array(&self) -> [f32; 5] {
        [self.ease, self.knn, self.als, self.content, self.popularity]
    }
}

/// Blend weights per activity bucket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Blend {
    /// Upper bounds (exclusive) of the buckets' profile sizes; the last bucket is open.
    pub bounds: Vec<usize>,
    /// One set of weights per bucket (`bounds.len() + 1`).
    pub weights: Vec<BlendWeights>,
}

impl Default for Blend {
    fn default() -> Self {
        let w = BlendWeights {
            ease: 1.0,
            knn: 0.3,
            als: 0.3,
            content: 0.05,
            popularity: 0.05,
            prior: 0.0,
        };
        Blend {
            bounds: vec![5, 20, 100],
            weights: vec![w; 4],
        }
    }
}

impl Blend {
    /// The bucket of a profile of `n` rated works.
    pub fn bucket(&self, n: usize) -> usize {
        self.bounds.iter().take_while(|&&b| n >= b).count()
    }

    /// The weights for a profile of `n` rated works.
    pub fn weights_for(&self, n: usize) -> BlendWeights {
        self.weights
            .get(self.bucket(n))
            .or(self.weights.last())
            .copied()
            .unwrap_or_default()
    }
}

/// The component models a hybrid blends; absent ones weigh nothing.
#[derive(Clone, Copy)]
pub struct Components<'a> {
    /// The five components in blend order: ease, knn, als, content, popularity.
    pub models: [Option<&'a dyn Scorer>; 5],
}

/// The largest finite score (0 when there is none or it is not positive).
fn max_finite(scores: &[f32]) -> f32 {
    scores
        .iter()
        .copied()
        .filter(|s| s.is_finite())
        .fold(0f32, f32::max)
}

/// A hybrid bound to its components.
pub struct Hybrid<'a> {
    /// The components.
    pub parts: Components<'a>,
    /// The weights.
    pub blend: &'a Blend,
    /// The catalog's number of works (the size of score buffers).
    pub n_works: usize,
    /// The relevance prior `q` of each work (see [`BlendWeights::prior`]).
    pub relevance: &'a [f32],
    /// The last profile scored and its component scores, so that explaining the
    /// recommendations of a request does not score every component a second time.
    pub cache: std::sync::Mutex<Option<ComponentCache>>,
}

/// A profile and its component scores with their normalisers.
pub type ComponentCache = (Vec<(u32, f32)>, Vec<(Vec<f32>, f32)>);

/// Apply the relevance multiplier `m ∈ (0, 1]` to a score: shrink a positive score, push a
/// negative one further down, so a lower `q` always ranks lower.
pub fn with_prior(score: f32, m: f32) -> f32 {
    if score >= 0.0 {
        score * m
    } else {
        score / m
    }
}

impl Hybrid<'_> {
    /// Each component's scores for `profile` and its normaliser (`1 / max`, 0 when unusable).
    pub fn component_scores(&self, profile: &[(u32, f32)], n_works: usize) -> Vec<(Vec<f32>, f32)> {
        let w = self.blend.weights_for(profile.len()).as_array();
        // Components score in parallel: a served request waits for the slowest one only.
        self.parts
            .models
            .par_iter()
            .zip(w)
            .map(|(m, weight)| match m {
                Some(m) if weight > 0.0 => {
                    let mut s = vec![f32::NEG_INFINITY; n_works];
                    m.score(profile, &mut s);
                    let max = max_finite(&s);
                    let norm = if max > 0.0 { 1.0 / max } else { 0.0 };
                    (s, norm)
                }
                _ => (Vec::new(), 0.0),
            })
            .collect()
    }
}

impl Scorer for Hybrid<'_> {
    fn score(&self, profile: &[(u32, f32)], out: &mut [f32]) {
        let w = self.blend.weights_for(profile.len()).as_array();
        let comps = self.component_scores(profile, out.len());
        for ((s, norm), weight) in comps.iter().zip(w) {
            let k = weight * norm;
            if k == 0.0 {
                continue;
            }
            for (o, &v) in out.iter_mut().zip(s) {
                if v.is_finite() {
                    bump(o, k * v);
                }
            }
        }
        let beta = self.blend.weights_for(profile.len()).prior;
        if beta != 0.0 {
            for (o, &q) in out.iter_mut().zip(self.relevance) {
                if o.is_finite() {
                    *o = with_prior(*o, q.powf(beta));
                }
            }
        }
        if let Ok(mut cache) = self.cache.lock() {
            *cache = Some((profile.to_vec(), comps));
        }
    }

    fn explain(&self, profile: &[(u32, f32)], target: u32) -> Vec<Contribution> {
        self.explain_many(profile, &[target])
            .pop()
            .unwrap_or_default()
    }

    fn explain_many(&self, profile: &[(u32, f32)], targets: &[u32]) -> Vec<Vec<Contribution>> {
        let weights = self.blend.weights_for(profile.len());
        let w = weights.as_array();
        // One scoring pass per component gives every target's normaliser.
        let cached = self
            .cache
            .lock()
            .ok()
            .and_then(|mut c| c.take())
            .filter(|(p, _)| p == profile)
            .map(|(_, scores)| scores);
        let scores = cached.unwrap_or_else(|| self.component_scores(profile, self.n_works));
        let mut merged: Vec<Vec<Contribution>> = vec![Vec::new(); targets.len()];
        for ((m, (s, norm)), weight) in self.parts.models.iter().zip(&scores).zip(w) {
            let k = weight * norm;
            let Some(m) = m else { continue };
            if k == 0.0 {
                continue;
            }
            // Only targets this component scored contribute (the others got no score from it).
            let (slots, scored): (Vec<usize>, Vec<u32>) = targets
                .iter()
                .enumerate()
                .filter(|(_, &t)| s.get(t as usize).is_some_and(|v| v.is_finite()))
                .map(|(i, &t)| (i, t))
                .unzip();
            for (slot, contributions) in slots.into_iter().zip(m.explain_many(profile, &scored)) {
                let list = &mut merged[slot];
                for c in contributions {
                    let share = c.share * k;
                    match list.iter_mut().find(|x| x.reason == c.reason) {
                        Some(x) => x.share += share,
                        None => list.push(Contribution {
                            reason: c.reason,
                            share,
                        }),
                    }
                }
            }
        }
        for (list, &target) in merged.iter_mut().zip(targets) {
            if let (true, Some(&q)) = (weights.prior != 0.0, self.relevance.get(target as usize)) {
                // One factor for every share, so they still sum to the (multiplied) score.
                let total: f32 = list.iter().map(|c| c.share).sum();
                if total != 0.0 {
                    let factor = with_prior(total, q.powf(weights.prior)) / total;
                    for c in list.iter_mut() {
                        c.share *= factor;
                    }
                }
            }
            list.sort_by(|a, b| b.share.total_cmp(&a.share));
        }
        merged
    }
}
