//! Importers: stream a published dataset into the store.
//!
//! Each file is parsed row by row by the engine's parsers. Books and users are written as they
//! come; matched ratings are kept as 12-byte tuples and written in key order at the end (see
//! [`Store::put_ratings`]), so memory stays far below the size of the files. A malformed row is left out
//! and listed with its line number in a report file beside the store; the import goes on.
//! Importing the same files twice leaves the same store: books and users keep their ids (looked
//! up by ISBN and external key) and a rating overwrites itself.

use super::{BookId, Store, StoreError, StoreResult, UserId, UserRecord};
use engine::datasets::{bookcrossing, goodbooks};
use engine::records::{ImportReport, Rating, RawRating};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// What one imported file gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileSummary {
    /// The file's name.
    pub file: String,
    /// Data rows read.
    pub read: u64,
    /// Rows kept.
    pub kept: u64,
    /// Rows rejected, grouped by reason, most frequent first.
    pub rejected: Vec<(String, u64)>,
    /// Where every rejected row is listed with its line number (absent when none was).
    pub report: Option<PathBuf>,
}

impl FileSummary {
    /// Total rejected rows.
    pub fn rejected_total(&self) -> u64 {
        self.rejected.iter().map(|(_, n)| n).sum()
    }
}

/// Opens an input file; the CLI wraps it in a progress bar, tests pass [`plain_files`].
pub type OpenFile<'a> = &'a dyn Fn(&Path) -> StoreResult<Box<dyn Read>>;

/// Open files without any progress display.
pub fn plain_files(path: &Path) -> StoreResult<Box<dyn Read>> {
    File::open(path)
        .map(|f| Box::new(std::io::BufReader::with_capacity(1 << 16, f)) as Box<dyn Read>)
        .map_err(|source| StoreError::File {
            path: path.display().to_string(),
            source,
        })
}

/// Import Book-Crossing's `BX-Books.csv`, `BX-Users.csv` and `BX-Book-Ratings.csv` from `dir`.
/// Rejected rows are listed in `reports_dir`.
pub fn import_bookcrossing(
    store: &Store,
    dir: &Path,
    reports_dir: &Path,
    open: OpenFile<'_>,
) -> StoreResult<Vec<FileSummary>> {
    let mut summaries = Vec::new();

    let mut report = ImportReport::default();
    let mut failure = None;
    bookcrossing::read_books(open(&dir.join("BX-Books.csv"))?, &mut report, |book| {
        if failure.is_none() {
            failure = store.upsert_book(&book).err();
        }
    })?;
    fail_on(failure)?;
    summaries.push(summarise("BX-Books.csv", report, reports_dir)?);

    let mut report = ImportReport::default();
    let mut users: HashMap<u32, UserId> = HashMap::new();
    let mut failure = None;
    bookcrossing::read_users(open(&dir.join("BX-Users.csv"))?, &mut report, |user| {
        if failure.is_some() {
            return;
        }
        let record = UserRecord {
            key: format!("bx:{}", user.id),
            location: user.location,
            age: user.age,
        };
        match store.upsert_user(&record) {
            Ok(id) => {
                users.insert(user.id, id);
            }
            Err(e) => failure = Some(e),
        }
    })?;
    fail_on(failure)?;
    summaries.push(summarise("BX-Users.csv", report, reports_dir)?);

    let books = book_ids(store)?;
    let mut report = ImportReport::default();
    let mut writer = RatingWriter::new(store, "bx", users);
    bookcrossing::read_ratings(
        open(&dir.join("BX-Book-Ratings.csv"))?,
        &mut report,
        |rating| writer.add(rating, &books),
    )?;
    let unknown = writer.finish()?;
    summaries.push(summarise_with_unknown(
        "BX-Book-Ratings.csv",
        report,
        unknown,
        reports_dir,
    )?);

    store.set_meta("import:book-crossing", &summaries)?;
    store.flush()?;
    Ok(summaries)
}

/// Import the goodbooks-10k layout from `dir`: `books.csv` and `ratings.csv`, plus `tags.csv`
/// and `book_tags.csv` when present (they give each book its top shelves as tags).
pub fn import_goodbooks(
    store: &Store,
    dir: &Path,
    reports_dir: &Path,
    open: OpenFile<'_>,
) -> StoreResult<Vec<FileSummary>> {
    let mut summaries = Vec::new();

    let tags = read_goodbooks_tags(dir, open, reports_dir, &mut summaries)?;

    let mut report = ImportReport::default();
    let mut failure = None;
    let mut keys: HashMap<u32, String> = HashMap::new();
    goodbooks::read_books(open(&dir.join("books.csv"))?, &mut report, |gb| {
        if failure.is_some() {
            return;
        }
        let mut book = gb.book;
        if let Some(t) = tags.get(&gb.goodreads_book_id) {
            book.tags = t.clone();
        }
        keys.insert(gb.book_id, book.key.clone());
        failure = store.upsert_book(&book).err();
    })?;
    fail_on(failure)?;
    summaries.push(summarise("books.csv", report, reports_dir)?);

    let ratings_path = dir.join("ratings.csv");
    if ratings_path.exists() {
        let books = book_ids(store)?;
        let mut report = ImportReport::default();
        let mut writer = RatingWriter::new(store, "gb", HashMap::new());
        goodbooks::read_ratings(open(&ratings_path)?, &keys, &mut report, |rating| {
            writer.add(rating, &books)
        })?;
        let unknown = writer.finish()?;
        summaries.push(summarise_with_unknown(
            "ratings.csv",
            report,
            unknown,
            reports_dir,
        )?);
    }

    store.set_meta("import:goodbooks", &summaries)?;
    store.flush()?;
    Ok(summaries)
}

/// The top tags of every goodbooks book (by goodreads id), when the tag files are there.
fn read_goodbooks_tags(
    dir: &Path,
    open: OpenFile<'_>,
    reports_dir: &Path,
    summaries: &mut Vec<FileSummary>,
) -> StoreResult<HashMap<u32, Vec<String>>> {
    let (tags_path, book_tags_path) = (dir.join("tags.csv"), dir.join("book_tags.csv"));
    if !tags_path.exists() || !book_tags_path.exists() {
        return Ok(HashMap::new());
    }
    let mut report = ImportReport::default();
    let names = goodbooks::read_tags(open(&tags_path)?, &mut report)?;
    summaries.push(summarise("tags.csv", report, reports_dir)?);

    let mut report = ImportReport::default();
    let mut counts: HashMap<u32, Vec<(String, u32)>> = HashMap::new();
    goodbooks::read_book_tags(open(&book_tags_path)?, &mut report, |bt| {
        if let Some(name) = names.get(&bt.tag_id) {
            counts
                .entry(bt.goodreads_book_id)
                .or_default()
                .push((name.clone(), bt.count));
        }
    })?;
    summaries.push(summarise("book_tags.csv", report, reports_dir)?);
    Ok(counts
        .into_iter()
        .map(|(book, tags)| (book, goodbooks::top_tags(tags, 12)))
        .collect())
}

/// Every catalog key with its id, for matching ratings to books in memory.
fn book_ids(store: &Store) -> StoreResult<HashMap<String, BookId>> {
    store.book_keys().collect()
}

/// Matches ratings to books and users and writes them in batches.
struct RatingWriter<'a> {
    store: &'a Store,
    namespace: &'static str,
    users: HashMap<u32, UserId>,
    /// Matched ratings, 12 bytes each (12 MB for Book-Crossing), written sorted at the end.
    matched: Vec<(UserId, BookId, Rating)>,
    /// Ratings naming a book the catalog does not have: (line in the order read, key).
    unknown: Vec<String>,
    failure: Option<StoreError>,
}

impl<'a> RatingWriter<'a> {
    fn new(store: &'a Store, namespace: &'static str, users: HashMap<u32, UserId>) -> Self {
        RatingWriter {
            store,
            namespace,
            users,
            matched: Vec::new(),
            unknown: Vec::new(),
            failure: None,
        }
    }

    fn add(&mut self, rating: RawRating, books: &HashMap<String, BookId>) {
        if self.failure.is_some() {
            return;
        }
        let Some(&book) = books.get(&rating.book) else {
            self.unknown.push(rating.book);
            return;
        };
        let user = match self.users.get(&rating.user) {
            Some(&id) => id,
            None => {
                let record = UserRecord {
                    key: format!("{}:{}", self.namespace, rating.user),
                    location: String::new(),
                    age: None,
                };
                match self.store.upsert_user(&record) {
                    Ok(id) => {
                        self.users.insert(rating.user, id);
                        id
                    }
                    Err(e) => {
                        self.failure = Some(e);
                        return;
                    }
                }
            }
        };
        self.matched.push((user, book, rating.rating));
    }

    /// Write the matched ratings; returns the keys of ratings whose book is unknown.
    fn finish(mut self) -> StoreResult<Vec<String>> {
        fail_on(self.failure.take())?;
        self.store.put_ratings(&mut self.matched)?;
        Ok(self.unknown)
    }
}

fn fail_on(failure: Option<StoreError>) -> StoreResult<()> {
    failure.map_or(Ok(()), Err)
}

/// Summarise a file's report and write its rejected rows (if any) to `reports_dir`.
fn summarise(file: &str, report: ImportReport, reports_dir: &Path) -> StoreResult<FileSummary> {
    summarise_with_unknown(file, report, Vec::new(), reports_dir)
}

/// Like [`summarise`], also counting ratings of books missing from the catalog as rejected.
/// The parser does not know the catalog, so those rows carry no line number; the report lists
/// their ISBNs instead.
fn summarise_with_unknown(
    file: &str,
    report: ImportReport,
    unknown: Vec<String>,
    reports_dir: &Path,
) -> StoreResult<FileSummary> {
    let mut rejected = report.reasons();
    if !unknown.is_empty() {
        rejected.push(("book not in the catalog".into(), unknown.len() as u64));
        rejected.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    }
    let report_path = if report.rejected.is_empty() && unknown.is_empty() {
        None
    } else {
        let path = reports_dir.join(format!("{file}.rejected.txt"));
        write_report(&path, &report, &unknown).map_err(|source| StoreError::File {
            path: path.display().to_string(),
            source,
        })?;
        Some(path)
    };
    Ok(FileSummary {
        file: file.into(),
        read: report.read,
        kept: report.kept.saturating_sub(unknown.len() as u64),
        rejected,
        report: report_path,
    })
}

fn write_report(path: &Path, report: &ImportReport, unknown: &[String]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut out = std::io::BufWriter::new(File::create(path)?);
    writeln!(out, "# rows left out of the import, with the reason")?;
    for r in &report.rejected {
        writeln!(out, "line {}: {}", r.line, r.reason)?;
    }
    for key in unknown {
        writeln!(out, "book not in the catalog: {key}")?;
    }
    out.flush()
}
