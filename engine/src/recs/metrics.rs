//! Ranking metrics and top-k selection.
//!
//! Relevance is binary. For a ranked list and a set of relevant ids, position `r` (0-based) is
//! a *hit* when its id is relevant and was not already hit higher up (so two editions mapped
//! to one work count once at work level):
//!
//! - NDCG@k = Σ_{r<k} hit_r / log2(r + 2), divided by the same sum for an ideal list, which has
//!   min(|relevant|, k) hits first;
//! - Recall@k = hits in the first k / |relevant|;
//! - HR@k = 1 when the first k hold at least one hit.

use std::cmp::Ordering;

/// Hit flags of a ranked list against sorted, deduplicated relevant ids.
pub fn hit_flags(ranked: &[u32], relevant: &[u32]) -> Vec<bool> {
    let mut seen: Vec<u32> = Vec::new();
    ranked
        .iter()
        .map(|id| {
            let hit = relevant.binary_search(id).is_ok() && !seen.contains(id);
            if hit {
                seen.push(*id);
            }
            hit
        })
        .collect()
}

/// NDCG@k of hit flags, with `n_relevant` relevant ids in all.
pub fn ndcg_at(hits: &[bool], n_relevant: usize, k: usize) -> f64 {
    let discount = |r: usize| 1.0 / ((r + 2) as f64).log2();
    let dcg: f64 = hits
        .iter()
        .take(k)
        .enumerate()
        .filter(|(_, &h)| h)
        .map(|(r, _)| discount(r))
        .sum();
    let ideal: f64 = (0..n_relevant.min(k)).map(discount).sum();
    if ideal == 0.0 {
        0.0
    } else {
        dcg / ideal
    }
}

/// Recall@k of hit flags, with `n_relevant` relevant ids in all.
pub fn recall_at(hits: &[bool], n_relevant: usize, k: usize) -> f64 {
    if n_relevant == 0 {
        return 0.0;
    }
    hits.iter().take(k).filter(|&&h| h).count() as f64 / n_relevant as f64
}

/// HR@k: 1 when the first `k` hold a hit.
pub fn hit_rate_at(hits: &[bool], k: usize) -> f64 {
    if hits.iter().take(k).any(|&h| h) {
        1.0
    } else {
        0.0
    }
}

/// Higher score first; equal scores by lower id, so rankings are deterministic.
pub(crate) fn by_score(a: &(f32, u32), b: &(f32, u32)) -> Ordering {
    b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
}

/// The ids of the `k` highest finite scores, best first (ties: lower id first), skipping ids
/// `allowed` rejects. Equivalent to sorting every allowed finite score, in O(n + k log k).
pub fn top_k(scores: &[f32], k: usize, allowed: impl Fn(u32) -> bool) -> Vec<u32> {
    let mut cand: Vec<(f32, u32)> = scores
        .iter()
        .enumerate()
        .filter(|(i, s)| s.is_finite() && allowed(*i as u32))
        .map(|(i, &s)| (s, i as u32))
        .collect();
    top_of(&mut cand, k)
}

/// The best `k` of (score, id) candidates, best first, by [`top_k`]'s order.
pub fn top_of(cand: &mut Vec<(f32, u32)>, k: usize) -> Vec<u32> {
    if k == 0 {
        return Vec::new();
    }
    if cand.len() > k {
        cand.select_nth_unstable_by(k - 1, by_score);
        cand.truncate(k);
    }
    cand.sort_unstable_by(by_score);
    cand.iter().map(|c| c.1).collect()
}

/// Mean of NDCG@10, Recall@20 and HR@10 over the users scored.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Scores {
    /// Mean NDCG@10.
    pub ndcg10: f64,
    /// Mean Recall@20.
    pub recall20: f64,
    /// Mean HR@10.
    pub hr10: f64,
    /// Number of users averaged.
    pub users: usize,
}

impl Scores {
    /// Add one user's ranked list (at least 20 long when possible).
    pub fn add(&mut self, ranked: &[u32], relevant: &[u32]) {
        let hits = hit_flags(ranked, relevant);
        self.ndcg10 += ndcg_at(&hits, relevant.len(), 10);
        self.recall20 += recall_at(&hits, relevant.len(), 20);
        self.hr10 += hit_rate_at(&hits, 10);
        self.users += 1;
    }

    /// Combine two partial sums.
    pub fn merge(mut self, other: Scores) -> Scores {
        self.ndcg10 += other.ndcg10;
        self.recall20 += other.recall20;
        self.hr10 += other.hr10;
        self.users += other.users;
        self
    }

    /// Means from the sums.
    pub fn mean(self) -> Scores {
        let n = self.users.max(1) as f64;
        Scores {
            ndcg10: self.ndcg10 / n,
            recall20: self.recall20 / n,
            hr10: self.hr10 / n,
            users: self.users,
        }
    }
}

/// A (score, id) pair ordered worst first, so a max-heap of them keeps the worst on top.
#[derive(Clone, Copy)]
struct Worst((f32, u32));

impl PartialEq for Worst {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Worst {}
impl PartialOrd for Worst {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Worst {
    fn cmp(&self, other: &Self) -> Ordering {
        by_score(&self.0, &other.0)
    }
}

/// The `n` highest finite scores of a dense buffer as (score, id), best first (ties: lower id
/// first): the same as sorting every finite score and keeping the head. For a small `n` it
/// scans the buffer once against a bounded heap and allocates nothing catalog-sized; for a
/// large one it partitions.
pub fn top_n(scores: &[f32], n: usize) -> Vec<(f32, u32)> {
    if n == 0 {
        return Vec::new();
    }
    if n > 2048 {
        let mut cand: Vec<(f32, u32)> = scores
            .iter()
            .enumerate()
            .filter(|(_, s)| s.is_finite())
            .map(|(i, &s)| (s, i as u32))
            .collect();
        if cand.len() > n {
            cand.select_nth_unstable_by(n - 1, by_score);
            cand.truncate(n);
        }
        cand.sort_unstable_by(by_score);
        return cand;
    }
    let mut heap: std::collections::BinaryHeap<Worst> =
        std::collections::BinaryHeap::with_capacity(n + 1);
    // Most scores lose to the current n-th best: one comparison against a cached threshold.
    let mut threshold = f32::NEG_INFINITY;
    for (i, &s) in scores.iter().enumerate() {
        if !s.is_finite() || (heap.len() == n && s < threshold) {
            continue;
        }
        let c = Worst((s, i as u32));
        if heap.len() < n {
            heap.push(c);
        } else if let Some(mut top) = heap.peek_mut() {
            if c < *top {
                *top = c;
            }
        }
        if heap.len() == n {
            threshold = heap.peek().map_or(f32::NEG_INFINITY, |w| w.0 .0);
        }
    }
    let mut out: Vec<(f32, u32)> = heap.into_iter().map(|w| w.0).collect();
    out.sort_unstable_by(by_score);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ndcg_matches_a_hand_computed_example() {
        // Relevant {5, 9}; hits at ranks 1 and 3 (0-based): DCG = 1/log2(3) + 1/log2(5)
        // = 0.63093 + 0.43068 = 1.06161; IDCG = 1 + 1/log2(3) = 1.63093; NDCG = 0.65092.
        let hits = hit_flags(&[1, 5, 2, 9, 4], &[5, 9]);
        assert_eq!(hits, vec![false, true, false, true, false]);
        assert!((ndcg_at(&hits, 2, 10) - 0.650_92).abs() < 1e-5);
        assert_eq!(recall_at(&hits, 2, 20), 1.0);
        assert_eq!(recall_at(&hits, 2, 2), 0.5);
        assert_eq!(hit_rate_at(&hits, 1), 0.0);
        assert_eq!(hit_rate_at(&hits, 2), 1.0);
    }

    #[test]
    fn perfect_and_empty_lists() {
        let hits = hit_flags(&[3, 1, 2], &[1, 2, 3]);
        assert!((ndcg_at(&hits, 3, 10) - 1.0).abs() < 1e-12);
        // More relevant than k: the ideal list is capped at k.
        let hits = hit_flags(&[1], &[1, 2, 3]);
        assert!((ndcg_at(&hits, 3, 1) - 1.0).abs() < 1e-12);
        assert_eq!(ndcg_at(&[], 0, 10), 0.0);
        assert_eq!(recall_at(&[], 0, 20), 0.0);
    }

    #[test]
    fn a_repeated_id_counts_once() {
        // Two editions of one relevant work: only the first is a hit.
        let hits = hit_flags(&[7, 7, 8], &[7]);
        assert_eq!(hits, vec![true, false, false]);
        let mut s = Scores::default();
        s.add(&[7, 7, 8], &[7]);
        s.add(&[1, 2, 3], &[7]);
        let m = s.mean();
        assert_eq!((m.ndcg10, m.recall20, m.hr10, m.users), (0.5, 0.5, 0.5, 2));
    }

    #[test]
    fn top_k_breaks_ties_by_id_and_skips_disallowed() {
        let scores = [0.5, f32::NEG_INFINITY, 0.9, 0.5, 0.1];
        assert_eq!(top_k(&scores, 3, |_| true), vec![2, 0, 3]);
        assert_eq!(top_k(&scores, 3, |i| i != 2), vec![0, 3, 4]);
        assert_eq!(top_k(&scores, 10, |_| true).len(), 4);
    }

    #[test]
    fn top_n_switches_to_partitioning_for_large_n_with_the_same_answer() {
        let scores: Vec<f32> = (0..10_000u32).map(|i| ((i * 7919) % 1000) as f32).collect();
        let big = top_n(&scores, 3000);
        let mut all: Vec<(f32, u32)> = scores
            .iter()
            .enumerate()
            .map(|(i, &s)| (s, i as u32))
            .collect();
        all.sort_by(by_score);
        assert_eq!(big, all[..3000].to_vec());
        assert_eq!(top_n(&scores, 10), all[..10].to_vec());
    }

    proptest! {
        #[test]
        fn top_k_equals_a_full_sort(
            scores in proptest::collection::vec(-100i32..100, 0..300),
            k in 0usize..50,
        ) {
            let scores: Vec<f32> = scores.into_iter().map(|s| s as f32 / 4.0).collect();
            let mut all: Vec<(f32, u32)> = scores.iter().enumerate().map(|(i, &s)| (s, i as u32)).collect();
            all.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap().then(a.1.cmp(&b.1)));
            let expected: Vec<u32> = all.iter().take(k).map(|c| c.1).collect();
            prop_assert_eq!(top_k(&scores, k, |_| true), expected);
        }

        #[test]
        fn top_n_equals_a_full_sort(
            scores in proptest::collection::vec(prop_oneof![
                (-100i32..100).prop_map(|s| s as f32 / 4.0),
                Just(f32::NEG_INFINITY),
            ], 0..400),
            k in 0usize..60,
        ) {
            let mut all: Vec<(f32, u32)> = scores
                .iter()
                .enumerate()
                .filter(|(_, s)| s.is_finite())
                .map(|(i, &s)| (s, i as u32))
                .collect();
            all.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap().then(a.1.cmp(&b.1)));
            all.truncate(k);
            prop_assert_eq!(top_n(&scores, k), all);
        }
    }
}
