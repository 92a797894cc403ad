//! Acknowledged ratings survive `kill -9`: the real `shelfwise` binary serves a store in a temp
//! dir; clients rate books over HTTP; the server is killed at a random moment, restarted, and
//! every rating it acknowledged must be there. Twenty rounds, several writers each.

mod common;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::binary::{free_port, import_fixture, my_ratings, post, Server};
use common::FIXTURES;

const ROUNDS: usize = 20;
/// A client's session cookie and the ratings the server acknowledged to it.
type Session = (String, Vec<(String, u8)>);
const WRITERS: usize = 4;

/// Serve `data` on `port`. Every round's writers are new anonymous readers from 127.0.0.1:
/// the per-address limit is lifted.
fn serve(data: &Path, port: u16) -> Server {
    Server::start(data, port, &["--anonymous-per-hour", "100000"])
}

/// The catalog's ISBNs (the fixture's books, read from the store through the search function
/// would need a query; the CSV's isbn column is simpler).
fn isbns() -> Vec<String> {
    let text = std::fs::read_to_string(Path::new(FIXTURES).join("books.csv")).unwrap();
    let mut rdr = csv_lite(&text);
    rdr.retain(|k| k.len() == 10);
    rdr
}

/// The `isbn` column (6th) of the fixture, zero-padded like the importer does.
fn csv_lite(text: &str) -> Vec<String> {
    text.lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(5))
        .filter(|i| !i.is_empty() && i.chars().all(|c| c.is_ascii_alphanumeric()))
        .map(|i| format!("{i:0>10}"))
        .collect()
}

/// One writer: an anonymous reader rating books one after another until stopped. Returns the
/// session and every rating the server acknowledged.
fn writer(
    port: u16,
    books: Arc<Vec<String>>,
    offset: usize,
    stop: Arc<AtomicBool>,
) -> (Option<String>, Vec<(String, u8)>) {
    let mut cookie: Option<String> = None;
    let mut acked = Vec::new();
    for i in 0..books.len() {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let isbn = &books[(offset + i) % books.len()];
        let stars = (i % 5 + 1) as u8;
        match post(
            port,
            "rate_book",
            &format!("isbn={isbn}&stars={stars}"),
            cookie.as_deref(),
        ) {
            Ok((_, set)) => {
                if cookie.is_none() {
                    cookie = set;
                }
                acked.push((isbn.clone(), stars));
            }
            Err(_) => break,
        }
    }
    (cookie, acked)
}

#[test]
fn acknowledged_ratings_survive_kill_dash_nine() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    import_fixture(data);
    let books = Arc::new(isbns());
    assert!(books.len() >= 50, "{}", books.len());

    let sessions: Arc<Mutex<Vec<Session>>> = Arc::default();
    let mut total_acked = 0;
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    for round in 0..ROUNDS {
        let port = free_port();
        let server = serve(data, port);
        // Everything acknowledged before this restart is still there.
        for (cookie, acked) in sessions.lock().unwrap().iter() {
            let stored = my_ratings(port, cookie);
            for (isbn, stars) in acked {
                assert_eq!(stored.get(isbn), Some(stars), "round {round}: {isbn} lost");
            }
        }
        let stop = Arc::new(AtomicBool::new(false));
        let handles: Vec<_> = (0..WRITERS)
            .map(|w| {
                let (books, stop) = (books.clone(), stop.clone());
                std::thread::spawn(move || writer(port, books, w * 13 + round, stop))
            })
            .collect();
        // A random moment between 50 and 550 ms into the writes.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_millis(50 + seed % 500));
        server.kill(); // SIGKILL: no shutdown, no flush.
        stop.store(true, Ordering::Relaxed);
        for h in handles {
            let (cookie, acked) = h.join().unwrap();
            if let Some(cookie) = cookie {
                total_acked += acked.len();
                sessions.lock().unwrap().push((cookie, acked));
            }
        }
    }
    // The last check, after the twentieth kill.
    let port = free_port();
    let server = serve(data, port);
    let mut present = 0;
    for (cookie, acked) in sessions.lock().unwrap().iter() {
        let stored = my_ratings(port, cookie);
        for (isbn, stars) in acked {
            assert_eq!(stored.get(isbn), Some(stars), "{isbn} lost");
            present += 1;
        }
    }
    server.kill();
    eprintln!(
        "{ROUNDS} kills: {total_acked} ratings acknowledged, {present} present after restart"
    );
    assert_eq!(present, total_acked);
    assert!(
        total_acked > 100,
        "too few writes to mean anything: {total_acked}"
    );
}
