//! Security properties through the whole HTTP router: the session cookie's flags, logout,
//! no user enumeration, login throttling, one reader never reaching another's data, CSRF, and
//! markup from the dataset or a reader rendered as text.

mod common;

use std::collections::BTreeSet;

use app::backend::state::Settings;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use engine::records::Book;

#[tokio::test]
async fn sign_up_sets_a_session_cookie_with_safe_flags() {
    let _one = common::one_at_a_time().await;
    for secure in [false, true] {
        let site = Site::with(
            Settings {
                secure_cookies: secure,
                trust_proxy: false,
                ..Settings::default()
            },
            |_| {},
        );
        let reply = site
            .call(
                "signup",
                "username=ann&password=a+long+enough+passphrase",
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let set = reply.set_cookie().unwrap();
        let flags: Vec<&str> = set.split(';').map(str::trim).collect();
        for flag in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=2592000"] {
            assert!(flags.contains(&flag), "{flag} missing: {set}");
        }
        assert_eq!(flags.contains(&"Secure"), secure, "{set}");
        assert_eq!(reply.session().unwrap().len(), 64);
    }
}

#[tokio::test]
async fn logout_makes_the_old_cookie_worthless() {
    let _one = common::one_at_a_time().await;
    let site = Site::new();
    let token = site.sign_up("ann").await;
    let rated = site
        .call(
            "rate_book",
            &format!("isbn={HUNGER_GAMES}&stars=5"),
            Some(&token),
        )
        .await;
    assert_eq!(rated.status, StatusCode::OK);
    let out = site.call("logout", "", Some(&token)).await;
    assert_eq!(out.status, StatusCode::OK);
    assert!(out.set_cookie().unwrap().contains("Max-Age=0"));

    // A copy of the old cookie gets nothing: no reader, no books, no export, no writes.
    let me = site.call("current_reader", "", Some(&token)).await;
    assert_eq!(me.body, "null");
    let books = site
        .call("my_books", "sort=recent&filter=", Some(&token))
        .await;
    assert!(!books.body.contains("Hunger Games"), "{}", books.body);
    for path in ["/export/goodreads.csv", "/export/shelfwise.json"] {
        let r = site.get(path, Some(&token)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path}");
    }
    let pw = site
        .call(
            "change_password",
            "current=a+long+enough+passphrase&new=another+passphrase",
            Some(&token),
        )
        .await;
    assert_eq!(pw.status, StatusCode::UNAUTHORIZED);
    // Rating with it starts a new anonymous reader; ann's library is not touched.
    let r = site
        .call(
            "rate_book",
            &format!("isbn={TWILIGHT}&stars=1"),
            Some(&token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_ne!(r.session().as_deref(), Some(token.as_str()));
    let login = site
        .call(
            "login",
            "username=ann&password=a+long+enough+passphrase",
            None,
        )
        .await;
    let ann = login.session().unwrap();
    let mine = site
        .call("my_books", "sort=recent&filter=", Some(&ann))
        .await;
    assert!(mine.body.contains("Hunger Games"), "{}", mine.body);
    assert!(!mine.body.contains("Twilight"), "{}", mine.body);
}

#[tokio::test]
async fn login_answers_the_same_for_an_unknown_user_and_a_wrong_password() {
    let _one = common::one_at_a_time().await;
    let site = Site::new();
    site.sign_up("ann").await;
    let wrong_password = site
        .call("login", "username=ann&password=not+the+password", None)
        .await;
    let unknown_user = site
        .call("login", "username=nobody&password=not+the+password", None)
        .await;
    assert_eq!(wrong_password.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong_password.status, unknown_user.status);
    assert_eq!(wrong_password.body, unknown_user.body);
    assert!(wrong_password.set_cookie().is_none());
    assert!(unknown_user.set_cookie().is_none());
}

#[tokio::test]
async fn the_sixth_failed_login_is_throttled() {
    let _one = common::one_at_a_time().await;
    let site = Site::new();
    site.sign_up("ann").await;
    for attempt in 1..=5 {
        let r = site
            .call("login", "username=ann&password=wrong+guess+here", None)
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    // Even the right password waits now.
    let r = site
        .call(
            "login",
            "username=ann&password=a+long+enough+passphrase",
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert!(r.body.contains("Try again"), "{}", r.body);
    assert!(r.set_cookie().is_none());
}

#[tokio::test]
async fn one_reader_cannot_read_or_change_another_readers_data() {
    let _one = common::one_at_a_time().await;
    let site = Site::new();
    let a = site.sign_up("reader_a").await;
    let b = site.sign_up("reader_b").await;
    let rate = |isbn: &str, stars: u8| format!("isbn={isbn}&stars={stars}");
    assert_eq!(
        site.call("rate_book", &rate(HUNGER_GAMES, 5), Some(&a))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        site.call("rate_book", &rate(TWILIGHT, 2), Some(&b))
            .await
            .status,
        StatusCode::OK
    );
    let a_user = site
        .state
        .store
        .session(&app::backend::auth::session::hash_token(&a).unwrap(), 0)
        .unwrap()
        .unwrap()
        .user;

    // B's views show B's books only, whatever B adds to the request.
    for form in [
        "sort=recent&filter=".to_string(),
        format!("sort=recent&filter=&user={a_user}"),
        format!("sort=recent&filter=&user_id={a_user}"),
    ] {
        let mine = site.call("my_books", &form, Some(&b)).await;
        assert_eq!(mine.status, StatusCode::OK, "{form}: {}", mine.body);
        assert!(mine.body.contains("Twilight"), "{}", mine.body);
        assert!(!mine.body.contains("Hunger Games"), "{form}: {}", mine.body);
    }
    for path in [
        "/export/goodreads.csv".to_string(),
        "/export/shelfwise.json".to_string(),
        format!("/export/shelfwise.json?user={a_user}"),
        format!("/export/goodreads.csv?user_id={a_user}"),
    ] {
        let r = site.get(&path, Some(&b)).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(r.body.contains("Twilight"), "{path}: {}", r.body);
        assert!(!r.body.contains("Hunger Games"), "{path}: {}", r.body);
        assert!(!r.body.contains("reader_a"), "{path}: {}", r.body);
    }
    // B's writes land in B's library, never A's.
    site.call("rate_book", &rate(HUNGER_GAMES, 1), Some(&b))
        .await;
    site.call(
        "shelve_book",
        &format!("isbn={HUNGER_GAMES}&shelf=not-interested&user={a_user}"),
        Some(&b),
    )
    .await;
    let a_books = site.call("my_books", "sort=recent&filter=", Some(&a)).await;
    assert!(a_books.body.contains("\"stars\":5"), "{}", a_books.body);
    assert!(!a_books.body.contains("not-interested"), "{}", a_books.body);

    // No endpoint takes a reader's id: the registered server functions are exactly these,
    // and none has a user argument (their signatures are in app/src/functions).
    let paths: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(p, _)| p.to_string())
        .collect();
    let expected: BTreeSet<String> = [
        "add_book",
        "because_rows",
        "book_detail",
        "change_password",
        "current_reader",
        "delete_account",
        "for_you",
        "last_import",
        "login",
        "logout",
        "my_books",
        "my_notes",
        "my_taste",
        "onboarding",
        "popular_books",
        "popular_row",
        "rate_book",
        "reading_goal",
        "save_notes",
        "search_books",
        "shelve_book",
        "signup",
        "similar_books",
    ]
    .iter()
    .map(|e| format!("/api/{e}"))
    .collect();
    assert_eq!(paths, expected, "a new endpoint: check it takes no user id");
}

#[tokio::test]
async fn cross_site_writes_are_refused_and_write_nothing() {
    let _one = common::one_at_a_time().await;
    let site = Site::new();
    let token = site.sign_up("ann").await;
    let rate = |origin: Option<&str>, fetch_site: Option<&str>| {
        let mut req = Request::post("/api/rate_book")
            .header(header::HOST, "books.local")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("shelfwise_session={token}"));
        if let Some(o) = origin {
            req = req.header(header::ORIGIN, o);
        }
        if let Some(s) = fetch_site {
            req = req.header("sec-fetch-site", s);
        }
        req.body(Body::from(format!("isbn={HUNGER_GAMES}&stars=5")))
            .unwrap()
    };
    let ratings = site.state.store.rating_count();
    let checksum = site.state.store.db().checksum().unwrap();
    for (origin, fetch_site) in [
        (Some("https://evil.example"), None),
        (Some("null"), None),
        (Some("http://books.local.evil.example"), None),
        // The request's own Host is no proof: a rebinding site's name resolves here too.
        (Some("http://books.local"), None),
        // The whole origin counts: another scheme or port is another site.
        (Some("https://127.0.0.1:3000"), None),
        (Some("http://127.0.0.1:3001"), None),
        (None, Some("cross-site")),
    ] {
        let r = Reply::of(site.send(rate(origin, fetch_site)).await).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{origin:?} {fetch_site:?}");
        assert_eq!(site.state.store.db().checksum().unwrap(), checksum);
    }
    // The upload is a write too.
    let upload = Request::post("/import/library")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=b")
        .body(Body::from("--b--\r\n"))
        .unwrap();
    assert_eq!(site.send(upload).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(site.state.store.db().checksum().unwrap(), checksum);
    assert_eq!(site.state.store.rating_count(), ratings);

    // The server's own (loopback) origin, or a same-site fetch without Origin: fine.
    for (origin, fetch_site) in [
        (Some("http://127.0.0.1:3000"), None),
        (None, Some("same-origin")),
    ] {
        let r = Reply::of(site.send(rate(origin, fetch_site)).await).await;
        assert_eq!(r.status, StatusCode::OK, "{origin:?}: {}", r.body);
    }
    assert_eq!(site.state.store.rating_count(), ratings + 1);
}

/// A valid ISBN-10 that is not in the fixture.
const HOSTILE_ISBN: &str = "0306406152";
const HOSTILE_TITLE: &str =
    "Zyzzyva </title><script>alert(1)</script> & <img src=x onerror=alert(2)>";

#[tokio::test]
async fn markup_in_titles_is_escaped_and_usernames_cannot_carry_it() {
    let _one = common::one_at_a_time().await;
    let site = Site::with(Settings::default(), |store| {
        store
            .upsert_book(&Book {
                key: HOSTILE_ISBN.into(),
                title: HOSTILE_TITLE.into(),
                author: "</script><script>alert(3)</script>".into(),
                year: Some(2001),
                publisher: "\"><svg onload=alert(4)>".into(),
                image_url: Some("http://x/\" onerror=\"alert(5)".into()),
                tags: vec![],
            })
            .unwrap();
    });
    for path in [
        "/search?q=zyzzyva".to_string(),
        format!("/book/{HOSTILE_ISBN}"),
    ] {
        let r = site.get(&path, None).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        let html = &r.body;
        assert!(
            html.contains("Zyzzyva"),
            "{path}: the book is not on the page"
        );
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{path}: the title is not escaped as text"
        );
        for raw in [
            "</title><script>",
            "<script>alert(",
            "<img src=x",
            "<svg onload",
            "\" onerror=\"alert(5)",
        ] {
            if let Some(at) = html.find(raw) {
                let from = html[..at]
                    .char_indices()
                    .rev()
                    .nth(300)
                    .map_or(0, |(i, _)| i);
                let to = (at + 200).min(html.len());
                panic!("{path}: {raw} reached the HTML raw: …{}…", &html[from..to]);
            }
        }
        // Every <script> the page has is one of Leptos's, carrying the request's nonce.
        let csp = r.headers["content-security-policy"].to_str().unwrap();
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .unwrap()
            .split('\'')
            .next()
            .unwrap();
        assert_eq!(
            html.matches("<script").count(),
            html.matches(&format!("<script nonce=\"{nonce}\"")).count()
                + html
                    .matches(&format!("<script type=\"module\" nonce=\"{nonce}\""))
                    .count(),
            "{path}"
        );
    }
    // A username with markup cannot be created.
    let users = site.state.store.user_count();
    for name in ["<b>x</b>", "<script>", "a\"onmouseover=x", "ann%00"] {
        let r = site
            .call(
                "signup",
                &format!(
                    "username={}&password=a+long+enough+passphrase",
                    name.replace('<', "%3C")
                        .replace('>', "%3E")
                        .replace('"', "%22")
                ),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{name}: {}", r.body);
        assert!(r.set_cookie().is_none());
    }
    assert_eq!(site.state.store.user_count(), users);
}

#[tokio::test]
async fn a_limit_answers_429_with_retry_after() {
    let _one = common::one_at_a_time().await;
    let site = Site::new();
    let limit = site.state.settings.limits.sign_ups_per_hour;
    for i in 0..limit {
        site.sign_up(&format!("reader{i}")).await;
    }
    let refused = site
        .call(
            "signup",
            "username=onemore&password=a+long+enough+passphrase",
            None,
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        refused.body
    );
    let retry: u64 = refused.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((3500..=3600).contains(&retry), "{retry}");
    assert!(
        refused.body.contains("Too many sign-ups"),
        "{}",
        refused.body
    );
}
