use super::*;
use crate::records::Rating;

const HEADER: &str = "Title,Authors,Contributors,ISBN/UID,Format,Read Status,Date Added,Last Date Read,Dates Read,Read Count,Moods,Pace,Character- or Plot-Driven?,Strong Character Development?,Loveable Characters?,Diverse Characters?,Flawed Characters?,Star Rating,Review,Content Warnings,Content Warning Description,Tags,Owned?\n";

/// A row as StoryGraph writes it, with the fields the tests vary.
fn line(title: &str, id: &str, status: &str, dates: &str, stars: &str) -> String {
    format!(
        "{title},Suzanne Collins,\"\",{id},paperback,{status},2021/01/04,\"\",\"{dates}\",1,\"dark, tense\",fast,Plot,Yes,Yes,No,Yes,{stars},\"Gripping, \"\"really\"\".\",violence,\"\",\"dystopia, ya\",Yes\n"
    )
}

fn read(body: &str) -> (Vec<GoodreadsRow>, Vec<RowError>) {
    read_export(format!("{HEADER}{body}").as_bytes(), 1000).unwrap()
}

fn one(body: &str) -> GoodreadsRow {
    let (mut rows, errors) = read(body);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(rows.len(), 1);
    rows.remove(0)
}

fn other<'a>(row: &'a GoodreadsRow, name: &str) -> &'a str {
    row.details
        .kept(name)
        .unwrap_or_else(|| panic!("{name} not kept: {:?}", row.details.other))
}

#[test]
fn an_exported_row_is_read() {
    let row = one(&line(
        "The Hunger Games",
        "9780439023481",
        "read",
        "2021/01/04-2021/01/09",
        "4.75",
    ));
    assert_eq!(row.title, "The Hunger Games");
    assert_eq!(row.author, "Suzanne Collins");
    assert_eq!(row.isbn13.as_deref(), Some("9780439023481"));
    assert_eq!(row.isbn10, None);
    assert_eq!(row.shelf, Some(Shelf::Read));
    assert_eq!(row.stars, Some(5));
    assert_eq!(row.fine_rating, Rating::new(9));
    assert_eq!(row.rating(), Rating::new(9));
    assert_eq!(row.date_read.as_deref(), Some("2021/01/09"));
    assert_eq!(row.date_added.as_deref(), Some("2021/01/04"));
    let d = &row.details;
    assert_eq!(d.book_id, "");
    assert_eq!(d.author_last_first, "Collins, Suzanne");
    assert_eq!(d.isbn13, "9780439023481");
    assert_eq!(d.my_rating, "5");
    assert_eq!(d.binding, "paperback");
    assert_eq!(d.exclusive_shelf, "read");
    assert_eq!(d.review, "Gripping, \"really\".");
    assert_eq!(d.read_count, "1");
    assert_eq!(d.owned_copies, "1");
    assert_eq!(
        d.bookshelves,
        "dystopia, ya, mood-dark, mood-tense, pace-fast"
    );
    // Every column Goodreads has no field for is kept as written, by name, in file order;
    // the ones a Goodreads field holds unchanged are not kept twice.
    let kept: Vec<&str> = d.other.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        kept,
        [
            "Authors",
            "Contributors",
            "ISBN/UID",
            "Dates Read",
            "Moods",
            "Pace",
            "Character- or Plot-Driven?",
            "Strong Character Development?",
            "Loveable Characters?",
            "Diverse Characters?",
            "Flawed Characters?",
            "Star Rating",
            "Content Warnings",
            "Content Warning Description",
            "Tags",
            "Owned?",
        ]
    );
    assert_eq!(other(&row, "Star Rating"), "4.75");
    assert_eq!(other(&row, "Dates Read"), "2021/01/04-2021/01/09");
    assert_eq!(other(&row, "Moods"), "dark, tense");
    assert_eq!(other(&row, "Character- or Plot-Driven?"), "Plot");
    assert_eq!(other(&row, "Content Warnings"), "violence");
    assert_eq!(other(&row, "Owned?"), "Yes");
    for (sg, _) in MAPPED {
        assert!(!kept.contains(&sg), "{sg}");
    }
}

#[test]
fn every_status_is_kept_and_the_three_goodreads_ones_are_shelves() {
    for (status, shelf) in [
        ("read", Some(Shelf::Read)),
        ("currently-reading", Some(Shelf::Reading)),
        ("to-read", Some(Shelf::WantToRead)),
        ("did-not-finish", None),
        ("paused", None),
        ("", None),
    ] {
        let row = one(&line("Dune", "9780441172719", status, "", ""));
        assert_eq!(row.shelf, shelf, "{status}");
        assert_eq!(row.details.exclusive_shelf, status);
        let own = (!status.is_empty() && shelf.is_none()).then_some(status);
        assert_eq!(row.details.custom_shelf(), own, "{status}");
    }
}

#[test]
fn quarter_stars_go_on_the_ten_point_scale_and_stay_as_written() {
    for (stars, rating, whole) in [
        ("0.25", Some(1), Some(1)),
        ("1.25", Some(2), Some(1)),
        ("2.5", Some(5), Some(3)),
        ("3.75", Some(7), Some(4)),
        ("4.0", Some(8), Some(4)),
        ("5.0", Some(10), Some(5)),
        ("", None, None),
        ("0", None, None),
    ] {
        let row = one(&line("Dune", "9780441172719", "read", "", stars));
        assert_eq!(row.rating().map(Rating::value), rating, "{stars}");
        assert_eq!(row.stars, whole, "{stars}");
        assert_eq!(row.details.my_rating, whole.unwrap_or(0).to_string());
        assert_eq!(other(&row, "Star Rating"), stars);
    }
}

#[test]
fn bad_rows_are_listed_with_their_line_and_the_rest_is_read() {
    let body = [
        line("One", "9780441172719", "read", "", "4.1"),
        line("Two", "9780441172719", "read", "", "6"),
        "Three,Someone\n".to_string(),
        line("", "", "read", "", "3"),
        line("Five", "9780441172719", "read", "", "five"),
        line("\"Six\nover two lines\"", "", "read", "", "3"),
    ]
    .concat();
    let (rows, errors) = read(&body);
    let errors: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.reason.as_str())).collect();
    assert_eq!(
        errors,
        [
            (
                2,
                "bad Star Rating: \"4.1\" (0.25–5 stars in quarter stars expected)"
            ),
            (
                3,
                "bad Star Rating: \"6\" (0.25–5 stars in quarter stars expected)"
            ),
            (4, "wrong field count: 2 (the header has 23)"),
            (5, "no title or ISBN"),
            (
                6,
                "bad Star Rating: \"five\" (0.25–5 stars in quarter stars expected)"
            ),
        ]
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].title, "Six\nover two lines");
}

#[test]
fn dates_read_are_single_dates_and_ranges() {
    let r = |started: Option<&str>, finished: Option<&str>| Reading {
        started: started.map(str::to_string),
        finished: finished.map(str::to_string),
    };
    assert_eq!(read_dates(""), []);
    assert_eq!(read_dates("2021/03/15"), [r(None, Some("2021/03/15"))]);
    assert_eq!(
        read_dates("2021/03/01-2021/03/15"),
        [r(Some("2021/03/01"), Some("2021/03/15"))]
    );
    assert_eq!(
        read_dates("2019/03/01-2019/03/20, 2021/06/20-2021/06/30,2022/01/02"),
        [
            r(Some("2019/03/01"), Some("2019/03/20")),
            r(Some("2021/06/20"), Some("2021/06/30")),
            r(None, Some("2022/01/02")),
        ]
    );
    // A reading under way, and one with only its end.
    assert_eq!(read_dates("2024/12/01-"), [r(Some("2024/12/01"), None)]);
    assert_eq!(read_dates("-2024/12/01"), [r(None, Some("2024/12/01"))]);
    // ISO dates: the range is split at the dash with a date on each side.
    assert_eq!(
        read_dates("2021-05-20-2021-06-02"),
        [r(Some("2021-05-20"), Some("2021-06-02"))]
    );
    assert_eq!(read_dates("2021-06-02"), [r(None, Some("2021-06-02"))]);
    // As written, even backwards (a real export has "2023/03/27-2023/03/22").
    assert_eq!(
        read_dates("2023/03/27-2023/03/22"),
        [r(Some("2023/03/27"), Some("2023/03/22"))]
    );
    assert_eq!(
        read_dates("3/1/2021 - 3/15/2021"),
        [r(Some("3/1/2021"), Some("3/15/2021"))]
    );
    // Not dates: left out (the cell is kept anyway).
    assert_eq!(read_dates("sometime, 2021/13"), []);
}

#[test]
fn date_read_is_the_last_date_read_else_the_end_of_the_last_reading() {
    let with = |last: &str, dates: &str| {
        let body =
            format!("Dune,Frank Herbert,,,,read,2020/01/01,{last},\"{dates}\",1,,,,,,,,,,,,,No\n");
        one(&body).date_read
    };
    assert_eq!(
        with("2021/06/30", "2021/06/20-2021/06/29").as_deref(),
        Some("2021/06/30")
    );
    assert_eq!(
        with("", "2019/03/01-2019/03/20, 2021/06/20-2021/06/30").as_deref(),
        Some("2021/06/30")
    );
    assert_eq!(with("", "2024/12/01-").as_deref(), Some("2024/12/01"));
    assert_eq!(with("", ""), None);
    let row = one("Dune,Frank Herbert,,,,read,,,\"2020/01/01-2020/01/05\",1,,,,,,,,,,,,,No\n");
    assert_eq!(row.details.date_read, "2020/01/05");
    assert_eq!(row.date_added, None);
}

#[test]
fn an_isbn_uid_is_an_isbn_an_asin_or_another_id() {
    let ids = |id: &str| {
        let row = one(&line("Dune", id, "read", "", ""));
        (
            row.isbn10.clone(),
            row.isbn13.clone(),
            row.details.isbn.clone(),
            row.details.isbn13.clone(),
            other(&row, "ISBN/UID").to_string(),
        )
    };
    let s = |v: &str| Some(v.to_string());
    assert_eq!(
        ids("9780441172719"),
        (
            None,
            s("9780441172719"),
            "".into(),
            "9780441172719".into(),
            "9780441172719".into()
        )
    );
    assert_eq!(
        ids("0441172717"),
        (
            s("0441172717"),
            None,
            "0441172717".into(),
            "".into(),
            "0441172717".into()
        )
    );
    assert_eq!(
        ids("044117271x"),
        (
            s("044117271X"),
            None,
            "044117271X".into(),
            "".into(),
            "044117271x".into()
        )
    );
    // An ASIN: the catalog keys e-books by it like an ISBN-10.
    assert_eq!(
        ids("B08PT6S7ZW"),
        (
            s("B08PT6S7ZW"),
            None,
            "B08PT6S7ZW".into(),
            "".into(),
            "B08PT6S7ZW".into()
        )
    );
    // Another id of StoryGraph's: no ISBN, kept as written.
    let uid = "8f14e45f-ceea-467f-a0e6-2c6ce2d39d48";
    assert_eq!(ids(uid), (None, None, "".into(), "".into(), uid.into()));
    // A spreadsheet's ="..." wrapper and hyphens.
    assert_eq!(ids("978-0-441-17271-9").1, s("9780441172719"));
    // No title and an id that is no ISBN: nothing to find the book by.
    let (_, errors) = read(&line("", uid, "read", "", ""));
    assert_eq!(errors[0].reason, "no title or ISBN");
}

#[test]
fn authors_are_the_author_and_the_additional_authors() {
    assert_eq!(
        split_authors("Ursula K. Le Guin, Todd Barton, Margaret Chodos-Irvine"),
        (
            "Ursula K. Le Guin".to_string(),
            "Todd Barton, Margaret Chodos-Irvine".to_string()
        )
    );
    assert_eq!(
        split_authors("Martin Luther King, Jr."),
        ("Martin Luther King, Jr.".to_string(), String::new())
    );
    assert_eq!(
        split_authors("Kurt Vonnegut Jr., Sam Jr"),
        ("Kurt Vonnegut Jr.".to_string(), "Sam Jr".to_string())
    );
    assert_eq!(split_authors(""), (String::new(), String::new()));
    let row = one(
        "Good Omens,\"Terry Pratchett, Neil Gaiman\",,9780060853983,,read,,,,1,,,,,,,,,,,,,No\n",
    );
    assert_eq!(row.author, "Terry Pratchett");
    assert_eq!(row.details.additional_authors, "Neil Gaiman");
    assert_eq!(row.details.author_last_first, "Pratchett, Terry");
    assert_eq!(other(&row, "Authors"), "Terry Pratchett, Neil Gaiman");
    assert_eq!(
        row.new_book().unwrap().author,
        "Terry Pratchett, Neil Gaiman"
    );
}

#[test]
fn owned_is_owned_copies() {
    for (owned, copies) in [("Yes", "1"), ("No", "0"), ("", ""), ("yes", "1")] {
        let body = format!("Dune,Frank Herbert,,,,read,,,,1,,,,,,,,,,,,,{owned}\n");
        assert_eq!(one(&body).details.owned_copies, copies, "{owned}");
    }
}

#[test]
fn a_trimmed_header_is_read_and_extra_columns_are_kept() {
    let body = "\u{feff}Title,Authors,Read Status,Star Rating,My Shelf Notes\nDune,Frank Herbert,to-read,,keep me\n";
    let (rows, errors) = read_export(body.as_bytes(), 10).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(rows[0].shelf, Some(Shelf::WantToRead));
    assert_eq!(
        rows[0].details.other,
        [
            ("Authors".to_string(), "Frank Herbert".to_string()),
            ("Star Rating".to_string(), String::new()),
            ("My Shelf Notes".to_string(), "keep me".to_string()),
        ]
    );
}

#[test]
fn files_that_cannot_be_imported_are_refused_whole() {
    let err = read_export("Title,Author\nDune,Frank Herbert\n".as_bytes(), 10).unwrap_err();
    assert_eq!(
        err.to_string(),
        "StoryGraph export lacks required columns: Authors, Read Status"
    );
    let mut latin1 = HEADER.as_bytes().to_vec();
    latin1.extend_from_slice(line("Dune", "", "read", "", "").as_bytes());
    latin1.extend_from_slice(b"Caf\xe9,Someone,,,,read,,,,1,,,,,,,,,,,,,No\n");
    assert!(matches!(
        read_export(&latin1[..], 10),
        Err(Error::NotUtf8 { line: 3, .. })
    ));
    let many = format!("{HEADER}{}", line("Dune", "", "read", "", "").repeat(11));
    assert!(matches!(
        read_export(many.as_bytes(), 10),
        Err(Error::TooManyRows { max: 10, .. })
    ));
    assert!(read_export(many.as_bytes(), 11).is_ok());
}
