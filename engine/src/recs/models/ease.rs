//! EASE (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019): the
//! closed-form item-item linear model.
//!
//! Over the works with at least `min_users` training readers (the vocabulary), with `X` the
//! weighted users × works matrix:
//!
//! `G = XᵀX + λI`, `P = G⁻¹`, `B = I − P·diag(1/diag P)`, so `B_ij = −P_ij / P_jj` and
//! `B_jj = 0`
//!
//! `B` is the least-squares weight matrix that predicts each work from the *other* works.
//! `G` is symmetric positive definite (λ > 0), so `P` comes from a Cholesky factorization
//! (`G = LLᵀ`, `P = L⁻ᵀL⁻¹`), in f32 through faer, which halves the flops and the memory of the
//! LU inverse `numpy.linalg.inv` does. Peak memory is two n × n f32 matrices.
//!
//! A reader's score for work `j` is `Σ_i x_i B_ij` over their rated works `i` in the
//! vocabulary, so each rated work's share of the score is exact. `B` is stored with row `i`
//! contiguous so that scoring reads one contiguous slice per rated work.

use faer::linalg::matmul::triangular::BlockStructure;
use faer::{Accum, MatMut, MatRef, Par};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{axpy, bump, Contribution, Reason, Scorer};
use crate::recs::data::TrainMatrix;
use crate::recs::{RecsError, Result};

/// Settings of [`Ease`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EaseParams {
    /// L2 regularisation λ added to the Gram matrix's diagonal.
    pub lambda: f32,
    /// Works with fewer training readers are left out of the vocabulary.
    pub min_users: u32,
    /// At most this many works (the most read) enter the vocabulary; bounds memory at
    /// 2 · max_items² · 4 bytes during training.
    pub max_items: usize,
    /// Each reader's row is scaled by `n_u^(−user_damping)` in the Gram matrix (n_u = their
    /// number of works), so a handful of readers with thousands of books do not dominate
    /// every co-occurrence; 0 leaves rows as they are.
    #[serde(default)]
    pub user_damping: f32,
    /// Keep only the this many largest weights (by magnitude) of each row of `B`; 0 keeps
    /// `B` dense. `B` is n² floats (1.3 GB at 18k works) but most of its mass sits in a few
    /// hundred weights per row, so the pruned matrix scores almost the same at a few percent
    /// of the memory, file size and load time, and scoring reads only the kept weights.
    #[serde(default)]
    pub keep_per_row: usize,
}

impl Default for EaseParams {
    fn default() -> Self {
        EaseParams {
            lambda: 100.0,
            min_users: 5,
            max_items: 18_000,
            user_damping: 0.0,
            // Measured on Book-Crossing (`recs_eval --models ease --ease-keep 256`): NDCG@10
            // 0.0483 per ISBN / 0.0621 per work against 0.0482 / 0.0615 dense, at 256 of
            // 18,000 weights per row (a 37 MB matrix instead of 1.3 GB).
            keep_per_row: 256,
        }
    }
}

/// A trained EASE model.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Ease {
    /// The vocabulary: work id of each row/column of `B`.
    vocab: Vec<u32>,
    /// Work id → position in the vocabulary, `u32::MAX` when absent.
    position: Vec<u32>,
    /// `B` with row `i` at `b[i·n .. (i+1)·n]` (empty when pruned).
    b: Vec<f32>,
    /// Pruned `B`: row `i`'s kept (column position, weight) pairs at
    /// `sparse[offsets[i]..offsets[i+1]]`, sorted by column (empty when dense).
    offsets: Vec<u32>,
    sparse: Vec<(u32, f32)>,
}

/// The vocabulary: works with at least `min_users` readers, at most `max_items` of the most read.
fn vocabulary(work_users: &[u32], params: &EaseParams) -> Vec<u32> {
    let mut vocab: Vec<u32> = (0..work_users.len() as u32)
        .filter(|&w| work_users[w as usize] >= params.min_users.max(1))
        .collect();
    if vocab.len() > params.max_items {
        vocab.sort_by_key(|&w| (std::cmp::Reverse(work_users[w as usize]), w));
        vocab.truncate(params.max_items);
        vocab.sort_unstable();
    }
    vocab
}

/// The dense Gram matrix `XᵀX` over the vocabulary (column-major, symmetric), built column by
/// column in parallel from the sparse matrix: each column stays in cache while it fills.
fn gram(m: &TrainMatrix, vocab: &[u32], position: &[u32], damping: f32) -> Vec<f32> {
    let n = vocab.len();
    let scale = user_scale(m, damping);
    // Users × vocabulary rows, so the inner loop never touches works outside it.
    let rows: Vec<Vec<(u32, f32)>> = (0..m.by_user.rows())
        .map(|u| {
            let r = m.by_user.indptr().outer_inds_sz(u);
            m.by_user.indices()[r.clone()]
                .iter()
                .zip(&m.by_user.data()[r])
                .filter_map(|(&w, &x)| {
                    let p = position[w as usize];
                    (p != u32::MAX).then_some((p, x * scale[u]))
                })
                .collect()
        })
        .collect();
    let mut g = vec![0f32; n * n];
    g.par_chunks_mut(n).enumerate().for_each(|(col, out)| {
        let w = vocab[col] as usize;
        let r = m.by_work.indptr().outer_inds_sz(w);
        for (&u, &xu) in m.by_work.indices()[r.clone()]
            .iter()
            .zip(&m.by_work.data()[r])
        {
            let xu = xu * scale[u as usize];
            for &(p, x) in &rows[u as usize] {
                out[p as usize] += xu * x;
            }
        }
    });
    g
}

/// Per-reader row scale `n_u^(−damping)`.
pub(crate) fn user_scale(m: &TrainMatrix, damping: f32) -> Vec<f32> {
    (0..m.by_user.rows())
        .map(|u| {
            let n = m.by_user.indptr().outer_inds_sz(u).len().max(1) as f32;
            if damping == 0.0 {
                1.0
            } else {
                n.powf(-damping)
            }
        })
        .collect()
}

/// Invert a symmetric positive-definite matrix in place (column-major, n × n) by Cholesky:
/// `G = LLᵀ`, `G⁻¹ = L⁻ᵀL⁻¹`. Uses one extra n × n buffer.
pub fn spd_inverse_in_place(g: &mut [f32], n: usize) -> Result<()> {
    let par = Par::rayon(0);
    {
        let a = MatMut::from_column_major_slice_mut(g, n, n);
        let mut mem = faer::dyn_stack::MemBuffer::new(
            faer::linalg::cholesky::llt::factor::cholesky_in_place_scratch::<f32>(
                n,
                par,
                Default::default(),
            ),
        );
        let stack = faer::dyn_stack::MemStack::new(&mut mem);
        faer::linalg::cholesky::llt::factor::cholesky_in_place(
            a,
            Default::default(),
            par,
            stack,
            Default::default(),
        )
        .map_err(|e| RecsError::Linalg(format!("Cholesky factorization failed: {e}")))?;
    }
    let mut l_inv = vec![0f32; n * n];
    {
        let l = MatRef::from_column_major_slice(g, n, n);
        let dst = MatMut::from_column_major_slice_mut(&mut l_inv, n, n);
        faer::linalg::triangular_inverse::invert_lower_triangular(dst, l, par);
    }
    {
        let li = MatRef::from_column_major_slice(&l_inv, n, n);
        let dst = MatMut::from_column_major_slice_mut(g, n, n);
        faer::linalg::matmul::triangular::matmul(
            dst,
            BlockStructure::TriangularLower,
            Accum::Replace,
            li.transpose(),
            BlockStructure::TriangularUpper,
            li,
            BlockStructure::TriangularLower,
            1.0f32,
            par,
        );
    }
    drop(l_inv);
    // Mirror the lower triangle into the upper one, in cache-sized blocks.
    const BLOCK: usize = 64;
    for jb in (0..n).step_by(BLOCK) {
        for ib in (jb..n).step_by(BLOCK) {
            for j in jb..(jb + BLOCK).min(n) {
                for i in ib.max(j + 1)..(ib + BLOCK).min(n) {
                    // (i, j) with i > j is in the lower triangle; (j, i) is its mirror.
                    g[i * n + j] = g[j * n + i];
                }
            }
        }
    }
    Ok(())
}

/// Keep the `keep` largest-magnitude weights of each row of the dense n × n `b`, as
/// (offsets, (column, weight) sorted by column).
fn prune(b: &[f32], n: usize, keep: usize) -> (Vec<u32>, Vec<(u32, f32)>) {
    let rows: Vec<Vec<(u32, f32)>> = b
        .par_chunks(n)
        .map(|row| {
            let mut cand: Vec<(u32, f32)> = row
                .iter()
                .enumerate()
                .filter(|(_, &v)| v != 0.0)
                .map(|(j, &v)| (j as u32, v))
                .collect();
            if cand.len() > keep {
                cand.select_nth_unstable_by(keep - 1, |a, b| {
                    b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0))
                });
                cand.truncate(keep);
            }
            cand.sort_unstable_by_key(|x| x.0);
            cand
        })
        .collect();
    let mut offsets = Vec::with_capacity(n + 1);
    offsets.push(0u32);
    let mut sparse = Vec::with_capacity(rows.iter().map(Vec::len).sum());
    for r in rows {
        sparse.extend(r);
        offsets.push(sparse.len() as u32);
    }
    (offsets, sparse)
}

impl Ease {
    /// Train on the training matrix.
    pub fn train(m: &TrainMatrix, params: &EaseParams) -> Result<Ease> {
        let vocab = vocabulary(&m.work_users, params);
        let n = vocab.len();
        let mut position = vec![u32::MAX; m.by_work.rows()];
        for (p, &w) in vocab.iter().enumerate() {
            position[w as usize] = p as u32;
        }
        if n == 0 {
            return Ok(Ease {
                vocab,
                position,
                ..Ease::default()
            });
        }
        let mut g = gram(m, &vocab, &position, params.user_damping);
        for i in 0..n {
            g[i * n + i] += params.lambda;
        }
        spd_inverse_in_place(&mut g, n)?;
        let diag: Vec<f32> = (0..n).map(|i| g[i * n + i]).collect();
        // P is symmetric, so column i of P is row i: B_ij = −P_ij / P_jj.
        g.par_chunks_mut(n).enumerate().for_each(|(i, row)| {
            for (j, v) in row.iter_mut().enumerate() {
                *v = if i == j { 0.0 } else { -*v / diag[j] };
            }
        });
        if params.keep_per_row > 0 && params.keep_per_row < n {
            let (offsets, sparse) = prune(&g, n, params.keep_per_row);
            return Ok(Ease {
                vocab,
                position,
                b: Vec::new(),
                offsets,
                sparse,
            });
        }
        Ok(Ease {
            vocab,
            position,
            b: g,
            ..Ease::default()
        })
    }

    /// Whether `B` was pruned to its largest weights per row.
    pub fn is_sparse(&self) -> bool {
        !self.offsets.is_empty()
    }

    /// Row `p` of a pruned `B`.
    fn sparse_row(&self, p: usize) -> &[(u32, f32)] {
        &self.sparse[self.offsets[p] as usize..self.offsets[p + 1] as usize]
    }

    /// Number of works in the vocabulary.
    pub fn len(&self) -> usize {
        self.vocab.len()
    }

    /// Whether the vocabulary is empty.
    pub fn is_empty(&self) -> bool {
        self.vocab.is_empty()
    }

    /// `B_ij` by vocabulary positions (0 for a pruned weight).
    pub fn weight(&self, i: usize, j: usize) -> f32 {
        if self.is_sparse() {
            let row = self.sparse_row(i);
            return row
                .binary_search_by_key(&(j as u32), |x| x.0)
                .map_or(0.0, |k| row[k].1);
        }
        self.b[i * self.vocab.len() + j]
    }

    /// The vocabulary (work ids).
    pub fn vocab(&self) -> &[u32] {
        &self.vocab
    }

    /// Write `B_wj` for every work `j` with a positive weight into `out` (indexed by work):
    /// how much having read `w` predicts `j`, for a book page's "readers also liked". Returns
    /// false when `w` is not in the vocabulary. Negative weights (readers of `w` avoid `j`)
    /// are left out: they are not "also liked".
    pub fn row_scores(&self, w: u32, out: &mut [f32]) -> bool {
        let n = self.vocab.len();
        let Some(&p) = self.position.get(w as usize).filter(|&&p| p != u32::MAX) else {
            return false;
        };
        if self.is_sparse() {
            for &(j, b) in self.sparse_row(p as usize) {
                if b > 0.0 {
                    out[self.vocab[j as usize] as usize] = b;
                }
            }
            return true;
        }
        let row = &self.b[p as usize * n..(p as usize + 1) * n];
        for (&j, &b) in self.vocab.iter().zip(row) {
            if b > 0.0 {
                out[j as usize] = b;
            }
        }
        true
    }
}

impl Scorer for Ease {
    fn score(&self, profile: &[(u32, f32)], out: &mut [f32]) {
        let n = self.vocab.len();
        let mut acc = vec![0f32; n];
        let mut any = false;
        for &(w, x) in profile {
            if let Some(&p) = self.position.get(w as usize) {
                if p != u32::MAX {
                    if self.is_sparse() {
                        for &(j, b) in self.sparse_row(p as usize) {
                            acc[j as usize] += x * b;
                        }
                    } else {
                        axpy(&mut acc, x, &self.b[p as usize * n..(p as usize + 1) * n]);
                    }
                    any = true;
                }
            }
        }
        if any {
            for (&w, &s) in self.vocab.iter().zip(&acc) {
                bump(&mut out[w as usize], s);
            }
        }
    }

    fn explain(&self, profile: &[(u32, f32)], target: u32) -> Vec<Contribution> {
        let t = match self.position.get(target as usize) {
            Some(&t) if t != u32::MAX => t as usize,
            _ => return Vec::new(),
        };
        profile
            .iter()
            .filter_map(|&(w, x)| {
                let p = *self.position.get(w as usize)?;
                (p != u32::MAX).then(|| Contribution {
                    reason: Reason::Rated(w),
                    share: x * self.weight(p as usize, t),
                })
            })
            // A pruned weight says nothing about the target.
            .filter(|c| c.share != 0.0)
            .collect()
    }
}
