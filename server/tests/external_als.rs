//! `shelfwise export-als` and `shelfwise train --als-factors` through the real binary: the
//! export holds the store's interactions and catalog fingerprint, factors in Spark's layout
//! become the served model's ALS, and factors that do not fit the store are refused with
//! nothing saved; on the way, `train` says where its tuning's time went. (Spark itself runs in
//! `make spark`, on Book-Crossing.)

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::binary::{import_fixture, BIN};
use engine::recs::external_als::{self, Manifest, Trainer};
use engine::recs::trained::TrainedModels;

fn shelfwise(data: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(["--data-dir", data.to_str().unwrap(), "--log-level", "warn"])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A factor folder in Spark's layout holding `model`'s own ALS work factors, for the export
/// `manifest`; `rows` of them.
fn factor_folder(dir: &Path, manifest: &Manifest, model: &TrainedModels, rows: usize) {
    let als = model.als.as_ref().unwrap();
    let (works, factors) = als.work_factors();
    let rank = als.settings().factors;
    let mut manifest = manifest.clone();
    manifest.trainer = Some(Trainer {
        name: "the engine's own factors".into(),
        rank,
        max_iter: als.settings().iterations,
        reg_param: 0.01,
        alpha: als.settings().alpha,
        min_users: als.settings().min_users,
        works: works.len(),
        seconds: 1.5,
    });
    external_als::write_item_factors(dir, &manifest, &works[..rows], &factors[..rows * rank])
        .unwrap();
}

#[test]
fn spark_factors_become_the_served_als_and_others_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    import_fixture(&data);

    let export = tmp.path().join("export");
    let said = ok(&shelfwise(&data, &["export-als", export.to_str().unwrap()]));
    assert!(said.contains("exported"), "{said}");
    let manifest = external_als::read_manifest(&export).unwrap();
    assert!(manifest.trainer.is_none());
    let csv = std::fs::read_to_string(export.join(external_als::INTERACTIONS_FILE)).unwrap();
    assert_eq!(csv.lines().next(), Some("user,work,weight"));
    assert_eq!(csv.lines().count(), manifest.interactions + 1);

    // `--rerank false` trains once, with no tuning to report.
    let said = ok(&shelfwise(&data, &["train", "--rerank", "false"]));
    assert!(
        said.contains("trained on") && !said.contains("tuned"),
        "{said}"
    );
    // The engine's own model, whose ALS factors stand in for Spark's. Training tunes on a
    // validation split first (the default) and says where that time went.
    let said = ok(&shelfwise(&data, &["train"]));
    for stage in ["validation fit", "candidates", "blend grid", "reranker"] {
        assert!(
            said.contains("tuned on a validation split first:") && said.contains(stage),
            "{said}"
        );
    }
    let model_path = data.join("model.bin");
    let own = TrainedModels::load(&model_path).unwrap();
    assert_eq!(
        external_als::catalog_fingerprint(&own.items),
        manifest.catalog
    );
    let n = own.als.as_ref().unwrap().work_factors().0.len();
    assert!(n >= 3, "{n} works modelled");

    // Another catalog's factors, and factors with rows missing: refused, model.bin untouched.
    let before = std::fs::read(&model_path).unwrap();
    let other = tmp.path().join("other-catalog");
    let mut elsewhere = manifest.clone();
    elsewhere.catalog = "0".repeat(64);
    factor_folder(&other, &elsewhere, &own, n);
    let out = shelfwise(&data, &["train", "--als-factors", other.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("another catalog"), "{err}");
    let short = tmp.path().join("short");
    factor_folder(&short, &manifest, &own, n - 1);
    let out = shelfwise(&data, &["train", "--als-factors", short.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("factor rows"),
        "{err}"
    );
    assert_eq!(std::fs::read(&model_path).unwrap(), before);

    // Factors that fit: they are the saved model's ALS, and it folds readers in.
    let good = tmp.path().join("factors");
    factor_folder(&good, &manifest, &own, n);
    ok(&shelfwise(
        &data,
        &["train", "--als-factors", good.to_str().unwrap()],
    ));
    let served = TrainedModels::load(&model_path).unwrap();
    let (als, own_als) = (served.als.as_ref().unwrap(), own.als.as_ref().unwrap());
    assert_eq!(als.work_factors(), own_als.work_factors());
    assert!(served
        .train_secs
        .iter()
        .any(|&(k, s)| k == engine::recs::models::ModelKind::Als && s == 1.5));
    let works = own_als.work_factors().0;
    let reader = [(works[0], 2.0), (works[1], 1.0), (works[2], 0.5)];
    assert_eq!(als.fold_in(&reader), own_als.fold_in(&reader));
    assert!(als.fold_in(&reader).is_some());
    // The other models trained here as usual.
    assert!(served.ease.is_some() && served.knn.is_some() && served.content.is_some());
}
