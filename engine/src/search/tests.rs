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

fn sample() -> Docs {
    Docs::new(vec![
        doc(
            "0439136350",
            "Harry Potter and the Prisoner of Azkaban (Book 3)",
            "J. K. Rowling",
            0,
            500.0,
        ),
        doc(
            "0439064872",
            "Harry Potter and the Chamber of Secrets (Book 2)",
            "J. K. Rowling",
            1,
            600.0,
        ),
        doc(
            "0590353403",
            "Harry Potter and the Sorcerer's Stone (Book 1)",
            "J. K. Rowling",
            2,
            800.0,
        ),
        doc(
            "059035342X",
            "Harry Potter and the Sorcerer's Stone (Harry Potter (Paperback))",
            "J.K. Rowling",
            2,
            800.0,
        ),
        doc("0345339681", "The Hobbit", "J.R.R. Tolkien", 3, 900.0),
        doc(
            "0618002227",
            "The Lord of the Rings",
            "J.R.R. Tolkien",
            4,
            700.0,
        ),
        doc(
            "0140283331",
            "Lord of the Flies",
            "William Golding",
            5,
            300.0,
        ),
        doc("0451524934", "1984", "George Orwell", 6, 700.0),
        doc("0060929871", "Brave New World", "Aldous Huxley", 7, 400.0),
        doc("1111111111", "Tolkien", "David Day", 8, 2.0),
        doc("2222222222", "The Hobbyist", "Someone", 9, 900.0),
        doc("3333333333", "Potters Field", "Ellis Peters", 10, 3.0),
        doc(
            "0062502174",
            "The Alchemist: A Fable About Following Your Dream",
            "Paulo Coelho",
            11,
            600.0,
        ),
        doc("4444444444", "The Alchemist", "Michael Scott", 12, 1.0),
        doc("5555555555", "Orwell: A Life", "Bernard Crick", 13, 3.0),
        doc("0385504209", "The Da Vinci Code", "Dan Brown", 14, 800.0),
    ])
}

/// The index and its docs.
fn indexed(docs: Docs) -> (SearchIndex, Docs) {
    (docs.index().unwrap(), docs)
}

fn keys(docs: &Docs, hits: &[Hit]) -> Vec<String> {
    hits.iter()
        .map(|h| docs.get(h.doc).unwrap().key.clone())
        .collect()
}

fn titles(docs: &Docs, hits: &[Hit]) -> Vec<String> {
    hits.iter()
        .map(|h| docs.get(h.doc).unwrap().title.clone())
        .collect()
}

fn top(index: &SearchIndex, docs: &Docs, q: &str) -> String {
    let hits = index.search(q, 10, docs);
    titles(docs, &hits).first().cloned().unwrap_or_default()
}

#[test]
fn an_authors_name_finds_their_own_books_most_read_first() {
    let (index, docs) = indexed(sample());
    for q in [
        "tolkien",
        "j.r.r. tolkien",
        "tolkien jrr",
        "jrr tolkien",
        "tolkein",
    ] {
        let hits = index.search(q, 10, &docs);
        let t = titles(&docs, &hits);
        assert_eq!(
            t[..2],
            ["The Hobbit", "The Lord of the Rings"],
            "{q}: {t:?}"
        );
        // The book called "Tolkien", by someone else, comes after his own.
        if let Some(day) = t.iter().position(|t| t == "Tolkien") {
            assert!(day >= 2, "{q}: {t:?}");
        }
    }
    // "orwell" is Orwell's 1984 before a biography called "Orwell: A Life".
    assert_eq!(top(&index, &docs, "orwell"), "1984");
    assert_eq!(top(&index, &docs, "george orwell"), "1984");
}

#[test]
fn of_equal_title_matches_the_widely_read_one_wins() {
    let (index, docs) = indexed(sample());
    // The exact title of an obscure book does not beat the subtitled title of a book hundreds
    // have read.
    assert_eq!(
        top(&index, &docs, "the alchemist"),
        "The Alchemist: A Fable About Following Your Dream"
    );
    assert_eq!(
        top(&index, &docs, "alchemist"),
        "The Alchemist: A Fable About Following Your Dream"
    );
}

#[test]
fn among_equally_read_books_exact_beats_prefix_beats_typo() {
    let (index, docs) = indexed(Docs::new(vec![
        doc("a", "Hobit", "X", 0, 10.0),
        doc("b", "Hobbits", "X", 1, 10.0),
        doc("c", "Hobbit", "X", 2, 10.0),
    ]));
    let hits = index.search("hobbit", 10, &docs);
    assert_eq!(keys(&docs, &hits), ["c", "b", "a"]);
    assert_eq!(
        hits.iter().map(|h| h.matched).collect::<Vec<_>>(),
        [MatchKind::Exact, MatchKind::Prefix, MatchKind::Fuzzy]
    );
}

#[test]
fn typos_and_missing_spaces_still_find_the_book() {
    let (index, docs) = indexed(sample());
    let hits = index.search("hary poter", 5, &docs);
    assert!(titles(&docs, &hits)[0].starts_with("Harry Potter"));
    assert_eq!(hits[0].matched, MatchKind::Fuzzy);
    assert!(top(&index, &docs, "prisnoer azkabn").contains("Azkaban"));
    assert!(top(&index, &docs, "harrypotter").starts_with("Harry Potter"));
    assert_eq!(top(&index, &docs, "danbrown"), "The Da Vinci Code");
    assert_eq!(top(&index, &docs, "da vinci cdoe"), "The Da Vinci Code");
    // A typo in a three-letter word only when nothing matches without one.
    assert_eq!(top(&index, &docs, "dab brown"), "The Da Vinci Code");
    assert!(index.search("bnw", 5, &docs).is_empty());
}

#[test]
fn one_hit_per_work_and_series_volumes_together() {
    let (index, docs) = indexed(sample());
    let hits = index.search("sorcerers stone", 10, &docs);
    assert_eq!(hits.len(), 1);
    let hits = index.search("harry potter", 10, &docs);
    let t = titles(&docs, &hits);
    assert!(
        t[..3].iter().all(|t| t.starts_with("Harry Potter")),
        "{t:?}"
    );
    let mut works: Vec<u32> = hits.iter().map(|h| docs.get(h.doc).unwrap().work).collect();
    works.sort_unstable();
    works.dedup();
    assert_eq!(works.len(), hits.len());
}

#[test]
fn a_series_lists_its_volumes_in_order() {
    // The later volumes are read more, and one volume carries no number.
    let (index, docs) = indexed(Docs::new(vec![
        doc(
            "a",
            "The Great Hunt (The Wheel of Time, Book 2)",
            "Robert Jordan",
            0,
            50.0,
        ),
        doc(
            "b",
            "The Eye of the World (The Wheel of Time, Book 1)",
            "Robert Jordan",
            1,
            40.0,
        ),
        doc(
            "c",
            "The Dragon Reborn (Wheel of Time)",
            "Robert Jordan",
            2,
            60.0,
        ),
        doc(
            "d",
            "The Shadow Rising (The Wheel of Time, #4)",
            "Robert Jordan",
            3,
            70.0,
        ),
        doc("e", "The Wheel of Time Companion", "Someone Else", 4, 1.0),
    ]));
    let hits = index.search("wheel of time", 10, &docs);
    let keys = keys(&docs, &hits);
    let numbered: Vec<&str> = keys
        .iter()
        .map(String::as_str)
        .filter(|k| ["a", "b", "d"].contains(k))
        .collect();
    assert_eq!(numbered, ["b", "a", "d"], "{keys:?}");
    for pair in hits.windows(2) {
        assert!(pair[0].score >= pair[1].score);
    }
    assert_eq!(
        rank::volume_number("Harry Potter and the Chamber of Secrets (Book 2)"),
        Some(2)
    );
    assert_eq!(
        rank::volume_number("The Reptile Room (A Series of Unfortunate Events, 2)"),
        Some(2)
    );
    assert_eq!(rank::volume_number("1984"), None);
    assert_eq!(rank::volume_number("Dune"), None);
}

#[test]
fn titles_being_typed_and_author_words_match() {
    let (index, docs) = indexed(sample());
    assert_eq!(top(&index, &docs, "the hobbit"), "The Hobbit");
    let hits = index.search("brave new wo", 10, &docs);
    assert_eq!(titles(&docs, &hits)[0], "Brave New World");
    assert_eq!(hits[0].matched, MatchKind::Prefix);
    // A one-letter last word ranks but does not exclude.
    assert!(top(&index, &docs, "harry p").starts_with("Harry Potter"));
    assert_eq!(top(&index, &docs, "lord of the r"), "The Lord of the Rings");
}

#[test]
fn fallback_to_all_but_one_word() {
    let (index, docs) = indexed(sample());
    let hits = index.search("lord of the zzzzzz", 10, &docs);
    assert!(titles(&docs, &hits)[0].contains("Lord of the"));
    // Two-word queries do not fall back.
    assert!(index.search("hobbit zzzzzz", 10, &docs).is_empty());
}

#[test]
fn junk_queries_are_harmless() {
    let (index, docs) = indexed(sample());
    for q in ["", "   ", "\t\n", "!!! ??? ---", "'", "\u{0}"] {
        assert!(index.search(q, 10, &docs).is_empty(), "{q:?}");
    }
    let long = "harry potter ".repeat(800);
    assert!(index.search(&long, 10, &docs).len() <= 10);
    assert!(index.search(&"a".repeat(10_240), 10, &docs).is_empty());
    assert!(index.search("harry", 0, &docs).is_empty());
    assert!(index.search("h", usize::MAX, &docs).len() <= docs.len());
    let empty = Docs::new(Vec::new());
    let empty_index = empty.index().unwrap();
    assert!(empty_index.is_empty());
    assert!(empty_index.search("harry", 10, &empty).is_empty());
}

#[test]
fn books_the_corpus_does_not_know_yet_are_skipped() {
    // The index took a book the catalog answering this search was built without.
    let (index, _) = indexed(sample());
    let older = Docs::new(sample().docs[..4].to_vec());
    let hits = index.search("the hobbit", 10, &older);
    assert!(hits.iter().all(|h| older.get(h.doc).is_some()));
    assert!(index.search("harry potter", 10, &older).len() >= 2);
}

#[test]
fn author_initials_are_also_one_word() {
    assert_eq!(
        author_words("J. R. R. Tolkien"),
        (
            vec!["j", "r", "r", "tolkien", "jrr"]
                .into_iter()
                .map(String::from)
                .collect(),
            4
        )
    );
    assert_eq!(author_words("Tolkien, J.R.R.").0.last().unwrap(), "jrr");
    assert_eq!(author_words("Stephen King").0, ["stephen", "king"]);
    assert_eq!(author_words("").1, 0);
}

#[test]
fn the_index_on_disk_takes_new_books_and_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("search");
    let docs = sample();
    let all: Vec<(&str, &str, &str)> = docs
        .docs
        .iter()
        .map(|d| (d.key.as_str(), d.title.as_str(), d.author.as_str()))
        .collect();
    {
        let index = SearchIndex::open(&path).unwrap();
        assert_eq!(index.sync(all[..10].iter().copied()).unwrap(), 10);
        assert_eq!(index.len(), 10);
        assert!(index.disk_bytes() > 0);
    }
    // Reopened: it holds the ten, adds the rest only, and finds a book added last.
    let index = SearchIndex::open(&path).unwrap();
    assert_eq!(index.len(), 10);
    assert_eq!(index.sync(all.iter().copied()).unwrap(), docs.len() - 10);
    assert_eq!(top(&index, &docs, "da vinci code"), "The Da Vinci Code");
    assert_eq!(index.sync(all.iter().copied()).unwrap(), 0);
    drop(index);

    // Another store under the same ids (a restore): the index is rebuilt from it.
    let other = Docs::new(vec![doc("9999999999", "Dune", "Frank Herbert", 0, 5.0)]);
    let index = SearchIndex::open(&path).unwrap();
    let one = [("9999999999", "Dune", "Frank Herbert")];
    assert_eq!(index.sync(one.iter().copied()).unwrap(), 1);
    assert_eq!(index.len(), 1);
    assert_eq!(top(&index, &other, "dune"), "Dune");
    assert!(index.search("hobbit", 10, &other).is_empty());
}

#[test]
fn an_index_of_another_version_or_broken_is_started_afresh() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("search");
    std::fs::create_dir_all(&path).unwrap();
    std::fs::write(path.join("meta.json"), b"{ not an index").unwrap();
    let index = SearchIndex::open(&path).unwrap();
    assert!(index.is_empty());
    index
        .sync([("1", "Emma", "Jane Austen")].into_iter())
        .unwrap();
    assert_eq!(index.len(), 1);
    // A payload of another version reads as nothing indexed.
    assert_eq!(
        index::parse_payload_for_tests("shelfwise-search\n0\n1\n1"),
        None
    );
}

proptest! {
    #[test]
    fn search_never_panics_and_respects_limits(
        query in prop_oneof!["\\PC{0,60}", "[a-z ]{0,30}", "[0-9xX -]{0,16}"],
        limit in 0usize..8,
    ) {
        static SAMPLE: std::sync::OnceLock<(SearchIndex, Docs)> = std::sync::OnceLock::new();
        let (index, docs) = SAMPLE.get_or_init(|| indexed(sample()));
        let hits = index.search(&query, limit, docs);
        prop_assert!(hits.len() <= limit);
        let mut works: Vec<u32> = hits.iter().map(|h| docs.get(h.doc).unwrap().work).collect();
        works.sort_unstable();
        works.dedup();
        prop_assert_eq!(works.len(), hits.len());
        for pair in hits.windows(2) {
            prop_assert!(pair[0].score >= pair[1].score);
        }
    }
}
