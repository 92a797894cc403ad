//! Hostile input through the whole router: 10,000 malformed, oversized or mistyped requests to
//! every server function, the Goodreads upload and the exports, from a seeded generator (set
//! `SHELFWISE_FUZZ_SEED` to try another sequence, `SHELFWISE_FUZZ_REQUESTS` for another count).
//!
//! Every request must be answered (no panic) with something other than a 5xx, and a refused
//! request (4xx) must leave the store exactly as it was. Some requests are valid by chance
//! (a well-formed rating, a sign-up with a good name) and may write: they answer 2xx.

mod common;

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::*;

use test_support::rng::{SplitMix64 as Rng, TestRng};

/// What a server-function argument is, so a valid value can be generated now and then.
#[derive(Clone, Copy)]
enum Kind {
    Isbn,
    Query,
    Number,
    Stars,
    Shelf,
    Sort,
    Filter,
    Username,
    Password,
}

/// Every server function (`grep -rn '#\[server' app/src`) and its arguments.
const FUNCTIONS: &[(&str, &[(&str, Kind)])] = &[
    ("popular_books", &[("page", Kind::Number)]),
    (
        "search_books",
        &[("query", Kind::Query), ("limit", Kind::Number)],
    ),
    ("book_detail", &[("isbn", Kind::Isbn)]),
    ("current_reader", &[]),
    (
        "signup",
        &[("username", Kind::Username), ("password", Kind::Password)],
    ),
    (
        "login",
        &[("username", Kind::Username), ("password", Kind::Password)],
    ),
    ("logout", &[]),
    (
        "change_password",
        &[("current", Kind::Password), ("new", Kind::Password)],
    ),
    ("delete_account", &[("password", Kind::Password)]),
    ("rate_book", &[("isbn", Kind::Isbn), ("stars", Kind::Stars)]),
    ("for_you", &[("limit", Kind::Number)]),
    ("because_rows", &[]),
    ("similar_books", &[("isbn", Kind::Isbn)]),
    ("onboarding", &[("authors", Kind::Query)]),
    ("my_taste", &[]),
    (
        "shelve_book",
        &[("isbn", Kind::Isbn), ("shelf", Kind::Shelf)],
    ),
    (
        "my_books",
        &[("sort", Kind::Sort), ("filter", Kind::Filter)],
    ),
    ("last_import", &[]),
];

/// A value for a form field, already in `x-www-form-urlencoded` form (or deliberately not).
fn value(rng: &mut Rng, kind: Kind) -> Vec<u8> {
    let valid: String = match kind {
        Kind::Isbn => rng
            .pick(&[
                HUNGER_GAMES,
                HARRY_POTTER,
                TWILIGHT,
                "978-0-439-02348-1",
                "0000000000",
            ])
            .to_string(),
        Kind::Query => rng.pick(&["hunger", "hary poter", "the", "a"]).to_string(),
        Kind::Number => rng.below(60).to_string(),
        Kind::Stars => rng.below(7).to_string(),
        Kind::Shelf => rng
            .pick(&["read", "reading", "want-to-read", "not-interested", ""])
            .to_string(),
        Kind::Sort => rng
            .pick(&["recent", "rating", "title", "author"])
            .to_string(),
        Kind::Filter => rng.pick(&["", "rated", "read", "reading"]).to_string(),
        Kind::Username => format!("fz{}", rng.next_u64() % 1_000_000),
        Kind::Password => PASSWORD.replace(' ', "+"),
    };
    let hostile: Vec<u8> = match rng.below(16) {
        0 => Vec::new(),
        1 => "a"
            .repeat(rng.pick(&[300, 5_000, 100_000]).to_owned())
            .into_bytes(),
        2 => b"%00%01%02%1B%7F%0A%0D%09".to_vec(),
        3 => rng.pick(&[&b"%"[..], b"%Z", b"%G1", b"%%", b"%2"]).to_vec(),
        4 => b"%FF%FE%FD".to_vec(),
        5 => b"%C3%28%E2%82".to_vec(),
        6 => rng
            .pick(&[
                "-1",
                "4294967296",
                "99999999999999999999999",
                "1e9",
                "NaN",
                "0x10",
                "256",
                "3.5",
                "+3",
                "%203",
                "-0",
            ])
            .as_bytes()
            .to_vec(),
        7 => b"%3Cscript%3Ealert(1)%3C%2Fscript%3E".to_vec(),
        8 => "%E2%80%AE%F0%9F%93%9A%EF%BB%BF".as_bytes().to_vec(),
        // Raw bytes, unencoded: the body is not even UTF-8.
        9 => {
            let n = rng.below(64);
            rng.bytes(n)
        }
        // Random bytes, percent-encoded.
        10 => {
            let n = rng.below(64);
            rng.bytes(n)
                .iter()
                .flat_map(|b| format!("%{b:02X}").into_bytes())
                .collect()
        }
        11 => b"a=b&c".to_vec(),
        12 => format!("{valid}{valid}{valid}").into_bytes(),
        _ => return valid.into_bytes(),
    };
    hostile
}

/// A form body for these fields: values valid or hostile, fields missing, extra or repeated.
fn form(rng: &mut Rng, fields: &[(&str, Kind)]) -> Vec<u8> {
    let mut parts: Vec<Vec<u8>> = Vec::new();
    for &(name, kind) in fields {
        if rng.chance(12) {
            continue;
        }
        let copies = if rng.chance(8) { 2 } else { 1 };
        for _ in 0..copies {
            let mut p = name.as_bytes().to_vec();
            p.push(b'=');
            p.extend(value(rng, kind));
            parts.push(p);
        }
    }
    if rng.chance(12) {
        let extra = rng.pick(&["extra", "user_id", "__proto__", "", "stars[]", "a%00b"]);
        parts.push(format!("{extra}=1").into_bytes());
    }
    if rng.chance(10) && parts.len() > 1 {
        parts.reverse();
    }
    let sep: &[u8] = if rng.chance(5) { b"&&" } else { b"&" };
    parts.join(sep)
}

/// The store's trees, each hashed whole: compared before and after a request.
fn fingerprint(state: &app::backend::state::AppState) -> BTreeMap<String, u64> {
    let db = state.store.db();
    db.tree_names()
        .into_iter()
        .map(|name| {
            let tree = db.open_tree(&name).unwrap();
            let mut h = DefaultHasher::new();
            for kv in tree.iter() {
                let (k, v) = kv.unwrap();
                k.hash(&mut h);
                v.hash(&mut h);
            }
            (String::from_utf8_lossy(&name).into_owned(), h.finish())
        })
        .collect()
}

/// A multipart body with these (field name, file bytes) parts.
fn multipart(boundary: &str, parts: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, bytes) in parts {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; \
                 filename=\"x.csv\"\r\nContent-Type: text/csv\r\n\r\n"
            )
            .into_bytes(),
        );
        body.extend(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").into_bytes());
    body
}

/// A file for the Goodreads upload: a real header with mutated rows, or garbage.
fn upload_file(rng: &mut Rng) -> Vec<u8> {
    let header = engine::datasets::goodreads::COLUMNS.join(",");
    match rng.below(9) {
        0 => {
            let n = rng.below(4096);
            rng.bytes(n)
        }
        1 => Vec::new(),
        // Latin-1 and broken UTF-8 in an otherwise fine file.
        2 => {
            let mut f = format!("{header}\n1,Caf").into_bytes();
            f.extend([0xe9, 0xff, 0xfe, b',', 0xc3, 0x28]);
            f.extend(b",,,,,,,,,,,,,,,,,,,,,\n");
            f
        }
        // Binary: NULs and control bytes after the header.
        3 => {
            let mut f = format!("{header}\n").into_bytes();
            f.extend([0u8, 1, 2, 0, 0x1b, b'\n', 0, b',', b'"']);
            f
        }
        // Missing columns.
        4 => b"Title,Author\nThe Hunger Games,Suzanne Collins\n".to_vec(),
        // Rows with out-of-range and hostile values.
        5 => {
            let mut f = format!("{header}\n");
            for _ in 0..rng.below(50) {
                let cols: Vec<String> = (0..engine::datasets::goodreads::COLUMNS.len())
                    .map(|_| {
                        rng.pick(&[
                            "",
                            "=\"0439023483\"",
                            "99999999999",
                            "-5",
                            "\"unterminated",
                            "read",
                            "<script>alert(1)</script>",
                            "The Hunger Games",
                            "Suzanne Collins",
                            "2024/13/45",
                        ])
                        .to_string()
                    })
                    .collect();
                f.push_str(&cols.join(","));
                f.push('\n');
            }
            f.into_bytes()
        }
        // One huge field (under the upload limit).
        6 => format!("{header}\n\"{}\"\n", "x".repeat(2 << 20)).into_bytes(),
        // Too many rows.
        7 => {
            let mut f = format!("{header}\n");
            f.push_str(&"1,T,A,,,=\"\",=\"\",0,0,,,,,,,,read,,,,,,,\n".repeat(25_000));
            f.into_bytes()
        }
        _ => format!("{header}\n1,The Hunger Games,Suzanne Collins,,,=\"0439023483\",=\"\",4,0,,,,,,,,read,,,,,,,\n")
            .into_bytes(),
    }
}

/// One hostile request to the Goodreads upload.
fn upload_request(rng: &mut Rng) -> Request<Body> {
    let boundary = "XyZzY42";
    let (content_type, body): (String, Vec<u8>) = match rng.below(10) {
        0 => (
            format!("multipart/form-data; boundary={boundary}"),
            multipart(boundary, &[("wrong", upload_file(rng))]),
        ),
        1 => (
            format!("multipart/form-data; boundary={boundary}"),
            multipart(
                boundary,
                &[("file", upload_file(rng)), ("file", upload_file(rng))],
            ),
        ),
        2 => ("multipart/form-data".into(), upload_file(rng)),
        3 => (format!("multipart/form-data; boundary={boundary}"), {
            let mut b = multipart(boundary, &[("file", upload_file(rng))]);
            let cut = rng.below(b.len().max(1));
            b.truncate(cut);
            b
        }),
        4 => ("text/csv".into(), upload_file(rng)),
        5 => ("application/json".into(), b"{\"file\":\"x\"}".to_vec()),
        6 => (
            format!("multipart/form-data; boundary={boundary}"),
            multipart(boundary, &[]),
        ),
        7 => (
            format!("multipart/form-data; boundary=\"{}\"", "b".repeat(200)),
            upload_file(rng),
        ),
        _ => (
            format!("multipart/form-data; boundary={boundary}"),
            multipart(boundary, &[("file", upload_file(rng))]),
        ),
    };
    Request::post("/import/library")
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CONTENT_LENGTH, body.len())
        .body(Body::from(body))
        .unwrap()
}

/// The kinds of request sent, for the summary.
#[derive(Debug, Default)]
struct Tally {
    by_class: BTreeMap<u16, usize>,
    by_target: BTreeMap<String, usize>,
    sent: usize,
    panics: Vec<String>,
    server_errors: Vec<String>,
    refused_but_written: Vec<String>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_hostile_requests_get_no_5xx_no_panic_and_no_half_writes() {
    let _one = common::one_at_a_time().await;
    let seed: u64 = std::env::var("SHELFWISE_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_5e1f);
    let total: usize = std::env::var("SHELFWISE_FUZZ_REQUESTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    // The fuzzer signs up again and again from one address; the per-address limits have
    // tests of their own.
    let site = Site::with(
        app::backend::state::Settings {
            limits: app::backend::state::Limits {
                sign_ups_per_hour: u32::MAX,
                anonymous_per_hour: u32::MAX,
            },
            ..Default::default()
        },
        |_| {},
    );
    let mut rng = Rng::new(seed);
    let mut token = site.sign_up("fuzz_owner").await;
    let mut tally = Tally::default();
    let mut fresh = 0;

    for i in 0..total {
        // Which target, and how the request is broken.
        let target = rng.below(FUNCTIONS.len() + 5);
        let (label, mut req): (String, Request<Body>) = if target < FUNCTIONS.len() {
            let (name, fields) = FUNCTIONS[target];
            let uri = if rng.chance(5) {
                format!("/api/{name}?limit=%FF&page=-1&x=%")
            } else {
                format!("/api/{name}")
            };
            let (method, content_type, body): (Method, Option<String>, Vec<u8>) =
                match rng.below(20) {
                    0..=9 => (
                        Method::POST,
                        Some("application/x-www-form-urlencoded".into()),
                        form(&mut rng, fields),
                    ),
                    10 | 11 => {
                        let n = rng.below(2048);
                        let ct = rng
                            .pick(&[
                                "application/x-www-form-urlencoded",
                                "application/octet-stream",
                                "text/plain",
                            ])
                            .to_string();
                        (Method::POST, Some(ct), rng.bytes(n))
                    }
                    12 | 13 => {
                        let body = match rng.below(3) {
                            0 => b"{\"isbn\":\"0439023483\",\"stars\":4}".to_vec(),
                            1 => b"{\"query\":[1,2],\"limit\":1e99".to_vec(),
                            _ => b"[null]".to_vec(),
                        };
                        (Method::POST, Some("application/json".into()), body)
                    }
                    14 => {
                        let ct = rng
                            .pick(&[
                                "",
                                "multipart/form-data",
                                "application/cbor",
                                "text/html; charset=ebcdic",
                                "application/x-www-form-urlencoded; charset=utf-16",
                            ])
                            .to_string();
                        (Method::POST, Some(ct), form(&mut rng, fields))
                    }
                    15 => (Method::POST, None, form(&mut rng, fields)),
                    16 => (
                        rng.pick(&[Method::GET, Method::PUT, Method::DELETE, Method::PATCH])
                            .clone(),
                        Some("application/x-www-form-urlencoded".into()),
                        form(&mut rng, fields),
                    ),
                    // Over the 1 MiB limit.
                    17 => {
                        let mut body = b"query=".to_vec();
                        body.resize((1 << 20) + 1 + rng.below(4096), b'a');
                        (
                            Method::POST,
                            Some("application/x-www-form-urlencoded".into()),
                            body,
                        )
                    }
                    _ => (
                        Method::POST,
                        Some("application/x-www-form-urlencoded".into()),
                        form(&mut rng, fields),
                    ),
                };
            let huge = body.len() > 1 << 20;
            let mut b = Request::builder().method(method).uri(uri);
            if let Some(ct) = content_type {
                b = b.header(header::CONTENT_TYPE, ct);
            }
            // Half the oversized bodies declare their length (refused before reading), half
            // arrive without it and are cut off while being read.
            let stream = huge && rng.chance(50);
            if !stream {
                b = b.header(header::CONTENT_LENGTH, body.len());
            }
            let body = if stream {
                let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
                    body.chunks(64 << 10).map(|c| Ok(c.to_vec())).collect();
                Body::from_stream(futures_stream(chunks))
            } else {
                Body::from(body)
            };
            (name.to_string(), b.body(body).unwrap())
        } else {
            match target - FUNCTIONS.len() {
                0 | 1 => ("import/library".into(), upload_request(&mut rng)),
                2 | 3 => {
                    let path = rng.pick(&[
                        "/export/goodreads.csv",
                        "/export/shelfwise.json",
                        "/export/goodreads.csv?user=1",
                        "/export/shelfwise.json?user_id=2&format=%FF",
                    ]);
                    let method = if rng.chance(10) {
                        Method::POST
                    } else {
                        Method::GET
                    };
                    (
                        "export".into(),
                        Request::builder()
                            .method(method)
                            .uri(*path)
                            .body(Body::empty())
                            .unwrap(),
                    )
                }
                _ => {
                    let path = rng.pick(&[
                        "/search?q=%FF%FE",
                        "/search?q=%3Cscript%3E&page=99999999999",
                        "/book/%00%01",
                        "/book/..%2F..%2Fetc%2Fpasswd",
                        "/my-books?sort=%FF&filter=%00",
                        "/import?x=%",
                        "/?page=-1",
                        "/pkg/..%2F..%2FCargo.toml",
                    ]);
                    (
                        "pages".into(),
                        Request::get(*path).body(Body::empty()).unwrap(),
                    )
                }
            }
        };
        // Cookies and origins: the reader's session, garbage, or none; now and then a
        // request from another site.
        let headers = req.headers_mut();
        match rng.below(6) {
            0 | 1 => {
                headers.insert(
                    header::COOKIE,
                    format!("shelfwise_session={token}").parse().unwrap(),
                );
            }
            2 => {
                let junk = rng.pick(&[
                    "shelfwise_session=",
                    "shelfwise_session=zz",
                    "shelfwise_session=%FF%FE; shelfwise_session=x",
                    "=;=;;;shelfwise_session",
                ]);
                headers.insert(header::COOKIE, junk.parse().unwrap());
            }
            3 => {
                headers.insert(
                    header::COOKIE,
                    format!("shelfwise_session={}", "f".repeat(64))
                        .parse()
                        .unwrap(),
                );
            }
            _ => {}
        }
        if rng.chance(4) {
            headers.insert(header::ORIGIN, "https://evil.example".parse().unwrap());
        }

        let before = fingerprint(&site.state);
        let router = site.router.clone();
        let joined = tokio::spawn(async move {
            use tower::ServiceExt;
            let resp = router.oneshot(req).await.unwrap();
            Reply::of(resp).await
        })
        .await;
        tally.sent += 1;
        *tally.by_target.entry(label.clone()).or_default() += 1;
        let reply = match joined {
            Ok(r) => r,
            Err(e) => {
                tally.panics.push(format!("#{i} {label}: {e}"));
                continue;
            }
        };
        let status = reply.status.as_u16();
        *tally.by_class.entry(status / 100 * 100).or_default() += 1;
        if reply.status.is_server_error() {
            tally.server_errors.push(format!(
                "#{i} {label}: {} {}",
                status,
                reply.body.chars().take(200).collect::<String>()
            ));
        }
        if reply.status.is_client_error() {
            let after = fingerprint(&site.state);
            let changed: Vec<&String> = after
                .iter()
                .filter(|(k, v)| before.get(*k) != Some(v))
                .map(|(k, _)| k)
                .collect();
            // One deliberate write on a refusal: an upload refused as a whole keeps its
            // summary (and the anonymous reader it belongs to) for the /import page. Their
            // ratings and shelves must still be untouched.
            let refused_file = label == "import/library"
                && reply.status == StatusCode::BAD_REQUEST
                && reply.body.contains("\"error\":\"");
            // And the throttle counts every password check before it runs, and every new
            // anonymous reader, in the store (issue 22): a refused guess is counted.
            let checks_password =
                ["login", "change_password", "delete_account"].contains(&label.as_str());
            let allowed: &[&str] = if refused_file {
                &[
                    "meta",
                    "users",
                    "user_keys",
                    "sessions",
                    "user_sessions",
                    "throttle",
                ]
            } else if checks_password {
                &["throttle"]
            } else {
                &[]
            };
            let bad: Vec<&&String> = changed
                .iter()
                .filter(|k| !allowed.contains(&k.as_str()))
                .collect();
            if !bad.is_empty() {
                tally.refused_but_written.push(format!(
                    "#{i} {label}: {status} changed {bad:?}: {}",
                    reply.body.chars().take(120).collect::<String>()
                ));
            }
        }
        // The session may have been ended by a request valid by chance: start another.
        let may_end_session =
            ["logout", "delete_account", "change_password"].contains(&label.as_str());
        if may_end_session && site.call("current_reader", "", Some(&token)).await.body == "null" {
            fresh += 1;
            token = site.sign_up(&format!("fuzz_owner{fresh}")).await;
        }
    }

    eprintln!(
        "hostile: {} requests (seed {seed:#x}); by status class {:?}; by target {:?}; \
         {} panics, {} 5xx, {} refused requests that wrote; {} fresh sessions",
        tally.sent,
        tally.by_class,
        tally.by_target,
        tally.panics.len(),
        tally.server_errors.len(),
        tally.refused_but_written.len(),
        fresh
    );
    assert!(tally.panics.is_empty(), "panics: {:#?}", tally.panics);
    assert!(
        tally.server_errors.is_empty(),
        "5xx, by kind: {:#?}",
        grouped(&tally.server_errors)
    );
    assert!(
        tally.refused_but_written.is_empty(),
        "refused but written, by kind: {:#?}",
        grouped(&tally.refused_but_written)
    );
    assert_eq!(tally.sent, total);
}

/// Failures grouped by what they say (request number dropped), with a count and an example.
fn grouped(failures: &[String]) -> BTreeMap<String, (usize, String)> {
    let mut groups: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for f in failures {
        let rest = f.split_once(' ').map(|(_, r)| r).unwrap_or(f);
        let key: String = rest
            .chars()
            .filter(|c| !c.is_ascii_digit())
            .take(90)
            .collect();
        let entry = groups.entry(key).or_insert((0, f.clone()));
        entry.0 += 1;
    }
    groups
}

/// A body stream without a declared length.
fn futures_stream(
    chunks: Vec<Result<Vec<u8>, std::io::Error>>,
) -> impl futures_core::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static {
    struct Chunks(std::vec::IntoIter<Result<Vec<u8>, std::io::Error>>);
    impl futures_core::Stream for Chunks {
        type Item = Result<Vec<u8>, std::io::Error>;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            std::task::Poll::Ready(self.0.next())
        }
    }
    Chunks(chunks.into_iter())
}
