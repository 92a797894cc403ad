//! Catalog server functions: the popularity ranking, search and the book page.

use leptos::prelude::*;

use crate::error::AppError;
use crate::types::{BookDetail, PopularPage, SearchResults};

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
#[allow(missing_docs)] // the arguments become undocumented fields of the request struct
#[server(endpoint = "popular_books")]
pub async fn popular_books(page: u32) -> Result<PopularPage, AppError> {
    use crate::backend::{app_state, cards, library};
    let page = validate_page(page)?;
    let state = app_state()?;
    let mut popular = cards::popular_page(&state.catalog(), page, PAGE_SIZE)?;
    library::fill_mine(&state, &mut popular.books)?;
    Ok(popular)
}

/// Search titles, authors and ISBNs, typo-tolerant; one edition per work, best first.
#[allow(missing_docs)] // the arguments become undocumented fields of the request struct
#[server(endpoint = "search_books")]
pub async fn search_books(query: String, limit: u32) -> Result<SearchResults, AppError> {
    use crate::backend::{app_state, cards, library};
    let (query, limit) = validate_search(&query, limit)?;
    let state = app_state()?;
    let mut books = cards::search(&state.catalog(), &query, limit);
    library::fill_mine(&state, &mut books)?;
    Ok(SearchResults { query, books })
}

/// Everything the book page shows for one edition, found by ISBN (any common spelling).
#[allow(missing_docs)] // the arguments become undocumented fields of the request struct
#[server(endpoint = "book_detail")]
pub async fn get_book_detail(isbn: String) -> Result<BookDetail, AppError> {
    use crate::backend::{app_state, cards, library};
    let state = app_state()?;
    let idx = library::book_id(&state, &isbn)?;
    let mut detail = cards::detail(&state.catalog(), idx).ok_or(AppError::Internal)?;
    library::fill_mine(&state, std::slice::from_mut(&mut detail.card))?;
    Ok(detail)
}

/// Add a book to the catalog by hand (signed-in readers only): title and authors required,
/// ISBN (check digit checked), year and publisher optional. Unless `confirmed` is set, the
/// books it may already be are answered first and nothing is made.
#[allow(missing_docs)] // the arguments become undocumented fields of the request struct
#[server(endpoint = "add_book")]
pub async fn add_book(
    title: String,
    authors: String,
    isbn: String,
    year: String,
    publisher: String,
    confirmed: Option<String>,
) -> Result<crate::types::AddedBook, AppError> {
    use crate::backend::{add_book, app_state, auth::session};
    let state = app_state()?;
    let reader = session::current(&state)?;
    let form = add_book::BookForm {
        title,
        authors,
        isbn,
        year,
        publisher,
    };
    let confirmed = confirmed.is_some_and(|c| !c.is_empty() && c != "false");
    tokio::task::spawn_blocking(move || {
        add_book::add_book(&state, reader.as_ref(), form, confirmed)
    })
    .await
    .map_err(|_| AppError::Internal)?
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
