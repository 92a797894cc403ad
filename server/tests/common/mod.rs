//! The whole HTTP router over a real sled store in a temp dir filled from the goodbooks
//! fixture, and small helpers to drive it like a browser would.
#![allow(dead_code)]

pub mod binary;

use app::backend::state::{AppState, Settings};
use app::backend::store::Store;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::response::Response;
use http_body_util::BodyExt;
use leptos::prelude::LeptosOptions;
use tower::ServiceExt;

#[allow(unused_imports)] // not every test file uses every fixture
pub use test_support::goodbooks::*;
pub use test_support::store::*;

/// The origins a test site accepts writes from: a server on loopback port 3000 without
/// `--public-url`.
pub fn loopback() -> shelfwise::origin::AllowedOrigins {
    shelfwise::origin::AllowedOrigins::loopback(3000)
}

/// A passphrase the policy accepts.
pub const PASSWORD: &str = "a long enough passphrase";

/// The router and the store behind it.
pub struct Site {
    /// Keeps the temp dir alive.
    pub dir: tempfile::TempDir,
    /// The state (store, catalog, settings).
    pub state: AppState,
    /// `shelfwise::serve::router(state, loopback(), PageTurns::per_core())`.
    pub router: axum::Router,
}

impl Site {
    /// A fresh site with default settings.
    pub fn new() -> Site {
        Site::with(Settings::default(), |_| {})
    }

    /// A fresh site with these settings; `prepare` may add to the store before the catalog is
    /// loaded from it.
    pub fn with(settings: Settings, prepare: impl FnOnce(&Store)) -> Site {
        let dir = tempfile::tempdir().unwrap();
        let store = imported_store(dir.path());
        prepare(&store);
        let catalog = shelfwise::serve::load_catalog(&store, &dir.path().join("search")).unwrap();
        let state = AppState::new(
            LeptosOptions::builder()
                .output_name("shelfwise")
                .site_root(dir.path().display().to_string())
                .build(),
            store,
            catalog,
            settings,
        );
        let router = shelfwise::serve::router(
            state.clone(),
            loopback(),
            shelfwise::page_turns::PageTurns::per_core(),
        );
        Site { dir, state, router }
    }

    /// Send one request through the whole router.
    pub async fn send(&self, request: Request<Body>) -> Response {
        self.router.clone().oneshot(request).await.unwrap()
    }

    /// POST a server function with a form body, as `cookie` (a session token) if given.
    pub async fn call(&self, endpoint: &str, form: &str, cookie: Option<&str>) -> Reply {
        let mut req = Request::post(format!("/api/{endpoint}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, format!("shelfwise_session={c}"));
        }
        Reply::of(
            self.send(req.body(Body::from(form.to_string())).unwrap())
                .await,
        )
        .await
    }

    /// GET a path, as `cookie` if given.
    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Reply {
        let mut req = Request::get(path);
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, format!("shelfwise_session={c}"));
        }
        Reply::of(self.send(req.body(Body::empty()).unwrap()).await).await
    }

    /// Sign up `name` and return the session token of the cookie the server set.
    pub async fn sign_up(&self, name: &str) -> String {
        let reply = self
            .call(
                "signup",
                &format!("username={name}&password={}", PASSWORD.replace(' ', "+")),
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.session().expect("a session cookie")
    }
}

/// A response, read whole.
pub struct Reply {
    /// Its status.
    pub status: StatusCode,
    /// Its headers.
    pub headers: axum::http::HeaderMap,
    /// Its body as text (lossy).
    pub body: String,
}

impl Reply {
    /// Read a response.
    pub async fn of(resp: Response) -> Reply {
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// The session cookie's `Set-Cookie` header, if one was sent.
    pub fn set_cookie(&self) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("shelfwise_session="))
            .map(str::to_string)
    }

    /// The session token the response set (not a deletion).
    pub fn session(&self) -> Option<String> {
        let set = self.set_cookie()?;
        let value = set.split(';').next()?.split_once('=')?.1.to_string();
        (!value.is_empty()).then_some(value)
    }
}

/// Run the tests of one file one at a time. Each `#[tokio::test]` has a runtime of its own,
/// while Leptos's task spawner is global to the process; two tests rendering async pages at
/// once left one page waiting (a 408 after the 15 s timeout) about one run in three. The server
/// itself runs one runtime and did not show it (0 errors in the 60 s load mix).
pub async fn one_at_a_time() -> tokio::sync::MutexGuard<'static, ()> {
    static LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    LOCK.lock().await
}
