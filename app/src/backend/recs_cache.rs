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

use crate::backend::store::library::LibraryBook;
use crate::types::{BecauseRow, ForYou, Onboarding, SimilarBooks};
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

/// One kind of list, by key.
pub struct ListCache<K, V>(Cache<K, V>);

impl<K: Eq + Hash + Clone, V: Clone> ListCache<K, V> {
    fn new() -> Self {
        ListCache(Cache::new(CAPACITY))
    }

    /// The cached value for `key`, or `compute`'s, which is kept when it succeeds.
    pub fn get_or_compute<E>(
        &self,
        key: K,
        compute: impl FnOnce() -> Result<V, E>,
    ) -> Result<V, E> {
        if let Some(hit) = self.0.get(&key) {
            return Ok(hit);
        }
        let value = compute()?;
        self.0.insert(key, value.clone());
        Ok(value)
    }
}

/// The lists, one cache per kind.
pub struct RecsCache {
    /// "For you" of a number of books.
    pub for_you: ListCache<(Fingerprint, u64, u32), ForYou>,
    /// The "Because you liked" rows.
    pub because: ListCache<(Fingerprint, u64), Vec<BecauseRow>>,
    /// A book page's two rows.
    pub similar: ListCache<(Fingerprint, u64, BookIdx), SimilarBooks>,
    /// Onboarding for the picked authors (`|`-joined, as the request gave them).
    pub onboarding: ListCache<(Fingerprint, String), Onboarding>,
}

impl Default for RecsCache {
    fn default() -> Self {
        RecsCache {
            for_you: ListCache::new(),
            because: ListCache::new(),
            similar: ListCache::new(),
            onboarding: ListCache::new(),
        }
    }
}

impl std::fmt::Debug for RecsCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecsCache")
            .field("for_you", &self.for_you.0.len())
            .field("because", &self.because.0.len())
            .field("similar", &self.similar.0.len())
            .field("onboarding", &self.onboarding.0.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::store::library::LibraryEntry;
    use crate::backend::store::BookId;
    use crate::types::Shelf;
    use engine::records::Rating;

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
        let failed: Result<Vec<BecauseRow>, &str> = cache.because.get_or_compute(key, || Err("no"));
        assert!(failed.is_err());
        let mut computed = 0;
        for _ in 0..3 {
            let rows: Result<_, &str> = cache.because.get_or_compute(key, || {
                computed += 1;
                Ok(Vec::new())
            });
            assert_eq!(rows, Ok(Vec::new()));
        }
        assert_eq!(computed, 1, "computed once, then served from the cache");
        let other_model: Result<_, &str> = cache.because.get_or_compute((key.0, 2), || {
            computed += 1;
            Ok(Vec::new())
        });
        assert!(other_model.is_ok());
        assert_eq!(computed, 2, "a new model generation computes afresh");
    }
}
