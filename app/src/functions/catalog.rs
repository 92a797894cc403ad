//! Catalog server functions: the popularity ranking, search and the book page.

use leptos::prelude::*;

use crate::error::AppError;
use crate::models::{BookDetail, PopularPage, SearchResults};

/// Books per page of the popularity ranking.
pub const PAGE_SIZE: u32 = 24;
/// Pages beyond this are refused: nobody pages that deep, and it bounds the work per request.
pub const MAX_PAGE: u32 = 1_000;
/// Longest accepted search query, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// Most hits one search returns.
pub const MAX_SEARCH_LIMIT: u32 = 50;

/// Check a page number of the popularity ranking.
pub fn validate_page(page: u32) -> Result<u32, AppError> {
    if page == 0 || page > MAX_PAGE {
        return Err(AppError::Invalid(format!(
            "Page numbers run from 1 to {MAX_PAGE}; got {page}."
        )));
    }
    Ok(page)
}

/// Check and trim a search query and its limit.
pub fn validate_search(query: &str, limit: u32) -> Result<(String, usize), AppError> {
    let query = query.trim();
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(AppError::Invalid(format!(
            "Search for at most {MAX_QUERY_CHARS} characters."
        )));
    }
    if limit == 0 || limit > MAX_SEARCH_LIMIT {
        return Err(AppError::Invalid(format!(
            "Ask for 1 to {MAX_SEARCH_LIMIT} results; got {limit}."
        )));
    }
    Ok((query.to_string(), limit as usize))
}

/// One page of the most popular books (Bayesian average of explicit ratings, one edition per
/// work).
#[server(endpoint = "popular_books")]
pub async fn popular_books(page: u32) -> Result<PopularPage, AppError> {
    use crate::state::{app_state, respond};
    let page = validate_page(page).map_err(respond)?;
    let state = app_state()?;
    let catalog = state.catalog.clone();
    let pages = (catalog.ranked_works() as u32).div_ceil(PAGE_SIZE).max(1);
    if page > pages {
        return Err(respond(AppError::NotFound(format!(
            "There are only {pages} pages of popular books."
        ))));
    }
    let offset = ((page - 1) * PAGE_SIZE) as usize;
    let mut books: Vec<_> = catalog
        .popular(offset, PAGE_SIZE as usize)
        .iter()
        .filter_map(|&w| catalog.work(w).map(|work| work.representative()))
        .filter_map(|b| ssr::card(&catalog, b))
        .collect();
    super::library::ssr::fill_mine(&state, &mut books)?;
    Ok(PopularPage { books, page, pages })
}

/// Search titles, authors and ISBNs, typo-tolerant; one edition per work, best first.
#[server(endpoint = "search_books")]
pub async fn search_books(query: String, limit: u32) -> Result<SearchResults, AppError> {
    use crate::state::{app_state, respond};
    let (query, limit) = validate_search(&query, limit).map_err(respond)?;
    let state = app_state()?;
    let catalog = state.catalog.clone();
    let mut books: Vec<_> = catalog
        .search(&query, limit)
        .iter()
        .filter_map(|hit| ssr::card(&catalog, hit.doc))
        .collect();
    super::library::ssr::fill_mine(&state, &mut books)?;
    Ok(SearchResults { query, books })
}

/// Everything the book page shows for one edition, found by ISBN (any common spelling).
#[server(endpoint = "book_detail")]
pub async fn get_book_detail(isbn: String) -> Result<BookDetail, AppError> {
    use crate::state::{app_state, respond};
    if isbn.len() > 64 {
        return Err(respond(AppError::Invalid("That is not an ISBN.".into())));
    }
    let key = engine::isbn::normalize(&isbn)
        .ok_or_else(|| respond(AppError::Invalid(format!("\"{isbn}\" is not an ISBN."))))?;
    let state = app_state()?;
    let catalog = state.catalog.clone();
    let idx = catalog.find(&key).ok_or_else(|| {
        respond(AppError::NotFound(format!(
            "No book with ISBN {key} is in the catalog."
        )))
    })?;
    let mut detail = ssr::detail(&catalog, idx).ok_or_else(|| respond(AppError::Internal))?;
    super::library::ssr::fill_mine(&state, std::slice::from_mut(&mut detail.card))?;
    Ok(detail)
}

/// Turning catalog records into the models pages show.
#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use engine::catalog::{BookIdx, Catalog};

    use crate::models::{BookCard, BookDetail, Edition};

    /// The card of a book, with its work's rating summary.
    pub fn card(catalog: &Catalog, idx: BookIdx) -> Option<BookCard> {
        let book = catalog.book(idx)?;
        let work = catalog.work(catalog.work_of(idx)?)?;
        Some(BookCard {
            isbn: book.key.clone(),
            title: book.title.clone(),
            author: book.author.clone(),
            year: book.year,
            image_url: book.image_url.clone(),
            rating_count: work.stats.explicit_count(),
            average: work.stats.mean().map(|m| m as f32),
            editions: work.editions.len() as u32,
            mine: Default::default(),
        })
    }

    /// The full book page.
    pub fn detail(catalog: &Catalog, idx: BookIdx) -> Option<BookDetail> {
        let book = catalog.book(idx)?;
        let work = catalog.work(catalog.work_of(idx)?)?;
        let editions = work
            .editions
            .iter()
            .filter_map(|&e| {
                let b = catalog.book(e)?;
                let s = catalog.book_stats(e)?;
                Some(Edition {
                    isbn: b.key.clone(),
                    title: b.title.clone(),
                    year: b.year,
                    publisher: b.publisher.clone(),
                    ratings: s.explicit_count() + s.implicit_count(),
                })
            })
            .collect();
        Some(BookDetail {
            card: card(catalog, idx)?,
            publisher: book.publisher.clone(),
            isbn13: engine::isbn::to_isbn13(&book.key),
            tags: book.tags.clone(),
            editions,
            histogram: work.stats.histogram[1..].to_vec(),
            implicit_count: work.stats.implicit_count(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_outside_the_range_are_refused() {
        assert!(validate_page(0).is_err());
        assert!(validate_page(MAX_PAGE + 1).is_err());
        assert_eq!(validate_page(3), Ok(3));
    }

    #[test]
    fn queries_are_trimmed_and_bounded() {
        assert_eq!(
            validate_search("  dune ", 5),
            Ok(("dune".to_string(), 5usize))
        );
        assert!(validate_search(&"x".repeat(MAX_QUERY_CHARS + 1), 5).is_err());
        assert!(validate_search("dune", 0).is_err());
        assert!(validate_search("dune", MAX_SEARCH_LIMIT + 1).is_err());
        // Multi-byte characters count as one each.
        assert!(validate_search(&"é".repeat(MAX_QUERY_CHARS), 5).is_ok());
    }
}
