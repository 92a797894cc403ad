//! The ALS component trained on Spark MLlib against the engine's own, on the protocol's split
//! of Book-Crossing: what `make spark` runs (`scripts/spark-check.sh`, docs/spark.md).
//!
//! ```text
//! cargo run --release -p engine --example spark_als -- export --data data/raw --out DIR
//! spark/als.py DIR FACTORS --master 'local[2]' ...
//! cargo run --release -p engine --example spark_als -- check --data data/raw --factors FACTORS \
//!     [--tolerance 0.1] [--max-users N]
//! ```
//!
//! `export` writes the training part of the split (the protocol's hold-out, seed 42) as the
//! engine's ALS sees it, through the same `external_als::write_export` as `shelfwise
//! export-als`. `check` splits again (the same split: it does not depend on anything but the
//! data and the seed, and the manifest's catalog fingerprint must match), loads Spark's work
//! factors, folds every held-out reader in, trains the engine's own ALS with Spark's rank,
//! iterations, α and minimum readers, scores both by the protocol, and fails unless Spark's
//! NDCG@10 per work is within `--tolerance` (relative) of the engine's.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use engine::recs::data::{profile, TrainMatrix};
use engine::recs::eval::{self, DataSource, EvalRules, ModelRow};
use engine::recs::external_als;
use engine::recs::models::ModelKind;
use engine::recs::split::{self, Protocol};
use engine::recs::trained::{TrainParams, TrainedModels};

/// What the command line asks for.
struct Args {
    command: String,
    data: PathBuf,
    out: Option<PathBuf>,
    factors: Option<PathBuf>,
    tolerance: f64,
    max_users: Option<usize>,
}

fn args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let command = it.next().ok_or("usage: spark_als export|check ...")?;
    let mut a = Args {
        command,
        data: "data/raw".into(),
        out: None,
        factors: None,
        tolerance: 0.1,
        max_users: None,
    };
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--data" => a.data = value()?.into(),
            "--out" => a.out = Some(value()?.into()),
            "--factors" => a.factors = Some(value()?.into()),
            "--tolerance" => a.tolerance = value()?.parse().map_err(|_| "bad --tolerance")?,
            "--max-users" => a.max_users = Some(value()?.parse().map_err(|_| "bad --max-users")?),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(a)
}

/// Book-Crossing split by the protocol, and the training matrix as the engine weighs it.
struct Prepared {
    items: engine::recs::data::ItemIndex,
    split: split::Split,
    matrix: TrainMatrix,
    params: TrainParams,
}

fn prepare(data: &Path) -> Result<Prepared, String> {
    let dataset =
        eval::load(&DataSource::BookCrossing(data.to_path_buf())).map_err(|e| e.to_string())?;
    let split = split::holdout(&dataset.ratings, &Protocol::default());
    let params = TrainParams::default();
    let matrix = TrainMatrix::build(&dataset.items, &split.train, &params.weighting);
    Ok(Prepared {
        items: dataset.items,
        split,
        matrix,
        params,
    })
}

fn export(a: &Args) -> Result<(), String> {
    let out = a.out.as_ref().ok_or("export needs --out DIR")?;
    let p = prepare(&a.data)?;
    let manifest = external_als::write_export(out, &p.items, &p.matrix, &p.params.weighting)
        .map_err(|e| e.to_string())?;
    println!(
        "exported {} interactions of {} readers over {} works to {}",
        manifest.interactions,
        manifest.readers,
        manifest.works,
        out.display()
    );
    Ok(())
}

fn row(r: &ModelRow, name: &str) -> String {
    format!(
        "{name:<22} {:>8.4} {:>9.4} | {:>8.4} {:>9.4} | {:>8.1}",
        r.isbn.ndcg10, r.isbn.recall20, r.work.ndcg10, r.work.recall20, r.train_secs
    )
}

fn check(a: &Args) -> Result<bool, String> {
    let dir = a.factors.as_ref().ok_or("check needs --factors DIR")?;
    let started = Instant::now();
    let Prepared {
        items,
        split,
        matrix,
        mut params,
    } = prepare(&a.data)?;
    let factors = external_als::read_item_factors(dir, &items, &params.weighting)
        .map_err(|e| e.to_string())?;
    let trainer = factors.trainer.clone();
    // The engine's own ALS with the settings Spark trained with (λ aside: Spark's is scaled
    // per row, the engine's is not; fold-in keeps the engine's).
    params.als.factors = trainer.rank;
    params.als.iterations = trainer.max_iter;
    params.als.alpha = trainer.alpha;
    params.als.min_users = trainer.min_users;
    params.models = vec![ModelKind::Als];
    let spark_als = factors
        .into_als(&params.als, items.work_count())
        .map_err(|e| e.to_string())?;
    let quiet = |_: &engine::recs::Progress| {};
    eprintln!(
        "[{:6.1}s] training the engine's ALS (rank {}, {} iterations)",
        started.elapsed().as_secs_f64(),
        trainer.rank,
        trainer.max_iter
    );
    let own = TrainedModels::fit(items.clone(), &matrix, &split.train, &params, &quiet)
        .map_err(|e| e.to_string())?;
    let spark = TrainedModels::fit_with_als(
        items,
        &matrix,
        &split.train,
        &params,
        Some((spark_als, trainer.seconds)),
        &quiet,
    )
    .map_err(|e| e.to_string())?;
    let (Some(own_als), Some(spark_als)) = (&own.als, &spark.als) else {
        return Err("no ALS in a trained bundle".into());
    };

    // Fold-in: every held-out reader with a modelled training work, from their training
    // profile (as the protocol scores them) and from their held-out books alone (a reader
    // the model never saw).
    let relevant = split::relevant_by_user(&split.test, Protocol::default().relevant_min);
    let (mut folded, mut modelled, mut unseen_folded, mut unseen) = (0, 0, 0, 0);
    let mut held_out: std::collections::HashMap<u32, Vec<(u32, u8)>> = Default::default();
    for r in &split.test {
        held_out.entry(r.user).or_default().push((r.item, r.rating));
    }
    let works: std::collections::HashSet<u32> =
        spark_als.work_factors().0.iter().copied().collect();
    let in_model = |p: &[(u32, f32)]| p.iter().any(|(w, _)| works.contains(w));
    for (user, _) in &relevant {
        let training = matrix
            .user_row
            .get(user)
            .map(|&r| matrix.row(r as usize))
            .unwrap_or_default();
        if in_model(&training) {
            modelled += 1;
            folded += usize::from(
                spark_als
                    .fold_in(&training)
                    .is_some_and(|x| x.iter().all(|v| v.is_finite())),
            );
        }
        let fresh = profile(&spark.items, &held_out[user], &params.weighting);
        if in_model(&fresh) {
            unseen += 1;
            unseen_folded += usize::from(spark_als.fold_in(&fresh).is_some());
        }
    }

    let score = |m: &TrainedModels| {
        eval::score_trained(
            m,
            ModelKind::Als,
            &matrix,
            &split.test,
            &Protocol::default(),
            EvalRules::Protocol,
            a.max_users,
        )
        .ok_or("no ALS row")
    };
    let own_row = score(&own)?;
    let spark_row = score(&spark)?;
    let ratio = spark_row.work.ndcg10 / own_row.work.ndcg10.max(1e-12);
    println!(
        "split: protocol hold-out (seed 42) of {} · train {} ratings · test {} ratings",
        a.data.display(),
        split.train.len(),
        split.test.len()
    );
    println!(
        "ALS rank {} · {} iterations · alpha {} · works with >= {} readers · fold-in lambda {} · \
         Spark regParam {} ({})",
        trainer.rank,
        trainer.max_iter,
        trainer.alpha,
        trainer.min_users,
        params.als.regularization,
        trainer.reg_param,
        trainer.name
    );
    println!(
        "works modelled: engine {}, Spark {}",
        own_als.work_factors().0.len(),
        spark_als.work_factors().0.len()
    );
    println!(
        "fold-in of held-out readers: {folded}/{modelled} from their training books, \
         {unseen_folded}/{unseen} from their held-out books alone"
    );
    println!(
        "{:<22} {:>8} {:>9} | {:>8} {:>9} | {:>8}",
        "", "per ISBN", "", "per work", "", ""
    );
    println!(
        "{:<22} {:>8} {:>9} | {:>8} {:>9} | {:>8}",
        "model", "NDCG@10", "Recall@20", "NDCG@10", "Recall@20", "train s"
    );
    println!("{}", row(&own_row, "engine als"));
    println!("{}", row(&spark_row, "spark als (loaded)"));
    println!(
        "Spark / engine NDCG@10 per work: {ratio:.3} (tolerance ±{:.0} %)",
        a.tolerance * 100.0
    );
    let mut ok = true;
    if folded != modelled || unseen_folded != unseen || modelled == 0 {
        eprintln!("FAIL: fold-in failed for some held-out readers");
        ok = false;
    }
    if (ratio - 1.0).abs() > a.tolerance {
        eprintln!(
            "FAIL: Spark's ALS NDCG@10 per work {:.4} is not within {:.0} % of the engine's {:.4}",
            spark_row.work.ndcg10,
            a.tolerance * 100.0,
            own_row.work.ndcg10
        );
        ok = false;
    }
    if ok {
        println!("PASS spark als");
    }
    Ok(ok)
}

fn main() -> ExitCode {
    let outcome = args().and_then(|a| match a.command.as_str() {
        "export" => export(&a).map(|()| true),
        "check" => check(&a),
        other => Err(format!("unknown command {other}: export or check")),
    });
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
