//! Criterion benchmarks of the recommender's hot paths on small, real-shaped synthetic data
//! (power-law popularity and activity like Book-Crossing's): similarity build, one ALS
//! alternation, the EASE solve, ALS fold-in, top-k over a full catalog's scores, and a
//! complete recommendation (fold-in + scoring + top-10 with the rules).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use engine::records::Book;
use engine::recs::data::{Interaction, ItemIndex, TrainMatrix, Weighting};
use engine::recs::metrics::top_k;
use engine::recs::models::als::{Als, AlsParams};
use engine::recs::models::ease::{Ease, EaseParams};
use engine::recs::models::knn::{ItemKnn, KnnParams};
use engine::recs::models::ModelKind;
use engine::recs::models::Scorer;
use engine::recs::rng::SplitMix64;
use engine::recs::serve::Request;
use engine::recs::trained::{TrainParams, TrainedModels};

const WORKS: usize = 4000;
const USERS: u32 = 3000;

fn catalog() -> ItemIndex {
    ItemIndex::from_books((0..WORKS).map(|w| {
        Book::new(
            format!("{w:010}"),
            format!("Title {w} word{}", w % 97),
            format!("Author {}", w % 700),
        )
        .with_year(1960 + (w % 45) as u16)
        .with_publisher(format!("Publisher {}", w % 60))
    }))
}

/// Zipf-like item popularity and user activity.
fn interactions(seed: u64) -> Vec<Interaction> {
    let mut rng = SplitMix64::new(seed);
    let mut out = Vec::new();
    for u in 0..USERS {
        // Activity: most users few books, a few users hundreds.
        let n = (3.0 / (0.01 + (rng.below(1000) as f64 / 1000.0))) as usize;
        for _ in 0..n.min(400) {
            let r = rng.below(1_000_000) as f64 / 1_000_000.0;
            let item = ((WORKS as f64).powf(r) as usize).min(WORKS - 1);
            let rating = [0u8, 0, 0, 5, 7, 8, 9, 10][rng.below(8)];
            out.push(Interaction {
                user: u,
                item: item as u32,
                rating,
            });
        }
    }
    out.sort_unstable_by_key(|r| (r.user, r.item));
    out.dedup_by_key(|r| (r.user, r.item));
    out
}

fn bench(c: &mut Criterion) {
    let items = catalog();
    let train = interactions(1);
    let w = Weighting {
        implicit: 1.0,
        explicit_low: 0.5,
        explicit_high: 2.0,
    };
    let m = TrainMatrix::build(&items, &train, &w);
    let mut g = c.benchmark_group("recs");
    g.sample_size(10);

    g.bench_function("knn similarity build", |b| {
        b.iter(|| ItemKnn::train(&m, &KnnParams::default()))
    });
    for f in [64usize, 128] {
        let p = AlsParams {
            factors: f,
            iterations: 1,
            ..AlsParams::default()
        };
        g.bench_with_input(BenchmarkId::new("als iteration", f), &p, |b, p| {
            b.iter(|| Als::train(&m, p, |_, _| {}))
        });
    }
    let ease_params = EaseParams {
        lambda: 50.0,
        min_users: 1,
        max_items: 1500,
        user_damping: 0.0,
        keep_per_row: 0,
    };
    g.bench_function("ease solve 1500 works", |b| {
        b.iter(|| Ease::train(&m, &ease_params).map(|e| e.len()))
    });

    let als = Als::train(&m, &AlsParams::default(), |_, _| {});
    let profile = m.row(0);
    g.bench_function("als fold-in", |b| b.iter(|| als.fold_in(&profile)));

    let mut rng = SplitMix64::new(9);
    let scores: Vec<f32> = (0..250_000).map(|_| rng.centered(1.0)).collect();
    g.bench_function("top-10 of 250k scores", |b| {
        b.iter(|| top_k(&scores, 10, |_| true))
    });

    let model = TrainedModels::train(
        items.clone(),
        &train,
        &TrainParams {
            ease: ease_params,
            ..TrainParams::default()
        },
        &|_| {},
    )
    .map_err(|e| e.to_string());
    if let Ok(model) = model {
        let req = Request {
            ratings: train
                .iter()
                .filter(|r| r.user == 5)
                .map(|r| (items.keys[r.item as usize].clone(), r.rating))
                .collect(),
            k: 10,
            ..Request::default()
        };
        for kind in [
            ModelKind::Ease,
            ModelKind::Knn,
            ModelKind::Als,
            ModelKind::Hybrid,
        ] {
            g.bench_function(BenchmarkId::new("recommend top-10", kind.name()), |b| {
                b.iter(|| model.serving().recommend(kind, &req).map(|r| r.len()))
            });
        }
        if let Some(ease) = &model.ease {
            let mut out = vec![f32::NEG_INFINITY; items.work_count()];
            g.bench_function("ease score", |b| b.iter(|| ease.score(&profile, &mut out)));
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
