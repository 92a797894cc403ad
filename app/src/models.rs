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
