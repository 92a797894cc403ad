//! The real Book-Crossing files, which are never committed: `make data` fetches them into
//! `data/raw`, or `SHELFWISE_BX_DIR` names another folder.
//!
//! A test that needs them is skipped when they are missing, so `cargo test` works on a fresh
//! clone, unless `SHELFWISE_REQUIRE_DATA` is set (as `make test` sets it): then a missing file
//! is a failure, so CI cannot pass by skipping.

use std::path::PathBuf;

/// The folder the Book-Crossing files are looked for in.
pub fn bookcrossing_dir() -> PathBuf {
    std::env::var_os("SHELFWISE_BX_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/raw")))
}

/// Whether a missing dataset fails the test instead of skipping it.
pub fn data_required() -> bool {
    std::env::var_os("SHELFWISE_REQUIRE_DATA").is_some_and(|v| !v.is_empty())
}

/// The path of a Book-Crossing file (`BX-Books.csv`, ...) if it is there; `None` (and a line
/// saying the test was skipped) if not. Panics when it is missing and data is required.
pub fn bookcrossing_file(name: &str) -> Option<PathBuf> {
    let path = bookcrossing_dir().join(name);
    if path.is_file() {
        return Some(path);
    }
    assert!(
        !data_required(),
        "SHELFWISE_REQUIRE_DATA is set but {} is missing: run `make data`",
        path.display()
    );
    eprintln!(
        "skipped: {} not found (run `make data`, or set SHELFWISE_BX_DIR)",
        path.display()
    );
    None
}

/// The Book-Crossing folder if all three files are there (see [`bookcrossing_file`]).
pub fn bookcrossing() -> Option<PathBuf> {
    for name in ["BX-Books.csv", "BX-Book-Ratings.csv", "BX-Users.csv"] {
        bookcrossing_file(name)?;
    }
    Some(bookcrossing_dir())
}

/// The real exports of `service` (`storygraph`, `librarything`) that readers published, when
/// they have been fetched into `engine/tests/fixtures/<service>/real/`: their licences keep
/// them out of git, and that folder's `SOURCE.md` says where each comes from and how to fetch
/// it. Empty (and a line saying the test part was skipped) when none is there.
pub fn real_exports(service: &str) -> Vec<PathBuf> {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../engine/tests/fixtures"
    ))
    .join(service)
    .join("real");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .is_some_and(|x| x == "csv" || x == "tsv" || x == "txt")
        })
        .collect();
    files.sort();
    if files.is_empty() {
        eprintln!(
            "skipped: no real {service} export in {} (see its SOURCE.md)",
            dir.display()
        );
    }
    files
}
