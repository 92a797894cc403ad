//! Tuning the hybrid's blend weights on a validation split.

use super::*;
use crate::recs::models::rerank::{
    CandidateInput, Candidates, RerankParams, Reranker, TrainingCase,
};
use crate::recs::rng::SplitMix64;

/// The candidate grid of blend weights (EASE's weight fixed at 1 or 0: only ratios matter)
/// and relevance-prior powers.
pub(super) fn grid() -> Vec<BlendWeights> {
    let mut out = Vec::new();
    for ease in [1.0, 0.0] {
        for knn in [0.0, 0.1, 0.25, 0.5, 1.0] {
            for als in [0.0, 0.1, 0.25, 0.5] {
                for content in [0.0, 0.03, 0.1, 0.3, 1.0] {
                    for popularity in [0.0, 0.02, 0.05, 0.1] {
                        for prior in [0.0, 0.5] {
                            if ease + knn + als + content + popularity > 0.0 {
                                out.push(BlendWeights {
                                    ease,
                                    knn,
                                    als,
                                    content,
                                    popularity,
                                    prior,
                                });
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

/// What the blend reads of one candidate: normalised component scores and relevance prior.
type BlendRow = ([f32; 5], f32);

/// One validation user for tuning: activity bucket, each candidate's [`BlendRow`], whether
/// each candidate is relevant, number of relevant works.
pub(super) type TuneCase = (usize, Vec<BlendRow>, Vec<bool>, usize);

/// NDCG@10 of the candidates ranked by the blend `g`.
fn blend_ndcg(g: &BlendWeights, rows: &[BlendRow], hits: &[bool], n_rel: usize) -> f64 {
    let w = g.as_array();
    let mut scored: Vec<(f32, u32)> = rows
        .iter()
        .enumerate()
        .map(|(i, (r, q))| {
            let s = r.iter().zip(&w).map(|(a, b)| a * b).sum::<f32>();
            let s = if g.prior == 0.0 {
                s
            } else {
                with_prior(s, prior_factor(*q, g.prior))
            };
            (s, i as u32)
        })
        .collect();
    let top = metrics::top_of(&mut scored, 10);
    let flags: Vec<bool> = top.iter().map(|&i| hits[i as usize]).collect();
    metrics::ndcg_at(&flags, n_rel, 10)
}

/// One validation reader as the reranker sees them: profile size, candidates, hits, number of
/// relevant works.
struct RerankCase {
    profile_len: usize,
    /// A reader cut short (not one of the validation split's own cases).
    short: bool,
    training: TrainingCase,
    n_rel: usize,
}

/// Profile sizes the reranker learns from beyond the validation readers' own: each reader with
/// at least [`SHORT_FROM`] works also appears cut down to 1–4 of them (chosen by a seeded
/// shuffle), so the trees learn what new readers look like, as the cold-start buckets measure.
const SHORT_SIZES: usize = 4;
const SHORT_FROM: usize = 5;

/// The reader's profile cut down to `k` works, chosen by a shuffle seeded with their id.
fn shortened(profile: &[(u32, f32)], k: usize, user: u32) -> Vec<(u32, f32)> {
    let mut rng = SplitMix64::new(0x5EED ^ u64::from(user));
    let mut p = profile.to_vec();
    rng.shuffle(&mut p);
    p.truncate(k);
    p.sort_unstable_by_key(|x| x.0);
    p
}

/// Tune the hybrid's weights per activity bucket on a validation split carved from `train`
/// (the protocol applied again, with another seed), and train the reranker on the same split.
/// Returns the blend, the reranker (`None` when it does not beat the blend on the validation
/// readers it was not trained on), and each model's validation NDCG@10 per work.
pub fn tune_blend(
    items: &ItemIndex,
    train: &[Interaction],
    params: &TrainParams,
    protocol: &Protocol,
    max_users: Option<usize>,
    rerank: Option<&RerankParams>,
    progress: ProgressFn<'_>,
) -> Result<Tuned> {
    let val_protocol = Protocol {
        seed: protocol.seed.wrapping_add(1),
        ..*protocol
    };
    let mut clock = StageClock::default();
    let val = split::holdout(train, &val_protocol);
    let m = TrainMatrix::build(items, &val.train, &params.weighting);
    let mut p = params.clone();
    p.models = vec![ModelKind::Hybrid];
    let model = TrainedModels::fit(items.clone(), &m, &val.train, &p, progress)?;
    clock.lap("validation fit");
    let cases = cases(items, &m, &val.test, &val_protocol, max_users);
    let all_on = Blend {
        bounds: params.blend.bounds.clone(),
        weights: vec![
            BlendWeights {
                ease: 1.0,
                knn: 1.0,
                als: 1.0,
                content: 1.0,
                popularity: 1.0,
                prior: 0.0,
            };
            params.blend.bounds.len() + 1
        ],
    };
    let hybrid = model.hybrid(&all_on);
    let done = std::sync::atomic::AtomicU64::new(0);
    let total = cases.len() as u64;
    let candidates_of = |profile: &[(u32, f32)], relevant: &[u32]| -> TrainingCase {
        let comps = hybrid.component_scores(profile, items.work_count());
        let candidates = Candidates::new(&CandidateInput {
            components: &comps,
            profile,
            relevance: &model.relevance,
            work_author: &items.work_author,
        });
        let hits = candidates
            .works
            .iter()
            .map(|w| relevant.binary_search(w).is_ok())
            .collect();
        TrainingCase { candidates, hits }
    };
    // Per reader: candidates (the union of every component's top works, the reader's own
    // left out), their features and hit flags; then the same reader cut short.
    let per_reader: Vec<Vec<RerankCase>> = cases
        .par_iter()
        .map(|c| {
            let mut out = vec![RerankCase {
                profile_len: c.profile.len(),
                short: false,
                training: candidates_of(&c.profile, &c.relevant_work),
                n_rel: c.relevant_work.len(),
            }];
            // Only the reranker learns from readers cut short.
            if rerank.is_some() && c.profile.len() >= SHORT_FROM {
                let k = 1 + (c.user as usize % SHORT_SIZES);
                let short = shortened(&c.profile, k, c.user);
                out.push(RerankCase {
                    profile_len: k,
                    short: true,
                    training: candidates_of(&short, &c.relevant_work),
                    n_rel: c.relevant_work.len(),
                });
            }
            let d = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            if d.is_multiple_of(1000) || d == total {
                progress(&Progress {
                    stage: "tuning hybrid".into(),
                    done: d,
                    total,
                });
            }
            out
        })
        .collect();
    clock.lap("candidates");
    // The blend is tuned on the readers as they are (the first case of each).
    let table: Vec<TuneCase> = per_reader
        .iter()
        .map(|r| {
            let c = &r[0];
            let rows = c.training.candidates.blend_rows();
            (
                params.blend.bucket(c.profile_len),
                rows,
                c.training.hits.clone(),
                c.n_rel,
            )
        })
        .collect();
    let buckets = params.blend.bounds.len() + 1;
    let grid = grid();
    // sums[g][b]: summed NDCG of grid point g over bucket b's users.
    let sums: Vec<Vec<f64>> = grid
        .par_iter()
        .map(|g| {
            let mut s = vec![0f64; buckets];
            for (b, rows, hits, n_rel) in &table {
                s[*b] += blend_ndcg(g, rows, hits, *n_rel);
            }
            s
        })
        .collect();
    let mut blend = Blend {
        bounds: params.blend.bounds.clone(),
        weights: Vec::new(),
    };
    let mut best_total = 0.0;
    for b in 0..buckets {
        let (gi, s) = sums
            .iter()
            .enumerate()
            .map(|(i, s)| (i, s[b]))
            .fold((0, f64::MIN), |a, x| if x.1 > a.1 { x } else { a });
        blend.weights.push(grid[gi]);
        best_total += s;
    }
    let n = table.len().max(1) as f64;
    let mut validation = Vec::new();
    let singles = [
        ("ease", [1.0, 0.0, 0.0, 0.0, 0.0]),
        ("item-knn", [0.0, 1.0, 0.0, 0.0, 0.0]),
        ("als", [0.0, 0.0, 1.0, 0.0, 0.0]),
        ("content", [0.0, 0.0, 0.0, 1.0, 0.0]),
        ("popularity", [0.0, 0.0, 0.0, 0.0, 1.0]),
    ];
    for (name, [ease, knn, als, content, popularity]) in singles {
        let g = BlendWeights {
            ease,
            knn,
            als,
            content,
            popularity,
            prior: 0.0,
        };
        let s: f64 = table
            .iter()
            .map(|(_, r, h, n_rel)| blend_ndcg(&g, r, h, *n_rel))
            .sum();
        validation.push((name.to_string(), s / n));
    }
    validation.push(("hybrid".to_string(), best_total / n));
    clock.lap("blend grid");
    progress(&Progress {
        stage: "training the reranker".into(),
        done: 0,
        total: 0,
    });
    let reranker = match rerank {
        Some(r) => fit_reranker(per_reader, &blend, r)?,
        None => None,
    };
    if rerank.is_some() {
        clock.lap("reranker");
    }
    if let Some((_, report)) = &reranker {
        validation.push(("hybrid (held-out fifth)".to_string(), report.linear));
        validation.push((
            "hybrid reranked (held-out fifth)".to_string(),
            report.reranked,
        ));
    }
    Ok(Tuned {
        blend,
        reranker: reranker.map(|r| r.0),
        validation,
        readers: table.len(),
        secs: clock.laps,
    })
}

/// Wall-clock seconds of each stage, in order.
struct StageClock {
    started: std::time::Instant,
    laps: Vec<(&'static str, f64)>,
}

impl Default for StageClock {
    fn default() -> Self {
        Self {
            started: std::time::Instant::now(),
            laps: Vec::new(),
        }
    }
}

impl StageClock {
    /// Close the stage `name`: the time since the last lap (or the start).
    fn lap(&mut self, name: &'static str) {
        let now = std::time::Instant::now();
        self.laps
            .push((name, now.duration_since(self.started).as_secs_f64()));
        self.started = now;
    }
}

/// What tuning on the validation split gives.
pub struct Tuned {
    /// The blend weights per bucket.
    pub blend: Blend,
    /// The reranker, when it beat the blend on validation readers it did not train on.
    pub reranker: Option<Reranker>,
    /// Validation NDCG@10 per work of each single model, the blend (`hybrid`) and the
    /// reranked blend on the readers the reranker did not train on (`hybrid reranked`).
    pub validation: Vec<(String, f64)>,
    /// How many validation readers the tuning scored.
    pub readers: usize,
    /// Seconds each stage of the tuning took: the validation fit, the candidates and their
    /// features, the blend's grid search and (when asked for) the reranker's training.
    pub secs: Vec<(&'static str, f64)>,
}

/// How the reranker did against the blend on the validation readers it did not train on.
struct RerankReport {
    /// Mean NDCG@10 per work of the blend's lists of the held-out readers (as they are, not
    /// cut short).
    linear: f64,
    /// The same for the reranked lists (the blend's below `min_profile` works).
    reranked: f64,
}

/// Train the reranker on four in five validation readers (every case of a reader goes to the
/// same side) and score it against `blend` on the fifth: `min_profile` is the smallest profile
/// size from which it wins at every size measured (1, 2, 3, 4 and 5+), and it is `None` when it
/// loses for readers with 5 or more works. The reranker kept is then trained on every reader.
fn fit_reranker(
    per_reader: Vec<Vec<RerankCase>>,
    blend: &Blend,
    params: &RerankParams,
) -> Result<Option<(Reranker, RerankReport)>> {
    let (mut fit_on, mut held) = (Vec::new(), Vec::new());
    for (i, reader) in per_reader.into_iter().enumerate() {
        if i % 5 == 4 {
            held.extend(reader);
        } else {
            fit_on.extend(reader.into_iter().map(|c| c.training));
        }
    }
    let Some(reranker) = Reranker::fit(&fit_on, params)? else {
        return Ok(None);
    };
    // Per profile size 1, 2, 3, 4, 5+: summed NDCG of the blend and of the reranker, readers.
    let mut sums = [(0f64, 0f64, 0usize); SHORT_SIZES + 1];
    let mut scored_held = Vec::with_capacity(held.len());
    for c in &held {
        let size = c.profile_len.clamp(1, SHORT_SIZES + 1) - 1;
        let rows = c.training.candidates.blend_rows();
        let linear = blend_ndcg(
            &blend.weights_for(c.profile_len),
            &rows,
            &c.training.hits,
            c.n_rel,
        );
        let mut scored: Vec<(f32, u32)> = reranker
            .score(&c.training.candidates)
            .into_iter()
            .enumerate()
            .map(|(i, s)| (s, i as u32))
            .collect();
        let top = metrics::top_of(&mut scored, 10);
        let flags: Vec<bool> = top.iter().map(|&i| c.training.hits[i as usize]).collect();
        let reranked = metrics::ndcg_at(&flags, c.n_rel, 10);
        let s = &mut sums[size];
        s.0 += linear;
        s.1 += reranked;
        s.2 += 1;
        if !c.short {
            scored_held.push((c.profile_len, linear, reranked));
        }
    }
    let wins = |s: &(f64, f64, usize)| s.2 > 0 && s.1 > s.0;
    if !wins(&sums[SHORT_SIZES]) {
        return Ok(None);
    }
    // The smallest size from which every measured size wins.
    let mut min_profile = SHORT_SIZES + 1;
    while min_profile > 1 && wins(&sums[min_profile - 2]) {
        min_profile -= 1;
    }
    fit_on.extend(held.into_iter().map(|c| c.training));
    let Some(mut reranker) = Reranker::fit(&fit_on, params)? else {
        return Ok(None);
    };
    reranker.min_profile = min_profile;
    let n = scored_held.len().max(1) as f64;
    let linear = scored_held.iter().map(|s| s.1).sum::<f64>() / n;
    let reranked = scored_held
        .iter()
        .map(|&(len, l, r)| if len >= min_profile { r } else { l })
        .sum::<f64>()
        / n;
    Ok(Some((reranker, RerankReport { linear, reranked })))
}
