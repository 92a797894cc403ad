use super::*;
use crate::datasets::year::year_of_day;

const BOOKS_HEADER: &str = "\"ISBN\";\"Book-Title\";\"Book-Author\";\"Year-Of-Publication\";\"Publisher\";\"Image-URL-S\";\"Image-URL-M\";\"Image-URL-L\"\r\n";
const RATINGS_HEADER: &str = "\"User-ID\";\"ISBN\";\"Book-Rating\"\r\n";
const USERS_HEADER: &str = "\"User-ID\";\"Location\";\"Age\"\r\n";

/// A books row in the published format, with the given ISBN, title, author and year.
fn book_row(isbn: &str, title: &str, author: &str, year: &str) -> String {
    format!(
        "\"{isbn}\";\"{title}\";\"{author}\";\"{year}\";\"Pub\";\"http://s.jpg\";\"http://m.jpg\";\"http://l.jpg\"\r\n"
    )
}

fn books(body: &[u8]) -> (Vec<Book>, ImportReport) {
    let mut input = BOOKS_HEADER.as_bytes().to_vec();
    input.extend_from_slice(body);
    let mut report = ImportReport::default();
    let mut out = Vec::new();
    read_books(&input[..], &mut report, |b| out.push(b)).unwrap();
    (out, report)
}

fn ratings(body: &str) -> (Vec<RawRating>, ImportReport) {
    let input = format!("{RATINGS_HEADER}{body}");
    let mut report = ImportReport::default();
    let mut out = Vec::new();
    read_ratings(input.as_bytes(), &mut report, |r| out.push(r)).unwrap();
    (out, report)
}

fn users(body: &[u8]) -> (Vec<User>, ImportReport) {
    let mut input = USERS_HEADER.as_bytes().to_vec();
    input.extend_from_slice(body);
    let mut report = ImportReport::default();
    let mut out = Vec::new();
    read_users(&input[..], &mut report, |u| out.push(u)).unwrap();
    (out, report)
}

fn reasons(report: &ImportReport) -> Vec<(u64, &str)> {
    report
        .rejected
        .iter()
        .map(|r| (r.line, r.reason.as_str()))
        .collect()
}

#[test]
fn a_plain_book_row_is_read_whole() {
    let (out, report) = books(
        b"\"0195153448\";\"Classical Mythology\";\"Mark P. O. Morford\";\"2002\";\"Oxford University Press\";\"http://images.amazon.com/images/P/0195153448.01.THUMBZZZ.jpg\";\"http://images.amazon.com/images/P/0195153448.01.MZZZZZZZ.jpg\";\"http://images.amazon.com/images/P/0195153448.01.LZZZZZZZ.jpg\"\r\n",
    );
    assert_eq!(
        out,
        vec![Book {
            key: "0195153448".into(),
            title: "Classical Mythology".into(),
            author: "Mark P. O. Morford".into(),
            year: Some(2002),
            publisher: "Oxford University Press".into(),
            image_url: Some("http://images.amazon.com/images/P/0195153448.01.MZZZZZZZ.jpg".into()),
            tags: vec![],
        }]
    );
    assert_eq!((report.read, report.kept), (1, 1));
    assert!(report.rejected.is_empty());
}

#[test]
fn latin1_bytes_are_decoded() {
    let row = b"\"3442353866\";\"Mis\xe9rables\";\"Fran\xe7ois\";\"1999\";\"Goldmann\";\"\";\"\";\"\"\r\n".to_vec();
    let (out, _) = books(&row);
    assert_eq!(out[0].title, "Misérables");
    assert_eq!(out[0].author, "François");
    assert_eq!(out[0].image_url, None, "an empty image URL is no image");
}

#[test]
fn entities_and_escaped_quotes_are_cleaned() {
    let (out, report) = books(
        book_row(
            "0393045218",
            r#"The Word \"Desire\" &amp; Other Stories"#,
            "W. W. Norton &amp; Company",
            "1999",
        )
        .as_bytes(),
    );
    assert_eq!(report.kept, 1);
    assert_eq!(out[0].title, "The Word \"Desire\" & Other Stories");
    assert_eq!(out[0].author, "W. W. Norton & Company");
}

#[test]
fn stray_quotes_and_backslashes_stay_inside_their_field() {
    // An unescaped quote, a lone backslash, and an escaped quote right before the
    // separator (`\";"`), which a CSV parser would read as an open field.
    let body = format!(
        "{}{}",
        book_row(
            "0000000001",
            r#"A "quoted" \ title"#,
            r#"Miss\" \"Read"#,
            "1990"
        ),
        book_row("0000000002", r#"Ends in a quote \"#, "Someone", "1991"),
    );
    let (out, report) = books(body.as_bytes());
    assert_eq!(report.kept, 2, "{:?}", report.rejected);
    assert_eq!(out[0].title, "A \"quoted\" title");
    assert_eq!(out[0].author, "Miss\" \"Read");
    assert_eq!(out[1].title, "Ends in a quote");
    assert_eq!(out[1].author, "Someone");
}

#[test]
fn isbns_in_mixed_case_with_spaces_are_normalised() {
    let body = format!(
        "{}{}{}",
        book_row(" 034545104x ", "Lower case", "A", "2000"),
        book_row("0 345 45104 X", "Spaced", "A", "2000"),
        book_row("12", "Too short", "A", "2000"),
    );
    let (out, report) = books(body.as_bytes());
    let keys: Vec<&str> = out.iter().map(|b| b.key.as_str()).collect();
    assert_eq!(keys, vec!["034545104X", "034545104X"]);
    assert_eq!(reasons(&report), vec![(4, "bad ISBN: \"12\"")]);
}

#[test]
fn implausible_years_become_none() {
    let body = format!(
        "{}{}{}{}{}",
        book_row("0000000001", "Zero", "A", "0"),
        book_row("0000000002", "Future", "A", "2050"),
        book_row("0000000003", "Word", "A", "DK Publishing Inc"),
        book_row("0000000004", "Old", "A", "1806"),
        book_row(
            "0000000005",
            "Next year",
            "A",
            &latest_plausible_year().to_string()
        ),
    );
    let (out, report) = books(body.as_bytes());
    assert_eq!(
        report.kept, 5,
        "a bad year is not a reason to lose the book"
    );
    let years: Vec<Option<u16>> = out.iter().map(|b| b.year).collect();
    assert_eq!(
        years,
        vec![None, None, None, Some(1806), Some(latest_plausible_year())]
    );
    assert!(plausible_year("2004", 2005).is_some());
    assert!(plausible_year("2006", 2005).is_none());
}

#[test]
fn empty_titles_and_wrong_field_counts_are_rejected() {
    let body = format!(
        "{}{}{}{}",
        book_row("0000000001", "", "A", "2000"),
        book_row("0000000002", "  \\  ", "A", "2000"),
        "\"0000000003\";\"Short\";\"A\";\"2000\";\"Pub\"\r\n",
        book_row("0000000004", "Fine", "A", "2000"),
    );
    let (out, report) = books(body.as_bytes());
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].key, "0000000004");
    assert_eq!(
        reasons(&report),
        vec![
            (2, "empty title"),
            (3, "empty title"),
            (4, "wrong field count: 5")
        ]
    );
    assert_eq!(report.read, 4);
}

#[test]
fn a_malformed_row_never_swallows_the_next() {
    let body = format!(
        "{}{}{}{}{}",
        // A `";"` inside a title: too many fields, rejected rather than guessed at.
        "\"0000000001\";\"Title\";\"with a separator\";\"A\";\"2000\";\"P\";\"\";\"\";\"\"\r\n",
        // A row cut off inside a field: a CSV parser would read on into the next rows.
        "\"0000000002\";\"Open quote\r\n",
        book_row("0000000003", "Next", "A", "2000"),
        "junk without quotes\r\n",
        book_row("0000000004", "After junk", "A", "2000"),
    );
    let (out, report) = books(body.as_bytes());
    let titles: Vec<&str> = out.iter().map(|b| b.title.as_str()).collect();
    assert_eq!(titles, vec!["Next", "After junk"]);
    assert_eq!((report.read, report.kept), (5, 2));
    assert_eq!(
        reasons(&report),
        vec![
            (2, "wrong field count: 9"),
            (3, "malformed row: unterminated field \"\\\"Open quote\""),
            (5, "malformed row: unquoted field \"junk without quotes\""),
        ]
    );
}

#[test]
fn blank_lines_lf_endings_and_no_final_newline_are_fine() {
    let body = "\n\"0000000001\";\"One\";\"A\";\"2000\";\"P\";\"\";\"m\";\"\"\n\r\n   \n\"0000000002\";\"Two\";\"A\";\"2000\";\"P\";\"\";\"m\";\"\"";
    let (out, report) = books(body.as_bytes());
    assert_eq!(out.len(), 2);
    assert_eq!(out[1].title, "Two");
    assert_eq!((report.read, report.kept), (2, 2));
    // Line numbers count the blank lines: the second book is on line 6.
    let (_, report) = books(format!("{body}\n\"12\";\"x\"").as_bytes());
    assert_eq!(reasons(&report), vec![(7, "wrong field count: 2")]);
}

#[test]
fn ratings_are_validated() {
    let (out, report) = ratings(concat!(
        "\"276725\";\"034545104X\";\"0\"\r\n",
        "\"276726\";\"0155061224\";\"5\"\r\n",
        "\"276727\";\"0446520802\";\"11\"\r\n",
        "\"x\";\"0446520802\";\"3\"\r\n",
        "\"276729\";\"052165615X\";\"-1\"\r\n",
        "\"276729\";\"2.02.032126.2\";\"3\"\r\n",
        "\"276729\";\"N3453124715\";\"3\"\r\n",
        "\"276730\";\"0440234743\"\r\n",
        "\"276731\";\" 044023474x \";\"10\"",
    ));
    assert_eq!(
        out.iter()
            .map(|r| (r.user, r.book.as_str(), r.rating.value()))
            .collect::<Vec<_>>(),
        vec![
            (276725, "034545104X", 0),
            (276726, "0155061224", 5),
            (276729, "2020321262", 3),
            (276731, "044023474X", 10)
        ]
    );
    assert!(!out[0].rating.is_explicit());
    assert_eq!(
        reasons(&report),
        vec![
            (4, "bad rating: \"11\""),
            (5, "bad user id: \"x\""),
            (6, "bad rating: \"-1\""),
            (8, "bad ISBN: \"N3453124715\""),
            (9, "wrong field count: 2"),
        ]
    );
    assert_eq!((report.read, report.kept), (9, 4));
}

#[test]
fn users_with_null_and_implausible_ages() {
    let (out, report) = users(
        b"\"1\";\"nyc, new york, usa\";NULL\r\n\"2\";\"stockton, california, usa\";\"18\"\r\n\"3\";\"\xe5rhus, \\\"n/a\\\", denmark\";\"0\"\r\n\"4\";\"x\";\"244\"\r\n\"5\";\"y\";\"abc\"\r\nNULL;\"z\";\"30\"\r\n",
    );
    assert_eq!(
        out,
        vec![
            User {
                id: 1,
                location: "nyc, new york, usa".into(),
                age: None
            },
            User {
                id: 2,
                location: "stockton, california, usa".into(),
                age: Some(18)
            },
            User {
                id: 3,
                location: "århus, \"n/a\", denmark".into(),
                age: None
            },
            User {
                id: 4,
                location: "x".into(),
                age: None
            },
            User {
                id: 5,
                location: "y".into(),
                age: None
            },
        ]
    );
    assert_eq!(reasons(&report), vec![(7, "bad user id: \"\"")]);
}

#[test]
fn a_line_break_inside_a_field_joins_the_next_line() {
    // As in the real BX-Users.csv: the location holds a CRLF.
    let (out, report) = users(
        b"\"275081\";\"cernusco s\r\n, milan, italy\";NULL\r\n\"275082\";\"hacienda heights, california, usa\";\"16\"\r\n\"275083\";\"unfinished\r\n\"275084\";\"x\";\"20\"\r\n",
    );
    assert_eq!(out.len(), 3, "{:?}", report.rejected);
    assert_eq!(out[0].location, "cernusco s , milan, italy");
    assert_eq!(out[1].id, 275082);
    assert_eq!(out[2].id, 275084, "a row start is never swallowed");
    assert_eq!(report.read, 4);
    assert_eq!(reasons(&report).len(), 1);
    assert_eq!(report.rejected[0].line, 5);
    assert!(report.rejected[0]
        .reason
        .starts_with("malformed row: unterminated field"));
}

#[test]
fn null_fields_anywhere_in_a_row() {
    assert_eq!(
        split_row("NULL;\"a\";NULL;\"b\";NULL").unwrap(),
        vec![None, Some("a"), None, Some("b"), None]
    );
    assert_eq!(split_row("\"\";\"\"").unwrap(), vec![Some(""), Some("")]);
    assert_eq!(split_row("\"NULL\"").unwrap(), vec![Some("NULL")]);
    assert!(split_row("").is_err());
    assert!(split_row("\"a\";NULLX").is_err());
}

#[test]
fn overlong_lines_are_rejected_and_skipped() {
    let mut body = book_row("0000000001", &"x".repeat(MAX_LINE_BYTES), "A", "2000");
    body.push_str(&book_row("0000000002", "After", "A", "2000"));
    let (out, report) = books(body.as_bytes());
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].title, "After");
    assert_eq!(report.rejected.len(), 1);
    assert!(report.rejected[0].reason.starts_with("line too long"));
}

#[test]
fn headers_are_checked() {
    let mut report = ImportReport::default();
    let err = read_books(&b"ISBN,Title\n"[..], &mut report, |_| {}).unwrap_err();
    assert!(matches!(err, Error::Header { .. }), "{err}");
    let err = read_ratings(BOOKS_HEADER.as_bytes(), &mut report, |_| {}).unwrap_err();
    assert!(matches!(err, Error::Header { .. }), "{err}");
    let err = read_users(&b""[..], &mut report, |_| {}).unwrap_err();
    assert!(matches!(err, Error::Header { .. }), "{err}");
    // A byte-order mark and LF line ends are tolerated.
    let input = format!("\u{feff}{}", USERS_HEADER.replace("\r\n", "\n"));
    read_users(input.as_bytes(), &mut report, |_| {}).unwrap();
    assert_eq!(report.read, 0);
}

proptest::proptest! {
    #[test]
    fn any_bytes_are_read_without_panic_and_every_row_is_accounted_for(
        body in proptest::collection::vec(
            proptest::sample::select(b"\"\";;\\\r\n\n NUL0123X9\xe9&amp".to_vec()),
            0..400,
        )
    ) {
        let mut input = RATINGS_HEADER.as_bytes().to_vec();
        input.extend_from_slice(&body);
        let mut report = ImportReport::default();
        let mut kept = 0u64;
        read_ratings(&input[..], &mut report, |_| kept += 1).unwrap();
        proptest::prop_assert_eq!(report.kept, kept);
        proptest::prop_assert_eq!(report.read, report.kept + report.rejected.len() as u64);
        proptest::prop_assert!(report.rejected.iter().all(|r| r.line >= 2));
    }
}

#[test]
fn years_of_days() {
    assert_eq!(year_of_day(0), 1970);
    assert_eq!(year_of_day(365), 1971);
    assert_eq!(year_of_day(10_956), 1999); // 1999-12-31
    assert_eq!(year_of_day(10_957), 2000); // 2000-01-01
    assert_eq!(year_of_day(20_454), 2026); // 2026-01-01
    assert!(latest_plausible_year() > 2025);
}
