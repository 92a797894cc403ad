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

use std::collections::{HashMap, VecDeque};
use std::io::Read;
use std::str::FromStr;

use csv::{ByteRecord, ReaderBuilder};

use crate::bookcrossing::latest_plausible_year;
use crate::model::{Book, ImportReport, Rating, RawRating};
use crate::{isbn, text, Error, Result};

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

/// Shelf names that only say where a book sits on a reader's shelves.
const SHELF_TAGS: &[&str] = &[
    "to-read",
    "currently-reading",
    "read",
    "favorites",
    "favourites",
    "favorite",
    "favourite",
    "fave",
    "faves",
    "favs",
    "owned",
    "own",
    "own-it",
    "mine",
    "i-own",
    "books-i-own",
    "default",
    "my-books",
    "my-library",
    "library",
    "home-library",
    "bookshelf",
    "on-my-shelf",
    "wish-list",
    "wishlist",
    "kindle",
    "ebook",
    "ebooks",
    "e-book",
    "e-books",
    "audiobook",
    "audiobooks",
    "audio",
    "audible",
    "to-buy",
    "did-not-finish",
    "dnf",
    "abandoned",
    "read-more-than-once",
    "tbr",
    "on-hold",
    "maybe",
    "books",
];
/// Parts of shelf names that mark a reading log, ownership, format or re-reading
/// (`read-in-2015`, `read-2016`, `owned-books`, `kindle-books`, `to-re-read`), whatever
/// surrounds them.
const SHELF_PARTS: &[&str] = &[
    "read-in-",
    "read-20",
    "owned",
    "to-read",
    "currently-reading",
    "to-buy",
    "favorite",
    "favourite",
    "kindle",
    "ebook",
    "e-book",
    "audiobook",
    "wish-list",
    "wishlist",
    "re-read",
    "reread",
];

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

/// Whether a Goodreads shelf name says something about the book's content (`fantasy`,
/// `classics`, `young-adult`) rather than about a reader's shelves (`to-read`, `owned`,
/// `kindle`, `read-in-2015`, `favorites`, `5-stars`) or nothing at all (`2015`, `--1-`).
///
/// A heuristic over the shelves goodbooks' most-used tags show; what it lets through with
/// small counts (`0-pgs-200-to-299`) is left to [`top_tags`]' ranking.
pub fn is_useful_tag(name: &str) -> bool {
    let name = name.trim().to_lowercase();
    if !name.chars().any(char::is_alphabetic) {
        return false;
    }
    // Readers number their shelves to sort them ("01-mine", "0-owned"): match without that.
    let core = name.trim_start_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation());
    !SHELF_TAGS.contains(&core)
        && !core.starts_with("my-")
        && !SHELF_PARTS.iter().any(|part| name.contains(part))
        && !is_star_rating(&name)
}

/// Whether a shelf is a reader's rating (`5-stars`, `4-star`, `five-stars`).
fn is_star_rating(name: &str) -> bool {
    let name = name.strip_suffix('s').unwrap_or(name);
    name.strip_suffix("-star").is_some_and(|stars| {
        stars.bytes().all(|b| b.is_ascii_digit())
            || ["one", "two", "three", "four", "five"].contains(&stars)
    })
}

/// The `n` most used content tags (see [`is_useful_tag`]) of `(name, count)` pairs, most used
/// first, ties by name. A name given twice has its counts added; zero counts are ignored.
pub fn top_tags(tags: impl IntoIterator<Item = (String, u32)>, n: usize) -> Vec<String> {
    let mut totals: HashMap<String, u64> = HashMap::new();
    for (name, count) in tags {
        if count > 0 && is_useful_tag(&name) {
            *totals.entry(name).or_default() += u64::from(count);
        }
    }
    let mut ranked: Vec<(String, u64)> = totals.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked.into_iter().take(n).map(|(name, _)| name).collect()
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

/// A value quoted for a rejection reason, shortened when long.
pub(crate) fn quoted(value: &str) -> String {
    const MAX_CHARS: usize = 40;
    if value.chars().count() <= MAX_CHARS {
        format!("{value:?}")
    } else {
        let head: String = value.chars().take(MAX_CHARS).collect();
        format!("{head:?}…")
    }
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

/// The 1-based line on which the record just read starts.
///
/// `csv::Position::line()` is one line short per CRLF line end (BurntSushi/rust-csv#395, and
/// goodbooks' `tags.csv` and `book_tags.csv` use CRLF), and `Position::byte()` of a record
/// points before any blank lines that precede it. What is exact is where the reader stands
/// after a record: just past the record's terminator (`\n`, or the `\r` of `\r\n`). So the
/// record's last line is one plus the line breaks before its terminator, and its first line
/// is that minus the line breaks inside its (quoted) fields.
/// (Found by the `any_bytes_…` property test: `,,"\n` at the end of a file was put on line 1.)
pub(crate) fn first_line<R: Read>(
    reader: &mut csv::Reader<NewlineCounter<R>>,
    record: &ByteRecord,
) -> u64 {
    // The record cannot start before the line its first byte is on. This bound matters for a
    // last record cut off by the end of the input: it has no terminator, and its last byte may
    // be a line break inside an unterminated quote, counted below as inside the record.
    let start = record.position().map_or(0, |p| p.byte());
    let earliest = reader.get_mut().newlines_before(start) + 1;
    let terminator = reader.position().byte().saturating_sub(1);
    let last_line = reader.get_mut().newlines_before(terminator) + 1;
    let inside: usize = record
        .iter()
        .map(|field| field.iter().filter(|&&b| b == b'\n').count())
        .sum();
    last_line.saturating_sub(inside as u64).max(earliest)
}

/// Passes bytes through, remembering where the line breaks are, so that rows get their true
/// line numbers (see [`first_line`]).
pub(crate) struct NewlineCounter<R> {
    inner: R,
    /// Bytes read so far.
    offset: u64,
    /// Offsets of the `\n`s read ahead but not yet counted: bounded by the reader's buffer.
    pending: VecDeque<u64>,
    /// `\n`s counted so far.
    counted: u64,
}

impl<R> NewlineCounter<R> {
    pub(crate) fn new(inner: R) -> Self {
        NewlineCounter {
            inner,
            offset: 0,
            pending: VecDeque::new(),
            counted: 0,
        }
    }

    /// How many `\n`s the input has before byte `offset`; offsets must not decrease.
    fn newlines_before(&mut self, offset: u64) -> u64 {
        while self.pending.front().is_some_and(|&at| at < offset) {
            self.pending.pop_front();
            self.counted += 1;
        }
        self.counted
    }
}

impl<R: Read> Read for NewlineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let start = self.offset;
        self.pending.extend(
            buf[..n]
                .iter()
                .enumerate()
                .filter(|(_, &b)| b == b'\n')
                .map(|(i, _)| start + i as u64),
        );
        self.offset += n as u64;
        Ok(n)
    }
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

/// A CSV reading error, reported as [`Error::Io`] when it is one.
///
/// The readers are flexible and read bytes, so field counts and UTF-8 never fail here: what is
/// left is I/O, and whatever a later `csv` version might add. Also used for the Goodreads
/// export writer, whose errors are I/O too.
pub(crate) fn csv_error(err: csv::Error) -> Error {
    if !err.is_io_error() {
        return Error::Csv(err);
    }
    match err.into_kind() {
        csv::ErrorKind::Io(io) => Error::Io(io),
        other => Error::Io(std::io::Error::other(format!("{other:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOOKS_HEADER: &str = "book_id,goodreads_book_id,best_book_id,work_id,books_count,isbn,isbn13,authors,original_publication_year,original_title,title,language_code,average_rating,ratings_count,work_ratings_count,work_text_reviews_count,ratings_1,ratings_2,ratings_3,ratings_4,ratings_5,image_url,small_image_url\n";

    /// A books.csv row with the fields the catalog uses; the statistics are the Hunger Games'.
    fn book_row(id: &str, gr: &str, isbn: &str, authors: &str, year: &str, title: &str) -> String {
        format!(
            "{id},{gr},{gr},2792775,272,{isbn},9.78043902348e+12,{authors},{year},Original,{title},eng,4.34,4780653,4942365,155254,66715,127936,560092,1481305,2706317,https://images.gr-assets.com/books/1447303603m/{gr}.jpg,https://images.gr-assets.com/books/1447303603s/{gr}.jpg\n"
        )
    }

    fn books(body: &str) -> (Vec<GoodbooksBook>, ImportReport) {
        let input = format!("{BOOKS_HEADER}{body}");
        let mut report = ImportReport::default();
        let mut out = Vec::new();
        read_books(input.as_bytes(), &mut report, |b| out.push(b)).unwrap();
        (out, report)
    }

    fn reasons(report: &ImportReport) -> Vec<(u64, &str)> {
        report
            .rejected
            .iter()
            .map(|r| (r.line, r.reason.as_str()))
            .collect()
    }

    #[test]
    fn a_published_row_is_read() {
        let (out, report) = books(&book_row(
            "2",
            "3",
            "439554934",
            "\"J.K. Rowling, Mary GrandPré\"",
            "1997.0",
            "\"Harry Potter and the Sorcerer's Stone (Harry Potter, #1)\"",
        ));
        assert_eq!((report.read, report.kept), (1, 1));
        assert_eq!(
            out,
            vec![GoodbooksBook {
                book_id: 2,
                goodreads_book_id: 3,
                book: Book {
                    key: "0439554934".into(),
                    title: "Harry Potter and the Sorcerer's Stone (Harry Potter, #1)".into(),
                    author: "J.K. Rowling, Mary GrandPré".into(),
                    year: Some(1997),
                    publisher: String::new(),
                    image_url: Some("https://images.gr-assets.com/books/1447303603m/3.jpg".into()),
                    tags: vec![],
                },
            }]
        );
    }

    #[test]
    fn isbns_lost_zeros_are_restored_and_missing_ones_fall_back_to_goodreads_ids() {
        let body = [
            book_row("1", "11", "61120081", "A", "2000.0", "Eight digits"),
            book_row("2", "12", "7442912", "A", "2000.0", "Seven digits"),
            book_row("3", "13", "", "A", "2000.0", "No ISBN"),
            book_row("4", "14", "067003469X", "A", "2000.0", "Ten"),
            book_row("5", "15", "9.78043902348e+12", "A", "2000.0", "Float junk"),
        ]
        .concat();
        let (out, report) = books(&body);
        assert_eq!(report.kept, 5);
        let keys: Vec<&str> = out.iter().map(|b| b.book.key.as_str()).collect();
        assert_eq!(
            keys,
            vec!["0061120081", "0007442912", "gr:13", "067003469X", "gr:15"]
        );
    }

    #[test]
    fn float_negative_and_empty_years() {
        let latest = latest_plausible_year();
        let body = [
            book_row("1", "1", "", "A", "2008.0", "Float"),
            book_row("2", "2", "", "A", "-720.0", "Odyssey"),
            book_row("3", "3", "", "A", "", "Unknown"),
            book_row("4", "4", "", "A", "8.0", "Metamorphoses"),
            book_row("5", "5", "", "A", "2008.5", "Half"),
            book_row("6", "6", "", "A", "3000.0", "Future"),
            book_row("7", "7", "", "A", "NaN", "NaN"),
            book_row("8", "8", "", "A", "0.0", "Zero"),
        ]
        .concat();
        let (out, report) = books(&body);
        assert_eq!(
            report.kept, 8,
            "a bad year is not a reason to lose the book"
        );
        let years: Vec<Option<u16>> = out.iter().map(|b| b.book.year).collect();
        assert_eq!(
            years,
            vec![Some(2008), None, None, Some(8), None, None, None, None]
        );
        assert_eq!(
            publication_year(&format!("{latest}.0"), latest),
            Some(latest)
        );
    }

    #[test]
    fn nophoto_images_are_dropped_and_entities_decoded() {
        let body = "9,9,9,1,1,,,Tom &amp; Jerry,2000.0,,\"Cats, Mice &amp; Others\",eng,4,1,1,1,1,1,1,1,1,https://s.gr-assets.com/assets/nophoto/book/111x148-bcc042a9c91a29c1d680899eff700a03.png,https://s.gr-assets.com/assets/nophoto/book/50x75-a91bf249278a81aabab721ef782c4a74.png\n";
        let (out, _) = books(body);
        assert_eq!(out[0].book.image_url, None);
        assert_eq!(out[0].book.title, "Cats, Mice & Others");
        assert_eq!(out[0].book.author, "Tom & Jerry");
    }

    #[test]
    fn bad_rows_are_rejected_with_their_line_and_the_rest_kept() {
        let body = [
            book_row("x1", "1", "", "A", "2000.0", "Bad id"),
            book_row("2", "-5", "", "A", "2000.0", "Bad goodreads id"),
            "3,3,3,short row\n".to_string(),
            book_row("4", "4", "", "A", "2000.0", "\"\""),
            // A quoted field may hold a line break (valid CSV): the row keeps its first line.
            book_row("5", "5", "", "\"Two\nLines\"", "2000.0", "Fine"),
            book_row("6", "6", "", "A", "2000.0", "Also fine"),
        ]
        .concat();
        let (out, report) = books(&body);
        assert_eq!(
            out.iter().map(|b| b.book_id).collect::<Vec<_>>(),
            vec![5, 6]
        );
        assert_eq!(out[0].book.author, "Two Lines");
        assert_eq!(
            reasons(&report),
            vec![
                (2, "bad book_id: \"x1\""),
                (3, "bad goodreads_book_id: \"-5\""),
                (4, "wrong field count: 4"),
                (5, "empty title"),
            ]
        );
        assert_eq!((report.read, report.kept), (6, 2));
    }

    #[test]
    fn invalid_utf8_is_rejected_not_fatal() {
        let mut input = BOOKS_HEADER.as_bytes().to_vec();
        input.extend_from_slice(book_row("1", "1", "", "A", "2000.0", "Caf\u{e9}").as_bytes());
        input.extend_from_slice(&book_row("2", "2", "", "A", "2000.0", "Caf#").into_bytes());
        let bad = input.iter().rposition(|&b| b == b'#').unwrap();
        input[bad] = 0xE9; // Latin-1 é: not UTF-8.
        let mut report = ImportReport::default();
        let mut out = Vec::new();
        read_books(&input[..], &mut report, |b| out.push(b)).unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].book.title, "Café");
        assert_eq!(reasons(&report), vec![(3, "bad UTF-8 in title")]);
    }

    #[test]
    fn ratings_map_stars_and_need_a_known_book() {
        let keys = HashMap::from([(1, "0439023483".to_string()), (2, "gr:3".to_string())]);
        let input = "user_id,book_id,rating\r\n1,1,5\r\n1,2,1\r\n2,3,4\r\n2,1,0\r\n2,1,6\r\nx,1,3\r\n3,1\r\n3,1,\r\n\r\n4,2,3";
        let mut report = ImportReport::default();
        let mut out = Vec::new();
        read_ratings(input.as_bytes(), &keys, &mut report, |r| out.push(r)).unwrap();
        assert_eq!(
            out.iter()
                .map(|r| (r.user, r.book.as_str(), r.rating.value()))
                .collect::<Vec<_>>(),
            vec![(1, "0439023483", 10), (1, "gr:3", 2), (4, "gr:3", 6)]
        );
        assert_eq!(
            reasons(&report),
            vec![
                (4, "unknown book_id: 3"),
                (5, "bad rating: \"0\""),
                (6, "bad rating: \"6\""),
                (7, "bad user_id: \"x\""),
                (8, "wrong field count: 2"),
                (9, "bad rating: \"\""),
            ]
        );
        assert_eq!(
            (report.read, report.kept),
            (9, 3),
            "blank lines are not rows"
        );
    }

    #[test]
    fn line_numbers_survive_crlf_blank_lines_and_quoted_line_breaks() {
        // csv's own Position::line() would say 2, 3 and 3 here (BurntSushi/rust-csv#395).
        let input = "tag_id,tag_name\r\n\r\nx,a\r\n\r\n\r\n5,\"two\r\nlines\"\r\ny,b\r\n\ny,c";
        let mut report = ImportReport::default();
        let tags = read_tags(input.as_bytes(), &mut report).unwrap();
        assert_eq!(tags[&5], "two\r\nlines");
        assert_eq!(
            reasons(&report),
            vec![
                (3, "bad tag_id: \"x\""),
                (8, "bad tag_id: \"y\""),
                (10, "bad tag_id: \"y\"")
            ]
        );
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_are_read_without_panic_and_every_row_is_accounted_for(
            body in proptest::collection::vec(
                proptest::sample::select(b"\",,\r\n\n 0123-x\xe9".to_vec()),
                0..400,
            )
        ) {
            let keys = HashMap::from([(1, "k1".to_string()), (2, "k2".to_string())]);
            let mut input = b"user_id,book_id,rating\n".to_vec();
            input.extend_from_slice(&body);
            let mut report = ImportReport::default();
            let mut kept = 0u64;
            read_ratings(&input[..], &keys, &mut report, |_| kept += 1).unwrap();
            proptest::prop_assert_eq!(report.kept, kept);
            proptest::prop_assert_eq!(report.read, report.kept + report.rejected.len() as u64);
            let newlines = body.iter().filter(|&&b| b == b'\n').count() as u64;
            proptest::prop_assert!(report.rejected.iter().all(|r| r.line >= 2 && r.line <= newlines + 2));
        }
    }

    #[test]
    fn tags_and_book_tags() {
        let mut report = ImportReport::default();
        let tags = read_tags(
            "tag_id,tag_name\r\n0,-\r\n1,fantasy\r\n1,again\r\n2,\r\nx,y\r\n3,\"to-read\"\r\n"
                .as_bytes(),
            &mut report,
        )
        .unwrap();
        assert_eq!(
            tags,
            HashMap::from([
                (0, "-".to_string()),
                (1, "fantasy".to_string()),
                (3, "to-read".to_string())
            ])
        );
        assert_eq!(
            reasons(&report),
            vec![
                (4, "duplicate tag_id: 1"),
                (5, "empty tag_name"),
                (6, "bad tag_id: \"x\"")
            ]
        );

        let mut report = ImportReport::default();
        let mut out = Vec::new();
        read_book_tags(
            "goodreads_book_id,tag_id,count\n1,30574,167697\n1,11305,-1\n2,x,3\n".as_bytes(),
            &mut report,
            |t| out.push(t),
        )
        .unwrap();
        assert_eq!(
            out,
            vec![BookTag {
                goodreads_book_id: 1,
                tag_id: 30574,
                count: 167697
            }]
        );
        assert_eq!(
            reasons(&report),
            vec![(3, "bad count: \"-1\""), (4, "bad tag_id: \"x\"")]
        );
    }

    #[test]
    fn headers_are_checked() {
        let mut report = ImportReport::default();
        let keys = HashMap::new();
        let err =
            read_ratings(&b"user,book,stars\n1,1,5\n"[..], &keys, &mut report, |_| {}).unwrap_err();
        assert!(matches!(err, Error::Header { .. }), "{err}");
        let err = read_books(&b""[..], &mut report, |_| {}).unwrap_err();
        assert!(matches!(err, Error::Header { .. }), "{err}");
        let err = read_tags(&b"\"ISBN\";\"Book-Title\"\n"[..], &mut report).unwrap_err();
        assert!(matches!(err, Error::Header { .. }), "{err}");
        // A UTF-8 byte-order mark does not hide a good header.
        read_book_tags(
            "\u{feff}goodreads_book_id,tag_id,count\n".as_bytes(),
            &mut report,
            |_| {},
        )
        .unwrap();
        assert_eq!(report.read, 0);
    }

    #[test]
    fn shelf_tags_are_not_useful() {
        for shelf in [
            "to-read",
            "currently-reading",
            "favorites",
            "favourites",
            "owned",
            "books-i-own",
            "default",
            "my-books",
            "library",
            "wish-list",
            "kindle",
            "ebook",
            "ebooks",
            "audiobook",
            "audiobooks",
            "to-buy",
            "did-not-finish",
            "re-read",
            "2015",
            "--1-",
            "-",
            "read-in-2015",
            "read-2016",
            "owned-books",
            "0-owned",
            "To-Read",
            "5-stars",
            "five-stars",
            "faves",
            "to-re-read",
            "rereads",
            "01-mine",
            "2-read",
        ] {
            assert!(!is_useful_tag(shelf), "{shelf}");
        }
        for genre in [
            "fantasy",
            "classics",
            "young-adult",
            "fiction",
            "science-fiction",
            "historical-fiction",
            "dystopia",
            "books-about-books",
            "brown",
            "star-wars",
            "made-me-cry",
            "02-fantasy",
            "1-classics",
        ] {
            assert!(is_useful_tag(genre), "{genre}");
        }
    }

    #[test]
    fn top_tags_rank_useful_tags_by_count_then_name() {
        let tags = [
            ("to-read", 167_697),
            ("fantasy", 3_000),
            ("classics", 3_000),
            ("young-adult", 5_000),
            ("favorites", 9_000),
            ("dystopia", 1_000),
            ("fantasy", 2_500),
            ("nothing", 0),
        ]
        .map(|(name, count)| (name.to_string(), count));
        assert_eq!(
            top_tags(tags.clone(), 3),
            vec!["fantasy", "young-adult", "classics"]
        );
        assert_eq!(top_tags(tags.clone(), 10).len(), 4);
        assert!(top_tags(tags, 0).is_empty());
        let tie = [("b", 1), ("a", 1), ("c", 2)].map(|(n, c)| (n.to_string(), c));
        assert_eq!(top_tags(tie, 3), vec!["c", "a", "b"]);
    }
}
