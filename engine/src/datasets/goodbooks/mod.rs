//! The goodbooks-10k dataset (Zygmunt Zając, CC BY-SA 4.0): `books.csv`, `ratings.csv`,
//! `tags.csv` and `book_tags.csv` in the layout the repository publishes.
//!
//! The files are standard CSV (comma-separated, double-quote quoting, UTF-8, LF or CRLF line
//! ends), read with the `csv` crate one record at a time so that every bad row is rejected
//! with its line number and the rest of the file still imported. Quirks handled on purpose:
//!
//! - `isbn` was stored as a number along the way: leading zeros are lost, so it is 9,
//!   8 or 7 digits long (`439023483` is `0439023483`, `61120081` is `0061120081`), and empty
//!   for about 7% of the books. Lost zeros are restored; a book without a usable ISBN is keyed
//!   `gr:<goodreads_book_id>`. `isbn13` is in float notation (`9.78043902348e+12`), its last
//!   digits lost, and is ignored;
//! - `original_publication_year` is a float (`2008.0`), empty for a few books and negative for
//!   ancient works (`-720.0`, the Odyssey): those years become `None`;
//! - about a third of `image_url`s point at Goodreads' "nophoto" placeholder: no image;
//! - the full `book_tags.csv` is reported to hold a few negative counts: rejected;
//! - most Goodreads shelves say where a book sits on someone's shelves (`to-read`, `owned`,
//!   `kindle`), not what it is about: [`is_useful_tag`] and [`top_tags`] keep the others.
//!
//! Ratings and book tags refer to books by different ids (`book_id` 1–10000 and
//! `goodreads_book_id`), which is why [`GoodbooksBook`] carries both.

use std::collections::HashMap;
use std::io::Read;
use std::str::FromStr;

use csv::{ByteRecord, ReaderBuilder};

use super::csv_lines::{csv_error, first_line, quoted, NewlineCounter};
use super::year::latest_plausible_year;
use crate::records::{Book, ImportReport, Rating, RawRating};
use crate::{isbn, text, Error, Result};
pub use tags::{is_useful_tag, top_tags};

mod tags;

/// A catalog book with the two ids goodbooks' other files use to refer to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoodbooksBook {
    /// The dataset's own id (1–10000), used by `ratings.csv` and `to_read.csv`.
    pub book_id: u32,
    /// The Goodreads edition id, used by `book_tags.csv` and in `gr:` keys.
    pub goodreads_book_id: u32,
    /// The book as the catalog keeps it (tags empty: they come from `book_tags.csv`).
    pub book: Book,
}

/// One row of `book_tags.csv`: how many readers put a book on a shelf (tag).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookTag {
    /// The book, by Goodreads edition id (see [`GoodbooksBook::goodreads_book_id`]).
    pub goodreads_book_id: u32,
    /// The tag, see [`read_tags`].
    pub tag_id: u32,
    /// How many readers used that tag for that book.
    pub count: u32,
}

/// The columns of `books.csv`, in order.
const BOOK_COLUMNS: &[&str] = &[
    "book_id",
    "goodreads_book_id",
    "best_book_id",
    "work_id",
    "books_count",
    "isbn",
    "isbn13",
    "authors",
    "original_publication_year",
    "original_title",
    "title",
    "language_code",
    "average_rating",
    "ratings_count",
    "work_ratings_count",
    "work_text_reviews_count",
    "ratings_1",
    "ratings_2",
    "ratings_3",
    "ratings_4",
    "ratings_5",
    "image_url",
    "small_image_url",
];
/// The columns of `ratings.csv`.
const RATING_COLUMNS: &[&str] = &["user_id", "book_id", "rating"];
/// The columns of `tags.csv`.
const TAG_COLUMNS: &[&str] = &["tag_id", "tag_name"];
/// The columns of `book_tags.csv`.
const BOOK_TAG_COLUMNS: &[&str] = &["goodreads_book_id", "tag_id", "count"];

/// Column indices in `books.csv` of the fields the catalog uses.
mod col {
    pub const BOOK_ID: usize = 0;
    pub const GOODREADS_BOOK_ID: usize = 1;
    pub const ISBN: usize = 5;
    pub const AUTHORS: usize = 7;
    pub const YEAR: usize = 8;
    pub const TITLE: usize = 10;
    pub const IMAGE_URL: usize = 21;
}

/// Read `books.csv`, calling `each` with every book kept.
///
/// The key is the normalised `isbn` (lost leading zeros restored), else
/// `gr:<goodreads_book_id>`; the title is `title` (which names the series, unlike
/// `original_title`); the year is `original_publication_year` when plausible. Only `book_id`,
/// `goodreads_book_id` and `title` must be valid: the statistics columns are not used here.
pub fn read_books<R: Read>(
    input: R,
    report: &mut ImportReport,
    mut each: impl FnMut(GoodbooksBook),
) -> Result<()> {
    let latest = latest_plausible_year();
    read_file(input, "books.csv", BOOK_COLUMNS, report, |row| {
        let book_id = row.number(col::BOOK_ID)?;
        let goodreads_book_id = row.number(col::GOODREADS_BOOK_ID)?;
        let title = text::clean_field(row.text(col::TITLE)?);
        if title.is_empty() {
            return Err("empty title".to_string());
        }
        let image = row.text(col::IMAGE_URL)?.trim();
        each(GoodbooksBook {
            book_id,
            goodreads_book_id,
            book: Book {
                key: book_key(row.text(col::ISBN)?, goodreads_book_id),
                title,
                author: text::clean_field(row.text(col::AUTHORS)?),
                year: publication_year(row.text(col::YEAR)?, latest),
                publisher: String::new(),
                image_url: (!image.is_empty() && !image.contains("nophoto"))
                    .then(|| image.to_string()),
                tags: Vec::new(),
            },
        });
        Ok(())
    })
}

/// Read `ratings.csv` (`user_id,book_id,rating`, 1–5 stars), calling `each` with every rating
/// kept, on Shelfwise's scale ([`Rating::from_stars`]).
///
/// `book_keys` maps `book_id` to the catalog key of that book (from [`read_books`]); a rating
/// of a book not in it is rejected as `unknown book_id`.
pub fn read_ratings<R: Read>(
    input: R,
    book_keys: &HashMap<u32, String>,
    report: &mut ImportReport,
    mut each: impl FnMut(RawRating),
) -> Result<()> {
    read_file(input, "ratings.csv", RATING_COLUMNS, report, |row| {
        let user = row.number(0)?;
        let book_id: u32 = row.number(1)?;
        let stars = row.text(2)?;
        let rating = stars
            .trim()
            .parse()
            .ok()
            .and_then(Rating::from_stars)
            .ok_or_else(|| format!("bad rating: {}", quoted(stars)))?;
        let book = book_keys
            .get(&book_id)
            .ok_or_else(|| format!("unknown book_id: {book_id}"))?;
        each(RawRating {
            user,
            book: book.clone(),
            rating,
        });
        Ok(())
    })
}

/// Read `tags.csv` into a map from `tag_id` to `tag_name`.
///
/// A repeated `tag_id` is rejected (the first name is kept), as is an empty name.
pub fn read_tags<R: Read>(input: R, report: &mut ImportReport) -> Result<HashMap<u32, String>> {
    let mut tags = HashMap::new();
    read_file(input, "tags.csv", TAG_COLUMNS, report, |row| {
        let id = row.number(0)?;
        let name = row.text(1)?.trim();
        if name.is_empty() {
            return Err("empty tag_name".to_string());
        }
        if tags.contains_key(&id) {
            return Err(format!("duplicate tag_id: {id}"));
        }
        tags.insert(id, name.to_string());
        Ok(())
    })?;
    Ok(tags)
}

/// Read `book_tags.csv`, calling `each` with every row kept. Negative counts (reported in the
/// full published file) are rejected as `bad count`.
pub fn read_book_tags<R: Read>(
    input: R,
    report: &mut ImportReport,
    mut each: impl FnMut(BookTag),
) -> Result<()> {
    read_file(input, "book_tags.csv", BOOK_TAG_COLUMNS, report, |row| {
        each(BookTag {
            goodreads_book_id: row.number(0)?,
            tag_id: row.number(1)?,
            count: row.number(2)?,
        });
        Ok(())
    })
}

/// The catalog key of a goodbooks book: its ISBN-10 when `isbn` holds one, else
/// `gr:<goodreads_book_id>`.
fn book_key(raw_isbn: &str, goodreads_book_id: u32) -> String {
    let raw = raw_isbn.trim();
    // 7 and 8 digits are ISBN-10s that lost two or three leading zeros (HarperCollins'
    // 0-06-… ISBNs): 1,024 of the 1,028 in books.csv have a valid check digit once padded.
    // Nine digits lost one zero, which isbn::normalize restores itself.
    let padded;
    let raw = if (7..=8).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_digit()) {
        padded = format!("{raw:0>10}");
        padded.as_str()
    } else {
        raw
    };
    isbn::normalize(raw).unwrap_or_else(|| format!("gr:{goodreads_book_id}"))
}

/// A year from a float field (`"2008.0"`): `None` when empty, not a whole number, before
/// year 1 (ancient works are published as negative years) or after `latest`.
fn publication_year(raw: &str, latest: u16) -> Option<u16> {
    let year: f64 = raw.trim().parse().ok()?;
    // Written as a range check so that NaN and infinities fail it too.
    let plausible = year.fract() == 0.0 && (1.0..=f64::from(latest)).contains(&year);
    plausible.then_some(year as u16)
}

/// One CSV record with typed access to its fields; errors are rejection reasons.
struct Row<'a> {
    record: &'a ByteRecord,
    columns: &'a [&'a str],
}

impl<'a> Row<'a> {
    /// Field `i` as text.
    fn text(&self, i: usize) -> Result<&'a str, String> {
        let bytes = self.record.get(i).unwrap_or_default();
        std::str::from_utf8(bytes).map_err(|_| format!("bad UTF-8 in {}", self.columns[i]))
    }

    /// Field `i` as a number (surrounding spaces allowed); the reason names the column.
    fn number<T: FromStr>(&self, i: usize) -> Result<T, String> {
        let raw = self.text(i)?;
        raw.trim()
            .parse()
            .map_err(|_| format!("bad {}: {}", self.columns[i], quoted(raw)))
    }
}

/// The shared loop: check the header, then hand every row with the right number of fields to
/// `handle`, which returns why it rejects a row.
fn read_file<R: Read>(
    input: R,
    file: &str,
    columns: &[&str],
    report: &mut ImportReport,
    mut handle: impl FnMut(&Row) -> Result<(), String>,
) -> Result<()> {
    // Flexible: a row with the wrong number of fields is rejected here, not a CSV error.
    let mut reader = ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(NewlineCounter::new(input));
    let mut record = ByteRecord::new();
    let has_header = reader.read_byte_record(&mut record).map_err(csv_error)?;
    check_header(has_header.then_some(&record), file, columns)?;
    while reader.read_byte_record(&mut record).map_err(csv_error)? {
        report.read += 1;
        let line = first_line(&mut reader, &record);
        let outcome = if record.len() == columns.len() {
            handle(&Row {
                record: &record,
                columns,
            })
        } else {
            Err(format!("wrong field count: {}", record.len()))
        };
        match outcome {
            Ok(()) => report.kept += 1,
            Err(reason) => report.reject(line, reason),
        }
    }
    Ok(())
}

/// Error unless the header names exactly this layout's columns.
fn check_header(header: Option<&ByteRecord>, file: &str, columns: &[&str]) -> Result<()> {
    let found: Vec<String> = header
        .map(|h| {
            h.iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect()
        })
        .unwrap_or_default();
    if found.iter().map(String::as_str).eq(columns.iter().copied()) {
        return Ok(());
    }
    Err(Error::Header {
        file: file.to_string(),
        expected: columns.join(","),
        found: found.join(","),
    })
}

#[cfg(test)]
mod tests;
