//! Timing the serving path as readers meet it: readers sampled from a dataset, each request
//! (fold-in, scoring over every work, the list rules, top k, explanations) timed on its own.
//! The fold-in benchmark (`examples/foldin_bench.rs`) and the scaling benchmark
//! (`examples/scale_bench.rs`) share it, so their latencies are measured the same way.

use std::collections::BTreeMap;
use std::time::Instant;

use super::Request;
use crate::datasets::load::Dataset;
use crate::recs::models::ModelKind;
use crate::recs::rng::SplitMix64;
use crate::recs::trained::TrainedModels;
use crate::recs::Result;

/// A reader's ratings as a request carries them: (edition key, rating 0–10).
pub type ReaderRatings = Vec<(String, u8)>;

/// Up to `n` readers with at least `min_ratings` ratings, each with all their ratings, drawn
/// at random (seeded) from `data`: the requests a benchmark sends.
pub fn sample_readers(
    data: &Dataset,
    min_ratings: usize,
    n: usize,
    seed: u64,
) -> Vec<ReaderRatings> {
    let mut by_user: BTreeMap<u32, ReaderRatings> = BTreeMap::new();
    for r in &data.ratings {
        by_user
            .entry(r.user)
            .or_default()
            .push((data.items.keys[r.item as usize].clone(), r.rating));
    }
    let mut readers: Vec<ReaderRatings> = by_user
        .into_values()
        .filter(|r| r.len() >= min_ratings)
        .collect();
    SplitMix64::new(seed).shuffle(&mut readers);
    readers.truncate(n);
    readers
}

/// Milliseconds of each call of `f` over `inputs`, sorted. `f` returns something of its
/// result (e.g. the list's length) so the work cannot be optimised away.
pub fn time_each<T>(inputs: &[T], f: impl Fn(&T) -> Result<usize>) -> Result<Vec<f64>> {
    let mut times: Vec<f64> = Vec::with_capacity(inputs.len());
    for input in inputs {
        let t = Instant::now();
        let out = f(input)?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(out);
    }
    times.sort_by(f64::total_cmp);
    Ok(times)
}

/// The `p`-quantile (0–1) of sorted values, by the nearest rank; NaN when empty.
pub fn quantile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p.clamp(0.0, 1.0)).round() as usize]
}

/// Milliseconds of each reader's top-`k` recommendation by `kind` (fold-in, rules,
/// explanations: what the server does per request), sorted.
pub fn recommend_times(
    model: &TrainedModels,
    kind: ModelKind,
    readers: &[ReaderRatings],
    k: usize,
) -> Result<Vec<f64>> {
    time_each(readers, |ratings| {
        let req = Request {
            ratings: ratings.clone(),
            k,
            ..Request::default()
        };
        model.serving().recommend(kind, &req).map(|r| r.len())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::Book;
    use crate::recs::data::{Interaction, ItemIndex};
    use proptest::prelude::*;

    fn dataset() -> Dataset {
        let items = ItemIndex::from_books(
            (0..20).map(|i| Book::new(format!("K{i}"), format!("T{i}"), "A")),
        );
        // User u rated u + 1 books.
        let ratings = (0..10u32)
            .flat_map(|user| {
                (0..=user).map(move |item| Interaction {
                    user,
                    item,
                    rating: 7,
                })
            })
            .collect();
        Dataset {
            items,
            ratings,
            ..Dataset::default()
        }
    }

    #[test]
    fn sampled_readers_have_enough_ratings_and_the_seed_decides_which() {
        let data = dataset();
        let a = sample_readers(&data, 5, 3, 11);
        assert_eq!(a.len(), 3);
        assert!(a.iter().all(|r| r.len() >= 5));
        assert_eq!(a, sample_readers(&data, 5, 3, 11));
        // Six readers qualify (5..=10 ratings); asking for more gives them all, once each.
        let mut all: Vec<usize> = sample_readers(&data, 5, 100, 1)
            .iter()
            .map(Vec::len)
            .collect();
        all.sort_unstable();
        assert_eq!(all, vec![5, 6, 7, 8, 9, 10]);
        assert_eq!(sample_readers(&data, 5, 2, 1)[0][0], ("K0".to_string(), 7));
    }

    proptest! {
        /// The nearest-rank quantile is one of the values, and grows with p.
        #[test]
        fn quantiles_are_values_and_ordered(
            mut v in prop::collection::vec(0.0f64..1e3, 1..50),
            p in 0.0f64..1.0,
        ) {
            v.sort_by(f64::total_cmp);
            let q = quantile(&v, p);
            prop_assert!(v.contains(&q));
            prop_assert!(quantile(&v, 0.0) <= q && q <= quantile(&v, 1.0));
            prop_assert_eq!(quantile(&v, 1.0), *v.last().unwrap());
        }
    }

    #[test]
    fn every_input_is_timed_once_and_errors_stop_the_run() {
        let times = time_each(&[1, 2, 3], |&x| Ok(x)).unwrap();
        assert_eq!(times.len(), 3);
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
        let failed = time_each(&[1, 2], |&x| {
            if x == 2 {
                Err(crate::recs::RecsError::Config("no".into()))
            } else {
                Ok(x)
            }
        });
        assert!(failed.is_err());
        assert!(quantile(&[], 0.5).is_nan());
    }
}
