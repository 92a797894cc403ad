//! Goodreads import and CSV/JSON export through the HTTP router, against a real sled store in
//! a temp dir filled from the goodbooks-10k sample.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::Site;
use http_body_util::BodyExt;
use tower::ServiceExt;

/// A hand-written Goodreads export (see engine/tests/fixtures/goodreads/SOURCE.md).
const EXPORT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../engine/tests/fixtures/goodreads/library_export.csv"
);

fn site() -> Site {
    Site::new()
}

async fn send(app: &axum::Router, req: Request<Body>) -> (StatusCode, Option<String>, String) {
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let cookie = resp
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_string);
    let location = resp
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string());
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let body = String::from_utf8_lossy(&bytes).to_string();
    (status, cookie.or(location), body)
}

async fn sign_up(app: &axum::Router, name: &str) -> String {
    let (status, cookie, body) = send(
        app,
        Request::post("/api/signup")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(format!(
                "username={name}&password=a+long+passphrase"
            )))
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    cookie.unwrap()
}

fn upload(cookie: &str, csv: &[u8], accept: &str) -> Request<Body> {
    let boundary = "XyZshelfwiseBoundary";
    let mut body = Vec::new();
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"goodreads_library_export.csv\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes());
    body.extend_from_slice(csv);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    Request::post("/import/library")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header("content-length", body.len())
        .header("cookie", cookie)
        .header("accept", accept)
        .body(Body::from(body))
        .unwrap()
}

async fn library(app: &axum::Router, cookie: &str) -> Vec<(String, Option<u64>, Option<String>)> {
    let (status, _, body) = send(
        app,
        Request::post("/api/my_books")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", cookie)
            .body(Body::from("sort=title&filter="))
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let mut out: Vec<_> = v["books"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            let mine = &b["card"]["mine"];
            (
                b["card"]["isbn"].as_str().unwrap().to_string(),
                mine["stars"].as_u64(),
                mine["shelf"].as_str().map(str::to_string),
            )
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn a_goodreads_export_imports_and_our_export_round_trips() {
    let _one = common::one_at_a_time().await;
    let site = site();
    let ann = sign_up(&site.router, "ann").await;
    let csv = std::fs::read(EXPORT).unwrap();
    let (status, _, body) = send(&site.router, upload(&ann, &csv, "application/json")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let summary: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(summary["rows"], 26);
    let matched = summary["matched"].as_u64().unwrap();
    assert!(matched >= 3, "{summary}");
    // A signed-in reader's rows that match nothing become catalog books: none is left out.
    assert_eq!(
        summary["unmatched"].as_array().unwrap().len(),
        0,
        "{summary}"
    );
    assert_eq!(
        matched + summary["created"].as_u64().unwrap(),
        26,
        "{summary}"
    );
    let mine = library(&site.router, &ann).await;
    assert!(!mine.is_empty());
    // The Hunger Games row: 5 stars on "read".
    assert!(
        mine.contains(&("0439023483".into(), Some(5), Some("Read".into()))),
        "{mine:?}"
    );

    // Export as CSV, import into another account: the same library.
    let (status, _, csv) = send(
        &site.router,
        Request::get("/export/goodreads.csv")
            .header("cookie", &ann)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(csv.starts_with("Book Id,Title,Author"), "{csv}");
    assert!(csv.contains("=\"\"0439023483\"\""), "{csv}");
    let bob = sign_up(&site.router, "bob").await;
    let (status, _, body) = send(
        &site.router,
        upload(&bob, csv.as_bytes(), "application/json"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(library(&site.router, &bob).await, mine);

    // JSON has everything, "not interested" included.
    send(
        &site.router,
        Request::post("/api/shelve_book")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", &ann)
            .body(Body::from("isbn=0061120081&shelf=not-interested"))
            .unwrap(),
    )
    .await;
    let (status, _, json) = send(
        &site.router,
        Request::get("/export/shelfwise.json")
            .header("cookie", &ann)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["username"], "ann");
    let books = doc["books"].as_array().unwrap();
    assert_eq!(books.len(), mine.len() + 1);
    assert!(books.iter().any(|b| b["shelf"] == "not-interested"));
}

#[tokio::test]
async fn a_browser_upload_lands_on_the_report_page() {
    let _one = common::one_at_a_time().await;
    let site = site();
    let ann = sign_up(&site.router, "ann").await;
    let csv = std::fs::read(EXPORT).unwrap();
    let (status, location, _) = send(&site.router, upload(&ann, &csv, "text/html,*/*")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some("/import"));
}

#[tokio::test]
async fn bad_uploads_are_refused_and_write_nothing() {
    let _one = common::one_at_a_time().await;
    let site = site();
    let ann = sign_up(&site.router, "ann").await;
    let ratings = site.state.store.rating_count();
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            b"Title,Author\nDune,Frank Herbert\n".to_vec(),
            "lacks required columns",
        ),
        (
            b"Book Id,Title,Author,ISBN,ISBN13,My Rating,Exclusive Shelf\n1,Caf\xe9,X,,,5,read\n"
                .to_vec(),
            "UTF-8",
        ),
        (Vec::new(), ""),
    ];
    for (csv, needle) in cases {
        let (status, _, body) = send(&site.router, upload(&ann, &csv, "application/json")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(body.contains(needle), "{needle}: {body}");
        assert_eq!(site.state.store.rating_count(), ratings);
    }
    // Over the size limit: refused from the declared length, before the body is read.
    let big = vec![b'a'; app::backend::transfer::MAX_UPLOAD_BYTES + 1];
    let (status, _, _) = send(&site.router, upload(&ann, &big, "application/json")).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    // Not multipart at all.
    let (status, _, _) = send(
        &site.router,
        Request::post("/import/library")
            .header("cookie", &ann)
            .header("content-type", "text/csv")
            .body(Body::from("Title\n"))
            .unwrap(),
    )
    .await;
    assert!(status.is_client_error(), "{status}");
    assert_eq!(site.state.store.rating_count(), ratings);
    // Nothing to export without a session.
    let (status, _, _) = send(
        &site.router,
        Request::get("/export/goodreads.csv")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// Real exports that readers published (see engine/tests/fixtures/goodreads/real/SOURCE.md),
/// one per header layout Goodreads has written (31, 24 and 23 columns).
const REAL_EXPORTS: [&str; 3] = [
    "dr-rodriguez-Exploring-Goodreads.csv",
    "ajuanijustus-ajuanijustus.com.csv",
    "freizl-my-reads.csv",
];

async fn export_csv(app: &axum::Router, cookie: &str) -> String {
    let (status, _, csv) = send(
        app,
        Request::get("/export/goodreads.csv")
            .header("cookie", cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{csv}");
    csv
}

/// The rows of a Goodreads CSV, by `Book Id`, with every column the reader brought.
fn rows_by_id(
    csv: &[u8],
) -> std::collections::BTreeMap<String, engine::datasets::goodreads::Details> {
    let (rows, errors) = engine::datasets::goodreads::read_export(csv, 20_000).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    rows.into_iter()
        .map(|r| {
            let mut d = r.details;
            // "no rating" is written 0 whatever the file wrote.
            if d.my_rating.is_empty() {
                d.my_rating = "0".into();
            }
            (d.book_id.clone(), d)
        })
        .collect()
}

#[tokio::test]
async fn every_matched_row_of_a_real_export_comes_back_whole() {
    let _one = common::one_at_a_time().await;
    let site = site();
    for (i, name) in REAL_EXPORTS.iter().enumerate() {
        let path = format!(
            "{}/../engine/tests/fixtures/goodreads/real/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let original = std::fs::read(&path).unwrap();
        let reader = sign_up(&site.router, &format!("reader{i}")).await;
        let (status, _, body) =
            send(&site.router, upload(&reader, &original, "application/json")).await;
        assert_eq!(status, StatusCode::OK, "{name}: {body}");
        let summary: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert!(
            summary["rejected"].as_array().unwrap().is_empty(),
            "{name}: {summary}"
        );
        let matched = summary["matched"].as_u64().unwrap();
        assert!(matched > 0, "{name}: {summary}");

        // Every row comes back in the export with every column it had.
        let created = summary["created"].as_u64().unwrap();
        let csv = export_csv(&site.router, &reader).await;
        let brought = rows_by_id(&original);
        let exported = rows_by_id(csv.as_bytes());
        let lost: Vec<&String> = brought
            .keys()
            .filter(|id| !exported.contains_key(*id))
            .collect();
        eprintln!(
            "{name}: {} rows, {matched} matched, {created} created, {} exported, lost {lost:?}",
            brought.len(),
            exported.len()
        );
        assert!(lost.is_empty(), "{name}: rows not exported: {lost:?}");

        // "My reading, by year" counts the rows with a date read (two rows of one catalog
        // edition are one book of the library).
        let dated = brought
            .values()
            .filter(|d| {
                d.date_read
                    .get(..4)
                    .is_some_and(|y| y.parse::<u16>().is_ok())
            })
            .count() as u64;
        let (status, _, body) = send(
            &site.router,
            Request::post("/api/my_taste")
                .header("cookie", &reader)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let taste: serde_json::Value = serde_json::from_str(&body).unwrap();
        let counted: u64 = taste["years"]
            .as_array()
            .unwrap()
            .iter()
            .map(|y| y["books"].as_u64().unwrap())
            .sum();
        eprintln!("{name}: {dated} rows with a date read, {counted} books in My reading");
        assert_eq!(counted, dated, "{name}: {}", taste["years"]);
        for (id, row) in &exported {
            assert_eq!(Some(row), brought.get(id), "{name}: Book Id {id}");
        }

        // The export imported into a fresh account is the same library, and exports the same.
        let again = sign_up(&site.router, &format!("again{i}")).await;
        let (status, _, body) = send(
            &site.router,
            upload(&again, csv.as_bytes(), "application/json"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{name}: {body}");
        assert_eq!(
            library(&site.router, &again).await,
            library(&site.router, &reader).await,
            "{name}"
        );
        assert_eq!(
            rows_by_id(export_csv(&site.router, &again).await.as_bytes()),
            exported,
            "{name}"
        );
    }
}

async fn search(app: &axum::Router, query: &str) -> String {
    let (status, _, body) = send(
        app,
        Request::post("/api/search_books")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(format!("query={query}&limit=5")))
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn import(
    app: &axum::Router,
    cookie: &str,
    csv: &[u8],
) -> (serde_json::Value, Option<String>) {
    let (status, cookie, body) = send(app, upload(cookie, csv, "application/json")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (serde_json::from_str(&body).unwrap(), cookie)
}

#[tokio::test]
async fn books_a_signed_in_reader_brings_join_the_catalog_once() {
    let _one = common::one_at_a_time().await;
    let site = site();
    let path = format!(
        "{}/../engine/tests/fixtures/goodreads/real/freizl-my-reads.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let csv = std::fs::read(path).unwrap();
    let books = site.state.store.book_count();
    assert!(!search(&site.router, "deep+work+newport")
        .await
        .contains("Deep Work"));

    // An anonymous reader keeps the rows that match; the others wait for an account.
    let (summary, _) = import(&site.router, "", &csv).await;
    assert_eq!(summary["created"], 0, "{summary}");
    assert!(
        summary["unmatched"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t.as_str().unwrap().starts_with("Deep Work")),
        "{summary}"
    );
    assert_eq!(site.state.store.book_count(), books);

    // A signed-in reader's import adds them: searchable, with a page, at once.
    let ann = sign_up(&site.router, "ann").await;
    let (summary, _) = import(&site.router, &ann, &csv).await;
    let created = summary["created"].as_u64().unwrap();
    assert!(created > 200, "{summary}");
    assert_eq!(site.state.store.book_count(), books + created as usize);
    let found = search(&site.router, "deep+work+newport").await;
    assert!(found.contains("Deep Work"), "{found}");
    let key = site
        .state
        .store
        .books()
        .map(|b| b.unwrap().1)
        .find(|b| b.title.starts_with("Deep Work"))
        .unwrap()
        .key;
    let origin = site
        .state
        .store
        .origin(site.state.store.book_id(&key).unwrap().unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(origin.via, "goodreads-import");
    let (status, _, page) = send(
        &site.router,
        Request::post("/api/book_detail")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(format!("isbn={key}")))
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Cal Newport"), "{page}");

    // The same file again, or from another reader: the same books, none twice.
    let before = library(&site.router, &ann).await;
    let (again, _) = import(&site.router, &ann, &csv).await;
    assert_eq!(again["created"], 0, "{again}");
    assert_eq!(library(&site.router, &ann).await, before);
    let bob = sign_up(&site.router, "bob").await;
    let (theirs, _) = import(&site.router, &bob, &csv).await;
    assert_eq!(theirs["created"], 0, "{theirs}");
    assert_eq!(site.state.store.book_count(), books + created as usize);
}

/// A fixture of `engine/tests/fixtures` (see the `SOURCE.md` beside each).
fn fixture(path: &str) -> Vec<u8> {
    let path = format!(
        "{}/../engine/tests/fixtures/{path}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A reader's books from the JSON export: ISBN → (rating on the 1–10 scale, shelf).
async fn ratings(
    app: &axum::Router,
    cookie: &str,
) -> std::collections::BTreeMap<String, (Option<u64>, Option<String>)> {
    let (status, _, json) = send(
        app,
        Request::get("/export/shelfwise.json")
            .header("cookie", cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    doc["books"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["isbn"].as_str().unwrap().to_string(),
                (
                    b["rating_1_to_10"].as_u64(),
                    b["shelf"].as_str().map(str::to_string),
                ),
            )
        })
        .collect()
}

/// Every row is kept: found in the catalog, added to it, or listed with its line.
fn assert_every_row_kept(name: &str, summary: &serde_json::Value, rows: u64) {
    let count = |key: &str| summary[key].as_u64().unwrap();
    assert_eq!(count("rows"), rows, "{name}: {summary}");
    assert_eq!(
        count("matched") + count("created") + summary["rejected"].as_array().unwrap().len() as u64,
        rows,
        "{name}: {summary}"
    );
    assert!(
        summary["unmatched"].as_array().unwrap().is_empty(),
        "{name}: {summary}"
    );
    assert_eq!(
        summary["error"],
        serde_json::Value::Null,
        "{name}: {summary}"
    );
}

#[tokio::test]
async fn storygraph_and_librarything_exports_come_in_through_the_one_route() {
    let _one = common::one_at_a_time().await;
    let site = site();
    for (i, (path, rows)) in [
        ("storygraph/library_export.csv", 18),
        ("librarything/library_export.tsv", 13),
        ("librarything/older_layout.tsv", 3),
    ]
    .into_iter()
    .enumerate()
    {
        let reader = sign_up(&site.router, &format!("reader{i}")).await;
        let (summary, _) = import(&site.router, &reader, &fixture(path)).await;
        assert_every_row_kept(path, &summary, rows);
        assert!(
            summary["matched"].as_u64().unwrap() >= 2,
            "{path}: {summary}"
        );
        assert!(
            summary["created"].as_u64().unwrap() >= 1,
            "{path}: {summary}"
        );
        let mine = ratings(&site.router, &reader).await;
        let book = |isbn: &str| mine.get(isbn).cloned();
        let s = |v: &str| Some(v.to_string());
        match i {
            0 => {
                // 4.75 stars, read; 0.25 stars, did not finish; 2.5 stars, paused (no shelf
                // of Shelfwise's: the status stays with the row).
                assert_eq!(book("0439023483"), Some((Some(9), s("read"))), "{mine:?}");
                assert_eq!(book("0316015849"), Some((Some(1), s("did-not-finish"))));
                assert_eq!(book("0743273567"), Some((Some(5), None)));
                // Pride and Prejudice has no ISBN: found by title and author.
                assert_eq!(book("0679783261"), Some((Some(7), s("read"))));
            }
            1 => {
                // 4.5 stars with a date read; 0.5 stars, "Read but unowned"; 4 stars in
                // "Your library" only.
                assert_eq!(book("0439023483"), Some((Some(9), s("read"))), "{mine:?}");
                assert_eq!(book("0316015849"), Some((Some(1), s("read"))));
                assert_eq!(book("0451524934"), Some((Some(8), None)));
                assert_eq!(book("0618260307"), Some((None, s("reading"))));
            }
            _ => {
                assert_eq!(book("0743273567"), Some((Some(7), s("read"))), "{mine:?}");
                assert_eq!(book("0452284244"), Some((Some(8), s("want-to-read"))));
            }
        }
    }
    // Books the imports added say where they came from.
    let origin = |key: &str| {
        let id = site.state.store.book_id(key).unwrap().unwrap();
        site.state.store.origin(id).unwrap().unwrap()
    };
    let piranesi = engine::isbn::normalize("9781635575637").unwrap();
    assert_eq!(origin(&piranesi).via, "storygraph-import");
    let rayuela = origin("8420428167");
    assert_eq!(rayuela.via, "librarything-import");
    assert_eq!(
        rayuela.source_ids,
        vec![("librarything".to_string(), "113".to_string())]
    );
}

#[tokio::test]
async fn bad_files_of_every_format_are_refused_whole_or_listed_by_line() {
    let _one = common::one_at_a_time().await;
    let site = site();
    let ann = sign_up(&site.router, "ann").await;
    let ratings_before = site.state.store.rating_count();
    let sg_header = engine::datasets::storygraph::COLUMNS.join(",");
    let lt_header = engine::datasets::librarything::COLUMNS.join("\t");
    let lt_row = {
        let mut fields = vec![""; 49];
        fields[1] = "Dune";
        fields[3] = "Herbert, Frank";
        fields.join("\t")
    };
    let many = |header: &str, row: &str| {
        let mut file = format!("{header}\n");
        for _ in 0..20_001 {
            file.push_str(row);
            file.push('\n');
        }
        file.into_bytes()
    };
    let mut latin1 = fixture("storygraph/library_export.csv");
    latin1.extend_from_slice(b"Caf\xe9,Someone,,,,read,,,,1,,,,,,,,,,,,,No\n");
    let cases: Vec<(&str, Vec<u8>, Vec<&str>)> =
        vec![
        (
            "another format",
            b"isbn,title,rating\n0439023483,The Hunger Games,5\n".to_vec(),
            vec!["Goodreads", "StoryGraph", "LibraryThing", "isbn,title,rating"],
        ),
        (
            "LibraryThing's CSV export",
            b"Book Id,Title,Primary Author,Collections\n1,Dune,\"Herbert, Frank\",Your library\n"
                .to_vec(),
            vec!["tab-separated (TSV)"],
        ),
        (
            "20,001 StoryGraph rows",
            many(&sg_header, "Dune,Frank Herbert,,,,read,,,,1,,,,,,,,,,,,,No"),
            vec!["StoryGraph export has more than 20000 rows"],
        ),
        (
            "20,001 LibraryThing rows",
            many(&lt_header, &lt_row),
            vec!["LibraryThing export has more than 20000 rows"],
        ),
        (
            "a StoryGraph row not in UTF-8",
            latin1,
            vec!["StoryGraph export is not UTF-8 text (line 21)"],
        ),
        (
            "a LibraryThing file cut off in its last row",
            fixture("librarything/bad_rows.tsv"),
            vec!["ends in the middle of the row on line 7: it looks cut off"],
        ),
        (
            "a Goodreads file cut off in its last row",
            {
                let mut file = fixture("goodreads/library_export.csv");
                file.truncate(file.len() - 40);
                file
            },
            vec!["it looks cut off", "nothing was imported"],
        ),
        (
            "a LibraryThing row with a NUL byte",
            {
                let mut file = fixture("librarything/library_export.tsv");
                let second = file.iter().position(|&b| b == b'\n').unwrap() + 1;
                file.insert(second + 2, 0);
                file
            },
            vec!["line 2 of LibraryThing export is not readable text"],
        ),
        (
            "a StoryGraph export without its columns",
            b"Title,Authors,Star Rating\nDune,Frank Herbert,4.5\n".to_vec(),
            vec!["lacks required columns: Read Status"],
        ),
    ];
    for (what, file, needles) in cases {
        let (status, _, body) = send(&site.router, upload(&ann, &file, "application/json")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {body}");
        for needle in needles {
            assert!(body.contains(needle), "{what}: {needle}: {body}");
        }
        assert_eq!(site.state.store.rating_count(), ratings_before, "{what}");
        assert!(library(&site.router, &ann).await.is_empty(), "{what}");
    }
    // Bad rows in a whole file: the rest is imported, each bad row listed by line (the
    // LibraryThing file's short last row too, once a line break ends the file).
    for (path, rows, listed) in [
        (
            "storygraph/bad_rows.csv",
            8,
            vec![
                "line 2: bad Star Rating: \"4.1\" (0.25–5 stars in quarter stars expected)",
                "line 4: wrong field count: 7 (the header has 23)",
                "line 5: no title or ISBN",
                "line 12: wrong field count: 1 (the header has 23)",
            ],
        ),
        (
            "librarything/bad_rows.tsv",
            5,
            vec![
                "line 2: bad Rating: \"7\" (0.5–5 stars in half stars expected)",
                "line 7: wrong field count: 8 (the header has 49)",
            ],
        ),
    ] {
        let reader = sign_up(&site.router, &format!("bad{rows}")).await;
        let mut file = fixture(path);
        if !file.ends_with(b"\n") {
            file.push(b'\n');
        }
        let (summary, _) = import(&site.router, &reader, &file).await;
        assert_every_row_kept(path, &summary, rows);
        let rejected: Vec<&str> = summary["rejected"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        for line in listed {
            assert!(rejected.contains(&line), "{path}: {line}: {rejected:?}");
        }
    }
}

/// Every row of an export of Goodreads' layout, with every column.
fn details(csv: &[u8]) -> Vec<engine::datasets::goodreads::Details> {
    let (rows, errors) = engine::datasets::goodreads::read_export(csv, 20_000).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    rows.into_iter().map(|r| r.details).collect()
}

#[tokio::test]
async fn real_storygraph_and_librarything_exports_come_in_and_go_out_whole() {
    let _one = common::one_at_a_time().await;
    let site = site();
    let files: Vec<std::path::PathBuf> = ["storygraph", "librarything"]
        .into_iter()
        .flat_map(test_support::data::real_exports)
        .collect();
    for (i, path) in files.iter().enumerate() {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let original = std::fs::read(path).unwrap();
        let brought = engine::datasets::library::read_library_export(&original, 20_000).unwrap();
        let rows = (brought.rows.len() + brought.rejected.len()) as u64;
        let reader = sign_up(&site.router, &format!("real{i}")).await;
        let (summary, _) = import(&site.router, &reader, &original).await;
        assert_every_row_kept(&name, &summary, rows);

        // The export in Goodreads' layout: every row the reader brought, every column
        // (Goodreads' 24, then the service's own), the same rating: one per book, and the
        // file's further rows for a book another row named too.
        let csv = export_csv(&site.router, &reader).await;
        let exported = details(csv.as_bytes());
        let books = library(&site.router, &reader).await.len();
        assert_eq!(exported.len(), brought.rows.len(), "{name}");
        let mut left: Vec<_> = brought.rows.iter().map(|r| &r.details).collect();
        for row in &exported {
            let at = left.iter().position(|d| *d == row);
            assert!(at.is_some(), "{name}: exported row not brought: {row:?}");
            left.remove(at.unwrap());
        }
        assert!(left.is_empty(), "{name}: rows not exported: {left:?}");
        let named_twice = brought.rows.len() - books;

        // The export imported into a fresh account: the same books, the same ratings on the
        // 1–10 scale (quarter stars included), the same shelves, and the same export.
        let again = sign_up(&site.router, &format!("again{i}")).await;
        let (summary_again, _) = import(&site.router, &again, csv.as_bytes()).await;
        assert_every_row_kept(&name, &summary_again, exported.len() as u64);
        assert_eq!(
            ratings(&site.router, &again).await,
            ratings(&site.router, &reader).await,
            "{name}"
        );
        assert_eq!(
            details(export_csv(&site.router, &again).await.as_bytes()),
            exported,
            "{name}"
        );
        eprintln!(
            "{name}: {rows} rows, {} matched, {} created, {} listed as unreadable; \
             exported {} (every column of each; {named_twice} rows named a book another row \
             named), read back into a fresh account with the same ratings and shelves",
            summary["matched"],
            summary["created"],
            summary["rejected"].as_array().unwrap().len(),
            exported.len(),
        );
    }
}

/// `POST /api/my_notes` for `isbn`, as `cookie` (none: a visitor): the JSON answer.
async fn my_notes(app: &axum::Router, cookie: Option<&str>, isbn: &str) -> serde_json::Value {
    let mut req =
        Request::post("/api/my_notes").header("content-type", "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    let (status, _, body) = send(app, req.body(Body::from(format!("isbn={isbn}"))).unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).unwrap()
}

#[tokio::test]
async fn a_readers_notes_come_back_on_the_book_page_cleaned_and_only_to_them() {
    let _one = common::one_at_a_time().await;
    let site = site();
    let ann = sign_up(&site.router, "notes-ann").await;
    let csv = String::from_utf8(std::fs::read(EXPORT).unwrap())
        .unwrap()
        .replace(
            "Read it aloud twice. Still magic.",
            // A quoted CSV field: the HTML's own quotes are doubled.
            "\"Read it <b>aloud</b> twice.<br/><script>alert(1)</script>\
             <a href=\"\"javascript:alert(2)\"\">x</a>\"",
        );
    let (status, _, body) = send(
        &site.router,
        upload(&ann, csv.as_bytes(), "application/json"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The row names an edition the test catalog lacks: it joined the work's edition there.
    let mut found = None;
    for (isbn, _, _) in library(&site.router, &ann).await {
        let notes = my_notes(&site.router, Some(&ann), &isbn).await;
        if notes["review_html"]
            .as_str()
            .is_some_and(|r| r.contains("aloud"))
        {
            found = Some((isbn, notes));
        }
    }
    let (isbn, notes) = found.expect("the review came back on its book");
    let review = notes["review_html"].as_str().unwrap();
    assert!(
        review.starts_with("Read it <b>aloud</b> twice.<br>"),
        "{review}"
    );
    for bad in ["script", "alert", "javascript"] {
        assert!(!review.contains(bad), "{bad} in {review}");
    }
    assert!(!notes["tags"].as_array().unwrap().is_empty(), "{notes}");
    // Nobody else sees them: not a visitor, not another reader.
    assert!(my_notes(&site.router, None, &isbn).await.is_null());
    let bob = sign_up(&site.router, "notes-bob").await;
    assert!(my_notes(&site.router, Some(&bob), &isbn).await.is_null());
}

#[tokio::test]
async fn two_editions_matched_by_title_keep_both_rows() {
    let _one = common::one_at_a_time().await;
    let site = site();
    let ann = sign_up(&site.router, "two-editions").await;
    // Two editions of one work the catalog has, neither by an ISBN it knows: both match the
    // work by title and author. Each keeps its own review.
    let csv = "Book Id,Title,Author,ISBN,ISBN13,My Rating,Exclusive Shelf,Date Read,My Review\n\
               9001,The Hunger Games,Suzanne Collins,,,5,read,2012/01/02,First read: gripping.\n\
               9002,The Hunger Games (Hunger Games #1),Suzanne Collins,,,4,read,2020/05/06,Reread: still good.\n";
    let (summary, _) = import(&site.router, &ann, csv.as_bytes()).await;
    assert_eq!(summary["rows"], 2, "{summary}");
    assert_eq!(summary["created"], 1, "{summary}");
    let books = library(&site.router, &ann).await;
    assert_eq!(books.len(), 2, "{books:?}");
    let exported = export_csv(&site.router, &ann).await;
    for review in [
        "First read: gripping.",
        "Reread: still good.",
        "2012/01/02",
        "2020/05/06",
    ] {
        assert!(exported.contains(review), "{review}: {exported}");
    }
}

#[tokio::test]
async fn rows_for_one_book_are_all_kept_and_an_export_reads_back_the_same() {
    let _one = common::one_at_a_time().await;
    let site = site();
    let ann = sign_up(&site.router, "same-book-rows").await;
    // No ids at all (as StoryGraph writes): two editions of one work told apart by their
    // titles only, and one ISBN listed twice (a re-read entered as a second row).
    let csv = "Book Id,Title,Author,ISBN,ISBN13,My Rating,Exclusive Shelf,Date Read,My Review\n\
               ,The Hunger Games,Suzanne Collins,,,5,read,2012/01/02,First read: gripping.\n\
               ,The Hunger Games (Hunger Games #1),Suzanne Collins,,,4,read,2020/05/06,Reread: still good.\n\
               ,Catching Fire,Suzanne Collins,0439023491,,4,read,2013/03/04,Second book.\n\
               ,Catching Fire,Suzanne Collins,0439023491,,3,read,2021/07/08,Second book again: slower.\n";
    let (summary, _) = import(&site.router, &ann, csv.as_bytes()).await;
    assert_eq!(summary["rows"], 4, "{summary}");
    let first = export_csv(&site.router, &ann).await;
    for kept in [
        "First read: gripping.",
        "Reread: still good.",
        "Second book.",
        "Second book again: slower.",
        "2021/07/08",
    ] {
        assert!(first.contains(kept), "{kept}: {first}");
    }
    assert_eq!(first.trim().lines().count(), 1 + 4, "{first}");
    // The first row of a book gives its rating; the second is kept as it came.
    let ann_books = library(&site.router, &ann).await;
    assert_eq!(ann_books.len(), 3, "{ann_books:?}");

    // The export read into a fresh account: the same books, the same ratings, every row.
    let bob = sign_up(&site.router, "same-book-rows-2").await;
    let (again, _) = import(&site.router, &bob, first.as_bytes()).await;
    assert_eq!(again["rows"], 4, "{again}");
    assert_eq!(again["created"], 0, "{again}");
    assert_eq!(library(&site.router, &bob).await, ann_books);
    let second = export_csv(&site.router, &bob).await;
    let rows = |csv: &str| {
        let mut r: Vec<String> = csv.lines().map(str::to_string).collect();
        r.sort();
        r
    };
    assert_eq!(rows(&second), rows(&first));
}
