use super::export::{export_fields, export_isbns, last_first};
use super::*;
use proptest::prelude::*;

const HEADER: &str = "Book Id,Title,Author,Author l-f,Additional Authors,ISBN,ISBN13,My Rating,Average Rating,Publisher,Binding,Number of Pages,Year Published,Original Publication Year,Date Read,Date Added,Bookshelves,Bookshelves with positions,Exclusive Shelf,My Review,Spoiler,Private Notes,Read Count,Owned Copies\n";

/// An export row as Goodreads writes it, with the fields the reader uses.
fn line(title: &str, author: &str, isbn: &str, isbn13: &str, stars: &str, shelf: &str) -> String {
    format!(
        "2767052,{title},{author},\"Collins, Suzanne\",,\"=\"\"{isbn}\"\"\",\"=\"\"{isbn13}\"\"\",{stars},4.33,Scholastic Press,Hardcover,374,2008,2008,2012/05/01,2011/12/27,{shelf},{shelf} (#12),{shelf},,,,1,0\n"
    )
}

fn read(body: &str) -> (Vec<GoodreadsRow>, Vec<RowError>) {
    read_export(format!("{HEADER}{body}").as_bytes(), 1000).unwrap()
}

fn lines_and_reasons(errors: &[RowError]) -> Vec<(u64, &str)> {
    errors.iter().map(|e| (e.line, e.reason.as_str())).collect()
}

#[test]
fn an_exported_row_is_read() {
    let (rows, errors) = read(&line(
        "\"The Hunger Games (The Hunger Games, #1)\"",
        "Suzanne Collins",
        "0439023483",
        "9780439023481",
        "5",
        "read",
    ));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        rows,
        vec![GoodreadsRow {
            title: "The Hunger Games (The Hunger Games, #1)".into(),
            author: "Suzanne Collins".into(),
            isbn10: Some("0439023483".into()),
            isbn13: Some("9780439023481".into()),
            stars: Some(5),
            fine_rating: None,
            shelf: Some(Shelf::Read),
            date_read: Some("2012/05/01".into()),
            date_added: Some("2011/12/27".into()),
            details: rows[0].details.clone(),
        }]
    );
    let d = &rows[0].details;
    assert_eq!(d.book_id, "2767052");
    assert_eq!(d.author_last_first, "Collins, Suzanne");
    assert_eq!(
        (d.isbn.as_str(), d.isbn13.as_str()),
        ("0439023483", "9780439023481")
    );
    assert_eq!((d.binding.as_str(), d.pages.as_str()), ("Hardcover", "374"));
    assert_eq!(d.shelf_positions, "read (#12)");
    assert_eq!((d.read_count.as_str(), d.owned_copies.as_str()), ("1", "0"));
    assert_eq!(rows[0].rating(), Rating::new(10));
}

#[test]
fn isbns_are_unwrapped() {
    assert_eq!(
        unwrap_isbn("=\"0439023483\"").as_deref(),
        Some("0439023483")
    );
    assert_eq!(
        unwrap_isbn(" = \"978-0-439-02348-1\" ").as_deref(),
        Some("9780439023481")
    );
    assert_eq!(unwrap_isbn("034545104x").as_deref(), Some("034545104X"));
    assert_eq!(unwrap_isbn("=\"\""), None);
    assert_eq!(unwrap_isbn(""), None);
    assert_eq!(unwrap_isbn("="), None);

    // Unquoted on the line too (what some other tools write): the quotes are then literal.
    let body = "1,Dune,Frank Herbert,,,=\"0441172717\",=\"\",0,,,,,,,,,,,to-read,,,,0,0\n";
    let (rows, errors) = read(body);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(rows[0].isbn10.as_deref(), Some("0441172717"));
    assert_eq!(rows[0].isbn13, None);
    assert_eq!(rows[0].stars, None);
    assert_eq!(rows[0].date_added, None);
}

#[test]
fn isbns_that_are_not_isbns_only_lose_the_isbn() {
    let (rows, errors) = read(&line(
        "Kindle Book",
        "A. Writer",
        "B00ABCDE12X",
        "97804",
        "0",
        "to-read",
    ));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        (rows[0].isbn10.as_deref(), rows[0].isbn13.as_deref()),
        (None, None)
    );
    // A 978 ISBN-13 in the ISBN column becomes its ISBN-10.
    let (rows, _) = read(&line(
        "Dune",
        "Frank Herbert",
        "9780441172719",
        "",
        "0",
        "read",
    ));
    assert_eq!(rows[0].isbn10.as_deref(), Some("0441172717"));
}

#[test]
fn shelves_parse_from_their_goodreads_names() {
    for shelf in Shelf::ALL {
        assert_eq!(Shelf::parse(shelf.goodreads_name()), Some(shelf));
    }
    assert_eq!(Shelf::parse(" Currently-Reading "), Some(Shelf::Reading));
    assert_eq!(Shelf::parse("to-read"), Some(Shelf::WantToRead));
    assert_eq!(Shelf::parse("did-not-finish"), None);
    assert_eq!(Shelf::parse(""), None);
    let (rows, errors) = read(&line(
        "Dune",
        "Frank Herbert",
        "",
        "",
        "0",
        "did-not-finish",
    ));
    assert!(errors.is_empty());
    assert_eq!(rows[0].shelf, None);
}

#[test]
fn bad_rows_are_reported_with_their_lines_and_the_rest_is_read() {
    let body = [
        line("Dune", "Frank Herbert", "0441172717", "", "7", "read"),
        line("Emma", "Jane Austen", "", "", "4", "read"),
        // A quoted field over two lines: the next row starts on line 5.
        line("\"Two\nLines\"", "A. Writer", "", "", "x", "read"),
        "Short,Row\n".to_string(),
        "\n".to_string(),
        line("", "Nobody", "=\"\"", "", "3", "read"),
        line("Persuasion", "Jane Austen", "", "", "-1", "read"),
        line(
            "Sense and Sensibility",
            "Jane Austen",
            "",
            "",
            "",
            "to-read",
        ),
    ]
    .concat();
    let (rows, errors) = read(&body);
    assert_eq!(
        lines_and_reasons(&errors),
        vec![
            (2, "bad My Rating: \"7\" (0–5 expected)"),
            (4, "bad My Rating: \"x\" (0–5 expected)"),
            (6, "wrong field count: 2 (the header has 24)"),
            (8, "no title or ISBN"),
            (9, "bad My Rating: \"-1\" (0–5 expected)"),
        ]
    );
    let titles: Vec<&str> = rows.iter().map(|r| r.title.as_str()).collect();
    assert_eq!(titles, vec!["Emma", "Sense and Sensibility"]);
    assert_eq!(rows[1].stars, None);
}

#[test]
fn crlf_line_ends_keep_line_numbers_right() {
    let body = format!(
        "{}{}",
        line("Dune", "Frank Herbert", "", "", "4", "read"),
        line("Emma", "Jane Austen", "", "", "9", "read")
    );
    let input = format!("{HEADER}{body}").replace('\n', "\r\n");
    let (rows, errors) = read_export(input.as_bytes(), 10).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        lines_and_reasons(&errors),
        vec![(3, "bad My Rating: \"9\" (0–5 expected)")]
    );
}

#[test]
fn columns_are_found_by_name_and_missing_ones_are_named() {
    let input = "\u{feff}Exclusive Shelf, My Rating ,ISBN13,ISBN,Author,Title\nread,3,=\"\",=\"\",Frank Herbert,Dune\n";
    let (rows, errors) = read_export(input.as_bytes(), 10).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(rows[0].title, "Dune");
    assert_eq!(rows[0].stars, Some(3));
    assert_eq!(rows[0].shelf, Some(Shelf::Read));
    assert_eq!(rows[0].date_read, None);

    let err = read_export("Title,Author,ISBN\nDune,Frank Herbert,\n".as_bytes(), 10).unwrap_err();
    assert!(
        matches!(&err, Error::MissingColumns { missing, .. } if missing == &["ISBN13", "My Rating", "Exclusive Shelf"]),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "Goodreads export lacks required columns: ISBN13, My Rating, Exclusive Shelf"
    );
    let err = read_export(&b""[..], 10).unwrap_err();
    assert!(matches!(err, Error::MissingColumns { missing, .. } if missing.len() == 6));
}

#[test]
fn non_utf8_files_are_refused_with_the_line() {
    let mut input = format!(
        "{HEADER}{}",
        line("Emma", "Jane Austen", "", "", "4", "read")
    )
    .into_bytes();
    input.extend_from_slice(
        line("Les Mis\u{e9}rables", "Victor Hugo", "", "", "4", "read").as_bytes(),
    );
    // Latin-1 "é" instead of UTF-8.
    let at = input.windows(2).position(|w| w == "é".as_bytes()).unwrap();
    input.splice(at..at + 2, [0xe9]);
    let err = read_export(&input[..], 10).unwrap_err();
    assert!(matches!(err, Error::NotUtf8 { line: 3, .. }), "{err:?}");
    assert!(err.to_string().contains("not UTF-8"), "{err}");

    let err = read_export(&b"Titl\xe9,Author\n"[..], 10).unwrap_err();
    assert!(matches!(err, Error::NotUtf8 { line: 1, .. }), "{err:?}");
}

#[test]
fn too_many_rows_is_an_error() {
    let body = line("Emma", "Jane Austen", "", "", "4", "read").repeat(3);
    assert_eq!(read(&body).0.len(), 3);
    let input = format!("{HEADER}{body}");
    assert_eq!(read_export(input.as_bytes(), 3).unwrap().0.len(), 3);
    let err = read_export(input.as_bytes(), 2).unwrap_err();
    assert!(matches!(err, Error::TooManyRows { max: 2, .. }), "{err:?}");
}

#[test]
fn series_suffixes_do_not_stop_a_title_match() {
    let catalog = Catalog::build(
        vec![
            Book::new(
                "0439358078",
                "Harry Potter and the Order of the Phoenix (Book 5)",
                "J. K. Rowling",
            ),
            Book::new("0441172717", "Dune", "Frank Herbert"),
            Book::new("9791032305690", "Le Livre", "Jean Auteur"),
        ],
        vec![],
    )
    .unwrap();
    let row =
        |title: &str, author: &str, isbn10: Option<&str>, isbn13: Option<&str>| GoodreadsRow {
            title: title.into(),
            author: author.into(),
            isbn10: isbn10.map(str::to_string),
            isbn13: isbn13.map(str::to_string),
            stars: None,
            fine_rating: None,
            shelf: None,
            date_read: None,
            date_added: None,
            details: Details::default(),
        };
    let matches = match_rows(
        &catalog,
        vec![
            row(
                "Harry Potter and the Order of the Phoenix (Harry Potter, #5)",
                "J.K. Rowling",
                None,
                None,
            ),
            row("Dune", "Frank Herbert", Some("0441172717"), None),
            row(
                "Dune (Dune Chronicles, #1)",
                "Frank Herbert",
                Some("0000000000"),
                Some("9780441172719"),
            ),
            row("Le Livre", "Jean Auteur", None, Some("9791032305690")),
            row(
                "Dune",
                "Brian Herbert, Kevin J. Anderson",
                Some("0000000000"),
                None,
            ),
            row("!!!", "", None, None),
        ],
    );
    let got: Vec<(Option<&str>, Option<MatchedBy>)> = matches
        .iter()
        .map(|m| match m {
            Match::Matched { key, how, .. } => (Some(key.as_str()), Some(*how)),
            Match::Unmatched { .. } => (None, None),
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (Some("0439358078"), Some(MatchedBy::TitleAuthor)),
            (Some("0441172717"), Some(MatchedBy::Isbn10)),
            (Some("0441172717"), Some(MatchedBy::Isbn13)),
            (Some("9791032305690"), Some(MatchedBy::Isbn13)),
            // Same title, another author: not the same work.
            (None, None),
            (None, None),
        ]
    );
    assert_eq!(matches[1].key(), Some("0441172717"));
    assert_eq!(matches[4].row().author, "Brian Herbert, Kevin J. Anderson");
}

#[test]
fn an_export_is_laid_out_like_goodreads() {
    let rows = [
        ExportRow {
            key: "0439023483".into(),
            title: "The Hunger Games (The Hunger Games, #1)".into(),
            author: "Suzanne Collins".into(),
            publisher: "Scholastic Press".into(),
            year: Some(2008),
            stars: Some(5),
            shelf: Some(Shelf::Read),
            date_added: Some("2011/12/27".into()),
            own_shelf: None,
            details: None,
        },
        ExportRow {
            key: "gr:42".into(),
            title: "Good Omens".into(),
            author: "Terry Pratchett, Neil Gaiman".into(),
            publisher: String::new(),
            year: None,
            stars: None,
            shelf: Some(Shelf::WantToRead),
            date_added: None,
            own_shelf: None,
            details: None,
        },
    ];
    let mut out = Vec::new();
    write_export(&mut out, &rows).unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(format!("{}\n", lines[0]), HEADER);
    assert_eq!(
        lines[1],
        r#","The Hunger Games (The Hunger Games, #1)",Suzanne Collins,"Collins, Suzanne",,"=""0439023483""","=""9780439023481""",5,,Scholastic Press,,,2008,2008,,2011/12/27,read,,read,,,,1,0"#
    );
    assert_eq!(
        lines[2],
        r#",Good Omens,Terry Pratchett,"Pratchett, Terry",Neil Gaiman,"=""""","=""""",0,,,,,,,,,to-read,,to-read,,,,0,0"#
    );

    let mut bad = rows[0].clone();
    bad.stars = Some(6);
    let err = write_export(Vec::new(), &[rows[1].clone(), bad]).unwrap_err();
    assert!(matches!(err, Error::Export { row: 1, .. }), "{err:?}");
}

#[test]
fn isbns_of_catalog_keys() {
    let pair = |k: &str| export_isbns(k);
    assert_eq!(
        pair("059035342X"),
        (Some("059035342X".into()), Some("9780590353427".into()))
    );
    assert_eq!(pair("9791032305690"), (None, Some("9791032305690".into())));
    assert_eq!(pair("B0000BLD7X"), (None, None));
    assert_eq!(pair("gr:12"), (None, None));
}

#[test]
fn ratings_become_stars_rounding_half_up() {
    let stars: Vec<Option<u8>> = (0..=10)
        .map(|v| stars_of(Rating::new(v).unwrap()))
        .collect();
    assert_eq!(
        stars,
        vec![
            None,
            Some(1),
            Some(1),
            Some(2),
            Some(2),
            Some(3),
            Some(3),
            Some(4),
            Some(4),
            Some(5),
            Some(5)
        ]
    );
    for s in 1..=5 {
        assert_eq!(stars_of(Rating::from_stars(s).unwrap()), Some(s));
    }
}

#[test]
fn author_names_are_split_for_goodreads() {
    assert_eq!(last_first("Suzanne Collins"), "Collins, Suzanne");
    assert_eq!(last_first("J. R. R. Tolkien"), "Tolkien, J. R. R.");
    assert_eq!(last_first("Voltaire"), "Voltaire");
    let fields = export_fields(&ExportRow {
        author: "Mary-Kate and Ashley Olsen".into(),
        ..ExportRow::for_book(&Book::new("gr:1", "T", ""))
    });
    assert_eq!(
        (fields[2].as_str(), fields[4].as_str()),
        ("Mary-Kate", "Ashley Olsen")
    );
}

/// A cell of text a reader may bring: commas, quotes, formula-like starts, HTML, line breaks
/// and any script; trimmed, as the reader keeps it.
fn cell() -> impl Strategy<Value = String> {
    "([=+@-]?[^\\p{C}]{0,20}(\n[^\\p{C}]{1,8})?)?".prop_map(|t| t.trim().to_string())
}

/// The columns of a row a reader imported.
fn brought() -> impl Strategy<Value = Details> {
    (
        (
            cell(),
            cell(),
            cell(),
            cell(),
            cell(),
            "[0-9]{9}[0-9X]|",
            "97[89][0-9]{10}|",
        ),
        (
            "[0-5]",
            cell(),
            cell(),
            "[0-9]{0,4}",
            "-?[0-9]{0,4}",
            "-?[0-9]{0,4}",
        ),
        (
            "([0-9]{4}/[0-9]{2}/[0-9]{2})?",
            "([0-9]{4}/[0-9]{2}/[0-9]{2})?",
            cell(),
            cell(),
        ),
        (
            prop_oneof![
                Just(String::new()),
                Just("read".to_string()),
                Just("to-read".to_string()),
                Just("did-not-finish".to_string()),
                "[a-z-]{1,12}",
            ],
            cell(),
            "(true|false)?",
            cell(),
            "[0-9]{0,2}",
            "[0-9]{0,2}",
        ),
    )
        .prop_map(|(a, b, c, d)| Details {
            book_id: a.0.clone(),
            title: if a.1.is_empty() {
                "Untitled".into()
            } else {
                a.1
            },
            author: a.2,
            author_last_first: a.3,
            additional_authors: a.4,
            isbn: a.5,
            isbn13: a.6,
            my_rating: b.0,
            publisher: b.1,
            binding: b.2,
            pages: b.3,
            year_published: b.4,
            original_year: b.5,
            date_read: c.0,
            date_added: c.1,
            bookshelves: c.2,
            shelf_positions: c.3,
            exclusive_shelf: d.0,
            review: d.1,
            spoiler: d.2,
            private_notes: d.3,
            read_count: d.4,
            owned_copies: d.5,
            other: vec![("Condition".into(), a.0.clone())],
        })
}

/// An ISBN-10 shaped catalog key, a 979 ISBN-13, or a key with no ISBN.
fn key() -> impl Strategy<Value = String> {
    prop_oneof!["[0-9]{9}[0-9X]", "979[0-9]{10}", "gr:[0-9]{1,6}",]
}

fn shelf() -> impl Strategy<Value = Option<Shelf>> {
    proptest::option::of(proptest::sample::select(Shelf::ALL.to_vec()))
}

fn export_row() -> impl Strategy<Value = ExportRow> {
    (
        key(),
        // Titles and names with commas, quotes, `="`, line breaks and any script.
        "[^\\p{C}]{0,30}(\n[^\\p{C}]{1,10})?".prop_filter_map("blank title", |t| {
            let t = t.trim().to_string();
            (!t.is_empty()).then_some(t)
        }),
        "[\\p{L} .,'&\"-]{0,30}",
        "[^\\p{C}]{0,20}",
        proptest::option::of(1u16..=2025),
        proptest::option::of(1u8..=5),
        shelf(),
        proptest::option::of("[0-9]{4}/[0-9]{2}/[0-9]{2}"),
    )
        .prop_map(
            |(key, title, author, publisher, year, stars, shelf, date_added)| ExportRow {
                key,
                title,
                author,
                publisher,
                year,
                stars,
                shelf,
                date_added,
                own_shelf: None,
                details: None,
            },
        )
}

proptest! {
    #[test]
    fn what_is_written_reads_back(rows in proptest::collection::vec(export_row(), 0..8)) {
        let mut out = Vec::new();
        write_export(&mut out, &rows).unwrap();
        let (read, errors) = read_export(&out[..], rows.len()).unwrap();
        prop_assert!(errors.is_empty(), "{:?}", errors);
        prop_assert_eq!(read.len(), rows.len());
        for (row, back) in rows.iter().zip(&read) {
            let (isbn10, isbn13) = export_isbns(&row.key);
            prop_assert_eq!(&back.title, &row.title);
            prop_assert_eq!(back.author.as_str(), text::first_author(&row.author));
            prop_assert_eq!(&back.isbn10, &isbn10);
            prop_assert_eq!(&back.isbn13, &isbn13);
            prop_assert_eq!(back.stars, row.stars);
            prop_assert_eq!(back.shelf, row.shelf);
            prop_assert_eq!(&back.date_added, &row.date_added);
            prop_assert_eq!(&back.date_read, &None);
        }
    }

    /// An imported row exported with the reader's unchanged rating and shelf is the row they
    /// brought, every column but `Average Rating`.
    #[test]
    fn an_imported_row_exports_as_it_was_brought(details in brought()) {
        let stars = details.my_rating.parse().ok().filter(|s| (1..=5).contains(s));
        let row = ExportRow {
            stars,
            shelf: Shelf::parse(&details.exclusive_shelf),
            own_shelf: details.custom_shelf().map(str::to_string),
            details: Some(details.clone()),
            ..ExportRow::for_book(&Book::new("gr:1", "Catalog title", "Catalog Author"))
        };
        let mut out = Vec::new();
        write_export(&mut out, std::slice::from_ref(&row)).unwrap();
        let (read, errors) = read_export(&out[..], 1).unwrap();
        prop_assert!(errors.is_empty(), "{:?}", errors);
        let mut expected = details.clone();
        // An unrated row is written `0`, whatever the file said for "no rating".
        expected.my_rating = stars.unwrap_or(0).to_string();
        prop_assert_eq!(&read[0].details, &expected);
    }

    #[test]
    fn any_input_is_read_without_panic(body in proptest::collection::vec(any::<u8>(), 0..400)) {
        let mut input = HEADER.as_bytes().to_vec();
        input.extend_from_slice(&body);
        let _ = read_export(&input[..], 50);
    }
}

#[test]
fn formula_like_text_is_exported_as_text_and_read_back_as_it_was() {
    let row = ExportRow {
        key: "0439023483".into(),
        title: "=HYPERLINK(\"http://evil.example\",\"Click\")".into(),
        author: "@Mallory".into(),
        publisher: "+Publisher".into(),
        year: None,
        stars: Some(4),
        shelf: Some(Shelf::Read),
        date_added: None,
        own_shelf: None,
        details: None,
    };
    let mut out = Vec::new();
    write_export(&mut out, std::slice::from_ref(&row)).unwrap();
    let text = String::from_utf8(out.clone()).unwrap();
    let line = text.lines().nth(1).unwrap();
    // No cell starts a formula; the ISBNs keep Goodreads' `="…"` form.
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let record = reader.records().next().unwrap().unwrap();
    for (i, cell) in record.iter().enumerate() {
        let formula = cell.starts_with(['=', '+', '-', '@']);
        assert_eq!(formula, i == 5 || i == 6, "column {i}: {cell:?} in {line}");
    }
    assert_eq!(&record[1], "'=HYPERLINK(\"http://evil.example\",\"Click\")");
    assert_eq!(&record[5], "=\"0439023483\"");
    let (read, errors) = read_export(&out[..], 1).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(read[0].title, row.title);
    assert_eq!(read[0].author, row.author);
}

#[test]
fn a_row_finds_the_book_an_earlier_import_made_of_it() {
    let row = GoodreadsRow {
        title: "Blood of the Goddess".into(),
        author: "William Schindler".into(),
        ..GoodreadsRow::default()
    };
    let made = row.new_book().unwrap();
    assert!(made.key.starts_with("rd:"), "{made:?}");
    let edition = Book::new("1594772290", "Blood of the Goddess", "William Schindler");
    // Only the other edition: the work's.
    let catalog = Catalog::build(vec![edition.clone()], vec![]).unwrap();
    let matches = match_rows(&catalog, vec![row.clone()]);
    assert_eq!(matches[0].key(), Some("1594772290"));
    // The book a first import made of the row, grouped with that edition since: that book.
    let catalog = Catalog::build(vec![edition, made.clone()], vec![]).unwrap();
    let matches = match_rows(&catalog, vec![row]);
    assert_eq!(matches[0].key(), Some(made.key.as_str()));
    assert!(matches!(
        matches[0],
        Match::Matched {
            how: MatchedBy::TitleAuthor,
            ..
        }
    ));
}

#[test]
fn notes_on_a_catalog_book_start_from_its_own_fields() {
    let mut book = Book::new("0441172717", "Dune", "Frank Herbert & Brian Herbert");
    book.publisher = "Ace".into();
    book.year = Some(1990);
    let d = Details::for_book(&book);
    assert_eq!(d.title, "Dune");
    assert_eq!(d.author, "Frank Herbert");
    assert_eq!(d.additional_authors, "Brian Herbert");
    assert_eq!(d.author_last_first, "Herbert, Frank");
    assert_eq!(
        (d.isbn.as_str(), d.isbn13.as_str()),
        ("0441172717", "9780441172719")
    );
    assert_eq!(
        (d.publisher.as_str(), d.year_published.as_str()),
        ("Ace", "1990")
    );
    assert!(d.review.is_empty() && d.bookshelves.is_empty() && d.date_read.is_empty());
}

fn reading(started: Option<&str>, finished: Option<&str>) -> Reading {
    Reading {
        started: started.map(str::to_string),
        finished: finished.map(str::to_string),
    }
}

#[test]
fn readings_come_from_dates_read_else_date_read() {
    let mut d = Details {
        date_read: "2012/05/01".into(),
        ..Details::default()
    };
    assert_eq!(d.readings(), [reading(None, Some("2012/05/01"))]);
    // StoryGraph's list wins over the one date; an empty list falls back to it.
    d.other.push((DATES_READ.into(), String::new()));
    assert_eq!(d.readings(), [reading(None, Some("2012/05/01"))]);
    d.other[0].1 = "2010/01/02-2010/01/20, 2012/05/01".into();
    assert_eq!(
        d.readings(),
        [
            reading(Some("2010/01/02"), Some("2010/01/20")),
            reading(None, Some("2012/05/01"))
        ]
    );
    assert!(Details::default().readings().is_empty());
}

#[test]
fn one_date_read_stays_goodreads_own_column() {
    let mut d = Details::default();
    d.set_readings(&[reading(None, Some("2024/03/09"))]);
    assert_eq!(d.date_read, "2024/03/09");
    assert!(d.other.is_empty(), "one date needs no extra column");
    d.set_readings(&[]);
    assert_eq!(d.date_read, "");
}

#[test]
fn several_readings_are_listed_and_the_latest_is_the_date_read() {
    let mut d = Details::default();
    let list = [
        reading(None, Some("2023/11/30")),
        reading(Some("2019/03/01"), Some("2019/03/15")),
        reading(Some("2024/12/01"), None),
    ];
    d.set_readings(&list);
    assert_eq!(d.date_read, "2024/12/01");
    assert_eq!(
        d.kept(DATES_READ),
        Some("2023/11/30, 2019/03/01-2019/03/15, 2024/12/01-")
    );
    assert_eq!(d.readings(), list);
    // Back to one date: the column the row has is rewritten, not left stale.
    d.set_readings(&[reading(None, Some("2020/01/01"))]);
    assert_eq!(d.kept(DATES_READ), Some("2020/01/01"));
    assert_eq!(d.readings(), [reading(None, Some("2020/01/01"))]);
}

fn a_date() -> impl Strategy<Value = String> {
    (1900u16..2100, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| format!("{y:04}/{m:02}/{d:02}"))
}

proptest! {
    /// Whatever readings are set, reading them back gives them again, and `Date Read` is the
    /// latest.
    #[test]
    fn readings_round_trip(list in proptest::collection::vec(
        (proptest::option::of(a_date()), proptest::option::of(a_date())), 1..6)) {
        let list: Vec<Reading> = list
            .into_iter()
            .filter(|(s, e)| s.is_some() || e.is_some())
            .map(|(started, finished)| Reading { started, finished })
            .collect();
        let mut d = Details::default();
        d.set_readings(&list);
        prop_assert_eq!(d.readings(), list.clone());
        let latest = list.iter().filter_map(|r| r.finished.clone().or(r.started.clone())).max();
        prop_assert_eq!(d.date_read, latest.unwrap_or_default());
    }
}
