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
//! LU inverse `numpy.linalg.inv` does. Peak memory is one n × n f32 matrix and an n × 256
//! scratch: the inverse is written into the triangle the factor leaves free.
//!
//! That matrix grows with the square of the works kept, and the inverse's time with the cube, so
//! the number of works n is chosen by a memory budget ([`EaseParams::with_memory_budget`],
//! [`DEFAULT_MEMORY_BUDGET`]): the most read works whose training allocations
//! ([`EaseParams::training_bytes`]: the matrix, the factorization's and the inverse's scratch,
//! the pruned copy of `B`) fit in it, whatever the size of the catalog. The works beyond it get
//! no EASE score; readers are still served them by the other models (the hybrid's kNN, ALS,
//! content and popularity components score every work they know). What training needs besides
//! is proportional to the interactions, not to n²: the training matrix every model shares, and
//! EASE's copy of the interactions with its works (8 bytes each).
//!
//! A reader's score for work `j` is `Σ_i x_i B_ij` over their rated works `i` in the
//! vocabulary, so each rated work's share of the score is exact. `B` is stored with row `i`
//! contiguous so that scoring reads one contiguous slice per rated work.

use faer::prelude::ReborrowMut;
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
    /// At most this many works (the most read) enter the vocabulary; training allocates
    /// [`EaseParams::training_bytes`]`(max_items)`, about max_items² · 4 bytes. Set it from a
    /// memory budget with [`EaseParams::with_memory_budget`] (the default does, with
    /// [`DEFAULT_MEMORY_BUDGET`]); it is what model files keep, so their layout is unchanged.
    pub max_items: usize,
    /// Each reader's row is scaled by `n_u^(−user_damping)` in the Gram matrix (n_u = their
    /// number of works), so a handful of readers with thousands of books do not dominate
    /// every co-occurrence; 0 leaves rows as they are.
    #[serde(default)]
    pub user_damping: f32,
    /// Keep only the this many largest weights (by magnitude) of each row of `B`; 0 keeps
    /// `B` dense. `B` is n² floats (gigabytes on Book-Crossing) but most of its mass sits in a few
    /// hundred weights per row, so the pruned matrix scores almost the same at a few percent
    /// of the memory, file size and load time, and scoring reads only the kept weights.
    #[serde(default)]
    pub keep_per_row: usize,
}

/// The default budget of EASE's training allocations, in bytes: about 18,000 works with the
/// default pruning, the vocabulary size chosen on Book-Crossing before there was a budget (more
/// works scored within the noise for more than twice the time, `docs/evaluation.md`).
pub const DEFAULT_MEMORY_BUDGET: u64 = 1_400_000_000;

impl Default for EaseParams {
    fn default() -> Self {
        EaseParams {
            lambda: 100.0,
            min_users: 5,
            max_items: 0,
            user_damping: 0.0,
            // On Book-Crossing (`recs_eval --models ease --ease-keep 256`) the pruned matrix
            // scores as well as the dense one at a small fraction of its size
            // (bench/results/eval-*.txt).
            keep_per_row: 256,
        }
        .with_memory_budget(DEFAULT_MEMORY_BUDGET)
    }
}

impl EaseParams {
    /// The bytes training allocates for a vocabulary of `n` works, beyond what is proportional
    /// to the interactions (see the module docs): the n × n Gram matrix (inverted and turned
    /// into `B` in place), the Cholesky factorization's scratch, the inverse's n × 256 scratch
    /// and diagonals, and, when `B` is pruned, the kept weights (gathered per row, then copied
    /// into the model: twice) with each thread's n-long candidate buffer.
    pub fn training_bytes(&self, n: usize) -> u64 {
        let n64 = n as u64;
        let matrix = 4 * n64 * n64;
        // faer's scratch does not depend on the parallelism; `Par::Seq` here keeps a settings
        // constructor from starting rayon's thread pool.
        let factor = faer::linalg::cholesky::llt::factor::cholesky_in_place_scratch::<f32>(
            n,
            Par::Seq,
            Default::default(),
        )
        .size_bytes() as u64;
        let inverse = 4 * n64 * INVERSE_BLOCK.min(n) as u64 + 2 * 4 * n64;
        let pruned = if self.keep_per_row > 0 && self.keep_per_row < n {
            // rayon's pool has one thread per core unless RAYON_NUM_THREADS says otherwise.
            let threads = std::env::var("RAYON_NUM_THREADS")
                .ok()
                .and_then(|v| v.parse::<u64>().ok())
                .filter(|&t| t > 0)
                .unwrap_or_else(|| {
                    std::thread::available_parallelism().map_or(1, |t| t.get() as u64)
                });
            // Each row's kept pairs twice (a Vec of 24 bytes per row, then the model's slice
            // and offsets), plus one n-long candidate buffer per thread.
            2 * 8 * n64 * self.keep_per_row as u64 + 28 * n64 + 8 * n64 * threads
        } else {
            0
        };
        matrix + factor + inverse + pruned
    }

    /// The most works whose [`EaseParams::training_bytes`] fit in `budget` bytes.
    pub fn works_within(&self, budget: u64) -> usize {
        // training_bytes grows with n: the largest n within the budget, by bisection.
        let (mut lo, mut hi) = (0usize, 1usize);
        while self.training_bytes(hi) <= budget {
            lo = hi;
            hi *= 2;
        }
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if self.training_bytes(mid) <= budget {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// These settings with `max_items` the most works whose training fits in `budget` bytes
    /// ([`EaseParams::works_within`]). Set `keep_per_row` first: pruning takes memory too.
    pub fn with_memory_budget(self, budget: u64) -> EaseParams {
        EaseParams {
            max_items: self.works_within(budget),
            ..self
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
    // Users × vocabulary rows (one flat CSR: 8 bytes per interaction with the vocabulary, no
    // allocation per user), so the inner loop never touches works outside it.
    let mut starts = Vec::with_capacity(m.by_user.rows() + 1);
    // Sized exactly (a growing Vec could hold twice its length): each vocabulary work's readers.
    let entries: usize = vocab
        .iter()
        .map(|&w| m.work_users[w as usize] as usize)
        .sum();
    let mut rows: Vec<(u32, f32)> = Vec::with_capacity(entries);
    starts.push(0usize);
    for (u, s) in scale.iter().enumerate() {
        let r = m.by_user.indptr().outer_inds_sz(u);
        rows.extend(
            m.by_user.indices()[r.clone()]
                .iter()
                .zip(&m.by_user.data()[r])
                .filter_map(|(&w, &x)| {
                    let p = position[w as usize];
                    (p != u32::MAX).then_some((p, x * s))
                }),
        );
        starts.push(rows.len());
    }
    let mut g = vec![0f32; n * n];
    g.par_chunks_mut(n).enumerate().for_each(|(col, out)| {
        let w = vocab[col] as usize;
        let r = m.by_work.indptr().outer_inds_sz(w);
        for (&u, &xu) in m.by_work.indices()[r.clone()]
            .iter()
            .zip(&m.by_work.data()[r])
        {
            let u = u as usize;
            let xu = xu * scale[u];
            for &(p, x) in &rows[starts[u]..starts[u + 1]] {
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

/// Invert a symmetric positive-definite matrix in place (column-major, n × n) by Cholesky,
/// without a second n × n buffer: on Book-Crossing that buffer alone was most of training's
/// peak memory (bench/results/training-rss-2026-12-02.txt).
///
/// After `G = LLᵀ` (L in the lower triangle), `P = G⁻¹` is built one block of columns at a
/// time, last block first, into the free upper triangle. For the columns `b = [j, j+nb)`,
/// `Lᵀ X = Y` with `Y = L⁻¹ E_b`, which is zero above `b` and `L_bb⁻¹` on it. The rows of `X`
/// below `b` are already known by symmetry (they are rows of `P` written by later blocks),
/// so only the rows above need solving:
/// `Lᵀ[top, top] X[top] = Y[top] − Lᵀ[top, rest] P[b, rest]ᵀ`. That is one product and one
/// triangular solve per block, the same 2n³/3 flops as LAPACK's potri, with an n × nb
/// scratch. The diagonal of `P` is kept aside until `L`'s is no longer needed.
pub fn spd_inverse_in_place(g: &mut [f32], n: usize) -> Result<()> {
    spd_inverse_blocked(g, n, INVERSE_BLOCK)
}

/// Columns of `P` solved together by [`spd_inverse_in_place`]: wide enough for the product
/// and the solve to run at matrix-multiply speed, small enough that the scratch (n × 256
/// floats, 18 MB at 18,000 works) does not matter.
const INVERSE_BLOCK: usize = 256;

fn spd_inverse_blocked(g: &mut [f32], n: usize, block: usize) -> Result<()> {
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
    let block = block.max(1);
    let mut diag = vec![0f32; n];
    let mut scratch = vec![0f32; n * block.min(n)];
    let starts: Vec<usize> = (0..n).step_by(block).collect();
    for &j in starts.iter().rev() {
        let nb = block.min(n - j);
        let top = j + nb;
        let x = &mut scratch[..top * nb];
        x.fill(0.0);
        {
            let gr = MatRef::from_column_major_slice(g, n, n);
            let mut xm = MatMut::from_column_major_slice_mut(x, top, nb);
            // Y on the block: L_bb⁻¹, by solving L_bb Y_b = I.
            {
                let mut yb = xm.rb_mut().subrows_mut(j, nb);
                for c in 0..nb {
                    yb[(c, c)] = 1.0;
                }
                faer::linalg::triangular_solve::solve_lower_triangular_in_place(
                    gr.submatrix(j, j, nb, nb),
                    yb,
                    par,
                );
            }
            if top < n {
                // − Lᵀ[top, rest] · X[rest, b], with X[rest, b] = P[b, rest]ᵀ from the upper
                // triangle.
                faer::linalg::matmul::matmul(
                    xm.rb_mut(),
                    Accum::Add,
                    gr.submatrix(top, 0, n - top, top).transpose(),
                    gr.submatrix(j, top, nb, n - top).transpose(),
                    -1.0f32,
                    par,
                );
            }
            faer::linalg::triangular_solve::solve_upper_triangular_in_place(
                gr.submatrix(0, 0, top, top).transpose(),
                xm,
                par,
            );
        }
        // Column c of P, rows above the diagonal, into the upper triangle; its diagonal aside.
        for c in 0..nb {
            let col = j + c;
            let xc = &x[c * top..c * top + col + 1];
            g[col * n..col * n + col].copy_from_slice(&xc[..col]);
            diag[col] = xc[col];
        }
    }
    drop(scratch);
    // Mirror the upper triangle into the lower one (L is no longer needed), in cache-sized
    // blocks, and put the diagonal back.
    const MIRROR: usize = 64;
    for jb in (0..n).step_by(MIRROR) {
        for ib in (jb..n).step_by(MIRROR) {
            for j in jb..(jb + MIRROR).min(n) {
                for i in ib.max(j + 1)..(ib + MIRROR).min(n) {
                    // (i, j) with i > j is in the lower triangle; (j, i) is its mirror.
                    g[j * n + i] = g[i * n + j];
                }
            }
        }
    }
    for (i, d) in diag.into_iter().enumerate() {
        g[i * n + i] = d;
    }
    Ok(())
}

/// Keep the `keep` largest-magnitude weights of each row of the dense n × n `b`, as
/// (offsets, (column, weight) sorted by column).
fn prune(b: &[f32], n: usize, keep: usize) -> (Vec<u32>, Vec<(u32, f32)>) {
    // One n-long candidate buffer per thread, and only the kept weights copied out: a
    // truncated n-long Vec per row would keep its capacity, n² · 8 bytes in all (the peak of
    // training, bench/results/training-rss-2026-12-02.txt).
    let rows: Vec<Vec<(u32, f32)>> = b
        .par_chunks(n)
        .map_init(
            || Vec::with_capacity(n),
            |cand: &mut Vec<(u32, f32)>, row| {
                cand.clear();
                cand.extend(
                    row.iter()
                        .enumerate()
                        .filter(|(_, &v)| v != 0.0)
                        .map(|(j, &v)| (j as u32, v)),
                );
                if cand.len() > keep {
                    cand.select_nth_unstable_by(keep - 1, |a, b| {
                        b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0))
                    });
                    cand.truncate(keep);
                }
                cand.sort_unstable_by_key(|x| x.0);
                cand.to_vec()
            },
        )
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

impl super::Fit for Ease {
    const KIND: super::ModelKind = super::ModelKind::Ease;
    type Params = EaseParams;

    fn params(all: &crate::recs::trained::TrainParams) -> &EaseParams {
        &all.ease
    }

    fn fit(
        data: &super::TrainingData<'_>,
        params: &EaseParams,
        progress: crate::recs::ProgressFn<'_>,
    ) -> crate::recs::Result<Ease> {
        super::announce(progress, Self::KIND);
        Ease::train(data.matrix, params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A random symmetric positive-definite matrix: `AᵀA + I` for a random n × n `A`.
    fn spd(n: usize, seed: &[f32]) -> Vec<f32> {
        let a: Vec<f32> = (0..n * n)
            .map(|k| seed[k % seed.len()] * ((k * 7 % 13) as f32 - 6.0) / 6.0)
            .collect();
        let mut g = vec![0f32; n * n];
        for i in 0..n {
            for j in 0..n {
                let dot: f32 = (0..n).map(|k| a[i * n + k] * a[j * n + k]).sum();
                g[j * n + i] = dot + if i == j { 1.0 } else { 0.0 };
            }
        }
        g
    }

    proptest! {
        /// Whatever the block width against n (several blocks, a ragged last one, one block
        /// wider than the matrix), G · G⁻¹ is the identity and the inverse is symmetric.
        #[test]
        fn the_blocked_inverse_times_the_matrix_is_the_identity(
            n in 1usize..40,
            block in 1usize..48,
            seed in prop::collection::vec(-1.0f32..1.0, 1..64),
        ) {
            let g = spd(n, &seed);
            let mut p = g.clone();
            spd_inverse_blocked(&mut p, n, block).unwrap();
            for i in 0..n {
                for j in 0..n {
                    prop_assert_eq!(p[j * n + i], p[i * n + j]);
                    let gp: f32 = (0..n).map(|k| g[k * n + i] * p[j * n + k]).sum();
                    let want = if i == j { 1.0 } else { 0.0 };
                    prop_assert!((gp - want).abs() < 2e-3, "(G·P)[{i},{j}] = {gp}");
                }
            }
        }
    }

    #[test]
    fn the_default_budget_keeps_about_the_former_eighteen_thousand_works() {
        let p = EaseParams::default();
        assert!((17_500..=18_500).contains(&p.max_items), "{}", p.max_items);
        assert!(p.training_bytes(p.max_items) <= DEFAULT_MEMORY_BUDGET);
    }

    proptest! {
        /// The works chosen are the most whose training fits: one more would not.
        #[test]
        fn the_budget_keeps_the_most_works_that_fit(
            budget in 0u64..20_000_000_000,
            keep in prop::sample::select(vec![0usize, 64, 256]),
        ) {
            let p = EaseParams { keep_per_row: keep, ..EaseParams::default() };
            let n = p.works_within(budget);
            prop_assert!(n == 0 || p.training_bytes(n) <= budget);
            prop_assert!(p.training_bytes(n + 1) > budget);
            // The matrix alone is most of it.
            prop_assert!(4 * (n as u64) * (n as u64) <= budget);
        }
    }

    #[test]
    fn beyond_the_budget_the_most_read_works_are_kept() {
        // 40 works, work w read by w + 1 of 40 readers (readers 0..=w).
        let books: Vec<crate::records::Book> = (0..40)
            .map(|w| crate::records::Book::new(format!("K{w}"), format!("Title {w}"), "A B"))
            .collect();
        let items = crate::recs::data::ItemIndex::from_books(books);
        let train: Vec<crate::recs::data::Interaction> = (0..40u32)
            .flat_map(|w| {
                (0..=w).map(move |user| crate::recs::data::Interaction {
                    user,
                    item: w,
                    rating: 8,
                })
            })
            .collect();
        let m = TrainMatrix::build(&items, &train, &Default::default());
        let params = EaseParams {
            min_users: 1,
            keep_per_row: 0,
            ..EaseParams::default()
        };
        let budget = params.training_bytes(12);
        let ease = Ease::train(&m, &params.with_memory_budget(budget)).unwrap();
        assert_eq!(ease.vocab(), (28..40).collect::<Vec<u32>>());
    }

    #[test]
    fn a_matrix_that_is_not_positive_definite_is_an_error_not_a_panic() {
        // Symmetric with eigenvalues 3 and −1.
        let mut g = vec![1.0f32, 2.0, 2.0, 1.0];
        assert!(matches!(
            spd_inverse_in_place(&mut g, 2),
            Err(RecsError::Linalg(_))
        ));
    }
}
