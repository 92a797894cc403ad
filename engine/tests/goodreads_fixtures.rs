//! The Goodreads export reader and matcher on the hand-written exports in
//! `fixtures/goodreads/` (see its `SOURCE.md`): against a small catalog of the Book-Crossing
//! editions they name, and, when the Book-Crossing files are there (`SHELFWISE_BX_DIR`, by
//! default `data/raw/` at the workspace root), against the whole real catalog.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::Path;

use engine::catalog::Catalog;
use engine::datasets::goodreads::{
    match_rows, read_export, write_export, ExportRow, GoodreadsRow, Match, MatchedBy, Shelf,
};
use engine::records::ImportReport;
use test_support::book;

fn fixture(name: &str) -> File {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/goodreads")
        .join(name);
    File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn library() -> Vec<GoodreadsRow> {
    let (rows, errors) = read_export(fixture("library_export.csv"), 1000).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    rows
}

/// The Book-Crossing editions the fixture names, as `BX-Books.csv` spells them, and a few
/// near misses that must not match.
fn small_catalog() -> Catalog {
    let books = vec![
        book(
            "059035342X",
            "Harry Potter and the Sorcerer's Stone (Harry Potter (Paperback))",
            "J. K. Rowling",
        ),
        book("0385504209", "The Da Vinci Code", "Dan Brown"),
        book("0316666343", "The Lovely Bones: A Novel", "Alice Sebold"),
        book(
            "0786868716",
            "The Five People You Meet in Heaven",
            "Mitch Albom",
        ),
        book("0151008116", "Life of Pi", "Yann Martel"),
        book("0142001740", "The Secret Life of Bees", "Sue Monk Kidd"),
        book("014028009X", "Bridget Jones's Diary", "Helen Fielding"),
        book(
            "0064409422",
            "The Lion, the Witch and the Wardrobe (Full-Color Collector's Edition)",
            "C. S. Lewis",
        ),
        book(
            "0393316041",
            "\"Surely You're Joking, Mr. Feynman!\": Adventures of a Curious Character",
            "Richard P. Feynman",
        ),
        book("0671027360", "Angels & Demons", "Dan Brown"),
        book("2070408507", "Le Petit Prince", "Antoine de Saint-Exupéry"),
        book("0452282152", "Girl with a Pearl Earring", "Tracy Chevalier"),
        book(
            "0312195516",
            "The Red Tent (Bestselling Backlist)",
            "Anita Diamant",
        ),
        book(
            "0060928336",
            "Divine Secrets of the Ya-Ya Sisterhood: A Novel",
            "Rebecca Wells",
        ),
        book("0440211727", "A Time to Kill", "JOHN GRISHAM"),
        book(
            "0439064872",
            "Harry Potter and the Chamber of Secrets (Book 2)",
            "J. K. Rowling",
        ),
        book(
            "843760494X",
            "Cien Años de Soledad",
            "Gabriel García Márquez",
        ),
        book(
            "0375826688",
            "Eragon (Inheritance, Book 1)",
            "Christopher Paolini",
        ),
        book("0965404560", "Atonement", "Ian McEwan"),
        book("0971880107", "Wild Animus", "Rich Shapero"),
        // Near misses: another title by a fixture author, a title that starts the same, and a
        // fixture title by someone else.
        book(
            "038001503X",
            "One Hundred Years of Solitude",
            "Gabriel Garcia Marquez",
        ),
        book("0553278223", "The Martian Chronicles", "RAY BRADBURY"),
        book("0000000001", "The Night Circus", "Someone Else"),
    ];
    Catalog::build(books, vec![]).unwrap()
}

/// How many rows matched each way, and how many did not.
fn tally(matches: &[Match]) -> BTreeMap<&'static str, usize> {
    let mut counts = BTreeMap::new();
    for m in matches {
        let how = match m {
            Match::Matched {
                how: MatchedBy::Isbn10,
                ..
            } => "isbn10",
            Match::Matched {
                how: MatchedBy::Isbn13,
                ..
            } => "isbn13",
            Match::Matched {
                how: MatchedBy::SourceId,
                ..
            } => "source id",
            Match::Matched {
                how: MatchedBy::TitleAuthor,
                ..
            } => "title+author",
            Match::Unmatched { .. } => "unmatched",
        };
        *counts.entry(how).or_default() += 1;
    }
    counts
}

fn expected_tally() -> BTreeMap<&'static str, usize> {
    BTreeMap::from([
        ("isbn10", 13),
        ("isbn13", 3),
        ("title+author", 4),
        ("unmatched", 6),
    ])
}

fn matched_by<'a>(matches: &'a [Match], title_start: &str) -> &'a Match {
    matches
        .iter()
        .find(|m| m.row().title.starts_with(title_start))
        .unwrap_or_else(|| panic!("no row titled {title_start}"))
}

#[test]
fn the_library_export_is_read_whole() {
    let rows = library();
    assert_eq!(rows.len(), 26);

    let feynman = rows
        .iter()
        .find(|r| r.author == "Richard P. Feynman")
        .unwrap();
    assert_eq!(
        feynman.title,
        "\"Surely You're Joking, Mr. Feynman!\": Adventures of a Curious Character"
    );
    assert_eq!(feynman.isbn10.as_deref(), Some("0393316041"));
    assert_eq!(feynman.isbn13.as_deref(), Some("9780393316049"));

    let prince = rows.iter().find(|r| r.title == "Le Petit Prince").unwrap();
    assert_eq!(prince.author, "Antoine de Saint-Exupéry");
    assert_eq!((prince.stars, prince.shelf), (Some(5), Some(Shelf::Read)));
    assert_eq!(prince.date_read.as_deref(), Some("1998/06/12"));
    assert_eq!(prince.date_added.as_deref(), Some("2009/01/03"));

    let shelf_count = |shelf| rows.iter().filter(|r| r.shelf == shelf).count();
    assert_eq!(shelf_count(Some(Shelf::Read)), 19);
    assert_eq!(shelf_count(Some(Shelf::WantToRead)), 4);
    assert_eq!(shelf_count(Some(Shelf::Reading)), 2);
    // Wild Animus is on the reader's own `did-not-finish` shelf, rated 1 star.
    assert_eq!(shelf_count(None), 1);
    // Unrated: every to-read and currently-reading row.
    let unrated: Vec<Option<Shelf>> = rows
        .iter()
        .filter(|r| r.stars.is_none())
        .map(|r| r.shelf)
        .collect();
    assert_eq!(unrated.len(), 6);
    assert!(unrated
        .iter()
        .all(|s| matches!(s, Some(Shelf::WantToRead | Shelf::Reading))));
    // Kindle editions have no ISBN at all.
    assert_eq!(
        rows.iter()
            .filter(|r| r.isbn10.is_none() && r.isbn13.is_none())
            .count(),
        5
    );
}

#[test]
fn the_library_export_matches_the_catalog() {
    let matches = match_rows(&small_catalog(), library());
    assert_eq!(tally(&matches), expected_tally());

    let key = |title: &str| matched_by(&matches, title).key();
    assert_eq!(key("Harry Potter and the Sorcerer"), Some("059035342X"));
    assert_eq!(key("The Red Tent"), Some("0312195516"));
    assert_eq!(key("Harry Potter and the Chamber"), Some("0439064872"));
    assert_eq!(key("Cien años de soledad"), Some("843760494X"));
    assert_eq!(key("Eragon"), Some("0375826688"));
    assert_eq!(key("The Martian"), None);
    assert_eq!(key("The Night Circus"), None);
    assert_eq!(key("Män som hatar kvinnor"), None);
}

#[test]
fn bad_rows_are_reported_by_line() {
    let (rows, errors) = read_export(fixture("bad_rows.csv"), 1000).unwrap();
    let reported: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.reason.as_str())).collect();
    assert_eq!(
        reported,
        vec![
            (3, "bad My Rating: \"7\" (0–5 expected)"),
            (4, "wrong field count: 10 (the header has 24)"),
            (5, "bad My Rating: \"four\" (0–5 expected)"),
            (8, "wrong field count: 25 (the header has 24)"),
            (9, "no title or ISBN"),
            (11, "bad My Rating: \"4.5\" (0–5 expected)"),
        ]
    );
    let titles: Vec<&str> = rows.iter().map(|r| r.title.as_str()).collect();
    assert_eq!(
        titles,
        vec![
            "Life of Pi",
            "\"Surely You're Joking, Mr. Feynman!\":\nAdventures of a Curious Character",
            "Wild Animus",
        ]
    );
    assert_eq!((rows[2].stars, rows[2].shelf), (Some(1), None));
}

#[test]
fn the_library_survives_an_export_and_a_new_import() {
    let catalog = small_catalog();
    let matches = match_rows(&catalog, library());
    // What Shelfwise would export: the matched rows, as catalog books with the reader's data.
    let export: Vec<ExportRow> = matches
        .iter()
        .filter_map(|m| {
            let row = m.row();
            let book = catalog.book(catalog.find(m.key()?)?)?;
            Some(ExportRow {
                stars: row.stars,
                shelf: row.shelf,
                date_added: row.date_added.clone(),
                ..ExportRow::for_book(book)
            })
        })
        .collect();
    assert_eq!(export.len(), 20);
    let mut file = Vec::new();
    write_export(&mut file, &export).unwrap();

    let (rows, errors) = read_export(&file[..], 1000).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    let again = match_rows(&catalog, rows);
    // Every row now carries its catalog ISBN and comes back to the same book.
    assert!(again.iter().all(|m| matches!(
        m,
        Match::Matched {
            how: MatchedBy::Isbn10,
            ..
        }
    )));
    let keys = |ms: &[Match]| -> Vec<String> {
        ms.iter()
            .filter_map(|m| m.key().map(str::to_string))
            .collect()
    };
    assert_eq!(keys(&again), keys(&matches));
}

#[test]
fn the_library_export_matches_the_real_catalog() {
    let Some(path) = test_support::data::bookcrossing_file("BX-Books.csv") else {
        return;
    };
    let file = File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut books = Vec::new();
    engine::datasets::bookcrossing::read_books(file, &mut ImportReport::default(), |b| {
        books.push(b)
    })
    .unwrap();
    let catalog = Catalog::build(books, vec![]).unwrap();

    let matches = match_rows(&catalog, library());
    assert_eq!(tally(&matches), expected_tally());
    let key = |title: &str| matched_by(&matches, title).key();
    assert_eq!(key("Harry Potter and the Sorcerer"), Some("059035342X"));
    assert_eq!(key("The Da Vinci Code"), Some("0385504209"));
    assert_eq!(key("The Lovely Bones"), Some("0316666343"));
    assert_eq!(key("A Time to Kill"), Some("0440211727"));
    // Title matches land on one edition of the work: which one depends on the ratings.
    let chamber = catalog
        .book(
            catalog
                .find(key("Harry Potter and the Chamber").unwrap())
                .unwrap(),
        )
        .unwrap();
    assert!(chamber.title.contains("Chamber of Secrets"), "{chamber:?}");
}
