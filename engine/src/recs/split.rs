//! The hold-out protocol and split files.
//!
//! Protocol (Book-Crossing): ratings of books in the book table only; every user with at least
//! `min_interactions` of them has `holdout` (20%) of their interactions, rounded and at least
//! one, held out at random from a fixed seed; the rest, and every interaction of the other
//! users, is training data. A held-out rating is *relevant* when it is explicit and at least
//! `relevant_min` (7). The split is written in the Book-Crossing ratings layout so that any
//! other tool can train and score on exactly the same data.

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::data::{Interaction, ItemIndex};
use super::rng::SplitMix64;
use super::{RecsError, Result};

/// The parameters of the hold-out protocol.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Protocol {
    /// Seed of the random hold-out.
    pub seed: u64,
    /// Fraction of a user's interactions held out.
    pub holdout: f64,
    /// Users with fewer interactions keep them all in training.
    pub min_interactions: usize,
    /// A held-out explicit rating at least this high is relevant.
    pub relevant_min: u8,
}

impl Default for Protocol {
    fn default() -> Self {
        Protocol {
            seed: 42,
            holdout: 0.2,
            min_interactions: 5,
            relevant_min: 7,
        }
    }
}

/// Training and held-out interactions.
#[derive(Debug, Clone, Default)]
pub struct Split {
    /// What the models learn from.
    pub train: Vec<Interaction>,
    /// What they are scored against.
    pub test: Vec<Interaction>,
}

/// Number held out of `n` interactions: `holdout · n` rounded, at least one.
pub fn holdout_count(n: usize, holdout: f64) -> usize {
    ((n as f64 * holdout).round() as usize).clamp(1, n)
}

/// Split `ratings` by the protocol. The result does not depend on the input order.
pub fn holdout(ratings: &[Interaction], protocol: &Protocol) -> Split {
    let mut sorted = ratings.to_vec();
    sorted.sort_unstable();
    let mut rng = SplitMix64::new(protocol.seed);
    let mut split = Split::default();
    for user in sorted.chunk_by_mut(|a, b| a.user == b.user) {
        if user.len() < protocol.min_interactions {
            split.train.extend_from_slice(user);
            continue;
        }
        let k = holdout_count(user.len(), protocol.holdout);
        rng.shuffle(user);
        split.test.extend_from_slice(&user[..k]);
        split.train.extend_from_slice(&user[k..]);
    }
    split.train.sort_unstable();
    split.test.sort_unstable();
    split
}

/// The users to score: each with a relevant held-out edition, with those editions (sorted).
pub fn relevant_by_user(test: &[Interaction], relevant_min: u8) -> Vec<(u32, Vec<u32>)> {
    let mut sorted: Vec<&Interaction> = test
        .iter()
        .filter(|r| r.rating >= relevant_min && r.rating > 0)
        .collect();
    sorted.sort_unstable();
    sorted
        .chunk_by(|a, b| a.user == b.user)
        .map(|c| (c[0].user, c.iter().map(|r| r.item).collect()))
        .collect()
}

/// Write ratings in the Book-Crossing layout (`"User-ID";"ISBN";"Book-Rating"`, CRLF).
pub fn write_ratings(path: &Path, items: &ItemIndex, ratings: &[Interaction]) -> Result<()> {
    let file = std::fs::File::create(path).map_err(|e| RecsError::io(path, e))?;
    let mut out = std::io::BufWriter::new(file);
    let mut write = || -> std::io::Result<()> {
        out.write_all(b"\"User-ID\";\"ISBN\";\"Book-Rating\"\r\n")?;
        for r in ratings {
            write!(
                out,
                "\"{}\";\"{}\";\"{}\"\r\n",
                r.user, items.keys[r.item as usize], r.rating
            )?;
        }
        out.flush()
    };
    write().map_err(|e| RecsError::io(path, e))
}

/// Write `isbn,work` for every catalog edition, so other tools can score per work with
/// exactly Shelfwise's grouping of editions.
pub fn write_works(path: &Path, items: &ItemIndex) -> Result<()> {
    let file = std::fs::File::create(path).map_err(|e| RecsError::io(path, e))?;
    let mut out = std::io::BufWriter::new(file);
    let mut write = || -> std::io::Result<()> {
        writeln!(out, "isbn,work")?;
        for (key, work) in items.keys.iter().zip(&items.work_of) {
            writeln!(out, "{key},{work}")?;
        }
        out.flush()
    };
    write().map_err(|e| RecsError::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ratings(users: &[(u32, usize)]) -> Vec<Interaction> {
        let mut out = Vec::new();
        for &(u, n) in users {
            for i in 0..n {
                out.push(Interaction {
                    user: u,
                    item: i as u32,
                    rating: if i % 2 == 0 { 8 } else { 0 },
                });
            }
        }
        out
    }

    #[test]
    fn counts_follow_the_protocol() {
        assert_eq!(holdout_count(5, 0.2), 1);
        assert_eq!(holdout_count(7, 0.2), 1);
        assert_eq!(holdout_count(8, 0.2), 2);
        assert_eq!(holdout_count(12, 0.2), 2);
        assert_eq!(holdout_count(13, 0.2), 3);
        let all = ratings(&[(1, 4), (2, 5), (3, 13)]);
        let s = holdout(&all, &Protocol::default());
        assert_eq!(s.test.iter().filter(|r| r.user == 1).count(), 0);
        assert_eq!(s.test.iter().filter(|r| r.user == 2).count(), 1);
        assert_eq!(s.test.iter().filter(|r| r.user == 3).count(), 3);
        assert_eq!(s.train.len() + s.test.len(), all.len());
        let mut rejoined = [s.train.clone(), s.test.clone()].concat();
        rejoined.sort_unstable();
        assert_eq!(rejoined, all);
    }

    #[test]
    fn the_split_is_reproducible_and_order_free() {
        let all = ratings(&[(1, 30), (2, 9)]);
        let a = holdout(&all, &Protocol::default());
        let mut rev = all.clone();
        rev.reverse();
        let b = holdout(&rev, &Protocol::default());
        assert_eq!(a.test, b.test);
        let c = holdout(
            &all,
            &Protocol {
                seed: 7,
                ..Protocol::default()
            },
        );
        assert_ne!(a.test, c.test);
    }

    #[test]
    fn only_explicit_high_ratings_are_relevant() {
        let test = vec![
            Interaction {
                user: 1,
                item: 3,
                rating: 0,
            },
            Interaction {
                user: 1,
                item: 4,
                rating: 6,
            },
            Interaction {
                user: 2,
                item: 5,
                rating: 7,
            },
            Interaction {
                user: 2,
                item: 1,
                rating: 10,
            },
        ];
        assert_eq!(relevant_by_user(&test, 7), vec![(2, vec![1, 5])]);
    }
}
