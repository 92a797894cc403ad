//! The goodbooks reader on the committed samples (the first 99 rows of each published file,
//! see `fixtures/goodbooks/SOURCE.md`), and, when `SHELFWISE_GOODBOOKS_DIR` points at a copy
//! of the dataset, on its full `books.csv` and `tags.csv`.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use engine::datasets::goodbooks::{
    is_useful_tag, read_book_tags, read_books, read_ratings, read_tags, top_tags, BookTag,
    GoodbooksBook,
};
use engine::records::ImportReport;
use test_support::goodbooks::FIXTURES;

fn fixture(name: &str) -> File {
    let path = Path::new(FIXTURES).join(name);
    File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn fixture_books() -> (Vec<GoodbooksBook>, ImportReport) {
    let mut report = ImportReport::default();
    let mut books = Vec::new();
    read_books(fixture("books.csv"), &mut report, |b| books.push(b)).unwrap();
    (books, report)
}

/// `book_id` → catalog key, as the store importer builds it for the ratings.
fn book_keys(books: &[GoodbooksBook]) -> HashMap<u32, String> {
    books
        .iter()
        .map(|b| (b.book_id, b.book.key.clone()))
        .collect()
}

#[test]
fn sample_books() {
    let (books, report) = fixture_books();
    assert_eq!((report.read, report.kept), (99, 99));
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);

    let first = &books[0].book;
    assert_eq!(books[0].book_id, 1);
    assert_eq!(books[0].goodreads_book_id, 2_767_052);
    assert_eq!(first.key, "0439023483");
    assert_eq!(first.title, "The Hunger Games (The Hunger Games, #1)");
    assert_eq!(first.author, "Suzanne Collins");
    assert_eq!(first.year, Some(2008));
    assert!(first.tags.is_empty());

    // Every sample book has an ISBN: 11 of them lost two or three leading zeros.
    assert!(books.iter().all(|b| !b.book.key.starts_with("gr:")));
    let by_id: HashMap<u32, &GoodbooksBook> = books.iter().map(|b| (b.book_id, b)).collect();
    assert_eq!(
        by_id[&4].book.key, "0061120081",
        "To Kill a Mockingbird, isbn 61120081"
    );
    assert_eq!(by_id[&69].book.key, "0007442912", "isbn 7442912");
    assert_eq!(by_id[&2].book.author, "J.K. Rowling, Mary GrandPré");
    // The Odyssey's original publication year is -720.
    assert_eq!(by_id[&79].book.year, None);
    assert_eq!(books.iter().filter(|b| b.book.year.is_none()).count(), 1);
    // Six covers are Goodreads' "nophoto" placeholder.
    assert_eq!(
        books.iter().filter(|b| b.book.image_url.is_none()).count(),
        6
    );
    let mut keys: Vec<&str> = books.iter().map(|b| b.book.key.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), 99, "keys are unique");
}

#[test]
fn sample_ratings_of_sample_books() {
    let (books, _) = fixture_books();
    let keys = book_keys(&books);
    let mut report = ImportReport::default();
    let mut ratings = Vec::new();
    read_ratings(fixture("ratings.csv"), &keys, &mut report, |r| {
        ratings.push(r)
    })
    .unwrap();
    // The first 99 ratings mostly name books beyond the first 99.
    assert_eq!((report.read, report.kept), (99, 30));
    assert_eq!(report.reasons(), vec![("unknown book_id".to_string(), 69)]);
    assert_eq!(report.rejected[0].line, 2, "user 1 rated book 258");
    assert_eq!(report.rejected[0].reason, "unknown book_id: 258");
    assert!(ratings
        .iter()
        .all(|r| r.rating.value() % 2 == 0 && r.rating.is_explicit()));
    assert_eq!(ratings[0].user, 2);
    assert_eq!(ratings[0].book, keys[&26]);
    assert_eq!(ratings[0].rating.value(), 8, "4 stars");

    // With every book known, every rating is kept.
    let all: HashMap<u32, String> = (1..=10_000).map(|id| (id, format!("k{id}"))).collect();
    let mut report = ImportReport::default();
    read_ratings(fixture("ratings.csv"), &all, &mut report, |_| {}).unwrap();
    assert_eq!((report.read, report.kept), (99, 99));
}

#[test]
fn sample_tags_and_book_tags() {
    // Both files use CRLF line ends.
    let mut report = ImportReport::default();
    let tags = read_tags(fixture("tags.csv"), &mut report).unwrap();
    assert_eq!((report.read, report.kept, tags.len()), (99, 99, 99));
    assert_eq!(tags[&0], "-");
    assert_eq!(tags[&98], "02-fantasy");
    // The first tags alphabetically are mostly numbered shelves: few say anything.
    let mut useful: Vec<&str> = tags
        .values()
        .map(String::as_str)
        .filter(|name| is_useful_tag(name))
        .collect();
    useful.sort_unstable();
    assert_eq!(useful.len(), 65);
    assert!(useful.contains(&"02-fantasy") && useful.contains(&"-fiction"));
    for shelf in [
        "-",
        "--1-",
        "0-owned",
        "0-kindle",
        "00-to-read-00",
        "0000-to-buy",
        "01-mine",
    ] {
        assert!(!useful.contains(&shelf), "{shelf}");
    }

    let mut report = ImportReport::default();
    let mut rows: Vec<BookTag> = Vec::new();
    read_book_tags(fixture("book_tags.csv"), &mut report, |t| rows.push(t)).unwrap();
    assert_eq!((report.read, report.kept), (99, 99));
    assert!(rows.iter().all(|t| t.goodreads_book_id == 1));
    assert_eq!(
        rows[0],
        BookTag {
            goodreads_book_id: 1,
            tag_id: 30_574,
            count: 167_697
        }
    );
}

#[test]
fn sample_to_read_is_present() {
    // Not imported (to-read is a wish, not an interaction), but kept as a sample of the layout.
    let mut text = String::new();
    std::io::Read::read_to_string(&mut fixture("to_read.csv"), &mut text).unwrap();
    assert_eq!(text.lines().next(), Some("user_id,book_id"));
    assert_eq!(text.lines().count(), 100);
}

/// The full metadata files, when `SHELFWISE_GOODBOOKS_DIR` names a directory holding them.
fn full_file(name: &str) -> Option<File> {
    let Some(dir) = std::env::var_os("SHELFWISE_GOODBOOKS_DIR").map(PathBuf::from) else {
        eprintln!("skipped: set SHELFWISE_GOODBOOKS_DIR to check the full goodbooks-10k files");
        return None;
    };
    let path = dir.join(name);
    match File::open(&path) {
        Ok(file) => Some(file),
        Err(e) => {
            eprintln!("skipped: {}: {e}", path.display());
            None
        }
    }
}

#[test]
fn full_books_and_tags_when_available() {
    let (Some(books_file), Some(tags_file)) = (full_file("books.csv"), full_file("tags.csv"))
    else {
        return;
    };
    let mut report = ImportReport::default();
    let mut books = Vec::new();
    read_books(books_file, &mut report, |b| books.push(b)).unwrap();
    assert_eq!((report.read, report.kept), (10_000, 10_000));
    let keys = book_keys(&books);
    let mut distinct: Vec<&String> = keys.values().collect();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), 10_000, "keys are unique");
    let without_isbn = books
        .iter()
        .filter(|b| b.book.key.starts_with("gr:"))
        .count();
    // 700 books have no isbn; the 1,028 with lost leading zeros all get one back.
    assert_eq!(without_isbn, 700);
    let without_year = books.iter().filter(|b| b.book.year.is_none()).count();
    // 21 have no year, 31 are dated before year 1 (ancient works).
    assert_eq!(without_year, 52);
    let without_image = books.iter().filter(|b| b.book.image_url.is_none()).count();
    // A third of the covers are the "nophoto" placeholder.
    assert_eq!(without_image, 3_332);

    let mut report = ImportReport::default();
    let tags = read_tags(tags_file, &mut report).unwrap();
    assert_eq!(
        (report.read, report.kept, tags.len()),
        (34_252, 34_252, 34_252)
    );

    // The sample book_tags are Harry Potter and the Half-Blood Prince's (goodreads id 1).
    let mut report = ImportReport::default();
    let mut named = Vec::new();
    read_book_tags(fixture("book_tags.csv"), &mut report, |t| {
        named.push((tags[&t.tag_id].clone(), t.count));
    })
    .unwrap();
    // Its most used shelves are to-read, favorites and currently-reading: left out.
    assert_eq!(
        top_tags(named, 10),
        [
            "fantasy",
            "young-adult",
            "fiction",
            "harry-potter",
            "ya",
            "series",
            "magic",
            "childrens",
            "adventure",
            "children"
        ]
    );
}
