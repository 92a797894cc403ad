//! The tantivy index: its schema, opening or building it, taking new books, and answering.

use std::path::Path;
use std::sync::Mutex;

use tantivy::collector::TopDocs;
use tantivy::schema::{Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST};
use tantivy::tokenizer::{RemoveLongFilter, TextAnalyzer, WhitespaceTokenizer};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, SegmentReader, TantivyDocument};

use super::{author_words, clear_dir, lock, query, rank, Corpus, Hit, CANDIDATES};
use crate::{text, Error, Result};

/// Bumped whenever the schema or the indexed text changes: an index on disk of another version
/// is rebuilt from the store at open.
const VERSION: u32 = 2;
/// The first line of the commit payload; the version, the count and the last key follow.
const PAYLOAD_TAG: &str = "shelfwise-search";
/// The analyzer of the text field. Text is folded before it reaches tantivy
/// ([`crate::text::fold`]: lower case, accents and punctuation gone), so splitting on spaces
/// is all the analyzer does.
const TOKENIZER: &str = "folded";
/// Words longer than this are not indexed: no real title word is, and a pasted blob must not
/// bloat the dictionary.
const MAX_WORD_BYTES: usize = 64;
/// The indexing arena. Tantivy's minimum is 15 MB; a full build of a large catalog gets more so
/// that it writes fewer segments.
const SMALL_WRITER_BYTES: usize = 20 << 20;
const LARGE_WRITER_BYTES: usize = 100 << 20;
/// The commit weight of the popularity prior in the candidates' order (BM25 plus this times the
/// prior): about one strong word match, so an author's most-read books are among the
/// candidates even when hundreds of editions match equally.
const RETRIEVAL_PRIOR: f32 = 5.0;

/// The index's fields.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fields {
    /// Folded title words, then folded author words and each run of initials as one word. One
    /// field rather than two: which field a word matched is the ranking's business, and one
    /// field halves the dictionary walks of every prefix and typo.
    pub words: Field,
    /// The book id (a fast field, read while collecting).
    pub book: Field,
}

/// What the index holds: the first `count` books of the catalog, the last of which has
/// `last_key`. Book ids are dense and only grow, so this says which books to add next, and a
/// different last key says the store was replaced (a restore) and the index must be rebuilt.
#[derive(Debug, Default, Clone, PartialEq)]
struct Indexed {
    count: u32,
    last_key: String,
}

impl Indexed {
    fn payload(&self) -> String {
        format!(
            "{PAYLOAD_TAG}\n{VERSION}\n{}\n{}",
            self.count, self.last_key
        )
    }

    /// The state a payload records, if it is of this version.
    fn parse(payload: &str) -> Option<Indexed> {
        let mut lines = payload.splitn(4, '\n');
        (lines.next()? == PAYLOAD_TAG).then_some(())?;
        (lines.next()?.parse::<u32>().ok()? == VERSION).then_some(())?;
        let count = lines.next()?.parse().ok()?;
        let last_key = lines.next()?.to_string();
        Some(Indexed { count, last_key })
    }
}

/// A search index over the catalog's editions, on disk or in memory. Searching never blocks on
/// [`SearchIndex::sync`]: readers see the last commit until the next one is loaded.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// What the last commit holds; the lock also makes syncs take turns.
    indexed: Mutex<Indexed>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("books", &self.len())
            .finish()
    }
}

fn err(e: impl std::fmt::Display) -> Error {
    Error::Index(e.to_string())
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let fields = Fields {
        words: builder.add_text_field("words", text),
        book: builder.add_u64_field("book", FAST),
    };
    (builder.build(), fields)
}

impl SearchIndex {
    /// An empty index in memory (tests, tools): [`SearchIndex::sync`] fills it.
    pub fn in_memory() -> Result<SearchIndex> {
        let (schema, _) = schema();
        SearchIndex::over(Index::create_in_ram(schema))
    }

    /// The index in `dir`, created when missing. An index of another version, or one that
    /// cannot be read, is deleted and started afresh: the store is the truth, and
    /// [`SearchIndex::sync`] rebuilds it from there.
    pub fn open(dir: &Path) -> Result<SearchIndex> {
        // `over` refuses another schema, and empties an index whose commit was written by
        // another version (its payload does not parse as this version's).
        if let Ok(opened) = Index::open_in_dir(dir)
            .map_err(err)
            .and_then(SearchIndex::over)
        {
            return Ok(opened);
        }
        clear_dir(dir)?;
        std::fs::create_dir_all(dir).map_err(|e| err(format!("{}: {e}", dir.display())))?;
        let (schema, _) = schema();
        SearchIndex::over(Index::create_in_dir(dir, schema).map_err(err)?)
    }

    fn over(index: Index) -> Result<SearchIndex> {
        let (expected, _) = schema();
        if index.schema() != expected {
            return Err(err("the index on disk has another schema"));
        }
        let fields = Fields {
            words: index.schema().get_field("words").map_err(err)?,
            book: index.schema().get_field("book").map_err(err)?,
        };
        index.tokenizers().register(
            TOKENIZER,
            TextAnalyzer::builder(WhitespaceTokenizer::default())
                .filter(RemoveLongFilter::limit(MAX_WORD_BYTES))
                .build(),
        );
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(err)?;
        let searcher_docs = reader.searcher().num_docs();
        let indexed = SearchIndex::payload_of(&index)?
            .and_then(|p| Indexed::parse(&p))
            .unwrap_or_default();
        let opened = SearchIndex {
            index,
            reader,
            fields,
            indexed: Mutex::new(indexed),
        };
        // A payload that disagrees with the documents is a broken index: rebuild.
        if u64::from(lock(&opened.indexed).count) != searcher_docs {
            *lock(&opened.indexed) = Indexed::default();
            opened.clear()?;
        }
        Ok(opened)
    }

    /// The payload of the last commit (`None` before the first).
    fn payload_of(index: &Index) -> Result<Option<String>> {
        Ok(index.load_metas().map_err(err)?.payload)
    }

    /// Number of books indexed.
    pub fn len(&self) -> usize {
        lock(&self.indexed).count as usize
    }

    /// Whether no book is indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes of the index's files (0 in memory).
    pub fn disk_bytes(&self) -> u64 {
        self.reader
            .searcher()
            .space_usage()
            .map(|u| u.total().get_bytes())
            .unwrap_or(0)
    }

    /// Delete every document (committed with an empty state).
    fn clear(&self) -> Result<()> {
        let writer = self.writer(SMALL_WRITER_BYTES)?;
        writer.delete_all_documents().map_err(err)?;
        self.commit(writer, &Indexed::default())
    }

    fn writer(&self, bytes: usize) -> Result<IndexWriter> {
        self.index.writer_with_num_threads(1, bytes).map_err(err)
    }

    /// Commit with the state as payload, wait for merges, and show the commit to searches.
    fn commit(&self, mut writer: IndexWriter, state: &Indexed) -> Result<()> {
        let mut prepared = writer.prepare_commit().map_err(err)?;
        prepared.set_payload(&state.payload());
        prepared.commit().map_err(err)?;
        writer.wait_merging_threads().map_err(err)?;
        self.reader.reload().map_err(err)
    }

    /// Bring the index up to the catalog's books `(key, title, author)`, in book-id order:
    /// index the books it does not hold yet, one commit. When the index holds more books
    /// than given, or a different book where the last one it indexed should be (the store was
    /// restored or replaced), it is rebuilt. Returns how many books were indexed.
    pub fn sync<'a>(
        &self,
        books: impl ExactSizeIterator<Item = (&'a str, &'a str, &'a str)> + Clone,
    ) -> Result<usize> {
        let mut indexed = lock(&self.indexed);
        let total = books.len();
        let count = indexed.count as usize;
        let same_prefix = count == 0
            || (count <= total
                && books.clone().nth(count - 1).map(|b| b.0) == Some(indexed.last_key.as_str()));
        let start = if same_prefix { count } else { 0 };
        if start == total && same_prefix {
            return Ok(0);
        }
        let bytes = if total - start > 50_000 {
            LARGE_WRITER_BYTES
        } else {
            SMALL_WRITER_BYTES
        };
        let writer = self.writer(bytes)?;
        if !same_prefix {
            writer.delete_all_documents().map_err(err)?;
        }
        let mut last_key = String::new();
        for (id, (key, title, author)) in books.enumerate().skip(start) {
            let id = u32::try_from(id).map_err(|_| err("more than 2^32 books"))?;
            let mut doc = TantivyDocument::default();
            doc.add_text(
                self.fields.words,
                format!("{} {}", text::fold(title), author_text(author)),
            );
            doc.add_u64(self.fields.book, u64::from(id));
            writer.add_document(doc).map_err(err)?;
            last_key = key.to_string();
        }
        let next = Indexed {
            count: u32::try_from(total).map_err(|_| err("more than 2^32 books"))?,
            last_key,
        };
        self.commit(writer, &next)?;
        let added = total - start;
        *indexed = next;
        Ok(added)
    }

    /// The best `limit` matches for `query` among the books `corpus` knows, best first, at most
    /// one edition per work (see the module's documentation for how they are ranked).
    pub fn search(&self, query: &str, limit: usize, corpus: &dyn Corpus) -> Vec<Hit> {
        if limit == 0 {
            return Vec::new();
        }
        let searcher = self.reader.searcher();
        let Some(mut parsed) = query::Parsed::new(query, &searcher, self.fields, false) else {
            return Vec::new();
        };
        let mut fallback = false;
        let mut candidates = self.candidates(&searcher, &parsed.all_words(), corpus);
        // Nothing holds every word: first allow a typo in short words too, then (3+ words)
        // one word missing.
        if candidates.is_empty() {
            if let Some(relaxed) = query::Parsed::new(query, &searcher, self.fields, true) {
                parsed = relaxed;
                candidates = self.candidates(&searcher, &parsed.all_words(), corpus);
            }
        }
        if candidates.is_empty() {
            if let Some(q) = parsed.all_but_one() {
                candidates = self.candidates(&searcher, &q, corpus);
                fallback = true;
            }
        }
        rank::rank(&parsed.words, &candidates, corpus, limit, fallback)
    }

    /// The book ids of the best [`CANDIDATES`] matches of `query` by BM25 plus the prior.
    fn candidates(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn tantivy::query::Query,
        corpus: &dyn Corpus,
    ) -> Vec<u32> {
        let prior = corpus.prior().clone();
        let collector =
            TopDocs::with_limit(CANDIDATES).tweak_score(move |segment: &SegmentReader| {
                let books = segment
                    .fast_fields()
                    .u64("book")
                    .ok()
                    .map(|c| c.first_or_default_col(u64::MAX));
                let prior = prior.clone();
                move |doc, score: f32| {
                    let book = books.as_ref().map_or(u64::MAX, |b| b.get_val(doc));
                    let p = usize::try_from(book)
                        .ok()
                        .and_then(|b| prior.get(b))
                        .copied()
                        .unwrap_or(0.0);
                    (score + RETRIEVAL_PRIOR * p, book)
                }
            });
        match searcher.search(query, &collector) {
            Ok(top) => top
                .into_iter()
                .filter_map(|((_, book), _)| u32::try_from(book).ok())
                .collect(),
            // A query the index cannot run (it only builds term, prefix and fuzzy queries,
            // which do not fail on a readable index) finds nothing rather than an error page.
            Err(_) => Vec::new(),
        }
    }
}

/// The indexed text of an author: [`author_words`] joined.
fn author_text(author: &str) -> String {
    author_words(author).0.join(" ")
}

/// The count a commit payload records, if it is of this version (for the tests of versions).
#[cfg(test)]
pub(super) fn parse_payload_for_tests(payload: &str) -> Option<u32> {
    Indexed::parse(payload).map(|i| i.count)
}
