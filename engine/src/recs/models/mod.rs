//! The models. Each scores *works* for a reader given the reader's rated works as
//! `(work, weight)` pairs (a "profile", see [`super::data::profile`]), so the same code serves
//! evaluation (training users) and fold-in (a reader the model has never seen).
//!
//! Scores are written into a dense buffer indexed by work id, pre-filled with
//! `f32::NEG_INFINITY`; a model only writes the works it has evidence for, so "no evidence"
//! stays distinguishable from a score of zero.

pub mod als;
pub mod content;
pub mod ease;
pub mod hybrid;
pub mod knn;
pub mod popularity;
pub mod rerank;

use serde::{Deserialize, Serialize};

use super::data::{Interaction, ItemIndex, TrainMatrix};
use super::trained::TrainParams;
use super::{Progress, ProgressFn, RecsError, Result};

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

/// Why a work scored: one of the reader's rated works, a content feature shared with them
/// (an author, a title word...), or plain popularity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Reason {
    /// A work the reader rated.
    Rated(u32),
    /// A content feature (e.g. the author, a title word, the decade).
    Feature(content::Feature),
    /// Popular with readers in general.
    Popular,
}

/// One reason's additive share of a score: a score is the sum of its contributions' shares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    /// Why.
    pub reason: Reason,
    /// The additive share of the score.
    pub share: f32,
}

/// A model that scores works from a profile.
pub trait Scorer: Send + Sync {
    /// Write this model's score of every work it has evidence for into `out` (indexed by work,
    /// pre-filled with `NEG_INFINITY`).
    fn score(&self, profile: &[(u32, f32)], out: &mut [f32]);

    /// The additive shares of the score of `target` (rated works, features or popularity);
    /// they sum to the score [`Scorer::score`] writes for `target`, to rounding.
    fn explain(&self, profile: &[(u32, f32)], target: u32) -> Vec<Contribution>;

    /// [`Scorer::explain`] for several targets at once (models override it to share work
    /// between targets, e.g. one factorization or one scoring pass per reader).
    fn explain_many(&self, profile: &[(u32, f32)], targets: &[u32]) -> Vec<Vec<Contribution>> {
        targets.iter().map(|&t| self.explain(profile, t)).collect()
    }
}

/// The data every model trains on: the catalog, the interaction matrix built from the
/// training interactions, and the interactions themselves.
#[derive(Clone, Copy)]
pub struct TrainingData<'a> {
    /// The catalog the models index.
    pub items: &'a ItemIndex,
    /// The weighted user × work matrix.
    pub matrix: &'a TrainMatrix,
    /// The training interactions (user, edition, rating).
    pub interactions: &'a [Interaction],
}

/// A model that can be trained, as linfa's `Fit` (and implicit's `fit`): its settings are its
/// part of [`TrainParams`], and training turns [`TrainingData`] into a [`Scorer`].
/// [`crate::recs::trained::TrainedModels::fit`] trains every model through it.
pub trait Fit: Scorer + Sized {
    /// Which model this is.
    const KIND: ModelKind;
    /// Its settings.
    type Params;
    /// Its settings within the training parameters.
    fn params(all: &TrainParams) -> &Self::Params;
    /// Train it on `data`, telling `progress` how far it is.
    fn fit(
        data: &TrainingData<'_>,
        params: &Self::Params,
        progress: ProgressFn<'_>,
    ) -> Result<Self>;
}

/// Tell `progress` that model `kind` starts training (models without finer progress).
pub(crate) fn announce(progress: ProgressFn<'_>, kind: ModelKind) {
    progress(&Progress {
        stage: format!("training {kind}"),
        done: 0,
        total: 0,
    })
}

/// Add `value` to a score slot that may still hold `NEG_INFINITY`.
#[inline]
pub(crate) fn bump(slot: &mut f32, value: f32) {
    if *slot == f32::NEG_INFINITY {
        *slot = value;
    } else {
        *slot += value;
    }
}

/// Dense f32 kernels. Two implementations: [`Plain`] (baseline x86-64 / any target) and
/// [`Fma`] (fused multiply-add, used inside functions compiled for AVX2+FMA when the CPU has
/// them, see [`has_fma`]). Generic hot loops are instantiated with both and dispatched once per
/// row, so the inner loops get 8-wide FMAs without a non-portable build.
pub(crate) trait Kernel {
    /// `Σ a_i b_i`.
    fn dot(a: &[f32], b: &[f32]) -> f32;
    /// `y += a · x`.
    fn axpy(y: &mut [f32], a: f32, x: &[f32]);
}

/// The portable kernel.
pub(crate) struct Plain;
/// The fused multiply-add kernel (only call it from AVX2+FMA code).
pub(crate) struct Fma;

impl Kernel for Plain {
    #[inline(always)]
    fn dot(a: &[f32], b: &[f32]) -> f32 {
        let n = a.len().min(b.len());
        let (a, b) = (&a[..n], &b[..n]);
        // Eight independent accumulators so the compiler can vectorise the reduction.
        let mut acc = [0f32; 8];
        let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
        let (ra, rb) = (ca.remainder(), cb.remainder());
        for (x, y) in ca.zip(cb) {
            for l in 0..8 {
                acc[l] += x[l] * y[l];
            }
        }
        let mut s: f32 = acc.iter().sum();
        for (x, y) in ra.iter().zip(rb) {
            s += x * y;
        }
        s
    }

    #[inline(always)]
    fn axpy(y: &mut [f32], a: f32, x: &[f32]) {
        for (yi, xi) in y.iter_mut().zip(x) {
            *yi += a * xi;
        }
    }
}

impl Kernel for Fma {
    #[inline(always)]
    fn dot(a: &[f32], b: &[f32]) -> f32 {
        let n = a.len().min(b.len());
        let (a, b) = (&a[..n], &b[..n]);
        // Two 8-lane accumulators hide the FMA latency.
        let mut acc = [0f32; 16];
        let (ca, cb) = (a.chunks_exact(16), b.chunks_exact(16));
        let (ra, rb) = (ca.remainder(), cb.remainder());
        for (x, y) in ca.zip(cb) {
            for l in 0..16 {
                acc[l] = x[l].mul_add(y[l], acc[l]);
            }
        }
        let mut s: f32 = acc.iter().sum();
        for (x, y) in ra.iter().zip(rb) {
            s = x.mul_add(*y, s);
        }
        s
    }

    #[inline(always)]
    fn axpy(y: &mut [f32], a: f32, x: &[f32]) {
        for (yi, xi) in y.iter_mut().zip(x) {
            *yi = a.mul_add(*xi, *yi);
        }
    }
}

/// Whether this CPU runs the [`Fma`] kernel (AVX2 and FMA), checked once.
pub(crate) fn has_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        static HAS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        *HAS.get_or_init(|| {
            std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
        })
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Dot product with the portable kernel.
#[inline]
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    Plain::dot(a, b)
}

/// `y += a · x` with the best kernel the CPU has (for long vectors, e.g. EASE rows).
pub(crate) fn axpy(y: &mut [f32], a: f32, x: &[f32]) {
    #[cfg(target_arch = "x86_64")]
    {
        #[target_feature(enable = "avx2,fma")]
        fn axpy_fma(y: &mut [f32], a: f32, x: &[f32]) {
            Fma::axpy(y, a, x)
        }
        if has_fma() {
            // SAFETY: the CPU supports AVX2 and FMA (checked by has_fma).
            unsafe { axpy_fma(y, a, x) };
            return;
        }
    }
    Plain::axpy(y, a, x)
}

/// Scores `out[i] = Σ_k x_k · y[i·f + k]` for row-major `y` (n × f), with the best kernel.
pub(crate) fn gemv_rows(y: &[f32], x: &[f32], out: &mut [f32]) {
    #[inline(always)]
    fn body<K: Kernel>(y: &[f32], x: &[f32], out: &mut [f32]) {
        let f = x.len().max(1);
        for (o, row) in out.iter_mut().zip(y.chunks_exact(f)) {
            *o = K::dot(row, x);
        }
    }
    #[cfg(target_arch = "x86_64")]
    {
        #[target_feature(enable = "avx2,fma")]
        fn fma(y: &[f32], x: &[f32], out: &mut [f32]) {
            body::<Fma>(y, x, out)
        }
        if has_fma() {
            // SAFETY: the CPU supports AVX2 and FMA (checked by has_fma).
            unsafe { fma(y, x, out) };
            return;
        }
    }
    body::<Plain>(y, x, out)
}
