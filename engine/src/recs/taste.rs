//! A reader's taste in numbers: the authors they read most, the decades, their stars.

use std::collections::HashMap;

use crate::catalog::{BookIdx, Catalog};
use crate::text::{first_author, fold};

/// Authors listed in a [`TasteSummary`].
pub const TOP_AUTHORS: usize = 10;

/// One author of a reader's books.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthorTaste {
    /// The first author as published (as spelled on the first of their books met).
    pub name: String,
    /// The reader's books by them.
    pub books: u32,
    /// The reader's mean stars for them, `None` when they starred none.
    pub stars: Option<f32>,
}

/// A reader's taste.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TasteSummary {
    /// Their [`TOP_AUTHORS`] most read authors: most books first, then higher mean stars,
    /// then by name.
    pub authors: Vec<AuthorTaste>,
    /// Books per decade of publication (e.g. `(1990, 4)`), oldest first; books without a year
    /// are left out.
    pub decades: Vec<(u16, u32)>,
    /// How many books they gave 1, 2, 3, 4 and 5 stars.
    pub stars: [u32; 5],
}

/// Summarize a reader's books: `(book, stars)` with stars 1–5 or `None` (shelved, not
/// starred). Books not in the catalog are skipped, as are stars outside 1–5. The caller picks
/// which books count (the app leaves out books marked not interested that have no stars).
pub fn summarize(
    catalog: &Catalog,
    books: impl IntoIterator<Item = (BookIdx, Option<u8>)>,
) -> TasteSummary {
    let mut authors: HashMap<String, (String, u32, u32, u32)> = HashMap::new();
    let mut decades: HashMap<u16, u32> = HashMap::new();
    let mut stars = [0u32; 5];
    for (idx, given) in books {
        let Some(book) = catalog.book(idx) else {
            continue;
        };
        let given = given.filter(|s| (1..=5).contains(s));
        let name = first_author(&book.author);
        if !name.is_empty() {
            let e = authors
                .entry(fold(name))
                .or_insert((name.to_string(), 0, 0, 0));
            e.1 += 1;
            if let Some(s) = given {
                e.2 += u32::from(s);
                e.3 += 1;
            }
        }
        if let Some(y) = book.year {
            *decades.entry(y / 10 * 10).or_default() += 1;
        }
        if let Some(s) = given {
            stars[s as usize - 1] += 1;
        }
    }
    let mut authors: Vec<AuthorTaste> = authors
        .into_values()
        .map(|(name, books, sum, rated)| AuthorTaste {
            name,
            books,
            stars: (rated > 0).then(|| sum as f32 / rated as f32),
        })
        .collect();
    authors.sort_by(|a, b| {
        b.books
            .cmp(&a.books)
            .then(b.stars.unwrap_or(0.0).total_cmp(&a.stars.unwrap_or(0.0)))
            .then(a.name.cmp(&b.name))
    });
    authors.truncate(TOP_AUTHORS);
    let mut decades: Vec<(u16, u32)> = decades.into_iter().collect();
    decades.sort();
    TasteSummary {
        authors,
        decades,
        stars,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::Book;

    #[test]
    fn authors_decades_and_stars_are_counted() {
        let books = vec![
            Book::new("1", "Title 1", "Ursula K. Le Guin").with_year(1969),
            Book::new("2", "Title 2", "Ursula K. Le Guin").with_year(1974),
            Book::new("3", "Title 3", "Frank Herbert").with_year(1965),
            Book::new("4", "Title 4", ""),
        ];
        let c = Catalog::build(books, std::iter::empty()).unwrap();
        let t = summarize(
            &c,
            [
                (0, Some(5)),
                (1, None),
                (2, Some(3)),
                (3, Some(4)),
                (99, Some(1)),
            ],
        );
        assert_eq!(t.authors.len(), 2);
        assert_eq!(t.authors[0].name, "Ursula K. Le Guin");
        assert_eq!(t.authors[0].books, 2);
        assert_eq!(t.authors[0].stars, Some(5.0));
        assert_eq!(t.authors[1].stars, Some(3.0));
        assert_eq!(t.decades, vec![(1960, 2), (1970, 1)]);
        assert_eq!(t.stars, [0, 0, 1, 1, 1]);
    }
}
