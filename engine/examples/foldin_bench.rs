//! Fold-in + top-10 latency over the full catalog: p50 and p99 per model.
//!
//! Trains on the whole Book-Crossing dataset (or loads a model saved with `--save`), then
//! serves readers the model treats as new: each request carries the reader's ratings, is
//! folded in (ALS solves the reader's factors; EASE and kNN score from the rated works), scored
//! over every work, filtered by the rules, cut to 10 and explained.
//!
//! ```text
//! cargo run --release -p engine --example foldin_bench -- --data data/raw [--save FILE | --load FILE] [--requests N] [--rounds N] [--rerank | --no-rerank]
//! ```
//!
//! It also times [`Serving::similar`](engine::recs::serve::Serving::similar) (a book page's lists) on the rated books of the
//! sampled readers. Each round prints one table; `--rounds` repeats them on the same model, so
//! a shared machine's noise shows. `--default-blend` replaces a loaded model's hybrid weights
//! with [`TrainParams::default`]'s (what a server trained today would use). `--rerank` trains
//! the hybrid's reranker (on a validation split first, as the server does); `--no-rerank` drops
//! a loaded model's, so one model file times the hybrid with and without it.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use engine::recs::eval::{load, DataSource};
use engine::recs::models::ModelKind;
use engine::recs::serve::latency::{quantile, recommend_times, sample_readers, time_each};
use engine::recs::serve::Request;
use engine::recs::trained::{TrainParams, TrainedModels};

fn main() -> ExitCode {
    let usage = "usage: foldin_bench [--data DIR] [--save FILE | --load FILE] [--requests N] \
                 [--rounds N] [--default-blend] [--rerank | --no-rerank]";
    let mut args = std::env::args().skip(1);
    let mut o = Options {
        data: PathBuf::from("data/raw"),
        save: None,
        load: None,
        requests: 500,
        rounds: 1,
        default_blend: false,
        rerank: None,
    };
    while let Some(a) = args.next() {
        if a == "--default-blend" {
            o.default_blend = true;
            continue;
        }
        if a == "--rerank" || a == "--no-rerank" {
            o.rerank = Some(a == "--rerank");
            continue;
        }
        let Some(v) = args.next() else {
            eprintln!("{usage}");
            return ExitCode::from(2);
        };
        let number = |v: &str| v.parse::<usize>().ok();
        match a.as_str() {
            "--data" => o.data = v.into(),
            "--save" => o.save = Some(PathBuf::from(v)),
            "--load" => o.load = Some(PathBuf::from(v)),
            "--rounds" | "--requests" => {
                let Some(n) = number(&v) else {
                    eprintln!("bad {a}");
                    return ExitCode::from(2);
                };
                if a == "--rounds" {
                    o.rounds = n;
                } else {
                    o.requests = n;
                }
            }
            _ => {
                eprintln!("{usage}");
                return ExitCode::from(2);
            }
        }
    }
    match run(o) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The command line.
struct Options {
    data: PathBuf,
    save: Option<PathBuf>,
    load: Option<PathBuf>,
    requests: usize,
    rounds: usize,
    default_blend: bool,
    /// `--rerank`: train with the reranker (blend tuned on a validation split first);
    /// `--no-rerank`: drop a loaded model's reranker.
    rerank: Option<bool>,
}

fn run(o: Options) -> Result<(), engine::recs::RecsError> {
    let Options {
        data,
        save,
        load: load_from,
        requests,
        rounds,
        default_blend,
        rerank,
    } = o;
    let dataset = load(&DataSource::BookCrossing(data))?;
    let t = Instant::now();
    let mut model = match &load_from {
        Some(path) => TrainedModels::load(path)?,
        None => {
            let progress =
                |p: &engine::recs::Progress| eprintln!("{} {}/{}", p.stage, p.done, p.total);
            let params = TrainParams::default();
            if rerank == Some(true) {
                engine::recs::eval::train_tuned(
                    dataset.items.clone(),
                    &dataset.ratings,
                    &params,
                    &progress,
                )?
            } else {
                TrainedModels::train(dataset.items.clone(), &dataset.ratings, &params, &progress)?
            }
        }
    };
    if rerank == Some(false) {
        model.reranker = None;
    }
    eprintln!("model ready in {:.1}s", t.elapsed().as_secs_f64());
    if default_blend {
        model.params.blend = TrainParams::default().blend;
    }
    if let Some(path) = &save {
        let t = Instant::now();
        model.save(path)?;
        let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        eprintln!(
            "saved in {:.1}s, {} bytes",
            t.elapsed().as_secs_f64(),
            bytes
        );
    }
    // Readers with 5+ ratings, sampled; each request is their full rating list.
    let readers = sample_readers(&dataset, 5, requests, 11);
    println!(
        "{} readers, catalog {} editions / {} works; fold-in + score + rules + top-10 + explanations",
        readers.len(),
        model.items.len(),
        model.items.work_count()
    );
    // Book pages: the first rated book of each sampled reader.
    let pages: Vec<String> = readers.iter().map(|r| r[0].0.clone()).collect();
    for round in 1..=rounds {
        println!("round {round}");
        println!(
            "{:<20} {:>8} {:>8} {:>8}",
            "model", "p50 ms", "p99 ms", "max ms"
        );
        for kind in ModelKind::ALL {
            report(kind.name(), &recommend_times(&model, kind, &readers, 10)?);
        }
        for kind in [
            ModelKind::Knn,
            ModelKind::Ease,
            ModelKind::Content,
            ModelKind::Hybrid,
        ] {
            let none = Request::default();
            let times = time_each(&pages, |key| {
                model
                    .serving()
                    .similar(kind, key, 10, &none)
                    .map(|r| r.len())
            })?;
            report(&format!("similar {}", kind.name()), &times);
        }
    }
    Ok(())
}

fn report(name: &str, times: &[f64]) {
    let q = |p: f64| quantile(times, p);
    println!(
        "{:<20} {:>8.2} {:>8.2} {:>8.2}",
        name,
        q(0.5),
        q(0.99),
        q(1.0)
    );
}
