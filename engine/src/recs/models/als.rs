//! Weighted ALS for implicit feedback (Hu, Koren & Volinsky, ICDM 2008) with the
//! conjugate-gradient solver of Takács, Pilászy & Tikk (RecSys 2011), as `implicit` does it.
//!
//! Every (reader, work) pair has a preference `p = 1` if the reader interacted and `0`
//! otherwise, with confidence `c = 1 + α·x` where `x` is the interaction's weight (so a loved
//! book counts more than a merely shelved one) and `c = 1` for the unobserved pairs. The loss
//!
//! `Σ_{u,i} c_ui (p_ui − x_uᵀ y_i)² + λ (Σ‖x_u‖² + Σ‖y_i‖²)`
//!
//! is minimised alternately over reader and work factors. Each side's solve is a linear
//! system per row, `(YᵀY + λI + Σ_i (c_i − 1) y_i y_iᵀ) x = Σ_i c_i y_i`, solved approximately
//! by a few conjugate-gradient steps warm-started from the previous factors (never worse than
//! the previous factors, so the loss never increases). Rows are solved in parallel (rayon).
//!
//! Fold-in solves the same system exactly (Cholesky, f64) for a reader the model has not seen;
//! the score of work `t` is then `y_tᵀ A⁻¹ Σ_i c_i y_i = Σ_i c_i (y_tᵀ A⁻¹ y_i)`, which gives
//! each rated work's exact share.

use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{bump, dot, gemv_rows, has_fma, Contribution, Fma, Kernel, Plain, Reason, Scorer};
use crate::recs::data::{row_of, transpose, Sparse, TrainMatrix};
use crate::recs::rng::SplitMix64;
use crate::recs::{RecsError, Result};

/// Settings of [`Als`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AlsParams {
    /// Latent factors.
    pub factors: usize,
    /// Full alternations (reader side then work side).
    pub iterations: usize,
    /// λ.
    pub regularization: f32,
    /// Confidence slope α: `c = 1 + α·weight`.
    pub alpha: f32,
    /// Conjugate-gradient steps per row and alternation.
    pub cg_steps: usize,
    /// Works with fewer training readers are not modelled.
    pub min_users: u32,
    /// Seed of the random initial factors.
    pub seed: u64,
}

impl Default for AlsParams {
    fn default() -> Self {
        AlsParams {
            factors: 128,
            iterations: 15,
            regularization: 0.01,
            alpha: 5.0,
            cg_steps: 3,
            min_users: 2,
            seed: 1,
        }
    }
}

/// A trained ALS model: work factors (and the training readers' factors, for tests).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Als {
    params: AlsParams,
    /// Work id of each factor row.
    items: Vec<u32>,
    /// Work id → factor row, `u32::MAX` when not modelled.
    position: Vec<u32>,
    /// Work factors, row-major (`items.len() × factors`).
    item_factors: Vec<f32>,
    /// Training readers' factors, row-major, in [`TrainMatrix`] row order.
    user_factors: Vec<f32>,
    /// `YᵀY + λI` (f × f), cached for fold-in.
    gram: Vec<f32>,
}

/// `YᵀY + λI` for row-major `y` (n × f), through faer's GEMM.
fn gram(y: &[f32], f: usize, lambda: f32) -> Vec<f32> {
    let n = y.len() / f.max(1);
    let mut g = vec![0f32; f * f];
    if n > 0 {
        // Row-major n × f is column-major f × n: Yᵀ as a faer matrix.
        let yt = MatRef::from_column_major_slice(y, f, n);
        let dst = MatMut::from_column_major_slice_mut(&mut g, f, f);
        matmul(
            dst,
            Accum::Replace,
            yt,
            yt.transpose(),
            1.0f32,
            Par::rayon(0),
        );
    }
    for i in 0..f {
        g[i * f + i] += lambda;
    }
    g
}

/// `out = G·v` for a symmetric f × f `G`.
#[inline(always)]
fn symv<K: Kernel>(g: &[f32], v: &[f32], out: &mut [f32]) {
    let f = v.len();
    for (i, o) in out.iter_mut().enumerate() {
        *o = K::dot(&g[i * f..(i + 1) * f], v);
    }
}

/// A row's scratch vectors: residual, search direction, and A·direction.
type Scratch = (Vec<f32>, Vec<f32>, Vec<f32>);

/// One row's conjugate-gradient update, warm-started from `xu` (see the module docs).
/// `items`/`conf` are the row's other-side indices and confidences.
#[inline(always)]
fn cg_row<K: Kernel>(
    g: &[f32],
    y: &[f32],
    (items, conf): (&[u32], &[f32]),
    xu: &mut [f32],
    scratch: &mut Scratch,
    cg_steps: usize,
) {
    let f = xu.len();
    let (r, p, ap) = scratch;
    // r = b − A x, with b = Σ c y and A = G + Σ (c − 1) y yᵀ.
    symv::<K>(g, xu, r);
    r.iter_mut().for_each(|v| *v = -*v);
    for (&i, &c) in items.iter().zip(conf) {
        let yi = &y[i as usize * f..(i as usize + 1) * f];
        let coef = c - (c - 1.0) * K::dot(yi, xu);
        K::axpy(r, coef, yi);
    }
    p.copy_from_slice(r);
    let mut rs_old = K::dot(r, r);
    if rs_old < 1e-20 {
        return;
    }
    for _ in 0..cg_steps {
        symv::<K>(g, p, ap);
        for (&i, &c) in items.iter().zip(conf) {
            let yi = &y[i as usize * f..(i as usize + 1) * f];
            K::axpy(ap, (c - 1.0) * K::dot(yi, p), yi);
        }
        let pap = K::dot(p, ap);
        if pap <= 0.0 {
            break;
        }
        let a = rs_old / pap;
        K::axpy(xu, a, p);
        K::axpy(r, -a, ap);
        let rs_new = K::dot(r, r);
        if rs_new < 1e-20 {
            break;
        }
        let beta = rs_new / rs_old;
        for (pi, ri) in p.iter_mut().zip(r.iter()) {
            *pi = ri + beta * *pi;
        }
        rs_old = rs_new;
    }
}

/// [`cg_row`] compiled for AVX2+FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn cg_row_fma(
    g: &[f32],
    y: &[f32],
    row: (&[u32], &[f32]),
    xu: &mut [f32],
    scratch: &mut Scratch,
    cg_steps: usize,
) {
    cg_row::<Fma>(g, y, row, xu, scratch, cg_steps)
}

/// One side of an alternation: update every row of `x` given the other side's factors `y`,
/// with `rows` holding each row's (other-side index, confidence) pairs.
fn solve_side(x: &mut [f32], y: &[f32], rows: &Sparse, f: usize, lambda: f32, cg_steps: usize) {
    let g = gram(y, f, lambda);
    let indptr = rows.indptr();
    let (ip, ii, id) = (indptr.raw_storage(), rows.indices(), rows.data());
    let fma = has_fma();
    x.par_chunks_mut(f).enumerate().for_each_init(
        || (vec![0f32; f], vec![0f32; f], vec![0f32; f]),
        |scratch, (u, xu)| {
            let row = (&ii[ip[u]..ip[u + 1]], &id[ip[u]..ip[u + 1]]);
            #[cfg(target_arch = "x86_64")]
            if fma {
                // SAFETY: the CPU supports AVX2 and FMA (checked by has_fma).
                unsafe { cg_row_fma(&g, y, row, xu, scratch, cg_steps) };
                return;
            }
            let _ = fma;
            cg_row::<Plain>(&g, y, row, xu, scratch, cg_steps);
        },
    );
}

/// Factor a symmetric positive-definite `A` in place into its Cholesky factor `L` (lower
/// triangle; f64, small f). `false` when `A` is not positive definite.
fn cholesky_factor(a: &mut [f64], n: usize) -> bool {
    for j in 0..n {
        let mut d = a[j * n + j];
        for k in 0..j {
            d -= a[j * n + k] * a[j * n + k];
        }
        if d <= 0.0 {
            return false;
        }
        let d = d.sqrt();
        a[j * n + j] = d;
        for i in j + 1..n {
            let mut s = a[i * n + j];
            for k in 0..j {
                s -= a[i * n + k] * a[j * n + k];
            }
            a[i * n + j] = s / d;
        }
    }
    true
}

/// Solve `LLᵀ x = b` in place given the factor from [`cholesky_factor`].
fn cholesky_apply(l: &[f64], b: &mut [f64]) {
    let n = b.len();
    for i in 0..n {
        let mut s = b[i];
        for k in 0..i {
            s -= l[i * n + k] * b[k];
        }
        b[i] = s / l[i * n + i];
    }
    for i in (0..n).rev() {
        let mut s = b[i];
        for k in i + 1..n {
            s -= l[k * n + i] * b[k];
        }
        b[i] = s / l[i * n + i];
    }
}

/// A reader's normal equations `(A, b)` and their modelled works (work, confidence, row).
type System = (Vec<f64>, Vec<f64>, Vec<(u32, f32, usize)>);

impl Als {
    /// Train, calling `each_iteration(i)` after every alternation (for progress and tests).
    pub fn train(
        m: &TrainMatrix,
        params: &AlsParams,
        mut each_iteration: impl FnMut(usize, &Als),
    ) -> Als {
        let f = params.factors;
        let items: Vec<u32> = (0..m.work_users.len() as u32)
            .filter(|&w| m.work_users[w as usize] >= params.min_users.max(1))
            .collect();
        let mut position = vec![u32::MAX; m.work_users.len()];
        for (p, &w) in items.iter().enumerate() {
            position[w as usize] = p as u32;
        }
        // Users × modelled works with confidences, and its transpose.
        let mut trip = Vec::with_capacity(m.by_user.nnz());
        for u in 0..m.by_user.rows() {
            for (w, x) in row_of(&m.by_user, u) {
                let p = position[w as usize];
                if p != u32::MAX {
                    trip.push((u as u32, p, 1.0 + params.alpha * x));
                }
            }
        }
        let by_user = {
            let mut indptr = vec![0usize; m.by_user.rows() + 1];
            for t in &trip {
                indptr[t.0 as usize + 1] += 1;
            }
            for i in 0..m.by_user.rows() {
                indptr[i + 1] += indptr[i];
            }
            let (indices, data): (Vec<u32>, Vec<f32>) = trip.iter().map(|t| (t.1, t.2)).unzip();
            Sparse::new((m.by_user.rows(), items.len()), indptr, indices, data)
        };
        drop(trip);
        let by_item = transpose(&by_user);
        let mut rng = SplitMix64::new(params.seed);
        // Small random factors, as implicit initialises them.
        let scale = 0.02;
        let mut model = Als {
            params: *params,
            items,
            position,
            item_factors: (0..by_item.rows() * f)
                .map(|_| rng.centered(scale))
                .collect(),
            user_factors: (0..by_user.rows() * f)
                .map(|_| rng.centered(scale))
                .collect(),
            gram: Vec::new(),
        };
        for it in 0..params.iterations {
            solve_side(
                &mut model.user_factors,
                &model.item_factors,
                &by_user,
                f,
                params.regularization,
                params.cg_steps,
            );
            solve_side(
                &mut model.item_factors,
                &model.user_factors,
                &by_item,
                f,
                params.regularization,
                params.cg_steps,
            );
            each_iteration(it, &model);
        }
        model.gram = gram(&model.item_factors, f, params.regularization);
        model
    }

    /// A model from work factors trained elsewhere (Spark MLlib's ALS, see
    /// [`crate::recs::external_als`]): row `k` of `factors` (row-major, `items.len() ×
    /// params.factors`) is work `items[k]` of a catalog of `n_works` works. Fold-in then works
    /// as for a model trained here, with `params.alpha` as the confidence slope and
    /// `params.regularization` as its λ; there are no training readers' factors.
    ///
    /// Refused ([`RecsError::Factors`]) when the sizes disagree, a work is out of the catalog
    /// or repeated, or a factor is not finite: a model that would score garbage never loads.
    pub fn from_item_factors(
        params: AlsParams,
        n_works: usize,
        items: Vec<u32>,
        factors: Vec<f32>,
    ) -> Result<Als> {
        let f = params.factors;
        if f == 0 {
            return Err(RecsError::Factors("zero latent factors".into()));
        }
        if factors.len() != items.len() * f {
            return Err(RecsError::Factors(format!(
                "{} values for {} works of {f} factors (expected {})",
                factors.len(),
                items.len(),
                items.len() * f
            )));
        }
        let mut position = vec![u32::MAX; n_works];
        for (p, &w) in items.iter().enumerate() {
            let slot = position.get_mut(w as usize).ok_or_else(|| {
                RecsError::Factors(format!("work {w} is not in the catalog of {n_works} works"))
            })?;
            if *slot != u32::MAX {
                return Err(RecsError::Factors(format!("work {w} has two factor rows")));
            }
            *slot = p as u32;
        }
        if let Some(k) = factors.iter().position(|v| !v.is_finite()) {
            return Err(RecsError::Factors(format!(
                "work {} has a factor that is not a finite number",
                items[k / f]
            )));
        }
        let gram = gram(&factors, f, params.regularization);
        Ok(Als {
            params,
            items,
            position,
            item_factors: factors,
            user_factors: Vec::new(),
            gram,
        })
    }

    /// The settings the model was trained (or loaded) with.
    pub fn settings(&self) -> &AlsParams {
        &self.params
    }

    /// The modelled works and their factors (row-major, one row of `settings().factors` per
    /// work), e.g. to write them in the layout [`Als::from_item_factors`] reads.
    pub fn work_factors(&self) -> (&[u32], &[f32]) {
        (&self.items, &self.item_factors)
    }

    /// The full training loss (O(users · works · f): for tests on small data only).
    pub fn loss(&self, m: &TrainMatrix) -> f64 {
        let f = self.params.factors;
        let mut loss = 0f64;
        for u in 0..m.by_user.rows() {
            let xu = &self.user_factors[u * f..(u + 1) * f];
            let row = row_of(&m.by_user, u);
            for (p, &w) in self.items.iter().enumerate() {
                let pred = f64::from(dot(xu, &self.item_factors[p * f..(p + 1) * f]));
                let (pref, conf) = match row.iter().find(|r| r.0 == w) {
                    Some(&(_, x)) => (1.0, 1.0 + f64::from(self.params.alpha * x)),
                    None => (0.0, 1.0),
                };
                loss += conf * (pref - pred).powi(2);
            }
        }
        let l2: f64 = self
            .user_factors
            .iter()
            .chain(&self.item_factors)
            .map(|v| f64::from(*v).powi(2))
            .sum();
        loss + f64::from(self.params.regularization) * l2
    }

    /// A training reader's trained factors (by [`TrainMatrix`] row).
    pub fn user_factors(&self, row: usize) -> &[f32] {
        let f = self.params.factors;
        &self.user_factors[row * f..(row + 1) * f]
    }

    /// Solve a reader's system exactly: `(A, b)` → factors; `None` when the reader has no
    /// modelled work.
    fn system(&self, profile: &[(u32, f32)]) -> Option<System> {
        let f = self.params.factors;
        let rated: Vec<(u32, f32, usize)> = profile
            .iter()
            .filter_map(|&(w, x)| {
                let p = *self.position.get(w as usize)?;
                (p != u32::MAX).then_some((w, 1.0 + self.params.alpha * x, p as usize))
            })
            .collect();
        if rated.is_empty() || self.gram.len() != f * f {
            return None;
        }
        // A = G + Σ (c − 1) y yᵀ = G + ZᵀZ with rows z = √(c − 1) y: one f32 GEMM instead of
        // a scalar f64 rank-one update per rated work (the cost of fold-in for heavy readers).
        let mut z = vec![0f32; rated.len() * f];
        let mut b = vec![0f64; f];
        for (row, &(_, c, p)) in z.chunks_exact_mut(f).zip(&rated) {
            let y = &self.item_factors[p * f..(p + 1) * f];
            let s = (c - 1.0).max(0.0).sqrt();
            let cd = f64::from(c);
            for ((zi, &yi), bi) in row.iter_mut().zip(y).zip(b.iter_mut()) {
                *zi = s * yi;
                *bi += cd * f64::from(yi);
            }
        }
        let mut zz = vec![0f32; f * f];
        {
            // Row-major rated × f is column-major f × rated: Zᵀ as a faer matrix.
            let zt = MatRef::from_column_major_slice(&z, f, rated.len());
            let dst = MatMut::from_column_major_slice_mut(&mut zz, f, f);
            matmul(dst, Accum::Replace, zt, zt.transpose(), 1.0f32, Par::Seq);
        }
        let a: Vec<f64> = self
            .gram
            .iter()
            .zip(&zz)
            .map(|(&g, &u)| f64::from(g) + f64::from(u))
            .collect();
        Some((a, b, rated))
    }

    /// Fold a reader in: their factors given the work factors (exact least squares).
    pub fn fold_in(&self, profile: &[(u32, f32)]) -> Option<Vec<f32>> {
        let (mut a, mut b, _) = self.system(profile)?;
        if !cholesky_factor(&mut a, b.len()) {
            return None;
        }
        cholesky_apply(&a, &mut b);
        Some(b.iter().map(|&v| v as f32).collect())
    }
}

/// Items per parallel block of the scoring pass (about 4 MB of f128 factors).
const SCORE_BLOCK: usize = 8192;

impl Scorer for Als {
    fn score(&self, profile: &[(u32, f32)], out: &mut [f32]) {
        let f = self.params.factors;
        if let Some(x) = self.fold_in(profile) {
            let mut scores = vec![0f32; self.items.len()];
            // In blocks over the pool: the pass reads every item's factors (tens of MB), the
            // largest single cost of a served hybrid request.
            scores
                .par_chunks_mut(SCORE_BLOCK)
                .zip(self.item_factors[..self.items.len() * f].par_chunks(SCORE_BLOCK * f))
                .for_each(|(s, y)| gemv_rows(y, &x, s));
            for (&w, &s) in self.items.iter().zip(&scores) {
                bump(&mut out[w as usize], s);
            }
        }
    }

    fn explain(&self, profile: &[(u32, f32)], target: u32) -> Vec<Contribution> {
        self.explain_many(profile, &[target])
            .pop()
            .unwrap_or_default()
    }

    fn explain_many(&self, profile: &[(u32, f32)], targets: &[u32]) -> Vec<Vec<Contribution>> {
        let f = self.params.factors;
        let none = || vec![Vec::new(); targets.len()];
        let Some((mut a, _, rated)) = self.system(profile) else {
            return none();
        };
        // Factor the reader's system once; each target then costs two triangular solves.
        if !cholesky_factor(&mut a, f) {
            return none();
        }
        targets
            .iter()
            .map(|&target| {
                let t = match self.position.get(target as usize) {
                    Some(&t) if t != u32::MAX => t as usize,
                    _ => return Vec::new(),
                };
                // z = A⁻¹ y_t; share of rated work i = c_i · (y_i · z).
                let mut z: Vec<f64> = self.item_factors[t * f..(t + 1) * f]
                    .iter()
                    .map(|&v| f64::from(v))
                    .collect();
                cholesky_apply(&a, &mut z);
                rated
                    .iter()
                    .map(|&(w, c, p)| {
                        let y = &self.item_factors[p * f..(p + 1) * f];
                        let s: f64 = y.iter().zip(&z).map(|(&a, &b)| f64::from(a) * b).sum();
                        Contribution {
                            reason: Reason::Rated(w),
                            share: (f64::from(c) * s) as f32,
                        }
                    })
                    .collect()
            })
            .collect()
    }
}

impl super::Fit for Als {
    const KIND: super::ModelKind = super::ModelKind::Als;
    type Params = AlsParams;

    fn params(all: &crate::recs::trained::TrainParams) -> &AlsParams {
        &all.als
    }

    fn fit(
        data: &super::TrainingData<'_>,
        params: &AlsParams,
        progress: crate::recs::ProgressFn<'_>,
    ) -> crate::recs::Result<Als> {
        let total = params.iterations as u64;
        Ok(Als::train(data.matrix, params, |i, _| {
            progress(&crate::recs::Progress {
                stage: "training als".into(),
                done: i as u64 + 1,
                total,
            })
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::Book;
    use crate::recs::data::{Interaction, ItemIndex, TrainMatrix, Weighting};

    /// 40 works, 60 readers with a taste for one of four blocks of works, and a model.
    fn trained() -> (TrainMatrix, Als) {
        let books = (0..40).map(|i| Book::new(format!("K{i}"), format!("Title {i}"), "A"));
        let items = ItemIndex::from_books(books);
        let mut rng = SplitMix64::new(3);
        let mut train = Vec::new();
        for user in 0..60u32 {
            let block = user % 4;
            for item in 0..40u32 {
                let liked = item / 10 == block;
                if rng.below(100) < if liked { 80 } else { 5 } {
                    let rating = if liked { 9 } else { 0 };
                    train.push(Interaction { user, item, rating });
                }
            }
        }
        let m = TrainMatrix::build(&items, &train, &Weighting::default());
        let params = AlsParams {
            factors: 6,
            iterations: 8,
            ..AlsParams::default()
        };
        let als = Als::train(&m, &params, |_, _| {});
        (m, als)
    }

    #[test]
    fn factors_from_elsewhere_fold_in_and_score_as_the_model_they_came_from() {
        let (m, als) = trained();
        let (items, factors) = als.work_factors();
        let loaded = Als::from_item_factors(
            *als.settings(),
            m.work_users.len(),
            items.to_vec(),
            factors.to_vec(),
        )
        .unwrap();
        assert_eq!(loaded.gram, als.gram);
        let profile = m.row(5);
        assert_eq!(loaded.fold_in(&profile), als.fold_in(&profile));
        let (mut a, mut b) = (vec![0f32; 40], vec![0f32; 40]);
        als.score(&profile, &mut a);
        loaded.score(&profile, &mut b);
        assert_eq!(a, b);
        // A reader the model never saw folds in too, and likes their own block best.
        let newcomer = [(0u32, 2.0f32), (1, 2.0), (2, 2.0)];
        let mut scores = vec![0f32; 40];
        loaded.score(&newcomer, &mut scores);
        let best = (0..40)
            .max_by(|&x, &y| scores[x].total_cmp(&scores[y]))
            .unwrap();
        assert!(best < 10, "best work {best}: {scores:?}");
    }

    #[test]
    fn factors_that_do_not_fit_the_catalog_are_refused() {
        let params = AlsParams {
            factors: 2,
            ..AlsParams::default()
        };
        let refused =
            |items: Vec<u32>, factors: Vec<f32>, params: AlsParams| match Als::from_item_factors(
                params, 3, items, factors,
            ) {
                Err(RecsError::Factors(why)) => why,
                other => panic!("loaded: {other:?}"),
            };
        let why = refused(vec![0, 1], vec![0.1; 3], params);
        assert!(why.contains("3 values for 2 works"), "{why}");
        let why = refused(vec![0, 3], vec![0.1; 4], params);
        assert!(why.contains("work 3 is not in the catalog"), "{why}");
        let why = refused(vec![1, 1], vec![0.1; 4], params);
        assert!(why.contains("work 1 has two"), "{why}");
        let why = refused(vec![0, 2], vec![0.1, 0.2, f32::NAN, 0.3], params);
        assert!(why.contains("work 2"), "{why}");
        let zero = AlsParams {
            factors: 0,
            ..params
        };
        assert!(refused(vec![], vec![], zero).contains("zero"));
        assert!(Als::from_item_factors(params, 3, vec![2, 0], vec![0.1; 4]).is_ok());
    }
}
