//! The recommendation server functions against a real sled store in a temp dir (the
//! goodbooks-10k sample plus readers who rate through the server functions) and a model
//! trained from it: exclusions, limits, anonymous readers, explanations.
#![cfg(feature = "ssr")]

mod common;

use std::collections::{HashMap, HashSet};

use app::error::AppError;
use app::functions::library::{rate_book, shelve_book};
use app::functions::recs::{
    because_rows, get_for_you, get_onboarding, get_similar_books, my_taste, popular_row,
    MAX_FOR_YOU, ONBOARDING_RATINGS, POPULAR_ROW,
};
use app::types::RecCard;
use common::*;

/// Readers with overlapping tastes, so collaborative filtering has something to learn: accounts
/// older than a week, whose ratings count for everyone (anonymous readers' and new accounts'
/// do not: `app::backend::store::standing`).
async fn readers(world: &World) {
    let books = [
        HUNGER_GAMES,
        HARRY_POTTER,
        TWILIGHT,
        MOCKINGBIRD,
        "0743273567",
        "0451524934",
        "0618260307",
        "0316769177",
        "0525478817",
        "0679783261",
    ];
    let store = &world.state.store;
    for r in 0..8usize {
        let user = match store
            .create_account(&format!("reader{r}"), "phc", 0)
            .unwrap()
        {
            app::backend::store::accounts::CreateAccount::Created(u) => u,
            other => panic!("{other:?}"),
        };
        for (i, isbn) in books.iter().enumerate() {
            if (i + r) % 3 != 0 {
                let book = store.book_id(isbn).unwrap().unwrap();
                let stars = (((i + r) % 5) + 1) as u8;
                store
                    .put_rating(
                        user,
                        book,
                        engine::records::Rating::from_stars(stars).unwrap(),
                    )
                    .unwrap();
            }
        }
    }
    let (model, n) = app::backend::recommender::train_from_store(
        &world.state.store,
        &app::backend::recommender::serving_params(),
        &|_| {},
    )
    .unwrap();
    world.state.recommender.install(model, n);
}

fn check_rules(list: &[RecCard], world: &World, excluded: &[&str]) {
    let catalog = &world.state.catalog();
    let mut works = HashSet::new();
    let mut authors: HashMap<String, usize> = HashMap::new();
    for rec in list {
        let idx = catalog.find(&rec.card.isbn).unwrap();
        assert!(
            works.insert(catalog.work_of(idx).unwrap()),
            "two editions of one work"
        );
        assert!(
            !excluded.contains(&rec.card.isbn.as_str()),
            "{} shown",
            rec.card.isbn
        );
        assert!(!rec.why.is_empty());
    }
    for rec in list.iter().take(10) {
        *authors.entry(rec.card.author.clone()).or_default() += 1;
    }
    assert!(authors.values().all(|&n| n <= 2), "{authors:?}");
}

#[tokio::test]
async fn the_popular_row_leaves_out_the_readers_books() {
    let world = World::new();
    let mut b = world.browser("10.0.0.2");
    let visitor = b.call(popular_row()).await.unwrap();
    assert_eq!(visitor.len(), POPULAR_ROW);
    check_rules(&visitor, &world, &[]);
    // The reader rates the first and dismisses the second: both leave the row, which stays full.
    let (first, second) = (visitor[0].card.isbn.clone(), visitor[1].card.isbn.clone());
    b.call(rate_book(first.clone(), 4)).await.unwrap();
    b.call(shelve_book(second.clone(), "not-interested".into()))
        .await
        .unwrap();
    let mine = b.call(popular_row()).await.unwrap();
    assert_eq!(mine.len(), POPULAR_ROW);
    check_rules(&mine, &world, &[first.as_str(), second.as_str()]);
    assert!(mine.iter().any(|r| r.card.isbn == visitor[2].card.isbn));
}

#[tokio::test]
async fn for_you_is_popular_for_a_visitor_and_personal_after_a_rating() {
    let world = World::new();
    readers(&world).await;
    let mut b = world.browser("10.0.0.1");
    for bad in [0, MAX_FOR_YOU + 1] {
        assert!(matches!(
            b.call(get_for_you(bad)).await,
            Err(AppError::Invalid(_))
        ));
    }
    let visitor = b.call(get_for_you(20)).await.unwrap();
    assert!(!visitor.personal);
    assert_eq!(visitor.books.len(), 20);
    check_rules(&visitor.books, &world, &[]);
    assert!(b.cookie.is_none(), "reading creates no session");

    b.call(rate_book(HUNGER_GAMES.into(), 5)).await.unwrap();
    b.call(shelve_book(TWILIGHT.into(), "want-to-read".into()))
        .await
        .unwrap();
    b.call(shelve_book(MOCKINGBIRD.into(), "not-interested".into()))
        .await
        .unwrap();
    let mine = b.call(get_for_you(20)).await.unwrap();
    assert!(mine.personal);
    assert!(!mine.books.is_empty());
    check_rules(&mine.books, &world, &[HUNGER_GAMES, TWILIGHT, MOCKINGBIRD]);
    // The list changes with the next rating (fold-in, no retraining).
    let before: Vec<_> = mine.books.iter().map(|r| r.card.isbn.clone()).collect();
    let top = before[0].clone();
    b.call(rate_book(top.clone(), 1)).await.unwrap();
    let after = b.call(get_for_you(20)).await.unwrap();
    assert!(after.books.iter().all(|r| r.card.isbn != top));
    // Explanations name the reader's books where collaborative filtering drove the score.
    assert!(
        after
            .books
            .iter()
            .any(|r| r.why.starts_with("Because you liked")),
        "{:?}",
        after.books.iter().map(|r| &r.why).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn book_pages_never_suggest_the_book_itself() {
    let world = World::new();
    readers(&world).await;
    let mut b = world.browser("10.0.0.1");
    let rows = b
        .call(get_similar_books(HARRY_POTTER.into()))
        .await
        .unwrap();
    assert!(!rows.also_liked.is_empty() || !rows.similar.is_empty());
    check_rules(&rows.also_liked, &world, &[HARRY_POTTER]);
    check_rules(&rows.similar, &world, &[HARRY_POTTER]);
    assert!(matches!(
        b.call(get_similar_books("nonsense".into())).await,
        Err(AppError::Invalid(_))
    ));
    assert!(matches!(
        b.call(get_similar_books("0000000000".into())).await,
        Err(AppError::NotFound(_))
    ));
}

#[tokio::test]
async fn a_book_added_after_training_has_similar_books_by_content() {
    let world = World::new();
    readers(&world).await;
    // A reader adds a book the model has never seen, by the author of The Hunger Games.
    let store = &world.state.store;
    let author = {
        let id = store.book_id(HUNGER_GAMES).unwrap().unwrap();
        store.book(id).unwrap().unwrap().author
    };
    let new = engine::records::Book::new("gr:99999999", "A Story of District Twelve", &author);
    let origin = app::backend::store::added::Origin {
        via: "goodreads-import".into(),
        by: 1,
        at: 0,
        source_ids: vec![("goodreads".into(), "99999999".into())],
    };
    store.add_book(&new, &origin).unwrap();
    world.state.reload_catalog().unwrap();

    let mut b = world.browser("10.0.0.1");
    let rows = b
        .call(get_similar_books("gr:99999999".into()))
        .await
        .unwrap();
    // Nobody has read it with anything yet; content knows its author at once.
    assert!(rows.also_liked.is_empty());
    assert!(!rows.similar.is_empty());
    let first = &rows.similar[0];
    assert_eq!(first.card.author, author, "{:?}", rows.similar);
    assert!(!first.why.is_empty());
    check_rules(&rows.similar, &world, &[]);

    // A reader who loves it gets a "because you liked" row of its content neighbours.
    b.call(rate_book("gr:99999999".into(), 5)).await.unwrap();
    let because = b.call(because_rows()).await.unwrap();
    let row = because
        .iter()
        .find(|r| r.seed.isbn == "gr:99999999")
        .expect("a row for the new book");
    assert!(!row.books.is_empty());
    assert!(row.books.iter().any(|r| r.card.author == author));
    check_rules(&row.books, &world, &["gr:99999999"]);

    // Another reader who likes that author's books is offered the new one in "For you".
    let mut fan = world.browser("10.0.0.2");
    fan.call(rate_book(HUNGER_GAMES.into(), 5)).await.unwrap();
    let for_you = fan.call(get_for_you(MAX_FOR_YOU)).await.unwrap();
    assert!(for_you.personal);
    let new_one = for_you
        .books
        .iter()
        .position(|r| r.card.isbn == "gr:99999999")
        .expect("the new book in For you");
    assert!(new_one <= 2, "{new_one}");
    assert!(!for_you.books[new_one].why.is_empty());
    // Not for a reader who has it already.
    let mine = b.call(get_for_you(MAX_FOR_YOU)).await.unwrap();
    assert!(mine.books.iter().all(|r| r.card.isbn != "gr:99999999"));
}

#[tokio::test]
async fn onboarding_offers_authors_and_unrated_books() {
    let world = World::new();
    readers(&world).await;
    let mut b = world.browser("10.0.0.1");
    let first = b.call(get_onboarding(String::new())).await.unwrap();
    assert_eq!(first.rated, 0);
    assert!(!first.authors.is_empty());
    assert!(!first.books.is_empty());
    let authors: HashSet<_> = first.books.iter().map(|c| c.author.clone()).collect();
    assert_eq!(authors.len(), first.books.len(), "one book per author");
    // Picking an author puts their book first.
    let pick = first.authors.last().unwrap().clone();
    let picked = b.call(get_onboarding(pick.clone())).await.unwrap();
    assert!(
        picked.books[0].author.contains(&pick),
        "{pick}: {:?}",
        picked.books[0]
    );
    // Rated books leave the list.
    let isbn = first.books[0].isbn.clone();
    b.call(rate_book(isbn.clone(), 4)).await.unwrap();
    let next = b.call(get_onboarding(String::new())).await.unwrap();
    assert_eq!(next.rated, 1);
    assert!(next.books.iter().all(|c| c.isbn != isbn));
    // Once the reader rated enough, onboarding is over: only the count comes back.
    for card in next.books.iter().take(ONBOARDING_RATINGS as usize - 1) {
        b.call(rate_book(card.isbn.clone(), 5)).await.unwrap();
    }
    let done = b.call(get_onboarding(String::new())).await.unwrap();
    assert_eq!(done.rated, ONBOARDING_RATINGS);
    assert!(done.books.is_empty() && done.authors.is_empty());
    assert!(matches!(
        b.call(get_onboarding("x".repeat(5_000))).await,
        Err(AppError::Invalid(_))
    ));
}

#[tokio::test]
async fn my_taste_counts_authors_decades_and_stars() {
    let world = World::new();
    let mut b = world.browser("10.0.0.1");
    assert_eq!(b.call(my_taste()).await.unwrap().books, 0);
    b.call(rate_book(HUNGER_GAMES.into(), 5)).await.unwrap();
    b.call(rate_book(TWILIGHT.into(), 2)).await.unwrap();
    b.call(shelve_book(MOCKINGBIRD.into(), "want-to-read".into()))
        .await
        .unwrap();
    let t = b.call(my_taste()).await.unwrap();
    assert_eq!(t.books, 3);
    assert_eq!(t.stars, vec![0, 1, 0, 0, 1]);
    assert_eq!(t.authors.len(), 3);
    assert_eq!(t.decades.iter().map(|d| d.1).sum::<u32>(), 3);
    assert!(
        t.decades.contains(&(2000, 2)) && t.decades.contains(&(1960, 1)),
        "{:?}",
        t.decades
    );
}
