//! The ALS component trained outside the engine (Spark MLlib, `spark/als.py`,
//! [docs/spark.md](../../../docs/spark.md)): the interactions exported for the trainer, and the
//! work factors it writes back.
//!
//! An export folder holds `interactions.csv` (`user,work,weight`: the reader × work weights of
//! [`TrainMatrix::by_user`], exactly what the engine's own ALS trains on; `user` is the
//! matrix row, dense from 0) and `manifest.json` ([`Manifest`]). The trainer writes a factor
//! folder: `item_factors/part-*.csv` (`work,f0,…,f{rank−1}`, Spark's part files, any number)
//! and the export's manifest again with a [`Trainer`] section added.
//!
//! Work ids are positions in one catalog's [`ItemIndex`]: a store that gained a book may
//! number its works differently. So the manifest carries the catalog's fingerprint
//! ([`catalog_fingerprint`]) and [`read_item_factors`] refuses factors written for another
//! catalog, another weighting, or with rows missing, rather than serve one book's factors for
//! another.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::data::{row_of, ItemIndex, TrainMatrix, Weighting};
use super::models::als::{Als, AlsParams};
use super::{RecsError, Result};

/// The version of the folder layout; a reader of another version refuses it.
pub const EXPORT_FORMAT: u32 = 1;

/// The interactions file of an export folder.
pub const INTERACTIONS_FILE: &str = "interactions.csv";

/// The manifest of an export or factor folder.
pub const MANIFEST_FILE: &str = "manifest.json";

/// The folder of factor part files inside a factor folder.
pub const FACTORS_DIR: &str = "item_factors";

/// What an export is, and (in a factor folder) what trained the factors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`EXPORT_FORMAT`].
    pub format: u32,
    /// [`catalog_fingerprint`] of the catalog whose work ids the files use.
    pub catalog: String,
    /// Editions in that catalog.
    pub editions: usize,
    /// Works in that catalog (every work id is below it).
    pub works: usize,
    /// Readers (rows) in the export.
    pub readers: usize,
    /// Rows of `interactions.csv`.
    pub interactions: usize,
    /// How ratings became the exported weights.
    pub weighting: Weighting,
    /// What trained the factors: written by the trainer, absent in an export.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trainer: Option<Trainer>,
}

/// The trainer's section of a factor folder's manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trainer {
    /// What trained them, e.g. `spark-mllib-als 3.5.7`.
    pub name: String,
    /// Latent factors per work (columns `f0…`).
    pub rank: usize,
    /// Alternations run.
    pub max_iter: usize,
    /// The trainer's regularisation (Spark scales it by each row's count: ALS-WR).
    pub reg_param: f32,
    /// Confidence slope α: `c = 1 + α·weight`, as the engine's.
    pub alpha: f32,
    /// Works with fewer exported readers were left out, as the engine's ALS leaves them.
    pub min_users: u32,
    /// Factor rows written (one per modelled work).
    pub works: usize,
    /// Seconds the trainer took (reading, training and writing).
    pub seconds: f64,
}

/// SHA-256 (hex) of the catalog's editions in order, each with its key and work id: equal
/// exactly when work ids mean the same works.
pub fn catalog_fingerprint(items: &ItemIndex) -> String {
    let mut h = Sha256::new();
    h.update((items.len() as u64).to_be_bytes());
    for (key, work) in items.keys.iter().zip(&items.work_of) {
        // The length first, so no two catalogs hash the same bytes.
        h.update((key.len() as u64).to_be_bytes());
        h.update(key.as_bytes());
        h.update(work.to_be_bytes());
    }
    format!("{:x}", h.finalize())
}

/// Write an export folder (created if missing) for the training interactions `m` of the
/// catalog `items`, weighted by `weighting`; returns its manifest.
pub fn write_export(
    dir: &Path,
    items: &ItemIndex,
    m: &TrainMatrix,
    weighting: &Weighting,
) -> Result<Manifest> {
    std::fs::create_dir_all(dir).map_err(|e| RecsError::io(dir, e))?;
    let path = dir.join(INTERACTIONS_FILE);
    let mut out = csv::Writer::from_path(&path).map_err(|e| csv_error(&path, e))?;
    let mut rows = 0usize;
    let mut write = || -> std::result::Result<(), csv::Error> {
        out.write_record(["user", "work", "weight"])?;
        for u in 0..m.by_user.rows() {
            for (w, x) in row_of(&m.by_user, u) {
                out.serialize((u, w, x))?;
                rows += 1;
            }
        }
        out.flush()?;
        Ok(())
    };
    write().map_err(|e| csv_error(&path, e))?;
    let manifest = Manifest {
        format: EXPORT_FORMAT,
        catalog: catalog_fingerprint(items),
        editions: items.len(),
        works: items.work_count(),
        readers: m.by_user.rows(),
        interactions: rows,
        weighting: *weighting,
        trainer: None,
    };
    write_manifest(dir, &manifest)?;
    Ok(manifest)
}

/// Write `manifest` as `dir/manifest.json`.
pub fn write_manifest(dir: &Path, manifest: &Manifest) -> Result<()> {
    let path = dir.join(MANIFEST_FILE);
    let json = serde_json::to_string_pretty(manifest)
        .map_err(|e| RecsError::Factors(format!("{}: {e}", path.display())))?;
    std::fs::write(&path, json + "\n").map_err(|e| RecsError::io(&path, e))
}

/// Read `dir/manifest.json`.
pub fn read_manifest(dir: &Path) -> Result<Manifest> {
    let path = dir.join(MANIFEST_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| RecsError::io(&path, e))?;
    serde_json::from_str(&text)
        .map_err(|e| RecsError::Factors(format!("{}: not a manifest: {e}", path.display())))
}

/// Work factors read from a factor folder, checked against the catalog.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemFactors {
    /// What trained them.
    pub trainer: Trainer,
    /// The work of each factor row.
    pub works: Vec<u32>,
    /// The factors, row-major (`works.len() × trainer.rank`).
    pub factors: Vec<f32>,
}

impl ItemFactors {
    /// The ALS model they make for a catalog of `n_works` works: the trainer's rank, α,
    /// iterations and minimum readers, with `base`'s λ for fold-in (Spark's own λ is scaled per
    /// row, so it is not the engine's: see docs/spark.md) and its other settings.
    pub fn into_als(self, base: &AlsParams, n_works: usize) -> Result<Als> {
        let params = AlsParams {
            factors: self.trainer.rank,
            iterations: self.trainer.max_iter,
            alpha: self.trainer.alpha,
            min_users: self.trainer.min_users,
            ..*base
        };
        Als::from_item_factors(params, n_works, self.works, self.factors)
    }
}

/// Read the factors a trainer wrote in `dir` for the catalog `items` with interactions
/// weighted by `weighting`. Refused ([`RecsError::Factors`]): a manifest of another format,
/// catalog or weighting, none from a trainer, factor files whose header or rows do not have
/// the manifest's rank, or fewer or more rows than the trainer says it wrote. (A work outside
/// the catalog or repeated, and a value that is not a finite number, are refused by
/// [`ItemFactors::into_als`].)
pub fn read_item_factors(
    dir: &Path,
    items: &ItemIndex,
    weighting: &Weighting,
) -> Result<ItemFactors> {
    let manifest = read_manifest(dir)?;
    let refuse = |why: String| Err(RecsError::Factors(format!("{}: {why}", dir.display())));
    if manifest.format != EXPORT_FORMAT {
        return refuse(format!(
            "format {}, this build reads format {EXPORT_FORMAT}",
            manifest.format
        ));
    }
    let fingerprint = catalog_fingerprint(items);
    if manifest.catalog != fingerprint
        || manifest.works != items.work_count()
        || manifest.editions != items.len()
    {
        return refuse(format!(
            "written for another catalog ({} editions, {} works, fingerprint {}) than the \
             store's ({} editions, {} works, fingerprint {}): export and train again",
            manifest.editions,
            manifest.works,
            manifest.catalog,
            items.len(),
            items.work_count(),
            fingerprint
        ));
    }
    if manifest.weighting != *weighting {
        return refuse(format!(
            "trained on weights {:?}, the engine weighs ratings {:?}",
            manifest.weighting, weighting
        ));
    }
    let Some(trainer) = manifest.trainer else {
        return refuse("the manifest has no trainer section: an export, not factors".into());
    };
    if trainer.rank == 0 {
        return refuse("rank 0".into());
    }
    let parts = part_files(&dir.join(FACTORS_DIR))?;
    let mut works = Vec::with_capacity(trainer.works);
    let mut factors = Vec::with_capacity(trainer.works * trainer.rank);
    for part in &parts {
        read_part(part, trainer.rank, &mut works, &mut factors)?;
    }
    if works.len() != trainer.works {
        return refuse(format!(
            "{} factor rows, the trainer wrote {}: part files are missing or extra",
            works.len(),
            trainer.works
        ));
    }
    Ok(ItemFactors {
        trainer,
        works,
        factors,
    })
}

/// The part files of a factor folder (`part-*.csv`, sorted), none being an error.
fn part_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(|e| RecsError::io(dir, e))?;
    let mut parts = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| RecsError::io(dir, e))?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with("part-") && name.ends_with(".csv") {
            parts.push(path);
        }
    }
    if parts.is_empty() {
        return Err(RecsError::Factors(format!(
            "{}: no part-*.csv factor files",
            dir.display()
        )));
    }
    parts.sort();
    Ok(parts)
}

/// Append one part file's rows (`work,f0,…`) to `works` and `factors`.
fn read_part(path: &Path, rank: usize, works: &mut Vec<u32>, factors: &mut Vec<f32>) -> Result<()> {
    let bad = |why: String| RecsError::Factors(format!("{}: {why}", path.display()));
    let mut reader = csv::Reader::from_path(path).map_err(|e| csv_error(path, e))?;
    let header = reader.headers().map_err(|e| csv_error(path, e))?;
    let expected: Vec<String> = std::iter::once("work".to_string())
        .chain((0..rank).map(|i| format!("f{i}")))
        .collect();
    if header.iter().ne(expected.iter().map(String::as_str)) {
        return Err(bad(format!(
            "header has {} columns ({}…), expected work,f0,…,f{} for rank {rank}",
            header.len(),
            header.iter().take(3).collect::<Vec<_>>().join(","),
            rank - 1
        )));
    }
    for (line, record) in reader.records().enumerate() {
        let record = record.map_err(|e| csv_error(path, e))?;
        let at = || format!("row {}", line + 2);
        if record.len() != rank + 1 {
            return Err(bad(format!(
                "{}: {} columns, expected {}",
                at(),
                record.len(),
                rank + 1
            )));
        }
        let work = record[0]
            .trim()
            .parse::<u32>()
            .map_err(|_| bad(format!("{}: work {:?} is not a work id", at(), &record[0])))?;
        works.push(work);
        for value in record.iter().skip(1) {
            let v = value
                .trim()
                .parse::<f32>()
                .map_err(|_| bad(format!("{}: {value:?} is not a number", at())))?;
            factors.push(v);
        }
    }
    Ok(())
}

/// Write factors in the layout a trainer writes (one part file): the engine's own, to
/// compare them with Spark's or to test the loader without Spark.
pub fn write_item_factors(
    dir: &Path,
    manifest: &Manifest,
    works: &[u32],
    factors: &[f32],
) -> Result<()> {
    let rank = manifest.trainer.as_ref().map_or(0, |t| t.rank);
    if rank == 0 || factors.len() != works.len() * rank {
        return Err(RecsError::Factors(format!(
            "{} values for {} works of rank {rank}",
            factors.len(),
            works.len()
        )));
    }
    let parts = dir.join(FACTORS_DIR);
    std::fs::create_dir_all(&parts).map_err(|e| RecsError::io(&parts, e))?;
    let path = parts.join("part-00000.csv");
    let file = std::fs::File::create(&path).map_err(|e| RecsError::io(&path, e))?;
    let mut out = std::io::BufWriter::new(file);
    let mut write = || -> std::io::Result<()> {
        let header: Vec<String> = (0..rank).map(|i| format!("f{i}")).collect();
        writeln!(out, "work,{}", header.join(","))?;
        for (w, row) in works.iter().zip(factors.chunks_exact(rank)) {
            write!(out, "{w}")?;
            for v in row {
                write!(out, ",{v}")?;
            }
            writeln!(out)?;
        }
        out.flush()
    };
    write().map_err(|e| RecsError::io(&path, e))?;
    write_manifest(dir, manifest)
}

/// A CSV error as the recommender's error, with the file it concerns.
fn csv_error(path: &Path, e: csv::Error) -> RecsError {
    RecsError::Factors(format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::Book;
    use crate::recs::data::Interaction;

    fn catalog(n: usize) -> ItemIndex {
        ItemIndex::from_books((0..n).map(|i| Book::new(format!("K{i}"), format!("T{i}"), "A")))
    }

    /// Six works; readers 0–3 read works 0–3 (explicitly), reader 4 only work 5.
    fn matrix(items: &ItemIndex) -> TrainMatrix {
        let mut train = Vec::new();
        for user in 0..4u32 {
            for item in 0..4u32 {
                let rating = if item == user { 10 } else { 0 };
                train.push(Interaction { user, item, rating });
            }
        }
        train.push(Interaction {
            user: 40,
            item: 5,
            rating: 1,
        });
        TrainMatrix::build(items, &train, &weighting())
    }

    fn weighting() -> Weighting {
        Weighting {
            implicit: 1.0,
            explicit_low: 0.5,
            explicit_high: 2.0,
        }
    }

    fn trainer(rank: usize, works: usize) -> Trainer {
        Trainer {
            name: "test".into(),
            rank,
            max_iter: 3,
            reg_param: 0.01,
            alpha: 5.0,
            min_users: 2,
            works,
            seconds: 0.5,
        }
    }

    #[test]
    fn the_export_holds_the_matrix_weights_and_its_manifest() {
        let items = catalog(6);
        let m = matrix(&items);
        let dir = tempfile::tempdir().unwrap();
        let manifest = write_export(dir.path(), &items, &m, &weighting()).unwrap();
        assert_eq!(manifest.readers, 5);
        assert_eq!(manifest.interactions, 17);
        assert_eq!(manifest.works, 6);
        assert_eq!(read_manifest(dir.path()).unwrap(), manifest);
        let text = std::fs::read_to_string(dir.path().join(INTERACTIONS_FILE)).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "user,work,weight");
        // Reader row 0 loved work 0 (weight 2) and has works 1–3 without a rating (1).
        assert_eq!(&lines[1..5], ["0,0,2.0", "0,1,1.0", "0,2,1.0", "0,3,1.0"]);
        // The last reader (dataset id 40) is row 4, with an explicit 1 (weight 0.5).
        assert_eq!(lines[17], "4,5,0.5");
    }

    #[test]
    fn a_catalog_fingerprint_changes_with_any_key_or_work() {
        let a = catalog(6);
        assert_eq!(catalog_fingerprint(&a), catalog_fingerprint(&catalog(6)));
        assert_ne!(catalog_fingerprint(&a), catalog_fingerprint(&catalog(7)));
        let mut b = a.clone();
        b.work_of.swap(1, 2);
        assert_ne!(catalog_fingerprint(&a), catalog_fingerprint(&b));
    }

    /// An export and factors for works 0–3 of rank 2 written beside it.
    fn factor_folder(items: &ItemIndex) -> (tempfile::TempDir, Manifest) {
        let dir = tempfile::tempdir().unwrap();
        let mut manifest = write_export(dir.path(), items, &matrix(items), &weighting()).unwrap();
        manifest.trainer = Some(trainer(2, 4));
        let factors = [0.5, 0.0, 0.0, 0.5, 0.25, 0.25, -0.5, 1e-3];
        write_item_factors(dir.path(), &manifest, &[0, 1, 2, 3], &factors).unwrap();
        (dir, manifest)
    }

    #[test]
    fn factors_read_back_into_a_model_that_folds_readers_in() {
        let items = catalog(6);
        let (dir, _) = factor_folder(&items);
        let read = read_item_factors(dir.path(), &items, &weighting()).unwrap();
        assert_eq!(read.works, [0, 1, 2, 3]);
        assert_eq!(read.factors[7], 1e-3);
        let base = AlsParams::default();
        let als = read.into_als(&base, items.work_count()).unwrap();
        assert_eq!(als.settings().factors, 2);
        assert_eq!(als.settings().regularization, base.regularization);
        let x = als.fold_in(&[(0, 2.0), (1, 1.0)]).unwrap();
        assert_eq!(x.len(), 2);
        // Work 5 has no factors: nothing to fold in.
        assert_eq!(als.fold_in(&[(5, 1.0)]), None);
    }

    fn refused(dir: &Path, items: &ItemIndex, weighting: &Weighting) -> String {
        match read_item_factors(dir, items, weighting) {
            Err(RecsError::Factors(why)) => why,
            other => panic!("read: {other:?}"),
        }
    }

    #[test]
    fn factors_for_another_catalog_or_weighting_are_refused() {
        let items = catalog(6);
        let (dir, _) = factor_folder(&items);
        let why = refused(dir.path(), &catalog(7), &weighting());
        assert!(why.contains("another catalog"), "{why}");
        let mut renumbered = items.clone();
        renumbered.work_of.swap(0, 1);
        assert!(refused(dir.path(), &renumbered, &weighting()).contains("another catalog"));
        let why = refused(dir.path(), &items, &Weighting::default());
        assert!(why.contains("weights"), "{why}");
    }

    #[test]
    fn an_export_without_factors_and_broken_factor_files_are_refused() {
        let items = catalog(6);
        let dir = tempfile::tempdir().unwrap();
        write_export(dir.path(), &items, &matrix(&items), &weighting()).unwrap();
        assert!(refused(dir.path(), &items, &weighting()).contains("no trainer"));

        let (dir, mut manifest) = factor_folder(&items);
        let part = dir.path().join(FACTORS_DIR).join("part-00000.csv");
        // The trainer says it wrote five rows: one is missing.
        manifest.trainer = Some(trainer(2, 5));
        write_manifest(dir.path(), &manifest).unwrap();
        assert!(refused(dir.path(), &items, &weighting()).contains("4 factor rows"));
        // A rank the files do not have.
        manifest.trainer = Some(trainer(3, 4));
        write_manifest(dir.path(), &manifest).unwrap();
        assert!(refused(dir.path(), &items, &weighting()).contains("header"));
        manifest.trainer = Some(trainer(2, 4));
        write_manifest(dir.path(), &manifest).unwrap();
        std::fs::write(&part, "work,f0,f1\n0,0.5,x\n").unwrap();
        assert!(refused(dir.path(), &items, &weighting()).contains("not a number"));
        std::fs::write(&part, "work,f0,f1\n0,0.5\n").unwrap();
        assert!(!refused(dir.path(), &items, &weighting()).is_empty());
        std::fs::remove_file(&part).unwrap();
        assert!(refused(dir.path(), &items, &weighting()).contains("no part-"));
    }

    #[test]
    fn spark_part_files_are_read_together_and_bad_works_refused_on_load() {
        let items = catalog(6);
        let (dir, mut manifest) = factor_folder(&items);
        let parts = dir.path().join(FACTORS_DIR);
        std::fs::remove_file(parts.join("part-00000.csv")).unwrap();
        // Spark's names, its success marker and checksum files beside them.
        std::fs::write(
            parts.join("part-00000-abc-c000.csv"),
            "work,f0,f1\n3,1.0E-5,2\n",
        )
        .unwrap();
        std::fs::write(parts.join("part-00001-abc-c000.csv"), "work,f0,f1\n9,1,2\n").unwrap();
        std::fs::write(parts.join("_SUCCESS"), "").unwrap();
        std::fs::write(parts.join(".part-00000-abc-c000.csv.crc"), "x").unwrap();
        manifest.trainer = Some(trainer(2, 2));
        write_manifest(dir.path(), &manifest).unwrap();
        let read = read_item_factors(dir.path(), &items, &weighting()).unwrap();
        assert_eq!(read.works, [3, 9]);
        assert_eq!(read.factors, [1e-5, 2.0, 1.0, 2.0]);
        match read.into_als(&AlsParams::default(), items.work_count()) {
            Err(RecsError::Factors(why)) => assert!(why.contains("work 9"), "{why}"),
            other => panic!("loaded: {other:?}"),
        }
    }
}
