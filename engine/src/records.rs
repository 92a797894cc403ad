//! The catalog's data records (books, ratings, import reports), shared by every dataset layout.

use serde::{Deserialize, Serialize};

/// A book edition as the catalog keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Book {
    /// The catalog key: a normalised ISBN-10 (see [`crate::isbn`]), or `gr:<goodreads id>` for a
    /// goodbooks book that has no ISBN.
    pub key: String,
    /// Title, decoded (Latin-1 and HTML entities) and trimmed.
    pub title: String,
    /// Author(s) as published; the first author is used to group editions into works.
    pub author: String,
    /// Year of publication, when the dataset gives a plausible one.
    pub year: Option<u16>,
    /// Publisher, empty when unknown.
    pub publisher: String,
    /// A cover image URL from the dataset; often dead, the app falls back to a generated cover.
    pub image_url: Option<String>,
    /// Subject tags (goodbooks' shelves); empty for Book-Crossing.
    pub tags: Vec<String>,
}

impl Book {
    /// A book known only by its key, title and author: no year, publisher, cover or tags (set
    /// those with the `with_*` methods).
    pub fn new(
        key: impl Into<String>,
        title: impl Into<String>,
        author: impl Into<String>,
    ) -> Book {
        Book {
            key: key.into(),
            title: title.into(),
            author: author.into(),
            year: None,
            publisher: String::new(),
            image_url: None,
            tags: Vec::new(),
        }
    }

    /// The book with this year of publication (a `u16`, or `None` for unknown).
    pub fn with_year(self, year: impl Into<Option<u16>>) -> Book {
        Book {
            year: year.into(),
            ..self
        }
    }

    /// The book with this publisher (empty for unknown).
    pub fn with_publisher(self, publisher: impl Into<String>) -> Book {
        Book {
            publisher: publisher.into(),
            ..self
        }
    }
}

/// One rating as a dataset publishes it, before it is matched to the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRating {
    /// The dataset's own user id.
    pub user: u32,
    /// The book key, normalised like [`Book::key`].
    pub book: String,
    /// The rating on Shelfwise's scale, see [`Rating`].
    pub rating: Rating,
}

/// A rating on the Book-Crossing scale, which Shelfwise uses for every source.
///
/// `0` is an implicit interaction (the reader had the book but gave no score); `1..=10` are
/// explicit scores. Sources rated in 1–5 stars are stored as `2 * stars`, so that a reader's
/// stars and the community's scores are comparable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Rating(u8);

impl Rating {
    /// The highest explicit score.
    pub const MAX: u8 = 10;

    /// A rating on the 0–10 scale; `None` outside it.
    pub fn new(value: u8) -> Option<Rating> {
        (value <= Self::MAX).then_some(Rating(value))
    }

    /// A rating from 1–5 stars (mapped to 2, 4, 6, 8, 10); `None` outside 1–5.
    pub fn from_stars(stars: u8) -> Option<Rating> {
        // `then`, not `then_some`: the product must not be computed for 128 stars and up
        // (an overflow, found by tests/fuzz_parsers.rs on a mutated goodbooks ratings row).
        (1..=5).contains(&stars).then(|| Rating(stars * 2))
    }

    /// The raw 0–10 value.
    pub fn value(self) -> u8 {
        self.0
    }

    /// Whether this is an explicit score (1–10) rather than an implicit interaction.
    pub fn is_explicit(self) -> bool {
        self.0 > 0
    }
}

/// How many rows an import read, kept and rejected, and why each rejected row was rejected.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// Data rows read (the header is not counted).
    pub read: u64,
    /// Rows turned into catalog records.
    pub kept: u64,
    /// Rows left out, each with its 1-based line number and the reason.
    pub rejected: Vec<Rejection>,
}

impl ImportReport {
    /// Record a rejected row.
    pub fn reject(&mut self, line: u64, reason: impl Into<String>) {
        self.rejected.push(Rejection {
            line,
            reason: reason.into(),
        });
    }

    /// Rejections grouped by reason, most frequent first.
    pub fn reasons(&self) -> Vec<(String, u64)> {
        let mut counts = std::collections::BTreeMap::<&str, u64>::new();
        for r in &self.rejected {
            *counts.entry(reason_kind(&r.reason)).or_default() += 1;
        }
        let mut out: Vec<(String, u64)> = counts
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out
    }
}

/// The reason without its row-specific detail (the text before the first `:`), for grouping.
fn reason_kind(reason: &str) -> &str {
    reason.split(':').next().unwrap_or(reason).trim()
}

/// One row an import left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    /// 1-based line number in the source file (the header is line 1).
    pub line: u64,
    /// Why, e.g. `bad ISBN: "12"`.
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stars_map_onto_the_even_explicit_scores() {
        let mapped: Vec<u8> = (1..=5)
            .map(|s| Rating::from_stars(s).unwrap().value())
            .collect();
        assert_eq!(mapped, vec![2, 4, 6, 8, 10]);
        assert!(Rating::from_stars(0).is_none());
        assert!(Rating::from_stars(6).is_none());
        assert!(Rating::from_stars(200).is_none());
    }

    #[test]
    fn ratings_outside_the_scale_are_refused() {
        assert!(Rating::new(11).is_none());
        assert!(!Rating::new(0).unwrap().is_explicit());
        assert!(Rating::new(1).unwrap().is_explicit());
    }

    #[test]
    fn reasons_are_grouped_by_kind() {
        let mut r = ImportReport::default();
        r.reject(2, "bad ISBN: \"12\"");
        r.reject(3, "bad ISBN: \"x\"");
        r.reject(4, "unknown book: 0000000000");
        assert_eq!(
            r.reasons(),
            vec![("bad ISBN".to_string(), 2), ("unknown book".to_string(), 1)]
        );
    }
}
