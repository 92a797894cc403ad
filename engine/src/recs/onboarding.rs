//! Onboarding: the authors a new reader may pick and the books they are asked to rate first,
//! chosen to learn the most about them.

use std::collections::{HashMap, HashSet};

use crate::catalog::{BookIdx, Catalog, WorkIdx};
use crate::text::{first_author, fold};

/// Authors offered to pick from.
pub const AUTHORS: usize = 24;
/// The authors come from this many of the most popular works.
pub const AUTHOR_POOL: usize = 400;
/// Books to rate.
pub const BOOKS: usize = 12;
/// At most this many of the books are by authors the reader picked.
pub const PICKED_BOOKS: usize = 8;
/// The books come from this many of the most popular works.
pub const BOOK_POOL: usize = 2_000;
/// At most this many books (not by picked authors) from one decade.
pub const PER_DECADE: usize = 4;

/// What onboarding shows: authors to pick and books to rate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OnboardingChoice {
    /// Popular authors (first authors as published), most popular first, each once.
    pub authors: Vec<String>,
    /// Books to rate (each its work's representative edition): first up to [`PICKED_BOOKS`]
    /// by picked authors, then the others, [`BOOKS`] in all.
    pub books: Vec<BookIdx>,
}

/// Choose onboarding's authors and books.
///
/// Authors: the first authors of the top [`AUTHOR_POOL`] works by popularity, once each
/// (folded), [`AUTHORS`] of them. Books: from the top [`BOOK_POOL`] works, skipping
/// `owned_works` (works the reader has any edition of), one book per (folded first) author;
/// books by a `picked_authors` author (compared folded) come first, up to [`PICKED_BOOKS`],
/// the others are widely read (so many readers can be compared) and spread over the decades
/// (at most [`PER_DECADE`] per decade, books without a year counted as decade 0), so each
/// answer says something new.
pub fn choose(
    catalog: &Catalog,
    owned_works: &HashSet<WorkIdx>,
    picked_authors: &[String],
) -> OnboardingChoice {
    let picked: HashSet<String> = picked_authors.iter().map(|a| fold(a)).collect();
    let mut authors = Vec::new();
    let mut seen_authors = HashSet::new();
    for &w in catalog.popular(0, AUTHOR_POOL.min(catalog.ranked_works())) {
        let Some(b) = catalog
            .work(w)
            .and_then(|x| catalog.book(x.representative()))
        else {
            continue;
        };
        let first = first_author(&b.author);
        if first.is_empty() || !seen_authors.insert(fold(first)) {
            continue;
        }
        authors.push(first.to_string());
        if authors.len() == AUTHORS {
            break;
        }
    }
    let mut first_pick = Vec::new();
    let mut rest = Vec::new();
    let mut used_authors = HashSet::new();
    let mut per_decade: HashMap<u16, usize> = HashMap::new();
    for &w in catalog.popular(0, BOOK_POOL.min(catalog.ranked_works())) {
        if owned_works.contains(&w) {
            continue;
        }
        let Some(work) = catalog.work(w) else {
            continue;
        };
        let idx = work.representative();
        let Some(b) = catalog.book(idx) else { continue };
        let author = fold(first_author(&b.author));
        if !used_authors.insert(author.clone()) {
            continue;
        }
        if picked.contains(&author) {
            first_pick.push(idx);
            continue;
        }
        let decade = b.year.map(|y| y / 10 * 10).unwrap_or(0);
        let n = per_decade.entry(decade).or_default();
        if *n >= PER_DECADE {
            continue;
        }
        *n += 1;
        rest.push(idx);
    }
    let books = first_pick
        .into_iter()
        .take(PICKED_BOOKS)
        .chain(rest)
        .take(BOOKS)
        .collect();
    OnboardingChoice { authors, books }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{Book, Rating};

    /// Twenty books by ten authors, all from the 1990s, more popular the earlier they are.
    fn catalog() -> Catalog {
        let books: Vec<Book> = (0..20)
            .map(|i| {
                Book::new(
                    format!("{i:010}"),
                    format!("Title {i}"),
                    format!("Author {}", i % 10),
                )
                .with_year(1990 + (i % 10) as u16)
            })
            .collect();
        let ratings = (0..20u32)
            .flat_map(|i| std::iter::repeat_n((i, Rating::new(8).unwrap()), 30 - i as usize));
        Catalog::build(books, ratings).unwrap()
    }

    #[test]
    fn one_book_per_author_picked_authors_first_and_at_most_four_per_decade() {
        let c = catalog();
        let none = HashSet::new();
        let choice = choose(&c, &none, &[]);
        assert_eq!(choice.authors.len(), 10);
        assert_eq!(choice.authors[0], "Author 0");
        // Every book is from the 1990s: four of them.
        assert_eq!(choice.books.len(), PER_DECADE);
        let picked = choose(&c, &none, &["author 7".to_string()]);
        let first = c.book(picked.books[0]).unwrap();
        assert_eq!(first.author, "Author 7");
        assert_eq!(picked.books.len(), PER_DECADE + 1);
        // An owned work is never offered; the author's next book is.
        let owned: HashSet<WorkIdx> = [c.work_of(7).unwrap()].into();
        let again = choose(&c, &owned, &["author 7".to_string()]);
        assert_eq!(c.book(again.books[0]).unwrap().title, "Title 17");
    }
}
