//! `shelfwise import …`: stream a dataset into the store with a progress bar per file.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::time::Instant;

use app::backend::store::import::{import_bookcrossing, import_goodbooks, FileSummary};
use app::backend::store::{Store, StoreError, StoreResult};
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::{GlobalArgs, ImportCommand};
use crate::{Error, Result};

/// Files each layout cannot do without.
const BOOK_CROSSING_FILES: [&str; 3] = ["BX-Books.csv", "BX-Users.csv", "BX-Book-Ratings.csv"];
const GOODBOOKS_FILES: [&str; 1] = ["books.csv"];

/// Run an import command and print what it read, kept and rejected.
pub fn run(global: &GlobalArgs, command: &ImportCommand) -> Result<()> {
    let started = Instant::now();
    let store = Store::open(&global.store_dir(), global.cache_mb << 20)?;
    let reports = global.reports_dir();
    let summaries = match command {
        ImportCommand::BookCrossing { dir } => {
            require(dir, &BOOK_CROSSING_FILES)?;
            import_bookcrossing(&store, dir, &reports, &with_progress)?
        }
        ImportCommand::Goodbooks { dir } => {
            require(dir, &GOODBOOKS_FILES)?;
            import_goodbooks(&store, dir, &reports, &with_progress)?
        }
    };
    print_summary(&summaries);
    println!(
        "store: {} books, {} users, {} ratings ({:.1} s)",
        store.book_count(),
        store.user_count(),
        store.rating_count(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn require(dir: &Path, files: &[&str]) -> Result<()> {
    for f in files {
        let path = dir.join(f);
        if !path.is_file() {
            return Err(Error::MissingFile(path.display().to_string()));
        }
    }
    Ok(())
}

/// Open a file behind a byte-counting progress bar (hidden when stderr is not a terminal).
fn with_progress(path: &Path) -> StoreResult<Box<dyn Read>> {
    let file = File::open(path).map_err(|source| StoreError::File {
        path: path.display().to_string(),
        source,
    })?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = ProgressBar::new(len).with_message(
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    );
    bar.set_style(
        ProgressStyle::with_template(
            "{msg:22} [{bar:30}] {bytes:>9}/{total_bytes:9} {bytes_per_sec:>11} eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    Ok(Box::new(
        bar.wrap_read(BufReader::with_capacity(1 << 16, file)),
    ))
}

fn print_summary(summaries: &[FileSummary]) {
    for s in summaries {
        println!(
            "{}: read {}, kept {}, rejected {}",
            s.file,
            s.read,
            s.kept,
            s.rejected_total()
        );
        for (reason, n) in &s.rejected {
            println!("    {n:>8}  {reason}");
        }
        if let Some(report) = &s.report {
            println!("    every rejected row: {}", report.display());
        }
    }
}
