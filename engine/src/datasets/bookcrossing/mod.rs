//! The Book-Crossing dataset (Ziegler et al., 2004): `BX-Books.csv`, `BX-Book-Ratings.csv` and
//! `BX-Users.csv`.
//!
//! The files look like CSV but are not quite, so this module does not use a CSV library:
//!
//! - fields are separated by `;` and every field is wrapped in double quotes, except that a
//!   missing value may be an unquoted `NULL` (the users' `Age`);
//! - quotes *inside* a field are not doubled as CSV wants: titles carry backslash-escaped
//!   quotes (`\"Desire\"`), and stray quotes and backslashes appear unescaped. A CSV parser
//!   reads such a field as open and swallows the following rows, so rows are found line by
//!   line instead: a row is the text between its first and last quote (only spaces may lie
//!   outside), split on the exact separator `";"`. A row with the wrong number of fields is
//!   rejected, never repaired;
//! - the bytes are Latin-1, except rows that are UTF-8 (decoded with [`text::decode_mixed`]), and text fields carry HTML
//!   entities (`&amp;`) and backslash escapes (cleaned with [`text::clean_field`]);
//! - lines end in CRLF, but LF-only files, blank lines and a missing final newline are read
//!   the same way;
//! - one user's location contains a line break, so a line that is not a row of its own (it
//!   does not start with a quote) continues an unfinished row before it. This can never
//!   swallow a real row: every real row starts with a quote;
//! - ISBNs come in mixed case, with spaces, as ASINs or mistyped; they are keyed with
//!   [`isbn::normalize`] and a row whose ISBN cannot be keyed is rejected;
//! - years of publication are `0` when unknown and sometimes in the future: those become
//!   `None` rather than rejecting the book.
//!
//! Every reader streams: it holds one row at a time, hands each kept record to a callback,
//! and records each rejected row in the [`ImportReport`] with its line number and a reason
//! whose text before the `:` groups it (`bad ISBN: "12"`). One bad row never stops the file;
//! only an I/O error or a header that is not this layout does.

use std::io::{BufReader, Read};

use super::csv_lines::quoted as snippet;
use super::year::latest_plausible_year;
use crate::records::{Book, ImportReport, Rating, RawRating};
use crate::{isbn, text, Error, Result};
use rows::{split_row, Row, Rows};

mod rows;

/// A Book-Crossing user, from `BX-Users.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// The user id that the ratings file refers to.
    pub id: u32,
    /// Free-text location as the user typed it, usually `"city, region, country"`.
    pub location: String,
    /// Age in years when the user gave a plausible one (5–110).
    pub age: Option<u8>,
}

/// The columns of `BX-Books.csv`, in order.
const BOOK_COLUMNS: &[&str] = &[
    "ISBN",
    "Book-Title",
    "Book-Author",
    "Year-Of-Publication",
    "Publisher",
    "Image-URL-S",
    "Image-URL-M",
    "Image-URL-L",
];
/// The columns of `BX-Book-Ratings.csv`, in order.
const RATING_COLUMNS: &[&str] = &["User-ID", "ISBN", "Book-Rating"];
/// The columns of `BX-Users.csv`, in order.
const USER_COLUMNS: &[&str] = &["User-ID", "Location", "Age"];

/// The plausible range of a user's age; the file also has ages 0 to 4 and up to 244.
const PLAUSIBLE_AGES: std::ops::RangeInclusive<u32> = 5..=110;

/// The longest line accepted. Real rows are under 1 KiB; the cap keeps memory bounded when a
/// file has no line ends at all (e.g. old Mac `\r`-only files).
const MAX_LINE_BYTES: usize = 64 * 1024;

/// How many following lines may continue one unfinished row (see the module docs).
const MAX_CONTINUATION_LINES: usize = 4;

/// Read `BX-Books.csv`, calling `each` with every book kept.
///
/// The key is the normalised ISBN, the image the medium-size (`Image-URL-M`) URL; tags are
/// empty. Rows without a usable ISBN or title are rejected.
pub fn read_books<R: Read>(
    input: R,
    report: &mut ImportReport,
    each: impl FnMut(Book),
) -> Result<()> {
    let latest = latest_plausible_year();
    read_file(
        input,
        "BX-Books.csv",
        BOOK_COLUMNS,
        report,
        |f| parse_book(f, latest),
        each,
    )
}

/// Read `BX-Book-Ratings.csv`, calling `each` with every rating kept.
///
/// Whether the ISBN names a book of `BX-Books.csv` is not checked here: the store's importer
/// matches ratings to the catalog.
pub fn read_ratings<R: Read>(
    input: R,
    report: &mut ImportReport,
    each: impl FnMut(RawRating),
) -> Result<()> {
    read_file(
        input,
        "BX-Book-Ratings.csv",
        RATING_COLUMNS,
        report,
        parse_rating,
        each,
    )
}

/// The Book-Crossing catalog of `dir` as search documents: works grouped by
/// [`text::work_key`], popularity = each edition's number of ratings (implicit ones included;
/// 0 for all when `BX-Book-Ratings.csv` is absent). For benchmarks of the search index without
/// a store.
pub fn search_docs(dir: &std::path::Path) -> Result<Vec<crate::search::SearchDoc>> {
    let mut ratings: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    let path = dir.join("BX-Book-Ratings.csv");
    if path.exists() {
        let mut report = ImportReport::default();
        read_ratings(std::fs::File::open(&path)?, &mut report, |r| {
            *ratings.entry(r.book).or_default() += 1;
        })?;
    }
    let mut works: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    let mut docs = Vec::new();
    let mut report = ImportReport::default();
    read_books(
        std::fs::File::open(dir.join("BX-Books.csv"))?,
        &mut report,
        |b| {
            let next = works.len() as u32;
            let work = *works
                .entry(text::work_key(&b.title, &b.author))
                .or_insert(next);
            let popularity = ratings.get(&b.key).copied().unwrap_or(0) as f32;
            docs.push(crate::search::SearchDoc {
                key: b.key,
                title: b.title,
                author: b.author,
                work,
                popularity,
            });
        },
    )?;
    Ok(docs)
}

/// Read `BX-Users.csv`, calling `each` with every user kept.
pub fn read_users<R: Read>(
    input: R,
    report: &mut ImportReport,
    each: impl FnMut(User),
) -> Result<()> {
    read_file(
        input,
        "BX-Users.csv",
        USER_COLUMNS,
        report,
        parse_user,
        each,
    )
}

/// The shared loop: check the header, then split, parse and hand over every row.
fn read_file<R: Read, T>(
    input: R,
    file: &str,
    columns: &[&str],
    report: &mut ImportReport,
    parse: impl Fn(&[Option<&str>]) -> Result<T, String>,
    mut each: impl FnMut(T),
) -> Result<()> {
    let mut rows = Rows::new(BufReader::new(input));
    check_header(rows.next_row()?, file, columns)?;
    while let Some(row) = rows.next_row()? {
        report.read += 1;
        let parsed = if row.too_long {
            Err(format!("line too long: over {MAX_LINE_BYTES} bytes"))
        } else {
            let line = text::decode_mixed(&row.bytes);
            match split_row(&line) {
                Ok(fields) if fields.len() == columns.len() => parse(&fields),
                Ok(fields) => Err(format!("wrong field count: {}", fields.len())),
                Err(why) => Err(format!("malformed row: {why}")),
            }
        };
        match parsed {
            Ok(record) => {
                report.kept += 1;
                each(record);
            }
            Err(reason) => report.reject(row.line, reason),
        }
    }
    Ok(())
}

/// Error unless the first row names exactly this layout's columns.
fn check_header(first: Option<Row>, file: &str, columns: &[&str]) -> Result<()> {
    let found = first
        .map(|row| {
            // A UTF-8 byte-order mark would decode as "ï»¿" and hide a good header.
            let bytes = row
                .bytes
                .strip_prefix(b"\xEF\xBB\xBF")
                .unwrap_or(&row.bytes);
            text::decode_latin1(bytes)
        })
        .unwrap_or_default();
    let matches = split_row(&found).is_ok_and(|fields| {
        fields.len() == columns.len() && fields.iter().zip(columns).all(|(f, c)| *f == Some(*c))
    });
    if matches {
        return Ok(());
    }
    Err(Error::Header {
        file: file.to_string(),
        expected: columns
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(";"),
        found,
    })
}

/// A field's text, `""` for `NULL`.
fn text_of(field: Option<&str>) -> &str {
    field.unwrap_or("")
}

/// The catalog key of an ISBN field, or the rejection reason.
fn parse_isbn(field: Option<&str>) -> Result<String, String> {
    let raw = text_of(field);
    isbn::normalize(raw).ok_or_else(|| format!("bad ISBN: {}", snippet(raw)))
}

/// A user id field, or the rejection reason.
fn parse_user_id(field: Option<&str>) -> Result<u32, String> {
    let raw = text_of(field);
    raw.trim()
        .parse()
        .map_err(|_| format!("bad user id: {}", snippet(raw)))
}

/// A year of publication: `None` when unknown (`0`, not a number) or later than `latest`.
fn plausible_year(raw: &str, latest: u16) -> Option<u16> {
    raw.trim()
        .parse::<u16>()
        .ok()
        .filter(|&y| y > 0 && y <= latest)
}

/// One `BX-Books.csv` row.
fn parse_book(f: &[Option<&str>], latest_year: u16) -> Result<Book, String> {
    let key = parse_isbn(f[0])?;
    let title = text::clean_field(text_of(f[1]));
    if title.is_empty() {
        return Err("empty title".to_string());
    }
    // One cover per book: the medium size suits both lists and the book page (small is a
    // thumbnail, large is heavier than any view needs).
    let image = text_of(f[6]).trim();
    Ok(Book {
        key,
        title,
        author: text::clean_field(text_of(f[2])),
        year: plausible_year(text_of(f[3]), latest_year),
        publisher: text::clean_field(text_of(f[4])),
        image_url: (!image.is_empty()).then(|| image.to_string()),
        tags: Vec::new(),
    })
}

/// One `BX-Book-Ratings.csv` row.
fn parse_rating(f: &[Option<&str>]) -> Result<RawRating, String> {
    let user = parse_user_id(f[0])?;
    let book = parse_isbn(f[1])?;
    let raw = text_of(f[2]);
    let rating = raw
        .trim()
        .parse::<u8>()
        .ok()
        .and_then(Rating::new)
        .ok_or_else(|| format!("bad rating: {}", snippet(raw)))?;
    Ok(RawRating { user, book, rating })
}

/// One `BX-Users.csv` row. An implausible or missing age is `None`, not a rejection: the
/// user's ratings are still worth having.
fn parse_user(f: &[Option<&str>]) -> Result<User, String> {
    let id = parse_user_id(f[0])?;
    let age = text_of(f[2])
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|a| PLAUSIBLE_AGES.contains(a))
        .and_then(|a| u8::try_from(a).ok());
    Ok(User {
        id,
        location: text::clean_field(text_of(f[1])),
        age,
    })
}

#[cfg(test)]
mod tests;
