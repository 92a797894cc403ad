use super::*;
use crate::datasets::goodreads::{write_export, ExportRow, Shelf};
use crate::datasets::stars;

const GOODREADS: &[u8] = include_bytes!("../../../tests/fixtures/goodreads/library_export.csv");
const STORYGRAPH: &[u8] = include_bytes!("../../../tests/fixtures/storygraph/library_export.csv");
const LIBRARYTHING: &[u8] =
    include_bytes!("../../../tests/fixtures/librarything/library_export.tsv");
const LIBRARYTHING_OLDER: &[u8] =
    include_bytes!("../../../tests/fixtures/librarything/older_layout.tsv");

#[test]
fn the_format_is_told_by_the_header() {
    assert_eq!(detect(GOODREADS), Some(Format::Goodreads));
    assert_eq!(detect(STORYGRAPH), Some(Format::StoryGraph));
    assert_eq!(detect(LIBRARYTHING), Some(Format::LibraryThing));
    assert_eq!(detect(LIBRARYTHING_OLDER), Some(Format::LibraryThing));
    for (header, format) in [
        // Goodreads' layouts, and one that lacks columns (its reader names them).
        (
            "Book Id,Title,Author,Author l-f,Additional Authors,ISBN,ISBN13,My Rating",
            Some(Format::Goodreads),
        ),
        (
            "\u{feff}Title,Author,ISBN,ISBN13,My Rating,Exclusive Shelf",
            Some(Format::Goodreads),
        ),
        ("Title,Author", Some(Format::Goodreads)),
        // A StoryGraph import exported by Shelfwise: Goodreads' layout, StoryGraph's columns after.
        (
            "Book Id,Title,Author,My Rating,Exclusive Shelf,Authors,ISBN/UID,Star Rating,Moods",
            Some(Format::Goodreads),
        ),
        (
            "Title,Authors,Read Status,Star Rating",
            Some(Format::StoryGraph),
        ),
        (
            "\"Title\",\"Authors\",\"ISBN/UID\"",
            Some(Format::StoryGraph),
        ),
        (
            "Book Id\tTitle\tSort Character\tPrimary Author",
            Some(Format::LibraryThing),
        ),
        (
            "book id\ttitle\tauthor (last, first)\tISBN",
            Some(Format::LibraryThing),
        ),
        // LibraryThing's CSV export: refused, the message asks for the TSV.
        (
            "Book Id,Title,Sort Character,Primary Author,Collections",
            None,
        ),
        // Goodreads' names, tab-separated: not a layout any service writes.
        ("Book Id\tTitle\tAuthor\tMy Rating", None),
        ("isbn,title,rating", None),
        ("", None),
        ("%PDF-1.4", None),
    ] {
        assert_eq!(
            detect(format!("{header}\nrow\n").as_bytes()),
            format,
            "{header}"
        );
    }
    let mut utf16 = vec![0xff, 0xfe];
    for unit in "book id\ttitle\tauthor (first, last)\r\n1\tx\ty\r\n".encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    assert_eq!(detect(&utf16), Some(Format::LibraryThing));
    assert_eq!(detect(&[0xff, 0x00, 0x9f, b'\n']), None);
}

#[test]
fn one_reader_takes_the_three_formats() {
    for (bytes, format, rows) in [
        (GOODREADS, Format::Goodreads, 26),
        (STORYGRAPH, Format::StoryGraph, 18),
        (LIBRARYTHING, Format::LibraryThing, 13),
        (LIBRARYTHING_OLDER, Format::LibraryThing, 3),
    ] {
        let export = read_library_export(bytes, 20_000).unwrap();
        assert_eq!(export.format, format);
        assert_eq!(export.rows.len(), rows, "{format:?}");
        assert!(export.rejected.is_empty(), "{:?}", export.rejected);
    }
}

#[test]
fn a_file_of_another_format_is_refused_with_the_formats_accepted() {
    let err = read_library_export(b"isbn,title,rating\n1,2,3\n", 100).unwrap_err();
    assert!(matches!(err, Error::UnknownFormat { .. }));
    assert_eq!(
        err.to_string(),
        "not a library export Shelfwise reads (its first line is \"isbn,title,rating\"): \
         import the CSV file that Goodreads or StoryGraph exports, or the tab-separated (TSV) \
         file that LibraryThing exports"
    );
    let empty = read_library_export(b"", 100).unwrap_err().to_string();
    assert!(empty.contains("(the file is empty)"), "{empty}");
    let long = format!("{}\n", "x".repeat(500));
    let message = read_library_export(long.as_bytes(), 100)
        .unwrap_err()
        .to_string();
    assert!(message.len() < 300, "{message}");
}

/// A file of the fixture's header and `n` copies of its first row.
fn rows_of(fixture: &[u8], n: usize) -> Vec<u8> {
    let text = String::from_utf8_lossy(fixture);
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let row = lines.next().unwrap();
    let mut file = format!("{header}\n");
    for _ in 0..n {
        file.push_str(row);
        file.push('\n');
    }
    file.into_bytes()
}

#[test]
fn a_file_of_twenty_thousand_and_one_rows_is_refused_whole() {
    for fixture in [GOODREADS, STORYGRAPH, LIBRARYTHING] {
        let format = detect(fixture).unwrap();
        let err = read_library_export(&rows_of(fixture, 20_001), 20_000).unwrap_err();
        assert!(
            matches!(err, Error::TooManyRows { max: 20_000, .. }),
            "{format:?}: {err}"
        );
        assert!(err.to_string().contains(format.name()), "{err}");
        let export = read_library_export(&rows_of(fixture, 20_000), 20_000).unwrap();
        assert_eq!(export.rows.len(), 20_000, "{format:?}");
    }
}

#[test]
fn broken_encoding_refuses_goodreads_and_storygraph_files_but_not_librarything_rows() {
    for fixture in [GOODREADS, STORYGRAPH] {
        let mut file = fixture.to_vec();
        let at = file.iter().position(|&b| b == b'\n').unwrap() + 1;
        // A Latin-1 "é" in the first row's title.
        file.insert(at, 0xe9);
        let err = read_library_export(&file, 100).unwrap_err();
        assert!(matches!(err, Error::NotUtf8 { line: 2, .. }), "{err}");
    }
    let export = read_library_export(LIBRARYTHING, 100).unwrap();
    let rayuela = export.rows.iter().find(|r| r.title == "Rayuela").unwrap();
    assert_eq!(rayuela.author, "Julio Cortázar");
}

/// What a reader's export of these rows looks like, just after the import (the rating and
/// shelf they brought, their own status kept), as `app::backend::transfer` builds it.
fn exported(rows: &[GoodreadsRow]) -> Vec<u8> {
    let rows: Vec<ExportRow> = rows
        .iter()
        .map(|row| {
            let mut details = row.details.clone();
            stars::refresh_kept(&mut details, row.rating());
            ExportRow {
                key: String::new(),
                stars: row.rating().and_then(goodreads::stars_of),
                shelf: row.shelf,
                own_shelf: details.custom_shelf().map(str::to_string),
                details: Some(details),
                ..ExportRow::default()
            }
        })
        .collect();
    let mut out = Vec::new();
    write_export(&mut out, &rows).unwrap();
    out
}

#[test]
fn an_import_exported_in_goodreads_layout_reads_back_whole() {
    for fixture in [STORYGRAPH, LIBRARYTHING, LIBRARYTHING_OLDER] {
        let brought = read_library_export(fixture, 100).unwrap();
        let csv = exported(&brought.rows);
        assert_eq!(detect(&csv), Some(Format::Goodreads));
        let back = read_library_export(&csv, 100).unwrap();
        assert!(back.rejected.is_empty(), "{:?}", back.rejected);
        assert_eq!(back.rows.len(), brought.rows.len());
        for (before, after) in brought.rows.iter().zip(&back.rows) {
            // Every column: Goodreads' 24 and the service's own after them.
            assert_eq!(after.details, before.details, "{}", before.title);
            // The quarter or half stars, through whole stars and the column kept beside.
            assert_eq!(after.rating(), before.rating(), "{}", before.title);
            assert_eq!(after.shelf, before.shelf, "{}", before.title);
            assert_eq!(after.isbn10, before.isbn10, "{}", before.title);
            assert_eq!(after.isbn13, before.isbn13, "{}", before.title);
            assert_eq!(after.title, before.title);
            assert_eq!(after.author, before.author);
            assert_eq!(after.date_read, before.date_read);
            assert_eq!(after.date_added, before.date_added);
        }
    }
}

#[test]
fn a_rating_changed_since_the_import_is_exported_as_changed() {
    let brought = read_library_export(STORYGRAPH, 100).unwrap();
    let mut row = brought
        .rows
        .iter()
        .find(|r| r.title == "Pride and Prejudice")
        .unwrap()
        .clone();
    assert_eq!(row.rating(), Rating::new(7));
    // The reader moves 3.75 stars to 4 in Shelfwise: same whole stars, another rating.
    row.fine_rating = Rating::new(8);
    let back = read_library_export(&exported(&[row]), 100).unwrap();
    assert_eq!(back.rows[0].rating(), Rating::new(8));
    let kept = back.rows[0]
        .details
        .other
        .iter()
        .find(|(n, _)| n == "Star Rating");
    assert_eq!(kept.map(|(_, v)| v.as_str()), Some("4.0"));
}

#[test]
fn statuses_of_the_fixtures() {
    let shelves = |bytes: &[u8]| -> Vec<(String, Option<Shelf>, String)> {
        read_library_export(bytes, 100)
            .unwrap()
            .rows
            .into_iter()
            .map(|r| (r.title, r.shelf, r.details.exclusive_shelf))
            .collect()
    };
    let sg = shelves(STORYGRAPH);
    for status in [
        "read",
        "currently-reading",
        "to-read",
        "did-not-finish",
        "paused",
        "",
    ] {
        assert!(sg.iter().any(|(_, _, s)| s == status), "{status}");
    }
    let lt = shelves(LIBRARYTHING);
    for shelf in [Shelf::Read, Shelf::Reading, Shelf::WantToRead] {
        assert!(lt.iter().any(|(_, s, _)| *s == Some(shelf)), "{shelf:?}");
    }
    assert!(lt.iter().any(|(_, s, _)| s.is_none()));
}

use crate::records::Rating;

/// `fixture` cut off `back` bytes before its end, in the middle of its last row.
fn cut(fixture: &[u8], back: usize) -> Vec<u8> {
    let body = fixture.strip_suffix(b"\n").unwrap_or(fixture);
    let body = body.strip_suffix(b"\r").unwrap_or(body);
    body[..body.len() - back].to_vec()
}

#[test]
fn a_file_cut_off_in_its_last_row_is_refused_as_a_whole() {
    for fixture in [GOODREADS, STORYGRAPH, LIBRARYTHING] {
        let whole = read_library_export(fixture, 100).unwrap();
        // Cut a row in half: it has too few fields, and no line break ends the file.
        let last_line = fixture.strip_suffix(b"\n").unwrap_or(fixture);
        let row_start = last_line.iter().rposition(|&b| b == b'\n').unwrap() + 1;
        let half = (fixture.len() - row_start) / 2;
        let err = read_library_export(&cut(fixture, half), 100).unwrap_err();
        assert!(matches!(err, Error::Truncated { .. }), "{err}");
        assert!(err.to_string().contains("cut off"), "{err}");
        // The same last row whole, without a final line break, is read as usual.
        let unended = read_library_export(&cut(fixture, 0), 100).unwrap();
        assert_eq!(unended.rows.len(), whole.rows.len());
        assert_eq!(unended.rejected, whole.rejected);
    }
}

#[test]
fn a_bad_row_that_is_not_the_last_is_listed_not_taken_for_a_cut() {
    // The short row is in the middle and the file ends with a line break: one rejected row.
    let file = b"Title,Author,ISBN,ISBN13,My Rating,Exclusive Shelf\nDune,Frank Herbert,,,5,read\nHalf a row\nEmma,Jane Austen,,,4,read";
    let export = read_library_export(file, 100).unwrap();
    assert_eq!(export.rows.len(), 2);
    assert_eq!(export.rejected.len(), 1);
    assert_eq!(export.rejected[0].line, 3);
}

#[test]
fn a_librarything_row_with_control_bytes_refuses_the_file() {
    // A NUL or an escape anywhere, or (in a row that is not UTF-8) a byte Windows-1252 does
    // not define.
    for damage in [&b"\x00\x00"[..], b"\xe9\x81", b"\x1b["] {
        let mut file = LIBRARYTHING.to_vec();
        let second = file.iter().position(|&b| b == b'\n').unwrap() + 1;
        let third = second + file[second..].iter().position(|&b| b == b'\n').unwrap() + 1;
        for (i, &b) in damage.iter().enumerate() {
            file.insert(third + 3 + i, b);
        }
        let err = read_library_export(&file, 100).unwrap_err();
        assert!(
            matches!(err, Error::BrokenEncoding { line: 3, .. }),
            "{damage:?}: {err}"
        );
    }
    // A UTF-16 file with a lone surrogate is damaged too.
    let mut wide: Vec<u8> = vec![0xff, 0xfe];
    for unit in "Title\tPrimary Author\r\nDune\tHerbert, Frank\r\n".encode_utf16() {
        wide.extend(unit.to_le_bytes());
    }
    assert!(read_library_export(&wide, 100).is_ok());
    wide.extend(0xd800u16.to_le_bytes());
    for unit in "x\tY, Z\r\n".encode_utf16() {
        wide.extend(unit.to_le_bytes());
    }
    let err = read_library_export(&wide, 100).unwrap_err();
    assert!(
        matches!(err, Error::BrokenEncoding { line: 3, .. }),
        "{err}"
    );
}
