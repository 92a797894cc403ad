use super::*;

const BOOKS_HEADER: &str = "book_id,goodreads_book_id,best_book_id,work_id,books_count,isbn,isbn13,authors,original_publication_year,original_title,title,language_code,average_rating,ratings_count,work_ratings_count,work_text_reviews_count,ratings_1,ratings_2,ratings_3,ratings_4,ratings_5,image_url,small_image_url\n";

/// A books.csv row with the fields the catalog uses; the statistics are the Hunger Games'.
fn book_row(id: &str, gr: &str, isbn: &str, authors: &str, year: &str, title: &str) -> String {
    format!(
        "{id},{gr},{gr},2792775,272,{isbn},9.78043902348e+12,{authors},{year},Original,{title},eng,4.34,4780653,4942365,155254,66715,127936,560092,1481305,2706317,https://images.gr-assets.com/books/1447303603m/{gr}.jpg,https://images.gr-assets.com/books/1447303603s/{gr}.jpg\n"
    )
}

fn books(body: &str) -> (Vec<GoodbooksBook>, ImportReport) {
    let input = format!("{BOOKS_HEADER}{body}");
    let mut report = ImportReport::default();
    let mut out = Vec::new();
    read_books(input.as_bytes(), &mut report, |b| out.push(b)).unwrap();
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
fn a_published_row_is_read() {
    let (out, report) = books(&book_row(
        "2",
        "3",
        "439554934",
        "\"J.K. Rowling, Mary GrandPré\"",
        "1997.0",
        "\"Harry Potter and the Sorcerer's Stone (Harry Potter, #1)\"",
    ));
    assert_eq!((report.read, report.kept), (1, 1));
    assert_eq!(
        out,
        vec![GoodbooksBook {
            book_id: 2,
            goodreads_book_id: 3,
            book: Book {
                key: "0439554934".into(),
                title: "Harry Potter and the Sorcerer's Stone (Harry Potter, #1)".into(),
                author: "J.K. Rowling, Mary GrandPré".into(),
                year: Some(1997),
                publisher: String::new(),
                image_url: Some("https://images.gr-assets.com/books/1447303603m/3.jpg".into()),
                tags: vec![],
            },
        }]
    );
}

#[test]
fn isbns_lost_zeros_are_restored_and_missing_ones_fall_back_to_goodreads_ids() {
    let body = [
        book_row("1", "11", "61120081", "A", "2000.0", "Eight digits"),
        book_row("2", "12", "7442912", "A", "2000.0", "Seven digits"),
        book_row("3", "13", "", "A", "2000.0", "No ISBN"),
        book_row("4", "14", "067003469X", "A", "2000.0", "Ten"),
        book_row("5", "15", "9.78043902348e+12", "A", "2000.0", "Float junk"),
    ]
    .concat();
    let (out, report) = books(&body);
    assert_eq!(report.kept, 5);
    let keys: Vec<&str> = out.iter().map(|b| b.book.key.as_str()).collect();
    assert_eq!(
        keys,
        vec!["0061120081", "0007442912", "gr:13", "067003469X", "gr:15"]
    );
}

#[test]
fn float_negative_and_empty_years() {
    let latest = latest_plausible_year();
    let body = [
        book_row("1", "1", "", "A", "2008.0", "Float"),
        book_row("2", "2", "", "A", "-720.0", "Odyssey"),
        book_row("3", "3", "", "A", "", "Unknown"),
        book_row("4", "4", "", "A", "8.0", "Metamorphoses"),
        book_row("5", "5", "", "A", "2008.5", "Half"),
        book_row("6", "6", "", "A", "3000.0", "Future"),
        book_row("7", "7", "", "A", "NaN", "NaN"),
        book_row("8", "8", "", "A", "0.0", "Zero"),
    ]
    .concat();
    let (out, report) = books(&body);
    assert_eq!(
        report.kept, 8,
        "a bad year is not a reason to lose the book"
    );
    let years: Vec<Option<u16>> = out.iter().map(|b| b.book.year).collect();
    assert_eq!(
        years,
        vec![Some(2008), None, None, Some(8), None, None, None, None]
    );
    assert_eq!(
        publication_year(&format!("{latest}.0"), latest),
        Some(latest)
    );
}

#[test]
fn nophoto_images_are_dropped_and_entities_decoded() {
    let body = "9,9,9,1,1,,,Tom &amp; Jerry,2000.0,,\"Cats, Mice &amp; Others\",eng,4,1,1,1,1,1,1,1,1,https://s.gr-assets.com/assets/nophoto/book/111x148-bcc042a9c91a29c1d680899eff700a03.png,https://s.gr-assets.com/assets/nophoto/book/50x75-a91bf249278a81aabab721ef782c4a74.png\n";
    let (out, _) = books(body);
    assert_eq!(out[0].book.image_url, None);
    assert_eq!(out[0].book.title, "Cats, Mice & Others");
    assert_eq!(out[0].book.author, "Tom & Jerry");
}

#[test]
fn bad_rows_are_rejected_with_their_line_and_the_rest_kept() {
    let body = [
        book_row("x1", "1", "", "A", "2000.0", "Bad id"),
        book_row("2", "-5", "", "A", "2000.0", "Bad goodreads id"),
        "3,3,3,short row\n".to_string(),
        book_row("4", "4", "", "A", "2000.0", "\"\""),
        // A quoted field may hold a line break (valid CSV): the row keeps its first line.
        book_row("5", "5", "", "\"Two\nLines\"", "2000.0", "Fine"),
        book_row("6", "6", "", "A", "2000.0", "Also fine"),
    ]
    .concat();
    let (out, report) = books(&body);
    assert_eq!(
        out.iter().map(|b| b.book_id).collect::<Vec<_>>(),
        vec![5, 6]
    );
    assert_eq!(out[0].book.author, "Two Lines");
    assert_eq!(
        reasons(&report),
        vec![
            (2, "bad book_id: \"x1\""),
            (3, "bad goodreads_book_id: \"-5\""),
            (4, "wrong field count: 4"),
            (5, "empty title"),
        ]
    );
    assert_eq!((report.read, report.kept), (6, 2));
}

#[test]
fn invalid_utf8_is_rejected_not_fatal() {
    let mut input = BOOKS_HEADER.as_bytes().to_vec();
    input.extend_from_slice(book_row("1", "1", "", "A", "2000.0", "Caf\u{e9}").as_bytes());
    input.extend_from_slice(&book_row("2", "2", "", "A", "2000.0", "Caf#").into_bytes());
    let bad = input.iter().rposition(|&b| b == b'#').unwrap();
    input[bad] = 0xE9; // Latin-1 é: not UTF-8.
    let mut report = ImportReport::default();
    let mut out = Vec::new();
    read_books(&input[..], &mut report, |b| out.push(b)).unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].book.title, "Café");
    assert_eq!(reasons(&report), vec![(3, "bad UTF-8 in title")]);
}

#[test]
fn ratings_map_stars_and_need_a_known_book() {
    let keys = HashMap::from([(1, "0439023483".to_string()), (2, "gr:3".to_string())]);
    let input = "user_id,book_id,rating\r\n1,1,5\r\n1,2,1\r\n2,3,4\r\n2,1,0\r\n2,1,6\r\nx,1,3\r\n3,1\r\n3,1,\r\n\r\n4,2,3";
    let mut report = ImportReport::default();
    let mut out = Vec::new();
    read_ratings(input.as_bytes(), &keys, &mut report, |r| out.push(r)).unwrap();
    assert_eq!(
        out.iter()
            .map(|r| (r.user, r.book.as_str(), r.rating.value()))
            .collect::<Vec<_>>(),
        vec![(1, "0439023483", 10), (1, "gr:3", 2), (4, "gr:3", 6)]
    );
    assert_eq!(
        reasons(&report),
        vec![
            (4, "unknown book_id: 3"),
            (5, "bad rating: \"0\""),
            (6, "bad rating: \"6\""),
            (7, "bad user_id: \"x\""),
            (8, "wrong field count: 2"),
            (9, "bad rating: \"\""),
        ]
    );
    assert_eq!(
        (report.read, report.kept),
        (9, 3),
        "blank lines are not rows"
    );
}

#[test]
fn line_numbers_survive_crlf_blank_lines_and_quoted_line_breaks() {
    // csv's own Position::line() would say 2, 3 and 3 here (BurntSushi/rust-csv#395).
    let input = "tag_id,tag_name\r\n\r\nx,a\r\n\r\n\r\n5,\"two\r\nlines\"\r\ny,b\r\n\ny,c";
    let mut report = ImportReport::default();
    let tags = read_tags(input.as_bytes(), &mut report).unwrap();
    assert_eq!(tags[&5], "two\r\nlines");
    assert_eq!(
        reasons(&report),
        vec![
            (3, "bad tag_id: \"x\""),
            (8, "bad tag_id: \"y\""),
            (10, "bad tag_id: \"y\"")
        ]
    );
}

proptest::proptest! {
    #[test]
    fn any_bytes_are_read_without_panic_and_every_row_is_accounted_for(
        body in proptest::collection::vec(
            proptest::sample::select(b"\",,\r\n\n 0123-x\xe9".to_vec()),
            0..400,
        )
    ) {
        let keys = HashMap::from([(1, "k1".to_string()), (2, "k2".to_string())]);
        let mut input = b"user_id,book_id,rating\n".to_vec();
        input.extend_from_slice(&body);
        let mut report = ImportReport::default();
        let mut kept = 0u64;
        read_ratings(&input[..], &keys, &mut report, |_| kept += 1).unwrap();
        proptest::prop_assert_eq!(report.kept, kept);
        proptest::prop_assert_eq!(report.read, report.kept + report.rejected.len() as u64);
        let newlines = body.iter().filter(|&&b| b == b'\n').count() as u64;
        proptest::prop_assert!(report.rejected.iter().all(|r| r.line >= 2 && r.line <= newlines + 2));
    }
}

#[test]
fn tags_and_book_tags() {
    let mut report = ImportReport::default();
    let tags = read_tags(
        "tag_id,tag_name\r\n0,-\r\n1,fantasy\r\n1,again\r\n2,\r\nx,y\r\n3,\"to-read\"\r\n"
            .as_bytes(),
        &mut report,
    )
    .unwrap();
    assert_eq!(
        tags,
        HashMap::from([
            (0, "-".to_string()),
            (1, "fantasy".to_string()),
            (3, "to-read".to_string())
        ])
    );
    assert_eq!(
        reasons(&report),
        vec![
            (4, "duplicate tag_id: 1"),
            (5, "empty tag_name"),
            (6, "bad tag_id: \"x\"")
        ]
    );

    let mut report = ImportReport::default();
    let mut out = Vec::new();
    read_book_tags(
        "goodreads_book_id,tag_id,count\n1,30574,167697\n1,11305,-1\n2,x,3\n".as_bytes(),
        &mut report,
        |t| out.push(t),
    )
    .unwrap();
    assert_eq!(
        out,
        vec![BookTag {
            goodreads_book_id: 1,
            tag_id: 30574,
            count: 167697
        }]
    );
    assert_eq!(
        reasons(&report),
        vec![(3, "bad count: \"-1\""), (4, "bad tag_id: \"x\"")]
    );
}

#[test]
fn headers_are_checked() {
    let mut report = ImportReport::default();
    let keys = HashMap::new();
    let err =
        read_ratings(&b"user,book,stars\n1,1,5\n"[..], &keys, &mut report, |_| {}).unwrap_err();
    assert!(matches!(err, Error::Header { .. }), "{err}");
    let err = read_books(&b""[..], &mut report, |_| {}).unwrap_err();
    assert!(matches!(err, Error::Header { .. }), "{err}");
    let err = read_tags(&b"\"ISBN\";\"Book-Title\"\n"[..], &mut report).unwrap_err();
    assert!(matches!(err, Error::Header { .. }), "{err}");
    // A UTF-8 byte-order mark does not hide a good header.
    read_book_tags(
        "\u{feff}goodreads_book_id,tag_id,count\n".as_bytes(),
        &mut report,
        |_| {},
    )
    .unwrap();
    assert_eq!(report.read, 0);
}

#[test]
fn shelf_tags_are_not_useful() {
    for shelf in [
        "to-read",
        "currently-reading",
        "favorites",
        "favourites",
        "owned",
        "books-i-own",
        "default",
        "my-books",
        "library",
        "wish-list",
        "kindle",
        "ebook",
        "ebooks",
        "audiobook",
        "audiobooks",
        "to-buy",
        "did-not-finish",
        "re-read",
        "2015",
        "--1-",
        "-",
        "read-in-2015",
        "read-2016",
        "owned-books",
        "0-owned",
        "To-Read",
        "5-stars",
        "five-stars",
        "faves",
        "to-re-read",
        "rereads",
        "01-mine",
        "2-read",
    ] {
        assert!(!is_useful_tag(shelf), "{shelf}");
    }
    for genre in [
        "fantasy",
        "classics",
        "young-adult",
        "fiction",
        "science-fiction",
        "historical-fiction",
        "dystopia",
        "books-about-books",
        "brown",
        "star-wars",
        "made-me-cry",
        "02-fantasy",
        "1-classics",
    ] {
        assert!(is_useful_tag(genre), "{genre}");
    }
}

#[test]
fn top_tags_rank_useful_tags_by_count_then_name() {
    let tags = [
        ("to-read", 167_697),
        ("fantasy", 3_000),
        ("classics", 3_000),
        ("young-adult", 5_000),
        ("favorites", 9_000),
        ("dystopia", 1_000),
        ("fantasy", 2_500),
        ("nothing", 0),
    ]
    .map(|(name, count)| (name.to_string(), count));
    assert_eq!(
        top_tags(tags.clone(), 3),
        vec!["fantasy", "young-adult", "classics"]
    );
    assert_eq!(top_tags(tags.clone(), 10).len(), 4);
    assert!(top_tags(tags, 0).is_empty());
    let tie = [("b", 1), ("a", 1), ("c", 2)].map(|(n, c)| (n.to_string(), c));
    assert_eq!(top_tags(tie, 3), vec!["c", "a", "b"]);
}
