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

use std::io::{BufRead, BufReader, Read};

use crate::model::{Book, ImportReport, Rating, RawRating};
use crate::{isbn, text, Error, Result};

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

/// The latest year of publication taken as plausible: next year (publishers announce books
/// ahead). Shared with the goodbooks reader.
pub(crate) fn latest_plausible_year() -> u16 {
    // The datasets stop in 2004 (Book-Crossing) and 2017 (goodbooks), so a clock set before
    // this floor must not turn every recent year into "implausible".
    const FLOOR: u16 = 2025;
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() / 86_400)
        .unwrap_or(0);
    year_of_day(days).max(FLOOR) + 1
}

/// The Gregorian year of a day counted from 1970-01-01 (H. Hinnant's `civil_from_days`).
fn year_of_day(days: u64) -> u16 {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let year = yoe + era * 400 + u64::from(mp >= 10);
    u16::try_from(year).unwrap_or(u16::MAX)
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

/// Split a decoded row into its fields (see the module docs for the format).
///
/// A field runs from its opening quote to the next separator `";"` (or `";NULL` for a null
/// field that follows), the last one to the row's last quote. Quotes and backslashes in
/// between are the field's own text, to be cleaned by the caller.
fn split_row(line: &str) -> Result<Vec<Option<&str>>, String> {
    let mut fields = Vec::with_capacity(8);
    let mut rest = line.trim();
    loop {
        if let Some(after) = rest.strip_prefix("NULL") {
            if after.is_empty() {
                fields.push(None);
                return Ok(fields);
            }
            if let Some(next) = after.strip_prefix(';') {
                fields.push(None);
                rest = next;
                continue;
            }
        }
        let Some(body) = rest.strip_prefix('"') else {
            return Err(format!("unquoted field {}", snippet(rest)));
        };
        match find_separator(body) {
            Some(end) => {
                fields.push(Some(&body[..end]));
                // Skip `";`: what follows is the next field's opening quote or its `NULL`.
                rest = &body[end + 2..];
            }
            None => {
                let Some(last) = body.strip_suffix('"') else {
                    return Err(format!("unterminated field {}", snippet(rest)));
                };
                fields.push(Some(last));
                return Ok(fields);
            }
        }
    }
}

/// The byte offset of the quote that closes the current field, if another field follows.
fn find_separator(body: &str) -> Option<usize> {
    body.match_indices("\";").map(|(i, _)| i).find(|&i| {
        let next = &body[i + 2..];
        next.starts_with('"')
            || next
                .strip_prefix("NULL")
                .is_some_and(|after| after.is_empty() || after.starts_with(';'))
    })
}

/// A short quoted excerpt of a value for a rejection reason.
fn snippet(value: &str) -> String {
    const MAX_CHARS: usize = 40;
    if value.chars().count() <= MAX_CHARS {
        format!("{value:?}")
    } else {
        let head: String = value.chars().take(MAX_CHARS).collect();
        format!("{head:?}…")
    }
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

/// One logical row: its bytes without the line end, and the line it starts on.
struct Row {
    /// 1-based line number of the row's first line.
    line: u64,
    /// The row's bytes (continuation lines joined by `\n`), line ends stripped.
    bytes: Vec<u8>,
    /// The line was longer than [`MAX_LINE_BYTES`]; its bytes were dropped.
    too_long: bool,
}

/// Splits the input into rows, line by line, skipping blank lines.
struct Rows<R> {
    input: R,
    /// Lines read so far.
    line: u64,
    /// A line read ahead while looking for continuations of the previous row.
    ahead: Option<Row>,
}

impl<R: BufRead> Rows<R> {
    fn new(input: R) -> Self {
        Rows {
            input,
            line: 0,
            ahead: None,
        }
    }

    /// The next non-blank row, with continuation lines joined; `None` at the end.
    fn next_row(&mut self) -> std::io::Result<Option<Row>> {
        let mut row = loop {
            let next = match self.ahead.take() {
                Some(row) => Some(row),
                None => self.next_line()?,
            };
            match next {
                Some(row) if row.bytes.iter().all(u8::is_ascii_whitespace) && !row.too_long => {
                    continue
                }
                other => break other,
            }
        };
        if let Some(row) = row.as_mut() {
            let mut joined = 0;
            while joined < MAX_CONTINUATION_LINES && !row.too_long && is_unfinished(&row.bytes) {
                let Some(next) = self.next_line()? else { break };
                if next.too_long || next.bytes.first().is_none_or(|&b| b == b'"') {
                    // A row of its own (or a blank line): keep it for the next call.
                    self.ahead = Some(next);
                    break;
                }
                // The field held a line break; keep it as one, clean_field makes it a space.
                row.bytes.push(b'\n');
                row.bytes.extend_from_slice(&next.bytes);
                joined += 1;
            }
        }
        Ok(row)
    }

    /// The next physical line, without its `\n` or `\r\n`; `None` at the end.
    fn next_line(&mut self) -> std::io::Result<Option<Row>> {
        let mut bytes = Vec::new();
        // Read one byte more than the cap to tell a line of exactly the cap from a longer one.
        let limit = MAX_LINE_BYTES as u64 + 1;
        let n = (&mut self.input)
            .take(limit)
            .read_until(b'\n', &mut bytes)?;
        if n == 0 {
            return Ok(None);
        }
        self.line += 1;
        let mut too_long = false;
        if bytes.last() == Some(&b'\n') {
            bytes.pop();
        } else if n as u64 == limit {
            too_long = true;
            bytes = Vec::new();
            self.skip_rest_of_line()?;
        }
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
        Ok(Some(Row {
            line: self.line,
            bytes,
            too_long,
        }))
    }

    /// Discard input up to and including the next `\n`, without holding it in memory.
    fn skip_rest_of_line(&mut self) -> std::io::Result<()> {
        loop {
            let available = self.input.fill_buf()?;
            if available.is_empty() {
                return Ok(());
            }
            match available.iter().position(|&b| b == b'\n') {
                Some(pos) => {
                    self.input.consume(pos + 1);
                    return Ok(());
                }
                None => {
                    let len = available.len();
                    self.input.consume(len);
                }
            }
        }
    }
}

/// Whether a line stops inside a field: a complete row ends with a quote or an unquoted
/// `NULL`.
fn is_unfinished(bytes: &[u8]) -> bool {
    let trimmed = bytes.trim_ascii_end();
    !(trimmed.is_empty() || trimmed.ends_with(b"\"") || trimmed.ends_with(b"NULL"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOOKS_HEADER: &str = "\"ISBN\";\"Book-Title\";\"Book-Author\";\"Year-Of-Publication\";\"Publisher\";\"Image-URL-S\";\"Image-URL-M\";\"Image-URL-L\"\r\n";
    const RATINGS_HEADER: &str = "\"User-ID\";\"ISBN\";\"Book-Rating\"\r\n";
    const USERS_HEADER: &str = "\"User-ID\";\"Location\";\"Age\"\r\n";

    /// A books row in the published format, with the given ISBN, title, author and year.
    fn book_row(isbn: &str, title: &str, author: &str, year: &str) -> String {
        format!(
            "\"{isbn}\";\"{title}\";\"{author}\";\"{year}\";\"Pub\";\"http://s.jpg\";\"http://m.jpg\";\"http://l.jpg\"\r\n"
        )
    }

    fn books(body: &[u8]) -> (Vec<Book>, ImportReport) {
        let mut input = BOOKS_HEADER.as_bytes().to_vec();
        input.extend_from_slice(body);
        let mut report = ImportReport::default();
        let mut out = Vec::new();
        read_books(&input[..], &mut report, |b| out.push(b)).unwrap();
        (out, report)
    }

    fn ratings(body: &str) -> (Vec<RawRating>, ImportReport) {
        let input = format!("{RATINGS_HEADER}{body}");
        let mut report = ImportReport::default();
        let mut out = Vec::new();
        read_ratings(input.as_bytes(), &mut report, |r| out.push(r)).unwrap();
        (out, report)
    }

    fn users(body: &[u8]) -> (Vec<User>, ImportReport) {
        let mut input = USERS_HEADER.as_bytes().to_vec();
        input.extend_from_slice(body);
        let mut report = ImportReport::default();
        let mut out = Vec::new();
        read_users(&input[..], &mut report, |u| out.push(u)).unwrap();
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
    fn a_plain_book_row_is_read_whole() {
        let (out, report) = books(
            b"\"0195153448\";\"Classical Mythology\";\"Mark P. O. Morford\";\"2002\";\"Oxford University Press\";\"http://images.amazon.com/images/P/0195153448.01.THUMBZZZ.jpg\";\"http://images.amazon.com/images/P/0195153448.01.MZZZZZZZ.jpg\";\"http://images.amazon.com/images/P/0195153448.01.LZZZZZZZ.jpg\"\r\n",
        );
        assert_eq!(
            out,
            vec![Book {
                key: "0195153448".into(),
                title: "Classical Mythology".into(),
                author: "Mark P. O. Morford".into(),
                year: Some(2002),
                publisher: "Oxford University Press".into(),
                image_url: Some(
                    "http://images.amazon.com/images/P/0195153448.01.MZZZZZZZ.jpg".into()
                ),
                tags: vec![],
            }]
        );
        assert_eq!((report.read, report.kept), (1, 1));
        assert!(report.rejected.is_empty());
    }

    #[test]
    fn latin1_bytes_are_decoded() {
        let row = b"\"3442353866\";\"Mis\xe9rables\";\"Fran\xe7ois\";\"1999\";\"Goldmann\";\"\";\"\";\"\"\r\n".to_vec();
        let (out, _) = books(&row);
        assert_eq!(out[0].title, "Misérables");
        assert_eq!(out[0].author, "François");
        assert_eq!(out[0].image_url, None, "an empty image URL is no image");
    }

    #[test]
    fn entities_and_escaped_quotes_are_cleaned() {
        let (out, report) = books(
            book_row(
                "0393045218",
                r#"The Word \"Desire\" &amp; Other Stories"#,
                "W. W. Norton &amp; Company",
                "1999",
            )
            .as_bytes(),
        );
        assert_eq!(report.kept, 1);
        assert_eq!(out[0].title, "The Word \"Desire\" & Other Stories");
        assert_eq!(out[0].author, "W. W. Norton & Company");
    }

    #[test]
    fn stray_quotes_and_backslashes_stay_inside_their_field() {
        // An unescaped quote, a lone backslash, and an escaped quote right before the
        // separator (`\";"`), which a CSV parser would read as an open field.
        let body = format!(
            "{}{}",
            book_row(
                "0000000001",
                r#"A "quoted" \ title"#,
                r#"Miss\" \"Read"#,
                "1990"
            ),
            book_row("0000000002", r#"Ends in a quote \"#, "Someone", "1991"),
        );
        let (out, report) = books(body.as_bytes());
        assert_eq!(report.kept, 2, "{:?}", report.rejected);
        assert_eq!(out[0].title, "A \"quoted\" title");
        assert_eq!(out[0].author, "Miss\" \"Read");
        assert_eq!(out[1].title, "Ends in a quote");
        assert_eq!(out[1].author, "Someone");
    }

    #[test]
    fn isbns_in_mixed_case_with_spaces_are_normalised() {
        let body = format!(
            "{}{}{}",
            book_row(" 034545104x ", "Lower case", "A", "2000"),
            book_row("0 345 45104 X", "Spaced", "A", "2000"),
            book_row("12", "Too short", "A", "2000"),
        );
        let (out, report) = books(body.as_bytes());
        let keys: Vec<&str> = out.iter().map(|b| b.key.as_str()).collect();
        assert_eq!(keys, vec!["034545104X", "034545104X"]);
        assert_eq!(reasons(&report), vec![(4, "bad ISBN: \"12\"")]);
    }

    #[test]
    fn implausible_years_become_none() {
        let body = format!(
            "{}{}{}{}{}",
            book_row("0000000001", "Zero", "A", "0"),
            book_row("0000000002", "Future", "A", "2050"),
            book_row("0000000003", "Word", "A", "DK Publishing Inc"),
            book_row("0000000004", "Old", "A", "1806"),
            book_row(
                "0000000005",
                "Next year",
                "A",
                &latest_plausible_year().to_string()
            ),
        );
        let (out, report) = books(body.as_bytes());
        assert_eq!(
            report.kept, 5,
            "a bad year is not a reason to lose the book"
        );
        let years: Vec<Option<u16>> = out.iter().map(|b| b.year).collect();
        assert_eq!(
            years,
            vec![None, None, None, Some(1806), Some(latest_plausible_year())]
        );
        assert!(plausible_year("2004", 2005).is_some());
        assert!(plausible_year("2006", 2005).is_none());
    }

    #[test]
    fn empty_titles_and_wrong_field_counts_are_rejected() {
        let body = format!(
            "{}{}{}{}",
            book_row("0000000001", "", "A", "2000"),
            book_row("0000000002", "  \\  ", "A", "2000"),
            "\"0000000003\";\"Short\";\"A\";\"2000\";\"Pub\"\r\n",
            book_row("0000000004", "Fine", "A", "2000"),
        );
        let (out, report) = books(body.as_bytes());
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].key, "0000000004");
        assert_eq!(
            reasons(&report),
            vec![
                (2, "empty title"),
                (3, "empty title"),
                (4, "wrong field count: 5")
            ]
        );
        assert_eq!(report.read, 4);
    }

    #[test]
    fn a_malformed_row_never_swallows_the_next() {
        let body = format!(
            "{}{}{}{}{}",
            // A `";"` inside a title: too many fields, rejected rather than guessed at.
            "\"0000000001\";\"Title\";\"with a separator\";\"A\";\"2000\";\"P\";\"\";\"\";\"\"\r\n",
            // A row cut off inside a field: a CSV parser would read on into the next rows.
            "\"0000000002\";\"Open quote\r\n",
            book_row("0000000003", "Next", "A", "2000"),
            "junk without quotes\r\n",
            book_row("0000000004", "After junk", "A", "2000"),
        );
        let (out, report) = books(body.as_bytes());
        let titles: Vec<&str> = out.iter().map(|b| b.title.as_str()).collect();
        assert_eq!(titles, vec!["Next", "After junk"]);
        assert_eq!((report.read, report.kept), (5, 2));
        assert_eq!(
            reasons(&report),
            vec![
                (2, "wrong field count: 9"),
                (3, "malformed row: unterminated field \"\\\"Open quote\""),
                (5, "malformed row: unquoted field \"junk without quotes\""),
            ]
        );
    }

    #[test]
    fn blank_lines_lf_endings_and_no_final_newline_are_fine() {
        let body = "\n\"0000000001\";\"One\";\"A\";\"2000\";\"P\";\"\";\"m\";\"\"\n\r\n   \n\"0000000002\";\"Two\";\"A\";\"2000\";\"P\";\"\";\"m\";\"\"";
        let (out, report) = books(body.as_bytes());
        assert_eq!(out.len(), 2);
        assert_eq!(out[1].title, "Two");
        assert_eq!((report.read, report.kept), (2, 2));
        // Line numbers count the blank lines: the second book is on line 6.
        let (_, report) = books(format!("{body}\n\"12\";\"x\"").as_bytes());
        assert_eq!(reasons(&report), vec![(7, "wrong field count: 2")]);
    }

    #[test]
    fn ratings_are_validated() {
        let (out, report) = ratings(concat!(
            "\"276725\";\"034545104X\";\"0\"\r\n",
            "\"276726\";\"0155061224\";\"5\"\r\n",
            "\"276727\";\"0446520802\";\"11\"\r\n",
            "\"x\";\"0446520802\";\"3\"\r\n",
            "\"276729\";\"052165615X\";\"-1\"\r\n",
            "\"276729\";\"2.02.032126.2\";\"3\"\r\n",
            "\"276729\";\"N3453124715\";\"3\"\r\n",
            "\"276730\";\"0440234743\"\r\n",
            "\"276731\";\" 044023474x \";\"10\"",
        ));
        assert_eq!(
            out.iter()
                .map(|r| (r.user, r.book.as_str(), r.rating.value()))
                .collect::<Vec<_>>(),
            vec![
                (276725, "034545104X", 0),
                (276726, "0155061224", 5),
                (276729, "2020321262", 3),
                (276731, "044023474X", 10)
            ]
        );
        assert!(!out[0].rating.is_explicit());
        assert_eq!(
            reasons(&report),
            vec![
                (4, "bad rating: \"11\""),
                (5, "bad user id: \"x\""),
                (6, "bad rating: \"-1\""),
                (8, "bad ISBN: \"N3453124715\""),
                (9, "wrong field count: 2"),
            ]
        );
        assert_eq!((report.read, report.kept), (9, 4));
    }

    #[test]
    fn users_with_null_and_implausible_ages() {
        let (out, report) = users(
            b"\"1\";\"nyc, new york, usa\";NULL\r\n\"2\";\"stockton, california, usa\";\"18\"\r\n\"3\";\"\xe5rhus, \\\"n/a\\\", denmark\";\"0\"\r\n\"4\";\"x\";\"244\"\r\n\"5\";\"y\";\"abc\"\r\nNULL;\"z\";\"30\"\r\n",
        );
        assert_eq!(
            out,
            vec![
                User {
                    id: 1,
                    location: "nyc, new york, usa".into(),
                    age: None
                },
                User {
                    id: 2,
                    location: "stockton, california, usa".into(),
                    age: Some(18)
                },
                User {
                    id: 3,
                    location: "århus, \"n/a\", denmark".into(),
                    age: None
                },
                User {
                    id: 4,
                    location: "x".into(),
                    age: None
                },
                User {
                    id: 5,
                    location: "y".into(),
                    age: None
                },
            ]
        );
        assert_eq!(reasons(&report), vec![(7, "bad user id: \"\"")]);
    }

    #[test]
    fn a_line_break_inside_a_field_joins_the_next_line() {
        // As in the real BX-Users.csv: the location holds a CRLF.
        let (out, report) = users(
            b"\"275081\";\"cernusco s\r\n, milan, italy\";NULL\r\n\"275082\";\"hacienda heights, california, usa\";\"16\"\r\n\"275083\";\"unfinished\r\n\"275084\";\"x\";\"20\"\r\n",
        );
        assert_eq!(out.len(), 3, "{:?}", report.rejected);
        assert_eq!(out[0].location, "cernusco s , milan, italy");
        assert_eq!(out[1].id, 275082);
        assert_eq!(out[2].id, 275084, "a row start is never swallowed");
        assert_eq!(report.read, 4);
        assert_eq!(reasons(&report).len(), 1);
        assert_eq!(report.rejected[0].line, 5);
        assert!(report.rejected[0]
            .reason
            .starts_with("malformed row: unterminated field"));
    }

    #[test]
    fn null_fields_anywhere_in_a_row() {
        assert_eq!(
            split_row("NULL;\"a\";NULL;\"b\";NULL").unwrap(),
            vec![None, Some("a"), None, Some("b"), None]
        );
        assert_eq!(split_row("\"\";\"\"").unwrap(), vec![Some(""), Some("")]);
        assert_eq!(split_row("\"NULL\"").unwrap(), vec![Some("NULL")]);
        assert!(split_row("").is_err());
        assert!(split_row("\"a\";NULLX").is_err());
    }

    #[test]
    fn overlong_lines_are_rejected_and_skipped() {
        let mut body = book_row("0000000001", &"x".repeat(MAX_LINE_BYTES), "A", "2000");
        body.push_str(&book_row("0000000002", "After", "A", "2000"));
        let (out, report) = books(body.as_bytes());
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].title, "After");
        assert_eq!(report.rejected.len(), 1);
        assert!(report.rejected[0].reason.starts_with("line too long"));
    }

    #[test]
    fn headers_are_checked() {
        let mut report = ImportReport::default();
        let err = read_books(&b"ISBN,Title\n"[..], &mut report, |_| {}).unwrap_err();
        assert!(matches!(err, Error::Header { .. }), "{err}");
        let err = read_ratings(BOOKS_HEADER.as_bytes(), &mut report, |_| {}).unwrap_err();
        assert!(matches!(err, Error::Header { .. }), "{err}");
        let err = read_users(&b""[..], &mut report, |_| {}).unwrap_err();
        assert!(matches!(err, Error::Header { .. }), "{err}");
        // A byte-order mark and LF line ends are tolerated.
        let input = format!("\u{feff}{}", USERS_HEADER.replace("\r\n", "\n"));
        read_users(input.as_bytes(), &mut report, |_| {}).unwrap();
        assert_eq!(report.read, 0);
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_are_read_without_panic_and_every_row_is_accounted_for(
            body in proptest::collection::vec(
                proptest::sample::select(b"\"\";;\\\r\n\n NUL0123X9\xe9&amp".to_vec()),
                0..400,
            )
        ) {
            let mut input = RATINGS_HEADER.as_bytes().to_vec();
            input.extend_from_slice(&body);
            let mut report = ImportReport::default();
            let mut kept = 0u64;
            read_ratings(&input[..], &mut report, |_| kept += 1).unwrap();
            proptest::prop_assert_eq!(report.kept, kept);
            proptest::prop_assert_eq!(report.read, report.kept + report.rejected.len() as u64);
            proptest::prop_assert!(report.rejected.iter().all(|r| r.line >= 2));
        }
    }

    #[test]
    fn years_of_days() {
        assert_eq!(year_of_day(0), 1970);
        assert_eq!(year_of_day(365), 1971);
        assert_eq!(year_of_day(10_956), 1999); // 1999-12-31
        assert_eq!(year_of_day(10_957), 2000); // 2000-01-01
        assert_eq!(year_of_day(20_454), 2026); // 2026-01-01
        assert!(latest_plausible_year() > 2025);
    }
}
