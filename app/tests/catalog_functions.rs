//! The catalog server functions against a real sled store in a temp dir, filled by the
//! goodbooks importer from the committed goodbooks-10k sample files.
#![cfg(feature = "ssr")]

mod common;

use app::error::AppError;
use app::functions::catalog::{get_book_detail, popular_books, search_books, MAX_PAGE};
use common::World;
use leptos::prelude::*;

/// A store with the fixture imported, and the server-function context pointing at it.
fn setup() -> World {
    let world = World::new();
    provide_context(world.state.clone());
    world
}

#[tokio::test]
async fn popular_books_pages_through_rated_works_only() {
    let _world = setup();
    let page = popular_books(1).await.unwrap();
    assert_eq!(page.page, 1);
    assert!(!page.books.is_empty());
    assert!(page.books.iter().all(|b| b.rating_count > 0));
    // One card per work.
    let mut isbns: Vec<_> = page.books.iter().map(|b| b.isbn.clone()).collect();
    isbns.dedup();
    assert_eq!(isbns.len(), page.books.len());
    let beyond = popular_books(page.pages + 1).await.unwrap_err();
    assert!(matches!(beyond, AppError::NotFound(_)), "{beyond:?}");
}

#[tokio::test]
async fn bad_pages_are_refused_with_a_clear_message() {
    let _world = setup();
    for bad in [0, MAX_PAGE + 1] {
        match popular_books(bad).await {
            Err(AppError::Invalid(msg)) => assert!(msg.contains("Page numbers")),
            other => panic!("page {bad}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn search_finds_titles_authors_and_typos() {
    let _world = setup();
    let hits = search_books("hunger games".into(), 5).await.unwrap();
    assert!(hits.books[0].title.contains("The Hunger Games"), "{hits:?}");
    let hits = search_books("rowling".into(), 10).await.unwrap();
    assert!(hits.books.iter().any(|b| b.author.contains("Rowling")));
    let hits = search_books("hunger gmaes".into(), 5).await.unwrap();
    assert!(hits.books[0].title.contains("Hunger Games"), "{hits:?}");
    let hits = search_books("   ".into(), 5).await.unwrap();
    assert!(hits.books.is_empty());
}

#[tokio::test]
async fn search_input_is_validated() {
    let _world = setup();
    assert!(matches!(
        search_books("x".repeat(201), 5).await,
        Err(AppError::Invalid(_))
    ));
    assert!(matches!(
        search_books("dune".into(), 0).await,
        Err(AppError::Invalid(_))
    ));
    assert!(matches!(
        search_books("dune".into(), 51).await,
        Err(AppError::Invalid(_))
    ));
}

#[tokio::test]
async fn book_detail_by_any_isbn_spelling() {
    let _world = setup();
    // The Hunger Games: isbn 439023483 in the file (leading zero lost), 978-0-439-02348-1.
    for spelling in ["0439023483", "439023483", "978-0-439-02348-1"] {
        let d = get_book_detail(spelling.into()).await.unwrap();
        assert_eq!(d.card.isbn, "0439023483");
        assert!(d.card.title.contains("Hunger Games"));
        assert_eq!(d.histogram.len(), 10);
        assert_eq!(d.isbn13.as_deref(), Some("9780439023481"));
        assert!(d.editions.iter().any(|e| e.isbn == "0439023483"));
    }
}

#[tokio::test]
async fn book_detail_refuses_junk_and_unknown_isbns() {
    let _world = setup();
    assert!(matches!(
        get_book_detail("not-an-isbn".into()).await,
        Err(AppError::Invalid(_))
    ));
    assert!(matches!(
        get_book_detail("0000000000".into()).await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        get_book_detail("9".repeat(100)).await,
        Err(AppError::Invalid(_))
    ));
}
