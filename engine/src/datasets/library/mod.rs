//! A reader's library export from any of the services Shelfwise reads: which one a file is
//! ([`detect`], from its header), and its rows ([`read_library_export`]), all as Goodreads
//! rows ([`GoodreadsRow`]) so that matching, new books, storage and the export are the same
//! whichever service the reader comes from.
//!
//! | service | file | reader |
//! |---|---|---|
//! | Goodreads | `goodreads_library_export.csv` (CSV, UTF-8) | [`goodreads::read_export`] |
//! | StoryGraph | CSV, UTF-8 | [`storygraph::read_export`] |
//! | LibraryThing | tab-separated (UTF-8 with Latin-1 rows, or the old UTF-16) | [`librarything::read_export`] |
//!
//! A file of none of these layouts is refused as a whole with [`Error::UnknownFormat`], which
//! names the three; a file of one of them is read by its reader, with its errors: a missing
//! required column, more rows than an import takes, a Goodreads or StoryGraph file that is not
//! UTF-8.

use super::csv_lines::quoted;
use super::goodreads::{self, GoodreadsRow, RowError};
use super::{librarything, storygraph};
use crate::{Error, Result};

/// A service whose library export Shelfwise reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Goodreads' CSV export (any of its header layouts).
    Goodreads,
    /// StoryGraph's CSV export.
    StoryGraph,
    /// LibraryThing's tab-separated export.
    LibraryThing,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 3] = [Format::Goodreads, Format::StoryGraph, Format::LibraryThing];

    /// The service's name, as readers know it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Goodreads => "Goodreads",
            Format::StoryGraph => "StoryGraph",
            Format::LibraryThing => "LibraryThing",
        }
    }

    /// Lowercase, for keys and logs: `goodreads`, `storygraph`, `librarything`.
    pub fn slug(self) -> &'static str {
        match self {
            Format::Goodreads => "goodreads",
            Format::StoryGraph => "storygraph",
            Format::LibraryThing => "librarything",
        }
    }
}

/// Header names (lowercase) only a Goodreads export has.
const GOODREADS_NAMES: [&str; 6] = [
    "my rating",
    "exclusive shelf",
    "author l-f",
    "bookshelves",
    "isbn13",
    "additional authors",
];
/// Header names (lowercase) only a StoryGraph export has.
const STORYGRAPH_NAMES: [&str; 5] = ["read status", "star rating", "isbn/uid", "moods", "authors"];
/// Header names (lowercase) only a LibraryThing export has, current and old layouts.
const LIBRARYTHING_NAMES: [&str; 7] = [
    "primary author",
    "sort character",
    "collections",
    "work id",
    "entry date",
    "author (last, first)",
    "author (first, last)",
];

/// The format of an export, from the names in its first line:
///
/// - tab-separated with a name only LibraryThing writes (`Primary Author`, `Collections`...):
///   LibraryThing (also when UTF-16, as LibraryThing's old export was);
/// - comma-separated with a name only Goodreads writes (`My Rating`, `Exclusive Shelf`...):
///   Goodreads, even when StoryGraph's columns follow (a StoryGraph import exported by
///   Shelfwise in Goodreads' layout);
/// - comma-separated with a name only StoryGraph writes (`Read Status`, `Star Rating`,
///   `ISBN/UID`, `Authors`...): StoryGraph;
/// - comma-separated with LibraryThing's names (its CSV export): `None`, so that the error
///   asks for the tab-separated export, which is the one read;
/// - comma-separated with `Author` or `Book Id`: Goodreads (a Goodreads layout that lacks
///   columns, which its reader then names);
/// - anything else: `None`.
pub fn detect(bytes: &[u8]) -> Option<Format> {
    let header = Header::of(bytes);
    let has = |names: &[&str]| header.names.iter().any(|n| names.contains(&n.as_str()));
    if header.tabs {
        return has(&LIBRARYTHING_NAMES).then_some(Format::LibraryThing);
    }
    if has(&GOODREADS_NAMES) {
        Some(Format::Goodreads)
    } else if has(&STORYGRAPH_NAMES) {
        Some(Format::StoryGraph)
    } else if has(&LIBRARYTHING_NAMES) {
        // LibraryThing's CSV export: the message asks for the tab-separated one.
        None
    } else if has(&["author", "book id"]) {
        Some(Format::Goodreads)
    } else {
        None
    }
}

/// The rows of a library export of any format Shelfwise reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibraryExport {
    /// Which service's export the file is.
    pub format: Format,
    /// The rows read, in file order.
    pub rows: Vec<GoodreadsRow>,
    /// The rows that could not be read, with their 1-based line (the header is line 1) and why.
    pub rejected: Vec<RowError>,
}

/// Read a library export of any format Shelfwise reads ([`detect`]), with that format's
/// reader: the rows, and the rows left out with their line and reason. A file of no known
/// format is refused with [`Error::UnknownFormat`]; every reader refuses a file of more than
/// `max_rows` data rows ([`Error::TooManyRows`]) as a whole.
pub fn read_library_export(bytes: &[u8], max_rows: usize) -> Result<LibraryExport> {
    let Some(format) = detect(bytes) else {
        return Err(Error::UnknownFormat {
            first_line: Header::of(bytes).describe(),
        });
    };
    let (rows, rejected) = match format {
        Format::Goodreads => goodreads::read_export(bytes, max_rows)?,
        Format::StoryGraph => storygraph::read_export(bytes, max_rows)?,
        Format::LibraryThing => librarything::read_export(bytes, max_rows)?,
    };
    Ok(LibraryExport {
        format,
        rows,
        rejected,
    })
}

/// The name a column of `service`'s export is kept under in [`goodreads::Details::other`]:
/// its own, unless Goodreads' layout has a column of that name (LibraryThing's `Book Id`,
/// `ISBN`, `Date Read`), which would then be written twice in a Goodreads-layout export and
/// read back as Goodreads' own: then `<service> <name>` (`LibraryThing Book Id`).
pub(crate) fn kept_name(service: &str, name: &str) -> String {
    if goodreads::COLUMNS.contains(&name) {
        format!("{service} {name}")
    } else {
        name.to_string()
    }
}

/// The first line of a file, as far as [`detect`] needs it.
struct Header {
    /// The line as text (a byte-order mark and a final `\r` taken off).
    line: String,
    /// Whether it is tab-separated.
    tabs: bool,
    /// Its column names, trimmed and lowercase.
    names: Vec<String>,
}

impl Header {
    fn of(bytes: &[u8]) -> Header {
        let text = match bytes {
            [0xff, 0xfe, ..] => encoding_rs::UTF_16LE.decode(bytes).0,
            [0xfe, 0xff, ..] => encoding_rs::UTF_16BE.decode(bytes).0,
            _ => {
                let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
                let end = bytes
                    .iter()
                    .position(|&b| b == b'\n')
                    .unwrap_or(bytes.len());
                String::from_utf8_lossy(&bytes[..end])
            }
        };
        let line = text.lines().next().unwrap_or_default();
        let line = line.trim_start_matches('\u{feff}').trim_end_matches('\r');
        let tabs = line.contains('\t');
        let names: Vec<String> = if tabs {
            line.split('\t').map(str::to_string).collect()
        } else {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(line.as_bytes());
            let mut record = csv::StringRecord::new();
            match reader.read_record(&mut record) {
                Ok(true) => record.iter().map(str::to_string).collect(),
                _ => Vec::new(),
            }
        };
        Header {
            line: line.to_string(),
            tabs,
            names: names.iter().map(|n| n.trim().to_lowercase()).collect(),
        }
    }

    /// The line for an error message: quoted and shortened, or that the file is empty.
    fn describe(&self) -> String {
        if self.line.trim().is_empty() {
            "the file is empty".to_string()
        } else {
            format!("its first line is {}", quoted(&self.line))
        }
    }
}

#[cfg(test)]
mod tests;
