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
/// scoring them all would cost tens of milliseconds.
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
    /// Build the index. Fails only when the catalog is too large for 32-bit ids or the
    /// vocabulary cannot be encoded.
    pub fn build(docs: Vec<SearchDoc>) -> Result<SearchIndex> {
        let too_large = || Error::Index("too many docs or words for 32-bit ids".to_string());
        let doc_count = u32::try_from(docs.len()).map_err(|_| too_large())?;

        // Popularity on a log scale: the difference between 1 and 10 ratings matters as much as
        // between 100 and 1000. Junk values (negative, NaN, infinite) count as zero.
        let clean = |p: f32| if p.is_finite() && p > 0.0 { p } else { 0.0 };
        let max_log = docs
            .iter()
            .map(|d| clean(d.popularity).ln_1p())
            .fold(0.0f32, f32::max);
        let scaled = |p: f32| {
            if max_log > 0.0 {
                POPULARITY_WEIGHT * (clean(p).ln_1p() / max_log).min(1.0)
            } else {
                0.0
            }
        };

        // Ranks: most popular first, ties by id, so rank order is also the tie-break order.
        let mut doc_of_rank: Vec<u32> = (0..doc_count).collect();
        doc_of_rank.sort_by(|&a, &b| {
            clean(docs[b as usize].popularity)
                .total_cmp(&clean(docs[a as usize].popularity))
                .then(a.cmp(&b))
        });
        let popularity: Vec<f32> = doc_of_rank
            .iter()
            .map(|&d| scaled(docs[d as usize].popularity))
            .collect();

        // Pass 1: fold every field (in parallel: folding is most of the build's work), then give
        // each distinct word a provisional id. Words are `text::words`, split out of the folded
        // field without allocating each one.
        let folded = fold_fields(&docs, &doc_of_rank)?;
        let mut provisional: HashMap<&str, u32, BuildWordHasher> = HashMap::default();
        let mut doc_words: Vec<u32> = Vec::new();
        let mut word_offsets: Vec<u32> = Vec::with_capacity(docs.len() + 1);
        let mut title_lens: Vec<u8> = Vec::with_capacity(docs.len());
        word_offsets.push(0);
        for fields in &folded {
            let mut title_len = 0u8;
            for (field, is_title) in [(&fields[0], true), (&fields[1], false)] {
                let words = field.split(' ').filter(|w| !w.is_empty());
                for word in words.take(MAX_FIELD_WORDS) {
                    let next = u32::try_from(provisional.len()).map_err(|_| too_large())?;
                    let id = *provisional.entry(word).or_insert(next);
                    doc_words.push(id);
                    if is_title {
                        title_len += 1;
                    }
                }
            }
            title_lens.push(title_len);
            word_offsets.push(u32::try_from(doc_words.len()).map_err(|_| too_large())?);
        }

        // Pass 2: renumber words in sorted order, which the fst requires and which makes every
        // prefix a contiguous id range.
        let mut vocab_words: Vec<(&str, u32)> = provisional.into_iter().collect();
        vocab_words.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut final_id = vec![0u32; vocab_words.len()];
        for (sorted, (_, old)) in vocab_words.iter().enumerate() {
            // `sorted` fits: there are as many sorted ids as provisional ones, all u32.
            final_id[*old as usize] = sorted as u32;
        }
        let vocab = fst::Map::from_iter(
            vocab_words
                .iter()
                .enumerate()
                .map(|(id, (word, _))| (word.as_bytes(), id as u64)),
        )
        .map_err(|e| Error::Index(format!("vocabulary: {e}")))?;
        drop(vocab_words);
        drop(folded);
        for w in &mut doc_words {
            *w = final_id[*w as usize];
        }
        let vocab_len = final_id.len() as u32;
        drop(final_id);

        // Pass 3: postings by rank, counted then filled (a doc once per word even if the word
        // repeats in it).
        let words_of = |rank: usize, unique: &mut Vec<u32>| {
            unique.clear();
            unique.extend_from_slice(
                &doc_words[word_offsets[rank] as usize..word_offsets[rank + 1] as usize],
            );
            unique.sort_unstable();
            unique.dedup();
        };
        let mut unique: Vec<u32> = Vec::new();
        let mut posting_offsets = vec![0u32; vocab_len as usize + 1];
        for rank in 0..docs.len() {
            words_of(rank, &mut unique);
            for &w in &unique {
                posting_offsets[w as usize + 1] += 1;
            }
        }
        for w in 1..posting_offsets.len() {
            posting_offsets[w] += posting_offsets[w - 1];
        }
        let mut fill = posting_offsets.clone();
        let mut postings = vec![0u32; posting_offsets[vocab_len as usize] as usize];
        for rank in 0..doc_count {
            words_of(rank as usize, &mut unique);
            for &w in &unique {
                let slot = &mut fill[w as usize];
                postings[*slot as usize] = rank;
                *slot += 1;
            }
        }
        drop(fill);

        let mut by_key: Vec<u32> = (0..doc_count).collect();
        by_key.sort_unstable_by(|&a, &b| {
            docs[a as usize]
                .key
                .cmp(&docs[b as usize].key)
                .then(a.cmp(&b))
        });

        Ok(SearchIndex {
            docs,
            vocab,
            vocab_len,
            posting_offsets,
            postings,
            word_offsets,
            doc_words,
            title_lens,
            popularity,
            doc_of_rank,
            by_key,
        })
    }

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

    /// The best `limit` matches for `query`, best first, at most one edition per work.
    ///
    /// A query that looks like an ISBN returns that edition when the catalog has it. Otherwise
    /// every query word must match a title or author word exactly, as a prefix, or within a
    /// small edit distance; for queries of 3+ words, if no edition matches every word, editions
    /// missing one word are returned instead.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit> {
        if limit == 0 || self.docs.is_empty() {
            return Vec::new();
        }
        if isbn::looks_like_isbn(query) {
            if let Some(doc) = isbn::normalize(query).and_then(|key| self.find_key(&key)) {
                // An ISBN names one edition; the words of an ISBN ("0", "439", ...) would only
                // match noise, so nothing else is returned.
                return vec![Hit {
                    doc,
                    score: ISBN_SCORE,
                    matched: MatchKind::Isbn,
                }];
            }
        }

        let words = text::words(query);
        let last = words.len().min(MAX_QUERY_WORDS);
        if last == 0 {
            return Vec::new();
        }
        let terms: Vec<Term> = words[..last]
            .iter()
            .enumerate()
            .map(|(i, w)| self.term(w, i + 1 == last))
            .collect();

        // Order the words by how many postings they expand to; the rarest drives.
        let mut order: Vec<usize> = (0..terms.len()).collect();
        order.sort_by_key(|&i| (terms[i].postings, i));

        let mut scored = self.collect(&terms, &order[..1], 0);
        if scored.is_empty() && terms.len() >= 3 {
            // Every doc missing one word holds the rarest or the second rarest word: those two
            // drive the fallback.
            scored = self.collect(&terms, &order[..2], 1);
        }
        self.best_per_work(scored, limit)
    }

    /// The doc with this key (the lowest id if several share it).
    fn find_key(&self, key: &str) -> Option<u32> {
        let at = self
            .by_key
            .partition_point(|&d| self.docs[d as usize].key.as_str() < key);
        let &d = self.by_key.get(at)?;
        (self.docs[d as usize].key == key).then_some(d)
    }

    /// Resolve one folded query word against the vocabulary.
    fn term(&self, word: &str, is_last: bool) -> Term {
        let chars = word.chars().count();
        let exact = self.vocab.get(word).map(|id| id as u32);
        let prefix = if is_last || chars >= MIN_INNER_PREFIX_CHARS {
            Some(self.prefix_range(word.as_bytes()))
        } else {
            None
        };
        let max_edits = match chars {
            0..=3 => 0,
            4..=7 => 1,
            _ => 2,
        };
        let mut fuzzy = Vec::new();
        if max_edits > 0 && chars <= MAX_FUZZY_CHARS {
            for (id, edits) in fuzzy_words(self.vocab.as_fst(), word, max_edits) {
                let in_prefix = prefix.as_ref().is_some_and(|r| r.contains(&id));
                // Exact and prefix matches score higher and are checked first; keeping them
                // out of the fuzzy list keeps it (and the driver estimate) small.
                if edits > 0 && !in_prefix {
                    fuzzy.push((id, edits));
                }
            }
        }
        let exact_or_prefix = match (&prefix, exact) {
            (Some(r), _) => self.range_postings(r.clone()).len(),
            (None, Some(id)) => self.range_postings(id..id + 1).len(),
            (None, None) => 0,
        };
        let postings = exact_or_prefix
            + fuzzy
                .iter()
                .map(|&(id, _)| self.range_postings(id..id + 1).len())
                .sum::<usize>();
        Term {
            exact,
            prefix,
            prefix_points: if is_last {
                LAST_PREFIX_POINTS
            } else {
                INNER_PREFIX_POINTS
            },
            fuzzy,
            postings,
        }
    }

    /// The ids of the words starting with `prefix` (sorted ids make them contiguous).
    fn prefix_range(&self, prefix: &[u8]) -> Range<u32> {
        let lo = self.lower_bound(prefix);
        // The smallest byte string above every string starting with `prefix`: bump the last
        // byte that can be bumped.
        let mut upper = prefix.to_vec();
        while let Some(&b) = upper.last() {
            if b == u8::MAX {
                upper.pop();
            } else {
                if let Some(last) = upper.last_mut() {
                    *last = b + 1;
                }
                break;
            }
        }
        let hi = if upper.is_empty() {
            self.vocab_len
        } else {
            self.lower_bound(&upper)
        };
        lo..hi.max(lo)
    }

    /// The id of the first word not below `key`, or the vocabulary size.
    fn lower_bound(&self, key: &[u8]) -> u32 {
        let mut stream = self.vocab.range().ge(key).into_stream();
        match stream.next() {
            Some((_, id)) => id as u32,
            None => self.vocab_len,
        }
    }

    /// The postings of a range of word ids: one slice, as postings are grouped by word id.
    fn range_postings(&self, words: Range<u32>) -> &[u32] {
        let start = self.posting_offsets[words.start as usize] as usize;
        let end = self.posting_offsets[words.end as usize] as usize;
        &self.postings[start..end]
    }

    /// The word-id ranges holding a term's candidates: its prefix range (or exact word) and its
    /// fuzzy words.
    fn term_ranges(term: &Term) -> Vec<Range<u32>> {
        let mut ranges: Vec<Range<u32>> = term.fuzzy.iter().map(|&(id, _)| id..id + 1).collect();
        match (&term.prefix, term.exact) {
            (Some(r), _) => ranges.push(r.clone()),
            (None, Some(id)) => ranges.push(id..id + 1),
            (None, None) => {}
        }
        ranges
    }

    /// Score the docs found through the `drivers` terms' postings, keeping those missing at
    /// most `allowed_missing` query words.
    fn collect(&self, terms: &[Term], drivers: &[usize], allowed_missing: usize) -> Vec<Scored> {
        // One bit per doc: a doc reached through several words of a prefix range (or several
        // drivers) is scored once.
        let mut seen = vec![0u64; self.docs.len().div_ceil(64)];
        let mut scored = Vec::new();
        let mut visit = |rank: u32| {
            let (slot, bit) = (rank as usize / 64, 1u64 << (rank % 64));
            if seen[slot] & bit == 0 {
                seen[slot] |= bit;
                if let Some(s) = self.score(rank, terms, allowed_missing) {
                    scored.push(s);
                }
            }
        };
        for &driver in drivers {
            let term = &terms[driver];
            let ranges = Self::term_ranges(term);
            if term.postings <= CANDIDATE_BUDGET {
                for range in ranges {
                    self.range_postings(range).iter().for_each(|&r| visit(r));
                }
                continue;
            }
            // Too broad: take the most popular docs of the expansion. Each word's list is in
            // rank order, so that is every list's head below a rank cut-off. The first cut-off
            // assumes the docs are spread evenly over the ranks; it doubles while too few are
            // found.
            let lists: Vec<&[u32]> = ranges
                .into_iter()
                .flatten()
                .map(|w| self.range_postings(w..w + 1))
                .filter(|l| !l.is_empty())
                .collect();
            let mut heads = vec![0usize; lists.len()];
            let ranks = self.docs.len() as u64;
            let mut cut = (CANDIDATE_BUDGET as u64 * ranks / term.postings as u64).max(64);
            let mut taken = 0;
            loop {
                for (list, head) in lists.iter().zip(&mut heads) {
                    while let Some(&rank) = list.get(*head).filter(|&&r| u64::from(r) < cut) {
                        visit(rank);
                        *head += 1;
                        taken += 1;
                    }
                }
                if taken >= CANDIDATE_BUDGET / 2 || cut >= ranks {
                    break;
                }
                cut = cut.saturating_mul(2);
            }
        }
        scored
    }

    /// Score one doc against every query word; `None` when it misses too many.
    fn score(&self, rank: u32, terms: &[Term], allowed_missing: usize) -> Option<Scored> {
        let d = rank as usize;
        let words =
            &self.doc_words[self.word_offsets[d] as usize..self.word_offsets[d + 1] as usize];
        let title_len = usize::from(self.title_lens[d]);
        let mut missing = 0;
        let mut points = 0.0f32;
        let mut kind = MatchKind::Exact;
        for term in terms {
            let mut best: Option<(f32, MatchKind)> = None;
            for (pos, &w) in words.iter().enumerate() {
                if let Some((p, k)) = term.matches(w) {
                    let p = if pos < title_len {
                        p + TITLE_WORD_BONUS
                    } else {
                        p
                    };
                    if best.is_none_or(|(bp, _)| p > bp) {
                        best = Some((p, k));
                    }
                }
            }
            match best {
                Some((p, k)) => {
                    points += p;
                    kind = kind.weakest(k);
                }
                None => {
                    missing += 1;
                    if missing > allowed_missing {
                        return None;
                    }
                }
            }
        }
        if missing > 0 {
            points -= MISSING_WORD_PENALTY * missing as f32;
        } else {
            points += title_bonus(&words[..title_len], terms);
        }
        Some(Scored {
            score: points + self.popularity[d],
            doc: self.doc_of_rank[d],
            kind,
        })
    }

    /// The best `limit` scored docs, keeping the best edition of each work.
    fn best_per_work(&self, mut scored: Vec<Scored>, limit: usize) -> Vec<Hit> {
        let order = |a: &Scored, b: &Scored| b.score.total_cmp(&a.score).then(a.doc.cmp(&b.doc));
        // Sorting everything would cost more than the scoring for broad queries: sort the top
        // few, and look further only when editions of the same works crowd the top.
        let mut window = limit.saturating_mul(4).max(32);
        loop {
            let all = window >= scored.len();
            let top = if all {
                &mut scored[..]
            } else {
                scored.select_nth_unstable_by(window, order);
                &mut scored[..window]
            };
            top.sort_unstable_by(order);
            let mut works = std::collections::HashSet::new();
            let mut hits = Vec::with_capacity(limit.min(top.len()));
            for s in top.iter() {
                if works.insert(self.docs[s.doc as usize].work) {
                    hits.push(Hit {
                        doc: s.doc,
                        score: s.score,
                        matched: s.kind,
                    });
                    if hits.len() == limit {
                        break;
                    }
                }
            }
            if all || hits.len() == limit {
                return hits;
            }
            window = window.saturating_mul(4);
        }
    }
}

/// Every doc's folded title and author, in rank order, folded on all cores.
fn fold_fields(docs: &[SearchDoc], doc_of_rank: &[u32]) -> Result<Vec<[String; 2]>> {
    let fold = |ranks: &[u32]| -> Vec<[String; 2]> {
        ranks
            .iter()
            .map(|&d| {
                let doc = &docs[d as usize];
                [text::fold(&doc.title), text::fold(&doc.author)]
            })
            .collect()
    };
    // One core (or a target without threads, where this reports an error): fold inline.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    if threads == 1 || doc_of_rank.len() < 1024 {
        return Ok(fold(doc_of_rank));
    }
    let chunk = doc_of_rank.len().div_ceil(threads);
    let parts = std::thread::scope(|scope| {
        let workers: Vec<_> = doc_of_rank
            .chunks(chunk)
            .map(|ranks| scope.spawn(move || fold(ranks)))
            .collect();
        // Join every worker before looking at the results, so that none is left running.
        workers.into_iter().map(|w| w.join()).collect::<Vec<_>>()
    });
    let mut folded = Vec::with_capacity(doc_of_rank.len());
    for part in parts {
        folded.extend(part.map_err(|_| Error::Index("a folding thread panicked".to_string()))?);
    }
    Ok(folded)
}

/// FxHash (rustc's hasher) for the build's word table: several times faster than the default
/// SipHash on millions of short words, and the table never sees untrusted keys it must resist
/// collisions from (it lives for one build over the catalog).
#[derive(Default, Clone, Copy)]
struct WordHasher(u64);

/// Builds [`WordHasher`]s.
type BuildWordHasher = std::hash::BuildHasherDefault<WordHasher>;

impl std::hash::Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// The bonus for a title that equals the query or starts with it (as folded text: the last
/// query word may be the start of the title's word at that position).
fn title_bonus(title: &[u32], terms: &[Term]) -> f32 {
    let n = terms.len();
    if title.len() < n {
        return 0.0;
    }
    let leading_equal = terms[..n - 1]
        .iter()
        .zip(title)
        .all(|(t, &w)| t.exact == Some(w));
    if !leading_equal {
        return 0.0;
    }
    let last = &terms[n - 1];
    let word = title[n - 1];
    if last.exact == Some(word) && title.len() == n {
        TITLE_EQUALS_BONUS
    } else if last.exact == Some(word) || last.prefix.as_ref().is_some_and(|r| r.contains(&word)) {
        TITLE_STARTS_BONUS
    } else {
        0.0
    }
}

/// A query word resolved against the vocabulary.
struct Term {
    /// The word's own id, when it is in the vocabulary.
    exact: Option<u32>,
    /// Ids of the words it may be a prefix of (includes `exact`).
    prefix: Option<Range<u32>>,
    /// Points for a prefix match (the last word's are higher).
    prefix_points: f32,
    /// Words within the allowed edit distance, not in `prefix`, sorted by id, with the distance.
    fuzzy: Vec<(u32, u8)>,
    /// How many postings the word expands to: the cost of driving the search from it.
    postings: usize,
}

impl Term {
    /// The points and kind of this word matching doc word `w`, strongest kind first.
    fn matches(&self, w: u32) -> Option<(f32, MatchKind)> {
        if self.exact == Some(w) {
            return Some((EXACT_POINTS, MatchKind::Exact));
        }
        if self.prefix.as_ref().is_some_and(|r| r.contains(&w)) {
            return Some((self.prefix_points, MatchKind::Prefix));
        }
        let i = self.fuzzy.binary_search_by_key(&w, |&(id, _)| id).ok()?;
        let points = if self.fuzzy[i].1 <= 1 {
            FUZZY1_POINTS
        } else {
            FUZZY2_POINTS
        };
        Some((points, MatchKind::Fuzzy))
    }
}

/// A doc that matched, before per-work selection.
#[derive(Debug, Clone, Copy)]
struct Scored {
    score: f32,
    doc: u32,
    kind: MatchKind,
}

/// Every vocabulary word within `max` Damerau–Levenshtein edits of `query` (optimal string
/// alignment: insert, delete, substitute, or swap two adjacent letters), as (word id, edits),
/// sorted by word id.
///
/// fst's own `Levenshtein` automaton counts a swap as two edits, so "tolkein" would miss
/// "tolkien"; it also determinises a DFA per query, which costs milliseconds at two edits. This
/// walks the fst as a trie instead, computing one dynamic-programming row per character on the
/// way down (the classic trie walk): a branch is abandoned as soon as no cell of its row is
/// within `max`, and only the diagonal band `|i - j| <= max` is computed, as every cell outside
/// it is above `max` anyway. Edits are counted on characters: multi-byte UTF-8 is gathered
/// before a row is computed.
fn fuzzy_words(vocab: &fst::raw::Fst<Vec<u8>>, query: &str, max: u8) -> Vec<(u32, u8)> {
    let query: Vec<char> = query.chars().collect();
    let width = query.len() + 1;
    let cap = max.saturating_add(1);
    let mut walk = FuzzyWalk {
        fst: vocab,
        query: &query,
        max,
        cap,
        // Row 0: the empty input is `j` edits from the query's first `j` characters.
        rows: (0..width)
            .map(|j| (j.min(usize::from(cap))) as u8)
            .collect(),
        chars: Vec::new(),
        found: Vec::new(),
    };
    walk.descend(vocab.root(), fst::raw::Output::zero(), [0; 4], 0);
    let mut found = walk.found;
    found.sort_unstable();
    found
}

/// The state of one [`fuzzy_words`] walk.
struct FuzzyWalk<'a> {
    fst: &'a fst::raw::Fst<Vec<u8>>,
    query: &'a [char],
    max: u8,
    /// `max + 1`: every value above `max` is stored as this, so rows fit in `u8`.
    cap: u8,
    /// The rows of the path walked so far, `query.len() + 1` cells each; row `i` holds the
    /// edits between the path's first `i` characters and each prefix of the query.
    rows: Vec<u8>,
    /// The path's characters.
    chars: Vec<char>,
    /// Matches so far: word id and edits.
    found: Vec<(u32, u8)>,
}

impl FuzzyWalk<'_> {
    /// Visit every child of `node`; `pending` holds the bytes of a character not yet complete.
    fn descend(
        &mut self,
        node: fst::raw::Node<'_>,
        output: fst::raw::Output,
        pending: [u8; 4],
        pending_len: usize,
    ) {
        for i in 0..node.len() {
            let t = node.transition(i);
            let next = self.fst.node(t.addr);
            let output = output.cat(t.out);
            let mut bytes = pending;
            bytes[pending_len] = t.inp;
            let len = pending_len + 1;
            let need = match bytes[0] {
                0x00..=0x7F => 1,
                0xE0..=0xEF => 3,
                0xF0..=0xFF => 4,
                _ => 2,
            };
            if len < need {
                self.descend(next, output, bytes, len);
                continue;
            }
            let c = std::str::from_utf8(&bytes[..len])
                .ok()
                .and_then(|s| s.chars().next())
                .unwrap_or(char::REPLACEMENT_CHARACTER);
            if self.push_row(c) {
                let width = self.query.len() + 1;
                let edits = self.rows[self.rows.len() - 1];
                if next.is_final() && edits <= self.max {
                    // Word ids fit in u32: the vocabulary was built from u32 ids.
                    let id = output.cat(next.final_output()).value() as u32;
                    self.found.push((id, edits));
                }
                self.descend(next, output, [0; 4], 0);
                self.rows.truncate(self.rows.len() - width);
            }
            self.chars.pop();
        }
    }

    /// Push the character `c` and its row; `false` (row not kept) when no cell is within
    /// `max`, so nothing below can match. Never under a swap either: a cell reached by a swap
    /// is never below the diagonal cell it passes, which was in the previous row.
    fn push_row(&mut self, c: char) -> bool {
        let width = self.query.len() + 1;
        let i = self.chars.len() + 1;
        let max = usize::from(self.max);
        let prev_char = self.chars.last().copied();
        self.chars.push(c);
        let base = self.rows.len();
        self.rows.resize(base + width, self.cap);
        let (done, row) = self.rows.split_at_mut(base);
        let above = &done[base - width..];
        let two_above = (i >= 2).then(|| &done[base - 2 * width..base - width]);
        row[0] = (i.min(usize::from(self.cap))) as u8;
        let mut alive = row[0] <= self.max;
        let lo = i.saturating_sub(max).max(1);
        let hi = (i + max).min(width - 1);
        for j in lo..=hi {
            let substitute = above[j - 1] + u8::from(self.query[j - 1] != c);
            let mut best = substitute.min(above[j] + 1).min(row[j - 1] + 1);
            if let Some(two) = two_above {
                if j >= 2 && prev_char == Some(self.query[j - 1]) && c == self.query[j - 2] {
                    best = best.min(two[j - 2] + 1);
                }
            }
            row[j] = best.min(self.cap);
            alive |= row[j] <= self.max;
        }
        if !alive {
            self.rows.truncate(base);
        }
        alive
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn doc(key: &str, title: &str, author: &str, work: u32, popularity: f32) -> SearchDoc {
        SearchDoc {
            key: key.to_string(),
            title: title.to_string(),
            author: author.to_string(),
            work,
            popularity,
        }
    }

    fn catalog() -> SearchIndex {
        SearchIndex::build(vec![
            doc(
                "0439136350",
                "Harry Potter and the Prisoner of Azkaban",
                "J. K. Rowling",
                0,
                50.0,
            ),
            doc(
                "0439064872",
                "Harry Potter and the Chamber of Secrets",
                "J. K. Rowling",
                1,
                60.0,
            ),
            doc(
                "0590353403",
                "Harry Potter and the Sorcerer's Stone",
                "J. K. Rowling",
                2,
                80.0,
            ),
            doc(
                "059035342X",
                "Harry Potter and the Sorcerer's Stone (Paperback)",
                "J.K. Rowling",
                2,
                90.0,
            ),
            doc("0345339681", "The Hobbit", "J.R.R. Tolkien", 3, 40.0),
            doc(
                "0618002227",
                "The Lord of the Rings",
                "J.R.R. Tolkien",
                4,
                30.0,
            ),
            doc(
                "0140283331",
                "Lord of the Flies",
                "William Golding",
                5,
                20.0,
            ),
            doc("0451524934", "1984", "George Orwell", 6, 70.0),
            doc("0060929871", "Brave New World", "Aldous Huxley", 7, 10.0),
            doc("1111111111", "Hobbits of the Shire", "Some Fan", 8, 5.0),
            doc("2222222222", "The Hobbyist", "Someone", 9, 500.0),
            doc("3333333333", "Potters Field", "Ellis Peters", 10, 3.0),
        ])
        .unwrap()
    }

    fn keys(index: &SearchIndex, hits: &[Hit]) -> Vec<String> {
        hits.iter().map(|h| index.doc(h.doc).key.clone()).collect()
    }

    #[test]
    fn exact_beats_prefix_beats_fuzzy() {
        // Popularity runs the other way: the match kind must win over it.
        let index = SearchIndex::build(vec![
            doc("a", "Hobit", "X", 0, 100.0),
            doc("b", "Hobbits", "X", 1, 50.0),
            doc("c", "Hobbit", "X", 2, 0.0),
        ])
        .unwrap();
        let hits = index.search("hobbit", 10);
        assert_eq!(keys(&index, &hits), ["c", "b", "a"]);
        assert_eq!(
            hits.iter().map(|h| h.matched).collect::<Vec<_>>(),
            [MatchKind::Exact, MatchKind::Prefix, MatchKind::Fuzzy]
        );
        // Not the last word: "hobbyt" only matches fuzzily, and the exact word wins.
        let index = SearchIndex::build(vec![
            doc("a", "Hobbyt Tales", "X", 0, 100.0),
            doc("b", "Hobbits Tales", "X", 1, 50.0),
            doc("c", "Hobbit Tales", "X", 2, 0.0),
        ])
        .unwrap();
        let hits = index.search("hobbit tales", 10);
        assert_eq!(keys(&index, &hits), ["c", "b", "a"]);
        assert_eq!(
            hits.iter().map(|h| h.matched).collect::<Vec<_>>(),
            [MatchKind::Exact, MatchKind::Prefix, MatchKind::Fuzzy]
        );
    }

    #[test]
    fn typos_still_find_the_book() {
        let index = catalog();
        let hits = index.search("hary poter", 5);
        assert!(!hits.is_empty());
        assert!(index.doc(hits[0].doc).title.starts_with("Harry Potter"));
        assert_eq!(hits[0].matched, MatchKind::Fuzzy);

        let hits = index.search("tolkein", 5);
        let titles: Vec<&str> = hits
            .iter()
            .map(|h| index.doc(h.doc).title.as_str())
            .collect();
        assert!(titles.contains(&"The Hobbit"), "{titles:?}");
        assert!(titles.contains(&"The Lord of the Rings"), "{titles:?}");

        // Two edits allowed from eight letters on; none below four.
        assert!(!index.search("prisnoer azkabn", 5).is_empty());
        assert!(index
            .search("hobbiq", 5)
            .iter()
            .all(|h| index.doc(h.doc).work != 99));
        assert!(index.search("bnw", 5).is_empty());
    }

    #[test]
    fn isbn_lookup_ignores_hyphens_and_case() {
        let index = catalog();
        for q in ["0-345-33968-1", "0345339681", "978-0-345-33968-3"] {
            let hits = index.search(q, 5);
            assert_eq!(keys(&index, &hits), ["0345339681"], "{q}");
            assert_eq!(hits[0].matched, MatchKind::Isbn);
        }
        let hits = index.search("059035342x", 5);
        assert_eq!(keys(&index, &hits), ["059035342X"]);
        // An ISBN not in the catalog falls back to words (which match nothing here).
        assert!(index.search("0-000-00000-0", 5).is_empty());
    }

    #[test]
    fn one_hit_per_work_best_then_most_popular_edition() {
        let index = catalog();
        let hits = index.search("sorcerers stone", 10);
        assert_eq!(hits.len(), 1);
        // Both editions match every word; the paperback's title has an extra word that does not
        // matter here, and it is the more popular.
        assert_eq!(index.doc(hits[0].doc).key, "059035342X");
        let hits = index.search("harry potter", 10);
        let mut works: Vec<u32> = hits.iter().map(|h| index.doc(h.doc).work).collect();
        assert_eq!(works.len(), 3);
        works.sort_unstable();
        works.dedup();
        assert_eq!(works.len(), 3);
    }

    #[test]
    fn popularity_breaks_ties() {
        let index = catalog();
        let hits = index.search("harry potter and the", 10);
        let keys = keys(&index, &hits);
        assert_eq!(keys, ["059035342X", "0439064872", "0439136350"]);

        let index = SearchIndex::build(vec![
            doc("a", "Same Title", "X", 0, 1.0),
            doc("b", "Same Title", "X", 1, 2.0),
            doc("c", "Same Title", "X", 2, 2.0),
        ])
        .unwrap();
        // Equal popularity ties on doc id: deterministic.
        assert_eq!(
            self::keys(&index, &index.search("same title", 10)),
            ["b", "c", "a"]
        );
    }

    #[test]
    fn title_matches_and_title_equality_rank_first() {
        let index = catalog();
        // "The Hobbyist" is far more popular, but "The Hobbit" is the exact title.
        let hits = index.search("the hobbit", 10);
        assert_eq!(index.doc(hits[0].doc).title, "The Hobbit");
        // "lord of the" is the start of one title and inside another.
        let hits = index.search("lord of the", 10);
        assert_eq!(index.doc(hits[0].doc).title, "Lord of the Flies");
        assert_eq!(hits.len(), 2);
        // Autocomplete: the last word is a prefix.
        let hits = index.search("brave new wo", 10);
        assert_eq!(index.doc(hits[0].doc).title, "Brave New World");
        assert_eq!(hits[0].matched, MatchKind::Prefix);
        // Author words match too.
        let hits = index.search("orwell", 10);
        assert_eq!(index.doc(hits[0].doc).title, "1984");
    }

    #[test]
    fn broad_queries_on_a_large_catalog_keep_the_most_popular() {
        // Enough docs for the parallel build and for "the" to exceed the candidate budget.
        let docs: Vec<SearchDoc> = (0..12_000u32)
            .map(|i| {
                doc(
                    &format!("{i:010}"),
                    &format!("The Book {i}"),
                    "Anon",
                    i,
                    i as f32,
                )
            })
            .collect();
        let index = SearchIndex::build(docs).unwrap();
        for q in ["the", "b", "the b", "book"] {
            let hits = index.search(q, 3);
            assert_eq!(
                keys(&index, &hits),
                ["0000011999", "0000011998", "0000011997"],
                "{q}"
            );
        }
        let hits = index.search("the book 42", 3);
        assert_eq!(index.doc(hits[0].doc).key, "0000000042");
        assert_eq!(hits[0].matched, MatchKind::Exact);
    }

    #[test]
    fn fallback_to_all_but_one_word() {
        let index = catalog();
        let hits = index.search("lord of the zzzzzz", 10);
        assert!(!hits.is_empty());
        assert!(index.doc(hits[0].doc).title.contains("Lord of the"));
        // Two-word queries do not fall back.
        assert!(index.search("hobbit zzzzzz", 10).is_empty());
    }

    #[test]
    fn junk_queries_are_harmless() {
        let index = catalog();
        for q in ["", "   ", "\t\n", "!!! ??? ---", "'", "\u{0}"] {
            assert!(index.search(q, 10).is_empty(), "{q:?}");
        }
        let long = "harry potter ".repeat(800);
        assert!(long.len() > 10_000);
        let hits = index.search(&long, 10);
        assert!(hits.len() <= 10);
        let one_word = "a".repeat(10_240);
        assert!(index.search(&one_word, 10).is_empty());
        assert!(index.search("harry", 0).is_empty());
        assert!(index.search("h", usize::MAX).len() <= index.len());
        let empty = SearchIndex::build(Vec::new()).unwrap();
        assert!(empty.is_empty());
        assert!(empty.search("harry", 10).is_empty());
    }

    #[test]
    fn a_swap_is_one_edit_and_characters_not_bytes_are_counted() {
        let vocab = fst::Map::from_iter([("token", 0u64), ("tolkien", 1), ("tolkin", 2)]).unwrap();
        assert_eq!(fuzzy_words(vocab.as_fst(), "tolkein", 1), [(1, 1), (2, 1)]);
        assert_eq!(
            fuzzy_words(vocab.as_fst(), "tolkein", 2),
            [(0, 2), (1, 1), (2, 1)]
        );
        assert_eq!(fuzzy_words(vocab.as_fst(), "tolkien", 1), [(1, 0), (2, 1)]);
        let vocab = fst::Map::from_iter([("zolw", 0u64), ("żółw", 1)]).unwrap();
        // Two characters differ from "zolw" and one from "żółw", however many bytes they take.
        assert_eq!(fuzzy_words(vocab.as_fst(), "zółw", 1), [(1, 1)]);
        assert_eq!(fuzzy_words(vocab.as_fst(), "zółw", 2), [(0, 2), (1, 1)]);
    }

    #[test]
    fn fuzzy_walk_agrees_with_a_plain_distance() {
        // Reference: the textbook optimal-string-alignment table over characters.
        fn osa(a: &str, b: &str) -> usize {
            let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
            for (i, row) in d.iter_mut().enumerate() {
                row[0] = i;
            }
            for (j, cell) in d[0].iter_mut().enumerate() {
                *cell = j;
            }
            for i in 1..=a.len() {
                for j in 1..=b.len() {
                    let cost = usize::from(a[i - 1] != b[j - 1]);
                    d[i][j] = (d[i - 1][j] + 1)
                        .min(d[i][j - 1] + 1)
                        .min(d[i - 1][j - 1] + cost);
                    if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                        d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
                    }
                }
            }
            d[a.len()][b.len()]
        }
        let words = [
            "a", "ab", "abc", "acb", "bac", "ca", "abcd", "abdc", "badc", "ébc", "aébc", "xyz",
            "abcde", "acbed", "bcdea",
        ];
        let mut sorted = words.to_vec();
        sorted.sort_unstable();
        let vocab =
            fst::Map::from_iter(sorted.iter().enumerate().map(|(i, w)| (*w, i as u64))).unwrap();
        for query in ["abc", "abdc", "ébc", "acbed", "x", "bca"] {
            for max in 1..=2u8 {
                let expected: Vec<(u32, u8)> = sorted
                    .iter()
                    .enumerate()
                    .map(|(i, w)| (i as u32, osa(w, query)))
                    .filter(|&(_, d)| d <= usize::from(max))
                    .map(|(i, d)| (i, d as u8))
                    .collect();
                assert_eq!(
                    fuzzy_words(vocab.as_fst(), query, max),
                    expected,
                    "{query} {max}"
                );
            }
        }
    }

    proptest! {
        #[test]
        fn search_never_panics_and_respects_limits(
            query in prop_oneof!["\\PC{0,60}", "[a-z ]{0,30}", "[0-9xX -]{0,16}"],
            limit in 0usize..8,
        ) {
            let index = catalog();
            let hits = index.search(&query, limit);
            prop_assert!(hits.len() <= limit);
            let mut works: Vec<u32> = hits.iter().map(|h| index.doc(h.doc).work).collect();
            works.sort_unstable();
            works.dedup();
            prop_assert_eq!(works.len(), hits.len());
            for pair in hits.windows(2) {
                prop_assert!(pair[0].score >= pair[1].score);
            }
        }
    }
}
