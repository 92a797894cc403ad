//! "My taste": the reader's top authors, decades and rating distribution.

use std::collections::HashMap;

use crate::backend::library::state_of;
use crate::backend::reader::ReaderLibrary;
use crate::backend::state::AppState;
use crate::types::{Shelf, Taste, TasteAuthor};
/// "My taste".
pub fn taste(state: &AppState, reader: &ReaderLibrary) -> Taste {
    let catalog = &state.catalog;
    let mut authors: HashMap<String, (String, u32, u32, u32)> = HashMap::new();
    let mut decades: HashMap<u16, u32> = HashMap::new();
    let mut stars = vec![0u32; 5];
    for b in &reader.library {
        let Some(book) = catalog.book(b.book) else {
            continue;
        };
        let mine = state_of(b);
        if mine.shelf == Some(Shelf::NotInterested) && mine.stars.is_none() {
            continue;
        }
        let name = engine::text::first_author(&book.author);
        if !name.is_empty() {
            let e = authors
                .entry(engine::text::fold(name))
                .or_insert((name.to_string(), 0, 0, 0));
            e.1 += 1;
            if let Some(s) = mine.stars {
                e.2 += u32::from(s);
                e.3 += 1;
            }
        }
        if let Some(y) = book.year {
            *decades.entry(y / 10 * 10).or_default() += 1;
        }
        if let Some(s) = mine.stars {
            stars[s as usize - 1] += 1;
        }
    }
    let mut authors: Vec<TasteAuthor> = authors
        .into_values()
        .map(|(name, books, sum, rated)| TasteAuthor {
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
    authors.truncate(10);
    let mut decades: Vec<(u16, u32)> = decades.into_iter().collect();
    decades.sort();
    Taste {
        authors,
        decades,
        stars,
        books: reader.library.len() as u32,
    }
}
