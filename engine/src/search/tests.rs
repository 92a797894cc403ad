use super::*;
use proptest::prelude::*;

fn doc(key: &str, title: &str, author: &str, work: u32, popularity: f32) -> SearchDoc {
    SearchDoc {
        key: key.to_string(),
        title: title.to_string(),
        author: author.to_string(),
        work,
        popularity,
    }
}

fn catalog() -> SearchIndex {
    SearchIndex::build(vec![
        doc(
            "0439136350",
            "Harry Potter and the Prisoner of Azkaban",
            "J. K. Rowling",
            0,
            50.0,
        ),
        doc(
            "0439064872",
            "Harry Potter and the Chamber of Secrets",
            "J. K. Rowling",
            1,
            60.0,
        ),
        doc(
            "0590353403",
            "Harry Potter and the Sorcerer's Stone",
            "J. K. Rowling",
            2,
            80.0,
        ),
        doc(
            "059035342X",
            "Harry Potter and the Sorcerer's Stone (Paperback)",
            "J.K. Rowling",
            2,
            90.0,
        ),
        doc("0345339681", "The Hobbit", "J.R.R. Tolkien", 3, 40.0),
        doc(
            "0618002227",
            "The Lord of the Rings",
            "J.R.R. Tolkien",
            4,
            30.0,
        ),
        doc(
            "0140283331",
            "Lord of the Flies",
            "William Golding",
            5,
            20.0,
        ),
        doc("0451524934", "1984", "George Orwell", 6, 70.0),
        doc("0060929871", "Brave New World", "Aldous Huxley", 7, 10.0),
        doc("1111111111", "Hobbits of the Shire", "Some Fan", 8, 5.0),
        doc("2222222222", "The Hobbyist", "Someone", 9, 500.0),
        doc("3333333333", "Potters Field", "Ellis Peters", 10, 3.0),
    ])
    .unwrap()
}

fn keys(index: &SearchIndex, hits: &[Hit]) -> Vec<String> {
    hits.iter().map(|h| index.doc(h.doc).key.clone()).collect()
}

#[test]
fn exact_beats_prefix_beats_fuzzy() {
    // Popularity runs the other way: the match kind must win over it.
    let index = SearchIndex::build(vec![
        doc("a", "Hobit", "X", 0, 100.0),
        doc("b", "Hobbits", "X", 1, 50.0),
        doc("c", "Hobbit", "X", 2, 0.0),
    ])
    .unwrap();
    let hits = index.search("hobbit", 10);
    assert_eq!(keys(&index, &hits), ["c", "b", "a"]);
    assert_eq!(
        hits.iter().map(|h| h.matched).collect::<Vec<_>>(),
        [MatchKind::Exact, MatchKind::Prefix, MatchKind::Fuzzy]
    );
    // Not the last word: "hobbyt" only matches fuzzily, and the exact word wins.
    let index = SearchIndex::build(vec![
        doc("a", "Hobbyt Tales", "X", 0, 100.0),
        doc("b", "Hobbits Tales", "X", 1, 50.0),
        doc("c", "Hobbit Tales", "X", 2, 0.0),
    ])
    .unwrap();
    let hits = index.search("hobbit tales", 10);
    assert_eq!(keys(&index, &hits), ["c", "b", "a"]);
    assert_eq!(
        hits.iter().map(|h| h.matched).collect::<Vec<_>>(),
        [MatchKind::Exact, MatchKind::Prefix, MatchKind::Fuzzy]
    );
}

#[test]
fn typos_still_find_the_book() {
    let index = catalog();
    let hits = index.search("hary poter", 5);
    assert!(!hits.is_empty());
    assert!(index.doc(hits[0].doc).title.starts_with("Harry Potter"));
    assert_eq!(hits[0].matched, MatchKind::Fuzzy);

    let hits = index.search("tolkein", 5);
    let titles: Vec<&str> = hits
        .iter()
        .map(|h| index.doc(h.doc).title.as_str())
        .collect();
    assert!(titles.contains(&"The Hobbit"), "{titles:?}");
    assert!(titles.contains(&"The Lord of the Rings"), "{titles:?}");

    // Two edits allowed from eight letters on; none below four.
    assert!(!index.search("prisnoer azkabn", 5).is_empty());
    assert!(index
        .search("hobbiq", 5)
        .iter()
        .all(|h| index.doc(h.doc).work != 99));
    assert!(index.search("bnw", 5).is_empty());
}

#[test]
fn isbn_lookup_ignores_hyphens_and_case() {
    let index = catalog();
    for q in ["0-345-33968-1", "0345339681", "978-0-345-33968-3"] {
        let hits = index.search(q, 5);
        assert_eq!(keys(&index, &hits), ["0345339681"], "{q}");
        assert_eq!(hits[0].matched, MatchKind::Isbn);
    }
    let hits = index.search("059035342x", 5);
    assert_eq!(keys(&index, &hits), ["059035342X"]);
    // An ISBN not in the catalog falls back to words (which match nothing here).
    assert!(index.search("0-000-00000-0", 5).is_empty());
}

#[test]
fn one_hit_per_work_best_then_most_popular_edition() {
    let index = catalog();
    let hits = index.search("sorcerers stone", 10);
    assert_eq!(hits.len(), 1);
    // Both editions match every word; the paperback's title has an extra word that does not
    // matter here, and it is the more popular.
    assert_eq!(index.doc(hits[0].doc).key, "059035342X");
    let hits = index.search("harry potter", 10);
    let mut works: Vec<u32> = hits.iter().map(|h| index.doc(h.doc).work).collect();
    assert_eq!(works.len(), 3);
    works.sort_unstable();
    works.dedup();
    assert_eq!(works.len(), 3);
}

#[test]
fn popularity_breaks_ties() {
    let index = catalog();
    let hits = index.search("harry potter and the", 10);
    let keys = keys(&index, &hits);
    assert_eq!(keys, ["059035342X", "0439064872", "0439136350"]);

    let index = SearchIndex::build(vec![
        doc("a", "Same Title", "X", 0, 1.0),
        doc("b", "Same Title", "X", 1, 2.0),
        doc("c", "Same Title", "X", 2, 2.0),
    ])
    .unwrap();
    // Equal popularity ties on doc id: deterministic.
    assert_eq!(
        self::keys(&index, &index.search("same title", 10)),
        ["b", "c", "a"]
    );
}

#[test]
fn title_matches_and_title_equality_rank_first() {
    let index = catalog();
    // "The Hobbyist" is far more popular, but "The Hobbit" is the exact title.
    let hits = index.search("the hobbit", 10);
    assert_eq!(index.doc(hits[0].doc).title, "The Hobbit");
    // "lord of the" is the start of one title and inside another.
    let hits = index.search("lord of the", 10);
    assert_eq!(index.doc(hits[0].doc).title, "Lord of the Flies");
    assert_eq!(hits.len(), 2);
    // Autocomplete: the last word is a prefix.
    let hits = index.search("brave new wo", 10);
    assert_eq!(index.doc(hits[0].doc).title, "Brave New World");
    assert_eq!(hits[0].matched, MatchKind::Prefix);
    // Author words match too.
    let hits = index.search("orwell", 10);
    assert_eq!(index.doc(hits[0].doc).title, "1984");
}

#[test]
fn broad_queries_on_a_large_catalog_keep_the_most_popular() {
    // Enough docs for the parallel build and for "the" to exceed the candidate budget.
    let docs: Vec<SearchDoc> = (0..12_000u32)
        .map(|i| {
            doc(
                &format!("{i:010}"),
                &format!("The Book {i}"),
                "Anon",
                i,
                i as f32,
            )
        })
        .collect();
    let index = SearchIndex::build(docs).unwrap();
    for q in ["the", "b", "the b", "book"] {
        let hits = index.search(q, 3);
        assert_eq!(
            keys(&index, &hits),
            ["0000011999", "0000011998", "0000011997"],
            "{q}"
        );
    }
    let hits = index.search("the book 42", 3);
    assert_eq!(index.doc(hits[0].doc).key, "0000000042");
    assert_eq!(hits[0].matched, MatchKind::Exact);
}

#[test]
fn fallback_to_all_but_one_word() {
    let index = catalog();
    let hits = index.search("lord of the zzzzzz", 10);
    assert!(!hits.is_empty());
    assert!(index.doc(hits[0].doc).title.contains("Lord of the"));
    // Two-word queries do not fall back.
    assert!(index.search("hobbit zzzzzz", 10).is_empty());
}

#[test]
fn junk_queries_are_harmless() {
    let index = catalog();
    for q in ["", "   ", "\t\n", "!!! ??? ---", "'", "\u{0}"] {
        assert!(index.search(q, 10).is_empty(), "{q:?}");
    }
    let long = "harry potter ".repeat(800);
    assert!(long.len() > 10_000);
    let hits = index.search(&long, 10);
    assert!(hits.len() <= 10);
    let one_word = "a".repeat(10_240);
    assert!(index.search(&one_word, 10).is_empty());
    assert!(index.search("harry", 0).is_empty());
    assert!(index.search("h", usize::MAX).len() <= index.len());
    let empty = SearchIndex::build(Vec::new()).unwrap();
    assert!(empty.is_empty());
    assert!(empty.search("harry", 10).is_empty());
}

#[test]
fn a_swap_is_one_edit_and_characters_not_bytes_are_counted() {
    let vocab = fst::Map::from_iter([("token", 0u64), ("tolkien", 1), ("tolkin", 2)]).unwrap();
    assert_eq!(fuzzy_words(vocab.as_fst(), "tolkein", 1), [(1, 1), (2, 1)]);
    assert_eq!(
        fuzzy_words(vocab.as_fst(), "tolkein", 2),
        [(0, 2), (1, 1), (2, 1)]
    );
    assert_eq!(fuzzy_words(vocab.as_fst(), "tolkien", 1), [(1, 0), (2, 1)]);
    let vocab = fst::Map::from_iter([("zolw", 0u64), ("żółw", 1)]).unwrap();
    // Two characters differ from "zolw" and one from "żółw", however many bytes they take.
    assert_eq!(fuzzy_words(vocab.as_fst(), "zółw", 1), [(1, 1)]);
    assert_eq!(fuzzy_words(vocab.as_fst(), "zółw", 2), [(0, 2), (1, 1)]);
}

#[test]
fn fuzzy_walk_agrees_with_a_plain_distance() {
    // Reference: the textbook optimal-string-alignment table over characters.
    fn osa(a: &str, b: &str) -> usize {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for (i, row) in d.iter_mut().enumerate() {
            row[0] = i;
        }
        for (j, cell) in d[0].iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                d[i][j] = (d[i - 1][j] + 1)
                    .min(d[i][j - 1] + 1)
                    .min(d[i - 1][j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
                }
            }
        }
        d[a.len()][b.len()]
    }
    let words = [
        "a", "ab", "abc", "acb", "bac", "ca", "abcd", "abdc", "badc", "ébc", "aébc", "xyz",
        "abcde", "acbed", "bcdea",
    ];
    let mut sorted = words.to_vec();
    sorted.sort_unstable();
    let vocab =
        fst::Map::from_iter(sorted.iter().enumerate().map(|(i, w)| (*w, i as u64))).unwrap();
    for query in ["abc", "abdc", "ébc", "acbed", "x", "bca"] {
        for max in 1..=2u8 {
            let expected: Vec<(u32, u8)> = sorted
                .iter()
                .enumerate()
                .map(|(i, w)| (i as u32, osa(w, query)))
                .filter(|&(_, d)| d <= usize::from(max))
                .map(|(i, d)| (i, d as u8))
                .collect();
            assert_eq!(
                fuzzy_words(vocab.as_fst(), query, max),
                expected,
                "{query} {max}"
            );
        }
    }
}

proptest! {
    #[test]
    fn search_never_panics_and_respects_limits(
        query in prop_oneof!["\\PC{0,60}", "[a-z ]{0,30}", "[0-9xX -]{0,16}"],
        limit in 0usize..8,
    ) {
        let index = catalog();
        let hits = index.search(&query, limit);
        prop_assert!(hits.len() <= limit);
        let mut works: Vec<u32> = hits.iter().map(|h| index.doc(h.doc).work).collect();
        works.sort_unstable();
        works.dedup();
        prop_assert_eq!(works.len(), hits.len());
        for pair in hits.windows(2) {
            prop_assert!(pair[0].score >= pair[1].score);
        }
    }
}
