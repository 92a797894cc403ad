//! `shelfwise serve`: load the catalog from the store and serve the app.

use std::sync::Arc;
use std::time::Instant;

use app::state::AppState;
use app::store::Store;
use app::{shell, App};
use axum::Router;
use engine::catalog::Catalog;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

use crate::config::{GlobalArgs, ServeArgs};
use crate::{Error, Result};

/// Build the in-memory catalog from the store, logging how long it took.
pub fn load_catalog(store: &Store) -> Result<Catalog> {
    let started = Instant::now();
    let catalog = store.load_catalog()?;
    tracing::info!(
        books = catalog.len(),
        works = catalog.work_count(),
        ranked = catalog.ranked_works(),
        seconds = started.elapsed().as_secs_f64(),
        "catalog loaded"
    );
    Ok(catalog)
}

/// The whole HTTP app: Leptos pages and server functions, static files, compression, tracing.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    Router::new()
        .leptos_routes(&state, routes, {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Run the server until Ctrl-C or SIGTERM.
pub async fn run(global: &GlobalArgs, args: &ServeArgs) -> Result<()> {
    let store = Store::open(&global.store_dir(), global.cache_mb << 20)?;
    let catalog = {
        let store = store.clone();
        tokio::task::spawn_blocking(move || load_catalog(&store))
            .await
            .map_err(|e| Error::Io(std::io::Error::other(e)))??
    };
    if catalog.is_empty() {
        tracing::warn!(
            "the store is empty: import a dataset first (`shelfwise import book-crossing DIR`)"
        );
    }
    let leptos_options = LeptosOptions::builder()
        .output_name("shelfwise")
        .site_root(args.site_root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(args.addr)
        .build();
    let state = AppState {
        leptos_options,
        store: store.clone(),
        catalog: Arc::new(catalog),
    };
    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    tracing::info!("listening on http://{}", args.addr);
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    store.flush()?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
