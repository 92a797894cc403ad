//! Book search: a tantivy index for finding candidates, then a ranking that weighs how well a
//! book matches against how many people read it.
//!
//! **The index** ([`SearchIndex`]) holds each edition's folded title and author words (see
//! [`crate::text::fold`]; an author's initials also as one word, so "jrr" finds "J. R. R.") and
//! its book id, nothing else: titles, works and readers live in the catalog, which hands them to
//! a search as a [`Corpus`]. The index is tantivy's (Lucene's design: term dictionary as an fst,
//! BM25, Levenshtein automata over the dictionary), either on disk beside the store, where it
//! survives restarts and takes new books with an incremental commit ([`SearchIndex::sync`]),
//! or in memory for tests and tools.
//!
//! **Finding candidates** ([`query`]): every query word must match a title or author word
//! exactly, as a prefix (the last word, while a reader types; others from three letters), within
//! one edit (4–7 letters) or two (8+; a swap of neighbours is one edit), or as two words a
//! missing space joined ("danbrown"). Queries of three or more words fall back to all words but
//! one when nothing matches all. The best [`CANDIDATES`] by BM25 plus the popularity prior are
//! kept.
//!
//! **Ranking** ([`rank`]): each candidate is scored again on its own words, as
//! `MATCH_WEIGHT · match + FIT_WEIGHT · fit + PRIOR_WEIGHT · prior`:
//!
//! - `match` (0–1) is how each query word matched, averaged: exact 1, a prefix or a split word
//!   a little less, a typo less again;
//! - `fit` (0–1) is how much of the book's own name the query covers: the share of its main
//!   title's words (before a subtitle or a bracketed series note), or of its author's names, the
//!   query matched. "tolkien" fits J. R. R. Tolkien's books as fully as a book called
//!   "Tolkien"; "the alchemist" fits "The Alchemist: A Fable..." fully;
//! - `prior` (0–1) is the readers of the book's work on a log scale, relative to the most-read
//!   work. Its weight is large enough that, among full matches, thousands of readers beat a
//!   handful, and small enough that a typo or a partial fit costs more than any popularity
//!   gap can repay on a close call. The weights were set against the relevance benchmark
//!   (`bench/search/`, results in `bench/results`).
//!
//! So an author's name ranks that author's own works first, most read first (books *about*
//! them only fit partly, with few readers), and of equally good title matches the one people
//! read wins. One edition per work is returned: the best-scored.

use std::path::Path;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::{text, Error, Result};

mod index;
mod query;
mod rank;

pub use index::SearchIndex;

/// Small words a title may start with or hold that a reader often leaves out: a title's fit
/// does not count them unless the query has them, and they are never the beginning of a
/// longer word the reader meant.
pub(crate) const MINOR_WORDS: &[&str] = &[
    "a", "an", "and", "the", "of", "in", "on", "to", "for", "la", "le", "les", "el", "der", "die",
    "das",
];

/// How many candidates the index hands to the ranking: enough that an author with hundreds of
/// editions keeps their most-read works, few enough that ranking stays well under a
/// millisecond.
pub const CANDIDATES: usize = 200;

/// How a hit matched the query: the weakest kind among the query's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MatchKind {
    /// The query was an ISBN and this is that edition.
    Isbn,
    /// Every query word is a whole word of the title or author.
    Exact,
    /// At least one query word only matched as the beginning of a word.
    Prefix,
    /// At least one query word only matched within a small edit distance (a typo), or as two
    /// words joined by a missing space.
    Fuzzy,
}

/// One search result.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    /// The book id (the catalog's) of the edition.
    pub doc: u32,
    /// Relevance; higher is better. Only comparable within one query.
    pub score: f32,
    /// The weakest way any query word matched.
    pub matched: MatchKind,
}

/// What ranking needs to know about the books a search may return, by book id. `None` for an id
/// the corpus does not know (a book the index took after this corpus was built).
pub trait Corpus {
    /// The title as displayed.
    fn title(&self, doc: u32) -> Option<&str>;
    /// The author(s) as displayed.
    fn author(&self, doc: u32) -> Option<&str>;
    /// The work the edition belongs to: at most one edition per work is returned.
    fn work(&self, doc: u32) -> Option<u32>;
    /// Per book id, how read its work is, from 0 (nobody) to 1 (the most-read work); see
    /// [`prior_of_readers`]. Shared, because the index reads it while collecting candidates.
    fn prior(&self) -> &std::sync::Arc<[f32]>;
}

/// The popularity prior of each book from its work's readers: `ln(1 + readers)` divided by the
/// largest such value, so 1 reader and 10 differ as much as 100 and 1,000. Junk (negative, NaN)
/// counts as nobody.
pub fn prior_of_readers(readers: impl ExactSizeIterator<Item = f32> + Clone) -> Vec<f32> {
    let clean = |r: f32| if r.is_finite() && r > 0.0 { r } else { 0.0 };
    let max = readers
        .clone()
        .map(|r| clean(r).ln_1p())
        .fold(0.0f32, f32::max);
    readers
        .map(|r| {
            if max > 0.0 {
                (clean(r).ln_1p() / max).min(1.0)
            } else {
                0.0
            }
        })
        .collect()
}

/// A list of editions to search without a catalog (tests, benchmarks): each edition's title,
/// author, work and readers.
pub struct Docs {
    docs: Vec<SearchDoc>,
    prior: std::sync::Arc<[f32]>,
}

/// One edition of a [`Docs`] list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchDoc {
    /// The catalog key (a normalised ISBN or a catalog key of a book readers added).
    pub key: String,
    /// The title as displayed.
    pub title: String,
    /// The author(s) as displayed.
    pub author: String,
    /// The work this edition belongs to.
    pub work: u32,
    /// How many readers its work has.
    pub popularity: f32,
}

impl Docs {
    /// The editions, in book-id order.
    pub fn new(docs: Vec<SearchDoc>) -> Docs {
        let prior = prior_of_readers(docs.iter().map(|d| d.popularity)).into();
        Docs { docs, prior }
    }

    /// The edition with this book id.
    pub fn get(&self, doc: u32) -> Option<&SearchDoc> {
        self.docs.get(doc as usize)
    }

    /// Number of editions.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// An in-memory index over these editions.
    pub fn index(&self) -> Result<SearchIndex> {
        let index = SearchIndex::in_memory()?;
        index.sync(
            self.docs
                .iter()
                .map(|d| (d.key.as_str(), d.title.as_str(), d.author.as_str())),
        )?;
        Ok(index)
    }
}

impl Corpus for Docs {
    fn title(&self, doc: u32) -> Option<&str> {
        self.get(doc).map(|d| d.title.as_str())
    }
    fn author(&self, doc: u32) -> Option<&str> {
        self.get(doc).map(|d| d.author.as_str())
    }
    fn work(&self, doc: u32) -> Option<u32> {
        self.get(doc).map(|d| d.work)
    }
    fn prior(&self) -> &std::sync::Arc<[f32]> {
        &self.prior
    }
}

/// An author's folded words, then each run of two or more initials as one word ("J. R. R.
/// Tolkien" is `j r r tolkien jrr`, so that "jrr tolkien" and "j.r.r. tolkien" both find it),
/// and how many of the words are the author's own (the rest are joined initials).
fn author_words(author: &str) -> (Vec<String>, usize) {
    let mut words = text::words(author);
    let names = words.len();
    let mut run = String::new();
    let mut run_len = 0;
    for i in 0..=names {
        match words.get(i) {
            Some(w) if w.chars().count() == 1 => {
                run.push_str(w);
                run_len += 1;
            }
            _ => {
                if run_len >= 2 {
                    words.push(std::mem::take(&mut run));
                }
                run.clear();
                run_len = 0;
            }
        }
    }
    (words, names)
}

/// Remove a directory that holds an index of another version (or a broken one), so a fresh one
/// can be built in its place.
fn clear_dir(dir: &Path) -> Result<()> {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::Index(format!("removing {}: {e}", dir.display()))),
    }
}

/// Lock a mutex even if a panicking holder poisoned it: the writer it guards is only used
/// between commits, and a failed commit leaves the index at its last commit.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests;
