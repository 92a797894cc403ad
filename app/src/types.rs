//! The data the server sends to pages: plain serialisable structs shared by both sides.

use serde::{Deserialize, Serialize};

/// What a book card shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookCard {
    /// Catalog key (normalised ISBN); the book page lives at `/book/<isbn>`.
    pub isbn: String,
    /// Title.
    pub title: String,
    /// Author(s).
    pub author: String,
    /// Year of publication, when known.
    pub year: Option<u16>,
    /// Cover image URL from the dataset (often dead; a generated cover stands behind it).
    pub image_url: Option<String>,
    /// Explicit ratings of the work (all editions).
    pub rating_count: u32,
    /// Mean explicit rating of the work on the 1–10 scale.
    pub average: Option<f32>,
    /// How many editions the work has.
    pub editions: u32,
    /// What the current reader did with this work (any edition of it).
    #[serde(default)]
    pub mine: MyState,
}

impl BookCard {
    /// The page of this book.
    pub fn href(&self) -> String {
        format!("/book/{}", self.isbn)
    }
}

/// One page of the popularity ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PopularPage {
    /// The books of this page, best first.
    pub books: Vec<BookCard>,
    /// This page's number, from 1.
    pub page: u32,
    /// Number of pages.
    pub pages: u32,
}

/// A search's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    /// The query as the server understood it (trimmed).
    pub query: String,
    /// Hits, best first, one per work.
    pub books: Vec<BookCard>,
}

/// Another edition of a book's work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Edition {
    /// Its ISBN (catalog key).
    pub isbn: String,
    /// Its title as published.
    pub title: String,
    /// Year, when known.
    pub year: Option<u16>,
    /// Publisher.
    pub publisher: String,
    /// How many ratings (explicit and implicit) this edition has.
    pub ratings: u32,
}

/// Everything the book page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookDetail {
    /// The card data (title, author, cover, work-level rating summary).
    pub card: BookCard,
    /// Publisher of this edition.
    pub publisher: String,
    /// ISBN-13 of this edition, when it has one.
    pub isbn13: Option<String>,
    /// Subject tags, when the dataset has them.
    pub tags: Vec<String>,
    /// Every edition of the work, this one included, most rated first.
    pub editions: Vec<Edition>,
    /// Count of the work's explicit ratings per value 1..=10 (index 0 = rating 1).
    pub histogram: Vec<u32>,
    /// Readers who have the book without rating it (implicit interactions).
    pub implicit_count: u32,
}

/// Where a reader keeps a book. The five are exclusive: a book sits on at most one.
///
/// Stored by variant index (postcard): a new shelf goes at the end, never between others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Shelf {
    /// Want to read.
    WantToRead,
    /// Reading now.
    Reading,
    /// Read.
    Read,
    /// Not interested: never recommended again.
    NotInterested,
    /// Started and given up (Goodreads readers' `did-not-finish`, `dnf`, `abandoned`... and
    /// StoryGraph's "did not finish"; see `docs/library.md`).
    DidNotFinish,
}

impl Shelf {
    /// Every shelf, in menu order.
    pub const ALL: [Shelf; 5] = [
        Shelf::WantToRead,
        Shelf::Reading,
        Shelf::Read,
        Shelf::DidNotFinish,
        Shelf::NotInterested,
    ];

    /// The label a reader sees.
    pub fn label(self) -> &'static str {
        match self {
            Shelf::WantToRead => "Want to read",
            Shelf::Reading => "Reading",
            Shelf::Read => "Read",
            Shelf::NotInterested => "Not interested",
            Shelf::DidNotFinish => "Did not finish",
        }
    }

    /// The stable name used in URLs, forms and exports.
    pub fn slug(self) -> &'static str {
        match self {
            Shelf::WantToRead => "want-to-read",
            Shelf::Reading => "reading",
            Shelf::Read => "read",
            Shelf::NotInterested => "not-interested",
            Shelf::DidNotFinish => "did-not-finish",
        }
    }

    /// The shelf named by [`Shelf::slug`].
    pub fn from_slug(slug: &str) -> Option<Shelf> {
        Shelf::ALL.into_iter().find(|s| s.slug() == slug)
    }
}

/// What the current reader has done with a book: shown on every card.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyState {
    /// Their rating in stars (1–5), if they rated it.
    pub stars: Option<u8>,
    /// The shelf it sits on, if any.
    pub shelf: Option<Shelf>,
}

/// Who is using the app right now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reader {
    /// The account's username; `None` for an anonymous reader (kept by a cookie only).
    pub username: Option<String>,
    /// How many books they rated.
    pub ratings: u32,
    /// How many books sit on their shelves.
    pub shelved: u32,
}

/// One book on the "My books" page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MyBook {
    /// The book.
    pub card: BookCard,
    /// When the reader last rated or shelved it (`YYYY-MM-DD`).
    pub updated: String,
}

/// How the "My books" list is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum MyBooksSort {
    /// Most recently rated or shelved first.
    #[default]
    Recent,
    /// Highest rating first.
    Rating,
    /// By title.
    Title,
    /// By author.
    Author,
}

impl MyBooksSort {
    /// Every order, in menu order.
    pub const ALL: [MyBooksSort; 4] = [
        MyBooksSort::Recent,
        MyBooksSort::Rating,
        MyBooksSort::Title,
        MyBooksSort::Author,
    ];

    /// The stable name used in the URL.
    pub fn slug(self) -> &'static str {
        match self {
            MyBooksSort::Recent => "recent",
            MyBooksSort::Rating => "rating",
            MyBooksSort::Title => "title",
            MyBooksSort::Author => "author",
        }
    }

    /// The label a reader sees.
    pub fn label(self) -> &'static str {
        match self {
            MyBooksSort::Recent => "Recently added",
            MyBooksSort::Rating => "My rating",
            MyBooksSort::Title => "Title",
            MyBooksSort::Author => "Author",
        }
    }

    /// The order named by [`MyBooksSort::slug`].
    pub fn from_slug(slug: &str) -> Option<MyBooksSort> {
        MyBooksSort::ALL.into_iter().find(|s| s.slug() == slug)
    }
}

/// The "My books" page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MyBooks {
    /// The books that pass the filter, in the asked order.
    pub books: Vec<MyBook>,
    /// Books per shelf, in [`Shelf::ALL`] order.
    pub shelf_counts: Vec<u32>,
    /// Books rated.
    pub rated: u32,
    /// All the reader's books (rated or shelved).
    pub total: u32,
    /// The reader's ratings per star value 1..=5 (index 0 = one star).
    pub star_histogram: Vec<u32>,
    /// The reader's tags and own shelves with their books, most used first.
    pub tags: Vec<(String, u32)>,
}

/// What a library import (Goodreads, StoryGraph or LibraryThing) did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportSummary {
    /// Rows read from the file.
    pub rows: u32,
    /// Rows matched to a catalog book and saved.
    pub matched: u32,
    /// Ratings saved.
    pub ratings: u32,
    /// Shelf placements saved.
    pub shelved: u32,
    /// Rows matched by ISBN-10, ISBN-13 and by title + author.
    pub by_isbn10: u32,
    /// See `by_isbn10`.
    pub by_isbn13: u32,
    /// See `by_isbn10`.
    pub by_title: u32,
    /// Rows matched by the source's own id (Goodreads' `Book Id`).
    pub by_source_id: u32,
    /// Rows that matched no catalog book and became one (a signed-in reader's import).
    pub created: u32,
    /// Rows not found in the catalog and not added (an anonymous reader's, or with no
    /// title): "Title — Author".
    pub unmatched: Vec<String>,
    /// Rows that could not be read: "line N: why".
    pub rejected: Vec<String>,
    /// Why the file as a whole was refused, if it was (nothing was imported then).
    pub error: Option<String>,
}

/// A recommended book and, in a few words, why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecCard {
    /// The book (with the reader's state).
    pub card: BookCard,
    /// "Because you liked X and Y", "Same author as Z", "Popular with readers like you".
    pub why: String,
}

/// The "For you" list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForYou {
    /// Best first.
    pub books: Vec<RecCard>,
    /// Whether the list is personal (the reader rated something and a model is ready), or the
    /// popularity fallback.
    pub personal: bool,
}

/// A row of books similar to one the reader liked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BecauseRow {
    /// The book the row is about.
    pub seed: BookCard,
    /// Its neighbours, best first.
    pub books: Vec<RecCard>,
}

/// The book page's two rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimilarBooks {
    /// Readers who liked this also liked (collaborative filtering).
    pub also_liked: Vec<RecCard>,
    /// Similar books (content: authors, title words, decade).
    pub similar: Vec<RecCard>,
}

/// Onboarding stays on the home page until the reader rated this many books (or skips it).
pub const ONBOARDING_RATINGS: u32 = 5;

/// What onboarding offers: interests to pick and books to rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Onboarding {
    /// Popular authors to pick from.
    pub authors: Vec<String>,
    /// Books to rate: popular, one per author, spread over the decades; the picked authors'
    /// first.
    pub books: Vec<BookCard>,
    /// How many books the reader rated so far.
    pub rated: u32,
}

/// One author in "My taste".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TasteAuthor {
    /// The author.
    pub name: String,
    /// Books of theirs the reader rated or shelved.
    pub books: u32,
    /// Mean of the reader's stars for them, when rated.
    pub stars: Option<f32>,
}

/// What a reader brought for a book in an import, as their own notes on its page. Only ever
/// sent to that reader.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyNotes {
    /// Their review as HTML cleaned to a small allowlist (paragraphs, line breaks, emphasis,
    /// lists, quotes, links); empty when none.
    pub review_html: String,
    /// Their review as they wrote or brought it, for editing.
    pub review: String,
    /// Their tags and own shelves (`Bookshelves` without the built-in shelves).
    pub tags: Vec<String>,
    /// Whether they marked the review as giving the plot away.
    pub spoiler: bool,
    /// Every reading, as the file or the form wrote them (`2024/03/09`, ranges
    /// `2019/03/01-2019/03/15`), comma-separated.
    pub dates_read: String,
    /// When they added it, as the file wrote it.
    pub date_added: String,
    /// Their private notes (plain text).
    pub private_notes: String,
    /// How many times they read it, as the file wrote it.
    pub read_count: String,
    /// How many copies they own, as the file or the form wrote it.
    pub owned_copies: String,
}

/// The books a reader finished in one year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearRead {
    /// The year.
    pub year: i32,
    /// Books read that year.
    pub books: u32,
    /// Their pages, where the reader's import gave them.
    pub pages: u32,
}

/// The reader's profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Taste {
    /// Most-read authors, most first (at most 10).
    pub authors: Vec<TasteAuthor>,
    /// (decade, books) in time order, e.g. (1990, 12).
    pub decades: Vec<(u16, u32)>,
    /// Ratings per star value 1..=5.
    pub stars: Vec<u32>,
    /// Books rated or shelved.
    pub books: u32,
    /// Books read per year, oldest first: the date read an import gave, else when the reader
    /// put the book on "Read".
    pub years: Vec<YearRead>,
    /// The reader's goal for this year, with their progress, if they set one.
    pub goal: Option<ReadingGoal>,
    /// This year (the server's clock, UTC): the year a goal is set for.
    pub this_year: i32,
}

/// A yearly reading goal and how far the reader is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadingGoal {
    /// The year.
    pub year: i32,
    /// Books the reader means to read.
    pub books: u32,
    /// Books read so far that year (as counted in [`Taste::years`]).
    pub read: u32,
}

/// What adding a book by hand did: the new book, or the books it may already be.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AddedBook {
    /// The book made, when one was.
    pub added: Option<BookCard>,
    /// The books the form may describe, offered before making a new one (or the one with the
    /// same ISBN, which is never made twice).
    pub candidates: Vec<BookCard>,
}
