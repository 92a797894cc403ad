use super::*;
use crate::records::Rating;

/// A row of the current layout: every column empty but those given.
fn line(fields: &[(&str, &str)]) -> String {
    for (name, _) in fields {
        assert!(COLUMNS.contains(name), "{name}");
    }
    COLUMNS
        .iter()
        .map(|c| fields.iter().find(|(n, _)| n == c).map_or("", |(_, v)| *v))
        .collect::<Vec<_>>()
        .join("\t")
}

fn file(rows: &[String]) -> Vec<u8> {
    let mut text = COLUMNS.join("\t");
    for row in rows {
        text.push('\n');
        text.push_str(row);
    }
    text.push('\n');
    text.into_bytes()
}

fn one(fields: &[(&str, &str)]) -> GoodreadsRow {
    let (mut rows, errors) = read_export(&file(&[line(fields)]), 100).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    rows.remove(0)
}

fn other<'a>(row: &'a GoodreadsRow, name: &str) -> &'a str {
    row.details
        .kept(name)
        .unwrap_or_else(|| panic!("{name} not kept: {:?}", row.details.other))
}

const COVEY: [(&str, &str); 16] = [
    ("Book Id", "5015237"),
    ("Title", "The 7 Habits of Highly Effective People"),
    ("Sort Character", "5"),
    ("Primary Author", "Covey, Stephen R."),
    (
        "Publication",
        "Free Press (2004), Edition: 15th Annv, Paperback",
    ),
    ("Date", "2004"),
    ("Rating", "4.5"),
    (
        "Summary",
        "The 7 Habits of Highly Effective People par Stephen R. Covey (2004)",
    ),
    ("Physical Description", "384 p.; 8.3 inches"),
    ("Weight", "0.3 livres (poids)"),
    ("Page Count", "384 "),
    ("Collections", "Your library, Currently reading"),
    ("ISBN", "[0743269519]"),
    ("ISBNs", "0743269519, 9780743269513"),
    ("Entry Date", "[2006-07-25]"),
    ("Work id", "3319"),
];

#[test]
fn an_exported_row_is_read() {
    let row = one(&COVEY);
    assert_eq!(row.title, "The 7 Habits of Highly Effective People");
    assert_eq!(row.author, "Stephen R. Covey");
    assert_eq!(row.isbn10.as_deref(), Some("0743269519"));
    assert_eq!(row.isbn13.as_deref(), Some("9780743269513"));
    assert_eq!(row.stars, Some(5));
    assert_eq!(row.rating(), Rating::new(9));
    assert_eq!(row.shelf, Some(Shelf::Reading));
    assert_eq!(row.date_added.as_deref(), Some("2006/07/25"));
    assert_eq!(row.date_read, None);
    // LibraryThing's Book Id is not Goodreads': no `gr:` key.
    assert_eq!(row.source_key(), None);
    let d = &row.details;
    assert_eq!(d.book_id, "");
    assert_eq!(d.author_last_first, "Covey, Stephen R.");
    assert_eq!(
        (d.isbn.as_str(), d.isbn13.as_str()),
        ("0743269519", "9780743269513")
    );
    assert_eq!(d.my_rating, "5");
    assert_eq!(d.publisher, "Free Press");
    assert_eq!(d.year_published, "2004");
    assert_eq!(d.pages, "384");
    assert_eq!(d.exclusive_shelf, "currently-reading");
    assert_eq!(d.bookshelves, "Your library, Currently reading");
    assert_eq!(d.date_added, "2006/07/25");
    // Every other column is kept as written (trimmed), by name; the three names Goodreads'
    // layout has too are kept as LibraryThing's.
    assert_eq!(other(&row, "LibraryThing Book Id"), "5015237");
    assert_eq!(other(&row, "LibraryThing ISBN"), "[0743269519]");
    assert_eq!(other(&row, "LibraryThing Date Read"), "");
    assert_eq!(other(&row, "Rating"), "4.5");
    assert_eq!(other(&row, "Primary Author"), "Covey, Stephen R.");
    assert_eq!(other(&row, "Entry Date"), "[2006-07-25]");
    assert_eq!(other(&row, "Weight"), "0.3 livres (poids)");
    assert_eq!(
        other(&row, "Summary"),
        "The 7 Habits of Highly Effective People par Stephen R. Covey (2004)"
    );
    assert_eq!(other(&row, "Work id"), "3319");
    assert_eq!(d.other.len(), COLUMNS.len() - MAPPED.len());
    for (names, _) in MAPPED {
        assert!(d.other.iter().all(|(n, _)| n != names[0]), "{names:?}");
    }
    let book = row.new_book().unwrap();
    assert_eq!(
        (book.key.as_str(), book.author.as_str(), book.year),
        ("0743269519", "Stephen R. Covey", Some(2004))
    );
    assert_eq!(book.publisher, "Free Press");
}

#[test]
fn brackets_come_off_isbns_and_dates() {
    assert_eq!(unbracket("[0345339681]"), "0345339681");
    assert_eq!(unbracket("[]"), "");
    assert_eq!(unbracket(" 0345339681 "), "0345339681");
    assert_eq!(date("[2003-05-01]"), "2003/05/01");
    assert_eq!(date("[2003]"), "2003");
    assert_eq!(date("[2003-05]"), "2003-05");
    assert_eq!(date(""), "");
    let row = one(&[
        ("Title", "The Hobbit"),
        ("Primary Author", "Tolkien, J. R. R."),
        ("Date Started", "[2024-12-01]"),
        ("Date Read", "[2024-12-20]"),
        ("ISBN", "[]"),
        ("ISBNs", "9780618260300"),
    ]);
    assert_eq!(row.date_read.as_deref(), Some("2024/12/20"));
    assert_eq!(row.details.date_read, "2024/12/20");
    assert_eq!(other(&row, "LibraryThing Date Read"), "[2024-12-20]");
    assert_eq!(other(&row, "Date Started"), "[2024-12-01]");
    // With no ISBN, the other ISBNs of the edition.
    assert_eq!(row.isbn13.as_deref(), Some("9780618260300"));
    // Read, though in no collection that says so.
    assert_eq!(row.shelf, Some(Shelf::Read));
}

#[test]
fn collections_are_shelves_and_name_the_status() {
    assert_eq!(status("Your library", ""), "");
    assert_eq!(status("Your library", "2020/01/01"), "read");
    assert_eq!(
        status("Your library, Currently reading", ""),
        "currently-reading"
    );
    assert_eq!(status("To read", ""), "to-read");
    assert_eq!(status("Wishlist", ""), "to-read");
    assert_eq!(status("Read but unowned", ""), "read");
    assert_eq!(status("your library, to READ ", ""), "to-read");
    assert_eq!(
        status("Currently reading, To read", ""),
        "currently-reading"
    );
    assert_eq!(status("Favorites", ""), "");
    assert_eq!(status("", ""), "");
    for (collections, shelf) in [
        ("Wishlist", Some(Shelf::WantToRead)),
        ("Read but unowned", Some(Shelf::Read)),
        ("Your library, Favorites", None),
    ] {
        let row = one(&[
            ("Title", "Dune"),
            ("Primary Author", "Herbert, Frank"),
            ("Tags", "sf, desert"),
            ("Collections", collections),
        ]);
        assert_eq!(row.shelf, shelf, "{collections}");
        assert_eq!(
            row.details.bookshelves,
            format!("{collections}, sf, desert")
        );
        assert_eq!(other(&row, "Collections"), collections);
        assert_eq!(other(&row, "Tags"), "sf, desert");
    }
}

#[test]
fn half_stars_are_the_ten_point_scale() {
    for (rating, value, whole) in [
        ("0.5", Some(1), Some(1)),
        ("3.5", Some(7), Some(4)),
        ("3,5", Some(7), Some(4)),
        ("4", Some(8), Some(4)),
        ("5", Some(10), Some(5)),
        ("", None, None),
    ] {
        let row = one(&[
            ("Title", "Dune"),
            ("Primary Author", "Herbert, Frank"),
            ("Rating", rating),
        ]);
        assert_eq!(row.rating().map(Rating::value), value, "{rating}");
        assert_eq!(row.stars, whole, "{rating}");
        assert_eq!(other(&row, "Rating"), rating);
    }
}

#[test]
fn bad_rows_are_listed_with_their_line_and_the_rest_is_read() {
    let rows = [
        line(&[
            ("Title", "Dune"),
            ("Primary Author", "Herbert, Frank"),
            ("Rating", "7"),
        ]),
        line(&[
            ("Title", "Emma"),
            ("Primary Author", "Austen, Jane"),
            ("Rating", "3.75"),
        ]),
        String::new(),
        line(&[("Title", ""), ("ISBN", "[]")]),
        line(&[
            ("Title", "Rebecca"),
            ("Primary Author", "du Maurier, Daphne"),
        ]),
        "305\tMiddlemarch\t1\tEliot, George".to_string(),
        "   ".to_string(),
    ];
    let (read, errors) = read_export(&file(&rows), 100).unwrap();
    let errors: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.reason.as_str())).collect();
    assert_eq!(
        errors,
        [
            (2, "bad Rating: \"7\" (0.5–5 stars in half stars expected)"),
            (
                3,
                "bad Rating: \"3.75\" (0.5–5 stars in half stars expected)"
            ),
            (5, "no title or ISBN"),
            (7, "wrong field count: 4 (the header has 49)"),
        ]
    );
    assert_eq!(read.len(), 1);
    assert_eq!(read[0].author, "Daphne du Maurier");
}

#[test]
fn a_row_that_is_not_utf8_is_read_as_windows_1252() {
    let mut bytes = file(&[line(&[
        ("Title", "Les Misérables"),
        ("Primary Author", "Hugo, Victor"),
    ])]);
    let mut latin = line(&[
        ("Title", "Rayuela"),
        ("Primary Author", "Cortázar, Julio"),
        ("Subjects", "Cortázar, Julio. Rayuela — “novela”"),
    ]);
    latin.push('\n');
    let (latin, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&latin);
    assert!(!unmappable);
    bytes.extend_from_slice(&latin);
    // And a row after it, in UTF-8 again.
    bytes.extend_from_slice(
        line(&[
            ("Title", "Ficciones"),
            ("Primary Author", "Borges, Jorge Luis"),
        ])
        .as_bytes(),
    );
    let (rows, errors) = read_export(&bytes, 100).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    let titles: Vec<&str> = rows.iter().map(|r| r.title.as_str()).collect();
    assert_eq!(titles, ["Les Misérables", "Rayuela", "Ficciones"]);
    assert_eq!(rows[1].author, "Julio Cortázar");
    assert_eq!(
        other(&rows[1], "Subjects"),
        "Cortázar, Julio. Rayuela — “novela”"
    );
    // Bytes no code page has are kept as what Windows-1252 makes of them (MARC-8 accents
    // from library records: "Polic\xe2ia").
    assert_eq!(decode_line(b"Polic\xe2ia"), "Policâia");
    assert_eq!(decode_line(b"\x81\x8d\x8f\x90\x9d").chars().count(), 5);
}

#[test]
fn the_old_utf16_export_is_read() {
    let text = "book id\ttitle\tauthor (last, first)\tauthor (first, last)\tother authors\tpublication\tdate\tISBN\ttags\trating\treview\tcomments\r\n\
                6268961\tWriting Winning Business Proposals\tFreed, Richard C.\tRichard C. Freed\tJoe Romano\tMcGraw-Hill (2003), Edition: 2, Paperback\t2003\t[007139687X]\tbusiness\t4\t\tSep 3, 2006\r\n\
                6268962\tÉtranger, L'\tCamus, Albert\tAlbert Camus\t\tGallimard (1972)\t1942\t[]\troman\t\t\t\r\n";
    for (bom, wide) in [
        (&[0xff, 0xfe][..], encoding_rs::UTF_16LE),
        (&[0xfe, 0xff][..], encoding_rs::UTF_16BE),
    ] {
        let mut bytes = bom.to_vec();
        for unit in text.encode_utf16() {
            let pair = if wide == encoding_rs::UTF_16LE {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            };
            bytes.extend_from_slice(&pair);
        }
        let (rows, errors) = read_export(&bytes, 100).unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].author, "Richard C. Freed");
        assert_eq!(rows[0].details.author_last_first, "Freed, Richard C.");
        assert_eq!(rows[0].details.additional_authors, "Joe Romano");
        assert_eq!(rows[0].isbn10.as_deref(), Some("007139687X"));
        assert_eq!(rows[0].rating(), Rating::new(8));
        assert_eq!(rows[0].details.publisher, "McGraw-Hill");
        assert_eq!(rows[0].details.bookshelves, "business");
        assert_eq!(other(&rows[0], "comments"), "Sep 3, 2006");
        assert_eq!(other(&rows[0], "book id"), "6268961");
        assert_eq!(rows[1].title, "Étranger, L'");
        assert_eq!(rows[1].details.year_published, "1942");
    }
}

#[test]
fn secondary_authors_are_additional_authors() {
    let row = one(&[
        ("Title", "1984"),
        ("Primary Author", "Orwell, George"),
        ("Secondary Author", "Fromm, Erich|Üster, Celâl"),
        ("Secondary Author Roles", "Afterword|Translator"),
    ]);
    assert_eq!(row.details.additional_authors, "Erich Fromm, Celâl Üster");
    assert_eq!(other(&row, "Secondary Author"), "Fromm, Erich|Üster, Celâl");
    assert_eq!(
        other(&row, "Secondary Author Roles"),
        "Afterword|Translator"
    );
    assert_eq!(first_last("Marcus Aurelius"), "Marcus Aurelius");
    assert_eq!(first_last("Plato,"), "Plato");
    assert_eq!(first_last("  Le Guin, Ursula K. "), "Ursula K. Le Guin");
}

#[test]
fn the_publisher_is_the_publication_before_its_year() {
    for (publication, expected) in [
        (
            "Free Press (2004), Edition: 15th Annv, Paperback",
            "Free Press",
        ),
        (
            "Farrar, Straus and Giroux (2004), Edition: 1st",
            "Farrar, Straus and Giroux",
        ),
        (
            "Penguin (Non-Classics) (2002), Edition: Reprint, Paperback",
            "Penguin (Non-Classics)",
        ),
        (
            "O'Reilly Media, Edition: Fifth, 1032 pages",
            "O'Reilly Media",
        ),
        ("Gallimard", "Gallimard"),
        ("", ""),
        ("(1999)", ""),
    ] {
        assert_eq!(publisher(publication), expected, "{publication}");
    }
}

#[test]
fn quotes_are_text_and_lines_end_either_way() {
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend_from_slice(COLUMNS.join("\t").as_bytes());
    bytes.extend_from_slice(b"\r\n");
    bytes.extend_from_slice(
        line(&[
            ("Title", "\"Surely You're Joking, Mr. Feynman!\""),
            ("Primary Author", "Feynman, Richard P."),
            ("Review", "Funny.[return]Really \"funny\"."),
        ])
        .as_bytes(),
    );
    bytes.extend_from_slice(b"\r\n\r\n");
    let (rows, errors) = read_export(&bytes, 100).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(rows[0].title, "\"Surely You're Joking, Mr. Feynman!\"");
    assert_eq!(rows[0].details.review, "Funny.[return]Really \"funny\".");
}

#[test]
fn files_that_cannot_be_imported_are_refused_whole() {
    let err = read_export(b"Book Id\tSort Character\tISBN\n1\t1\t[]\n", 10).unwrap_err();
    assert_eq!(
        err.to_string(),
        "LibraryThing export lacks required columns: Title, Primary Author"
    );
    let rows: Vec<String> = (0..11)
        .map(|i| line(&[("Title", &format!("Book {i}")), ("Primary Author", "A, B")]))
        .collect();
    assert!(matches!(
        read_export(&file(&rows), 10),
        Err(Error::TooManyRows { max: 10, .. })
    ));
    assert_eq!(read_export(&file(&rows), 11).unwrap().0.len(), 11);
    // Blank lines are not rows.
    let mut spaced = rows[..10].to_vec();
    spaced.push(String::new());
    assert_eq!(read_export(&file(&spaced), 10).unwrap().0.len(), 10);
}
