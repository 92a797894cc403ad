//! StoryGraph library exports: the CSV a reader downloads from StoryGraph ("Manage account" →
//! "Export StoryGraph library"), read into the same rows as a Goodreads export
//! ([`GoodreadsRow`] with its [`Details`]), so that matching, new books, storage and the
//! Goodreads-layout export work on them unchanged.
//!
//! The file is standard CSV (comma-separated, double-quote quoting, UTF-8) with this header:
//!
//! `Title,Authors,Contributors,ISBN/UID,Format,Read Status,Date Added,Last Date Read,Dates Read,Read Count,Moods,Pace,Character- or Plot-Driven?,Strong Character Development?,Loveable Characters?,Diverse Characters?,Flawed Characters?,Star Rating,Review,Content Warnings,Content Warning Description,Tags,Owned?`
//!
//! Columns are found by name; only `Title`, `Authors` and `Read Status` are required (copies
//! trimmed in a spreadsheet leave the others out). Quirks handled on purpose:
//!
//! - `Star Rating` is in quarter stars, `0.25` to `5.0` (empty when not rated): it becomes a
//!   rating on Shelfwise's 1–10 scale and whole stars for `My Rating`
//!   ([`crate::datasets::stars`]), and the column is kept as written so that an export gives
//!   the quarter stars back;
//! - `Read Status` is `read`, `currently-reading`, `to-read`, `did-not-finish`, `paused`, or
//!   empty: it is written as the Goodreads exclusive shelf as it is (the three Goodreads
//!   shelves are Shelfwise's; `did-not-finish` is Shelfwise's "Did not finish"; `paused` stays
//!   the reader's own status; an empty one puts the book on no shelf);
//! - `Dates Read` lists each reading as a date or a range, `2021/03/01-2021/03/15`, several
//!   separated by commas, a range open at either end while a reading is under way
//!   ([`read_dates`]); `Last Date Read` is Goodreads' `Date Read`, and when it is empty the end
//!   of the last reading listed is;
//! - `ISBN/UID` is an ISBN-13, an ISBN-10, an ASIN (`B08PT6S7ZW`, which the catalog keys books
//!   by like an ISBN-10), or another id of StoryGraph's: an ISBN goes to `ISBN13` or `ISBN`,
//!   and the column is kept as written;
//! - `Authors` lists every author, comma-separated: the first is `Author`, the others
//!   `Additional Authors` (a `Jr.` or `III` stays with its name);
//! - moods (`dark, tense`) and pace (`fast`) are kept as tags: with the reader's `Tags`, as
//!   `mood-dark`, `mood-tense`, `pace-fast`, they are the row's `Bookshelves`;
//! - `Owned?` (`Yes`/`No`) is `Owned Copies` 1 or 0.
//!
//! Every column is kept: the ones whose text a Goodreads field holds unchanged ([`MAPPED`])
//! there, every other one by name in [`Details::other`], so the Goodreads-layout export
//! writes them after Goodreads' 24 columns and reads them back. A file that is not UTF-8 is
//! refused as a whole ([`Error::NotUtf8`]), as a Goodreads export is.

use std::io::Read;

use csv::ByteRecord;

use super::goodreads::{last_first, unwrap_isbn, Details, GoodreadsRow, RowError, Shelf};
use super::library::kept_name;
use super::stars::{Stars, Step};
use crate::{isbn, Error, Result};

/// The name [`Error`]s give the file.
const FILE: &str = "StoryGraph export";

/// The columns of an export, in the order StoryGraph writes them.
pub const COLUMNS: [&str; 23] = [
    "Title",
    "Authors",
    "Contributors",
    "ISBN/UID",
    "Format",
    "Read Status",
    "Date Added",
    "Last Date Read",
    "Dates Read",
    "Read Count",
    "Moods",
    "Pace",
    "Character- or Plot-Driven?",
    "Strong Character Development?",
    "Loveable Characters?",
    "Diverse Characters?",
    "Flawed Characters?",
    "Star Rating",
    "Review",
    "Content Warnings",
    "Content Warning Description",
    "Tags",
    "Owned?",
];

/// The columns [`read_export`] cannot do without.
pub const REQUIRED_COLUMNS: [&str; 3] = ["Title", "Authors", "Read Status"];

/// The columns whose text goes unchanged into a Goodreads field (StoryGraph's name, then
/// Goodreads'); they are not kept again in [`Details::other`]. Every other column is.
pub const MAPPED: [(&str, &str); 7] = [
    ("Title", "Title"),
    ("Format", "Binding"),
    ("Read Status", "Exclusive Shelf"),
    ("Date Added", "Date Added"),
    ("Last Date Read", "Date Read"),
    ("Read Count", "Read Count"),
    ("Review", "My Review"),
];

/// Read a StoryGraph export: the rows kept, and the rows left out with their line and reason.
///
/// A row is left out when its field count differs from the header's, when `Star Rating` is not
/// quarter stars from 0.25 to 5, or when it has neither a title nor an ISBN; a bad row never
/// stops the import. The file as a whole is refused when the header lacks a
/// [required column](REQUIRED_COLUMNS), when it is not UTF-8 ([`Error::NotUtf8`], with the
/// first bad line), or when it has more than `max_rows` data rows ([`Error::TooManyRows`]).
pub fn read_export(
    reader: impl Read,
    max_rows: usize,
) -> Result<(Vec<GoodreadsRow>, Vec<RowError>)> {
    super::csv_lines::read_export(reader, max_rows, FILE, Columns::find, Columns::row)
}

/// One reading in `Dates Read`: when it started and when it finished, as written; either may
/// be missing (a single date is when the book was finished; `2021/03/01-` is a reading under
/// way).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    /// The start of the range, if the reading has one.
    pub started: Option<String>,
    /// The end of the range, or the single date.
    pub finished: Option<String>,
}

impl std::fmt::Display for Reading {
    /// As `Dates Read` writes it: `2021/03/01-2021/03/15`, `2021/03/15`, or `2021/03/01-` for
    /// a reading under way ([`read_dates`] reads it back).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.started, &self.finished) {
            (Some(s), Some(e)) => write!(f, "{s}-{e}"),
            (Some(s), None) => write!(f, "{s}-"),
            (None, Some(e)) => write!(f, "{e}"),
            (None, None) => Ok(()),
        }
    }
}

/// The readings in a `Dates Read` cell: `2021/03/01-2021/03/15, 2022/01/02`, in the order
/// written. Dates are `2021/03/01`, or ISO `2021-03-01` (a range of them is split at the dash
/// that has a date on both sides), or `3/1/2021` as a spreadsheet re-saves them. A piece that
/// is no date nor range is left out (the cell is kept as written anyway).
pub fn read_dates(cell: &str) -> Vec<Reading> {
    let date = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
    cell.split(',')
        .map(str::trim)
        .filter(|piece| !piece.is_empty())
        .filter_map(|piece| {
            if is_date(piece) {
                return Some(Reading {
                    started: None,
                    finished: Some(piece.to_string()),
                });
            }
            piece.match_indices('-').find_map(|(at, _)| {
                let (start, end) = (piece[..at].trim(), piece[at + 1..].trim());
                let fits = |s: &str| s.is_empty() || is_date(s);
                (fits(start) && fits(end) && !(start.is_empty() && end.is_empty())).then(|| {
                    Reading {
                        started: date(start),
                        finished: date(end),
                    }
                })
            })
        })
        .collect()
}

/// Whether `s` is a date: three groups of digits separated by `/` or `-`, one of four digits.
fn is_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split(['/', '-']).collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| (1..=4).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
        && parts.iter().any(|p| p.len() == 4)
}

/// `Authors` as Goodreads' `Author` (the first) and `Additional Authors` (the others,
/// comma-separated). A piece that is a name's suffix (`Jr.`, `III`) stays with the name
/// before it.
pub fn split_authors(authors: &str) -> (String, String) {
    const SUFFIXES: [&str; 10] = [
        "jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "phd", "ph.d.", "md",
    ];
    let mut names: Vec<String> = Vec::new();
    for piece in authors.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match names.last_mut() {
            Some(last) if SUFFIXES.contains(&piece.to_lowercase().as_str()) => {
                last.push_str(", ");
                last.push_str(piece);
            }
            _ => names.push(piece.to_string()),
        }
    }
    let mut names = names.into_iter();
    let first = names.next().unwrap_or_default();
    (first, names.collect::<Vec<_>>().join(", "))
}

/// Where the columns are in this file.
struct Columns {
    /// The header's field count: every row must have it.
    width: usize,
    /// Every column's name, by position (trimmed, byte-order mark removed).
    names: Vec<String>,
    /// The columns kept in [`Details::other`]: the name they are kept under, and position.
    kept: Vec<(String, usize)>,
}

impl Columns {
    /// Find the columns by name in the header; error naming every required column missing.
    fn find(header: Option<&ByteRecord>) -> Result<Columns> {
        let mut names = Vec::new();
        for field in header.into_iter().flatten() {
            let name = std::str::from_utf8(field).map_err(|_| Error::NotUtf8 {
                file: FILE.to_string(),
                line: 1,
            })?;
            names.push(name.trim_start_matches('\u{feff}').trim().to_string());
        }
        let missing: Vec<String> = REQUIRED_COLUMNS
            .iter()
            .filter(|name| !names.iter().any(|n| n == *name))
            .map(|name| name.to_string())
            .collect();
        if !missing.is_empty() {
            return Err(Error::MissingColumns {
                file: FILE.to_string(),
                missing,
            });
        }
        let kept = names
            .iter()
            .enumerate()
            .filter(|(_, n)| !n.is_empty() && !MAPPED.iter().any(|(m, _)| m == n))
            .map(|(i, n)| (kept_name("StoryGraph", n), i))
            .collect();
        Ok(Columns {
            width: names.len(),
            names,
            kept,
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
            std::str::from_utf8(record.get(i).unwrap_or_default())
                .unwrap_or_default()
                .trim()
        };
        // The first column of that name (empty when the file has none).
        let get = |name: &str| {
            self.names
                .iter()
                .position(|n| n == name)
                .map(field)
                .unwrap_or_default()
        };

        let stars = Stars::parse(get("Star Rating"), Step::Quarter)
            .map_err(|e| format!("bad Star Rating: {e}"))?;
        let id = unwrap_isbn(get("ISBN/UID")).unwrap_or_default();
        let isbn13 = (id.len() == 13 && id.bytes().all(|b| b.is_ascii_digit())).then(|| id.clone());
        // An ISBN-10 or an ASIN: ten letters and digits (or an old nine-digit SBN).
        let isbn10 = isbn::normalize(&id).filter(|k| k.len() == 10 && id.len() != 13);
        let title = get("Title").to_string();
        if title.is_empty() && isbn10.is_none() && isbn13.is_none() {
            return Err("no title or ISBN".to_string());
        }
        let (author, additional_authors) = split_authors(get("Authors"));
        let status = get("Read Status");
        let date_read = Some(get("Last Date Read").to_string())
            .filter(|d| !d.is_empty())
            .or_else(|| {
                read_dates(get("Dates Read"))
                    .pop()
                    .and_then(|r| r.finished.or(r.started))
            });
        let date_added = Some(get("Date Added").to_string()).filter(|d| !d.is_empty());
        let list = |cell: &str| {
            cell.split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        let mut shelves = list(get("Tags"));
        shelves.extend(list(get("Moods")).iter().map(|m| format!("mood-{m}")));
        shelves.extend(list(get("Pace")).iter().map(|p| format!("pace-{p}")));
        let owned = get("Owned?");
        let owned_copies = if owned.eq_ignore_ascii_case("yes") {
            "1"
        } else if owned.eq_ignore_ascii_case("no") {
            "0"
        } else {
            ""
        };
        let details = Details {
            book_id: String::new(),
            title: title.clone(),
            author_last_first: if author.is_empty() {
                String::new()
            } else {
                last_first(&author)
            },
            author: author.clone(),
            additional_authors,
            isbn: isbn10.clone().unwrap_or_default(),
            isbn13: isbn13.clone().unwrap_or_default(),
            my_rating: stars.map_or(0, Stars::whole).to_string(),
            publisher: String::new(),
            binding: get("Format").to_string(),
            pages: String::new(),
            year_published: String::new(),
            original_year: String::new(),
            date_read: date_read.clone().unwrap_or_default(),
            date_added: get("Date Added").to_string(),
            bookshelves: shelves.join(", "),
            shelf_positions: String::new(),
            exclusive_shelf: status.to_string(),
            review: get("Review").to_string(),
            spoiler: String::new(),
            private_notes: String::new(),
            read_count: get("Read Count").to_string(),
            owned_copies: owned_copies.to_string(),
            other: self
                .kept
                .iter()
                .map(|(name, i)| (name.clone(), field(*i).to_string()))
                .collect(),
        };
        Ok(GoodreadsRow {
            title,
            author,
            isbn10,
            isbn13,
            stars: stars.map(Stars::whole),
            fine_rating: stars.map(Stars::rating),
            shelf: Shelf::parse(status),
            date_read,
            date_added,
            details,
        })
    }
}

#[cfg(test)]
mod tests;
