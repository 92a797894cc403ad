//! A browser-like client for calling server functions in-process against a real sled store in
//! a temp dir: it carries the session cookie from one call to the next, like a browser would.
#![allow(dead_code)]

use std::sync::Arc;

use app::backend::state::{AppState, Settings};
use app::backend::throttle::{ManualClock, Throttle};
use http::header::{COOKIE, SET_COOKIE};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

#[allow(unused_imports)] // not every test file uses every fixture
pub use test_support::goodbooks::*;
pub use test_support::store::*;

/// A store with the fixture imported, and the state server functions see.
pub struct World {
    /// Keeps the temp dir alive.
    pub dir: tempfile::TempDir,
    /// The state.
    pub state: AppState,
    /// The login throttle's clock: it moves only when a test advances it.
    pub clock: Arc<ManualClock>,
    _owner: Owner,
}

impl World {
    /// A fresh world with default settings.
    pub fn new() -> World {
        World::with(Settings::default())
    }

    /// A fresh world with these settings.
    pub fn with(settings: Settings) -> World {
        let dir = tempfile::tempdir().unwrap();
        let store = imported_store(dir.path());
        let catalog = store.load_catalog().unwrap();
        let owner = Owner::new();
        owner.set();
        let mut state = AppState::new(
            LeptosOptions::builder().output_name("shelfwise").build(),
            store,
            catalog,
            settings,
        );
        let clock = Arc::new(ManualClock::default());
        state.throttle = Arc::new(Throttle::new(state.store.clone(), clock.clone()));
        World {
            dir,
            state,
            clock,
            _owner: owner,
        }
    }

    /// A new browser with no cookies, connecting from `addr`.
    pub fn browser(&self, addr: &str) -> Browser {
        Browser {
            cookie: None,
            addr: addr.to_string(),
            state: self.state.clone(),
            last_set_cookie: None,
        }
    }
}

/// One browser: a cookie jar of one cookie, and an address.
pub struct Browser {
    /// The session cookie's value, if any.
    pub cookie: Option<String>,
    addr: String,
    state: AppState,
    /// The last `Set-Cookie` header received.
    pub last_set_cookie: Option<String>,
}

impl Browser {
    /// Run a server function as this browser: the request carries the cookie, and a
    /// `Set-Cookie` in the response updates it.
    pub async fn call<T>(&mut self, f: impl std::future::Future<Output = T>) -> T {
        let mut req = http::Request::builder().uri("/api/x").method("POST");
        if let Some(c) = &self.cookie {
            req = req.header(COOKIE, format!("other=1; shelfwise_session={c}"));
        }
        let (mut parts, _) = req.body(()).unwrap().into_parts();
        let addr: std::net::SocketAddr = format!("{}:50000", self.addr).parse().unwrap();
        parts.extensions.insert(axum::extract::ConnectInfo(addr));
        let options = ResponseOptions::default();
        provide_context(parts);
        provide_context(options.clone());
        provide_context(self.state.clone());
        let out = f.await;
        let headers = options.0.read().unwrap().headers.clone();
        if let Some(set) = headers.get(SET_COOKIE).and_then(|v| v.to_str().ok()) {
            self.last_set_cookie = Some(set.to_string());
            let value = set
                .split(';')
                .next()
                .and_then(|kv| kv.split_once('='))
                .map(|(_, v)| v.to_string())
                .unwrap_or_default();
            self.cookie = (!value.is_empty() && !set.contains("Max-Age=0")).then_some(value);
        }
        out
    }
}
