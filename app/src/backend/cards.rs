//! Catalog records as pages show them: a book's card and its full page.

use engine::catalog::{BookIdx, Catalog};

use crate::error::AppError;
use crate::types::{BookCard, BookDetail, Edition, PopularPage};

/// Page `page` (from 1) of the popularity ranking, `size` works a page, one edition each.
pub fn popular_page(catalog: &Catalog, page: u32, size: u32) -> Result<PopularPage, AppError> {
    let pages = (catalog.ranked_works() as u32).div_ceil(size).max(1);
    if page > pages {
        return Err(AppError::NotFound(format!(
            "There are only {pages} pages of popular books."
        )));
    }
    let offset = ((page - 1) * size) as usize;
    let books = catalog
        .popular(offset, size as usize)
        .iter()
        .filter_map(|&w| catalog.work(w).map(|work| work.representative()))
        .filter_map(|b| card(catalog, b))
        .collect();
    Ok(PopularPage { books, page, pages })
}

/// The cards of a search's hits, best first.
pub fn search(catalog: &Catalog, query: &str, limit: usize) -> Vec<BookCard> {
    catalog
        .search(query, limit)
        .iter()
        .filter_map(|hit| card(catalog, hit.doc))
        .collect()
}

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
