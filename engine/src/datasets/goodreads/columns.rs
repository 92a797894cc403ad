//! The columns of an export, found by name in its header.

use csv::ByteRecord;

use super::*;
use crate::datasets::csv_lines::quoted;
use crate::datasets::formula;

/// Where the columns [`read_export`] uses are in this file.
pub(super) struct Columns {
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
    /// Every known column's position, in [`COLUMNS`] order (`None` when the file lacks it).
    all: [Option<usize>; 24],
    /// The header's other columns, by name and position.
    other: Vec<(String, usize)>,
}

impl Columns {
    /// Find the columns by name in the header (a byte-order mark and spaces around names are
    /// ignored); error naming every required column that is missing.
    pub(super) fn find(header: Option<&ByteRecord>) -> Result<Columns> {
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
            all: COLUMNS.map(position),
            other: names
                .iter()
                .enumerate()
                .filter(|(_, n)| !n.is_empty() && !COLUMNS.contains(n))
                .map(|(i, n)| (n.to_string(), i))
                .collect(),
        })
    }

    /// A data record (already checked to be UTF-8) as a row, or why it is left out.
    pub(super) fn row(&self, record: &ByteRecord) -> Result<GoodreadsRow, String> {
        if record.len() != self.width {
            return Err(format!(
                "wrong field count: {} (the header has {})",
                record.len(),
                self.width
            ));
        }
        // Our own exports write formula-like text behind a `'`; take it off again.
        let field = |i: usize| {
            let bytes = record.get(i).unwrap_or_default();
            formula::restore(std::str::from_utf8(bytes).unwrap_or_default().trim())
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
        let text = |name: &str| {
            let i = COLUMNS.iter().position(|c| *c == name);
            let raw = i.and_then(|i| self.all[i]).map(field).unwrap_or_default();
            match name {
                "ISBN" | "ISBN13" => unwrap_isbn(raw).unwrap_or_default(),
                _ => raw.to_string(),
            }
        };
        let details = Details {
            book_id: text("Book Id"),
            title: text("Title"),
            author: text("Author"),
            author_last_first: text("Author l-f"),
            additional_authors: text("Additional Authors"),
            isbn: text("ISBN"),
            isbn13: text("ISBN13"),
            my_rating: text("My Rating"),
            publisher: text("Publisher"),
            binding: text("Binding"),
            pages: text("Number of Pages"),
            year_published: text("Year Published"),
            original_year: text("Original Publication Year"),
            date_read: text("Date Read"),
            date_added: text("Date Added"),
            bookshelves: text("Bookshelves"),
            shelf_positions: text("Bookshelves with positions"),
            exclusive_shelf: text("Exclusive Shelf"),
            review: text("My Review"),
            spoiler: text("Spoiler"),
            private_notes: text("Private Notes"),
            read_count: text("Read Count"),
            owned_copies: text("Owned Copies"),
            other: self
                .other
                .iter()
                .map(|(name, i)| (name.clone(), field(*i).to_string()))
                .collect(),
        };
        let fine_rating = crate::datasets::stars::kept_rating(&details.other, stars);
        Ok(GoodreadsRow {
            fine_rating,
            details,
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
