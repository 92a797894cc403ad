//! Fold-in + top-10 latency over the full catalog: p50 and p99 per model.
//!
//! Trains on the whole Book-Crossing dataset (or loads a model saved with `--save`), then
//! serves readers the model treats as new: each request carries the reader's ratings, is
//! folded in (ALS solves the reader's factors; EASE and kNN score from the rated works), scored
//! over every work, filtered by the rules, cut to 10 and explained.
//!
//! ```text
//! cargo run --release -p engine --example foldin_bench -- --data data/raw [--save FILE | --load FILE] [--requests N]
//! ```

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use engine::recs::eval::{load, DataSource};
use engine::recs::recommend::{ModelKind, Request, TrainParams, TrainedModel};
use engine::recs::rng::SplitMix64;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (mut data, mut save, mut load_from, mut requests) =
        (PathBuf::from("data/raw"), None, None, 500usize);
    while let Some(a) = args.next() {
        let v = args.next();
        match (a.as_str(), v) {
            ("--data", Some(v)) => data = v.into(),
            ("--save", Some(v)) => save = Some(PathBuf::from(v)),
            ("--load", Some(v)) => load_from = Some(PathBuf::from(v)),
            ("--requests", Some(v)) => match v.parse() {
                Ok(n) => requests = n,
                Err(_) => {
                    eprintln!("bad --requests");
                    return ExitCode::from(2);
                }
            },
            _ => {
                eprintln!(
                    "usage: foldin_bench [--data DIR] [--save FILE | --load FILE] [--requests N]"
                );
                return ExitCode::from(2);
            }
        }
    }
    match run(data, save, load_from, requests) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(
    data: PathBuf,
    save: Option<PathBuf>,
    load_from: Option<PathBuf>,
    requests: usize,
) -> Result<(), engine::recs::RecsError> {
    let dataset = load(&DataSource::BookCrossing(data))?;
    let t = Instant::now();
    let model = match &load_from {
        Some(path) => TrainedModel::load(path)?,
        None => {
            let params = TrainParams::default();
            TrainedModel::train(dataset.items.clone(), &dataset.ratings, &params, &|p| {
                eprintln!("{} {}/{}", p.stage, p.done, p.total)
            })?
        }
    };
    eprintln!("model ready in {:.1}s", t.elapsed().as_secs_f64());
    if let Some(path) = &save {
        let t = Instant::now();
        model.save(path)?;
        eprintln!("saved in {:.1}s", t.elapsed().as_secs_f64());
    }
    // Readers with 5+ ratings, sampled; each request is their full rating list.
    let mut by_user: std::collections::BTreeMap<u32, Vec<(String, u8)>> = Default::default();
    for r in &dataset.ratings {
        by_user
            .entry(r.user)
            .or_default()
            .push((dataset.items.keys[r.item as usize].clone(), r.rating));
    }
    let mut readers: Vec<Vec<(String, u8)>> =
        by_user.into_values().filter(|r| r.len() >= 5).collect();
    SplitMix64::new(11).shuffle(&mut readers);
    readers.truncate(requests);
    println!(
        "{} readers, catalog {} editions / {} works; fold-in + score + rules + top-10 + explanations",
        readers.len(),
        model.items.len(),
        model.items.work_count()
    );
    println!(
        "{:<12} {:>8} {:>8} {:>8}",
        "model", "p50 ms", "p99 ms", "max ms"
    );
    for kind in ModelKind::ALL {
        let mut times: Vec<f64> = Vec::with_capacity(readers.len());
        for ratings in &readers {
            let req = Request {
                ratings: ratings.clone(),
                k: 10,
                ..Request::default()
            };
            let t = Instant::now();
            let recs = model.recommend(kind, &req)?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            std::hint::black_box(recs);
        }
        times.sort_by(f64::total_cmp);
        let q = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
        println!(
            "{:<12} {:>8.2} {:>8.2} {:>8.2}",
            kind.name(),
            q(0.5),
            q(0.99),
            q(1.0)
        );
    }
    Ok(())
}
