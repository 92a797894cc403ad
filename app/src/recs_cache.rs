//! Each reader's recommendation lists, kept between views (server only).
//!
//! A list is a pure function of the reader's library, the model it was computed from and the
//! request's arguments, so it is keyed by exactly those: a fingerprint of the library, the
//! model's generation and the arguments. A rating or shelving changes the fingerprint and a
//! retrain the generation, so the next view computes afresh and a stale list is never served;
//! repeat views (back to the home page, a reload, another tab) skip the fold-in. Two readers
//! with the same library share entries, which is right: they would get the same lists.

use std::hash::{DefaultHasher, Hash, Hasher};

use quick_cache::sync::Cache;

use crate::models::{BecauseRow, ForYou, Onboarding, SimilarBooks};
use crate::store::library::LibraryBook;
use engine::catalog::BookIdx;

/// Entries kept per list kind: a "For you" of 100 cards is about 40 KB, so the caches stay
/// under a few hundred megabytes even when full of the largest lists.
const CAPACITY: usize = 4_096;

/// A 128-bit digest of a reader's library (two independently keyed 64-bit hashes: a
/// collision would need both to collide).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint(u64, u64);

impl Fingerprint {
    /// The fingerprint of a library (its books, ratings, shelves and times, in order).
    pub fn of(library: &[LibraryBook]) -> Fingerprint {
        // `DefaultHasher::new` has fixed keys: the same library gives the same fingerprint
        // in every request; the two salts make the halves independent.
        let half = |salt: u8| {
            let mut h = DefaultHasher::new();
            salt.hash(&mut h);
            library.hash(&mut h);
            h.finish()
        };
        Fingerprint(half(1), half(2))
    }
}

/// The lists, one cache per kind.
pub struct RecsCache {
    for_you: Cache<(Fingerprint, u64, u32), ForYou>,
    because: Cache<(Fingerprint, u64), Vec<BecauseRow>>,
    similar: Cache<(Fingerprint, u64, BookIdx), SimilarBooks>,
    onboarding: Cache<(Fingerprint, String), Onboarding>,
}

impl Default for RecsCache {
    fn default() -> Self {
        RecsCache {
            for_you: Cache::new(CAPACITY),
            because: Cache::new(CAPACITY),
            similar: Cache::new(CAPACITY),
            onboarding: Cache::new(CAPACITY),
        }
    }
}

impl std::fmt::Debug for RecsCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecsCache")
            .field("for_you", &self.for_you.len())
            .field("because", &self.because.len())
            .field("similar", &self.similar.len())
            .field("onboarding", &self.onboarding.len())
            .finish()
    }
}

/// The cached value for `key`, or `compute`'s, which is kept when it succeeds.
fn get_or_compute<K, V, E>(
    cache: &Cache<K, V>,
    key: K,
    compute: impl FnOnce() -> Result<V, E>,
) -> Result<V, E>
where
    K: Eq + Hash + Clone,
    V: Clone,
{
    if let Some(hit) = cache.get(&key) {
        return Ok(hit);
    }
    let value = compute()?;
    cache.insert(key, value.clone());
    Ok(value)
}

impl RecsCache {
    /// "For you" of `limit` books.
    pub fn for_you<E>(
        &self,
        key: (Fingerprint, u64, u32),
        compute: impl FnOnce() -> Result<ForYou, E>,
    ) -> Result<ForYou, E> {
        get_or_compute(&self.for_you, key, compute)
    }

    /// The "Because you liked" rows.
    pub fn because<E>(
        &self,
        key: (Fingerprint, u64),
        compute: impl FnOnce() -> Result<Vec<BecauseRow>, E>,
    ) -> Result<Vec<BecauseRow>, E> {
        get_or_compute(&self.because, key, compute)
    }

    /// A book page's two rows.
    pub fn similar<E>(
        &self,
        key: (Fingerprint, u64, BookIdx),
        compute: impl FnOnce() -> Result<SimilarBooks, E>,
    ) -> Result<SimilarBooks, E> {
        get_or_compute(&self.similar, key, compute)
    }

    /// Onboarding for the picked authors (`|`-joined, as the request gave them).
    pub fn onboarding<E>(
        &self,
        key: (Fingerprint, String),
        compute: impl FnOnce() -> Result<Onboarding, E>,
    ) -> Result<Onboarding, E> {
        get_or_compute(&self.onboarding, key, compute)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::Shelf;
    use crate::store::library::LibraryEntry;
    use crate::store::BookId;
    use engine::model::Rating;

    fn book(book: BookId, stars: u8, shelf: Option<Shelf>, updated: u64) -> LibraryBook {
        LibraryBook {
            book,
            rating: Rating::from_stars(stars),
            entry: Some(LibraryEntry { shelf, updated }),
        }
    }

    #[test]
    fn any_change_to_the_library_changes_the_fingerprint() {
        let base = vec![book(1, 5, None, 10), book(2, 3, Some(Shelf::Read), 11)];
        let same = base.clone();
        assert_eq!(Fingerprint::of(&base), Fingerprint::of(&same));
        let mut rerated = base.clone();
        rerated[1] = book(2, 4, Some(Shelf::Read), 11);
        let mut reshelved = base.clone();
        reshelved[1] = book(2, 3, Some(Shelf::NotInterested), 11);
        let mut touched = base.clone();
        touched[0] = book(1, 5, None, 12);
        let mut added = base.clone();
        added.push(book(3, 5, None, 13));
        for changed in [rerated, reshelved, touched, added, Vec::new()] {
            assert_ne!(Fingerprint::of(&base), Fingerprint::of(&changed));
        }
    }

    #[test]
    fn a_failed_computation_is_not_kept() {
        let cache = RecsCache::default();
        let key = (Fingerprint::of(&[]), 1);
        let failed: Result<Vec<BecauseRow>, &str> = cache.because(key, || Err("no"));
        assert!(failed.is_err());
        let mut computed = 0;
        for _ in 0..3 {
            let rows: Result<_, &str> = cache.because(key, || {
                computed += 1;
                Ok(Vec::new())
            });
            assert_eq!(rows, Ok(Vec::new()));
        }
        assert_eq!(computed, 1, "computed once, then served from the cache");
        let other_model: Result<_, &str> = cache.because((key.0, 2), || {
            computed += 1;
            Ok(Vec::new())
        });
        assert!(other_model.is_ok());
        assert_eq!(computed, 2, "a new model generation computes afresh");
    }
}
