//! The lists a reader sees: recommendations for them and books similar to one book.

use std::collections::HashSet;

use super::cap::AuthorCap;
use super::Serving;
use super::{Because, Recommendation, Request};
use crate::recs::data::{profile, WorkMeta};
use crate::recs::editions::ReaderPublishers;
use crate::recs::models::{Contribution, ModelKind, Reason};
use crate::recs::{RecsError, Result};

/// kNN's weight against EASE's (1) in the "readers also liked" row of
/// [`Serving::similar`] for [`ModelKind::Hybrid`], both scaled to a largest score of 1: chosen
/// on Book-Crossing with `examples/similar_eval.rs` (bench/results/similar-*.txt).
pub const KNN_SHARE: f32 = 0.5;

impl Serving<'_> {
    /// The profile of a list of (edition, rating) pairs.
    pub fn profile(&self, ratings: &[(u32, u8)]) -> Vec<(u32, f32)> {
        profile(&self.models.items, ratings, &self.models.params.weighting)
    }

    /// Recommend for any reader (fold-in: nothing is retrained; a rating given a moment ago
    /// counts), with explanations. Unknown keys are ignored.
    pub fn recommend(&self, kind: ModelKind, request: &Request) -> Result<Vec<Recommendation>> {
        let scorer = self
            .models
            .scorer(kind)
            .ok_or_else(|| RecsError::Config(format!("model {kind} was not trained")))?;
        let rated: Vec<(u32, u8)> = request
            .ratings
            .iter()
            .filter_map(|(key, r)| self.models.items.find(key).map(|e| (e, *r)))
            .collect();
        let profile = self.profile(&rated);
        let mut excluded: HashSet<u32> = profile.iter().map(|p| p.0).collect();
        for key in request.shelved.iter().chain(&request.not_interested) {
            if let Some(e) = self.models.items.find(key) {
                excluded.insert(self.models.items.work_of[e as usize]);
            }
        }
        let top = self.rank_with(&*scorer, &profile, &|w| excluded.contains(&w), request.k);
        let scored: Vec<u32> = top
            .iter()
            .filter(|x| x.1.is_finite())
            .map(|x| x.0)
            .collect();
        let mut explained = scorer.explain_many(&profile, &scored).into_iter();
        let publishers = ReaderPublishers::new(&self.models.items, rated.iter().map(|r| r.0));
        Ok(top
            .into_iter()
            .map(|(w, score)| {
                let because = if score.is_finite() {
                    self.because(explained.next().unwrap_or_default(), &rated)
                } else {
                    vec![(Because::Popular, 0.0)]
                };
                Recommendation {
                    key: self.edition_key(w, &publishers),
                    work: w,
                    score: if score.is_finite() { score } else { 0.0 },
                    because,
                }
            })
            .collect())
    }

    /// The works to show on the page of book `key`, best first: for [`ModelKind::Knn`] its
    /// item-kNN neighbours and for [`ModelKind::Ease`] its positive EASE weights ("readers who
    /// liked this also liked", explained by `Because::Book(key)`), for [`ModelKind::Content`]
    /// the works closest by content ("similar books", explained by the shared features, see
    /// [`crate::recs::models::content::Likeness`]), for [`ModelKind::Hybrid`] the row a
    /// reader should see under "readers who liked this also liked" and "because you liked":
    /// EASE's weights and the kNN neighbours together, topped up by content when short, or
    /// for a book too little read for EASE to know it, content first and then its kNN
    /// neighbours; and for [`ModelKind::Popularity`] the most popular works. Never the
    /// book's own work (any edition), nor a work of `exclude`'s ratings, shelf or
    /// not-interested list (its `k` is not used); one edition per work and at most
    /// `max_per_author` works by one author. Fewer than `k` when the model knows fewer
    /// similar works: a book page shows nothing rather than unrelated books. ALS has no
    /// item-to-item list here.
    pub fn similar(
        &self,
        kind: ModelKind,
        key: &str,
        k: usize,
        exclude: &Request,
    ) -> Result<Vec<Recommendation>> {
        let e = self
            .models
            .items
            .find(key)
            .ok_or_else(|| RecsError::Config(format!("unknown book {key:?}")))?;
        let own = self.models.items.work_of[e as usize];
        let (mut excluded, publishers) = self.seen_by(exclude);
        excluded.insert(own);
        let n = self.models.items.work_count();
        let cap = self.rules.max_per_author;
        let untrained = || RecsError::Config(format!("model {kind} was not trained"));
        let book = |w: u32, s: f32| Recommendation {
            key: self.edition_key(w, &publishers),
            work: w,
            score: s,
            because: vec![(Because::Book(key.to_string()), s)],
        };
        let mut out: Vec<Recommendation> = Vec::new();
        let mut scores = vec![f32::NEG_INFINITY; n];
        let mut content_first = false;
        match kind {
            ModelKind::Knn => {
                let knn = self.models.knn.as_ref().ok_or_else(untrained)?;
                let (nb, sim) = knn.neighbours(own);
                for (&j, &s) in nb.iter().zip(sim) {
                    if s > 0.0 {
                        scores[j as usize] = s;
                    }
                }
            }
            ModelKind::Ease => {
                self.models
                    .ease
                    .as_ref()
                    .ok_or_else(untrained)?
                    .row_scores(own, &mut scores);
            }
            ModelKind::Hybrid => {
                content_first = !self.co_read(own, &mut scores);
                if content_first {
                    // Its kNN neighbours wait until content has had its say.
                    scores.fill(f32::NEG_INFINITY);
                }
            }
            ModelKind::Popularity => {
                let top = self.top_of_scores(
                    &self.models.popularity.scores,
                    &|w| excluded.contains(&w),
                    excluded.len(),
                    k,
                    cap,
                );
                out.extend(top.into_iter().map(|(w, s)| Recommendation {
                    key: self.edition_key(w, &publishers),
                    work: w,
                    score: s,
                    because: vec![(Because::Popular, s)],
                }));
            }
            ModelKind::Content => {}
            ModelKind::Als => {
                return Err(RecsError::Config(
                    "similar books: use knn, ease, content or hybrid".into(),
                ))
            }
        }
        if matches!(kind, ModelKind::Knn | ModelKind::Ease | ModelKind::Hybrid) {
            let top = self.top_capped(&scores, &|w| excluded.contains(&w), excluded.len(), k, cap);
            out.extend(top.into_iter().map(|(w, s)| book(w, s)));
        }
        if matches!(kind, ModelKind::Content | ModelKind::Hybrid) && out.len() < k {
            let content = self.models.content.as_ref().ok_or_else(untrained)?;
            scores.fill(f32::NEG_INFINITY);
            content.similar_to(own, &mut scores);
            self.top_up(&mut out, &scores, k, &excluded, &publishers, |w| {
                content.explain_similar(own, w)
            });
        }
        if content_first && out.len() < k {
            if let Some(knn) = self.models.knn.as_ref() {
                let have: HashSet<u32> = out.iter().map(|r| r.work).collect();
                let mut authors =
                    AuthorCap::counting(cap, out.iter().map(|r| self.author_of(r.work)));
                let (nb, sim) = knn.neighbours(own);
                for (&j, &s) in nb.iter().zip(sim) {
                    if out.len() >= k {
                        break;
                    }
                    if s > 0.0
                        && !excluded.contains(&j)
                        && !have.contains(&j)
                        && authors.admit(self.author_of(j))
                    {
                        out.push(book(j, s));
                    }
                }
            }
        }
        Ok(out)
    }

    /// Write the co-reading scores of the works read with work `w` into `scores` (pre-filled
    /// with `NEG_INFINITY`): EASE's positive weights plus [`KNN_SHARE`] times the kNN
    /// similarities, each scaled by its largest value so that neither model's scale decides.
    /// False when EASE does not know `w` (too few readers for its vocabulary); `scores` then
    /// holds the kNN part alone.
    fn co_read(&self, w: u32, scores: &mut [f32]) -> bool {
        let mut knows = false;
        if let Some(ease) = self.models.ease.as_ref() {
            knows = ease.row_scores(w, scores);
            let max = scores
                .iter()
                .copied()
                .filter(|s| s.is_finite())
                .fold(0f32, f32::max);
            if max > 0.0 {
                for s in scores.iter_mut().filter(|s| s.is_finite()) {
                    *s /= max;
                }
            }
        }
        if let Some(knn) = self.models.knn.as_ref() {
            let (nb, sim) = knn.neighbours(w);
            // Neighbours are sorted best first.
            let max = sim.first().copied().unwrap_or(0.0);
            if max > 0.0 {
                for (&j, &s) in nb.iter().zip(sim) {
                    if s > 0.0 {
                        crate::recs::models::bump(&mut scores[j as usize], KNN_SHARE * s / max);
                    }
                }
            }
        }
        knows
    }

    /// "Similar books" for a book the model was not trained on (one readers added since):
    /// the works closest to its metadata by content, with the same exclusions and cap as
    /// [`Serving::similar`]. Collaborative models know nothing of it until they are trained
    /// again; content knows its author, publisher, title words, decade and tags at once.
    pub fn similar_to_new(
        &self,
        meta: &WorkMeta,
        k: usize,
        exclude: &Request,
    ) -> Result<Vec<Recommendation>> {
        let content = self
            .models
            .content
            .as_ref()
            .ok_or_else(|| RecsError::Config("model content was not trained".into()))?;
        let items = &self.models.items;
        let vector = content.vector_of(meta, &self.models.params.content, items.work_count());
        if vector.is_empty() {
            return Ok(Vec::new());
        }
        let (excluded, publishers) = self.seen_by(exclude);
        let mut scores = vec![f32::NEG_INFINITY; items.work_count()];
        content.similar_to_vector(&vector, &mut scores);
        let mut out = Vec::new();
        self.top_up(&mut out, &scores, k, &excluded, &publishers, |w| {
            content.explain_vector(&vector, w)
        });
        Ok(out)
    }

    /// Books this model was not trained on (`new`: catalog key and metadata; readers added
    /// them since) that match the reader's taste by content, best first, at most `k`: each
    /// scored against the reader's content vector and explained by the features it shares
    /// with their books. Only books sharing a selective feature (an author, a rare title
    /// word) qualify; never one the reader rated, shelved or marked not interested. Their
    /// `work` is `u32::MAX`: the model has no work for them.
    pub fn recommend_new(
        &self,
        request: &Request,
        new: &[(String, WorkMeta)],
        k: usize,
    ) -> Result<Vec<Recommendation>> {
        let Some(content) = self.models.content.as_ref() else {
            return Ok(Vec::new());
        };
        let items = &self.models.items;
        let rated: Vec<(u32, u8)> = request
            .ratings
            .iter()
            .filter_map(|(key, r)| items.find(key).map(|e| (e, *r)))
            .collect();
        let p = content.reader_vector(&self.profile(&rated));
        if p.is_empty() {
            return Ok(Vec::new());
        }
        let seen: HashSet<&str> = request
            .ratings
            .iter()
            .map(|r| r.0.as_str())
            .chain(request.shelved.iter().map(String::as_str))
            .chain(request.not_interested.iter().map(String::as_str))
            .collect();
        let params = &self.models.params.content;
        let mut out: Vec<Recommendation> = new
            .iter()
            .filter(|(key, _)| !seen.contains(key.as_str()) && items.find(key).is_none())
            .filter_map(|(key, meta)| {
                let v = content.vector_of(meta, params, items.work_count());
                let shares = content.new_book_shares(&p, &v)?;
                Some(Recommendation {
                    key: key.clone(),
                    work: u32::MAX,
                    score: shares.iter().map(|s| s.1).sum(),
                    because: shares
                        .into_iter()
                        .map(|(f, s)| (Because::Feature(f), s))
                        .collect(),
                })
            })
            .collect();
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.key.cmp(&b.key)));
        out.truncate(k);
        Ok(out)
    }

    /// The works a book page's lists leave out for a reader (every work of their ratings,
    /// shelves and not-interested list) and the publishers of the editions they rated.
    fn seen_by(&self, exclude: &Request) -> (HashSet<u32>, ReaderPublishers) {
        let items = &self.models.items;
        let excluded = exclude
            .ratings
            .iter()
            .map(|r| &r.0)
            .chain(&exclude.shelved)
            .chain(&exclude.not_interested)
            .filter_map(|k| items.find(k))
            .map(|e| items.work_of[e as usize])
            .collect();
        let publishers = ReaderPublishers::new(
            items,
            exclude.ratings.iter().filter_map(|r| items.find(&r.0)),
        );
        (excluded, publishers)
    }

    /// Add the best of content `scores` to `out` until it holds `k`: not a work of
    /// `excluded` nor one already in `out`, and within the author cap over the whole list;
    /// each explained by the features `explain` gives.
    fn top_up(
        &self,
        out: &mut Vec<Recommendation>,
        scores: &[f32],
        k: usize,
        excluded: &HashSet<u32>,
        publishers: &ReaderPublishers,
        explain: impl Fn(u32) -> Vec<(crate::recs::models::content::Feature, f32)>,
    ) {
        let cap = self.rules.max_per_author;
        let have: HashSet<u32> = out.iter().map(|r| r.work).collect();
        let mut authors = AuthorCap::counting(cap, out.iter().map(|r| self.author_of(r.work)));
        let more = self.top_capped(
            scores,
            &|w| excluded.contains(&w) || have.contains(&w),
            excluded.len() + have.len(),
            k.saturating_sub(out.len()) + 16,
            cap,
        );
        for (w, s) in more {
            if out.len() >= k {
                break;
            }
            if !authors.admit(self.author_of(w)) {
                continue;
            }
            let because = explain(w)
                .into_iter()
                .map(|(f, share)| (Because::Feature(f), share))
                .collect();
            out.push(Recommendation {
                key: self.edition_key(w, publishers),
                work: w,
                score: s,
                because,
            });
        }
    }

    /// The catalog key of the edition of work `w` shown to a reader with `publishers`.
    pub(super) fn edition_key(&self, w: u32, publishers: &ReaderPublishers) -> String {
        let e = self
            .models
            .editions
            .choose(&self.models.items, w, publishers, &|_| false)
            .unwrap_or(self.models.shown[w as usize]);
        self.models.items.keys[e as usize].clone()
    }

    /// Contributions in reader terms, largest share first.
    fn because(
        &self,
        contributions: Vec<Contribution>,
        rated: &[(u32, u8)],
    ) -> Vec<(Because, f32)> {
        let mut out: Vec<(Because, f32)> = contributions
            .into_iter()
            .map(|c| {
                let b = match c.reason {
                    Reason::Rated(w) => {
                        // The edition the reader actually rated, else the work's shown one.
                        let e = rated
                            .iter()
                            .find(|r| self.models.items.work_of[r.0 as usize] == w)
                            .map(|r| r.0)
                            .unwrap_or(self.models.shown[w as usize]);
                        Because::Book(self.models.items.keys[e as usize].clone())
                    }
                    Reason::Feature(f) => Because::Feature(f),
                    Reason::Popular => Because::Popular,
                };
                (b, c.share)
            })
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1));
        out
    }
}
