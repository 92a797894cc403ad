//! Run the recommender evaluation from the command line (what `shelfwise eval` wires up).
//!
//! ```text
//! cargo run --release -p engine --example recs_eval -- --data data/raw \
//!     [--goodbooks DIR] [--train FILE --test FILE] [--split-out DIR] [--recs-out FILE]
//!     [--model NAME] [--models a,b,c] [--max-users N] [--no-tune] [--no-rerank] [--product-rules]
//!     [--ease-lambda X] [--ease-min N] [--ease-max N] [--ease-keep N] [--knn-k N] [--knn-shrink X]
//!     [--als-factors N] [--als-iters N] [--als-alpha X] [--als-reg X] [--als-min N]
//!     [--w-implicit X] [--w-low X] [--w-high X] [--max-per-author N]
//!     [--lists-out DIR] [--cold-start] [--cold-sizes 1,2,3,5,10] [--cold-per-bucket N]
//!     [--cold-max N]
//! ```
//!
//! `--lists-out DIR` writes every model's top-20 per scored reader (`DIR/shelfwise-MODEL.csv`,
//! `user_id,rank,isbn`). `--cold-start` evaluates on the cold-start split instead of the
//! protocol's (readers with 11–`--cold-max` interactions cut down to n random training
//! interactions, `--cold-per-bucket` readers per n; see `engine::recs::eval::ColdStart`):
//! `--split-out` also gets `buckets.csv` (`user_id,bucket`) and the report per-bucket rows.

use std::path::PathBuf;
use std::process::ExitCode;

use engine::recs::eval::{run, ColdStart, DataSource, EvalConfig};
use engine::recs::models::ModelKind;

fn parse<T: std::str::FromStr>(flag: &str, v: Option<String>) -> Result<T, String> {
    v.ok_or_else(|| format!("{flag} needs a value"))?
        .parse()
        .map_err(|_| format!("bad value for {flag}"))
}

fn config() -> Result<EvalConfig, String> {
    let mut args = std::env::args().skip(1);
    let mut c = EvalConfig::new(DataSource::BookCrossing("data/raw".into()));
    while let Some(a) = args.next() {
        let p = &mut c.params;
        match a.as_str() {
            "--data" => c.data = DataSource::BookCrossing(parse::<PathBuf>(&a, args.next())?),
            "--goodbooks" => c.data = DataSource::Goodbooks(parse::<PathBuf>(&a, args.next())?),
            "--train" => c.train_file = Some(parse(&a, args.next())?),
            "--test" => c.test_file = Some(parse(&a, args.next())?),
            "--split-out" => c.split_out = Some(parse(&a, args.next())?),
            "--recs-out" => c.recs_out = Some(parse(&a, args.next())?),
            "--model" => {
                c.recs_model = Some(
                    parse::<String>(&a, args.next())?
                        .parse::<ModelKind>()
                        .map_err(|e| e.to_string())?,
                )
            }
            "--models" => {
                p.models = parse::<String>(&a, args.next())?
                    .split(',')
                    .map(|m| m.parse::<ModelKind>().map_err(|e| e.to_string()))
                    .collect::<Result<_, _>>()?
            }
            "--max-users" => c.max_users = Some(parse(&a, args.next())?),
            "--no-tune" => c.tune_blend = false,
            "--no-rerank" => c.params.rerank = None,
            "--product-rules" => c.rules = engine::recs::eval::EvalRules::Product,
            "--seed" => c.protocol.seed = parse(&a, args.next())?,
            "--lists-out" => c.lists_out = Some(parse(&a, args.next())?),
            "--cold-start" => {
                c.cold_start.get_or_insert_with(ColdStart::default);
            }
            "--cold-sizes" => {
                let cold = c.cold_start.get_or_insert_with(ColdStart::default);
                cold.sizes = parse::<String>(&a, args.next())?
                    .split(',')
                    .map(|n| n.parse().map_err(|_| format!("bad value for {a}")))
                    .collect::<Result<_, _>>()?;
                cold.min_interactions = cold.sizes.iter().max().map_or(1, |m| m + 1);
            }
            "--cold-per-bucket" => {
                c.cold_start
                    .get_or_insert_with(ColdStart::default)
                    .per_bucket = parse(&a, args.next())?
            }
            "--cold-max" => {
                c.cold_start
                    .get_or_insert_with(ColdStart::default)
                    .max_interactions = parse(&a, args.next())?
            }
            "--ease-lambda" => p.ease.lambda = parse(&a, args.next())?,
            "--ease-min" => p.ease.min_users = parse(&a, args.next())?,
            "--ease-max" => p.ease.max_items = parse(&a, args.next())?,
            "--ease-damping" => p.ease.user_damping = parse(&a, args.next())?,
            "--ease-keep" => p.ease.keep_per_row = parse(&a, args.next())?,
            "--knn-k" => p.knn.neighbours = parse(&a, args.next())?,
            "--knn-shrink" => p.knn.shrink = parse(&a, args.next())?,
            "--knn-min" => p.knn.min_users = parse(&a, args.next())?,
            "--als-factors" => p.als.factors = parse(&a, args.next())?,
            "--als-iters" => p.als.iterations = parse(&a, args.next())?,
            "--als-alpha" => p.als.alpha = parse(&a, args.next())?,
            "--als-reg" => p.als.regularization = parse(&a, args.next())?,
            "--als-min" => p.als.min_users = parse(&a, args.next())?,
            "--w-implicit" => p.weighting.implicit = parse(&a, args.next())?,
            "--w-low" => p.weighting.explicit_low = parse(&a, args.next())?,
            "--w-high" => p.weighting.explicit_high = parse(&a, args.next())?,
            "--max-per-author" => p.max_per_author = parse(&a, args.next())?,
            "--edition-weight" => p.edition_weight = parse(&a, args.next())?,
            "--edition-rater-weight" => p.edition_rater_weight = parse(&a, args.next())?,
            "--edition-first-weight" => p.edition_first_weight = parse(&a, args.next())?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(c)
}

fn main() -> ExitCode {
    let config = match config() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let start = std::time::Instant::now();
    let progress = move |p: &engine::recs::Progress| {
        if p.total > 0 {
            eprintln!(
                "[{:7.1}s] {} {}/{}",
                start.elapsed().as_secs_f64(),
                p.stage,
                p.done,
                p.total
            );
        } else {
            eprintln!("[{:7.1}s] {}", start.elapsed().as_secs_f64(), p.stage);
        }
    };
    match run(&config, &progress) {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
