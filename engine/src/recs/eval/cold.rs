//! The cold-start split: readers cut down to 1, 2, 3, 5 or 10 training interactions.
//!
//! Protocol: the *eligible* readers have `min_interactions..=max_interactions` ratings (11–100
//! by default: enough for every bucket to hold some back, and not the bulk uploads of
//! thousands of implicit rows). They are visited in a seeded random order and dealt to the
//! buckets in turn; a reader dealt to bucket `n` keeps `n` random interactions in training and
//! has all the others held out. A reader whose held-out part would have no relevant rating is
//! skipped (all their data stays in training) and the bucket takes the next reader, until every
//! bucket has `per_bucket` readers or the eligible readers run out. Every interaction of every
//! other reader stays in training, so each bucket is scored against models trained once, on
//! the same data, and the buckets differ only in how much of their readers the models saw.

use super::*;
use crate::recs::rng::SplitMix64;

/// The parameters of the cold-start split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColdStart {
    /// Training interactions kept per bucket (each bucket's readers keep exactly this many).
    pub sizes: Vec<usize>,
    /// Readers per bucket.
    pub per_bucket: usize,
    /// Fewest interactions of an eligible reader (more than the largest bucket).
    pub min_interactions: usize,
    /// Most interactions of an eligible reader.
    pub max_interactions: usize,
    /// Seed of the reader order and of each reader's kept interactions.
    pub seed: u64,
}

impl Default for ColdStart {
    fn default() -> Self {
        ColdStart {
            sizes: vec![1, 2, 3, 5, 10],
            per_bucket: 1000,
            min_interactions: 11,
            max_interactions: 100,
            seed: 42,
        }
    }
}

/// A cold-start split and the bucket (training interactions kept) of each cut-down reader.
#[derive(Debug, Clone, Default)]
pub struct ColdSplit {
    /// Training and held-out interactions.
    pub split: split::Split,
    /// `(user, n)`, sorted by user.
    pub buckets: Vec<(u32, usize)>,
}

/// Build the cold-start split of `ratings` (see the module comment). The result does not
/// depend on the input order.
pub fn cold_split(ratings: &[Interaction], cold: &ColdStart, relevant_min: u8) -> ColdSplit {
    let mut sorted = ratings.to_vec();
    sorted.sort_unstable();
    let users: Vec<&[Interaction]> = sorted.chunk_by(|a, b| a.user == b.user).collect();
    let mut order: Vec<usize> = (0..users.len())
        .filter(|&u| (cold.min_interactions..=cold.max_interactions).contains(&users[u].len()))
        .collect();
    let mut rng = SplitMix64::new(cold.seed);
    rng.shuffle(&mut order);
    let mut filled = vec![0usize; cold.sizes.len()];
    let mut chosen: Vec<Option<usize>> = vec![None; users.len()];
    let mut next = 0usize;
    let relevant = |r: &Interaction| r.rating >= relevant_min && r.rating > 0;
    let mut held = std::collections::HashMap::new();
    for u in order {
        if cold.sizes.is_empty() || filled.iter().all(|&f| f >= cold.per_bucket) {
            break;
        }
        // Deal in turn, passing over full buckets.
        while filled[next % cold.sizes.len()] >= cold.per_bucket {
            next += 1;
        }
        let b = next % cold.sizes.len();
        let n = cold.sizes[b];
        let mut mine = users[u].to_vec();
        rng.shuffle(&mut mine);
        if n >= mine.len() || !mine[n..].iter().any(relevant) {
            continue;
        }
        filled[b] += 1;
        next += 1;
        chosen[u] = Some(n);
        held.insert(u, mine);
    }
    let mut out = ColdSplit::default();
    for (u, rows) in users.iter().enumerate() {
        match (chosen[u], held.remove(&u)) {
            (Some(n), Some(mine)) => {
                out.split.train.extend_from_slice(&mine[..n]);
                out.split.test.extend_from_slice(&mine[n..]);
                out.buckets.push((rows[0].user, n));
            }
            _ => out.split.train.extend_from_slice(rows),
        }
    }
    out.split.train.sort_unstable();
    out.split.test.sort_unstable();
    out.buckets.sort_unstable();
    out
}

/// Write `user_id,bucket` for every cut-down reader, so other tools score the same buckets.
pub fn write_buckets(path: &Path, buckets: &[(u32, usize)]) -> Result<()> {
    let file = std::fs::File::create(path).map_err(|e| RecsError::io(path, e))?;
    let mut out = std::io::BufWriter::new(file);
    let mut write = || -> std::io::Result<()> {
        writeln!(out, "user_id,bucket")?;
        for (u, n) in buckets {
            writeln!(out, "{u},{n}")?;
        }
        out.flush()
    };
    write().map_err(|e| RecsError::io(path, e))
}

/// One model's scores on one cold-start bucket.
#[derive(Debug, Clone, PartialEq)]
pub struct BucketRow {
    /// Model name.
    pub model: String,
    /// Training interactions the bucket's readers kept.
    pub bucket: usize,
    /// Readers scored (with a relevant held-out book).
    pub users: usize,
    /// Metrics per ISBN.
    pub isbn: Scores,
    /// Metrics per work.
    pub work: Scores,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(user: u32, n: u32) -> Vec<Interaction> {
        (0..n)
            .map(|i| Interaction {
                user,
                item: i,
                rating: if i % 3 == 0 { 8 } else { 0 },
            })
            .collect()
    }

    #[test]
    fn buckets_keep_exactly_n_and_hold_out_a_relevant_rating() {
        let mut all = Vec::new();
        for u in 0..40 {
            all.extend(reader(u, 11 + u % 7));
        }
        all.extend(reader(100, 5)); // too few: stays in training
        let cold = ColdStart {
            per_bucket: 3,
            ..ColdStart::default()
        };
        let s = cold_split(&all, &cold, 7);
        assert_eq!(s.buckets.len(), 15);
        for &n in &cold.sizes {
            assert_eq!(s.buckets.iter().filter(|b| b.1 == n).count(), 3);
        }
        for &(u, n) in &s.buckets {
            assert_eq!(s.split.train.iter().filter(|r| r.user == u).count(), n);
            assert!(s.split.test.iter().any(|r| r.user == u && r.rating >= 7));
        }
        assert_eq!(s.split.train.len() + s.split.test.len(), all.len());
        assert_eq!(s.split.train.iter().filter(|r| r.user == 100).count(), 5);
        // Deterministic, whatever the input order.
        all.reverse();
        let again = cold_split(&all, &cold, 7);
        assert_eq!(again.buckets, s.buckets);
        assert_eq!(again.split.test, s.split.test);
    }
}
