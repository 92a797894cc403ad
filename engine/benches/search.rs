//! Criterion benchmarks of the search index (`engine::search`): building it in memory and a
//! few kinds of query.
//!
//! Uses the real Book-Crossing catalog when `BX-Books.csv` is in `SHELFWISE_BX_DIR` (default
//! `data/raw` at the workspace root), otherwise a synthetic catalog, so the bench always runs.
//! `engine/examples/search_bench.rs` measures latency percentiles and hit rates on real queries.

use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use engine::datasets::bookcrossing;
use engine::search::{Docs, SearchDoc};

/// The real catalog if present, else `None`.
fn real_catalog() -> Option<Vec<SearchDoc>> {
    bookcrossing::search_docs(&test_support::data::bookcrossing_dir()).ok()
}

/// 50,000 docs whose titles and authors are drawn from a small vocabulary (with a fixed seed),
/// plus the few books the queries look for.
fn synthetic_catalog() -> Vec<SearchDoc> {
    const WORDS: &[&str] = &[
        "the", "a", "of", "and", "in", "love", "night", "house", "secret", "garden", "war",
        "peace", "king", "queen", "dark", "light", "river", "mountain", "city", "child", "story",
        "life", "death", "heart", "time", "stone", "fire", "water", "shadow", "dream", "road",
        "summer", "winter", "murder", "mystery", "island", "history", "guide", "book", "world",
    ];
    const NAMES: &[&str] = &[
        "smith", "jones", "brown", "miller", "davis", "garcia", "wilson", "moore", "taylor",
        "anderson", "thomas", "jackson", "white", "harris", "martin", "thompson", "clark",
    ];
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = |n: usize| {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        (state.wrapping_mul(0x2545_f491_4f6c_dd1d) % n as u64) as usize
    };
    let mut docs: Vec<SearchDoc> = (0..50_000u32)
        .map(|i| {
            let len = 1 + next(6);
            let title: Vec<&str> = (0..len).map(|_| WORDS[next(WORDS.len())]).collect();
            SearchDoc {
                key: format!("{:010}", i),
                title: title.join(" "),
                author: format!("{} {}", NAMES[next(NAMES.len())], NAMES[next(NAMES.len())]),
                work: i,
                popularity: next(100) as f32,
            }
        })
        .collect();
    for (title, author) in [
        ("Harry Potter and the Sorcerer's Stone", "J. K. Rowling"),
        ("The Hobbit", "J. R. R. Tolkien"),
        ("The Lord of the Rings", "J. R. R. Tolkien"),
    ] {
        let i = docs.len() as u32;
        docs.push(SearchDoc {
            key: format!("{:010}", i),
            title: title.to_string(),
            author: author.to_string(),
            work: i,
            popularity: 1_000.0,
        });
    }
    docs
}

fn bench_search(c: &mut Criterion) {
    let (docs, source) = match real_catalog() {
        Some(docs) => (docs, "Book-Crossing"),
        None => (synthetic_catalog(), "synthetic"),
    };
    eprintln!("search bench: {} docs ({source})", docs.len());

    let mut build = c.benchmark_group("search_build");
    build.sample_size(10);
    build.measurement_time(Duration::from_secs(30));
    build.bench_function(format!("{source} ({} docs)", docs.len()), |b| {
        b.iter(|| Docs::new(black_box(docs.clone())).index())
    });
    build.finish();

    let docs = Docs::new(docs);
    let index = match docs.index() {
        Ok(index) => index,
        Err(e) => panic!("building the search index failed: {e}"),
    };
    let mut group = c.benchmark_group("search_query");
    for (name, query) in [
        ("two exact words", "harry potter"),
        ("title typed", "lord of the rings"),
        ("common word", "the"),
        ("one letter", "s"),
        ("common word + one letter", "the s"),
        ("typo, short words", "hary poter"),
        ("swap typo", "tolkein"),
        ("two-edit typos", "prisnoer of azkabn"),
        ("autocomplete", "harry potter and the sorc"),
        ("no match", "zzzzqqqq xxyyzz"),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| index.search(black_box(query), 10, &docs))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_search);
criterion_main!(benches);
