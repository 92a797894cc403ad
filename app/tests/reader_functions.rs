//! Accounts, sessions, ratings and shelves: every server function against a real sled store
//! in a temp dir, including bad input, expiry, revocation, throttling and the anonymous merge.
#![cfg(feature = "ssr")]

mod common;

use app::backend::auth::session::{hash_token, new_token};
use app::backend::state::Settings;
use app::backend::store::accounts::Session;
use app::error::AppError;
use app::functions::accounts::{
    change_password, current_reader, delete_account, login, logout, signup,
};
use app::functions::catalog::{add_book, get_book_detail, search_books};
use app::functions::library::{get_my_books, my_notes, rate_book, save_notes, shelve_book};
use app::functions::recs::my_taste;
use app::types::{MyState, Shelf};
use common::*;

const PASSWORD: &str = "a long enough passphrase";

#[tokio::test]
async fn sign_up_validates_and_creates_nothing_on_bad_input() {
    let world = World::new();
    let users = world.state.store.user_count();
    let mut b = world.browser("10.0.0.1");
    for (name, pw, needle) in [
        ("ab", PASSWORD, "3 to 32"),
        ("has space", PASSWORD, "letters, digits"),
        ("<b>x</b>", PASSWORD, "letters, digits"),
        ("ann", "short", "at least 8"),
        ("ann", "password1", "most common"),
        ("ann", &"x".repeat(129), "at most 128"),
    ] {
        match b.call(signup(name.into(), pw.into())).await {
            Err(AppError::Invalid(m)) => assert!(m.contains(needle), "{name}: {m}"),
            other => panic!("{name}/{pw}: {other:?}"),
        }
    }
    assert_eq!(world.state.store.user_count(), users);
    assert!(b.cookie.is_none());
}

#[tokio::test]
async fn sign_up_logs_in_with_a_safe_cookie_and_names_are_unique() {
    let world = World::with(Settings {
        secure_cookies: true,
        trust_proxy: false,
        ..Settings::default()
    });
    let mut b = world.browser("10.0.0.1");
    let reader = b
        .call(signup("Ann_Reads".into(), PASSWORD.into()))
        .await
        .unwrap();
    assert_eq!(reader.username.as_deref(), Some("Ann_Reads"));
    let set = b.last_set_cookie.clone().unwrap();
    for flag in [
        "HttpOnly",
        "SameSite=Lax",
        "Secure",
        "Path=/",
        "Max-Age=2592000",
    ] {
        assert!(set.contains(flag), "{set}");
    }
    let token = b.cookie.clone().unwrap();
    assert_eq!(token.len(), 64);
    // The store keeps only the token's hash.
    assert!(world
        .state
        .store
        .session(&hash_token(&token).unwrap(), 0)
        .unwrap()
        .is_some());
    let me = b.call(current_reader()).await.unwrap().unwrap();
    assert_eq!(me.username.as_deref(), Some("Ann_Reads"));

    let mut other = world.browser("10.0.0.2");
    match other
        .call(signup("ann_reads".into(), PASSWORD.into()))
        .await
    {
        Err(AppError::Conflict(m)) => assert!(m.contains("taken")),
        x => panic!("{x:?}"),
    }
}

#[tokio::test]
async fn login_errors_do_not_tell_whether_an_account_exists() {
    let world = World::new();
    let mut b = world.browser("10.0.0.1");
    b.call(signup("ann".into(), PASSWORD.into())).await.unwrap();
    b.call(logout()).await.unwrap();
    let wrong_pw = b
        .call(login("ann".into(), "not the password".into()))
        .await
        .unwrap_err();
    let no_user = b
        .call(login("nobody".into(), "not the password".into()))
        .await
        .unwrap_err();
    assert_eq!(wrong_pw, no_user);
    assert_eq!(
        wrong_pw,
        AppError::Unauthorized("Wrong username or password.".into())
    );
    // Usernames are case-insensitive at login too.
    let r = b.call(login("ANN".into(), PASSWORD.into())).await.unwrap();
    assert_eq!(r.username.as_deref(), Some("ann"));
}

fn is_throttled<T: std::fmt::Debug>(r: &Result<T, AppError>) -> bool {
    matches!(r, Err(AppError::TooManyRequests { message, retry_after })
        if message.contains("Try again") && *retry_after >= 1)
}

#[tokio::test]
async fn a_strangers_guesses_slow_the_stranger_not_the_owner() {
    let world = World::new();
    let mut setup = world.browser("10.0.0.9");
    setup
        .call(signup("ann".into(), PASSWORD.into()))
        .await
        .unwrap();

    // Five failures from one address against ann: the sixth try from there waits, even with
    // the right password…
    let mut attacker = world.browser("10.0.0.1");
    for _ in 0..5 {
        let e = attacker
            .call(login("ann".into(), "wrong guess!".into()))
            .await;
        assert!(matches!(e, Err(AppError::Unauthorized(_))), "{e:?}");
    }
    let held = attacker.call(login("ann".into(), PASSWORD.into())).await;
    assert!(is_throttled(&held), "{held:?}");
    // …while ann, from her own address, logs in at once.
    let mut ann = world.browser("10.0.0.4");
    ann.call(login("ann".into(), PASSWORD.into()))
        .await
        .unwrap();
    // The wait ends (the throttle's clock, not the test, passes the second).
    world.clock.advance(std::time::Duration::from_secs(1));
    attacker
        .call(login("ann".into(), PASSWORD.into()))
        .await
        .unwrap();
}

#[tokio::test]
async fn parallel_guesses_are_counted_before_they_are_checked() {
    let world = World::new();
    world
        .browser("10.0.0.9")
        .call(signup("ann".into(), PASSWORD.into()))
        .await
        .unwrap();
    let guesses = (0..30).map(|i| {
        let mut b = world.browser("10.0.0.1");
        async move {
            b.call(login("ann".into(), format!("wrong guess {i}")))
                .await
        }
    });
    let answers = futures::future::join_all(guesses).await;
    let checked = answers
        .iter()
        .filter(|a| matches!(a, Err(AppError::Unauthorized(_))))
        .count();
    let throttled = answers.iter().filter(|a| is_throttled(a)).count();
    assert_eq!((checked, throttled), (5, 25), "{answers:?}");
}

#[tokio::test]
async fn logging_into_ones_own_account_does_not_wipe_the_slate() {
    let world = World::new();
    world
        .browser("10.0.0.9")
        .call(signup("ann".into(), PASSWORD.into()))
        .await
        .unwrap();
    let mut attacker = world.browser("10.0.0.1");
    attacker
        .call(signup("mallory".into(), PASSWORD.into()))
        .await
        .unwrap();
    // Spraying many accounts from one address: wrong guesses (at accounts that do not exist,
    // so no pair backs off first), each followed by a good login to the attacker's own
    // account. The logins do not wipe the slate: the twentieth guess starts the wait.
    for i in 0..19 {
        let e = attacker
            .call(login(format!("victim{i}"), "wrong guess!".into()))
            .await;
        assert!(matches!(e, Err(AppError::Unauthorized(_))), "{i}: {e:?}");
        attacker
            .call(login("mallory".into(), PASSWORD.into()))
            .await
            .unwrap();
    }
    let last = attacker
        .call(login("victim19".into(), "wrong guess!".into()))
        .await;
    assert!(matches!(last, Err(AppError::Unauthorized(_))), "{last:?}");
    let next = attacker
        .call(login("mallory".into(), PASSWORD.into()))
        .await;
    assert!(is_throttled(&next), "{next:?}");
}

#[tokio::test]
async fn every_password_check_is_throttled() {
    let world = World::new();
    let mut thief = world.browser("10.0.0.1");
    thief
        .call(signup("ann".into(), PASSWORD.into()))
        .await
        .unwrap();
    // A stolen session guessing the password to change it…
    for _ in 0..5 {
        let e = thief
            .call(change_password(
                "wrong guess!".into(),
                "another passphrase".into(),
            ))
            .await;
        assert!(matches!(e, Err(AppError::Unauthorized(_))), "{e:?}");
    }
    let held = thief
        .call(change_password(
            PASSWORD.into(),
            "another passphrase".into(),
        ))
        .await;
    assert!(is_throttled(&held), "{held:?}");
    // …or to delete the account: the same counter.
    let held = thief.call(delete_account(PASSWORD.into())).await;
    assert!(is_throttled(&held), "{held:?}");
    world.clock.advance(std::time::Duration::from_secs(1));
    thief
        .call(change_password(
            PASSWORD.into(),
            "another passphrase".into(),
        ))
        .await
        .unwrap();
}

#[tokio::test]
async fn sign_ups_and_new_anonymous_readers_are_limited_per_address() {
    let world = World::new();
    let mut flood = world.browser("10.0.0.1");
    let limits = world.state.settings.limits;
    for i in 0..limits.sign_ups_per_hour {
        flood.cookie = None;
        flood
            .call(signup(format!("bot{i}"), PASSWORD.into()))
            .await
            .unwrap();
    }
    flood.cookie = None;
    let refused = flood.call(signup("one-more".into(), PASSWORD.into())).await;
    assert!(is_throttled(&refused), "{refused:?}");
    // Probing names counts too: a taken name is refused by the limit, not answered "taken".
    let probe = flood.call(signup("ann".into(), PASSWORD.into())).await;
    assert!(is_throttled(&probe), "{probe:?}");
    let users = world.state.store.user_count();
    for _ in 0..limits.anonymous_per_hour {
        let mut anon = world.browser("10.0.0.2");
        anon.call(rate_book(HUNGER_GAMES.into(), 5)).await.unwrap();
    }
    let mut anon = world.browser("10.0.0.2");
    let refused = anon.call(rate_book(HUNGER_GAMES.into(), 5)).await;
    assert!(is_throttled(&refused), "{refused:?}");
    assert_eq!(
        world.state.store.user_count(),
        users + limits.anonymous_per_hour as usize
    );
    // Another address is not held back, and the hour passing lifts the limit.
    world
        .browser("10.0.0.3")
        .call(signup("carol".into(), PASSWORD.into()))
        .await
        .unwrap();
    world.clock.advance(std::time::Duration::from_secs(60 * 60));
    flood.cookie = None;
    flood
        .call(signup("one-more".into(), PASSWORD.into()))
        .await
        .unwrap();
}

#[tokio::test]
async fn logout_revokes_the_session_on_the_server() {
    let world = World::new();
    let mut b = world.browser("10.0.0.1");
    b.call(signup("ann".into(), PASSWORD.into())).await.unwrap();
    let stolen = b.cookie.clone().unwrap();
    b.call(logout()).await.unwrap();
    assert!(b.cookie.is_none());
    assert!(b.last_set_cookie.as_deref().unwrap().contains("Max-Age=0"));
    // A copy of the old cookie is worth nothing now.
    let mut thief = world.browser("10.0.0.2");
    thief.cookie = Some(stolen);
    assert_eq!(thief.call(current_reader()).await.unwrap(), None);
    assert!(matches!(
        thief
            .call(change_password(
                PASSWORD.into(),
                "another passphrase".into()
            ))
            .await,
        Err(AppError::Unauthorized(_))
    ));
}

#[tokio::test]
async fn expired_sessions_are_void() {
    let world = World::new();
    let mut b = world.browser("10.0.0.1");
    b.call(signup("ann".into(), PASSWORD.into())).await.unwrap();
    let user = world.state.store.user_by_key("acct:ann").unwrap().unwrap();
    let (token, hash) = new_token().unwrap();
    world
        .state
        .store
        .put_session(
            &hash,
            &Session {
                user,
                expires: app::backend::auth::now() - 1,
                account: true,
            },
        )
        .unwrap();
    let mut old = world.browser("10.0.0.1");
    old.cookie = Some(token);
    assert_eq!(old.call(current_reader()).await.unwrap(), None);
    // Junk cookies are no session either.
    old.cookie = Some("junk".into());
    assert_eq!(old.call(current_reader()).await.unwrap(), None);
}

#[tokio::test]
async fn ratings_are_validated_and_stored_as_twice_the_stars() {
    let world = World::new();
    let mut b = world.browser("10.0.0.1");
    let ratings = world.state.store.rating_count();
    for (isbn, stars, ok) in [
        (HUNGER_GAMES, 6u8, false),
        ("not an isbn", 4, false),
        ("0000000000", 4, false),
        (&"9".repeat(100) as &str, 4, false),
    ] {
        let r = b.call(rate_book(isbn.into(), stars)).await;
        assert_eq!(r.is_ok(), ok, "{isbn} {stars}: {r:?}");
    }
    assert!(matches!(
        b.call(rate_book("0000000000".into(), 4)).await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        b.call(rate_book(HUNGER_GAMES.into(), 6)).await,
        Err(AppError::Invalid(_))
    ));
    // Nothing was written, and no anonymous reader was created for refused input.
    assert_eq!(world.state.store.rating_count(), ratings);
    assert!(b.cookie.is_none());

    // An anonymous reader rates: a session starts, the rating is 2 × stars.
    let state = b.call(rate_book("978-0439023481".into(), 4)).await.unwrap();
    assert_eq!(
        state,
        MyState {
            stars: Some(4),
            shelf: None
        }
    );
    assert!(b.cookie.is_some());
    let user = world.state.store.library_of(anon_user(&world, &b)).unwrap();
    assert_eq!(user.len(), 1);
    assert_eq!(user[0].rating.unwrap().value(), 8);
    // It shows on every card of the book.
    let hits = b
        .call(search_books("hunger games".into(), 5))
        .await
        .unwrap();
    assert_eq!(hits.books[0].mine.stars, Some(4));
    let detail = b.call(get_book_detail(HUNGER_GAMES.into())).await.unwrap();
    assert_eq!(detail.card.mine.stars, Some(4));
    // Another browser sees no state of ours.
    let mut other = world.browser("10.0.0.2");
    let hits = other
        .call(search_books("hunger games".into(), 5))
        .await
        .unwrap();
    assert_eq!(hits.books[0].mine, MyState::default());
    // Clearing removes it.
    let state = b.call(rate_book(HUNGER_GAMES.into(), 0)).await.unwrap();
    assert_eq!(state, MyState::default());
    assert_eq!(world.state.store.rating_count(), ratings);
}

fn anon_user(world: &World, b: &Browser) -> u32 {
    world
        .state
        .store
        .session(&hash_token(b.cookie.as_ref().unwrap()).unwrap(), 0)
        .unwrap()
        .unwrap()
        .user
}

#[tokio::test]
async fn shelves_are_exclusive_and_validated() {
    let world = World::new();
    let mut b = world.browser("10.0.0.1");
    assert!(matches!(
        b.call(shelve_book(TWILIGHT.into(), "favourites".into()))
            .await,
        Err(AppError::Invalid(_))
    ));
    let s = b
        .call(shelve_book(TWILIGHT.into(), "want-to-read".into()))
        .await
        .unwrap();
    assert_eq!(s.shelf, Some(Shelf::WantToRead));
    let s = b
        .call(shelve_book(TWILIGHT.into(), "reading".into()))
        .await
        .unwrap();
    assert_eq!(s.shelf, Some(Shelf::Reading));
    b.call(rate_book(TWILIGHT.into(), 3)).await.unwrap();
    let s = b
        .call(shelve_book(TWILIGHT.into(), "".into()))
        .await
        .unwrap();
    assert_eq!(
        s,
        MyState {
            stars: Some(3),
            shelf: None
        }
    );
    let s = b
        .call(shelve_book(MOCKINGBIRD.into(), "not-interested".into()))
        .await
        .unwrap();
    assert_eq!(s.shelf, Some(Shelf::NotInterested));
}

#[tokio::test]
async fn an_anonymous_library_moves_into_the_account_on_sign_up_and_login() {
    let world = World::new();
    let mut b = world.browser("10.0.0.1");
    b.call(rate_book(HUNGER_GAMES.into(), 5)).await.unwrap();
    b.call(shelve_book(TWILIGHT.into(), "read".into()))
        .await
        .unwrap();
    let anon_cookie = b.cookie.clone().unwrap();
    let anon = anon_user(&world, &b);
    let r = b.call(signup("ann".into(), PASSWORD.into())).await.unwrap();
    assert_eq!((r.ratings, r.shelved), (1, 1));
    assert_ne!(b.cookie.as_ref(), Some(&anon_cookie));
    // The anonymous reader is gone with its session.
    assert!(world.state.store.user(anon).unwrap().is_none());
    assert!(world.state.store.library_of(anon).unwrap().is_empty());
    let mut old = world.browser("10.0.0.1");
    old.cookie = Some(anon_cookie);
    assert_eq!(old.call(current_reader()).await.unwrap(), None);

    // Later, anonymous again on another device, then log in: merged, the newer choice wins.
    b.call(logout()).await.unwrap();
    let mut phone = world.browser("10.0.0.5");
    phone.call(rate_book(HUNGER_GAMES.into(), 2)).await.unwrap();
    phone.call(rate_book(HARRY_POTTER.into(), 4)).await.unwrap();
    let r = phone
        .call(login("ann".into(), PASSWORD.into()))
        .await
        .unwrap();
    assert_eq!((r.ratings, r.shelved), (2, 1));
    let mine = phone
        .call(get_my_books("".into(), "".into()))
        .await
        .unwrap();
    let hg = mine
        .books
        .iter()
        .find(|b| b.card.isbn == HUNGER_GAMES)
        .unwrap();
    assert_eq!(hg.card.mine.stars, Some(2));
}

#[tokio::test]
async fn password_change_ends_other_sessions() {
    let world = World::new();
    let mut laptop = world.browser("10.0.0.1");
    laptop
        .call(signup("ann".into(), PASSWORD.into()))
        .await
        .unwrap();
    let mut phone = world.browser("10.0.0.2");
    phone
        .call(login("ann".into(), PASSWORD.into()))
        .await
        .unwrap();
    assert!(matches!(
        laptop
            .call(change_password(
                "wrong one!".into(),
                "a new passphrase".into()
            ))
            .await,
        Err(AppError::Unauthorized(_))
    ));
    assert!(matches!(
        laptop
            .call(change_password(PASSWORD.into(), "password".into()))
            .await,
        Err(AppError::Invalid(_))
    ));
    laptop
        .call(change_password(PASSWORD.into(), "a new passphrase".into()))
        .await
        .unwrap();
    assert!(laptop.call(current_reader()).await.unwrap().is_some());
    assert_eq!(phone.call(current_reader()).await.unwrap(), None);
    let mut b = world.browser("10.0.0.3");
    assert!(b.call(login("ann".into(), PASSWORD.into())).await.is_err());
    b.call(login("ann".into(), "a new passphrase".into()))
        .await
        .unwrap();
}

#[tokio::test]
async fn deleting_an_account_removes_everything_of_it() {
    let world = World::new();
    let ratings = world.state.store.rating_count();
    let mut b = world.browser("10.0.0.1");
    b.call(signup("ann".into(), PASSWORD.into())).await.unwrap();
    b.call(rate_book(HUNGER_GAMES.into(), 5)).await.unwrap();
    b.call(shelve_book(TWILIGHT.into(), "read".into()))
        .await
        .unwrap();
    let user = world.state.store.user_by_key("acct:ann").unwrap().unwrap();
    assert!(matches!(
        b.call(delete_account("wrong one!".into())).await,
        Err(AppError::Unauthorized(_))
    ));
    assert_eq!(world.state.store.rating_count(), ratings + 1);
    b.call(delete_account(PASSWORD.into())).await.unwrap();
    assert_eq!(world.state.store.rating_count(), ratings);
    assert!(world.state.store.library_of(user).unwrap().is_empty());
    assert!(world.state.store.user(user).unwrap().is_none());
    assert!(world.state.store.account("ann").unwrap().is_none());
    assert_eq!(world.state.store.session_count(), 0);
    assert_eq!(b.call(current_reader()).await.unwrap(), None);
    // The name is free again.
    b.call(signup("ann".into(), PASSWORD.into())).await.unwrap();
}

#[tokio::test]
async fn my_books_sorts_filters_and_counts() {
    let world = World::new();
    let mut b = world.browser("10.0.0.1");
    let empty = b.call(get_my_books("".into(), "".into())).await.unwrap();
    assert_eq!(empty.total, 0);
    b.call(rate_book(HUNGER_GAMES.into(), 5)).await.unwrap();
    b.call(rate_book(TWILIGHT.into(), 2)).await.unwrap();
    b.call(rate_book(HARRY_POTTER.into(), 5)).await.unwrap();
    b.call(shelve_book(HARRY_POTTER.into(), "read".into()))
        .await
        .unwrap();
    b.call(shelve_book(MOCKINGBIRD.into(), "want-to-read".into()))
        .await
        .unwrap();
    let all = b
        .call(get_my_books("title".into(), "".into()))
        .await
        .unwrap();
    assert_eq!((all.total, all.rated), (4, 3));
    assert_eq!(all.star_histogram, vec![0, 1, 0, 0, 2]);
    assert_eq!(all.shelf_counts, vec![1, 0, 1, 0, 0]);
    let titles: Vec<_> = all.books.iter().map(|b| b.card.title.as_str()).collect();
    let mut sorted = titles.clone();
    sorted.sort_by_key(|t| t.to_lowercase());
    assert_eq!(titles, sorted);
    assert!(all.books.iter().all(|b| b.updated.len() == 10));
    let rated = b
        .call(get_my_books("rating".into(), "rated".into()))
        .await
        .unwrap();
    assert_eq!(rated.books.len(), 3);
    assert_eq!(rated.books[2].card.isbn, TWILIGHT);
    let want = b
        .call(get_my_books("recent".into(), "want-to-read".into()))
        .await
        .unwrap();
    assert_eq!(want.books.len(), 1);
    assert_eq!(want.books[0].card.isbn, MOCKINGBIRD);
    assert!(matches!(
        b.call(get_my_books("sideways".into(), "".into())).await,
        Err(AppError::Invalid(_))
    ));
    assert!(matches!(
        b.call(get_my_books("".into(), "attic".into())).await,
        Err(AppError::Invalid(_))
    ));
}

#[tokio::test]
async fn password_checks_beyond_the_hashing_turns_are_refused_and_not_counted() {
    let mut world = World::new();
    world
        .browser("10.0.0.9")
        .call(signup("ann".into(), PASSWORD.into()))
        .await
        .unwrap();
    // One check at a time and none waiting: of ten at once, one runs.
    world.state.hashing = app::backend::auth::hashing::Hashing::new(1, 0);
    let guesses = (0..10).map(|i| {
        let mut b = world.browser("10.0.0.1");
        async move {
            b.call(login("ann".into(), format!("wrong guess {i}")))
                .await
        }
    });
    let answers = futures::future::join_all(guesses).await;
    let checked = answers
        .iter()
        .filter(|a| matches!(a, Err(AppError::Unauthorized(_))))
        .count();
    let busy = answers
        .iter()
        .filter(|a| matches!(a, Err(AppError::Busy { retry_after: 1, .. })))
        .count();
    assert_eq!((checked, busy), (1, 9), "{answers:?}");
    // The nine refused checks were not counted as guesses: four more are checked, then the
    // pair waits.
    let mut attacker = world.browser("10.0.0.1");
    for _ in 0..4 {
        let e = attacker
            .call(login("ann".into(), "wrong guess!".into()))
            .await;
        assert!(matches!(e, Err(AppError::Unauthorized(_))), "{e:?}");
    }
    let held = attacker.call(login("ann".into(), PASSWORD.into())).await;
    assert!(is_throttled(&held), "{held:?}");
}

/// A reader's edit of their notes, as the book page's form sends it.
fn notes_form(
    isbn: &str,
    review: &str,
    dates_read: &str,
    tags: &str,
) -> impl std::future::Future<Output = Result<Option<app::types::MyNotes>, AppError>> {
    save_notes(
        isbn.into(),
        review.into(),
        Some("true".into()),
        dates_read.into(),
        "2".into(),
        tags.into(),
        "Lent to Sam.".into(),
        Some("2023/12/25".into()),
        Some("1".into()),
    )
}

#[tokio::test]
async fn notes_are_written_checked_kept_and_filter_my_books() {
    let world = World::new();
    let mut b = world.browser("10.0.0.7");
    b.call(signup("nora".into(), PASSWORD.into()))
        .await
        .unwrap();
    b.call(rate_book(HUNGER_GAMES.into(), 4)).await.unwrap();
    let ratings = world.state.store.rating_count();

    // Bad input is refused, and nothing is kept.
    for (review, date, tags, needle) in [
        ("ok", "2024/02/30", "", "not a date"),
        ("ok", "yesterday", "", "not a date"),
        ("ok", "2024/03/09-2024/03/01", "", "ends before it starts"),
        ("ok", "", &"x".repeat(61)[..], "at most 60"),
        (&"r".repeat(20_001)[..], "", "", "longer than 20000"),
    ] {
        let err = b
            .call(notes_form(HUNGER_GAMES, review, date, tags))
            .await
            .unwrap_err();
        assert!(err.to_string().contains(needle), "{needle}: {err}");
    }
    assert_eq!(b.call(my_notes(HUNGER_GAMES.into())).await.unwrap(), None);

    // A review with lines, a script and a bidi override; tags with a built-in shelf's name.
    let notes = b
        .call(notes_form(
            HUNGER_GAMES,
            "Tense.\r\nRead it in a day.<script>alert(1)</script>",
            "2024-3-9",
            "dystopia, Favorites, read, favorites, \u{202E}evil",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(notes.dates_read, "2024/03/09");
    assert_eq!(notes.read_count, "2");
    assert_eq!(notes.date_added, "2023/12/25");
    assert_eq!(notes.owned_copies, "1");
    assert!(notes.spoiler);
    assert_eq!(notes.tags, vec!["dystopia", "Favorites", "evil"]);
    assert_eq!(
        notes.review,
        "Tense.\nRead it in a day.<script>alert(1)</script>"
    );
    assert_eq!(notes.review_html, "Tense.<br>Read it in a day.");
    assert_eq!(notes.private_notes, "Lent to Sam.");
    // A re-read: both readings kept, a range as a range, and each year counts its book.
    let reread = b
        .call(notes_form(
            HUNGER_GAMES,
            "",
            "2019/3/1-2019/3/15\n2024-3-9",
            "dystopia, Favorites",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(reread.dates_read, "2019/03/01-2019/03/15, 2024/03/09");
    let taste = b.call(my_taste()).await.unwrap();
    let years: Vec<(i32, u32)> = taste.years.iter().map(|y| (y.year, y.books)).collect();
    assert!(
        years.contains(&(2019, 1)) && years.contains(&(2024, 1)),
        "{years:?}"
    );
    // The rating is untouched, and a second book gets the same tag.
    assert_eq!(world.state.store.rating_count(), ratings);
    b.call(notes_form(TWILIGHT, "", "", "favorites"))
        .await
        .unwrap();

    let tagged = b
        .call(get_my_books("title".into(), "tag:FAVORITES".into()))
        .await
        .unwrap();
    let isbns: Vec<&str> = tagged.books.iter().map(|b| b.card.isbn.as_str()).collect();
    assert_eq!(isbns.len(), 2, "{isbns:?}");
    assert!(isbns.contains(&HUNGER_GAMES) && isbns.contains(&TWILIGHT));
    assert!(tagged.tags[0].0.eq_ignore_ascii_case("favorites") && tagged.tags[0].1 == 2);
    let dystopia = b
        .call(get_my_books("".into(), "tag:dystopia".into()))
        .await
        .unwrap();
    assert_eq!(dystopia.books.len(), 1);
    assert_eq!(dystopia.total, 2);

    // Another reader sees none of it.
    let mut other = world.browser("10.0.0.8");
    assert_eq!(
        other.call(my_notes(HUNGER_GAMES.into())).await.unwrap(),
        None
    );
}

/// The "add a book" form as a browser posts it.
fn add_form(
    title: &str,
    authors: &str,
    isbn: &str,
    confirmed: bool,
) -> impl std::future::Future<Output = Result<app::types::AddedBook, AppError>> {
    add_book(
        title.into(),
        authors.into(),
        isbn.into(),
        "2021".into(),
        "Ballantine".into(),
        confirmed.then(|| "true".into()),
    )
}

#[tokio::test]
async fn a_signed_in_reader_adds_a_book_after_seeing_what_it_may_be() {
    let world = World::new();
    let books = world.state.store.book_count();
    let mut b = world.browser("10.0.0.9");

    // A visitor is asked to sign up; nothing is made.
    let err = b
        .call(add_form("Project Hail Mary", "Andy Weir", "", true))
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Unauthorized(_)), "{err}");
    b.call(signup("ada".into(), PASSWORD.into())).await.unwrap();

    // A book the catalog has is offered, not made again, even when confirmed by ISBN.
    let offered = b
        .call(add_form("The Hunger Games", "Suzanne Collins", "", false))
        .await
        .unwrap();
    assert_eq!(offered.added, None);
    assert!(
        offered.candidates.iter().any(|c| c.isbn == HUNGER_GAMES),
        "{offered:?}"
    );
    let same_isbn = b
        .call(add_form(
            "Hunger Games (copy)",
            "Someone",
            "978-0-439-02348-1",
            true,
        ))
        .await
        .unwrap();
    assert_eq!(same_isbn.added, None);
    assert_eq!(same_isbn.candidates[0].isbn, HUNGER_GAMES);
    // A mistyped ISBN is refused.
    let err = b
        .call(add_form(
            "Project Hail Mary",
            "Andy Weir",
            "9780593135205",
            true,
        ))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not a valid ISBN"), "{err}");
    assert_eq!(world.state.store.book_count(), books);

    // A new book: made, then searchable and with a page at once.
    let added = b
        .call(add_form(
            "Project Hail Mary",
            "Andy Weir",
            "978-0-593-13520-4",
            true,
        ))
        .await
        .unwrap()
        .added
        .unwrap();
    assert_eq!(added.isbn, "0593135202");
    assert_eq!(world.state.store.book_count(), books + 1);
    let found = b
        .call(search_books("hail mary weir".into(), 5))
        .await
        .unwrap();
    assert_eq!(found.books[0].isbn, "0593135202");
    b.call(get_book_detail("9780593135204".into()))
        .await
        .unwrap();
    b.call(rate_book("0593135202".into(), 5)).await.unwrap();

    // At most MAX_ADDED_PER_DAY a day by hand.
    let cap = app::backend::add_book::MAX_ADDED_PER_DAY;
    for i in 1..cap {
        b.call(add_form(
            &format!("Field notes volume {i}"),
            "Ada Reader",
            "",
            true,
        ))
        .await
        .unwrap()
        .added
        .unwrap();
    }
    let err = b
        .call(add_form("One too many", "Ada Reader", "", true))
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::TooManyRequests { .. }), "{err}");
    assert_eq!(world.state.store.book_count(), books + cap);
}
