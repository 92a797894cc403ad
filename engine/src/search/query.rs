//! A reader's query as words, and those words as the tantivy query that finds candidates.

use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{Searcher, Term};

use super::index::Fields;
use crate::text;

/// Query words beyond this are ignored: no title needs more to be found, and a pasted page must
/// not cost a clause per word.
const MAX_QUERY_WORDS: usize = 12;
/// Longer words get no typo tolerance (a pasted URL costs nothing); no title word is this long.
const MAX_FUZZY_CHARS: usize = 24;
/// Words other than the last need this many letters to match as a prefix: shorter ones are
/// words ("of", "a"), not truncations.
const MIN_INNER_PREFIX_CHARS: usize = 3;
/// A word held by this many books is common: matched as typed (see [`Parsed::new`]).
const COMMON_WORD_DOCS: u64 = 300;
/// A word no book holds may be two words a missing space joined; each part needs this many
/// letters ("danbrown" is "dan" + "brown").
const MIN_SPLIT_PART_CHARS: usize = 2;
/// The weights of the weaker ways a word matches, against a term's BM25 score (a few points):
/// they only order candidates, the ranking decides.
const PREFIX_BOOST: f32 = 0.5;
const FUZZY_BOOST: f32 = 0.3;

/// One query word and how it may match.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Word {
    /// The folded word.
    pub text: String,
    /// Whether it may match as the beginning of a word.
    pub prefix: bool,
    /// Whether it is the last word (the one being typed).
    pub last: bool,
    /// Edits allowed for a typo: none up to 3 letters, 1 up to 7, 2 beyond.
    pub max_edits: u8,
    /// When no book holds the word: the two words it splits into that books do hold.
    pub split: Option<(String, String)>,
    /// A one-letter last word after others ("harry p"): it ranks books whose word starts with
    /// it higher but excludes none, as expanding it would touch a twentieth of the index.
    pub optional: bool,
}

/// A parsed query.
#[derive(Debug)]
pub(super) struct Parsed {
    /// Its words, in order.
    pub words: Vec<Word>,
    fields: Fields,
}

impl Parsed {
    /// The words of `query`; `None` when it has none. `relaxed` also allows a typo in
    /// three-letter words ("jon grisham"): tried only when nothing matched without.
    pub fn new(query: &str, searcher: &Searcher, fields: Fields, relaxed: bool) -> Option<Parsed> {
        let folded = text::words(query);
        let n = folded.len().min(MAX_QUERY_WORDS);
        if n == 0 {
            return None;
        }
        let words = folded
            .into_iter()
            .take(n)
            .enumerate()
            .map(|(i, text)| {
                let chars = text.chars().count();
                let last = i + 1 == n;
                let docs = doc_freq(searcher, fields, &text);
                // A word many books hold is meant as typed: its typo neighbours would only add
                // cost and noise. (Likewise, a minor word other than the last is not the
                // beginning of a longer one.)
                let common = docs >= COMMON_WORD_DOCS && !relaxed;
                let max_edits = match chars {
                    _ if common => 0,
                    3 if relaxed => 1,
                    0..=3 => 0,
                    4..=7 => 1,
                    _ if chars > MAX_FUZZY_CHARS => 0,
                    _ => 2,
                };
                let split =
                    if (2 * MIN_SPLIT_PART_CHARS..=MAX_FUZZY_CHARS).contains(&chars) && docs == 0 {
                        best_split(searcher, fields, &text)
                    } else {
                        None
                    };
                Word {
                    prefix: last
                        || (chars >= MIN_INNER_PREFIX_CHARS
                            && !super::MINOR_WORDS.contains(&text.as_str())),
                    last,
                    max_edits,
                    split,
                    optional: last && n > 1 && chars == 1,
                    text,
                }
            })
            .collect();
        Some(Parsed { words, fields })
    }

    /// Every (non-optional) word must match.
    pub fn all_words(&self) -> BooleanQuery {
        BooleanQuery::new(
            self.words
                .iter()
                .map(|w| {
                    let occur = if w.optional {
                        Occur::Should
                    } else {
                        Occur::Must
                    };
                    (occur, self.word_query(w))
                })
                .collect(),
        )
    }

    /// For three or more required words: all of them but one must match.
    pub fn all_but_one(&self) -> Option<BooleanQuery> {
        let required: Vec<Box<dyn Query>> = self
            .words
            .iter()
            .filter(|w| !w.optional)
            .map(|w| self.word_query(w))
            .collect();
        let n = required.len();
        (n >= 3).then(|| BooleanQuery::union_with_minimum_required_clauses(required, n - 1))
    }

    /// The ways one word may match, in the title or the author.
    fn word_query(&self, w: &Word) -> Box<dyn Query> {
        let mut ways: Vec<Box<dyn Query>> = Vec::new();
        let field = self.fields.words;
        let term = Term::from_field_text(field, &w.text);
        ways.push(Box::new(TermQuery::new(
            term.clone(),
            IndexRecordOption::WithFreqs,
        )));
        if w.prefix {
            ways.push(Box::new(BoostQuery::new(
                Box::new(FuzzyTermQuery::new_prefix(term.clone(), 0, true)),
                PREFIX_BOOST,
            )));
        }
        if w.max_edits > 0 {
            ways.push(Box::new(BoostQuery::new(
                Box::new(FuzzyTermQuery::new(term, w.max_edits, true)),
                FUZZY_BOOST,
            )));
        }
        if let Some((a, b)) = &w.split {
            ways.push(Box::new(BooleanQuery::intersection(vec![
                self.exact(a),
                self.exact(b),
            ])));
        }
        Box::new(BooleanQuery::union(ways))
    }

    /// The word, exactly, in the title or the author.
    fn exact(&self, word: &str) -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(self.fields.words, word),
            IndexRecordOption::WithFreqs,
        ))
    }
}

/// In how many books' titles and authors the word appears.
fn doc_freq(searcher: &Searcher, fields: Fields, word: &str) -> u64 {
    searcher
        .doc_freq(&Term::from_field_text(fields.words, word))
        .unwrap_or(0)
}

/// The split of `word` into two words books hold, the rarer of which is most common: the
/// likeliest reading of a missing space.
fn best_split(searcher: &Searcher, fields: Fields, word: &str) -> Option<(String, String)> {
    let bounds: Vec<usize> = word.char_indices().map(|(i, _)| i).collect();
    let chars = bounds.len();
    (MIN_SPLIT_PART_CHARS..=chars - MIN_SPLIT_PART_CHARS)
        .map(|k| word.split_at(bounds[k]))
        .map(|(a, b)| {
            let support = doc_freq(searcher, fields, a).min(doc_freq(searcher, fields, b));
            (support, a, b)
        })
        .filter(|&(support, _, _)| support > 0)
        .max_by_key(|&(support, _, _)| support)
        .map(|(_, a, b)| (a.to_string(), b.to_string()))
}
