//! `shelfwise eval`: the recommendation models against the held-out protocol, as one table.

use engine::recs::eval::{self, DataSource, EvalConfig, EvalRules};
use engine::recs::models::ModelKind;
use engine::recs::Progress;
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::EvalArgs;
use crate::{Error, Result};

/// Run the evaluation and print its table on standard output (progress goes to standard error).
pub fn run(args: &EvalArgs) -> Result<()> {
    let data = match &args.goodbooks {
        Some(dir) => DataSource::Goodbooks(dir.clone()),
        None => DataSource::BookCrossing(args.book_crossing.clone()),
    };
    let mut config = EvalConfig::new(data);
    config.train_file = args.train.clone();
    config.test_file = args.test.clone();
    config.recs_out = args.recs_out.clone();
    config.split_out = args.split_out.clone();
    config.max_users = args.max_users;
    config.recs_model = args
        .model
        .as_deref()
        .map(|name| name.parse::<ModelKind>())
        .transpose()
        .map_err(|e| Error::Usage(format!("--model: {e}")))?;
    if args.product_rules {
        config.rules = EvalRules::Product;
    }
    if args.no_rerank {
        config.params.rerank = None;
    }

    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("[{elapsed_precise}] {msg:32} {bar:30} {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let progress = |p: &Progress| {
        bar.set_message(p.stage.clone());
        bar.set_length(p.total);
        bar.set_position(p.done);
    };
    let report = eval::run(&config, &progress)?;
    bar.finish_and_clear();
    println!("{report}");
    Ok(())
}
