//! Ranking: the top works of a model's scores under the exclusions and the author cap, filled
//! up from popularity.

use std::collections::HashSet;

use super::cap::{cap_per_author, AuthorCap};
use super::Serving;
use crate::recs::data::NO_AUTHOR;
use crate::recs::models::Scorer;

impl Serving<'_> {
    /// The top `k` works for a profile by `scorer`, best first with their scores, skipping
    /// `excluded` works, at most `max_per_author` per author, filled up from popularity when the
    /// model has too few candidates.
    pub fn rank_with(
        &self,
        scorer: &dyn Scorer,
        profile: &[(u32, f32)],
        excluded: &dyn Fn(u32) -> bool,
        k: usize,
    ) -> Vec<(u32, f32)> {
        self.rank_capped(scorer, profile, excluded, k, self.rules.max_per_author)
    }

    /// [`Serving::rank_with`] with an explicit per-author cap (`usize::MAX`: none).
    pub fn rank_capped(
        &self,
        scorer: &dyn Scorer,
        profile: &[(u32, f32)],
        excluded: &dyn Fn(u32) -> bool,
        k: usize,
        max_per_author: usize,
    ) -> Vec<(u32, f32)> {
        let mut scores = vec![f32::NEG_INFINITY; self.models.items.work_count()];
        scorer.score(profile, &mut scores);
        // The reader's own works usually score high: look past as many of them.
        self.top_of_scores(&scores, excluded, profile.len(), k, max_per_author)
    }

    /// The top `k` works of a dense score buffer (finite scores only), skipping `excluded`
    /// ones (about `n_excluded` of them), at most `max_per_author` per author, filled up from
    /// popularity. `excluded` is only asked about the head of the ranking, never the catalog.
    pub fn top_of_scores(
        &self,
        scores: &[f32],
        excluded: &dyn Fn(u32) -> bool,
        n_excluded: usize,
        k: usize,
        max_per_author: usize,
    ) -> Vec<(u32, f32)> {
        // Enough candidates that exclusions and the author cap can rarely exhaust them;
        // widened if they do.
        let mut take = k * 4 + 32 + n_excluded;
        loop {
            let head = crate::recs::metrics::top_n(scores, take);
            let complete = head.len() < take;
            let mut out = cap_per_author(
                head.iter().filter(|c| !excluded(c.1)).map(|&(s, w)| (w, s)),
                k,
                max_per_author,
                |x| self.author_of(x.0),
            );
            if out.len() >= k || complete {
                if out.len() < k {
                    // Rank the rest of the catalog by popularity.
                    let have: HashSet<u32> = out.iter().map(|x| x.0).collect();
                    let fill = self
                        .models
                        .popularity
                        .ranking
                        .iter()
                        .filter(|&&w| !have.contains(&w) && !excluded(w))
                        .map(|&w| (w, f32::NEG_INFINITY));
                    let mut authors = AuthorCap::counting(
                        max_per_author,
                        out.iter().map(|x| self.author_of(x.0)),
                    );
                    for (w, s) in fill {
                        if out.len() >= k {
                            break;
                        }
                        if authors.admit(self.author_of(w)) {
                            out.push((w, s));
                        }
                    }
                }
                return out;
            }
            take *= 4;
        }
    }

    /// [`TrainedModels::top_of_scores`] without the popularity fill: only works with a score.
    pub(super) fn top_capped(
        &self,
        scores: &[f32],
        excluded: &dyn Fn(u32) -> bool,
        n_excluded: usize,
        k: usize,
        cap: usize,
    ) -> Vec<(u32, f32)> {
        let mut out = self.top_of_scores(scores, excluded, n_excluded, k, cap);
        out.retain(|x| x.1.is_finite());
        out
    }

    /// The author key of work `w` for the cap (`None`: unknown author, never capped).
    pub(super) fn author_of(&self, w: u32) -> Option<u32> {
        let a = self.models.items.work_author[w as usize];
        (a != NO_AUTHOR).then_some(a)
    }
}
