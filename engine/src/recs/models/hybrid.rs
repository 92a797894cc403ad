//! The hybrid: a weighted blend of the other models whose weights depend on how much the
//! reader has rated.
//!
//! Each component's scores are divided by that component's largest score for this reader
//! (popularity: by its global largest), so weights compare like with like, and then
//! `score = Σ_m weight_m(bucket) · score_m / max_m`. The weights are picked per *activity
//! bucket* (by number of rated works) on a validation split carved from the training data
//! (see [`crate::recs::eval`]), never on the test split. Because the blend is linear, each
//! component's explanation scaled by `weight_m / max_m` explains the blended score exactly.
//!
//! When the model has a reranker ([`super::rerank`]), the blend's candidates are then reordered
//! by it: a candidate's score becomes [`RERANKED`] plus the reranker's, and its explanation is
//! the blend's, scaled to that score (the reasons stay the evidence that made it a candidate).

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::rerank::{CandidateInput, Candidates, Reranker};
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
    /// The weights `shelfwise eval` tuned on Book-Crossing's validation split (protocol split,
    /// seed 42; the blend beats EASE alone there, see `bench/results/eval-*.txt`). The server
    /// trains without a validation step, so the default must be the tuned blend: light
    /// readers lean on kNN, ALS, content and popularity (EASE knows too little of them);
    /// heavier ones on EASE, with content fading and the relevance prior for the heaviest.
    fn default() -> Self {
        let w = |ease, knn, als, content, popularity, prior| BlendWeights {
            ease,
            knn,
            als,
            content,
            popularity,
            prior,
        };
        Blend {
            bounds: vec![5, 20, 100],
            weights: vec![
                // 5 and more rated: tuned again after kNN's support factor; 0-4 kept, which
                // serves readers with 1 or 2 books better than the new tuning's
                // (bench/results/peers-works-2026-12-07.txt, its last sections).
                w(0.0, 0.25, 0.25, 0.3, 0.1, 0.0),
                w(1.0, 0.5, 0.1, 1.0, 0.1, 0.0),
                w(1.0, 0.0, 0.25, 0.3, 0.0, 0.0),
                w(1.0, 0.1, 0.0, 0.3, 0.0, 0.5),
            ],
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
    /// The author of each work (a reranker feature).
    pub work_author: &'a [u32],
    /// Reorders the blend's candidates, when one was trained (see [`super::rerank`]).
    pub reranker: Option<&'a Reranker>,
    /// What explaining the last profile scored needs, so that explaining the recommendations
    /// of a request does not score every component a second time.
    pub cache: std::sync::Mutex<Option<ComponentCache>>,
}

/// A profile and, per component, its normaliser and which works it scored (a bitset over
/// works: 30 kB instead of a 1 MB score vector per component).
#[derive(Debug, Clone, Default)]
pub struct ComponentCache {
    /// The profile scored.
    pub profile: Vec<(u32, f32)>,
    /// Per component (blend order): bitset of the works it scored, and `1 / max` (0: unused).
    pub parts: Vec<(Vec<u64>, f32)>,
    /// The reranked candidates and their final scores, by work (empty: not reranked).
    pub reranked: Vec<(u32, f32)>,
}

/// What a reranked candidate's score starts from: above any blended score (a blend is a sum of
/// at most five weights times scores of at most 1, times a prior of at most 1), so every
/// candidate ranks above every other work.
pub const RERANKED: f32 = 1000.0;

fn bit(bits: &[u64], i: usize) -> bool {
    bits.get(i >> 6).is_some_and(|b| b & (1 << (i & 63)) != 0)
}

/// Apply the relevance multiplier `m ∈ (0, 1]` to a score: shrink a positive score, push a
/// negative one further down, so a lower `q` always ranks lower.
pub fn with_prior(score: f32, m: f32) -> f32 {
    if score >= 0.0 {
        score * m
    } else {
        score / m
    }
}

/// `q^β`, the relevance multiplier. β = 0.5 (what tuning picks) is a square root, several times
/// cheaper than `powf` over a whole catalog per request.
pub fn prior_factor(q: f32, beta: f32) -> f32 {
    if beta == 0.5 {
        q.sqrt()
    } else {
        q.powf(beta)
    }
}

impl Hybrid<'_> {
    /// Each component's scores for `profile` and its normaliser (`1 / max`, 0 when unusable).
    pub fn component_scores(&self, profile: &[(u32, f32)], n_works: usize) -> Vec<(Vec<f32>, f32)> {
        let mut w = self.blend.weights_for(profile.len()).as_array();
        if self.reranks(profile) {
            // The reranker reads every component, whatever the bucket's weights.
            w = [1.0; 5];
        }
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

impl Hybrid<'_> {
    /// Add to `merged[i]`, for each `i` of `which`, every component's reasons for `targets[i]`
    /// scaled by that component's `ks` (components with `k` 0, or that did not score the
    /// target, add nothing).
    fn add_reasons(
        &self,
        profile: &[(u32, f32)],
        targets: &[u32],
        which: &[usize],
        parts: &[(Vec<u64>, f32)],
        ks: &[f32],
        merged: &mut [Vec<Contribution>],
    ) {
        for ((m, (bits, _)), &k) in self.parts.models.iter().zip(parts).zip(ks) {
            let Some(m) = m else { continue };
            if k == 0.0 {
                continue;
            }
            // Only targets this component scored contribute (the others got no score from it).
            let (slots, scored): (Vec<usize>, Vec<u32>) = which
                .iter()
                .map(|&i| (i, targets[i]))
                .filter(|&(_, t)| bit(bits, t as usize))
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
    }

    /// Whether this profile's candidates are reranked.
    fn reranks(&self, profile: &[(u32, f32)]) -> bool {
        self.reranker.is_some_and(|r| r.applies(profile.len()))
    }

    /// Rerank the candidates of `scored` into `out`: each scores [`RERANKED`] plus the
    /// reranker's score; the other works keep their blended score. Returns the candidates'
    /// final scores by work.
    fn rerank_into(
        &self,
        profile: &[(u32, f32)],
        scored: &[(Vec<f32>, f32)],
        out: &mut [f32],
    ) -> Vec<(u32, f32)> {
        let Some(reranker) = self.reranker.filter(|_| self.reranks(profile)) else {
            return Vec::new();
        };
        let candidates = Candidates::new(&CandidateInput {
            components: scored,
            profile,
            relevance: self.relevance,
            work_author: self.work_author,
        });
        let scores = reranker.score(&candidates);
        let mut reranked = Vec::with_capacity(candidates.len());
        for (&w, p) in candidates.works.iter().zip(scores) {
            if let Some(o) = out.get_mut(w as usize) {
                *o = RERANKED + p;
                reranked.push((w, *o));
            }
        }
        reranked
    }

    /// Blend the components into `out` (scored in parallel by [`Hybrid::component_scores`];
    /// a component weighted 0 is not scored unless the reranker reads it), rerank the
    /// candidates when a reranker applies, and return what explaining needs.
    fn blend_into(&self, profile: &[(u32, f32)], out: &mut [f32]) -> ComponentCache {
        let weights = self.blend.weights_for(profile.len());
        let n = out.len();
        let scored = self.component_scores(profile, n);
        let ks: Vec<f32> = scored
            .iter()
            .zip(weights.as_array())
            .map(|((_, norm), weight)| weight * norm)
            .collect();
        // Which works each component scored (for explaining), one task per component.
        let parts = scored
            .par_iter()
            .map(|(scores, norm)| (finite_bits(scores), *norm))
            .collect();
        // The weighted sum, in blocks over the pool: a catalog-long pass per component.
        out.par_chunks_mut(BLEND_BLOCK)
            .enumerate()
            .for_each(|(b, block)| {
                let at = b * BLEND_BLOCK;
                for ((scores, _), &k) in scored.iter().zip(&ks) {
                    if scores.is_empty() || k == 0.0 {
                        continue;
                    }
                    for (o, &v) in block.iter_mut().zip(&scores[at..]) {
                        if v.is_finite() {
                            bump(o, k * v);
                        }
                    }
                }
                if weights.prior != 0.0 {
                    for (o, &q) in block
                        .iter_mut()
                        .zip(&self.relevance[at.min(self.relevance.len())..])
                    {
                        if o.is_finite() {
                            *o = with_prior(*o, prior_factor(q, weights.prior));
                        }
                    }
                }
            });
        let reranked = self.rerank_into(profile, &scored, out);
        ComponentCache {
            profile: profile.to_vec(),
            parts,
            reranked,
        }
    }
}

/// Works per parallel block of the blend (16,384 works: 64 KB of each component's scores).
const BLEND_BLOCK: usize = 1 << 14;

/// A bitset of the finite entries of `scores` (empty for an unscored component).
fn finite_bits(scores: &[f32]) -> Vec<u64> {
    scores
        .chunks(64)
        .map(|c| {
            c.iter()
                .enumerate()
                .fold(0u64, |w, (j, v)| w | (u64::from(v.is_finite()) << j))
        })
        .collect()
}

impl Scorer for Hybrid<'_> {
    fn score(&self, profile: &[(u32, f32)], out: &mut [f32]) {
        let cache = self.blend_into(profile, out);
        if let Ok(mut slot) = self.cache.lock() {
            *slot = Some(cache);
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
        // One scoring pass per component gives every target's normaliser (cached by `score`).
        let cached = self
            .cache
            .lock()
            .ok()
            .and_then(|mut c| c.take())
            .filter(|c| c.profile == profile);
        let cache = cached.unwrap_or_else(|| {
            let mut scratch = vec![f32::NEG_INFINITY; self.n_works];
            self.blend_into(profile, &mut scratch)
        });
        let mut merged: Vec<Vec<Contribution>> = vec![Vec::new(); targets.len()];
        let all: Vec<usize> = (0..targets.len()).collect();
        let ks: Vec<f32> = cache
            .parts
            .iter()
            .zip(w)
            .map(|((_, norm), weight)| weight * norm)
            .collect();
        self.add_reasons(profile, targets, &all, &cache.parts, &ks, &mut merged);
        // A reranked candidate that only components weighted 0 put forward has no reason yet:
        // every component that scored it explains it, unweighted, so it still says why.
        let bare: Vec<usize> = all
            .into_iter()
            .filter(|&i| {
                merged[i].is_empty()
                    && cache
                        .reranked
                        .binary_search_by_key(&targets[i], |r| r.0)
                        .is_ok()
            })
            .collect();
        if !bare.is_empty() {
            let norms: Vec<f32> = cache.parts.iter().map(|(_, norm)| *norm).collect();
            self.add_reasons(profile, targets, &bare, &cache.parts, &norms, &mut merged);
        }
        for (list, &target) in merged.iter_mut().zip(targets) {
            if let (true, Some(&q)) = (weights.prior != 0.0, self.relevance.get(target as usize)) {
                // One factor for every share, so they still sum to the (multiplied) score.
                let total: f32 = list.iter().map(|c| c.share).sum();
                if total != 0.0 {
                    let factor = with_prior(total, prior_factor(q, weights.prior)) / total;
                    for c in list.iter_mut() {
                        c.share *= factor;
                    }
                }
            }
            // A reranked candidate's score is the reranker's: the same reasons, scaled to it.
            if let Ok(i) = cache.reranked.binary_search_by_key(&target, |r| r.0) {
                let total: f32 = list.iter().map(|c| c.share).sum();
                if total != 0.0 {
                    let factor = cache.reranked[i].1 / total;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recs::models::rerank::{RerankParams, TrainingCase, N_FEATURES};
    use crate::recs::models::Reason;

    /// Scores a fixed set of works, each explained by the reader's first work.
    struct Fixed(Vec<u32>);

    impl Scorer for Fixed {
        fn score(&self, _: &[(u32, f32)], out: &mut [f32]) {
            for (i, &w) in self.0.iter().enumerate() {
                out[w as usize] = 1.0 - i as f32 * 0.1;
            }
        }
        fn explain(&self, profile: &[(u32, f32)], target: u32) -> Vec<Contribution> {
            let mut out = vec![f32::NEG_INFINITY; 10];
            self.score(profile, &mut out);
            vec![Contribution {
                reason: Reason::Rated(profile[0].0),
                share: out[target as usize],
            }]
        }
    }

    /// A reranker that learned something (any order will do here).
    fn reranker() -> Reranker {
        let cases: Vec<TrainingCase> = (0..20)
            .map(|c| TrainingCase {
                candidates: Candidates {
                    works: (0..8).collect(),
                    features: (0..8 * N_FEATURES)
                        .map(|i| ((i * 7 + c) % 11) as f32)
                        .collect(),
                },
                hits: (0..8).map(|i| (i + c) % 4 == 0).collect(),
            })
            .collect();
        let params = RerankParams {
            rounds: 5,
            min_profile: 1,
            ..RerankParams::default()
        };
        Reranker::fit(&cases, &params).unwrap().unwrap()
    }

    #[test]
    fn a_reranked_work_only_a_component_weighted_0_found_still_has_its_reason() {
        let (ease, knn) = (Fixed(vec![1, 2, 3]), Fixed(vec![5, 6, 7]));
        let blend = Blend {
            bounds: Vec::new(),
            weights: vec![BlendWeights {
                ease: 1.0,
                ..Default::default()
            }],
        };
        let reranker = reranker();
        let relevance = vec![0.5; 10];
        let authors: Vec<u32> = (0..10).collect();
        let hybrid = Hybrid {
            parts: Components {
                models: [Some(&ease), Some(&knn), None, None, None],
            },
            blend: &blend,
            n_works: 10,
            relevance: &relevance,
            work_author: &authors,
            reranker: Some(&reranker),
            cache: Default::default(),
        };
        let profile = [(9u32, 2.0f32)];
        let mut scores = vec![f32::NEG_INFINITY; 10];
        hybrid.score(&profile, &mut scores);
        // kNN weighs 0, yet its works are candidates, reranked above the rest.
        assert!(scores[6] > RERANKED / 2.0, "{scores:?}");
        for (target, reasons) in [5, 6, 7]
            .iter()
            .zip(hybrid.explain_many(&profile, &[5, 6, 7]))
        {
            assert!(!reasons.is_empty(), "no reason for {target}");
            assert_eq!(reasons[0].reason, Reason::Rated(9));
            let sum: f32 = reasons.iter().map(|c| c.share).sum();
            assert!((sum - scores[*target as usize]).abs() < 1e-3, "{sum}");
        }
    }
}
