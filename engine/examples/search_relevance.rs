//! Search relevance on the real Book-Crossing catalog: does search find what readers mean?
//!
//! Runs the hand-written queries of `bench/search/queries.tsv` (issue 24: authors, author
//! typos, exact titles, partial titles, series, ISBNs in every spelling, title typos; the
//! file's header explains its format) against the catalog as a reader's server sees it:
//! `BX-Books.csv` and `BX-Book-Ratings.csv` read from `SHELFWISE_BX_DIR` (default `data/raw`
//! at the workspace root) the way the store imports them (one book per catalog key, a later
//! row of the same key replacing the earlier one; one rating per reader and book; ratings of
//! unknown books dropped), then [`Catalog::build`].
//!
//! For each query it asks `catalog.search(query, 10)` and finds the rank of the first
//! acceptable hit. It prints, per kind and overall, the number of queries, success@1 and
//! success@3 (an acceptable hit at rank 1, in the top 3), MRR@10 (mean of 1/rank, 0 when no
//! acceptable hit is in the top 10) and found@10; then the search latency over all queries
//! (one warm-up pass, then 5 timed passes; p50/p99/max of each query's median) and the time
//! to build the catalog.
//!
//! The file is checked strictly when loaded (unknown kind, empty query or accept, unknown
//! clause: an error naming the line), and every accept alternative must match at least one
//! book of the catalog, so that every query can be answered.
//!
//! Only the catalog's public face is used (`Catalog::build`, `Catalog::search`,
//! `Catalog::book`, `engine::text::fold`), so the same program measures any search engine
//! put behind it.
//!
//! Run with `cargo run --release -p engine --example search_relevance`; add `-- --failures`
//! to list each query whose top hit is not acceptable with its top 3 hits, and/or
//! `-- FILE` to read another queries file.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use engine::catalog::Catalog;
use engine::datasets::bookcrossing::{read_books, read_ratings};
use engine::records::{Book, ImportReport, Rating};
use engine::text::fold;

/// Hits asked for per query, and the depth of MRR and found@10.
const TOP: usize = 10;
/// Timed passes over all queries (after one warm-up pass).
const TIMED_PASSES: usize = 5;
/// The queries file, relative to the workspace root.
const DEFAULT_QUERIES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../bench/search/queries.tsv");
/// The header line the queries file must start with (after comments and blank lines).
const HEADER: &str = "kind\tquery\taccept";

type BoxError = Box<dyn std::error::Error>;
/// Ratings as the catalog takes them: (book id, rating).
type Ratings = Vec<(u32, Rating)>;

/// The catalog `scale` times over, to see how search copes with a larger one (`--scale`): each
/// copy of a book gets a key of its own and a title with one letter of its longest word
/// changed and a copy number appended, so the copies are works of their own, the vocabulary
/// grows with them (typo searches walk a larger dictionary) and every common word's postings
/// grow `scale` times. Copies have no ratings, so the answers the queries accept stay the
/// original books.
fn grow(books: Vec<Book>, scale: usize) -> Vec<Book> {
    let mut grown = books.clone();
    for copy in 1..scale {
        let letter = char::from(b'a' + (copy % 26) as u8);
        grown.extend(books.iter().map(|b| {
            let mut words: Vec<String> = b.title.split(' ').map(str::to_string).collect();
            if let Some(longest) = words.iter_mut().max_by_key(|w| w.chars().count()) {
                if let Some((at, _)) = longest.char_indices().last() {
                    longest.replace_range(at.., &letter.to_string());
                }
            }
            let title = format!("{} {copy}", words.join(" "));
            Book::new(format!("{}~{copy}", b.key), title, b.author.clone())
        }));
    }
    grown
}

fn main() -> Result<(), BoxError> {
    let mut failures = false;
    let mut scale = 1usize;
    let mut path: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--failures" => failures = true,
            "--scale" => {
                scale = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|&n| (1..=64).contains(&n))
                    .ok_or("--scale takes a whole number from 1 to 64")?;
            }
            "-h" | "--help" => {
                println!("usage: search_relevance [--failures] [--scale N] [QUERIES_FILE]");
                return Ok(());
            }
            a if a.starts_with('-') => return Err(format!("unknown option {a:?}").into()),
            a if path.is_none() => path = Some(PathBuf::from(a)),
            a => return Err(format!("more than one queries file: {a:?}").into()),
        }
    }
    let path = path.unwrap_or_else(|| PathBuf::from(DEFAULT_QUERIES));
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let queries = parse_queries(&text).map_err(|e| format!("{}:{e}", path.display()))?;
    println!("{} queries from {}", queries.len(), path.display());

    let dir = test_support::data::bookcrossing_dir();
    let started = Instant::now();
    let (books, ratings) = load_bookcrossing(&dir)?;
    println!(
        "loaded {} books and {} ratings from {} in {:.2} s",
        books.len(),
        ratings.len(),
        dir.display(),
        started.elapsed().as_secs_f64()
    );
    check_reachable(&queries, &books).map_err(|e| format!("{}:{e}", path.display()))?;
    let books = if scale > 1 {
        let grown = grow(books, scale);
        println!("grown to {} books ({scale}x, see `grow`)", grown.len());
        grown
    } else {
        books
    };

    let started = Instant::now();
    let catalog = Catalog::build(books, ratings)?;
    let build = started.elapsed();
    println!("built the catalog in {:.3} s", build.as_secs_f64());

    // Relevance (one pass), doubling as the warm-up pass of the latency measurement.
    let results: Vec<Outcome> = queries
        .iter()
        .map(|q| {
            let hits: Vec<u32> = catalog.search(&q.text, TOP).iter().map(|h| h.doc).collect();
            let rank = hits
                .iter()
                .position(|&doc| catalog.book(doc).is_some_and(|b| q.accepts(b)))
                .map(|i| i + 1);
            Outcome { rank, hits }
        })
        .collect();

    let mut timings: Vec<Vec<Duration>> = vec![Vec::with_capacity(TIMED_PASSES); queries.len()];
    for _ in 0..TIMED_PASSES {
        for (q, t) in queries.iter().zip(&mut timings) {
            let started = Instant::now();
            std::hint::black_box(catalog.search(&q.text, TOP));
            t.push(started.elapsed());
        }
    }

    println!();
    println!(
        "{:<12} {:>5} {:>10} {:>10} {:>8} {:>10}",
        "kind", "n", "success@1", "success@3", "MRR@10", "found@10"
    );
    for kind in Kind::ALL {
        let rows: Vec<&Outcome> = queries
            .iter()
            .zip(&results)
            .filter(|(q, _)| q.kind == kind)
            .map(|(_, r)| r)
            .collect();
        print_row(kind.name(), &rows);
    }
    print_row("all", &results.iter().collect::<Vec<_>>());

    let mut medians: Vec<f64> = timings
        .iter_mut()
        .map(|t| {
            t.sort();
            t[t.len() / 2].as_secs_f64() * 1e3
        })
        .collect();
    medians.sort_by(f64::total_cmp);
    println!();
    println!(
        "search latency, per-query median of {TIMED_PASSES} passes after a warm-up, {} queries, top {TOP}:",
        medians.len()
    );
    println!(
        "  p50 {:.3} ms   p99 {:.3} ms   max {:.3} ms",
        percentile(&medians, 50),
        percentile(&medians, 99),
        medians.last().copied().unwrap_or(0.0)
    );
    println!("catalog build: {:.3} s", build.as_secs_f64());

    if failures {
        println!();
        println!("queries whose top hit is not acceptable:");
        for (q, r) in queries.iter().zip(&results) {
            if r.rank == Some(1) {
                continue;
            }
            let rank = r
                .rank
                .map_or_else(|| format!("none in top {TOP}"), |k| format!("first at {k}"));
            println!();
            println!(
                "[{}] {:?} (line {}): {rank}; accept {}",
                q.kind.name(),
                q.text,
                q.line,
                shorten(&q.accept_text, 160)
            );
            if r.hits.is_empty() {
                println!("    (no hits)");
            }
            for (i, &doc) in r.hits.iter().take(3).enumerate() {
                match catalog.book(doc) {
                    Some(b) => println!("    {}. {} / {} / {}", i + 1, b.title, b.author, b.key),
                    None => println!("    {}. (no book for doc {doc})", i + 1),
                }
            }
        }
    }
    Ok(())
}

/// Read the books and ratings as the store's Book-Crossing import keeps them: books by key
/// (a repeated key keeps its first position and its last row), ratings of known books only,
/// one per reader and book (the last one read).
fn load_bookcrossing(dir: &std::path::Path) -> Result<(Vec<Book>, Ratings), BoxError> {
    let open = |name: &str| -> Result<BufReader<File>, BoxError> {
        let path = dir.join(name);
        let file = File::open(&path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        Ok(BufReader::with_capacity(1 << 16, file))
    };

    let mut books: Vec<Book> = Vec::new();
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut report = ImportReport::default();
    read_books(open("BX-Books.csv")?, &mut report, |book| {
        match ids.get(&book.key) {
            Some(&id) => books[id as usize] = book,
            None => {
                ids.insert(book.key.clone(), books.len() as u32);
                books.push(book);
            }
        }
    })?;

    let mut by_pair: HashMap<(u32, u32), Rating> = HashMap::new();
    let mut report = ImportReport::default();
    read_ratings(open("BX-Book-Ratings.csv")?, &mut report, |r| {
        if let Some(&book) = ids.get(&r.book) {
            by_pair.insert((book, r.user), r.rating);
        }
    })?;
    let ratings = by_pair
        .into_iter()
        .map(|((book, _), rating)| (book, rating))
        .collect();
    Ok((books, ratings))
}

/// Fail unless every accept alternative of every query matches at least one book.
fn check_reachable(queries: &[Query], books: &[Book]) -> Result<(), String> {
    let folded: Vec<Folded> = books.iter().map(Folded::of).collect();
    let mut checked: HashSet<&str> = HashSet::new();
    for q in queries {
        for alt in &q.accept {
            if !checked.insert(&alt.text) {
                continue;
            }
            if !books.iter().zip(&folded).any(|(b, f)| alt.matches(b, f)) {
                return Err(format!(
                    "{}: no book of the catalog matches `{}`",
                    q.line, alt.text
                ));
            }
        }
    }
    Ok(())
}

/// The outcome of one query: rank of the first acceptable hit (1-based) and the hits.
struct Outcome {
    rank: Option<usize>,
    hits: Vec<u32>,
}

/// Print one row of the relevance table.
fn print_row(name: &str, rows: &[&Outcome]) {
    if rows.is_empty() {
        println!("{name:<12} {:>5}", 0);
        return;
    }
    let n = rows.len() as f64;
    let at = |k: usize| {
        rows.iter()
            .filter(|r| r.rank.is_some_and(|x| x <= k))
            .count()
    };
    let mrr: f64 = rows
        .iter()
        .filter_map(|r| r.rank)
        .map(|x| 1.0 / x as f64)
        .sum::<f64>()
        / n;
    println!(
        "{:<12} {:>5} {:>9.1}% {:>9.1}% {:>8.3} {:>9.1}%",
        name,
        rows.len(),
        100.0 * at(1) as f64 / n,
        100.0 * at(3) as f64 / n,
        mrr,
        100.0 * at(TOP) as f64 / n
    );
}

/// `text` cut to at most `max` characters, with `…` when cut.
fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: usize) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (sorted.len() * p).div_ceil(100).max(1);
    sorted[rank - 1]
}

/// Query kinds, in the order of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Author,
    AuthorTypo,
    Title,
    Partial,
    Series,
    Isbn,
    TitleTypo,
}

impl Kind {
    const ALL: [Kind; 7] = [
        Kind::Author,
        Kind::AuthorTypo,
        Kind::Title,
        Kind::Partial,
        Kind::Series,
        Kind::Isbn,
        Kind::TitleTypo,
    ];

    fn name(self) -> &'static str {
        match self {
            Kind::Author => "author",
            Kind::AuthorTypo => "author_typo",
            Kind::Title => "title",
            Kind::Partial => "partial",
            Kind::Series => "series",
            Kind::Isbn => "isbn",
            Kind::TitleTypo => "title_typo",
        }
    }

    fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// One query of the file.
struct Query {
    /// 1-based line number in the file.
    line: usize,
    kind: Kind,
    text: String,
    /// The accept column as written, for the failure listing.
    accept_text: String,
    accept: Vec<Alternative>,
}

impl Query {
    fn accepts(&self, book: &Book) -> bool {
        let folded = Folded::of(book);
        self.accept.iter().any(|a| a.matches(book, &folded))
    }
}

/// Clauses that must all hold.
struct Alternative {
    text: String,
    clauses: Vec<Clause>,
}

impl Alternative {
    fn matches(&self, book: &Book, folded: &Folded) -> bool {
        self.clauses.iter().all(|c| match c {
            Clause::Title(phrase) => folded.title.contains(phrase.as_str()),
            Clause::Author(words) => words
                .iter()
                .all(|w| folded.author.split(' ').any(|a| a == w)),
            Clause::Key(key) => book.key == *key,
        })
    }
}

enum Clause {
    /// Folded words, padded with a space each side, found in the padded folded title.
    Title(String),
    /// Folded words, each a word of the folded author.
    Author(Vec<String>),
    /// The catalog key, exactly.
    Key(String),
}

/// A book's folded title (padded with a space each side) and folded author.
struct Folded {
    title: String,
    author: String,
}

impl Folded {
    fn of(book: &Book) -> Folded {
        Folded {
            title: format!(" {} ", fold(&book.title)),
            author: fold(&book.author),
        }
    }
}

/// Parse the queries file; errors start with the line number.
fn parse_queries(text: &str) -> Result<Vec<Query>, String> {
    let mut queries = Vec::new();
    let mut header_seen = false;
    let mut seen: HashSet<(&'static str, String)> = HashSet::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let l = raw.strip_suffix('\r').unwrap_or(raw);
        if l.trim().is_empty() || l.starts_with('#') {
            continue;
        }
        if !header_seen {
            if l != HEADER {
                return Err(format!(
                    "{line}: expected the header {HEADER:?}, found {l:?}"
                ));
            }
            header_seen = true;
            continue;
        }
        let fields: Vec<&str> = l.split('\t').collect();
        let [kind, query, accept] = fields[..] else {
            return Err(format!(
                "{line}: expected 3 tab-separated fields, found {}",
                fields.len()
            ));
        };
        let kind = Kind::parse(kind).ok_or_else(|| format!("{line}: unknown kind {kind:?}"))?;
        if query.trim().is_empty() {
            return Err(format!("{line}: empty query"));
        }
        if query != query.trim() {
            return Err(format!(
                "{line}: query {query:?} has leading or trailing spaces"
            ));
        }
        if !seen.insert((kind.name(), query.to_string())) {
            return Err(format!("{line}: duplicate {} query {query:?}", kind.name()));
        }
        let accept_text = accept.trim();
        if accept_text.is_empty() {
            return Err(format!("{line}: empty accept"));
        }
        let mut alternatives = Vec::new();
        for alt in accept_text.split('|') {
            alternatives.push(parse_alternative(alt).map_err(|e| format!("{line}: {e}"))?);
        }
        queries.push(Query {
            line,
            kind,
            text: query.to_string(),
            accept_text: accept_text.to_string(),
            accept: alternatives,
        });
    }
    if !header_seen {
        return Err("1: no header line".to_string());
    }
    if queries.is_empty() {
        return Err("1: no queries".to_string());
    }
    Ok(queries)
}

/// Parse one alternative: space-separated `t:`, `a:` and `k:` clauses.
fn parse_alternative(alt: &str) -> Result<Alternative, String> {
    let alt = alt.trim();
    if alt.is_empty() {
        return Err("empty alternative".to_string());
    }
    let mut clauses = Vec::new();
    for clause in alt.split_whitespace() {
        let (prefix, value) = clause
            .split_once(':')
            .ok_or_else(|| format!("clause {clause:?} has no `t:`, `a:` or `k:` prefix"))?;
        if value.is_empty() {
            return Err(format!("clause {clause:?} has an empty value"));
        }
        let words = fold(&value.replace('+', " "));
        clauses.push(match prefix {
            "t" | "a" if words.is_empty() => {
                return Err(format!("clause {clause:?} has no words once folded"));
            }
            "t" => Clause::Title(format!(" {words} ")),
            "a" => Clause::Author(words.split(' ').map(str::to_string).collect()),
            "k" => Clause::Key(value.to_string()),
            p => return Err(format!("unknown clause prefix {p:?} in {clause:?}")),
        });
    }
    Ok(Alternative {
        text: alt.to_string(),
        clauses,
    })
}
