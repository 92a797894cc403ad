//! How Goodreads rows match the Book-Crossing catalog, for checking by hand.
//!
//! Reads Goodreads library exports (default: the real ones in
//! `engine/tests/fixtures/goodreads/real/`), matches every row against the Book-Crossing
//! catalog (`BX-Books.csv` from `SHELFWISE_BX_DIR`, default `data/raw`) the way an import does
//! (`goodreads::match_rows`), and prints how many rows each rule matched. It then prints a
//! sample of the rows matched by title and author, each beside the catalog book it was
//! matched to: ISBN matches need no checking, but a title match can join the wrong book.
//! The sample is every `step`-th such row, so the same files give the same sample.
//!
//! Run with `cargo run --release -p engine --example import_matches [-- --sample N] [FILES]`.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::PathBuf;

use engine::catalog::Catalog;
use engine::datasets::bookcrossing::read_books;
use engine::datasets::goodreads::{self, Match, MatchedBy};
use engine::records::ImportReport;

type BoxError = Box<dyn std::error::Error>;

fn main() -> Result<(), BoxError> {
    let mut sample = 50usize;
    let mut files: Vec<PathBuf> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--sample" => {
                sample = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or("--sample takes a number")?;
            }
            a if a.starts_with('-') => return Err(format!("unknown option {a:?}").into()),
            a => files.push(PathBuf::from(a)),
        }
    }
    if files.is_empty() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/goodreads/real");
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "csv") {
                files.push(path);
            }
        }
        files.sort();
    }

    let dir = test_support::data::bookcrossing_dir();
    let mut books = Vec::new();
    let mut report = ImportReport::default();
    read_books(File::open(dir.join("BX-Books.csv"))?, &mut report, |b| {
        books.push(b)
    })?;
    let catalog = Catalog::build(books, std::iter::empty())?;
    println!("catalog: {} books from {}", catalog.len(), dir.display());

    let mut by_title = Vec::new();
    for file in &files {
        let (rows, rejected) = goodreads::read_export(File::open(file)?, 20_000)?;
        let n = rows.len();
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for m in goodreads::match_rows(&catalog, rows) {
            let how = match &m {
                Match::Matched { how, .. } => format!("{how:?}"),
                Match::Unmatched { .. } => "unmatched".to_string(),
            };
            *counts.entry(how).or_default() += 1;
            if let Match::Matched {
                how: MatchedBy::TitleAuthor,
                ..
            } = m
            {
                by_title.push(m);
            }
        }
        println!(
            "{}: {n} rows read, {} rejected; {counts:?}",
            file.file_name().unwrap_or_default().to_string_lossy(),
            rejected.len()
        );
    }

    let step = (by_title.len() / sample.max(1)).max(1);
    println!(
        "\n{} rows matched by title and author; every {step}th of them:\n",
        by_title.len()
    );
    for (i, m) in by_title.iter().step_by(step).take(sample).enumerate() {
        let row = m.row();
        let key = m.key().unwrap_or_default();
        let book = catalog.find(key).and_then(|b| catalog.book(b));
        println!(
            "{:>2}. row:     {} / {}\n    catalog: {} / {} [{key}]",
            i + 1,
            row.title,
            row.author,
            book.map_or("?", |b| b.title.as_str()),
            book.map_or("?", |b| b.author.as_str()),
        );
    }
    Ok(())
}
