//! LibraryThing library exports: the tab-separated file a reader downloads from LibraryThing
//! ("More" → "Import/Export" → "Export" → "Tab-delimited text"), read into the same rows as a
//! Goodreads export ([`GoodreadsRow`] with its [`Details`]), so that matching, new books,
//! storage and the Goodreads-layout export work on them unchanged.
//!
//! Quirks handled on purpose:
//!
//! - fields are separated by tabs and never quoted: a `"` is part of the text, a line break
//!   inside a field is written `[return]`, and every line is one row;
//! - the text is UTF-8 but not strictly: rows whose fields come from library records (MARC-8
//!   or Latin-1 subject headings, `Cort\xE1azar`) carry bytes that are not UTF-8. Each such row
//!   is read as Windows-1252 (Latin-1 with the printable 0x80–0x9F), the rest of the file as
//!   UTF-8; the old export (`LibraryThing_export.xls`) was UTF-16 with a byte-order mark, and is
//!   read as such;
//! - more than one header layout: the current 49 columns (`Book Id`, `Title`, `Sort
//!   Character`, `Primary Author`, ... `Media`, ... `Barcode`, ... `Lending End`), the 41 of
//!   2010s exports (no `Media`, `Barcode`, `Other Call Number`, `From Where` nor the lending
//!   columns), and the lowercase names of the old export (`title`, `author (last, first)`,
//!   `author (first, last)`, `other authors`, `ISBN`, `tags`, `rating`, `review`): columns
//!   are found by name, case ignored; only a title and an author column are required;
//! - ISBNs and dates in brackets (`[0345339681]`, `[2003-05-01]`, `[]` for none), which keeps
//!   spreadsheets from reading them as numbers: unwrapped, and dates written as Goodreads
//!   writes them (`2003/05/01`);
//! - `Rating` in half stars (`3.5`; `3,5` from a spreadsheet in another locale): on the 1–10
//!   scale exactly, whole stars for `My Rating`, and the column kept as written;
//! - `Primary Author` is last name first (`Covey, Stephen R.`): it is `Author l-f`, and
//!   `Author` the name turned round; `Secondary Author` is a `|`-separated list with its roles
//!   in `Secondary Author Roles`;
//! - `Collections` (`Your library, Currently reading`) are the reader's shelves, and name their
//!   status: `Currently reading` is `currently-reading`, `To read` and `Wishlist` are `to-read`,
//!   `Read but unowned` is `read`; a book in none of them that has a `Date Read` is `read`.
//!   Collections and `Tags` are the row's `Bookshelves`. Collections are matched by their
//!   English names, case ignored;
//! - localised text: a library kept on LibraryThing in French has `384 p.; 8.3 inches`,
//!   `0.3 livres (poids)`, `Broché`, and summaries `... par Stephen R. Covey (2004)`: these are
//!   kept as they are.
//!
//! Every column is kept: the ones whose text a Goodreads field holds unchanged ([`MAPPED`])
//! there, every other one by name in [`Details::other`] (a name Goodreads' layout also has,
//! `Book Id`, `ISBN`, `Date Read`, as `LibraryThing Book Id`...), so the Goodreads-layout
//! export writes them after Goodreads' 24 columns and reads them back. LibraryThing's `Book
//! Id` is never taken for Goodreads' (the catalog keys Goodreads' ids as `gr:<id>`).

use std::borrow::Cow;

use super::goodreads::{last_first, unwrap_isbn, Details, GoodreadsRow, RowError, Shelf};
use super::library::kept_name;
use super::stars::{Stars, Step};
use crate::{isbn, Error, Result};

/// The name [`Error`]s give the file.
const FILE: &str = "LibraryThing export";

/// The columns of the current export, in the order LibraryThing writes them.
pub const COLUMNS: [&str; 49] = [
    "Book Id",
    "Title",
    "Sort Character",
    "Primary Author",
    "Primary Author Role",
    "Secondary Author",
    "Secondary Author Roles",
    "Publication",
    "Date",
    "Review",
    "Rating",
    "Comment",
    "Private Comment",
    "Summary",
    "Media",
    "Physical Description",
    "Weight",
    "Height",
    "Thickness",
    "Length",
    "Dimensions",
    "Page Count",
    "LCCN",
    "Acquired",
    "Date Started",
    "Date Read",
    "Barcode",
    "BCID",
    "Tags",
    "Collections",
    "Languages",
    "Original Languages",
    "LC Classification",
    "ISBN",
    "ISBNs",
    "Subjects",
    "Dewey Decimal",
    "Dewey Wording",
    "Other Call Number",
    "Copies",
    "Source",
    "Entry Date",
    "From Where",
    "OCLC",
    "Work id",
    "Lending Patron",
    "Lending Status",
    "Lending Start",
    "Lending End",
];

/// The columns whose text goes unchanged into a Goodreads field (LibraryThing's names, then
/// Goodreads'); they are not kept again in [`Details::other`]. Every other column is.
pub const MAPPED: [(&[&str], &str); 7] = [
    (&["Title"], "Title"),
    (&["Review"], "My Review"),
    (&["Media"], "Binding"),
    (&["Page Count"], "Number of Pages"),
    (&["Date"], "Year Published"),
    (&["Private Comment"], "Private Notes"),
    (&["Copies"], "Owned Copies"),
];

/// The names of the columns read for Goodreads fields, current first, then older layouts'.
const PRIMARY_AUTHOR: [&str; 2] = ["Primary Author", "author (last, first)"];
const AUTHOR_FIRST_LAST: [&str; 1] = ["author (first, last)"];
const SECONDARY_AUTHOR: [&str; 1] = ["Secondary Author"];
const OTHER_AUTHORS: [&str; 1] = ["other authors"];

/// Read a LibraryThing export: the rows kept, and the rows left out with their line and
/// reason.
///
/// A row is left out when its field count differs from the header's, when `Rating` is not
/// half stars from 0.5 to 5, or when it has neither a title nor an ISBN; a bad row never
/// stops the import. The file as a whole is refused when the header has no title or no author
/// column, when it has more than `max_rows` data rows ([`Error::TooManyRows`]), when a line is
/// damaged ([`Error::BrokenEncoding`]: control bytes, or bytes that are neither UTF-8 nor
/// Windows-1252), or when it was cut off: its last row is a bad one and no line break ends
/// the file ([`Error::Truncated`]). Blank lines are skipped.
pub fn read_export(bytes: &[u8], max_rows: usize) -> Result<(Vec<GoodreadsRow>, Vec<RowError>)> {
    let file = Lines::of(bytes);
    let mut lines = file.iter();
    let header = lines.next().map(|(_, h)| h).unwrap_or_default();
    let columns = Columns::find(&header)?;

    let (mut rows, mut errors) = (Vec::new(), Vec::new());
    let mut count = 0usize;
    let mut last_bad = None;
    for (line, text) in lines {
        if text.trim().is_empty() {
            continue;
        }
        count += 1;
        if count > max_rows {
            return Err(Error::TooManyRows {
                file: FILE.to_string(),
                max: max_rows,
            });
        }
        if damaged(&text, matches!(text, Cow::Owned(_))) || file.broken_at(line) {
            return Err(Error::BrokenEncoding {
                file: FILE.to_string(),
                line,
            });
        }
        let fields: Vec<&str> = text.split('\t').collect();
        last_bad = None;
        match columns.row(&fields) {
            Ok(row) => rows.push(row),
            Err(reason) => {
                last_bad = Some(line);
                errors.push(RowError { line, reason })
            }
        }
    }
    let cut_off = !file.ends_line();
    if let Some(line) = last_bad.filter(|_| cut_off) {
        return Err(Error::Truncated {
            file: FILE.to_string(),
            line,
        });
    }
    Ok((rows, errors))
}

/// Whether a line holds what no LibraryThing export writes: a control character other than a
/// tab (NULs or escapes from a damaged copy) in any line, and in a line that is not UTF-8 (read
/// as Windows-1252) one of the five bytes Windows-1252 leaves undefined (0x81 0x8D 0x8F 0x90
/// 0x9D, which decode to C1 controls). Real exports do hold C1 controls and U+FFFD inside
/// valid UTF-8 (LibraryThing's own double-encoded `BrochÃ\u{83}Â©`): those rows are read as
/// written.
fn damaged(text: &str, fallback: bool) -> bool {
    text.chars().any(|c| {
        let c0 = c < ' ' && c != '\t' && c != '\r';
        let c1 = ('\u{80}'..='\u{9f}').contains(&c);
        c0 || (fallback && c1)
    })
}

/// The lines of a file as text, each with its 1-based number.
enum Lines<'a> {
    /// A UTF-16 file, decoded whole, and the first line an invalid code unit (a lone
    /// surrogate) was replaced in.
    Wide(String, Option<u64>),
    /// A UTF-8 file whose lines are decoded one by one.
    Bytes(&'a [u8]),
}

impl<'a> Lines<'a> {
    fn of(bytes: &'a [u8]) -> Lines<'a> {
        let utf16 = match bytes {
            [0xff, 0xfe, ..] => Some(encoding_rs::UTF_16LE),
            [0xfe, 0xff, ..] => Some(encoding_rs::UTF_16BE),
            _ => None,
        };
        match utf16 {
            // `decode` takes the byte-order mark off.
            Some(encoding) => {
                let (text, _, had_errors) = encoding.decode(bytes);
                let broken = had_errors
                    .then(|| {
                        text.lines()
                            .position(|l| l.contains(char::REPLACEMENT_CHARACTER))
                    })
                    .flatten()
                    .map(|i| i as u64 + 1);
                Lines::Wide(text.into_owned(), broken)
            }
            None => Lines::Bytes(bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)),
        }
    }

    /// Whether `line` is where a UTF-16 file had an invalid code unit.
    fn broken_at(&self, line: u64) -> bool {
        matches!(self, Lines::Wide(_, Some(at)) if *at == line)
    }

    /// Whether the file ends with a line break (or is empty): a file whose last row has none
    /// may have been cut off in it.
    fn ends_line(&self) -> bool {
        match self {
            Lines::Wide(text, _) => text.is_empty() || text.ends_with(['\n', '\r']),
            Lines::Bytes(bytes) => matches!(bytes.last(), None | Some(b'\n' | b'\r')),
        }
    }

    /// Every line (a final `\r` taken off), numbered from 1.
    fn iter(&self) -> Box<dyn Iterator<Item = (u64, Cow<'_, str>)> + '_> {
        match self {
            Lines::Wide(text, _) => Box::new(text.split('\n').enumerate().map(|(i, line)| {
                let line = line.strip_suffix('\r').unwrap_or(line);
                (i as u64 + 1, Cow::Borrowed(line))
            })),
            Lines::Bytes(bytes) => {
                Box::new(bytes.split(|&b| b == b'\n').enumerate().map(|(i, line)| {
                    let line = line.strip_suffix(b"\r").unwrap_or(line);
                    (i as u64 + 1, decode_line(line))
                }))
            }
        }
    }
}

/// A line as text: UTF-8 when it is, else Windows-1252 (which maps every byte to a
/// character, Latin-1 for most).
pub fn decode_line(line: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(line) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => Cow::Owned(
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(line)
                .0
                .into_owned(),
        ),
    }
}

/// A bracketed LibraryThing value without its brackets: `[0345339681]` → `0345339681`,
/// `[]` → empty; anything else trimmed.
pub fn unbracket(value: &str) -> &str {
    let value = value.trim();
    value
        .strip_prefix('[')
        .and_then(|v| v.strip_suffix(']'))
        .unwrap_or(value)
        .trim()
}

/// A LibraryThing date as Goodreads writes dates: `[2003-05-01]` → `2003/05/01`; a date in
/// another form (`[2003]`, `2003-05`) only loses its brackets.
pub fn date(value: &str) -> String {
    let date = unbracket(value);
    let parts: Vec<&str> = date.split('-').collect();
    let iso = matches!(parts.as_slice(), [y, m, d]
        if y.len() == 4 && m.len() == 2 && d.len() == 2
            && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())));
    if iso {
        parts.join("/")
    } else {
        date.to_string()
    }
}

/// A name written last name first (`Covey, Stephen R.`) the other way round (`Stephen R.
/// Covey`); a name without a comma as it is.
pub fn first_last(name: &str) -> String {
    match name.trim().split_once(',') {
        Some((last, first)) if !first.trim().is_empty() => {
            format!("{} {}", first.trim(), last.trim())
        }
        _ => name.trim().trim_end_matches(',').to_string(),
    }
}

/// The publisher in `Publication`: the text before the year in parentheses
/// (`Farrar, Straus and Giroux (2004), Edition: 1st` → `Farrar, Straus and Giroux`), else
/// before `, Edition:`, else all of it.
pub fn publisher(publication: &str) -> String {
    let p = publication.trim();
    let bytes = p.as_bytes();
    let year_at = (0..bytes.len().saturating_sub(5)).find(|&i| {
        bytes[i] == b'('
            && bytes[i + 1..i + 5].iter().all(u8::is_ascii_digit)
            && bytes[i + 5] == b')'
    });
    let end = year_at.or_else(|| p.find(", Edition:")).unwrap_or(p.len());
    p[..end].trim().trim_end_matches(',').trim().to_string()
}

/// The status a row's collections give it, as a Goodreads exclusive shelf name: the first of
/// `Currently reading`, `Read but unowned`, `To read`, `Wishlist` the row is in; else `read`
/// when it has a date read; else none.
pub fn status(collections: &str, date_read: &str) -> &'static str {
    const STATUSES: [(&str, &str); 4] = [
        ("currently reading", "currently-reading"),
        ("read but unowned", "read"),
        ("to read", "to-read"),
        ("wishlist", "to-read"),
    ];
    let names: Vec<String> = collections
        .split(',')
        .map(|c| c.trim().to_lowercase())
        .collect();
    STATUSES
        .iter()
        .find(|(name, _)| names.iter().any(|n| n == name))
        .map(|(_, shelf)| *shelf)
        .unwrap_or(if date_read.is_empty() { "" } else { "read" })
}

/// Where the columns are in this file.
struct Columns {
    /// The header's field count: every row must have it.
    width: usize,
    /// Every column's name, by position.
    names: Vec<String>,
    /// The columns kept in [`Details::other`]: the name they are kept under, and position.
    kept: Vec<(String, usize)>,
}

impl Columns {
    /// Find the columns by name in the header; error naming the required ones missing.
    fn find(header: &str) -> Result<Columns> {
        let names: Vec<String> = header
            .split('\t')
            .map(|n| n.trim_start_matches('\u{feff}').trim().to_string())
            .collect();
        let has = |aliases: &[&str]| {
            names
                .iter()
                .any(|n| aliases.iter().any(|a| a.eq_ignore_ascii_case(n)))
        };
        let mut missing = Vec::new();
        if !has(&["Title"]) {
            missing.push("Title".to_string());
        }
        if !has(&PRIMARY_AUTHOR) && !has(&AUTHOR_FIRST_LAST) {
            missing.push("Primary Author".to_string());
        }
        if !missing.is_empty() {
            return Err(Error::MissingColumns {
                file: FILE.to_string(),
                missing,
            });
        }
        let mapped = |n: &str| {
            MAPPED
                .iter()
                .any(|(names, _)| names.iter().any(|m| m.eq_ignore_ascii_case(n)))
        };
        let kept = names
            .iter()
            .enumerate()
            .filter(|(_, n)| !n.is_empty() && !mapped(n))
            .map(|(i, n)| (kept_name("LibraryThing", n), i))
            .collect();
        Ok(Columns {
            width: names.len(),
            names,
            kept,
        })
    }

    /// A row's fields as a row, or why it is left out.
    fn row(&self, fields: &[&str]) -> Result<GoodreadsRow, String> {
        if fields.len() != self.width {
            return Err(format!(
                "wrong field count: {} (the header has {})",
                fields.len(),
                self.width
            ));
        }
        let field = |i: usize| fields.get(i).copied().unwrap_or_default().trim();
        // The first column of any of these names, case ignored (empty when there is none).
        let get = |aliases: &[&str]| {
            self.names
                .iter()
                .position(|n| aliases.iter().any(|a| a.eq_ignore_ascii_case(n)))
                .map(field)
                .unwrap_or_default()
        };

        let stars =
            Stars::parse(get(&["Rating"]), Step::Half).map_err(|e| format!("bad Rating: {e}"))?;
        // The ISBN LibraryThing shows, then the others it knows of the edition.
        let mut candidates = vec![unbracket(get(&["ISBN"])).to_string()];
        candidates.extend(get(&["ISBNs"]).split(',').map(|s| unbracket(s).to_string()));
        let candidates: Vec<String> = candidates.iter().filter_map(|c| unwrap_isbn(c)).collect();
        let isbn13 = candidates
            .iter()
            .find(|c| c.len() == 13 && c.bytes().all(|b| b.is_ascii_digit()))
            .cloned();
        let isbn10 = candidates
            .iter()
            .filter(|c| c.len() != 13)
            .find_map(|c| isbn::normalize(c).filter(|k| k.len() == 10));
        let title = get(&["Title"]).to_string();
        if title.is_empty() && isbn10.is_none() && isbn13.is_none() {
            return Err("no title or ISBN".to_string());
        }
        let last_first_name = get(&PRIMARY_AUTHOR);
        let author = match get(&AUTHOR_FIRST_LAST) {
            "" => first_last(last_first_name),
            name => name.to_string(),
        };
        let additional_authors = match get(&SECONDARY_AUTHOR) {
            "" => get(&OTHER_AUTHORS).to_string(),
            names => names
                .split('|')
                .map(first_last)
                .filter(|n| !n.is_empty())
                .collect::<Vec<_>>()
                .join(", "),
        };
        let date_read = date(get(&["Date Read"]));
        let date_added = date(get(&["Entry Date", "date entered"]));
        let collections = get(&["Collections"]);
        let shelf = status(collections, &date_read);
        let shelves: Vec<&str> = collections
            .split(',')
            .chain(get(&["Tags"]).split(','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        let details = Details {
            book_id: String::new(),
            title: title.clone(),
            author: author.clone(),
            author_last_first: if last_first_name.is_empty() {
                last_first(&author)
            } else {
                last_first_name.to_string()
            },
            additional_authors,
            isbn: isbn10.clone().unwrap_or_default(),
            isbn13: isbn13.clone().unwrap_or_default(),
            my_rating: stars.map_or(0, Stars::whole).to_string(),
            publisher: publisher(get(&["Publication"])),
            binding: get(&["Media"]).to_string(),
            pages: get(&["Page Count"]).to_string(),
            year_published: get(&["Date"]).to_string(),
            original_year: String::new(),
            date_read: date_read.clone(),
            date_added: date_added.clone(),
            bookshelves: shelves.join(", "),
            shelf_positions: String::new(),
            exclusive_shelf: shelf.to_string(),
            review: get(&["Review"]).to_string(),
            spoiler: String::new(),
            private_notes: get(&["Private Comment"]).to_string(),
            read_count: String::new(),
            owned_copies: get(&["Copies"]).to_string(),
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
            shelf: Shelf::parse(shelf),
            date_read: Some(date_read).filter(|d| !d.is_empty()),
            date_added: Some(date_added).filter(|d| !d.is_empty()),
            details,
        })
    }
}

#[cfg(test)]
mod tests;
