//! In-memory, typo-tolerant, ranked book search over the whole catalog.
//!
//! The index keeps three structures, all built once at server start:
//!
//! - the vocabulary of folded title and author words as an [`fst::Map`] from word to word id,
//!   where ids follow the sorted order of the words. Because of that order, every word starting
//!   with a prefix has an id in one contiguous range, so a prefix "expands" to a range check
//!   rather than to a list of words, and a typo search is one walk down the fst;
//! - postings (word id → the docs holding it) in one flat array ordered by word id, so the docs
//!   of a whole prefix range are one contiguous slice;
//! - each doc's own word ids, title words first and in order, so that a candidate can be checked
//!   against every query word, and its title compared with the query, without touching strings.
//!
//! A query is answered by taking the candidates of its most selective word (fewest postings)
//! and checking the other words against each candidate's word list. Common words ("the") and
//! one-letter prefixes therefore never multiply each other's costs: they are only ever a range
//! check. When even the most selective word is that broad, only its most popular docs are
//! scored (docs are numbered by popularity, so those are the heads of its postings lists).
//!
//! Typos are found by walking the vocabulary fst with a Damerau–Levenshtein row per character
//! (see `fuzzy_words`): one edit for words of 4–7 letters, two from 8 letters on.

use std::collections::HashMap;
use std::ops::Range;

use fst::{IntoStreamer, Streamer};
use serde::{Deserialize, Serialize};

use crate::{isbn, text, Error, Result};
use fuzzy::fuzzy_words;

mod build;
mod fuzzy;
mod query;

/// One searchable edition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchDoc {
    /// The catalog key: a normalised ISBN (see [`crate::isbn::normalize`]).
    pub key: String,
    /// The title as displayed; folded for matching.
    pub title: String,
    /// The author(s) as displayed; folded for matching.
    pub author: String,
    /// The work this edition belongs to: editions of one work share it, and a search returns at
    /// most one edition per work.
    pub work: u32,
    /// Higher is more popular (e.g. a rating count); only breaks ties between equal matches.
    pub popularity: f32,
}

/// How a hit matched the query: the weakest kind among the query's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MatchKind {
    /// The query was an ISBN and this is that edition.
    Isbn,
    /// Every query word is a whole word of the title or author.
    Exact,
    /// At least one query word only matched as the beginning of a word.
    Prefix,
    /// At least one query word only matched within a small edit distance (a typo).
    Fuzzy,
}

impl MatchKind {
    /// Higher is a stronger match; the enum's declaration order is the public API's, not this.
    fn strength(self) -> u8 {
        match self {
            MatchKind::Isbn => 3,
            MatchKind::Exact => 2,
            MatchKind::Prefix => 1,
            MatchKind::Fuzzy => 0,
        }
    }

    /// The weaker of two kinds.
    fn weakest(self, other: MatchKind) -> MatchKind {
        if other.strength() < self.strength() {
            other
        } else {
            self
        }
    }
}

/// One search result.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    /// Index of the edition in the docs given to [`SearchIndex::build`].
    pub doc: u32,
    /// Relevance; higher is better. Only comparable within one query.
    pub score: f32,
    /// The weakest way any query word matched.
    pub matched: MatchKind,
}

// Scores. Per query word, a stronger match kind outweighs a weaker kind plus every bonus that
// word can bring (title word, title start) plus the whole popularity range: exact (12) beats
// prefix (8) + 1 + 2 + 0.99, and prefix (7 or 8) beats fuzzy (4) + 1 + 0.99. Bonuses are whole
// numbers and popularity adds less than one, so popularity only orders otherwise equal matches.

/// A query word equal to a word of the doc.
const EXACT_POINTS: f32 = 12.0;
/// The last query word as the beginning of a doc word (autocomplete while typing).
const LAST_PREFIX_POINTS: f32 = 8.0;
/// Any other query word of 3+ letters as the beginning of a doc word: likelier a truncation
/// than the user still typing, so a little below the last word's prefix.
const INNER_PREFIX_POINTS: f32 = 7.0;
/// A query word one edit away from a doc word.
const FUZZY1_POINTS: f32 = 4.0;
/// A query word two edits away from a doc word.
const FUZZY2_POINTS: f32 = 3.0;
/// Per query word matched in the title rather than only in the author: a user typing words
/// usually means a title.
const TITLE_WORD_BONUS: f32 = 1.0;
/// The folded title equals the folded query.
const TITLE_EQUALS_BONUS: f32 = 4.0;
/// The folded title starts with the folded query (autocomplete of a title being typed).
const TITLE_STARTS_BONUS: f32 = 2.0;
/// The largest popularity contribution; below 1, so it never outweighs a bonus or a kind.
const POPULARITY_WEIGHT: f32 = 0.99;
/// Taken off docs that miss one query word (the fallback for 3+ word queries): they only appear
/// when no doc matches every word, and then they still rank by how well the rest matched.
const MISSING_WORD_PENALTY: f32 = EXACT_POINTS;
/// The score of the edition an ISBN query names.
const ISBN_SCORE: f32 = 1000.0;

// Limits that keep a hostile or accidental query cheap.

/// Query words beyond this are ignored: no title needs more to be found, and a 10 KB paste
/// must not cost a scan per word.
const MAX_QUERY_WORDS: usize = 12;
/// Longer query words get no typo tolerance: the typo walk costs a row as long as the word per
/// step, and no real title word is that long, so nothing is lost (a pasted URL costs nothing).
const MAX_FUZZY_CHARS: usize = 24;
/// Non-last query words need this many letters before they may match as a prefix.
const MIN_INNER_PREFIX_CHARS: usize = 3;
/// When the most selective query word still expands to more postings than this (a common
/// word such as "the", or a one-letter prefix), only about this many of its docs, the most
/// popular ones, are taken as candidates: such a query cannot usefully rank 100,000 books, and
/// scoring them all would cost more than the rest of the query.
const CANDIDATE_BUDGET: usize = 10_000;
/// Words per field are capped (titles with more are data errors); the cap keeps per-doc
/// positions small.
const MAX_FIELD_WORDS: usize = 255;

/// An in-memory search index over a fixed list of editions.
///
/// Internally docs are renumbered by descending popularity (a doc's "rank"), so every postings
/// list runs from the most to the least popular doc and a capped expansion can take its most
/// popular docs by reading list heads. [`Hit::doc`] and [`SearchIndex::doc`] use the caller's
/// ids.
pub struct SearchIndex {
    /// The editions, in the order given to [`SearchIndex::build`]; a doc id indexes this.
    docs: Vec<SearchDoc>,
    /// Folded word → word id; ids follow the words' sorted order.
    vocab: fst::Map<Vec<u8>>,
    /// Number of words in `vocab`.
    vocab_len: u32,
    /// `postings[posting_offsets[w]..posting_offsets[w + 1]]` are the ranks of the docs holding
    /// word `w`, ascending (most popular first) and without repeats.
    posting_offsets: Vec<u32>,
    /// All postings, grouped by word id.
    postings: Vec<u32>,
    /// `doc_words[word_offsets[r]..word_offsets[r + 1]]` are the word ids of the doc of rank
    /// `r`: title words in order, then author words.
    word_offsets: Vec<u32>,
    /// All docs' word ids.
    doc_words: Vec<u32>,
    /// Per rank, how many of the doc's words are title words.
    title_lens: Vec<u8>,
    /// Per rank, the doc's popularity mapped into `0.0..=POPULARITY_WEIGHT`.
    popularity: Vec<f32>,
    /// Per rank, the caller's doc id.
    doc_of_rank: Vec<u32>,
    /// Doc ids sorted by key (then id), for ISBN lookups.
    by_key: Vec<u32>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The arrays are hundreds of thousands long: show their sizes only.
        f.debug_struct("SearchIndex")
            .field("docs", &self.docs.len())
            .field("words", &self.vocab_len)
            .field("postings", &self.postings.len())
            .finish()
    }
}

impl SearchIndex {
    /// The edition a hit's `doc` refers to.
    ///
    /// # Panics
    /// When `id` is not below [`SearchIndex::len`] (it always is for a [`Hit`] of this index).
    pub fn doc(&self, id: u32) -> &SearchDoc {
        &self.docs[id as usize]
    }

    /// Number of editions indexed.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// Whether no edition is indexed.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// Number of distinct title and author words.
    pub fn vocabulary_len(&self) -> usize {
        self.vocab_len as usize
    }

    /// Approximate heap bytes held by the index, docs' strings included.
    pub fn heap_bytes(&self) -> usize {
        let strings: usize = self
            .docs
            .iter()
            .map(|d| d.key.capacity() + d.title.capacity() + d.author.capacity())
            .sum();
        strings
            + self.docs.capacity() * std::mem::size_of::<SearchDoc>()
            + self.vocab.as_fst().as_bytes().len()
            + 4 * (self.posting_offsets.capacity()
                + self.postings.capacity()
                + self.word_offsets.capacity()
                + self.doc_words.capacity()
                + self.popularity.capacity()
                + self.doc_of_rank.capacity()
                + self.by_key.capacity())
            + self.title_lens.capacity()
    }
}

#[cfg(test)]
mod tests;
