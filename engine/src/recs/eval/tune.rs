//! Tuning the hybrid's blend weights on a validation split.

use super::*;

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

/// One validation user for tuning: activity bucket, normalised component scores and relevance
/// prior of each candidate, whether each candidate is relevant, number of relevant works.
pub(super) type TuneCase = (usize, Vec<([f32; 5], f32)>, Vec<bool>, usize);

/// Tune the hybrid's weights per activity bucket on a validation split carved from `train`
/// (the protocol applied again, with another seed). Returns the blend and each single
/// model's and the hybrid's validation NDCG@10 per work.
pub fn tune_blend(
    items: &ItemIndex,
    train: &[Interaction],
    params: &TrainParams,
    protocol: &Protocol,
    max_users: Option<usize>,
    rules: EvalRules,
    progress: ProgressFn<'_>,
) -> Result<(Blend, Vec<(String, f64)>)> {
    let val_protocol = Protocol {
        seed: protocol.seed.wrapping_add(1),
        ..*protocol
    };
    let val = split::holdout(train, &val_protocol);
    let m = TrainMatrix::build(items, &val.train, &params.weighting);
    let mut p = params.clone();
    p.models = vec![ModelKind::Hybrid];
    let model = TrainedModels::fit(items.clone(), &m, &val.train, &p, progress)?;
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
    const PER_MODEL: usize = 50;
    let done = std::sync::atomic::AtomicU64::new(0);
    let total = cases.len() as u64;
    // Per user: candidate works, their normalised component scores, hit flags.
    let table: Vec<TuneCase> = cases
        .par_iter()
        .map(|c| {
            let comps = hybrid.component_scores(&c.profile, items.work_count());
            let excluded = Shown::new(&model, rules, &c.profile, &c.train_isbns).excluded;
            let mut cand: Vec<u32> = Vec::new();
            for (s, _) in &comps {
                if s.is_empty() {
                    continue;
                }
                let top = metrics::top_k(s, PER_MODEL, |w| !excluded.contains(&w));
                cand.extend(top);
            }
            cand.sort_unstable();
            cand.dedup();
            let rows: Vec<([f32; 5], f32)> = cand
                .iter()
                .map(|&w| {
                    let mut r = [0f32; 5];
                    for (k, (s, norm)) in comps.iter().enumerate() {
                        if let Some(&v) = s.get(w as usize) {
                            if v.is_finite() {
                                r[k] = v * norm;
                            }
                        }
                    }
                    (r, model.relevance[w as usize])
                })
                .collect();
            let hits = cand
                .iter()
                .map(|w| c.relevant_work.binary_search(w).is_ok())
                .collect();
            let d = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            if d.is_multiple_of(1000) || d == total {
                progress(&Progress {
                    stage: "tuning hybrid".into(),
                    done: d,
                    total,
                });
            }
            (
                params.blend.bucket(c.profile.len()),
                rows,
                hits,
                c.relevant_work.len(),
            )
        })
        .collect();
    let ndcg_of =
        |g: &BlendWeights, rows: &[([f32; 5], f32)], hits: &[bool], n_rel: usize| -> f64 {
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
        };
    let buckets = params.blend.bounds.len() + 1;
    let grid = grid();
    // sums[g][b]: summed NDCG of grid point g over bucket b's users.
    let sums: Vec<Vec<f64>> = grid
        .par_iter()
        .map(|g| {
            let mut s = vec![0f64; buckets];
            for (b, rows, hits, n_rel) in &table {
                s[*b] += ndcg_of(g, rows, hits, *n_rel);
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
            .map(|(_, r, h, n_rel)| ndcg_of(&g, r, h, *n_rel))
            .sum();
        validation.push((name.to_string(), s / n));
    }
    validation.push(("hybrid".to_string(), best_total / n));
    Ok((blend, validation))
}
