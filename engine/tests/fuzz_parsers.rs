//! The dataset parsers take whatever bytes they are given without panicking: random bytes,
//! and real rows mutated byte by byte (flipped, inserted, deleted, cut short). Errors are
//! fine; a panic or a hang is not.

use std::collections::HashMap;

use engine::datasets::{bookcrossing, goodbooks, goodreads, library, librarything, storygraph};
use engine::records::ImportReport;
use proptest::prelude::*;

const GOODBOOKS_BOOKS: &str = include_str!("fixtures/goodbooks/books.csv");
const GOODBOOKS_RATINGS: &str = include_str!("fixtures/goodbooks/ratings.csv");
const GOODBOOKS_TAGS: &str = include_str!("fixtures/goodbooks/tags.csv");
const GOODBOOKS_BOOK_TAGS: &str = include_str!("fixtures/goodbooks/book_tags.csv");
const STORYGRAPH: &[u8] = include_bytes!("fixtures/storygraph/library_export.csv");
const LIBRARYTHING: &[u8] = include_bytes!("fixtures/librarything/library_export.tsv");

/// Book-Crossing rows in the files' own style: `;`-separated, quoted, Latin-1, HTML entities,
/// escaped quotes.
const BX_BOOKS: &[u8] = b"\"ISBN\";\"Book-Title\";\"Book-Author\";\"Year-Of-Publication\";\"Publisher\";\"Image-URL-S\";\"Image-URL-M\";\"Image-URL-L\"\n\
\"0195153448\";\"Classical Mythology\";\"Mark P. O. Morford\";\"2002\";\"Oxford University Press\";\"http://images.amazon.com/images/P/0195153448.01.THUMBZZZ.jpg\";\"http://images.amazon.com/images/P/0195153448.01.MZZZZZZZ.jpg\";\"http://images.amazon.com/images/P/0195153448.01.LZZZZZZZ.jpg\"\n\
\"078946697X\";\"DK Readers: Creating the X-Men, How It All Began (Level 4: Proficient Readers)\\\";\"Michael Teitelbaum\";\"2000\";\"DK Publishing Inc\";\"http://x\";\"http://y\";\"http://z\"\n\
\"3404921038\";\"Caf\xe9 &amp; Cr\xe8me\";\"J. R. R. Tolkien\";\"0\";\"L&amp;#246;wen\";\"\";\"\";\"\"\n";
const BX_RATINGS: &[u8] = b"\"User-ID\";\"ISBN\";\"Book-Rating\"\n\"276725\";\"034545104X\";\"0\"\n\"276726\";\"0155061224\";\"5\"\n\"276727\";\"0446520802\";\"10\"\n";
const BX_USERS: &[u8] = b"\"User-ID\";\"Location\";\"Age\"\n\"1\";\"nyc, new york, usa\";NULL\n\"2\";\"stockton, california, usa\";\"18\"\n";

/// A Goodreads export's header and two rows.
fn goodreads_sample() -> Vec<u8> {
    let mut f = goodreads::COLUMNS.join(",");
    f.push('\n');
    f.push_str("1,The Hunger Games,Suzanne Collins,\"Collins, Suzanne\",,=\"0439023483\",=\"9780439023481\",4,4.34,Scholastic,Hardcover,374,2008,2008,2020/01/02,2019/12/01,read,read (#1),read,,,,1,0\n");
    f.push_str("2,\"Title, with \"\"quotes\"\"\",Author,,,=\"\",=\"\",0,0,,,,,,,2019/01/01,to-read,,to-read,,,,0,0\n");
    f.into_bytes()
}

/// One edit to a byte string.
#[derive(Debug, Clone)]
enum Edit {
    Flip(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Truncate(usize),
    Repeat(usize, usize),
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let edit = prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Flip(i, b)),
        (
            any::<usize>(),
            prop_oneof![
                Just(b'"'),
                Just(b';'),
                Just(b','),
                Just(b'\n'),
                Just(b'\r'),
                Just(0u8),
                Just(0xffu8),
                any::<u8>()
            ]
        )
            .prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<usize>().prop_map(Edit::Delete),
        any::<usize>().prop_map(Edit::Truncate),
        (any::<usize>(), 1usize..64).prop_map(|(i, n)| Edit::Repeat(i, n)),
    ];
    prop::collection::vec(edit, 1..24)
}

fn mutate(sample: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut b = sample.to_vec();
    for e in edits {
        let at = |i: &usize, len: usize| if len == 0 { 0 } else { i % len };
        match e {
            Edit::Flip(i, v) if !b.is_empty() => {
                let i = at(i, b.len());
                b[i] = *v;
            }
            Edit::Insert(i, v) => {
                let i = at(i, b.len() + 1);
                b.insert(i, *v);
            }
            Edit::Delete(i) if !b.is_empty() => {
                let i = at(i, b.len());
                b.remove(i);
            }
            Edit::Truncate(i) => {
                let i = at(i, b.len() + 1);
                b.truncate(i);
            }
            Edit::Repeat(i, n) if !b.is_empty() => {
                let i = at(i, b.len());
                let end = (i + n).min(b.len());
                let piece = b[i..end].to_vec();
                b.splice(i..i, piece.iter().copied().cycle().take(piece.len() * 8));
            }
            _ => {}
        }
    }
    b
}

/// Run every parser over `bytes`; only a panic fails.
fn parse_everything(bytes: &[u8]) {
    let mut r = ImportReport::default();
    let _ = bookcrossing::read_books(bytes, &mut r, |_| {});
    let _ = bookcrossing::read_ratings(bytes, &mut ImportReport::default(), |_| {});
    let _ = bookcrossing::read_users(bytes, &mut ImportReport::default(), |_| {});
    let _ = goodbooks::read_books(bytes, &mut ImportReport::default(), |_| {});
    let keys: HashMap<u32, String> = (1..100).map(|i| (i, format!("{i:010}"))).collect();
    let _ = goodbooks::read_ratings(bytes, &keys, &mut ImportReport::default(), |_| {});
    let _ = goodbooks::read_tags(bytes, &mut ImportReport::default());
    let _ = goodbooks::read_book_tags(bytes, &mut ImportReport::default(), |_| {});
    let _ = goodreads::read_export(bytes, 1_000);
    let _ = storygraph::read_export(bytes, 1_000);
    let _ = librarything::read_export(bytes, 1_000);
    let _ = library::read_library_export(bytes, 1_000);
    // Consistency: what a parser kept plus what it rejected never exceeds what it read.
    assert!(r.kept <= r.read, "{r:?}");
}

fn samples() -> Vec<Vec<u8>> {
    vec![
        BX_BOOKS.to_vec(),
        BX_RATINGS.to_vec(),
        BX_USERS.to_vec(),
        GOODBOOKS_BOOKS
            .lines()
            .take(12)
            .collect::<Vec<_>>()
            .join("\n")
            .into_bytes(),
        GOODBOOKS_RATINGS
            .lines()
            .take(30)
            .collect::<Vec<_>>()
            .join("\n")
            .into_bytes(),
        GOODBOOKS_TAGS
            .lines()
            .take(30)
            .collect::<Vec<_>>()
            .join("\n")
            .into_bytes(),
        GOODBOOKS_BOOK_TAGS
            .lines()
            .take(30)
            .collect::<Vec<_>>()
            .join("\n")
            .into_bytes(),
        goodreads_sample(),
        // The first rows of the StoryGraph and LibraryThing fixtures (the LibraryThing one's
        // last row is Windows-1252: the whole file).
        STORYGRAPH[..1_500].to_vec(),
        LIBRARYTHING.to_vec(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        parse_everything(&bytes);
    }

    #[test]
    fn mutated_real_rows_never_panic(which in 0usize..10, edits in edits()) {
        let sample = &samples()[which];
        parse_everything(&mutate(sample, &edits));
    }

    #[test]
    fn random_text_in_csv_shape_never_panics(
        rows in prop::collection::vec(
            prop::collection::vec("[^\n]{0,12}", 0..30), 0..20),
        sep in prop_oneof![Just(";"), Just(","), Just("\t")],
    ) {
        let mut text = String::new();
        for row in &rows {
            text.push_str(&row.join(sep));
            text.push('\n');
        }
        parse_everything(text.as_bytes());
        for header in [
            goodreads::COLUMNS.join(","),
            storygraph::COLUMNS.join(","),
            librarything::COLUMNS.join("\t"),
        ] {
            let mut with_header = header;
            with_header.push('\n');
            with_header.push_str(&text);
            parse_everything(with_header.as_bytes());
        }
    }
}
