//! Ranking candidates: how well each matches, how much of its own name the query covers, and
//! how read it is (the formula and why are in the module above).

use std::collections::HashSet;

use super::query::Word;
use super::{author_words, Corpus, Hit, MatchKind, MINOR_WORDS};
use crate::text;

/// The weight of how well the query's words matched (0–1). The largest: a reader's words come
/// first.
const MATCH_WEIGHT: f32 = 10.0;
/// The weight of how much of the book's title or author the query covers (0–1).
const FIT_WEIGHT: f32 = 3.0;
/// The weight of the popularity prior (0–1).
const PRIOR_WEIGHT: f32 = 4.0;

/// Points of a query word equal to a word of the book.
const EXACT: f32 = 1.0;
/// The last word as the beginning of a word (a reader still typing).
const LAST_PREFIX: f32 = 0.9;
/// Another word as the beginning of a word (a truncation).
const INNER_PREFIX: f32 = 0.8;
/// A word the book holds as two words (a missing space).
const SPLIT: f32 = 0.8;
/// One edit away (a typo).
const ONE_EDIT: f32 = 0.7;
/// Two edits away.
const TWO_EDITS: f32 = 0.55;

/// The best `limit` of `candidates`, at most one edition per work. With `fallback`, a book may
/// miss one query word.
pub(super) fn rank(
    words: &[Word],
    candidates: &[u32],
    corpus: &dyn Corpus,
    limit: usize,
    fallback: bool,
) -> Vec<Hit> {
    let allowed_missing = usize::from(fallback);
    let prior = corpus.prior();
    let mut scored: Vec<(Hit, f32)> = candidates
        .iter()
        .filter_map(|&doc| {
            let title = corpus.title(doc)?;
            let author = corpus.author(doc)?;
            let p = prior.get(doc as usize).copied().unwrap_or(0.0);
            let (points, kind) = score(words, title, author, allowed_missing)?;
            Some((
                Hit {
                    doc,
                    score: points + PRIOR_WEIGHT * p,
                    matched: kind,
                },
                p,
            ))
        })
        .collect();
    scored.sort_by(|(a, pa), (b, pb)| {
        b.score
            .total_cmp(&a.score)
            .then(pb.total_cmp(pa))
            .then(a.doc.cmp(&b.doc))
    });
    let mut works = HashSet::new();
    let mut hits: Vec<Hit> = scored
        .into_iter()
        .filter(|(hit, _)| corpus.work(hit.doc).is_some_and(|w| works.insert(w)))
        .map(|(hit, _)| hit)
        .take(limit)
        .collect();
    order_series(&mut hits, words, corpus);
    hits
}

/// Words before a volume number in a title ("Book 2", "Vol. 3", "Part 1", "Tome 4").
const VOLUME_WORDS: &[&str] = &[
    "book", "vol", "volume", "part", "no", "number", "tome", "band", "livre",
];

/// Volumes of a series the query names, in series order. Among the hits by one author whose
/// titles hold every query word and carry a volume number, the numbers decide the order,
/// within the places those hits already hold (the rest of the list does not move, and the
/// scores stay in descending order). The catalog has no series field: the number is read from
/// the title ("(The Wheel of Time, Book 2)", "(A Series of Unfortunate Events, 3)").
fn order_series(hits: &mut [Hit], words: &[Word], corpus: &dyn Corpus) {
    let mut groups: Vec<(String, Vec<(usize, u32)>)> = Vec::new();
    for (at, hit) in hits.iter().enumerate() {
        let (Some(title), Some(author)) = (corpus.title(hit.doc), corpus.author(hit.doc)) else {
            continue;
        };
        let title_words = text::words(title);
        let names_series = words
            .iter()
            .filter(|w| !w.optional)
            .all(|w| title_words.iter().any(|t| word_match(w, t).is_some()));
        let Some(volume) = names_series.then(|| volume_number(title)).flatten() else {
            continue;
        };
        let author = text::fold(author);
        match groups.iter_mut().find(|(a, _)| *a == author) {
            Some((_, members)) => members.push((at, volume)),
            None => groups.push((author, vec![(at, volume)])),
        }
    }
    for (_, members) in groups.into_iter().filter(|(_, m)| m.len() >= 2) {
        let mut by_volume = members.clone();
        by_volume.sort_by_key(|&(at, volume)| (volume, at));
        let moved: Vec<u32> = by_volume.iter().map(|&(at, _)| hits[at].doc).collect();
        let kinds: Vec<MatchKind> = by_volume.iter().map(|&(at, _)| hits[at].matched).collect();
        for ((&(at, _), doc), matched) in members.iter().zip(moved).zip(kinds) {
            hits[at].doc = doc;
            hits[at].matched = matched;
        }
    }
}

/// The volume number a title carries: a number after a volume word anywhere, else the last
/// number of its bracketed note. `None` for titles without one, and for numbers too large to
/// be a volume (a year, "1984").
pub(super) fn volume_number(title: &str) -> Option<u32> {
    let words = text::words(title);
    let small = |w: &str| w.parse::<u32>().ok().filter(|&n| (1..200).contains(&n));
    let after_word = words
        .windows(2)
        .find(|p| VOLUME_WORDS.contains(&p[0].as_str()) && small(&p[1]).is_some())
        .and_then(|p| small(&p[1]));
    after_word.or_else(|| {
        let note = &title[title.find(['(', '['])?..];
        text::words(note).iter().rev().find_map(|w| small(w))
    })
}

/// How one word matched one field: points, kind, and which of the field's words it matched.
#[derive(Debug, Clone, Copy)]
struct Match {
    points: f32,
    kind: MatchKind,
    position: usize,
}

/// The text score of a book (match and fit, without the prior) and its weakest match kind;
/// `None` when it misses more than `allowed_missing` required words.
fn score(
    words: &[Word],
    title: &str,
    author: &str,
    allowed_missing: usize,
) -> Option<(f32, MatchKind)> {
    let title_words = text::words(title);
    let main_len = main_title_words(title, &title_words);
    let (author_words, names) = author_words(author);

    let mut title_covered = vec![false; title_words.len()];
    let mut author_covered = vec![false; author_words.len()];
    let mut total = 0.0f32;
    let mut missing = 0;
    let mut kind = MatchKind::Exact;
    for word in words {
        let in_title = best_match(word, title_words.iter().map(String::as_str));
        let in_author = best_match(word, author_words.iter().map(String::as_str));
        // Ties go to the title: readers type titles more often than names.
        let best = match (in_title, in_author) {
            (Some(t), Some(a)) if a.points > t.points => {
                author_covered[a.position] = true;
                Some(a)
            }
            (Some(t), _) => {
                title_covered[t.position] = true;
                Some(t)
            }
            (None, Some(a)) => {
                author_covered[a.position] = true;
                Some(a)
            }
            (None, None) => split_match(word, &title_words, &author_words),
        };
        match best {
            Some(m) => {
                total += m.points;
                kind = weakest(kind, m.kind);
            }
            None if word.optional => {}
            None => {
                missing += 1;
                if missing > allowed_missing {
                    return None;
                }
            }
        }
    }
    let matched = total / words.len() as f32;
    let fit = title_fit(&title_words[..main_len], &title_covered[..main_len])
        .max(title_fit(&title_words, &title_covered))
        .max(author_fit(&author_words, names, &author_covered));
    Some((MATCH_WEIGHT * matched + FIT_WEIGHT * fit, kind))
}

/// The share of a title's words the query matched, leaving out minor words it did not.
fn title_fit(words: &[String], covered: &[bool]) -> f32 {
    let counted = words
        .iter()
        .zip(covered)
        .filter(|(w, &c)| c || !MINOR_WORDS.contains(&w.as_str()))
        .count();
    if counted == 0 {
        return 0.0;
    }
    covered.iter().filter(|&&c| c).count() as f32 / counted as f32
}

/// The share of an author's names (words of two or more letters) the query matched: "tolkien"
/// covers "J. R. R. Tolkien", "king" half of "Stephen King". Joined initials (after the first
/// `names` words) count only when matched.
fn author_fit(words: &[String], names: usize, covered: &[bool]) -> f32 {
    let (mut counted, mut hit) = (0usize, 0usize);
    for (i, (w, &c)) in words.iter().zip(covered).enumerate() {
        if (i < names && w.chars().count() >= 2) || c {
            counted += 1;
            hit += usize::from(c);
        }
    }
    if counted == 0 {
        return 0.0;
    }
    hit as f32 / counted as f32
}

/// How many of the title's words belong to its main title: the words before a subtitle
/// (`:`) or a bracketed note (`(Harry Potter, Book 1)`).
fn main_title_words(title: &str, words: &[String]) -> usize {
    match title.find([':', '(', '[', ';']) {
        Some(cut) => {
            let n = text::words(&title[..cut]).len();
            if n == 0 {
                words.len()
            } else {
                n.min(words.len())
            }
        }
        None => words.len(),
    }
}

/// The best way `word` matches one of `field`'s words.
fn best_match<'a>(word: &Word, field: impl Iterator<Item = &'a str>) -> Option<Match> {
    let mut best: Option<Match> = None;
    for (position, w) in field.enumerate() {
        let Some((points, kind)) = word_match(word, w) else {
            continue;
        };
        if best.is_none_or(|b| points > b.points) {
            best = Some(Match {
                points,
                kind,
                position,
            });
            if points >= EXACT {
                break;
            }
        }
    }
    best
}

/// How a query word matches a book's word.
fn word_match(word: &Word, w: &str) -> Option<(f32, MatchKind)> {
    let q = word.text.as_str();
    if q == w {
        return Some((EXACT, MatchKind::Exact));
    }
    if word.prefix && w.starts_with(q) {
        let points = if word.last { LAST_PREFIX } else { INNER_PREFIX };
        return Some((points, MatchKind::Prefix));
    }
    if word.max_edits == 0 {
        return None;
    }
    let (ql, wl) = (q.chars().count(), w.chars().count());
    if ql.abs_diff(wl) > usize::from(word.max_edits) {
        // A reader typing a long word's beginning with a typo: compare with the word's start.
        return None;
    }
    match strsim::osa_distance(q, w) {
        1 => Some((ONE_EDIT, MatchKind::Fuzzy)),
        2 if word.max_edits >= 2 => Some((TWO_EDITS, MatchKind::Fuzzy)),
        _ => None,
    }
}

/// A word no book holds, matched as the two words it splits into.
fn split_match(word: &Word, title: &[String], author: &[String]) -> Option<Match> {
    let (a, b) = word.split.as_ref()?;
    let holds = |part: &str| title.iter().chain(author).any(|w| w == part);
    (holds(a) && holds(b)).then_some(Match {
        points: SPLIT,
        kind: MatchKind::Fuzzy,
        position: 0,
    })
}

/// The weaker of two match kinds.
fn weakest(a: MatchKind, b: MatchKind) -> MatchKind {
    let strength = |k| match k {
        MatchKind::Isbn => 3,
        MatchKind::Exact => 2,
        MatchKind::Prefix => 1,
        MatchKind::Fuzzy => 0,
    };
    if strength(b) < strength(a) {
        b
    } else {
        a
    }
}
