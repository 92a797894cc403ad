//! Item-based k-nearest neighbours on works, from sparse co-occurrence.
//!
//! The original notebook pivoted explicit ratings into a dense users × books table and took
//! cosine similarities over it; that drops the implicit interactions (two thirds of the data)
//! and splits a book's signal over its editions. Here similarities come from the sparse
//! users × works matrix with every interaction (implicit ones as weak positives, explicit ones
//! weighted by their score, see [`crate::recs::data::Weighting`]):
//!
//! `sim(i, j) = Σ_u x_ui x_uj / (‖x_i‖ ‖x_j‖ + shrink)`
//!
//! a cosine shrunk towards zero when the works have few readers (so two works read by the same
//! single user are not "identical"), then weighed by its support: times `c / (c + λ)` with `c`
//! the works' co-readers and λ [`SUPPORT`], so that a neighbour one or two readers happen to
//! share with a book does not rank with one hundreds share (the cosine of two books with one
//! reader in common can be as high as that of two books read together by many).
//! Each work keeps its `neighbours` most similar works.
//! A reader's score for work `j` is `Σ_i x_i sim(i, j)` over their rated works `i` that have
//! `j` among their neighbours, so each rated work's share of the score is exact.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{bump, Contribution, Reason, Scorer};
use crate::recs::data::TrainMatrix;

/// Settings of [`ItemKnn`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KnnParams {
    /// Neighbours kept per work.
    pub neighbours: usize,
    /// Shrinkage added to the cosine's denominator.
    pub shrink: f32,
    /// Works with fewer training readers get no neighbours (and are nobody's neighbour).
    pub min_users: u32,
}

impl Default for KnnParams {
    fn default() -> Self {
        KnnParams {
            neighbours: 200,
            shrink: 10.0,
            min_users: 2,
        }
    }
}

/// λ of the support factor `c / (c + λ)` (`c` co-readers) each similarity is weighed by:
/// chosen on Book-Crossing's item-to-item rows with `examples/similar_eval.rs`
/// (bench/results/similar-*.txt). Not a [`KnnParams`] field: those are persisted in model
/// files, whose layout stays as it is.
pub const SUPPORT: f32 = 30.0;

/// Top-K neighbour lists of every work, in compressed form.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ItemKnn {
    /// `neighbours[offsets[i]..offsets[i + 1]]` are work `i`'s neighbours, most similar first.
    offsets: Vec<u32>,
    neighbours: Vec<u32>,
    similarity: Vec<f32>,
}

/// The shrunk cosine similarity of two works from their co-occurrence `dot` and norms.
pub fn shrunk_cosine(dot: f32, norm_i: f32, norm_j: f32, shrink: f32) -> f32 {
    let denom = norm_i * norm_j + shrink;
    if denom > 0.0 {
        dot / denom
    } else {
        0.0
    }
}

/// The support factor `c / (c + λ)` of `c` co-readers (1 when λ is 0).
pub fn supported(c: f32, lambda: f32) -> f32 {
    if lambda > 0.0 {
        c / (c + lambda)
    } else {
        1.0
    }
}

impl ItemKnn {
    /// Compute every eligible work's neighbours (in parallel over works), weighed by their
    /// support with λ = [`SUPPORT`].
    pub fn train(m: &TrainMatrix, params: &KnnParams) -> ItemKnn {
        ItemKnn::train_with_support(m, params, SUPPORT)
    }

    /// [`ItemKnn::train`] with the support factor's λ given (0: the shrunk cosine alone).
    pub fn train_with_support(m: &TrainMatrix, params: &KnnParams, support: f32) -> ItemKnn {
        let n = m.by_work.rows();
        let eligible: Vec<bool> = m
            .work_users
            .iter()
            .map(|&c| c >= params.min_users)
            .collect();
        let norms: Vec<f32> = (0..n)
            .map(|i| {
                let r = m.by_work.indptr().outer_inds_sz(i);
                m.by_work.data()[r]
                    .iter()
                    .map(|v| v * v)
                    .sum::<f32>()
                    .sqrt()
            })
            .collect();
        let (x_indptr, t_indptr) = (m.by_user.indptr(), m.by_work.indptr());
        let (xp, xi, xd) = (
            x_indptr.raw_storage(),
            m.by_user.indices(),
            m.by_user.data(),
        );
        let (tp, ti, td) = (
            t_indptr.raw_storage(),
            m.by_work.indices(),
            m.by_work.data(),
        );
        let lists: Vec<Vec<(u32, f32)>> = (0..n)
            .into_par_iter()
            .map_init(
                || (vec![0f32; n], vec![0u32; n], Vec::<u32>::new()),
                |(acc, count, touched), i| {
                    if !eligible[i] {
                        return Vec::new();
                    }
                    for k in tp[i]..tp[i + 1] {
                        let (u, wu) = (ti[k] as usize, td[k]);
                        for q in xp[u]..xp[u + 1] {
                            let j = xi[q] as usize;
                            if j != i && eligible[j] {
                                if count[j] == 0 {
                                    touched.push(j as u32);
                                }
                                acc[j] += wu * xd[q];
                                count[j] += 1;
                            }
                        }
                    }
                    let mut cand: Vec<(f32, u32)> = touched
                        .iter()
                        .map(|&j| {
                            let ju = j as usize;
                            let c = count[ju] as f32;
                            let s = shrunk_cosine(acc[ju], norms[i], norms[ju], params.shrink)
                                * supported(c, support);
                            acc[ju] = 0.0;
                            count[ju] = 0;
                            (s, j)
                        })
                        .collect();
                    touched.clear();
                    let top = crate::recs::metrics::top_of(&mut cand, params.neighbours);
                    // top_of leaves `cand` holding the selected pairs, best first.
                    top.iter()
                        .zip(cand.iter())
                        .map(|(&j, c)| (j, c.0))
                        .collect()
                },
            )
            .collect();
        let mut knn = ItemKnn {
            offsets: Vec::with_capacity(n + 1),
            ..ItemKnn::default()
        };
        knn.offsets.push(0);
        for list in lists {
            for (j, s) in list {
                knn.neighbours.push(j);
                knn.similarity.push(s);
            }
            knn.offsets.push(knn.neighbours.len() as u32);
        }
        knn
    }

    /// Work `i`'s neighbours and similarities, most similar first.
    pub fn neighbours(&self, i: u32) -> (&[u32], &[f32]) {
        let i = i as usize;
        if i + 1 >= self.offsets.len() {
            return (&[], &[]);
        }
        let r = self.offsets[i] as usize..self.offsets[i + 1] as usize;
        (&self.neighbours[r.clone()], &self.similarity[r])
    }
}

impl Scorer for ItemKnn {
    fn score(&self, profile: &[(u32, f32)], out: &mut [f32]) {
        for &(i, w) in profile {
            let (nb, sim) = self.neighbours(i);
            for (&j, &s) in nb.iter().zip(sim) {
                bump(&mut out[j as usize], w * s);
            }
        }
    }

    fn explain(&self, profile: &[(u32, f32)], target: u32) -> Vec<Contribution> {
        profile
            .iter()
            .filter_map(|&(i, w)| {
                let (nb, sim) = self.neighbours(i);
                nb.iter().position(|&j| j == target).map(|p| Contribution {
                    reason: Reason::Rated(i),
                    share: w * sim[p],
                })
            })
            .collect()
    }

    fn explain_many(&self, profile: &[(u32, f32)], targets: &[u32]) -> Vec<Vec<Contribution>> {
        // One pass over the profile's neighbour lists for every target (a reader with
        // thousands of books would otherwise scan them once per target).
        let mut sorted: Vec<(u32, usize)> =
            targets.iter().enumerate().map(|(i, &t)| (t, i)).collect();
        sorted.sort_unstable();
        let mut out = vec![Vec::new(); targets.len()];
        for &(i, w) in profile {
            let (nb, sim) = self.neighbours(i);
            for (&j, &s) in nb.iter().zip(sim) {
                let from = sorted.partition_point(|x| x.0 < j);
                for &(_, slot) in sorted[from..].iter().take_while(|x| x.0 == j) {
                    out[slot].push(Contribution {
                        reason: Reason::Rated(i),
                        share: w * s,
                    });
                }
            }
        }
        out
    }
}

impl super::Fit for ItemKnn {
    const KIND: super::ModelKind = super::ModelKind::Knn;
    type Params = KnnParams;

    fn params(all: &crate::recs::trained::TrainParams) -> &KnnParams {
        &all.knn
    }

    fn fit(
        data: &super::TrainingData<'_>,
        params: &KnnParams,
        progress: crate::recs::ProgressFn<'_>,
    ) -> crate::recs::Result<ItemKnn> {
        super::announce(progress, Self::KIND);
        Ok(ItemKnn::train(data.matrix, params))
    }
}
