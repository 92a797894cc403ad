//! The one context every request shares (server only).

use std::sync::Arc;

use axum::extract::FromRef;
use engine::catalog::Catalog;
use leptos::prelude::*;

use crate::backend::auth::hashing::Hashing;
use crate::backend::card_cache::CardHtml;
use crate::backend::recommender::Recommender;
use crate::backend::recs_cache::RecsCache;
use crate::backend::store::Store;
use crate::backend::throttle::{SystemClock, Throttle};
use crate::error::AppError;

/// Settings that shape how the server answers (from flags or the environment).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// Mark the session cookie `Secure` (the site is served over HTTPS).
    pub secure_cookies: bool,
    /// Trust `X-Forwarded-For` from a reverse proxy in front (for per-address throttling).
    pub trust_proxy: bool,
    /// Per-address limits on new accounts and anonymous readers.
    pub limits: Limits,
}

/// Per-address limits on what anyone may create without proving anything (see
/// [`crate::backend::throttle`]). A school or library behind one address may need more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Sign-up attempts per address per hour.
    pub sign_ups_per_hour: u32,
    /// New anonymous readers per address per hour.
    pub anonymous_per_hour: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            sign_ups_per_hour: 10,
            anonymous_per_hour: 30,
        }
    }
}

/// Shared state: the store, the catalog built from it, and Leptos's options. Cloning is cheap.
#[derive(Clone)]
pub struct AppState {
    /// Leptos's site options (where `/pkg` lives, the site address).
    pub leptos_options: LeptosOptions,
    /// The embedded database.
    pub store: Store,
    /// The catalog (works, popularity, search) built from the store; rebuilt and swapped in
    /// when readers add books (see [`AppState::catalog`]).
    catalog: Arc<CatalogCell>,
    /// How the server answers.
    pub settings: Arc<Settings>,
    /// Attempt counts (password checks, sign-ups, new anonymous readers), kept in the store.
    pub throttle: Arc<Throttle>,
    /// Turns of password hashing.
    pub hashing: Hashing,
    /// The recommendation model (swapped in when trained or retrained).
    pub recommender: Arc<Recommender>,
    /// Readers' recommendation lists, kept between views.
    pub recs_cache: Arc<RecsCache>,
    /// Book cards rendered to HTML, kept between pages.
    pub card_html: Arc<CardHtml>,
}

impl AppState {
    /// State over an opened store and its catalog.
    pub fn new(
        leptos_options: LeptosOptions,
        store: Store,
        catalog: Catalog,
        settings: Settings,
    ) -> AppState {
        let throttle = Arc::new(Throttle::new(store.clone(), Arc::new(SystemClock)));
        AppState {
            leptos_options,
            store,
            catalog: Arc::new(CatalogCell::new(catalog)),
            settings: Arc::new(settings),
            throttle,
            hashing: Hashing::default(),
            recommender: Arc::new(Recommender::default()),
            recs_cache: Arc::new(RecsCache::default()),
            card_html: Arc::new(CardHtml::default()),
        }
    }
}

impl AppState {
    /// The catalog as it is now. Book ids never change (the store's are dense and only
    /// grow), so what a page read from one catalog stays true of the next.
    pub fn catalog(&self) -> Arc<Catalog> {
        self.catalog.get()
    }

    /// Rebuild the catalog from the store and swap it in: books readers added become
    /// searchable and get a page. Rebuilds take turns, and each reads the store after the
    /// writes that asked for it, so the last one swapped in has every book.
    pub fn reload_catalog(&self) -> Result<(), AppError> {
        let _turn = self
            .catalog
            .rebuilding
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        // The index is shared: the new catalog's build only adds the books it lacks.
        let search = self.catalog().search_index().clone();
        let catalog = self
            .store
            .load_catalog_with(crate::backend::auth::now(), search)?;
        *self
            .catalog
            .current
            .write()
            .unwrap_or_else(|p| p.into_inner()) = Arc::new(catalog);
        Ok(())
    }
}

/// The current catalog, swapped whole when rebuilt.
struct CatalogCell {
    current: std::sync::RwLock<Arc<Catalog>>,
    rebuilding: std::sync::Mutex<()>,
}

impl CatalogCell {
    fn new(catalog: Catalog) -> CatalogCell {
        CatalogCell {
            current: std::sync::RwLock::new(Arc::new(catalog)),
            rebuilding: std::sync::Mutex::new(()),
        }
    }

    fn get(&self) -> Arc<Catalog> {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The state, from inside a server function.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function's context");
        AppError::Internal
    })
}
