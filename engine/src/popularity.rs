//! Popularity: the Bayesian average of explicit ratings.
//!
//! A plain mean ranks a book with one 10 above a classic with five hundred 9s, and the original
//! notebook's mean with implicit zeros counted in ranked by how often a book was *touched*. The
//! Bayesian average pulls every book's mean towards the catalog's mean by a prior worth `weight`
//! ratings, so a book climbs only with many good ratings.

use serde::{Deserialize, Serialize};

use crate::records::Rating;

/// A book's (or work's) ratings, counted per value: index 0 is implicit, 1–10 explicit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingStats {
    /// Count of each rating value 0..=10.
    pub histogram: [u32; 11],
}

impl RatingStats {
    /// Count one rating.
    pub fn add(&mut self, rating: Rating) {
        self.histogram[usize::from(rating.value())] += 1;
    }

    /// Remove one rating (when a reader changes or clears theirs); never goes below zero.
    pub fn remove(&mut self, rating: Rating) {
        let slot = &mut self.histogram[usize::from(rating.value())];
        *slot = slot.saturating_sub(1);
    }

    /// Add another book's counts (editions into their work).
    pub fn merge(&mut self, other: &RatingStats) {
        for (a, b) in self.histogram.iter_mut().zip(other.histogram) {
            *a += b;
        }
    }

    /// Number of explicit (1–10) ratings.
    pub fn explicit_count(&self) -> u32 {
        self.histogram[1..].iter().sum()
    }

    /// Number of implicit interactions (rating 0).
    pub fn implicit_count(&self) -> u32 {
        self.histogram[0]
    }

    /// Sum of the explicit ratings.
    pub fn explicit_sum(&self) -> u64 {
        self.histogram
            .iter()
            .enumerate()
            .skip(1)
            .map(|(v, &n)| v as u64 * u64::from(n))
            .sum()
    }

    /// Mean explicit rating on the 1–10 scale, `None` without explicit ratings.
    pub fn mean(&self) -> Option<f64> {
        let n = self.explicit_count();
        (n > 0).then(|| self.explicit_sum() as f64 / f64::from(n))
    }
}

/// The prior of the Bayesian average: the catalog's mean, worth `weight` ratings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Prior {
    /// The mean explicit rating over the whole catalog.
    pub mean: f64,
    /// How many ratings the prior is worth.
    pub weight: f64,
}

impl Prior {
    /// The prior weight used when nothing else is said: a book needs about this many explicit
    /// ratings before its own mean dominates. On Book-Crossing, 10 let a postcard book with 23
    /// ratings top the ranking; 25 puts the books read and loved by hundreds first.
    pub const DEFAULT_WEIGHT: f64 = 25.0;

    /// The prior of a catalog: the mean of all its explicit ratings, with the default weight.
    pub fn from_catalog<'a>(stats: impl IntoIterator<Item = &'a RatingStats>) -> Prior {
        let mut total = RatingStats::default();
        for s in stats {
            total.merge(s);
        }
        Prior {
            mean: total.mean().unwrap_or(5.5),
            weight: Self::DEFAULT_WEIGHT,
        }
    }

    /// The Bayesian average of a book's explicit ratings under this prior.
    pub fn score(&self, stats: &RatingStats) -> f64 {
        let n = f64::from(stats.explicit_count());
        (self.weight * self.mean + stats.explicit_sum() as f64) / (self.weight + n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn stats(pairs: &[(u8, u32)]) -> RatingStats {
        let mut s = RatingStats::default();
        for &(v, n) in pairs {
            s.histogram[usize::from(v)] = n;
        }
        s
    }

    #[test]
    fn implicit_zeros_do_not_drag_the_mean() {
        let s = stats(&[(0, 100), (8, 2)]);
        assert_eq!(s.mean(), Some(8.0));
        assert_eq!(s.implicit_count(), 100);
        assert_eq!(s.explicit_count(), 2);
    }

    #[test]
    fn many_good_ratings_beat_one_perfect_rating() {
        let prior = Prior {
            mean: 7.6,
            weight: 10.0,
        };
        let one_ten = stats(&[(10, 1)]);
        let many_nines = stats(&[(9, 500)]);
        assert!(prior.score(&many_nines) > prior.score(&one_ten));
        // hand-computed: (10 * 7.6 + 10) / 11
        assert!((prior.score(&one_ten) - 86.0 / 11.0).abs() < 1e-9);
    }

    #[test]
    fn remove_undoes_add_and_saturates() {
        let mut s = RatingStats::default();
        s.add(Rating::new(7).unwrap());
        s.remove(Rating::new(7).unwrap());
        s.remove(Rating::new(7).unwrap());
        assert_eq!(s, RatingStats::default());
    }

    proptest! {
        #[test]
        fn bayesian_average_lies_between_prior_and_mean(n in 1u32..1000, v in 1u8..=10) {
            let prior = Prior { mean: 7.0, weight: 10.0 };
            let s = stats(&[(v, n)]);
            let score = prior.score(&s);
            let (lo, hi) = if f64::from(v) < 7.0 { (f64::from(v), 7.0) } else { (7.0, f64::from(v)) };
            prop_assert!(score >= lo - 1e-9 && score <= hi + 1e-9);
        }
    }
}
