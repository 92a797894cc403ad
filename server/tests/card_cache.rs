//! Kept card HTML (`app::backend::card_cache`): a page whose cards come from the cache is, byte for
//! byte, the page with every card rendered in place, so the browser hydrates the same markup.

mod common;

use std::sync::Arc;

use app::backend::card_cache::CardHtml;
use axum::http::StatusCode;
use common::{Site, HARRY_POTTER, HUNGER_GAMES, TWILIGHT};

/// The body with the per-response CSP nonce blanked wherever it appears (the only part
/// meant to differ between two responses).
fn without_nonce(body: &str) -> String {
    let nonce = body
        .split("nonce=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .filter(|n| !n.is_empty());
    match nonce {
        Some(n) => body.replace(n, "NONCE"),
        None => body.to_string(),
    }
}

/// Where two pages first differ, with some context (a whole page is too long to read).
fn first_difference(a: &str, b: &str) -> Option<String> {
    let at = a.bytes().zip(b.bytes()).position(|(x, y)| x != y);
    let at = at.or((a.len() != b.len()).then(|| a.len().min(b.len())))?;
    let around = |s: &str| {
        let from = s.floor_char_boundary(at.saturating_sub(200));
        let to = s.ceil_char_boundary((at + 200).min(s.len()));
        s[from..to].to_string()
    };
    Some(format!("at byte {at}:\n{}\n---\n{}", around(a), around(b)))
}

/// Every page with cards, each loaded twice (the second load is served from kept cards when
/// the cache is on), as a reader who rated one book and shelved another.
async fn pages(site: &Site) -> Vec<String> {
    let session = site.sign_up("reader").await;
    let s = Some(session.as_str());
    for (endpoint, form) in [
        ("rate_book", format!("isbn={HUNGER_GAMES}&stars=4")),
        ("shelve_book", format!("isbn={TWILIGHT}&shelf=want-to-read")),
    ] {
        let reply = site.call(endpoint, &form, s).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    let mut bodies = Vec::new();
    for path in [
        "/popular",
        "/",
        "/search?q=harry",
        "/my-books",
        &format!("/book/{HARRY_POTTER}"),
    ] {
        for _ in 0..2 {
            let reply = site.get(path, s).await;
            assert_eq!(reply.status, StatusCode::OK, "{path}");
            bodies.push(without_nonce(&reply.body));
        }
    }
    bodies
}

#[tokio::test]
async fn a_page_of_kept_cards_is_the_page_rendered_in_place() {
    let _one = common::one_at_a_time().await;
    let kept = Site::new();
    let mut in_place = Site::new();
    in_place.state.card_html = Arc::new(CardHtml::off());
    in_place.router = shelfwise::serve::router(
        in_place.state.clone(),
        common::loopback(),
        shelfwise::page_turns::PageTurns::per_core(),
    );

    let with_cache = pages(&kept).await;
    let without = pages(&in_place).await;

    assert!(
        kept.state.card_html.len() >= 20,
        "the pages' cards are kept ({} kept)",
        kept.state.card_html.len()
    );
    assert!(in_place.state.card_html.is_empty());
    assert!(
        with_cache[0].matches("data-testid=\"book-card\"").count() >= 10,
        "the popular page shows cards"
    );
    assert!(
        with_cache.iter().any(|b| b.contains("data-rating=\"4\"")),
        "a card shows the reader's rating"
    );
    for (a, b) in with_cache.iter().zip(&without) {
        if let Some(diff) = first_difference(a, b) {
            panic!("kept cards changed the page {diff}");
        }
    }
}
