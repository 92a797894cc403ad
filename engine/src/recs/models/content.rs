//! Content-based similarity: TF-IDF over each work's author, publisher, title words, decade
//! and tags, compared by cosine.
//!
//! It serves works with few or no ratings, which the collaborative models cannot score. A
//! reader's profile is the weighted sum of their rated works' (L2-normalised) vectors, and a
//! work's score is the dot product of its vector with the profile: the cosine up to a per-reader
//! constant. Each shared feature's share of the score is exact, which makes the explanation
//! ("same author", "also about dragons").
//!
//! Scoring only visits candidate works that share a *selective* feature (document frequency at
//! most `max_df`) with the reader; common features (a decade, a big publisher) still add to the
//! candidates' scores but do not make every work a candidate. A score is a sparse accumulation
//! over the postings of the reader's features, and the reader's vector keeps only its
//! `max_profile_features` heaviest features, so a request costs at most
//! `max_profile_features · max_df` postings however many books the reader rated.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{Contribution, Reason, Scorer};
use crate::recs::data::ItemIndex;
use crate::text;

/// Settings of [`Content`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ContentParams {
    /// Weight of the author feature.
    pub author: f32,
    /// Weight of the publisher feature.
    pub publisher: f32,
    /// Weight of each title word.
    pub word: f32,
    /// Weight of the decade.
    pub decade: f32,
    /// Weight of each tag.
    pub tag: f32,
    /// Features in more works than this do not generate candidates.
    pub max_df: u32,
    /// A reader's profile keeps only its this many heaviest features. A reader with
    /// thousands of books has tens of thousands of features; scoring visits the postings of
    /// each, so the cap bounds a request's cost (≤ `max_profile_features · max_df` postings)
    /// while keeping what dominates their taste.
    #[serde(default = "default_max_profile_features")]
    pub max_profile_features: usize,
    /// At most this many postings are visited per request: the reader's features are taken
    /// heaviest first until the next one would pass the budget. Bounds the latency of readers
    /// whose heaviest features are all broad (a big publisher, a common title word).
    #[serde(default = "default_max_postings")]
    pub max_postings: usize,
}

fn default_max_profile_features() -> usize {
    128
}

fn default_max_postings() -> usize {
    150_000
}

impl Default for ContentParams {
    fn default() -> Self {
        ContentParams {
            author: 2.0,
            publisher: 0.5,
            word: 1.0,
            decade: 0.3,
            tag: 1.0,
            max_df: 5_000,
            max_profile_features: default_max_profile_features(),
            max_postings: default_max_postings(),
        }
    }
}

/// A content feature: something a work is (by an author, from a decade) or has (a title word,
/// a tag). Two works sharing one is an explanation: "same author", "also about dragons".
///
/// Its [`Display`](std::fmt::Display) is the name the model keys it by: `author:tolkien`,
/// `publisher:ace books`, `word:dragon`, `decade:1990`, `tag:fantasy` (values folded with
/// [`text::fold`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Feature {
    /// The folded first author, e.g. `j r r tolkien`.
    Author(String),
    /// The folded publisher.
    Publisher(String),
    /// A folded title word (three letters or more, not a stop word).
    Word(String),
    /// The decade of publication, e.g. 1990.
    Decade(u16),
    /// A folded subject tag (goodbooks' shelves).
    Tag(String),
}

impl Feature {
    /// The feature of a name as [`Feature`]'s `Display` writes it; `None` when it is not one.
    pub fn parse(name: &str) -> Option<Feature> {
        let (kind, value) = name.split_once(':')?;
        let value = value.to_string();
        Some(match kind {
            "author" => Feature::Author(value),
            "publisher" => Feature::Publisher(value),
            "word" => Feature::Word(value),
            "decade" => Feature::Decade(value.parse().ok()?),
            "tag" => Feature::Tag(value),
            _ => return None,
        })
    }
}

impl std::fmt::Display for Feature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Feature::Author(v) => write!(f, "author:{v}"),
            Feature::Publisher(v) => write!(f, "publisher:{v}"),
            Feature::Word(v) => write!(f, "word:{v}"),
            Feature::Decade(d) => write!(f, "decade:{d}"),
            Feature::Tag(v) => write!(f, "tag:{v}"),
        }
    }
}

/// How a book page weighs the kinds of feature two books share, on top of training's TF-IDF
/// (each shared feature's part of the cosine is multiplied by its kind's weight), and how
/// much a match on title words alone needs.
///
/// TF-IDF alone lets one rare title word outweigh an author (*The Testament* and *Das
/// Testament*): a word is rare for reasons that say nothing about the book, an author is not.
/// Query-time weights leave the trained model (and its file) as it is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Likeness {
    /// Weight of a shared author.
    pub author: f32,
    /// Weight of a shared publisher.
    pub publisher: f32,
    /// Weight of each shared title word.
    pub word: f32,
    /// Weight of a shared decade.
    pub decade: f32,
    /// Weight of each shared tag.
    pub tag: f32,
    /// A book that shares no selective author or tag (nor publisher, with
    /// `publisher_alone`) with the other needs at least this many shared selective title
    /// words, a shared publisher counting as one, to be similar at all; a shared decade never
    /// counts. 1: any shared selective feature is enough.
    pub min_words: usize,
    /// Whether a shared selective publisher alone makes two books similar.
    pub publisher_alone: bool,
}

impl Likeness {
    /// The plain cosine: every feature as training weighed it, any shared selective feature
    /// enough.
    pub const PLAIN: Likeness = Likeness {
        author: 1.0,
        publisher: 1.0,
        word: 1.0,
        decade: 1.0,
        tag: 1.0,
        min_words: 1,
        publisher_alone: true,
    };

    fn weight(&self, kind: u8) -> f32 {
        match kind {
            KIND_AUTHOR => self.author,
            KIND_PUBLISHER => self.publisher,
            KIND_WORD => self.word,
            KIND_DECADE => self.decade,
            _ => self.tag,
        }
    }
}

impl Default for Likeness {
    /// What a book page uses: training's weights (an author already weighs twice a title
    /// word there) and two shared title words for a match on words alone. On Book-Crossing
    /// (`examples/similar_eval.rs`, bench/results/similar-*.txt) raising the author's or
    /// lowering the words' weight further found fewer of the books readers went on to like:
    /// the author cap keeps two books by one author in a row, and lighter words leave the
    /// rest of it to books sharing only a publisher and a decade. A shared publisher still
    /// makes two books similar on its own: counting it as a word found fewer such books too.
    fn default() -> Self {
        Likeness {
            min_words: 2,
            ..Likeness::PLAIN
        }
    }
}

const KIND_AUTHOR: u8 = 0;
const KIND_PUBLISHER: u8 = 1;
const KIND_WORD: u8 = 2;
const KIND_DECADE: u8 = 3;
const KIND_TAG: u8 = 4;

/// The kind of a feature from its name (see [`Feature`]'s `Display`).
fn kind_of(name: &str) -> u8 {
    match name.split_once(':').map(|x| x.0) {
        Some("author") => KIND_AUTHOR,
        Some("publisher") => KIND_PUBLISHER,
        Some("word") => KIND_WORD,
        Some("decade") => KIND_DECADE,
        _ => KIND_TAG,
    }
}

/// Title words too common to say anything about a book.
const STOPWORDS: &[&str] = &[
    "the", "and", "for", "with", "from", "your", "you", "that", "this", "not", "are", "was", "his",
    "her", "how", "all", "one", "who", "what", "book", "books", "novel", "edition", "der", "die",
    "das", "und", "les", "des", "une", "con", "por", "del", "los", "las", "vol", "volume",
];

/// The TF-IDF model: a sparse vector per work and postings for the selective features.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Content {
    /// Feature names (`author:…`, `publisher:…`, `word:…`, `decade:…`, `tag:…`).
    names: Vec<String>,
    /// Document frequency of each feature.
    df: Vec<u32>,
    /// `features[offsets[w]..offsets[w+1]]`, `values[..]`: work `w`'s normalised vector.
    offsets: Vec<u32>,
    features: Vec<u32>,
    values: Vec<f32>,
    /// Postings (work, value) of each selective feature; empty for common ones.
    postings: Vec<Vec<(u32, f32)>>,
    /// The profile cap ([`ContentParams::max_profile_features`]).
    max_profile: usize,
    /// The postings budget ([`ContentParams::max_postings`]).
    max_postings: usize,
    /// Bitset over features: set for the common ones (no postings). Small enough to stay in
    /// cache while a request checks every candidate's features against it.
    common: Vec<u64>,
    /// Feature name → id, built the first time a book the model was not trained on asks
    /// (not persisted: the names are).
    #[serde(skip)]
    ids: std::sync::OnceLock<HashMap<String, u32>>,
    /// The kind of each feature ([`kind_of`] its name), built the first time a book page
    /// asks (not persisted: the names are).
    #[serde(skip)]
    kinds: std::sync::OnceLock<Vec<u8>>,
}

/// The raw (name, type weight) features of a work.
fn features_of(meta: &crate::recs::data::WorkMeta, p: &ContentParams) -> Vec<(String, f32)> {
    let mut out = Vec::new();
    let author = text::fold(text::first_author(&meta.author));
    if !author.is_empty() {
        out.push((format!("author:{author}"), p.author));
    }
    let publisher = text::fold(&meta.publisher);
    if !publisher.is_empty() {
        out.push((format!("publisher:{publisher}"), p.publisher));
    }
    for w in text::words(&meta.title) {
        if w.chars().count() >= 3 && !STOPWORDS.contains(&w.as_str()) {
            out.push((format!("word:{w}"), p.word));
        }
    }
    if let Some(y) = meta.year {
        out.push((format!("decade:{}", y / 10 * 10), p.decade));
    }
    for t in &meta.tags {
        out.push((format!("tag:{}", text::fold(t)), p.tag));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out.dedup_by(|a, b| a.0 == b.0);
    out
}

impl Content {
    /// Build the vectors of every work of the catalog.
    pub fn train(items: &ItemIndex, params: &ContentParams) -> Content {
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut model = Content {
            max_profile: params.max_profile_features.max(1),
            max_postings: params.max_postings.max(1),
            ..Content::default()
        };
        let raw: Vec<Vec<(u32, f32)>> = items
            .meta
            .iter()
            .map(|m| {
                features_of(m, params)
                    .into_iter()
                    .map(|(name, w)| {
                        let next = ids.len() as u32;
                        let id = *ids.entry(name.clone()).or_insert_with(|| {
                            model.names.push(name);
                            model.df.push(0);
                            next
                        });
                        model.df[id as usize] += 1;
                        (id, w)
                    })
                    .collect()
            })
            .collect();
        let n = items.work_count().max(1) as f32;
        model.postings = vec![Vec::new(); model.names.len()];
        model.offsets.push(0);
        for (w, feats) in raw.into_iter().enumerate() {
            let mut v: Vec<(u32, f32)> = feats
                .into_iter()
                .map(|(f, tw)| (f, tw * (n / model.df[f as usize] as f32).ln().max(0.0)))
                .filter(|x| x.1 > 0.0)
                .collect();
            let norm = v.iter().map(|x| x.1 * x.1).sum::<f32>().sqrt();
            for x in &mut v {
                x.1 /= norm;
                model.features.push(x.0);
                model.values.push(x.1);
                if model.df[x.0 as usize] <= params.max_df {
                    model.postings[x.0 as usize].push((w as u32, x.1));
                }
            }
            model.offsets.push(model.features.len() as u32);
        }
        model.common = vec![0u64; model.names.len().div_ceil(64)];
        for (f, &df) in model.df.iter().enumerate() {
            if df > params.max_df {
                model.common[f >> 6] |= 1 << (f & 63);
            }
        }
        model
    }

    fn is_common(&self, f: u32) -> bool {
        let f = f as usize;
        self.common
            .get(f >> 6)
            .is_some_and(|b| b & (1 << (f & 63)) != 0)
    }

    fn vector(&self, w: u32) -> (&[u32], &[f32]) {
        let w = w as usize;
        if w + 1 >= self.offsets.len() {
            return (&[], &[]);
        }
        let r = self.offsets[w] as usize..self.offsets[w + 1] as usize;
        (&self.features[r.clone()], &self.values[r])
    }

    /// The reader's profile: Σ weight · vector over their rated works, as (feature, weight)
    /// sorted by feature, cut to the `max_profile` heaviest features.
    fn profile_vector(&self, profile: &[(u32, f32)]) -> Vec<(u32, f32)> {
        // Collect, sort and merge: cheaper than a hash map for the few thousand pairs of a
        // large profile, and the result is ready for binary search.
        let mut p: Vec<(u32, f32)> = Vec::new();
        for &(w, x) in profile {
            let (f, v) = self.vector(w);
            p.extend(f.iter().zip(v).map(|(&fi, &vi)| (fi, x * vi)));
        }
        p.sort_unstable_by_key(|x| x.0);
        let mut merged: Vec<(u32, f32)> = Vec::with_capacity(p.len());
        for (f, v) in p {
            match merged.last_mut() {
                Some(last) if last.0 == f => last.1 += v,
                _ => merged.push((f, v)),
            }
        }
        self.cut(merged)
    }

    /// A reader vector cut to the feature cap and the postings budget, sorted by feature.
    fn cut(&self, mut merged: Vec<(u32, f32)>) -> Vec<(u32, f32)> {
        // Heaviest first (ties by feature id, so the cut is deterministic), within the
        // feature cap and the postings budget; common features cost no postings.
        merged.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut budget = self.max_postings;
        let mut kept = 0;
        merged.retain(|&(f, _)| {
            if kept >= self.max_profile {
                return false;
            }
            let cost = self.postings[f as usize].len();
            if cost > budget {
                return false;
            }
            budget -= cost;
            kept += 1;
            true
        });
        merged.sort_unstable_by_key(|x| x.0);
        merged
    }

    /// The shares (feature, share) of `target`'s score under a reader vector `p`.
    fn shares(&self, p: &[(u32, f32)], target: u32) -> Vec<(u32, f32)> {
        let (fs, vs) = self.vector(target);
        fs.iter()
            .zip(vs)
            .filter_map(|(fi, vi)| {
                p.binary_search_by_key(fi, |x| x.0)
                    .ok()
                    .map(|i| (*fi, p[i].1 * vi))
            })
            .collect()
    }

    /// Score every candidate of the reader vector `p` into `out` (see [`Scorer::score`]);
    /// returns the candidates.
    fn score_vector(&self, p: &[(u32, f32)], out: &mut [f32]) -> Vec<u32> {
        // Selective features: accumulate their postings (a sparse pass, no lookups).
        let mut touched: Vec<u32> = Vec::new();
        let mut common: Vec<(u32, f32)> = Vec::new();
        for &(f, pv) in p {
            let postings = &self.postings[f as usize];
            if postings.is_empty() {
                common.push((f, pv));
                continue;
            }
            for &(w, v) in postings {
                let slot = &mut out[w as usize];
                if *slot == f32::NEG_INFINITY {
                    touched.push(w);
                    *slot = pv * v;
                } else {
                    *slot += pv * v;
                }
            }
        }
        // Common features (no postings) still add to the candidates' scores.
        if !common.is_empty() {
            for &w in &touched {
                let (fs, vs) = self.vector(w);
                let extra: f32 = fs
                    .iter()
                    .zip(vs)
                    .filter(|(fi, _)| self.is_common(**fi))
                    .filter_map(|(fi, vi)| {
                        common
                            .binary_search_by_key(fi, |x| x.0)
                            .ok()
                            .map(|i| common[i].1 * vi)
                    })
                    .sum();
                out[w as usize] += extra;
            }
        }
        touched
    }

    /// Score every work similar to work `w` by [`Likeness::default`] into `out` (pre-filled
    /// with `NEG_INFINITY`), `w` itself left out: a book page's "similar books".
    /// [`Content::explain_similar`] gives the shared features.
    pub fn similar_to(&self, w: u32, out: &mut [f32]) {
        self.similar_by(w, &Likeness::default(), out)
    }

    /// [`Content::similar_to`] under the weights and the title-word rule of `how`
    /// ([`Likeness::PLAIN`]: the TF-IDF cosine over every work sharing a selective feature).
    pub fn similar_by(&self, w: u32, how: &Likeness, out: &mut [f32]) {
        let p = self.profile_vector(&[(w, 1.0)]);
        self.similar_to_weighed(&p, how, out);
        if let Some(s) = out.get_mut(w as usize) {
            *s = f32::NEG_INFINITY;
        }
    }

    /// Score the works similar to the book of vector `p` under `how` into `out`.
    fn similar_to_weighed(&self, p: &[(u32, f32)], how: &Likeness, out: &mut [f32]) {
        let p = self.weighed(p, how);
        for w in self.score_vector(&p, out) {
            if !self.alike(&p, w, how) {
                out[w as usize] = f32::NEG_INFINITY;
            }
        }
    }

    /// Vector `p` with each feature's value multiplied by its kind's weight under `how`.
    fn weighed(&self, p: &[(u32, f32)], how: &Likeness) -> Vec<(u32, f32)> {
        let kinds = self.kinds();
        p.iter()
            .map(|&(f, v)| (f, v * how.weight(kinds[f as usize])))
            .filter(|x| x.1 > 0.0)
            .collect()
    }

    /// Whether work `w` shares enough with the book of vector `p` under `how` (see
    /// [`Likeness::min_words`]). Common features (a big publisher, a frequent word) never
    /// count: thousands of books share them.
    fn alike(&self, p: &[(u32, f32)], w: u32, how: &Likeness) -> bool {
        let kinds = self.kinds();
        let (mut any, mut weak) = (false, 0);
        for &f in self.vector(w).0 {
            if self.is_common(f) || p.binary_search_by_key(&f, |x| x.0).is_err() {
                continue;
            }
            any = true;
            match kinds[f as usize] {
                KIND_AUTHOR | KIND_TAG => return true,
                KIND_PUBLISHER if how.publisher_alone => return true,
                KIND_PUBLISHER | KIND_WORD => weak += 1,
                _ => {}
            }
        }
        if how.min_words <= 1 {
            any
        } else {
            weak >= how.min_words
        }
    }

    fn kinds(&self) -> &[u8] {
        self.kinds
            .get_or_init(|| self.names.iter().map(|n| kind_of(n)).collect())
    }

    /// The normalised vector of a book this model was not trained on (a book readers added
    /// since), from its metadata, with the document frequencies of training over `works`
    /// works. Features no trained work has are left out: they could match nothing. Empty when
    /// nothing is left.
    pub fn vector_of(
        &self,
        meta: &crate::recs::data::WorkMeta,
        params: &ContentParams,
        works: usize,
    ) -> Vec<(u32, f32)> {
        let ids = self.ids.get_or_init(|| {
            self.names
                .iter()
                .enumerate()
                .map(|(i, n)| (n.clone(), i as u32))
                .collect()
        });
        let n = works.max(1) as f32;
        let mut v: Vec<(u32, f32)> = features_of(meta, params)
            .into_iter()
            .filter_map(|(name, tw)| {
                let &f = ids.get(&name)?;
                // The book is one more holder of the feature than training counted.
                let df = self.df[f as usize] as f32 + 1.0;
                Some((f, tw * ((n + 1.0) / df).ln().max(0.0)))
            })
            .filter(|x| x.1 > 0.0)
            .collect();
        let norm = v.iter().map(|x| x.1 * x.1).sum::<f32>().sqrt();
        for x in &mut v {
            x.1 /= norm;
        }
        v.sort_unstable_by_key(|x| x.0);
        v
    }

    /// A reader's content vector from their profile (rated works and weights): what
    /// [`Content::new_book_shares`] compares books the model was not trained on with.
    pub fn reader_vector(&self, profile: &[(u32, f32)]) -> Vec<(u32, f32)> {
        self.profile_vector(profile)
    }

    /// How a book given by its vector ([`Content::vector_of`]) matches reader vector `p`:
    /// each shared feature's share of the score, largest first. `None` unless a selective
    /// feature is shared (an author, a rare title word): a decade or a big publisher alone
    /// does not make a book the reader's taste.
    pub fn new_book_shares(
        &self,
        p: &[(u32, f32)],
        v: &[(u32, f32)],
    ) -> Option<Vec<(Feature, f32)>> {
        let shared: Vec<(u32, f32)> = v
            .iter()
            .filter_map(|&(f, x)| {
                p.binary_search_by_key(&f, |y| y.0)
                    .ok()
                    .map(|i| (f, p[i].1 * x))
            })
            .filter(|x| x.1 > 0.0)
            .collect();
        if !shared.iter().any(|&(f, _)| !self.is_common(f)) {
            return None;
        }
        let mut out: Vec<(Feature, f32)> = shared
            .into_iter()
            .map(|(f, s)| (self.feature(f), s))
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1));
        Some(out)
    }

    /// [`Content::similar_to`] for a book given by its vector ([`Content::vector_of`]).
    pub fn similar_to_vector(&self, v: &[(u32, f32)], out: &mut [f32]) {
        let p = self.cut(v.to_vec());
        self.similar_to_weighed(&p, &Likeness::default(), out);
    }

    /// [`Content::explain_similar`] for a book given by its vector.
    pub fn explain_vector(&self, v: &[(u32, f32)], target: u32) -> Vec<(Feature, f32)> {
        let p = self.cut(v.to_vec());
        self.explained(&self.weighed(&p, &Likeness::default()), target)
    }

    /// The features `target` shares with work `w`, with their shares of the score
    /// [`Content::similar_to`] gave it, largest first.
    pub fn explain_similar(&self, w: u32, target: u32) -> Vec<(Feature, f32)> {
        self.explain_similar_by(w, target, &Likeness::default())
    }

    /// [`Content::explain_similar`] for the score [`Content::similar_by`] gave under `how`.
    pub fn explain_similar_by(&self, w: u32, target: u32, how: &Likeness) -> Vec<(Feature, f32)> {
        let p = self.profile_vector(&[(w, 1.0)]);
        self.explained(&self.weighed(&p, how), target)
    }

    /// The shares of `target`'s score under reader vector `p`, as features, largest first.
    fn explained(&self, p: &[(u32, f32)], target: u32) -> Vec<(Feature, f32)> {
        let mut out: Vec<(Feature, f32)> = self
            .shares(p, target)
            .into_iter()
            .map(|(f, s)| (self.feature(f), s))
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1));
        out
    }

    /// A feature's name (`author:…`, `word:…`).
    pub fn feature_name(&self, f: u32) -> &str {
        self.names.get(f as usize).map(String::as_str).unwrap_or("")
    }

    /// Feature `f`, typed. Names are stored as strings (the persisted format); every name the
    /// model builds parses, the fallback only keeps an explanation's share if one did not.
    pub fn feature(&self, f: u32) -> Feature {
        let name = self.feature_name(f);
        Feature::parse(name).unwrap_or_else(|| Feature::Word(name.to_string()))
    }
}

impl Scorer for Content {
    fn score(&self, profile: &[(u32, f32)], out: &mut [f32]) {
        let p = self.profile_vector(profile);
        self.score_vector(&p, out);
    }

    fn explain(&self, profile: &[(u32, f32)], target: u32) -> Vec<Contribution> {
        self.explain_many(profile, &[target])
            .pop()
            .unwrap_or_default()
    }

    fn explain_many(&self, profile: &[(u32, f32)], targets: &[u32]) -> Vec<Vec<Contribution>> {
        // One reader vector for every target.
        let p = self.profile_vector(profile);
        targets
            .iter()
            .map(|&t| {
                self.shares(&p, t)
                    .into_iter()
                    .map(|(f, share)| Contribution {
                        reason: Reason::Feature(self.feature(f)),
                        share,
                    })
                    .collect()
            })
            .collect()
    }
}

impl super::Fit for Content {
    const KIND: super::ModelKind = super::ModelKind::Content;
    type Params = ContentParams;

    fn params(all: &crate::recs::trained::TrainParams) -> &ContentParams {
        &all.content
    }

    fn fit(
        data: &super::TrainingData<'_>,
        params: &ContentParams,
        progress: crate::recs::ProgressFn<'_>,
    ) -> crate::recs::Result<Content> {
        super::announce(progress, Self::KIND);
        Ok(Content::train(data.items, params))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::Book;
    use proptest::prelude::*;

    fn catalog() -> ItemIndex {
        let words = [
            "dragon", "sea", "night", "garden", "winter", "city", "river", "stone",
        ];
        ItemIndex::from_books((0..60u32).map(|i| {
            Book::new(
                format!("K{i}"),
                format!(
                    "{} {} {}",
                    words[i as usize % 8],
                    words[(i as usize / 8) % 8],
                    if i % 5 == 0 { "tale" } else { "story" }
                ),
                format!("Writer {}", i % 7),
            )
            .with_year(1950 + (i as u16 % 6) * 10)
            .with_publisher(format!("House {}", i % 2))
        }))
    }

    /// The reference: a dot product with the full profile over every work sharing a
    /// selective feature.
    fn brute(model: &Content, profile: &[(u32, f32)], n: usize) -> Vec<f32> {
        let p = model.profile_vector(profile);
        (0..n as u32)
            .map(|w| {
                let (fs, vs) = model.vector(w);
                let selective = fs.iter().any(|f| {
                    !model.postings[*f as usize].is_empty()
                        && p.binary_search_by_key(f, |x| x.0).is_ok()
                });
                if !selective {
                    return f32::NEG_INFINITY;
                }
                fs.iter()
                    .zip(vs)
                    .filter_map(|(f, v)| {
                        p.binary_search_by_key(f, |x| x.0).ok().map(|i| p[i].1 * v)
                    })
                    .sum()
            })
            .collect()
    }

    proptest! {
        #[test]
        fn sparse_scoring_equals_the_dot_product_and_explanations_sum(
            rated in proptest::collection::vec((0u32..55, 1u32..4), 1..8),
            cap in 1usize..40,
            budget in 1usize..200,
        ) {
            let items = catalog();
            let params = ContentParams {
                max_df: 20,
                max_profile_features: cap,
                max_postings: budget,
                ..ContentParams::default()
            };
            let model = Content::train(&items, &params);
            let mut profile: Vec<(u32, f32)> = rated.iter().map(|&(w, x)| (w, x as f32)).collect();
            profile.sort_by_key(|x| x.0);
            profile.dedup_by_key(|x| x.0);
            let p = model.profile_vector(&profile);
            prop_assert!(p.len() <= cap);
            prop_assert!(p.iter().map(|x| model.postings[x.0 as usize].len()).sum::<usize>() <= budget);
            let n = items.work_count();
            let mut out = vec![f32::NEG_INFINITY; n];
            model.score(&profile, &mut out);
            let want = brute(&model, &profile, n);
            for (w, (a, b)) in out.iter().zip(&want).enumerate() {
                prop_assert!(a == b || (a - b).abs() < 1e-5, "work {}: {} vs {}", w, a, b);
            }
            let targets: Vec<u32> = (0..n as u32).filter(|&w| out[w as usize].is_finite()).collect();
            for (t, shares) in targets.iter().zip(model.explain_many(&profile, &targets)) {
                let sum: f32 = shares.iter().map(|c| c.share).sum();
                prop_assert!((sum - out[*t as usize]).abs() < 1e-5);
            }
        }
    }

    #[test]
    fn similar_works_leave_the_work_out_and_share_features() {
        let items = catalog();
        let model = Content::train(
            &items,
            &ContentParams {
                max_df: 20,
                ..ContentParams::default()
            },
        );
        let mut out = vec![f32::NEG_INFINITY; items.work_count()];
        model.similar_to(3, &mut out);
        assert_eq!(out[3], f32::NEG_INFINITY);
        let best = (0..out.len())
            .max_by(|&a, &b| out[a].total_cmp(&out[b]))
            .expect("some");
        let shared = model.explain_similar(3, best as u32);
        assert!(!shared.is_empty());
        let sum: f32 = shared.iter().map(|s| s.1).sum();
        assert!((sum - out[best]).abs() < 1e-5);
    }

    /// A shelf where one author wrote many books and a rare title word is shared across
    /// authors: the case of *The Testament* (Grisham) and *Das Testament* (a translation
    /// credited to someone else) or *Story Bible: The New Testament*.
    fn testament_shelf() -> ItemIndex {
        let mut books = vec![
            Book::new("T0", "The Testament", "John Grisham").with_publisher("Dell"),
            // A translation without author or publisher: its one title word is all it has.
            Book::new("T1", "Das Testament", ""),
            Book::new("T2", "Story Bible: The New Testament", "Pearl Buck")
                .with_publisher("Faith House"),
            Book::new("T3", "The Fall of Hyperion (Hyperion Cantos)", "").with_publisher("Bantam"),
            Book::new("T4", "Endymion (Hyperion Cantos)", "").with_publisher("Spectra"),
        ];
        // Grisham is common on this shelf (low IDF), "testament" is rare (high IDF).
        let titles = [
            "partner",
            "client",
            "firm",
            "brethren",
            "summons",
            "chamber",
            "juror",
            "pelican",
            "rainmaker",
            "appeal",
            "associate",
            "confession",
        ];
        for (i, t) in titles.iter().enumerate() {
            books.push(
                Book::new(format!("G{i}"), format!("The {t}"), "John Grisham")
                    .with_publisher(format!("Grisham House {i}")),
            );
        }
        for i in 0..40 {
            books.push(
                Book::new(
                    format!("X{i}"),
                    format!("Filler {i} garden"),
                    format!("Writer {i}"),
                )
                .with_publisher(format!("Press {i}")),
            );
        }
        ItemIndex::from_books(books)
    }

    fn work(items: &ItemIndex, key: &str) -> u32 {
        items.work_of[items.find(key).expect("known") as usize]
    }

    #[test]
    fn a_same_author_book_outranks_a_title_word_match() {
        let items = testament_shelf();
        let model = Content::train(&items, &ContentParams::default());
        let (seed, partner, das) = (work(&items, "T0"), work(&items, "G0"), work(&items, "T1"));
        let mut plain = vec![f32::NEG_INFINITY; items.work_count()];
        model.similar_by(seed, &Likeness::PLAIN, &mut plain);
        // The plain cosine shows the problem this guards against.
        assert!(plain[das as usize] > plain[partner as usize]);
        let mut out = vec![f32::NEG_INFINITY; items.work_count()];
        model.similar_to(seed, &mut out);
        assert!(out[partner as usize].is_finite());
        assert!(out[partner as usize] > out[das as usize]);
    }

    #[test]
    fn one_shared_title_word_alone_is_not_similar_two_are() {
        let items = testament_shelf();
        let model = Content::train(&items, &ContentParams::default());
        let (seed, das, bible) = (work(&items, "T0"), work(&items, "T1"), work(&items, "T2"));
        let mut plain = vec![f32::NEG_INFINITY; items.work_count()];
        model.similar_by(seed, &Likeness::PLAIN, &mut plain);
        assert!(plain[das as usize].is_finite() && plain[bible as usize].is_finite());
        let mut out = vec![f32::NEG_INFINITY; items.work_count()];
        model.similar_to(seed, &mut out);
        assert_eq!(out[das as usize], f32::NEG_INFINITY);
        assert_eq!(out[bible as usize], f32::NEG_INFINITY);
        // Two shared words (a series named in both titles) still make two books similar.
        let (fall, endymion) = (work(&items, "T3"), work(&items, "T4"));
        out.fill(f32::NEG_INFINITY);
        model.similar_to(fall, &mut out);
        assert!(out[endymion as usize].is_finite());
        // The shares of a weighed score still sum to it.
        let shared = model.explain_similar(fall, endymion);
        let sum: f32 = shared.iter().map(|s| s.1).sum();
        assert!((sum - out[endymion as usize]).abs() < 1e-5);
    }
}
