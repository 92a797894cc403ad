//! The in-memory catalog: editions grouped into works, their rating statistics, the popularity
//! ranking and the search index, built once from the store's books and ratings.
//!
//! Book ids are positions in the `books` vector (the store hands out dense ids), so every lookup
//! is an index, and the whole structure is read-only and shared between requests.

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
use std::sync::Arc;

use crate::isbn;
use crate::popularity::{Prior, RatingStats};
use crate::records::{Book, Rating};
use crate::search::{prior_of_readers, Corpus, Hit, MatchKind, SearchIndex};
use crate::text::work_key;
use crate::Result;

/// A book's dense id.
pub type BookIdx = u32;
/// A work's dense id.
pub type WorkIdx = u32;

/// One work: the editions that share a normalised title and first author.
#[derive(Debug, Clone)]
pub struct Work {
    /// The editions, most-rated first; the first is the one shown for the work.
    pub editions: Vec<BookIdx>,
    /// The ratings of all its editions together.
    pub stats: RatingStats,
}

impl Work {
    /// The edition shown for the work (the most rated one).
    pub fn representative(&self) -> BookIdx {
        self.editions[0]
    }
}

/// The read-only catalog the server answers from.
pub struct Catalog {
    books: Vec<Book>,
    by_key: HashMap<String, BookIdx>,
    /// Works by the hash of their [`work_key`], for [`Catalog::find_work`]. The hash rather than
    /// the key keeps a few hundred thousand title strings out of memory; lookups confirm the key.
    work_by_key: HashMap<u64, WorkIdx>,
    work_of: Vec<WorkIdx>,
    works: Vec<Work>,
    book_stats: Vec<RatingStats>,
    prior: Prior,
    /// Works with at least one explicit rating, best Bayesian average first.
    ranking: Vec<WorkIdx>,
    /// The search index; shared with the next catalog, which only adds the books it lacks.
    search: Arc<SearchIndex>,
    /// Per book, its work's readers on search's 0–1 log scale (see [`prior_of_readers`]).
    readers_prior: Arc<[f32]>,
}

impl Catalog {
    /// Build the catalog from every book (position = id) and every rating of a book, with a
    /// search index in memory. Ratings of ids outside `books` are ignored.
    pub fn build(
        books: Vec<Book>,
        ratings: impl IntoIterator<Item = (BookIdx, Rating)>,
    ) -> Result<Catalog> {
        Catalog::build_with(books, ratings, Arc::new(SearchIndex::in_memory()?))
    }

    /// [`Catalog::build`] over a search index that may already hold some of the books (the one
    /// on disk, or the previous catalog's): it is brought up to `books` first.
    pub fn build_with(
        books: Vec<Book>,
        ratings: impl IntoIterator<Item = (BookIdx, Rating)>,
        search: Arc<SearchIndex>,
    ) -> Result<Catalog> {
        let mut book_stats = vec![RatingStats::default(); books.len()];
        for (book, rating) in ratings {
            if let Some(s) = book_stats.get_mut(book as usize) {
                s.add(rating);
            }
        }

        let mut work_ids: HashMap<String, WorkIdx> = HashMap::new();
        let mut works: Vec<Work> = Vec::new();
        let mut work_of = Vec::with_capacity(books.len());
        for (idx, book) in books.iter().enumerate() {
            let next = works.len() as WorkIdx;
            let w = *work_ids
                .entry(work_key(&book.title, &book.author))
                .or_insert(next);
            if w == next {
                works.push(Work {
                    editions: Vec::new(),
                    stats: RatingStats::default(),
                });
            }
            let work = &mut works[w as usize];
            work.editions.push(idx as BookIdx);
            work.stats.merge(&book_stats[idx]);
            work_of.push(w);
        }
        for work in &mut works {
            // Most-rated edition first; the lower id on ties keeps the order deterministic.
            work.editions.sort_by_key(|&b| {
                let s = &book_stats[b as usize];
                (
                    std::cmp::Reverse(s.explicit_count() + s.implicit_count()),
                    b,
                )
            });
        }

        let prior = Prior::from_catalog(works.iter().map(|w| &w.stats));
        let mut ranking: Vec<WorkIdx> = (0..works.len() as WorkIdx)
            .filter(|&w| works[w as usize].stats.explicit_count() > 0)
            .collect();
        let scores: Vec<f64> = works.iter().map(|w| prior.score(&w.stats)).collect();
        ranking.sort_by(|&a, &b| {
            scores[b as usize]
                .total_cmp(&scores[a as usize])
                .then_with(|| a.cmp(&b))
        });

        search.sync(
            books
                .iter()
                .map(|b| (b.key.as_str(), b.title.as_str(), b.author.as_str())),
        )?;
        let readers_prior = prior_of_readers(work_of.iter().map(|&w| {
            let stats = &works[w as usize].stats;
            (stats.explicit_count() + stats.implicit_count()) as f32
        }))
        .into();
        let by_key = books
            .iter()
            .enumerate()
            .map(|(i, b)| (b.key.clone(), i as BookIdx))
            .collect();
        let work_by_key = work_ids
            .into_iter()
            .map(|(key, w)| (key_hash(&key), w))
            .collect();

        Ok(Catalog {
            books,
            by_key,
            work_by_key,
            work_of,
            works,
            book_stats,
            prior,
            ranking,
            search,
            readers_prior,
        })
    }

    /// Number of editions.
    pub fn len(&self) -> usize {
        self.books.len()
    }

    /// Whether the catalog has no books (nothing imported yet).
    pub fn is_empty(&self) -> bool {
        self.books.is_empty()
    }

    /// Number of works.
    pub fn work_count(&self) -> usize {
        self.works.len()
    }

    /// A book by id.
    pub fn book(&self, idx: BookIdx) -> Option<&Book> {
        self.books.get(idx as usize)
    }

    /// The id of the book with this catalog key (a normalised ISBN).
    pub fn find(&self, key: &str) -> Option<BookIdx> {
        self.by_key.get(key).copied()
    }

    /// The work whose editions have this title and first author, as [`work_key`] groups them:
    /// case, accents, punctuation and bracketed notes (a series, `(Paperback)`) are ignored.
    pub fn find_work(&self, title: &str, author: &str) -> Option<WorkIdx> {
        let key = work_key(title, author);
        let &w = self.work_by_key.get(&key_hash(&key))?;
        // Only the hash was kept: confirm on the work's own edition that the key is the same.
        let shown = self.book(self.work(w)?.representative())?;
        (work_key(&shown.title, &shown.author) == key).then_some(w)
    }

    /// The work a book belongs to.
    pub fn work_of(&self, idx: BookIdx) -> Option<WorkIdx> {
        self.work_of.get(idx as usize).copied()
    }

    /// A work by id.
    pub fn work(&self, idx: WorkIdx) -> Option<&Work> {
        self.works.get(idx as usize)
    }

    /// The ratings of one edition.
    pub fn book_stats(&self, idx: BookIdx) -> Option<&RatingStats> {
        self.book_stats.get(idx as usize)
    }

    /// The prior of the Bayesian average (the catalog's mean and its weight).
    pub fn prior(&self) -> Prior {
        self.prior
    }

    /// The Bayesian-average score of a work.
    pub fn work_score(&self, idx: WorkIdx) -> Option<f64> {
        self.work(idx).map(|w| self.prior.score(&w.stats))
    }

    /// Number of works in the popularity ranking (those with an explicit rating).
    pub fn ranked_works(&self) -> usize {
        self.ranking.len()
    }

    /// A page of the popularity ranking: works, best first.
    pub fn popular(&self, offset: usize, limit: usize) -> &[WorkIdx] {
        let start = offset.min(self.ranking.len());
        let end = start.saturating_add(limit).min(self.ranking.len());
        &self.ranking[start..end]
    }

    /// Search titles, authors and ISBNs; at most one hit per work, best first. An ISBN in any
    /// spelling (hyphens, spaces, ISBN-13) goes straight to its edition.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit> {
        if limit == 0 {
            return Vec::new();
        }
        let bare = isbn::strip_label(query);
        if isbn::looks_like_isbn(bare) {
            if let Some(doc) = isbn::normalize(bare).and_then(|key| self.find(&key)) {
                // An ISBN names one edition; its digits as words would only match noise.
                return vec![Hit {
                    doc,
                    score: f32::MAX,
                    matched: MatchKind::Isbn,
                }];
            }
        }
        self.search.search(query, limit, self)
    }

    /// The search index (shared with the catalogs built after this one).
    pub fn search_index(&self) -> &Arc<SearchIndex> {
        &self.search
    }
}

impl Corpus for Catalog {
    fn title(&self, doc: u32) -> Option<&str> {
        self.book(doc).map(|b| b.title.as_str())
    }
    fn author(&self, doc: u32) -> Option<&str> {
        self.book(doc).map(|b| b.author.as_str())
    }
    fn work(&self, doc: u32) -> Option<u32> {
        self.work_of(doc)
    }
    fn prior(&self) -> &Arc<[f32]> {
        &self.readers_prior
    }
}

/// The hash of a work key: fixed keys, so that building and looking up agree.
fn key_hash(key: &str) -> u64 {
    BuildHasherDefault::<DefaultHasher>::default().hash_one(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(v: u8) -> Rating {
        Rating::new(v).unwrap()
    }

    fn sample() -> Catalog {
        let books = vec![
            Book::new("0000000001", "Dune", "Frank Herbert"),
            Book::new("0000000002", "Dune (Paperback)", "Frank Herbert"),
            Book::new("0000000003", "Emma", "Jane Austen"),
            Book::new("0000000004", "Obscure", "Nobody Known"),
        ];
        let mut ratings = vec![(0, r(9)), (1, r(10)), (1, r(0)), (1, r(8)), (3, r(10))];
        ratings.extend(std::iter::repeat_n((2, r(7)), 40));
        Catalog::build(books, ratings).unwrap()
    }

    #[test]
    fn editions_are_grouped_and_the_most_rated_one_represents_the_work() {
        let c = sample();
        assert_eq!(c.work_count(), 3);
        let dune = c.work(c.work_of(0).unwrap()).unwrap();
        assert_eq!(dune.editions, vec![1, 0]);
        assert_eq!(dune.representative(), 1);
        assert_eq!(dune.stats.explicit_count(), 3);
        assert_eq!(dune.stats.implicit_count(), 1);
        assert_eq!(c.work_of(1), c.work_of(0));
    }

    #[test]
    fn popularity_is_a_bayesian_ranking_of_works() {
        let c = sample();
        // Prior mean over 44 explicit ratings: (9+10+8+10+40*7)/44.
        assert!((c.prior().mean - 317.0 / 44.0).abs() < 1e-9);
        let ranked = c.popular(0, 10);
        assert_eq!(ranked.len(), 3);
        // Dune (three ratings averaging 9) beats Emma (forty 7s) and the single 10.
        assert_eq!(ranked[0], c.work_of(0).unwrap());
        assert_eq!(c.popular(2, 10).len(), 1);
        assert!(c.popular(99, 10).is_empty());
    }

    #[test]
    fn lookups_by_key_and_out_of_range_ratings() {
        let c = Catalog::build(vec![Book::new("0000000001", "A", "B")], vec![(7, r(9))]).unwrap();
        assert_eq!(c.find("0000000001"), Some(0));
        assert_eq!(c.find("nope"), None);
        assert_eq!(c.book_stats(0).unwrap().explicit_count(), 0);
        assert!(c.book(1).is_none());
    }

    #[test]
    fn works_are_found_by_title_and_first_author() {
        let c = sample();
        let dune = c.work_of(0);
        assert_eq!(
            c.find_work("DUNE (Dune Chronicles, #1)", "Frank Herbert"),
            dune
        );
        assert_eq!(c.find_work("Dune", "F. Herbert, Someone Else"), dune);
        assert_eq!(c.find_work("Emma", "Jane Austen"), c.work_of(2));
        assert_eq!(c.find_work("Dune", "Jane Austen"), None);
        assert_eq!(c.find_work("Dune Messiah", "Frank Herbert"), None);
    }
}
