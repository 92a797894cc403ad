//! `shelfwise export-als DIR` and `shelfwise train --als-factors DIR`: the ALS component trained
//! on Spark MLlib (`spark/als.py`, docs/spark.md) from the interactions this store exports,
//! and served like the engine's own.

use std::path::Path;

use app::backend::recommender::{self, TrainError};
use app::backend::store::Store;
use engine::datasets::load::Dataset;
use engine::recs::data::TrainMatrix;
use engine::recs::external_als;
use engine::recs::trained::{TrainParams, TrainedModels};
use engine::recs::Progress;

use crate::config::{ExportAlsArgs, GlobalArgs};
use crate::Result;

/// Write the reader × work weights the engine's ALS would train on (the store's ratings that
/// count for everyone, weighted as the server weighs them) and their manifest into `args.dir`.
pub fn export(global: &GlobalArgs, args: &ExportAlsArgs) -> Result<()> {
    let (books, ratings) = {
        let store = Store::open(&global.store_dir(), global.cache_mb << 20)?;
        recommender::training_data(&store)?
    };
    let weighting = global.train_params().weighting;
    let data = Dataset::from_tuples(books, ratings);
    let m = TrainMatrix::build(&data.items, &data.ratings, &weighting);
    let manifest = external_als::write_export(&args.dir, &data.items, &m, &weighting)?;
    println!(
        "exported {} interactions of {} readers over {} works to {} (catalog {})",
        manifest.interactions,
        manifest.readers,
        manifest.works,
        args.dir.display(),
        &manifest.catalog[..12]
    );
    Ok(())
}

/// Train every model on what was read from the store, except ALS, whose work factors come
/// from the factor folder `dir`. The folder is checked against the store's catalog before
/// anything trains: factors for another catalog, of the wrong shape or with works missing are
/// an error, and nothing is trained or saved.
pub fn train_with_factors(
    (books, ratings): recommender::TrainingData,
    dir: &Path,
    params: &TrainParams,
    progress: &(dyn Fn(&Progress) + Sync),
) -> Result<TrainedModels> {
    let data = Dataset::from_tuples(books, ratings);
    let factors = external_als::read_item_factors(dir, &data.items, &params.weighting)?;
    let seconds = factors.trainer.seconds;
    let als = factors.into_als(&params.als, data.items.work_count())?;
    let m = TrainMatrix::build(&data.items, &data.ratings, &params.weighting);
    let model = TrainedModels::fit_with_als(
        data.items,
        &m,
        &data.ratings,
        params,
        Some((als, seconds)),
        progress,
    )
    .map_err(TrainError::from)?;
    Ok(model)
}
