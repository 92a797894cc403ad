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

use std::io::{Read, Write};

use csv::{ByteRecord, ReaderBuilder, WriterBuilder};

use crate::catalog::Catalog;
use crate::goodbooks::{csv_error, first_line, quoted, NewlineCounter};
use crate::model::{Book, Rating, Rejection};
use crate::{isbn, text, Error, Result};

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

/// One row of a Goodreads export, with the fields Shelfwise uses.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// `Exclusive Shelf`; `None` for a reader's own exclusive shelf or an empty field.
    pub shelf: Option<Shelf>,
    /// `Date Read` as exported (Goodreads writes `2017/04/23`); `None` when empty.
    pub date_read: Option<String>,
    /// `Date Added` as exported; `None` when empty.
    pub date_added: Option<String>,
}

impl GoodreadsRow {
    /// The row's rating on Shelfwise's scale ([`Rating::from_stars`]); `None` when not rated.
    pub fn rating(&self) -> Option<Rating> {
        self.stars.and_then(Rating::from_stars)
    }
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
#[derive(Debug, Clone, PartialEq, Eq)]
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
    // Flexible: a row with the wrong number of fields is a bad row, not a CSV error.
    let mut reader = ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(NewlineCounter::new(reader));
    let mut record = ByteRecord::new();
    let has_header = reader.read_byte_record(&mut record).map_err(csv_error)?;
    let columns = Columns::find(has_header.then_some(&record))?;

    let (mut rows, mut errors) = (Vec::new(), Vec::new());
    let mut count = 0usize;
    while reader.read_byte_record(&mut record).map_err(csv_error)? {
        count += 1;
        if count > max_rows {
            return Err(Error::TooManyRows {
                file: FILE.to_string(),
                max: max_rows,
            });
        }
        let line = first_line(&mut reader, &record);
        if std::str::from_utf8(record.as_slice()).is_err() {
            return Err(Error::NotUtf8 {
                file: FILE.to_string(),
                line,
            });
        }
        match columns.row(&record) {
            Ok(row) => rows.push(row),
            Err(reason) => errors.push(RowError { line, reason }),
        }
    }
    Ok((rows, errors))
}

/// Match rows to catalog books, in order: the `ISBN` column, then the `ISBN13` column (a 978
/// ISBN-13 as its ISBN-10), then title and first author ([`Catalog::find_work`], which ignores
/// the series suffix). Each row costs a few hash lookups.
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
    if text::fold(&row.title).is_empty() {
        // Nothing to match on: an all-punctuation title would meet other such titles.
        return None;
    }
    let work = catalog.work(catalog.find_work(&row.title, &row.author)?)?;
    let book = catalog.book(work.representative())?;
    Some((book.key.clone(), MatchedBy::TitleAuthor))
}

/// Write rows in Goodreads' export layout: all 24 columns, ISBNs wrapped as `="..."`, stars in
/// `My Rating` (0 when not rated), the shelf in `Exclusive Shelf` and `Bookshelves`.
/// Columns Shelfwise knows nothing of (`Book Id`, `Average Rating`, `Binding`, ...) are empty.
///
/// Stars outside 1–5 are refused with [`Error::Export`] rather than written as a rating
/// Goodreads (and [`read_export`]) would reject.
pub fn write_export(writer: impl Write, rows: &[ExportRow]) -> Result<()> {
    let mut out = WriterBuilder::new().from_writer(writer);
    out.write_record(COLUMNS).map_err(csv_error)?;
    for (i, row) in rows.iter().enumerate() {
        if let Some(stars) = row.stars.filter(|s| !(1..=5).contains(s)) {
            return Err(Error::Export {
                row: i,
                reason: format!("{stars} stars (1–5 expected)"),
            });
        }
        out.write_record(export_fields(row)).map_err(csv_error)?;
    }
    out.flush()?;
    Ok(())
}

/// The 24 fields of an export row, in [`COLUMNS`] order.
fn export_fields(row: &ExportRow) -> [String; 24] {
    let (isbn10, isbn13) = export_isbns(&row.key);
    let main = text::first_author(&row.author);
    // first_author cuts the trimmed field at the first separator: the rest are the others.
    let rest = row.author.trim().strip_prefix(main).unwrap_or_default();
    let rest = rest.trim_start_matches(|c: char| c.is_whitespace() || ",;&/".contains(c));
    let others = rest.strip_prefix("and ").unwrap_or(rest).trim();
    let shelf = row.shelf.map(Shelf::goodreads_name).unwrap_or_default();
    let year = row.year.map(|y| y.to_string()).unwrap_or_default();
    let read_count = u8::from(row.shelf == Some(Shelf::Read));
    [
        String::new(),
        row.title.clone(),
        main.to_string(),
        last_first(main),
        others.to_string(),
        wrap_isbn(isbn10.as_deref()),
        wrap_isbn(isbn13.as_deref()),
        row.stars.unwrap_or(0).to_string(),
        String::new(),
        row.publisher.clone(),
        String::new(),
        String::new(),
        year.clone(),
        year,
        String::new(),
        row.date_added.clone().unwrap_or_default(),
        shelf.to_string(),
        String::new(),
        shelf.to_string(),
        String::new(),
        String::new(),
        String::new(),
        read_count.to_string(),
        "0".to_string(),
    ]
}

/// `ISBN` and `ISBN13` of a catalog key.
fn export_isbns(key: &str) -> (Option<String>, Option<String>) {
    let b = key.as_bytes();
    let is_isbn10 = b.len() == 10
        && b[..9].iter().all(u8::is_ascii_digit)
        && (b[9].is_ascii_digit() || b[9] == b'X');
    if is_isbn10 {
        return (Some(key.to_string()), isbn::to_isbn13(key));
    }
    let is_isbn13 = b.len() == 13 && b.iter().all(u8::is_ascii_digit);
    (None, is_isbn13.then(|| key.to_string()))
}

/// An ISBN as Goodreads writes it: `="0439023483"`, or `=""` for none.
fn wrap_isbn(isbn: Option<&str>) -> String {
    format!("=\"{}\"", isbn.unwrap_or_default())
}

/// `Author l-f`: "Suzanne Collins" → "Collins, Suzanne"; a single name stays as it is.
fn last_first(author: &str) -> String {
    match author.trim().rsplit_once(' ') {
        Some((first, last)) => format!("{last}, {}", first.trim()),
        None => author.trim().to_string(),
    }
}

/// An ISBN field without Goodreads' `="..."` wrapper, spaces and hyphens; `None` when empty.
fn unwrap_isbn(field: &str) -> Option<String> {
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

/// Where the columns [`read_export`] uses are in this file.
struct Columns {
    /// The header's field count: every row must have it.
    width: usize,
    title: usize,
    author: usize,
    isbn: usize,
    isbn13: usize,
    rating: usize,
    shelf: usize,
    date_read: Option<usize>,
    date_added: Option<usize>,
}

impl Columns {
    /// Find the columns by name in the header (a byte-order mark and spaces around names are
    /// ignored); error naming every required column that is missing.
    fn find(header: Option<&ByteRecord>) -> Result<Columns> {
        let names: Vec<&str> = match header {
            Some(h) => {
                let mut names = Vec::with_capacity(h.len());
                for field in h {
                    let name = std::str::from_utf8(field).map_err(|_| Error::NotUtf8 {
                        file: FILE.to_string(),
                        line: 1,
                    })?;
                    names.push(name.trim_start_matches('\u{feff}').trim());
                }
                names
            }
            None => Vec::new(),
        };
        let position = |name: &str| names.iter().position(|n| *n == name);
        let missing: Vec<String> = REQUIRED_COLUMNS
            .iter()
            .filter(|name| position(name).is_none())
            .map(|name| name.to_string())
            .collect();
        if !missing.is_empty() {
            return Err(Error::MissingColumns {
                file: FILE.to_string(),
                missing,
            });
        }
        // Every required column was found just above.
        let required = |name: &str| position(name).unwrap_or_default();
        Ok(Columns {
            width: names.len(),
            title: required("Title"),
            author: required("Author"),
            isbn: required("ISBN"),
            isbn13: required("ISBN13"),
            rating: required("My Rating"),
            shelf: required("Exclusive Shelf"),
            date_read: position("Date Read"),
            date_added: position("Date Added"),
        })
    }

    /// A data record (already checked to be UTF-8) as a row, or why it is left out.
    fn row(&self, record: &ByteRecord) -> Result<GoodreadsRow, String> {
        if record.len() != self.width {
            return Err(format!(
                "wrong field count: {} (the header has {})",
                record.len(),
                self.width
            ));
        }
        let field = |i: usize| {
            let bytes = record.get(i).unwrap_or_default();
            std::str::from_utf8(bytes).unwrap_or_default().trim()
        };
        let optional =
            |i: Option<usize>| i.map(field).filter(|s| !s.is_empty()).map(str::to_string);

        let raw_rating = field(self.rating);
        let stars = match raw_rating {
            "" | "0" => None,
            raw => Some(
                raw.parse::<u8>()
                    .ok()
                    .filter(|s| (1..=5).contains(s))
                    .ok_or_else(|| format!("bad My Rating: {} (0–5 expected)", quoted(raw)))?,
            ),
        };
        // An ISBN column holding something else (an ASIN, a typo) only loses the ISBN match.
        let isbn10 = unwrap_isbn(field(self.isbn))
            .and_then(|raw| isbn::normalize(&raw))
            .filter(|k| k.len() == 10);
        let isbn13 = unwrap_isbn(field(self.isbn13))
            .filter(|k| k.len() == 13 && k.bytes().all(|b| b.is_ascii_digit()));
        let title = field(self.title).to_string();
        if title.is_empty() && isbn10.is_none() && isbn13.is_none() {
            return Err("no title or ISBN".to_string());
        }
        Ok(GoodreadsRow {
            title,
            author: field(self.author).to_string(),
            isbn10,
            isbn13,
            stars,
            shelf: Shelf::parse(field(self.shelf)),
            date_read: optional(self.date_read),
            date_added: optional(self.date_added),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const HEADER: &str = "Book Id,Title,Author,Author l-f,Additional Authors,ISBN,ISBN13,My Rating,Average Rating,Publisher,Binding,Number of Pages,Year Published,Original Publication Year,Date Read,Date Added,Bookshelves,Bookshelves with positions,Exclusive Shelf,My Review,Spoiler,Private Notes,Read Count,Owned Copies\n";

    /// An export row as Goodreads writes it, with the fields the reader uses.
    fn line(
        title: &str,
        author: &str,
        isbn: &str,
        isbn13: &str,
        stars: &str,
        shelf: &str,
    ) -> String {
        format!(
            "2767052,{title},{author},\"Collins, Suzanne\",,\"=\"\"{isbn}\"\"\",\"=\"\"{isbn13}\"\"\",{stars},4.33,Scholastic Press,Hardcover,374,2008,2008,2012/05/01,2011/12/27,{shelf},{shelf} (#12),{shelf},,,,1,0\n"
        )
    }

    fn read(body: &str) -> (Vec<GoodreadsRow>, Vec<RowError>) {
        read_export(format!("{HEADER}{body}").as_bytes(), 1000).unwrap()
    }

    fn lines_and_reasons(errors: &[RowError]) -> Vec<(u64, &str)> {
        errors.iter().map(|e| (e.line, e.reason.as_str())).collect()
    }

    fn book(key: &str, title: &str, author: &str) -> Book {
        Book {
            key: key.into(),
            title: title.into(),
            author: author.into(),
            year: None,
            publisher: String::new(),
            image_url: None,
            tags: vec![],
        }
    }

    #[test]
    fn an_exported_row_is_read() {
        let (rows, errors) = read(&line(
            "\"The Hunger Games (The Hunger Games, #1)\"",
            "Suzanne Collins",
            "0439023483",
            "9780439023481",
            "5",
            "read",
        ));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            rows,
            vec![GoodreadsRow {
                title: "The Hunger Games (The Hunger Games, #1)".into(),
                author: "Suzanne Collins".into(),
                isbn10: Some("0439023483".into()),
                isbn13: Some("9780439023481".into()),
                stars: Some(5),
                shelf: Some(Shelf::Read),
                date_read: Some("2012/05/01".into()),
                date_added: Some("2011/12/27".into()),
            }]
        );
        assert_eq!(rows[0].rating(), Rating::new(10));
    }

    #[test]
    fn isbns_are_unwrapped() {
        assert_eq!(
            unwrap_isbn("=\"0439023483\"").as_deref(),
            Some("0439023483")
        );
        assert_eq!(
            unwrap_isbn(" = \"978-0-439-02348-1\" ").as_deref(),
            Some("9780439023481")
        );
        assert_eq!(unwrap_isbn("034545104x").as_deref(), Some("034545104X"));
        assert_eq!(unwrap_isbn("=\"\""), None);
        assert_eq!(unwrap_isbn(""), None);
        assert_eq!(unwrap_isbn("="), None);

        // Unquoted on the line too (what some other tools write): the quotes are then literal.
        let body = "1,Dune,Frank Herbert,,,=\"0441172717\",=\"\",0,,,,,,,,,,,to-read,,,,0,0\n";
        let (rows, errors) = read(body);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(rows[0].isbn10.as_deref(), Some("0441172717"));
        assert_eq!(rows[0].isbn13, None);
        assert_eq!(rows[0].stars, None);
        assert_eq!(rows[0].date_added, None);
    }

    #[test]
    fn isbns_that_are_not_isbns_only_lose_the_isbn() {
        let (rows, errors) = read(&line(
            "Kindle Book",
            "A. Writer",
            "B00ABCDE12X",
            "97804",
            "0",
            "to-read",
        ));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            (rows[0].isbn10.as_deref(), rows[0].isbn13.as_deref()),
            (None, None)
        );
        // A 978 ISBN-13 in the ISBN column becomes its ISBN-10.
        let (rows, _) = read(&line(
            "Dune",
            "Frank Herbert",
            "9780441172719",
            "",
            "0",
            "read",
        ));
        assert_eq!(rows[0].isbn10.as_deref(), Some("0441172717"));
    }

    #[test]
    fn shelves_parse_from_their_goodreads_names() {
        for shelf in Shelf::ALL {
            assert_eq!(Shelf::parse(shelf.goodreads_name()), Some(shelf));
        }
        assert_eq!(Shelf::parse(" Currently-Reading "), Some(Shelf::Reading));
        assert_eq!(Shelf::parse("to-read"), Some(Shelf::WantToRead));
        assert_eq!(Shelf::parse("did-not-finish"), None);
        assert_eq!(Shelf::parse(""), None);
        let (rows, errors) = read(&line(
            "Dune",
            "Frank Herbert",
            "",
            "",
            "0",
            "did-not-finish",
        ));
        assert!(errors.is_empty());
        assert_eq!(rows[0].shelf, None);
    }

    #[test]
    fn bad_rows_are_reported_with_their_lines_and_the_rest_is_read() {
        let body = [
            line("Dune", "Frank Herbert", "0441172717", "", "7", "read"),
            line("Emma", "Jane Austen", "", "", "4", "read"),
            // A quoted field over two lines: the next row starts on line 5.
            line("\"Two\nLines\"", "A. Writer", "", "", "x", "read"),
            "Short,Row\n".to_string(),
            "\n".to_string(),
            line("", "Nobody", "=\"\"", "", "3", "read"),
            line("Persuasion", "Jane Austen", "", "", "-1", "read"),
            line(
                "Sense and Sensibility",
                "Jane Austen",
                "",
                "",
                "",
                "to-read",
            ),
        ]
        .concat();
        let (rows, errors) = read(&body);
        assert_eq!(
            lines_and_reasons(&errors),
            vec![
                (2, "bad My Rating: \"7\" (0–5 expected)"),
                (4, "bad My Rating: \"x\" (0–5 expected)"),
                (6, "wrong field count: 2 (the header has 24)"),
                (8, "no title or ISBN"),
                (9, "bad My Rating: \"-1\" (0–5 expected)"),
            ]
        );
        let titles: Vec<&str> = rows.iter().map(|r| r.title.as_str()).collect();
        assert_eq!(titles, vec!["Emma", "Sense and Sensibility"]);
        assert_eq!(rows[1].stars, None);
    }

    #[test]
    fn crlf_line_ends_keep_line_numbers_right() {
        let body = format!(
            "{}{}",
            line("Dune", "Frank Herbert", "", "", "4", "read"),
            line("Emma", "Jane Austen", "", "", "9", "read")
        );
        let input = format!("{HEADER}{body}").replace('\n', "\r\n");
        let (rows, errors) = read_export(input.as_bytes(), 10).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(
            lines_and_reasons(&errors),
            vec![(3, "bad My Rating: \"9\" (0–5 expected)")]
        );
    }

    #[test]
    fn columns_are_found_by_name_and_missing_ones_are_named() {
        let input = "\u{feff}Exclusive Shelf, My Rating ,ISBN13,ISBN,Author,Title\nread,3,=\"\",=\"\",Frank Herbert,Dune\n";
        let (rows, errors) = read_export(input.as_bytes(), 10).unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(rows[0].title, "Dune");
        assert_eq!(rows[0].stars, Some(3));
        assert_eq!(rows[0].shelf, Some(Shelf::Read));
        assert_eq!(rows[0].date_read, None);

        let err =
            read_export("Title,Author,ISBN\nDune,Frank Herbert,\n".as_bytes(), 10).unwrap_err();
        assert!(
            matches!(&err, Error::MissingColumns { missing, .. } if missing == &["ISBN13", "My Rating", "Exclusive Shelf"]),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "Goodreads export lacks required columns: ISBN13, My Rating, Exclusive Shelf"
        );
        let err = read_export(&b""[..], 10).unwrap_err();
        assert!(matches!(err, Error::MissingColumns { missing, .. } if missing.len() == 6));
    }

    #[test]
    fn non_utf8_files_are_refused_with_the_line() {
        let mut input = format!(
            "{HEADER}{}",
            line("Emma", "Jane Austen", "", "", "4", "read")
        )
        .into_bytes();
        input.extend_from_slice(
            line("Les Mis\u{e9}rables", "Victor Hugo", "", "", "4", "read").as_bytes(),
        );
        // Latin-1 "é" instead of UTF-8.
        let at = input.windows(2).position(|w| w == "é".as_bytes()).unwrap();
        input.splice(at..at + 2, [0xe9]);
        let err = read_export(&input[..], 10).unwrap_err();
        assert!(matches!(err, Error::NotUtf8 { line: 3, .. }), "{err:?}");
        assert!(err.to_string().contains("not UTF-8"), "{err}");

        let err = read_export(&b"Titl\xe9,Author\n"[..], 10).unwrap_err();
        assert!(matches!(err, Error::NotUtf8 { line: 1, .. }), "{err:?}");
    }

    #[test]
    fn too_many_rows_is_an_error() {
        let body = line("Emma", "Jane Austen", "", "", "4", "read").repeat(3);
        assert_eq!(read(&body).0.len(), 3);
        let input = format!("{HEADER}{body}");
        assert_eq!(read_export(input.as_bytes(), 3).unwrap().0.len(), 3);
        let err = read_export(input.as_bytes(), 2).unwrap_err();
        assert!(matches!(err, Error::TooManyRows { max: 2, .. }), "{err:?}");
    }

    #[test]
    fn series_suffixes_do_not_stop_a_title_match() {
        let catalog = Catalog::build(
            vec![
                book(
                    "0439358078",
                    "Harry Potter and the Order of the Phoenix (Book 5)",
                    "J. K. Rowling",
                ),
                book("0441172717", "Dune", "Frank Herbert"),
                book("9791032305690", "Le Livre", "Jean Auteur"),
            ],
            vec![],
        )
        .unwrap();
        let row =
            |title: &str, author: &str, isbn10: Option<&str>, isbn13: Option<&str>| GoodreadsRow {
                title: title.into(),
                author: author.into(),
                isbn10: isbn10.map(str::to_string),
                isbn13: isbn13.map(str::to_string),
                stars: None,
                shelf: None,
                date_read: None,
                date_added: None,
            };
        let matches = match_rows(
            &catalog,
            vec![
                row(
                    "Harry Potter and the Order of the Phoenix (Harry Potter, #5)",
                    "J.K. Rowling",
                    None,
                    None,
                ),
                row("Dune", "Frank Herbert", Some("0441172717"), None),
                row(
                    "Dune (Dune Chronicles, #1)",
                    "Frank Herbert",
                    Some("0000000000"),
                    Some("9780441172719"),
                ),
                row("Le Livre", "Jean Auteur", None, Some("9791032305690")),
                row(
                    "Dune",
                    "Brian Herbert, Kevin J. Anderson",
                    Some("0000000000"),
                    None,
                ),
                row("!!!", "", None, None),
            ],
        );
        let got: Vec<(Option<&str>, Option<MatchedBy>)> = matches
            .iter()
            .map(|m| match m {
                Match::Matched { key, how, .. } => (Some(key.as_str()), Some(*how)),
                Match::Unmatched { .. } => (None, None),
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (Some("0439358078"), Some(MatchedBy::TitleAuthor)),
                (Some("0441172717"), Some(MatchedBy::Isbn10)),
                (Some("0441172717"), Some(MatchedBy::Isbn13)),
                (Some("9791032305690"), Some(MatchedBy::Isbn13)),
                // Same title, another author: not the same work.
                (None, None),
                (None, None),
            ]
        );
        assert_eq!(matches[1].key(), Some("0441172717"));
        assert_eq!(matches[4].row().author, "Brian Herbert, Kevin J. Anderson");
    }

    #[test]
    fn an_export_is_laid_out_like_goodreads() {
        let rows = [
            ExportRow {
                key: "0439023483".into(),
                title: "The Hunger Games (The Hunger Games, #1)".into(),
                author: "Suzanne Collins".into(),
                publisher: "Scholastic Press".into(),
                year: Some(2008),
                stars: Some(5),
                shelf: Some(Shelf::Read),
                date_added: Some("2011/12/27".into()),
            },
            ExportRow {
                key: "gr:42".into(),
                title: "Good Omens".into(),
                author: "Terry Pratchett, Neil Gaiman".into(),
                publisher: String::new(),
                year: None,
                stars: None,
                shelf: Some(Shelf::WantToRead),
                date_added: None,
            },
        ];
        let mut out = Vec::new();
        write_export(&mut out, &rows).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(format!("{}\n", lines[0]), HEADER);
        assert_eq!(
            lines[1],
            r#","The Hunger Games (The Hunger Games, #1)",Suzanne Collins,"Collins, Suzanne",,"=""0439023483""","=""9780439023481""",5,,Scholastic Press,,,2008,2008,,2011/12/27,read,,read,,,,1,0"#
        );
        assert_eq!(
            lines[2],
            r#",Good Omens,Terry Pratchett,"Pratchett, Terry",Neil Gaiman,"=""""","=""""",0,,,,,,,,,to-read,,to-read,,,,0,0"#
        );

        let mut bad = rows[0].clone();
        bad.stars = Some(6);
        let err = write_export(Vec::new(), &[rows[1].clone(), bad]).unwrap_err();
        assert!(matches!(err, Error::Export { row: 1, .. }), "{err:?}");
    }

    #[test]
    fn isbns_of_catalog_keys() {
        let pair = |k: &str| export_isbns(k);
        assert_eq!(
            pair("059035342X"),
            (Some("059035342X".into()), Some("9780590353427".into()))
        );
        assert_eq!(pair("9791032305690"), (None, Some("9791032305690".into())));
        assert_eq!(pair("B0000BLD7X"), (None, None));
        assert_eq!(pair("gr:12"), (None, None));
    }

    #[test]
    fn ratings_become_stars_rounding_half_up() {
        let stars: Vec<Option<u8>> = (0..=10)
            .map(|v| stars_of(Rating::new(v).unwrap()))
            .collect();
        assert_eq!(
            stars,
            vec![
                None,
                Some(1),
                Some(1),
                Some(2),
                Some(2),
                Some(3),
                Some(3),
                Some(4),
                Some(4),
                Some(5),
                Some(5)
            ]
        );
        for s in 1..=5 {
            assert_eq!(stars_of(Rating::from_stars(s).unwrap()), Some(s));
        }
    }

    #[test]
    fn author_names_are_split_for_goodreads() {
        assert_eq!(last_first("Suzanne Collins"), "Collins, Suzanne");
        assert_eq!(last_first("J. R. R. Tolkien"), "Tolkien, J. R. R.");
        assert_eq!(last_first("Voltaire"), "Voltaire");
        let fields = export_fields(&ExportRow {
            author: "Mary-Kate and Ashley Olsen".into(),
            ..ExportRow::for_book(&book("gr:1", "T", ""))
        });
        assert_eq!(
            (fields[2].as_str(), fields[4].as_str()),
            ("Mary-Kate", "Ashley Olsen")
        );
    }

    /// An ISBN-10 shaped catalog key, a 979 ISBN-13, or a key with no ISBN.
    fn key() -> impl Strategy<Value = String> {
        prop_oneof!["[0-9]{9}[0-9X]", "979[0-9]{10}", "gr:[0-9]{1,6}",]
    }

    fn shelf() -> impl Strategy<Value = Option<Shelf>> {
        proptest::option::of(proptest::sample::select(Shelf::ALL.to_vec()))
    }

    fn export_row() -> impl Strategy<Value = ExportRow> {
        (
            key(),
            // Titles and names with commas, quotes, `="`, line breaks and any script.
            "[^\\p{C}]{0,30}(\n[^\\p{C}]{1,10})?".prop_filter_map("blank title", |t| {
                let t = t.trim().to_string();
                (!t.is_empty()).then_some(t)
            }),
            "[\\p{L} .,'&\"-]{0,30}",
            "[^\\p{C}]{0,20}",
            proptest::option::of(1u16..=2025),
            proptest::option::of(1u8..=5),
            shelf(),
            proptest::option::of("[0-9]{4}/[0-9]{2}/[0-9]{2}"),
        )
            .prop_map(
                |(key, title, author, publisher, year, stars, shelf, date_added)| ExportRow {
                    key,
                    title,
                    author,
                    publisher,
                    year,
                    stars,
                    shelf,
                    date_added,
                },
            )
    }

    proptest! {
        #[test]
        fn what_is_written_reads_back(rows in proptest::collection::vec(export_row(), 0..8)) {
            let mut out = Vec::new();
            write_export(&mut out, &rows).unwrap();
            let (read, errors) = read_export(&out[..], rows.len()).unwrap();
            prop_assert!(errors.is_empty(), "{:?}", errors);
            prop_assert_eq!(read.len(), rows.len());
            for (row, back) in rows.iter().zip(&read) {
                let (isbn10, isbn13) = export_isbns(&row.key);
                prop_assert_eq!(&back.title, &row.title);
                prop_assert_eq!(back.author.as_str(), text::first_author(&row.author));
                prop_assert_eq!(&back.isbn10, &isbn10);
                prop_assert_eq!(&back.isbn13, &isbn13);
                prop_assert_eq!(back.stars, row.stars);
                prop_assert_eq!(back.shelf, row.shelf);
                prop_assert_eq!(&back.date_added, &row.date_added);
                prop_assert_eq!(&back.date_read, &None);
            }
        }

        #[test]
        fn any_input_is_read_without_panic(body in proptest::collection::vec(any::<u8>(), 0..400)) {
            let mut input = HEADER.as_bytes().to_vec();
            input.extend_from_slice(&body);
            let _ = read_export(&input[..], 50);
        }
    }
}
