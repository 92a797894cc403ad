//! What one model costs on one dataset: training time, the training process's peak RSS, the
//! model file's size, its load time, and the fold-in latency (p50, p99). One model per process,
//! so the peak is that model's; `bench/scaling.sh` runs it per model and per size of the
//! synthetic data (`examples/synth_data.rs`) and plots the table (`docs/scaling.md`).
//!
//! ```text
//! cargo run --release -p engine --example scale_bench -- --data DIR --model NAME \
//!     [--label X] [--model-file FILE] [--requests N] [--ease-budget-mb N] [--rerank]
//! cargo run --release -p engine --example scale_bench -- --header
//! ```
//!
//! Prints one tab-separated row (`--header`: the column names instead). The model file
//! holds the bundle with only that model (plus what every bundle carries: the catalog,
//! popularity, the edition chooser); the hybrid's trains every model. The training peak is the
//! kernel's peak RSS of the process (`VmHWM`) once training is done: reading the files and
//! training, what a process that trains from these files needs (`/usr/bin/time -v` reports the
//! same peak for the whole run, serving included). `loaded_mb` is the resident memory the
//! loaded model adds.
//!
//! `--rerank` (with the hybrid): train as `shelfwise train` does by default, tuning the blend
//! and training the reranker on a validation split first (`eval::train_tuned`); the row's
//! model is then `hybrid-reranked`, and the stages of the tuning go to standard error.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use engine::datasets::load::load_bookcrossing;
use engine::recs::eval;
use engine::recs::models::rerank::RerankParams;
use engine::recs::models::ModelKind;
use engine::recs::serve::latency::{quantile, recommend_times, sample_readers};
use engine::recs::trained::{TrainParams, TrainedModels};

/// The command line.
struct Options {
    data: PathBuf,
    model: ModelKind,
    label: String,
    model_file: PathBuf,
    requests: usize,
    ease_budget: Option<u64>,
    rerank: bool,
    header: bool,
}

const COLUMNS: &str =
    "label\tmodel\treaders\tworks\teditions\tratings\tease_works\tease_eligible\tload_data_s\t\
                       train_s\ttrain_peak_mb\tmodel_mb\tload_s\tloaded_mb\tp50_ms\tp99_ms";

fn options() -> Result<Options, String> {
    let mut args = std::env::args().skip(1);
    let mut o = Options {
        data: PathBuf::from("data/raw"),
        model: ModelKind::Hybrid,
        label: String::new(),
        model_file: std::env::temp_dir().join("scale_bench_model.bin"),
        requests: 500,
        ease_budget: None,
        rerank: false,
        header: false,
    };
    while let Some(a) = args.next() {
        if a == "--header" {
            o.header = true;
            continue;
        }
        if a == "--rerank" {
            o.rerank = true;
            continue;
        }
        let v = args.next().ok_or_else(|| format!("{a} needs a value"))?;
        let bad = |_| format!("bad value for {a}");
        match a.as_str() {
            "--data" => o.data = v.into(),
            "--model" => {
                o.model = v
                    .parse()
                    .map_err(|e: engine::recs::RecsError| e.to_string())?
            }
            "--label" => o.label = v,
            "--model-file" => o.model_file = v.into(),
            "--requests" => o.requests = v.parse().map_err(bad)?,
            "--ease-budget-mb" => o.ease_budget = Some(v.parse::<u64>().map_err(bad)? * 1_000_000),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(o)
}

fn main() -> ExitCode {
    let o = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    if o.header {
        println!("{COLUMNS}");
        return ExitCode::SUCCESS;
    }
    match run(&o) {
        Ok(row) => {
            println!("{row}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A field of `/proc/self/status` in MB (its values are kB); 0 where there is none.
fn status_mb(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb * 1024.0 / 1e6)
}

fn run(o: &Options) -> Result<String, Box<dyn std::error::Error>> {
    let t = Instant::now();
    let data = load_bookcrossing(&o.data)?;
    let load_data_s = t.elapsed().as_secs_f64();
    if o.rerank && o.model != ModelKind::Hybrid {
        return Err("--rerank is for the hybrid".into());
    }
    let mut params = TrainParams {
        models: vec![o.model],
        rerank: o.rerank.then(RerankParams::default),
        ..TrainParams::default()
    };
    if let Some(budget) = o.ease_budget {
        params.ease = params.ease.with_memory_budget(budget);
    }
    let t = Instant::now();
    let progress =
        |p: &engine::recs::Progress| eprintln!("[{:7.1}s] {}", t.elapsed().as_secs_f64(), p.stage);
    let model = if o.rerank {
        eval::train_tuned(data.items.clone(), &data.ratings, &params, &progress)?
    } else {
        TrainedModels::train(data.items.clone(), &data.ratings, &params, &progress)?
    };
    let train_s = t.elapsed().as_secs_f64();
    for (stage, secs) in &model.tuning_secs {
        eprintln!("tuning: {stage} {secs:.1} s");
    }
    if o.rerank {
        match &model.reranker {
            Some(r) => eprintln!("reranker: kept, for profiles of {}+ works", r.min_profile),
            None => eprintln!("reranker: none (it did not beat the blend on validation readers)"),
        }
    }
    let train_peak_mb = status_mb("VmHWM:");
    let ease_works = model.ease.as_ref().map_or(0, |e| e.len());
    model.save(&o.model_file)?;
    let model_mb = std::fs::metadata(&o.model_file)?.len() as f64 / 1e6;
    drop(model);
    let before = status_mb("VmRSS:");
    let t = Instant::now();
    let model = TrainedModels::load(&o.model_file)?;
    let load_s = t.elapsed().as_secs_f64();
    // What the loaded model holds (the file's bytes are freed once decoded).
    let loaded_mb = status_mb("VmRSS:") - before;
    let readers = sample_readers(&data, 5, o.requests, 11);
    // One untimed pass over a few readers: the first requests pay for page faults and lazily
    // built tables that a running server has long paid for.
    recommend_times(&model, o.model, &readers[..readers.len().min(20)], 10)?;
    let times = recommend_times(&model, o.model, &readers, 10)?;
    // The works EASE would keep with no budget (every work with min_users readers): what its
    // dense matrix would need, n² · 4 bytes. Counted last, so it weighs on no peak above.
    let mut pairs: Vec<(u32, u32)> = data
        .ratings
        .iter()
        .map(|r| (data.items.work_of[r.item as usize], r.user))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let ease_eligible = pairs
        .chunk_by(|a, b| a.0 == b.0)
        .filter(|c| c.len() >= params.ease.min_users as usize)
        .count();
    Ok(format!(
        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{:.1}\t{:.1}\t{:.0}\t{:.1}\t{:.2}\t{:.0}\t{:.2}\t{:.2}",
        o.label,
        if o.rerank {
            "hybrid-reranked".to_string()
        } else {
            o.model.to_string()
        },
        data.ratings
            .iter()
            .map(|r| r.user)
            .collect::<std::collections::HashSet<_>>()
            .len(),
        data.items.work_count(),
        data.items.len(),
        data.ratings.len(),
        ease_works,
        ease_eligible,
        load_data_s,
        train_s,
        train_peak_mb,
        model_mb,
        load_s,
        loaded_mb,
        quantile(&times, 0.5),
        quantile(&times, 0.99),
    ))
}
