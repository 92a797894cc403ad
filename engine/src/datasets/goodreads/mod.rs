//! Goodreads library exports: read the `goodreads_library_export.csv` a reader downloads from
//! Goodreads ("Import and export" → "Export Library"), match its rows to the catalog, and write
//! Shelfwise's shelves back out in the same layout, so that they can be imported on Goodreads.
//!
//! The file is standard CSV (comma-separated, double-quote quoting, UTF-8) with a header of 24
//! named columns, read with the `csv` crate one record at a time so that every bad row is
//! reported with its line number and the rest of the file still imported. Quirks handled on
//! purpose:
//!
//! - columns are found by name, not position: other tools that produce "Goodreads CSV"
//!   (StoryGraph, LibraryThing, spreadsheets) reorder them or leave some out, and only the
//!   columns this reader uses are required;
//! - a column of finer stars kept beside `My Rating` (`Star Rating`, `Rating`: a StoryGraph or
//!   LibraryThing import exported by Shelfwise) gives the rating while it agrees with `My
//!   Rating` ([`crate::datasets::stars::kept_rating`]), so such an export reads back as it was;
//! - `ISBN` and `ISBN13` are wrapped as `="0439023483"` (so that spreadsheets keep the leading
//!   zero and do not turn an ISBN-13 into `9.78044E+12`), and are `=""` when Goodreads has none
//!   (most e-books);
//! - `My Rating` is 0 for "no rating", else 1–5 stars;
//! - `Exclusive Shelf` is `read`, `currently-reading`, `to-read`, or a shelf the reader made
//!   exclusive (`did-not-finish`), which Shelfwise has no equivalent of;
//! - titles carry a series suffix (`The Hunger Games (The Hunger Games, #1)`), commas, quotes
//!   and any script;
//! - a spreadsheet that re-saved the file may have put a byte-order mark in front of it.
//!
//! Goodreads' own files are UTF-8. A file that is not was re-saved in another encoding (a
//! spreadsheet's "CSV" on Windows writes Windows-1252), which garbles every accented title, so
//! it is refused as a whole with [`Error::NotUtf8`] rather than imported half wrong.

use std::io::Read;

use super::storygraph::{read_dates, Reading};
use crate::catalog::Catalog;
use crate::records::{Book, Rating, Rejection};
use crate::{isbn, text, Error, Result};
use columns::Columns;
pub(crate) use export::last_first;
pub use export::write_export;

mod columns;
mod export;

/// The name [`Error`]s give the file.
const FILE: &str = "Goodreads export";

/// The columns of an export, in the order Goodreads writes them.
pub const COLUMNS: [&str; 24] = [
    "Book Id",
    "Title",
    "Author",
    "Author l-f",
    "Additional Authors",
    "ISBN",
    "ISBN13",
    "My Rating",
    "Average Rating",
    "Publisher",
    "Binding",
    "Number of Pages",
    "Year Published",
    "Original Publication Year",
    "Date Read",
    "Date Added",
    "Bookshelves",
    "Bookshelves with positions",
    "Exclusive Shelf",
    "My Review",
    "Spoiler",
    "Private Notes",
    "Read Count",
    "Owned Copies",
];

/// The columns [`read_export`] cannot do without; `Date Read` and `Date Added` are optional.
pub const REQUIRED_COLUMNS: [&str; 6] = [
    "Title",
    "Author",
    "ISBN",
    "ISBN13",
    "My Rating",
    "Exclusive Shelf",
];

/// A reader's shelf, as Goodreads' three built-in exclusive shelves name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shelf {
    /// `to-read`.
    WantToRead,
    /// `currently-reading`.
    Reading,
    /// `read`.
    Read,
}

impl Shelf {
    /// Every shelf, in the order a reader moves a book along them.
    pub const ALL: [Shelf; 3] = [Shelf::WantToRead, Shelf::Reading, Shelf::Read];

    /// The shelf's name in a Goodreads export (`Exclusive Shelf`, `Bookshelves`).
    pub fn goodreads_name(self) -> &'static str {
        match self {
            Shelf::WantToRead => "to-read",
            Shelf::Reading => "currently-reading",
            Shelf::Read => "read",
        }
    }

    /// The shelf a Goodreads shelf name stands for (case and surrounding spaces ignored);
    /// `None` for a reader's own shelves.
    pub fn parse(name: &str) -> Option<Shelf> {
        let name = name.trim();
        Shelf::ALL
            .into_iter()
            .find(|s| s.goodreads_name().eq_ignore_ascii_case(name))
    }
}

/// One row of a Goodreads export: the fields Shelfwise uses, parsed, and every column the
/// reader brought, as text ([`Details`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoodreadsRow {
    /// Title as exported (series suffix included), trimmed.
    pub title: String,
    /// The main author as exported, trimmed (Goodreads puts the others in another column).
    pub author: String,
    /// The `ISBN` column, unwrapped and normalised like a catalog key (see [`isbn::normalize`]):
    /// an ISBN-10 (or a 10-character ASIN, which the catalog also keys books by); `None` when
    /// empty or anything else.
    pub isbn10: Option<String>,
    /// The `ISBN13` column, unwrapped: 13 digits, `None` when empty or not 13 digits.
    pub isbn13: Option<String>,
    /// `My Rating` in stars, 1–5; `None` for 0 (not rated).
    pub stars: Option<u8>,
    /// The rating on Shelfwise's 1–10 scale when the file gives it finer than whole stars
    /// (StoryGraph's quarter stars, LibraryThing's half stars, or such a column kept beside
    /// `My Rating` by an earlier import: see [`crate::datasets::stars`]); [`GoodreadsRow::rating`]
    /// prefers it to `stars`.
    pub fine_rating: Option<Rating>,
    /// `Exclusive Shelf`; `None` for a reader's own exclusive shelf or an empty field.
    pub shelf: Option<Shelf>,
    /// `Date Read` as exported (Goodreads writes `2017/04/23`); `None` when empty.
    pub date_read: Option<String>,
    /// `Date Added` as exported; `None` when empty.
    pub date_added: Option<String>,
    /// Every column of the row as the reader brought it (what an export gives back).
    pub details: Details,
}

/// Every column of a Goodreads row a reader brought, as the file spelled it (trimmed; ISBNs
/// without their `="…"` wrapper), so that an export gives back what was imported. Only
/// `Average Rating` (Goodreads' figure, not the reader's) is not kept. Empty text is an empty
/// cell.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Details {
    /// `Book Id`: Goodreads' id of the edition (a later import of the same file matches by it).
    pub book_id: String,
    /// `Title`, series suffix included.
    pub title: String,
    /// `Author`.
    pub author: String,
    /// `Author l-f` ("Tolkien, J.R.R.").
    pub author_last_first: String,
    /// `Additional Authors`, comma-separated.
    pub additional_authors: String,
    /// `ISBN`, unwrapped.
    pub isbn: String,
    /// `ISBN13`, unwrapped.
    pub isbn13: String,
    /// `My Rating` as written (0–5).
    pub my_rating: String,
    /// `Publisher`.
    pub publisher: String,
    /// `Binding` (Paperback, Kindle Edition...).
    pub binding: String,
    /// `Number of Pages`.
    pub pages: String,
    /// `Year Published`.
    pub year_published: String,
    /// `Original Publication Year` (negative for works before the common era).
    pub original_year: String,
    /// `Date Read` (Goodreads writes `2017/04/23`).
    pub date_read: String,
    /// `Date Added`.
    pub date_added: String,
    /// `Bookshelves`: the reader's shelves and tags, comma-separated.
    pub bookshelves: String,
    /// `Bookshelves with positions`: the same with each shelf's position (`favorites (#3)`).
    pub shelf_positions: String,
    /// `Exclusive Shelf`: a built-in shelf or one the reader made exclusive (`did-not-finish`).
    pub exclusive_shelf: String,
    /// `My Review` (Goodreads writes HTML: `<br/>`, `<i>`...).
    pub review: String,
    /// `Spoiler`: `true` when the review gives the plot away.
    pub spoiler: String,
    /// `Private Notes`: never shown to anyone but the reader.
    pub private_notes: String,
    /// `Read Count`.
    pub read_count: String,
    /// `Owned Copies`.
    pub owned_copies: String,
    /// Columns of the file that are not among [`COLUMNS`] (older exports have `Recommended
    /// For`, `Condition`, `BCID`...), by name, with this row's value; written back after the
    /// 24 columns.
    pub other: Vec<(String, String)>,
}

impl Details {
    /// The value of a column kept by name ([`Details::other`]), if the file had it.
    pub fn kept(&self, name: &str) -> Option<&str> {
        self.other
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every reading of the book, in the order written: the [`DATES_READ`] column when the row
    /// has readings there (StoryGraph's list, or one the book page's form wrote), else `Date
    /// Read` alone; none when neither has a date.
    pub fn readings(&self) -> Vec<Reading> {
        match self.kept(DATES_READ).map(read_dates) {
            Some(list) if !list.is_empty() => list,
            _ => Some(self.date_read.trim())
                .filter(|d| !d.is_empty())
                .map(|d| Reading {
                    started: None,
                    finished: Some(d.to_string()),
                })
                .into_iter()
                .collect(),
        }
    }

    /// Replace the readings: `Date Read` becomes the latest one's end (its start when it is
    /// under way), and [`DATES_READ`] lists them all when one date cannot say it (several
    /// readings, or a range) or when the row had that column already. Dates are expected in one
    /// sortable form (`2024/03/09`), as the form writes them.
    pub fn set_readings(&mut self, readings: &[Reading]) {
        let when = |r: &Reading| r.finished.clone().or_else(|| r.started.clone());
        self.date_read = readings.iter().filter_map(when).max().unwrap_or_default();
        let needs_list = readings.len() > 1 || readings.iter().any(|r| r.started.is_some());
        let list = readings
            .iter()
            .map(Reading::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        match self.other.iter_mut().find(|(n, _)| n == DATES_READ) {
            Some((_, cell)) => *cell = list,
            None if needs_list => self.other.push((DATES_READ.to_string(), list)),
            None => {}
        }
    }

    /// The reader's own exclusive shelf (`did-not-finish`, `paused`...), when it is not one of
    /// Goodreads' three built-in ones.
    pub fn custom_shelf(&self) -> Option<&str> {
        let name = self.exclusive_shelf.trim();
        (!name.is_empty() && Shelf::parse(name).is_none()).then_some(name)
    }
}

/// The column that lists every reading of a book, as StoryGraph names it: kept by name in
/// [`Details::other`] (Goodreads' own layout has one `Date Read`), so both exports give every
/// reading back.
pub const DATES_READ: &str = "Dates Read";

/// Longest title kept for a book a reader brings (characters).
pub const MAX_TITLE: usize = 500;
/// Longest author field kept (characters).
pub const MAX_AUTHOR: usize = 300;
/// Longest publisher kept (characters).
pub const MAX_PUBLISHER: usize = 200;

impl GoodreadsRow {
    /// `gr:<Book Id>`, the catalog key of Goodreads' edition, when the row has a numeric id.
    pub fn source_key(&self) -> Option<String> {
        let id = self.details.book_id.trim();
        (!id.is_empty() && id.len() <= 12 && id.bytes().all(|b| b.is_ascii_digit()))
            .then(|| format!("gr:{id}"))
    }

    /// The catalog book this row describes, for a row that matches none: keyed by its ISBN-10,
    /// else its ISBN-13, else Goodreads' id, else its title and author, so that a second reader
    /// bringing the same book finds the same key (and [`match_rows`] finds it first). The text
    /// is cleaned as untrusted ([`text::untrusted`]); `None` for a row with no title.
    pub fn new_book(&self) -> Option<Book> {
        let title = text::untrusted(&self.title, MAX_TITLE);
        if text::fold(&title).is_empty() {
            return None;
        }
        let mut author = text::untrusted(&self.author, MAX_AUTHOR);
        let others = text::untrusted(&self.details.additional_authors, MAX_AUTHOR);
        if !others.is_empty() && author.chars().count() + others.chars().count() + 2 <= MAX_AUTHOR {
            author = if author.is_empty() {
                others
            } else {
                format!("{author}, {others}")
            };
        }
        let key = self
            .isbn10
            .clone()
            .or_else(|| self.isbn13.as_deref().and_then(isbn::normalize))
            .or_else(|| self.source_key())
            .unwrap_or_else(|| reader_key(&title, &author));
        let year = [&self.details.year_published, &self.details.original_year]
            .iter()
            .find_map(|y| {
                y.trim()
                    .parse::<u16>()
                    .ok()
                    .filter(|y| (1..=2100).contains(y))
            });
        let publisher = text::untrusted(&self.details.publisher, MAX_PUBLISHER);
        Some(
            Book::new(key, title, author)
                .with_year(year)
                .with_publisher(publisher),
        )
    }

    /// The row's rating on Shelfwise's scale: the finer rating when the file has one, else
    /// the whole stars ([`Rating::from_stars`]); `None` when not rated.
    pub fn rating(&self) -> Option<Rating> {
        self.fine_rating
            .or_else(|| self.stars.and_then(Rating::from_stars))
    }
}

/// The catalog key of a book a reader brings with no ISBN nor source id: `rd:` and a stable
/// hash of its work key (title and author, folded), so that the same book brought twice, by
/// an import or by hand, gets the same key.
pub fn reader_key(title: &str, author: &str) -> String {
    format!(
        "rd:{:016x}",
        text::stable_hash(&text::work_key(title, author))
    )
}

/// A row [`read_export`] left out: its 1-based line (the header is line 1) and the reason.
pub type RowError = Rejection;

/// How a row was matched to a catalog book.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatchedBy {
    /// The `ISBN` column is a catalog key.
    Isbn10,
    /// The `ISBN13` column, as an ISBN-10 (978 range) or as itself, is a catalog key.
    Isbn13,
    /// Goodreads' `Book Id` is a catalog key (`gr:<id>`: a goodbooks book, or one a reader
    /// added from an import).
    SourceId,
    /// Title and first author name a catalog work (see [`Catalog::find_work`]).
    TitleAuthor,
}

/// A row of an export and the catalog book it was matched to, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    /// The row names a catalog book.
    Matched {
        /// The row as read.
        row: GoodreadsRow,
        /// The catalog key of the book (for a title match, the edition shown for the work).
        key: String,
        /// Which column matched.
        how: MatchedBy,
    },
    /// No catalog book matches the row.
    Unmatched {
        /// The row as read.
        row: GoodreadsRow,
    },
}

impl Match {
    /// The row, matched or not.
    pub fn row(&self) -> &GoodreadsRow {
        match self {
            Match::Matched { row, .. } | Match::Unmatched { row } => row,
        }
    }

    /// The catalog key the row was matched to.
    pub fn key(&self) -> Option<&str> {
        match self {
            Match::Matched { key, .. } => Some(key),
            Match::Unmatched { .. } => None,
        }
    }
}

/// What Shelfwise knows about a book on a reader's shelves: one row of [`write_export`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportRow {
    /// The catalog key. An ISBN-10 is written as `ISBN` and, converted, as `ISBN13`; a 13-digit
    /// key as `ISBN13`; anything else (`gr:` keys, ASINs) as no ISBN.
    pub key: String,
    /// Title.
    pub title: String,
    /// Author(s); the first one goes in `Author`, the others in `Additional Authors`.
    pub author: String,
    /// Publisher, empty when unknown.
    pub publisher: String,
    /// Year of publication.
    pub year: Option<u16>,
    /// The reader's stars, 1–5 (see [`stars_of`]); `None` when not rated.
    pub stars: Option<u8>,
    /// The shelf the book is on; `None` leaves `Exclusive Shelf` empty.
    pub shelf: Option<Shelf>,
    /// When the reader shelved the book, written as given (Goodreads uses `2017/04/23`).
    pub date_added: Option<String>,
    /// A shelf of the reader's own (`did-not-finish`), written in `Exclusive Shelf` when
    /// `shelf` is `None`.
    pub own_shelf: Option<String>,
    /// What the reader brought for this book when they imported it, if they did: written in
    /// place of the catalog's title, authors, ISBNs, publisher and dates, so that an export
    /// gives back what was imported; `stars` and `shelf` (the reader's current choices) win
    /// over the imported rating and exclusive shelf.
    pub details: Option<Details>,
}

impl ExportRow {
    /// A row for a catalog book, not rated and on no shelf yet.
    pub fn for_book(book: &Book) -> ExportRow {
        ExportRow {
            key: book.key.clone(),
            title: book.title.clone(),
            author: book.author.clone(),
            publisher: book.publisher.clone(),
            year: book.year,
            stars: None,
            shelf: None,
            date_added: None,
            own_shelf: None,
            details: None,
        }
    }
}

/// Stars (1–5) for a rating on Shelfwise's 0–10 scale, rounding half up (7 → 4 stars) so that
/// `2 * stars` ratings come back as they were; `None` for an implicit rating.
pub fn stars_of(rating: Rating) -> Option<u8> {
    rating.is_explicit().then(|| rating.value().div_ceil(2))
}

/// Read a Goodreads export: the rows kept, and the rows left out with their line and reason.
///
/// A row is left out when its field count differs from the header's, when `My Rating` is not
/// 0–5, or when it has neither a title nor an ISBN; a bad row never stops the import. The file
/// as a whole is refused when the header lacks a [required column](REQUIRED_COLUMNS) (the error names
/// them), when it is not UTF-8 ([`Error::NotUtf8`], with the first bad line), or when it has
/// more than `max_rows` data rows ([`Error::TooManyRows`], found without reading further).
pub fn read_export(
    reader: impl Read,
    max_rows: usize,
) -> Result<(Vec<GoodreadsRow>, Vec<RowError>)> {
    super::csv_lines::read_export(reader, max_rows, FILE, Columns::find, Columns::row)
}

/// Match rows to catalog books, in order: the `ISBN` column, then the `ISBN13` column (a 978
/// ISBN-13 as its ISBN-10), then Goodreads' `Book Id`, then title and first author (the first
/// of [`title_matches`]). Each row costs a few hash lookups.
pub fn match_rows(catalog: &Catalog, rows: Vec<GoodreadsRow>) -> Vec<Match> {
    rows.into_iter()
        .map(|row| match find(catalog, &row) {
            Some((key, how)) => Match::Matched { row, key, how },
            None => Match::Unmatched { row },
        })
        .collect()
}

/// The catalog key of a row's book, and how it was found.
fn find(catalog: &Catalog, row: &GoodreadsRow) -> Option<(String, MatchedBy)> {
    let by_isbn10 = row.isbn10.as_deref().filter(|k| catalog.find(k).is_some());
    if let Some(key) = by_isbn10 {
        return Some((key.to_string(), MatchedBy::Isbn10));
    }
    // normalize turns a 978 ISBN-13 into the ISBN-10 catalog key and keeps a 979 one whole.
    let by_isbn13 = row
        .isbn13
        .as_deref()
        .and_then(isbn::normalize)
        .filter(|k| catalog.find(k).is_some());
    if let Some(key) = by_isbn13 {
        return Some((key, MatchedBy::Isbn13));
    }
    let by_id = row.source_key().filter(|k| catalog.find(k).is_some());
    if let Some(key) = by_id {
        return Some((key, MatchedBy::SourceId));
    }
    if text::fold(&row.title).is_empty() {
        // Nothing to match on: an all-punctuation title would meet other such titles.
        return None;
    }
    let key = title_matches(catalog, row).into_iter().next()?;
    Some((key, MatchedBy::TitleAuthor))
}

/// The catalog books a row may be by its title and first author, the likeliest first: the
/// book an earlier import made of them (its `rd:` key, [`GoodreadsRow::new_book`]), and the
/// edition that stands for their work ([`Catalog::find_work`], which ignores the series
/// suffix). The made book comes first when it bears the row's own title, so a reader's export
/// read back, or the same file imported again, lands on the same books even after the catalog
/// grouped that one with another edition; else the work's edition does (a reader's two
/// editions of one work were split between them, and each row goes back to its own). An
/// import takes the next one when a row of the same file took the first.
pub fn title_matches(catalog: &Catalog, row: &GoodreadsRow) -> Vec<String> {
    let made = row
        .new_book()
        .map(|b| b.key)
        .filter(|k| k.starts_with("rd:"))
        .and_then(|k| catalog.book(catalog.find(&k)?));
    let edition = catalog
        .find_work(&row.title, &row.author)
        .and_then(|w| catalog.work(w))
        .and_then(|w| catalog.book(w.representative()));
    let own_title = text::fold(&row.title);
    let mut books: Vec<&Book> = match (made, edition) {
        (Some(m), Some(e)) if text::fold(&m.title) == own_title => vec![m, e],
        (Some(m), Some(e)) => vec![e, m],
        (m, e) => m.into_iter().chain(e).collect(),
    };
    books.dedup_by(|a, b| a.key == b.key);
    books.into_iter().map(|b| b.key.clone()).collect()
}

/// An ISBN field without Goodreads' `="..."` wrapper, spaces and hyphens; `None` when empty.
pub(crate) fn unwrap_isbn(field: &str) -> Option<String> {
    let inner = field.trim();
    let inner = inner.strip_prefix('=').unwrap_or(inner).trim();
    let inner = inner
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(inner);
    let cleaned: String = inner
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '\u{a0}'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (!cleaned.is_empty()).then_some(cleaned)
}

#[cfg(test)]
mod tests;
