//! Ratings cannot be stuffed: a thousand scripted readers (half anonymous, from a thousand
//! addresses; half fresh accounts) rating one obscure book five stars, together with a popular
//! book, move it neither into the popularity ranking a restart builds nor into the "Similar
//! books" of the popular book after retraining. The same flood from established accounts
//! would, which shows the test can see the difference.

mod common;

use app::backend::auth::session::new_token;
use app::backend::recommender::{serving_params, training_data_as_of};
use app::backend::state::Settings;
use app::backend::store::accounts::{CreateAccount, Session};
use app::backend::store::standing::ESTABLISHED_AFTER_SECS;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use engine::recs::trained::TrainedModels;

/// The Secret Garden: in the sample's catalog, with no ratings in it.
const OBSCURE: &str = "0517189607";
const FLOOD: usize = 1000;

async fn rate(site: &Site, address: &str, cookie: Option<&str>, isbn: &str) -> Reply {
    let mut req = Request::post("/api/rate_book")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("x-forwarded-for", address);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, format!("shelfwise_session={c}"));
    }
    let body = Body::from(format!("isbn={isbn}&stars=5"));
    Reply::of(site.send(req.body(body).unwrap()).await).await
}

fn popular_keys(site: &Site, now: u64) -> Vec<String> {
    let catalog = site.state.store.load_catalog_as_of(now).unwrap();
    catalog
        .popular(0, 10)
        .iter()
        .map(|&w| {
            let work = catalog.work(w).unwrap();
            catalog.book(work.representative()).unwrap().key.clone()
        })
        .collect()
}

async fn similar_to_hunger_games(site: &Site, now: u64) -> String {
    let (books, ratings) = training_data_as_of(&site.state.store, now).unwrap();
    let n = ratings.len();
    let model =
        TrainedModels::train_from_tuples(books, ratings, &serving_params(), &|_| {}).unwrap();
    site.state.recommender.install(model, n);
    let reply = site
        .call("similar_books", &format!("isbn={HUNGER_GAMES}"), None)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body
}

#[tokio::test]
async fn a_flood_of_scripted_readers_moves_nothing_others_see() {
    let _one = common::one_at_a_time().await;
    let site = Site::with(
        Settings {
            trust_proxy: true,
            ..Settings::default()
        },
        |_| {},
    );
    let now = app::backend::auth::now();
    let before = popular_keys(&site, now);
    assert!(!before.iter().any(|k| k == OBSCURE));

    // Half the flood: anonymous readers, each from an address of its own.
    for i in 0..FLOOD / 2 {
        let address = format!("10.{}.{}.{}", i / 65536, (i / 256) % 256, i % 256);
        let first = rate(&site, &address, None, OBSCURE).await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.body);
        let token = first.session().expect("an anonymous session");
        let second = rate(&site, &address, Some(&token), HUNGER_GAMES).await;
        assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    }
    // The other half: accounts made a moment ago (straight in the store: hashing a thousand
    // passwords would only slow the test), rating through the server like anyone else.
    for i in 0..FLOOD / 2 {
        let store = &site.state.store;
        let CreateAccount::Created(user) = store
            .create_account(&format!("bot{i}"), "not-a-hash", now)
            .unwrap()
        else {
            panic!("bot{i} taken")
        };
        let (token, hash) = new_token().unwrap();
        let session = Session {
            user,
            expires: now + 3600,
            account: true,
        };
        store.put_session(&hash, &session).unwrap();
        for isbn in [OBSCURE, HUNGER_GAMES] {
            let r = rate(&site, "192.0.2.1", Some(&token), isbn).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
    }
    assert_eq!(
        site.state
            .store
            .ratings_of_book(site.state.store.book_id(OBSCURE).unwrap().unwrap())
            .unwrap()
            .len(),
        FLOOD
    );

    // What a restart and a retraining now would show every reader.
    assert_eq!(popular_keys(&site, now), before);
    let similar = similar_to_hunger_games(&site, now).await;
    assert!(!similar.contains(OBSCURE), "{similar}");

    // The same accounts a week on count: the flood would have worked without the rule.
    let later = now + ESTABLISHED_AFTER_SECS;
    assert!(popular_keys(&site, later).iter().any(|k| k == OBSCURE));
    let similar = similar_to_hunger_games(&site, later).await;
    assert!(similar.contains(OBSCURE), "{similar}");
}
