//! Writing shelves back out in the Goodreads export layout.

use std::io::Write;

use csv::WriterBuilder;

use super::{unwrap_isbn, Details, ExportRow, Shelf, COLUMNS};
use crate::datasets::csv_lines::csv_error;
use crate::datasets::formula::defuse;
use crate::{isbn, text, Error, Result};

/// Write rows in Goodreads' export layout: all 24 columns, ISBNs wrapped as `="..."`, stars in
/// `My Rating` (0 when not rated), the shelf in `Exclusive Shelf` and `Bookshelves`.
/// Columns Shelfwise knows nothing of (`Book Id`, `Average Rating`, `Binding`, ...) are empty.
///
/// Text a reader or a dataset supplied (titles, names, publishers) that a spreadsheet would run
/// as a formula is written behind a `'` ([`crate::datasets::formula`]); the `="…"` ISBNs are
/// Goodreads' own form and stay as they are.
///
/// Stars outside 1–5 are refused with [`Error::Export`] rather than written as a rating
/// Goodreads (and [`read_export`]) would reject.
pub fn write_export(writer: impl Write, rows: &[ExportRow]) -> Result<()> {
    let mut out = WriterBuilder::new().from_writer(writer);
    // Columns of older layouts that imported rows brought, after Goodreads' 24.
    let mut others: Vec<&str> = Vec::new();
    for (name, _) in rows
        .iter()
        .filter_map(|r| r.details.as_ref())
        .flat_map(|d| &d.other)
    {
        if !others.contains(&name.as_str()) {
            others.push(name);
        }
    }
    let header = COLUMNS.iter().copied().chain(others.iter().copied());
    out.write_record(header).map_err(csv_error)?;
    for (i, row) in rows.iter().enumerate() {
        if let Some(stars) = row.stars.filter(|s| !(1..=5).contains(s)) {
            return Err(Error::Export {
                row: i,
                reason: format!("{stars} stars (1–5 expected)"),
            });
        }
        let mut fields = export_fields(row).to_vec();
        fields.extend(others.iter().map(|name| {
            row.details
                .iter()
                .flat_map(|d| &d.other)
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        }));
        for (i, field) in fields.iter_mut().enumerate() {
            if !ISBN_COLUMNS.contains(&i) {
                if let std::borrow::Cow::Owned(safe) = defuse(field) {
                    *field = safe;
                }
            }
        }
        out.write_record(fields).map_err(csv_error)?;
    }
    out.flush()?;
    Ok(())
}

/// Positions of `ISBN` and `ISBN13` in [`COLUMNS`]: written as `="…"` on purpose.
const ISBN_COLUMNS: [usize; 2] = [5, 6];

/// The 24 fields of an export row, in [`COLUMNS`] order.
pub(super) fn export_fields(row: &ExportRow) -> [String; 24] {
    match &row.details {
        Some(details) => brought_fields(row, details),
        None => catalog_fields(row),
    }
}

/// The fields of a row the reader imported: what they brought, with their current rating and
/// shelf.
fn brought_fields(row: &ExportRow, d: &Details) -> [String; 24] {
    // The reader's current choice; a reader's own exclusive shelf stays while they have
    // not put the book on a built-in one.
    let shelf = exclusive_shelf(row).to_string();
    [
        d.book_id.clone(),
        d.title.clone(),
        d.author.clone(),
        d.author_last_first.clone(),
        d.additional_authors.clone(),
        wrap_isbn(Some(&d.isbn)),
        wrap_isbn(Some(&d.isbn13)),
        row.stars.unwrap_or(0).to_string(),
        String::new(),
        d.publisher.clone(),
        d.binding.clone(),
        d.pages.clone(),
        d.year_published.clone(),
        d.original_year.clone(),
        d.date_read.clone(),
        d.date_added.clone(),
        d.bookshelves.clone(),
        d.shelf_positions.clone(),
        shelf,
        d.review.clone(),
        d.spoiler.clone(),
        d.private_notes.clone(),
        d.read_count.clone(),
        d.owned_copies.clone(),
    ]
}

impl Details {
    /// The row a reader's notes on a catalog book start from when they brought none: the
    /// book's own fields as the export writes them (title, authors, ISBNs, publisher, year),
    /// nothing of the reader's yet.
    pub fn for_book(book: &crate::records::Book) -> Details {
        let [_, title, author, author_last_first, additional_authors, isbn, isbn13, _, _, publisher, _, _, year_published, original_year, ..] =
            catalog_fields(&ExportRow::for_book(book));
        let unwrap = |v: String| unwrap_isbn(&v).unwrap_or_default();
        Details {
            title,
            author,
            author_last_first,
            additional_authors,
            isbn: unwrap(isbn),
            isbn13: unwrap(isbn13),
            publisher,
            year_published,
            original_year,
            ..Details::default()
        }
    }
}

/// The fields of a row known only from the catalog and the reader's choices in the app.
fn catalog_fields(row: &ExportRow) -> [String; 24] {
    let (isbn10, isbn13) = export_isbns(&row.key);
    let main = text::first_author(&row.author);
    // first_author cuts the trimmed field at the first separator: the rest are the others.
    let rest = row.author.trim().strip_prefix(main).unwrap_or_default();
    let rest = rest.trim_start_matches(|c: char| c.is_whitespace() || ",;&/".contains(c));
    let others = rest.strip_prefix("and ").unwrap_or(rest).trim();
    let shelf = exclusive_shelf(row);
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

/// `Exclusive Shelf`: the built-in shelf the book is on, else the reader's own, else none.
fn exclusive_shelf(row: &ExportRow) -> &str {
    match (row.shelf, &row.own_shelf) {
        (Some(s), _) => s.goodreads_name(),
        (None, Some(own)) => own,
        (None, None) => "",
    }
}

/// `ISBN` and `ISBN13` of a catalog key.
pub(super) fn export_isbns(key: &str) -> (Option<String>, Option<String>) {
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
pub(crate) fn last_first(author: &str) -> String {
    match author.trim().rsplit_once(' ') {
        Some((first, last)) => format!("{last}, {}", first.trim()),
        None => author.trim().to_string(),
    }
}
