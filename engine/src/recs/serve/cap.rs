//! At most so many books by one author in a list.

use std::collections::HashMap;
use std::hash::Hash;

/// Counts a list's books per author and admits a book while its author is under the cap.
/// Books without an author (`None`) are nobody's: they are never capped.
#[derive(Debug, Clone)]
pub struct AuthorCap<K> {
    cap: usize,
    counts: HashMap<K, usize>,
}

impl<K: Eq + Hash> AuthorCap<K> {
    /// A cap of `cap` books per author (at least 1; `usize::MAX`: none).
    pub fn new(cap: usize) -> AuthorCap<K> {
        AuthorCap {
            cap,
            counts: HashMap::new(),
        }
    }

    /// A cap that already counts the authors of a list's books.
    pub fn counting(cap: usize, authors: impl IntoIterator<Item = Option<K>>) -> AuthorCap<K> {
        let mut out = AuthorCap::new(cap);
        for a in authors.into_iter().flatten() {
            *out.counts.entry(a).or_insert(0) += 1;
        }
        out
    }

    /// Whether a book by `author` may join the list; counts it when it may.
    pub fn admit(&mut self, author: Option<K>) -> bool {
        let Some(a) = author else {
            return true;
        };
        let c = self.counts.entry(a).or_insert(0);
        if *c < self.cap.max(1) {
            *c += 1;
            true
        } else {
            false
        }
    }
}

/// The first `k` items of `ranked` with at most `cap` (at least 1) by one author, in order;
/// `author` gives an item's author key, `None` for an item with no author (never capped).
///
/// The engine caps its own lists this way (by folded first author); an app list such as a
/// popularity row can pass its own key, e.g. `|card| Some(engine::text::fold(&card.author))`.
pub fn cap_per_author<T, K: Eq + Hash>(
    ranked: impl IntoIterator<Item = T>,
    k: usize,
    cap: usize,
    mut author: impl FnMut(&T) -> Option<K>,
) -> Vec<T> {
    let mut counts = AuthorCap::new(cap);
    let mut out = Vec::new();
    for item in ranked {
        if out.len() >= k {
            break;
        }
        if counts.admit(author(&item)) {
            out.push(item);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_skips_an_authors_extra_books_and_never_caps_nobody() {
        let ranked = [
            ("a", Some(1)),
            ("b", Some(1)),
            ("c", None),
            ("d", Some(1)),
            ("e", None),
        ];
        let out = cap_per_author(ranked, 4, 2, |x| x.1);
        assert_eq!(
            out.iter().map(|x| x.0).collect::<Vec<_>>(),
            vec!["a", "b", "c", "e"]
        );
        let one = cap_per_author(ranked, 10, 0, |x| x.1);
        assert_eq!(
            one.iter().map(|x| x.0).collect::<Vec<_>>(),
            vec!["a", "c", "e"]
        );
    }
}
