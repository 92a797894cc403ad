//! Popularity: how many readers interacted with a work, nudged by its Bayesian-average rating.
//!
//! The anonymous default and every model's fallback. Interaction counts decide the order
//! (what many readers pick up is what a random reader most likely picks up next); the
//! Bayesian average of explicit ratings ([`crate::popularity::Prior`]) scales it so that of
//! two equally read works the better loved ranks first.

use serde::{Deserialize, Serialize};

use super::{Contribution, Reason, Scorer};
use crate::popularity::{Prior, RatingStats};
use crate::records::Rating;
use crate::recs::data::{Interaction, ItemIndex};

/// The popularity model: one score per work, the same for every reader.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Popularity {
    /// Score per work; works nobody read score `NEG_INFINITY`.
    pub scores: Vec<f32>,
    /// Works with a finite score, best first.
    pub ranking: Vec<u32>,
}

impl Popularity {
    /// Count the training interactions of every work.
    pub fn train(items: &ItemIndex, train: &[Interaction]) -> Popularity {
        let mut stats = vec![RatingStats::default(); items.work_count()];
        for r in train {
            if let Some(rating) = Rating::new(r.rating) {
                stats[items.work_of[r.item as usize] as usize].add(rating);
            }
        }
        let prior = Prior::from_catalog(stats.iter());
        let scores: Vec<f32> = stats
            .iter()
            .map(|s| {
                let n = s.explicit_count() + s.implicit_count();
                if n == 0 {
                    f32::NEG_INFINITY
                } else {
                    // A ±1 point difference in Bayesian average moves the score by ±10%.
                    let quality = 1.0 + 0.1 * (prior.score(s) - prior.mean);
                    (f64::from(n) * quality.max(0.1)) as f32
                }
            })
            .collect();
        let ranking = crate::recs::metrics::top_k(&scores, scores.len(), |_| true);
        Popularity { scores, ranking }
    }
}

impl Scorer for Popularity {
    fn score(&self, _profile: &[(u32, f32)], out: &mut [f32]) {
        out.copy_from_slice(&self.scores);
    }

    fn explain(&self, _profile: &[(u32, f32)], target: u32) -> Vec<Contribution> {
        // Popularity owes nothing to the reader's books: the score is all "popular".
        match self.scores.get(target as usize) {
            Some(&s) if s.is_finite() => vec![Contribution {
                reason: Reason::Popular,
                share: s,
            }],
            _ => Vec::new(),
        }
    }
}

impl super::Fit for Popularity {
    const KIND: super::ModelKind = super::ModelKind::Popularity;
    type Params = ();

    fn params(_all: &crate::recs::trained::TrainParams) -> &() {
        &()
    }

    fn fit(
        data: &super::TrainingData<'_>,
        _params: &(),
        progress: crate::recs::ProgressFn<'_>,
    ) -> crate::recs::Result<Popularity> {
        super::announce(progress, Self::KIND);
        Ok(Popularity::train(data.items, data.interactions))
    }
}
