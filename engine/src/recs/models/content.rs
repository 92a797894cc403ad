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
//! candidates' scores but do not make every work a candidate.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{bump, Contribution, Reason, Scorer};
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
        }
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
        let mut model = Content::default();
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
        model
    }

    fn vector(&self, w: u32) -> (&[u32], &[f32]) {
        let w = w as usize;
        if w + 1 >= self.offsets.len() {
            return (&[], &[]);
        }
        let r = self.offsets[w] as usize..self.offsets[w + 1] as usize;
        (&self.features[r.clone()], &self.values[r])
    }

    /// The reader's profile: Σ weight · vector over their rated works (sparse).
    fn profile_vector(&self, profile: &[(u32, f32)]) -> HashMap<u32, f32> {
        let mut p: HashMap<u32, f32> = HashMap::new();
        for &(w, x) in profile {
            let (f, v) = self.vector(w);
            for (&fi, &vi) in f.iter().zip(v) {
                *p.entry(fi).or_default() += x * vi;
            }
        }
        p
    }

    /// A feature's name (`author:…`, `word:…`).
    pub fn feature_name(&self, f: u32) -> &str {
        self.names.get(f as usize).map(String::as_str).unwrap_or("")
    }
}

impl Scorer for Content {
    fn score(&self, profile: &[(u32, f32)], out: &mut [f32]) {
        let p = self.profile_vector(profile);
        let mut seen = vec![false; out.len()];
        for &f in p.keys() {
            for &(w, _) in &self.postings[f as usize] {
                let wi = w as usize;
                if wi < seen.len() && !seen[wi] {
                    seen[wi] = true;
                    let (fs, vs) = self.vector(w);
                    let s: f32 = fs
                        .iter()
                        .zip(vs)
                        .filter_map(|(fi, vi)| p.get(fi).map(|pv| pv * vi))
                        .sum();
                    bump(&mut out[wi], s);
                }
            }
        }
    }

    fn explain(&self, profile: &[(u32, f32)], target: u32) -> Vec<Contribution> {
        let p = self.profile_vector(profile);
        let (fs, vs) = self.vector(target);
        fs.iter()
            .zip(vs)
            .filter_map(|(fi, vi)| {
                p.get(fi).map(|pv| Contribution {
                    reason: Reason::Feature(self.feature_name(*fi).to_string()),
                    share: pv * vi,
                })
            })
            .collect()
    }
}
