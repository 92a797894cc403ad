//! StoryGraph and LibraryThing exports through `engine::datasets::library`: the hand-written
//! fixtures in `fixtures/storygraph/` and `fixtures/librarything/` (see their `SOURCE.md`),
//! and, when they have been fetched, the real exports readers published (`real/` beside them:
//! their licences keep them out of git).
//!
//! Every row of a file is either read or listed with its line, and a file read, exported in
//! Goodreads' layout and read back gives every row back with every column.

use std::collections::BTreeMap;
use std::path::Path;

use engine::catalog::Catalog;
use engine::datasets::goodreads::{
    match_rows, stars_of, write_export, ExportRow, GoodreadsRow, Match, MatchedBy, Shelf,
};
use engine::datasets::library::{read_library_export, Format, LibraryExport};
use engine::datasets::stars::refresh_kept;
use engine::records::Rating;
use test_support::book;

fn fixture(path: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read(path: &str) -> LibraryExport {
    read_library_export(&fixture(path), 20_000).unwrap()
}

fn reported(export: &LibraryExport) -> Vec<(u64, &str)> {
    export
        .rejected
        .iter()
        .map(|e| (e.line, e.reason.as_str()))
        .collect()
}

fn titled<'a>(rows: &'a [GoodreadsRow], title: &str) -> &'a GoodreadsRow {
    rows.iter()
        .find(|r| r.title == title)
        .unwrap_or_else(|| panic!("no row titled {title}"))
}

fn kept<'a>(row: &'a GoodreadsRow, name: &str) -> &'a str {
    row.details
        .other
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("{name} not kept"))
}

/// Editions of some of the fixtures' books, keyed as the catalog keys them.
fn small_catalog() -> Catalog {
    Catalog::build(
        vec![
            book("0439023483", "The Hunger Games", "Suzanne Collins"),
            book("0316015849", "Twilight", "Stephenie Meyer"),
            book("0061120081", "To Kill a Mockingbird", "Harper Lee"),
            book("0141439513", "Pride and Prejudice", "Jane Austen"),
            book(
                "B007978NPG",
                "The Hobbit (Kindle Edition)",
                "J.R.R. Tolkien",
            ),
            book("0743273567", "The Great Gatsby", "F. Scott Fitzgerald"),
            book("0618260307", "The Hobbit", "J.R.R. Tolkien"),
            book("0452284244", "Animal Farm", "George Orwell"),
        ],
        vec![],
    )
    .unwrap()
}

fn tally(matches: &[Match]) -> BTreeMap<&'static str, usize> {
    let mut counts = BTreeMap::new();
    for m in matches {
        let how = match m {
            Match::Matched { how, .. } => match how {
                MatchedBy::Isbn10 => "isbn10",
                MatchedBy::Isbn13 => "isbn13",
                MatchedBy::SourceId => "source id",
                MatchedBy::TitleAuthor => "title+author",
            },
            Match::Unmatched { .. } => "unmatched",
        };
        *counts.entry(how).or_default() += 1;
    }
    counts
}

#[test]
fn the_storygraph_export_is_read_whole() {
    let export = read("storygraph/library_export.csv");
    assert_eq!(export.format, Format::StoryGraph);
    assert!(export.rejected.is_empty(), "{:?}", export.rejected);
    let rows = &export.rows;
    assert_eq!(rows.len(), 18);

    let statuses: BTreeMap<&str, usize> = rows.iter().fold(BTreeMap::new(), |mut m, r| {
        *m.entry(r.details.exclusive_shelf.as_str()).or_default() += 1;
        m
    });
    assert_eq!(
        statuses,
        BTreeMap::from([
            ("", 1),
            ("currently-reading", 1),
            ("did-not-finish", 2),
            ("paused", 1),
            ("read", 10),
            ("to-read", 3),
        ])
    );

    let pride = titled(rows, "Pride and Prejudice");
    assert_eq!((pride.rating(), pride.stars), (Rating::new(7), Some(4)));
    assert_eq!(pride.date_read.as_deref(), Some("2022/03/01"));
    assert_eq!(
        pride.details.bookshelves,
        "romance, classics, mood-funny, mood-lighthearted, pace-medium"
    );
    let twilight = titled(rows, "Twilight");
    assert_eq!(twilight.rating(), Rating::new(1));
    assert_eq!(twilight.details.custom_shelf(), Some("did-not-finish"));
    let mockingbird = titled(rows, "To Kill a Mockingbird");
    assert_eq!(
        kept(mockingbird, "Dates Read"),
        "2019/03/01-2019/03/20, 2021/06/20-2021/06/30"
    );
    assert_eq!(mockingbird.details.read_count, "2");
    let hobbit = titled(rows, "The Hobbit");
    assert_eq!(hobbit.isbn10.as_deref(), Some("B007978NPG"));
    assert_eq!(hobbit.shelf, Some(Shelf::Reading));
    assert_eq!(hobbit.date_read, Some("2024/12/01".into()));
    let ficciones = titled(rows, "Ficciones");
    assert_eq!(
        (ficciones.isbn10.as_deref(), ficciones.isbn13.as_deref()),
        (None, None)
    );
    assert_eq!(
        kept(ficciones, "ISBN/UID"),
        "8f14e45f-ceea-467f-a0e6-2c6ce2d39d48"
    );
    let king = titled(rows, "Why We Can't Wait");
    assert_eq!(king.author, "Martin Luther King, Jr.");
    let piranesi = titled(rows, "Piranesi");
    assert_eq!(
        piranesi.details.review,
        "A house of endless halls,\nand tides."
    );
    assert_eq!(piranesi.rating(), Rating::new(8));
    let hail_mary = titled(rows, "Project Hail Mary");
    assert_eq!(kept(hail_mary, "Contributors"), "Ray Porter (Narrator)");
    assert_eq!(hail_mary.date_read.as_deref(), Some("2021-06-02"));

    let matches = match_rows(&small_catalog(), export.rows);
    assert_eq!(
        tally(&matches),
        BTreeMap::from([
            ("isbn10", 2),
            ("isbn13", 3),
            ("title+author", 1),
            ("unmatched", 12),
        ])
    );
}

#[test]
fn the_librarything_exports_are_read_whole() {
    let export = read("librarything/library_export.tsv");
    assert_eq!(export.format, Format::LibraryThing);
    assert!(export.rejected.is_empty(), "{:?}", export.rejected);
    let rows = &export.rows;
    assert_eq!(rows.len(), 13);
    let shelves: Vec<(&str, Option<Shelf>)> =
        rows.iter().map(|r| (r.title.as_str(), r.shelf)).collect();
    assert_eq!(
        shelves,
        [
            ("The Hunger Games", Some(Shelf::Read)),
            ("Twilight", Some(Shelf::Read)),
            ("To Kill a Mockingbird", Some(Shelf::Read)),
            ("Pride and Prejudice", None),
            ("The Hobbit", Some(Shelf::Reading)),
            ("The Catcher in the Rye", Some(Shelf::WantToRead)),
            ("Piranesi", Some(Shelf::WantToRead)),
            ("1984", None),
            ("Les Misérables", Some(Shelf::Read)),
            ("Cien años de soledad", None),
            (
                "\"Surely You're Joking, Mr. Feynman!\": Adventures of a Curious Character",
                None
            ),
            ("Meditations", None),
            ("Rayuela", None),
        ]
    );
    let ratings: Vec<Option<u8>> = rows.iter().map(|r| r.rating().map(Rating::value)).collect();
    assert_eq!(
        ratings,
        [
            Some(9),
            Some(1),
            Some(10),
            Some(7),
            None,
            None,
            None,
            Some(8),
            Some(9),
            Some(10),
            Some(6),
            Some(5),
            Some(8)
        ]
    );
    let misérables = titled(rows, "Les Misérables");
    assert_eq!(misérables.details.binding, "Broché");
    assert_eq!(kept(misérables, "Weight"), "1.5 livres (poids)");
    assert_eq!(
        misérables.details.bookshelves,
        "Your library, roman, classique"
    );
    let rayuela = titled(rows, "Rayuela");
    assert_eq!(
        kept(rayuela, "Subjects"),
        "Cortázar, Julio. Rayuela|Novela argentina"
    );
    let orwell = titled(rows, "1984");
    assert_eq!(
        orwell.details.additional_authors,
        "Erich Fromm, Celâl Üster"
    );
    assert_eq!(
        orwell.details.private_notes,
        "Borrowed from Anna, give back!"
    );
    assert_eq!(orwell.details.owned_copies, "2");
    let meditations = titled(rows, "Meditations");
    assert_eq!(meditations.isbn10.as_deref(), Some("B000FC1MCS"));
    assert_eq!(meditations.author, "Marcus Aurelius");

    let older = read("librarything/older_layout.tsv");
    assert!(older.rejected.is_empty(), "{:?}", older.rejected);
    let gatsby = titled(&older.rows, "The Great Gatsby");
    assert_eq!(
        (gatsby.rating(), gatsby.shelf),
        (Rating::new(7), Some(Shelf::Read))
    );
    assert_eq!(gatsby.date_read.as_deref(), Some("2009/08/10"));
    assert_eq!(
        titled(&older.rows, "Animal Farm").shelf,
        Some(Shelf::WantToRead)
    );
    assert_eq!(
        titled(&older.rows, "L'Étranger").details.bookshelves,
        "Your library, a_lire"
    );

    let matches = match_rows(&small_catalog(), export.rows);
    assert_eq!(
        tally(&matches),
        BTreeMap::from([("isbn10", 4), ("title+author", 1), ("unmatched", 8)])
    );
}

#[test]
fn bad_rows_are_reported_by_line() {
    let sg = read("storygraph/bad_rows.csv");
    assert_eq!(
        reported(&sg),
        [
            (
                2,
                "bad Star Rating: \"4.1\" (0.25–5 stars in quarter stars expected)"
            ),
            (
                3,
                "bad Star Rating: \"6.0\" (0.25–5 stars in quarter stars expected)"
            ),
            (4, "wrong field count: 7 (the header has 23)"),
            (5, "no title or ISBN"),
            (
                6,
                "bad Star Rating: \"four\" (0.25–5 stars in quarter stars expected)"
            ),
            (12, "wrong field count: 1 (the header has 23)"),
        ]
    );
    let titles: Vec<&str> = sg.rows.iter().map(|r| r.title.as_str()).collect();
    assert_eq!(titles, ["Beloved", "Rebecca"]);
    assert_eq!(sg.rows[0].details.review, "Line one\nline two");

    // Its last row is cut off with no line end: the file is refused whole; with a line end,
    // the short row is one bad row among others.
    let cut = fixture("librarything/bad_rows.tsv");
    let err = read_library_export(&cut, 20_000).unwrap_err();
    assert!(
        matches!(err, engine::Error::Truncated { line: 7, .. }),
        "{err}"
    );
    let lt = read_library_export(&[cut, b"\n".to_vec()].concat(), 20_000).unwrap();
    assert_eq!(
        reported(&lt),
        [
            (2, "bad Rating: \"7\" (0.5–5 stars in half stars expected)"),
            (
                3,
                "bad Rating: \"3.75\" (0.5–5 stars in half stars expected)"
            ),
            (5, "no title or ISBN"),
            (7, "wrong field count: 8 (the header has 49)"),
        ]
    );
    let titles: Vec<&str> = lt.rows.iter().map(|r| r.title.as_str()).collect();
    assert_eq!(titles, ["Rebecca"]);
}

/// What Shelfwise exports for rows just imported (their rating and shelf, their own status
/// kept), in Goodreads' layout, as `app::backend::transfer` builds it.
fn export_in_goodreads_layout(rows: &[GoodreadsRow]) -> Vec<u8> {
    let rows: Vec<ExportRow> = rows
        .iter()
        .map(|row| {
            let mut details = row.details.clone();
            refresh_kept(&mut details, row.rating());
            ExportRow {
                stars: row.rating().and_then(stars_of),
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

/// The data rows of a file by an independent count: CSV records, or non-blank lines of a TSV.
fn data_rows(bytes: &[u8], format: Format) -> usize {
    match format {
        Format::LibraryThing => {
            bytes
                .split(|&b| b == b'\n')
                .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
                .count()
                - 1
        }
        _ => csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(bytes)
            .byte_records()
            .count(),
    }
}

/// A file read, exported in Goodreads' layout and read back: every row, every column, the
/// same rating.
fn round_trip(name: &str, bytes: &[u8]) -> usize {
    let export = read_library_export(bytes, 20_000).unwrap();
    let csv = export_in_goodreads_layout(&export.rows);
    let back = read_library_export(&csv, 20_000).unwrap();
    assert_eq!(back.format, Format::Goodreads, "{name}");
    assert!(back.rejected.is_empty(), "{name}: {:?}", back.rejected);
    assert_eq!(back.rows.len(), export.rows.len(), "{name}");
    for (before, after) in export.rows.iter().zip(&back.rows) {
        assert_eq!(after.details, before.details, "{name}: {}", before.title);
        assert_eq!(after.rating(), before.rating(), "{name}: {}", before.title);
        assert_eq!(after.shelf, before.shelf, "{name}: {}", before.title);
        assert_eq!(
            (&after.isbn10, &after.isbn13),
            (&before.isbn10, &before.isbn13),
            "{name}: {}",
            before.title
        );
    }
    back.rows.len()
}

#[test]
fn the_fixtures_survive_an_export_in_goodreads_layout() {
    for name in [
        "storygraph/library_export.csv",
        "librarything/library_export.tsv",
        "librarything/older_layout.tsv",
    ] {
        round_trip(name, &fixture(name));
    }
}

#[test]
fn real_exports_are_read_row_for_row_and_survive_an_export() {
    for (service, format) in [
        ("storygraph", Format::StoryGraph),
        ("librarything", Format::LibraryThing),
    ] {
        for path in test_support::data::real_exports(service) {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let bytes = std::fs::read(&path).unwrap();
            let export = read_library_export(&bytes, 20_000).unwrap();
            assert_eq!(export.format, format, "{name}");
            // Every row is read or listed with its line.
            let rows = data_rows(&bytes, format);
            assert_eq!(export.rows.len() + export.rejected.len(), rows, "{name}");
            let exported = round_trip(&name, &bytes);
            let rated = export.rows.iter().filter(|r| r.rating().is_some()).count();
            let fine = export
                .rows
                .iter()
                .filter(|r| r.rating().is_some_and(|x| x.value() % 2 == 1))
                .count();
            let shelves = export.rows.iter().fold(BTreeMap::new(), |mut m, r| {
                *m.entry(r.details.exclusive_shelf.clone()).or_insert(0usize) += 1;
                m
            });
            let no_isbn = export
                .rows
                .iter()
                .filter(|r| r.isbn10.is_none() && r.isbn13.is_none())
                .count();
            let asins = export
                .rows
                .iter()
                .filter(|r| r.isbn10.as_deref().is_some_and(|i| i.starts_with('B')))
                .count();
            eprintln!(
                "{name}: {rows} rows, {} read, {} listed as unreadable {:?}, {rated} rated \
                 ({fine} on an odd point of the 1-10 scale), statuses {shelves:?}, \
                 {asins} ASINs, {no_isbn} without ISBN, {exported} exported and read back whole",
                export.rows.len(),
                export.rejected.len(),
                export.rejected.iter().take(5).collect::<Vec<_>>(),
            );
        }
    }
}

#[test]
fn real_exports_against_the_real_catalog() {
    let files: Vec<_> = ["storygraph", "librarything"]
        .into_iter()
        .flat_map(test_support::data::real_exports)
        .collect();
    if files.is_empty() {
        return;
    }
    let Some(path) = test_support::data::bookcrossing_file("BX-Books.csv") else {
        return;
    };
    let file = std::fs::File::open(&path).unwrap();
    let mut books = Vec::new();
    engine::datasets::bookcrossing::read_books(
        file,
        &mut engine::records::ImportReport::default(),
        |b| books.push(b),
    )
    .unwrap();
    let catalog = Catalog::build(books, vec![]).unwrap();
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let export = read_library_export(&std::fs::read(&path).unwrap(), 20_000).unwrap();
        let rows = export.rows.len();
        let counts = tally(&match_rows(&catalog, export.rows));
        assert_eq!(counts.values().sum::<usize>(), rows, "{name}");
        eprintln!("{name} against Book-Crossing: {rows} rows, {counts:?}");
    }
}
