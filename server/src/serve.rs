//! `shelfwise serve`: load the catalog from the store and serve the app.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use app::backend::reader::RequestReader;
use app::backend::state::AppState;
use app::backend::store::{Store, StoreError};
use app::backend::transfer::{self, MAX_UPLOAD_BYTES};
use app::error::AppError;
use app::site::{stylesheet_href, AssetHashes, NON_PAGE_POLICY};
use app::{shell, App};
use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use axum::extract::State;
use axum::http::{header, HeaderName, HeaderValue, Request, StatusCode};
use axum::response::IntoResponse;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use engine::catalog::Catalog;
use engine::search::SearchIndex;
use leptos::prelude::*;
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::classify::ServerErrorsFailureClass;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::config::{GlobalArgs, ServeArgs};
use crate::origin::AllowedOrigins;
use crate::page_turns::{take_turn, PageTurns};
use crate::{Error, Result};

/// Build the in-memory catalog from the store, with the search index kept in `search_dir`
/// (created, or rebuilt when of another version, and brought up to the store's books),
/// logging how long it took.
pub fn load_catalog(store: &Store, search_dir: &Path) -> Result<Catalog> {
    let started = Instant::now();
    let search = Arc::new(SearchIndex::open(search_dir).map_err(StoreError::from)?);
    let catalog = store.load_catalog_with(app::backend::auth::now(), search)?;
    tracing::info!(
        books = catalog.len(),
        works = catalog.work_count(),
        ranked = catalog.ranked_works(),
        search_index_mb = catalog.search_index().disk_bytes() as f64 / 1e6,
        seconds = started.elapsed().as_secs_f64(),
        "catalog loaded"
    );
    Ok(catalog)
}

/// Leptos's options for a site built into `site_root`.
///
/// cargo-leptos writes the hashes of the front-end file names to `hash.txt` in the site root
/// (`hash-file-name` in Cargo.toml points there rather than next to the binary, so the site
/// directory carries its own manifest wherever it is copied). When the file is there, the
/// pages name the hashed files; when it is not (a build without hashing), the plain names.
pub fn site_options(site_root: &Path, addr: std::net::SocketAddr) -> LeptosOptions {
    let hash_file = site_root.join("hash.txt");
    let hash_file = std::path::absolute(&hash_file).unwrap_or(hash_file);
    let hashed = hash_file.is_file();
    if !hashed {
        tracing::info!(
            path = %hash_file.display(),
            "no hash.txt in the site root: serving unhashed asset names with short cache lifetimes"
        );
    }
    LeptosOptions::builder()
        .output_name("shelfwise")
        .site_root(site_root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .hash_files(hashed)
        // An absolute path: Leptos joins it to the executable's directory, which leaves it as is.
        .hash_file(Arc::from(hash_file.display().to_string()))
        .build()
}

/// Cache lifetime of a file whose name carries its content hash: a year, never revalidated.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Cache policy of an unhashed asset, which may change under the same URL: the browser may
/// keep a copy but must ask first (a 304 costs a round trip, no body).
const REVALIDATE: &str = "no-cache";
/// Cache policy of pages: revalidated like unhashed assets, and never kept by a shared cache,
/// since a page shows the reader's own ratings and name.
const PAGE: &str = "private, no-cache";

/// Give static assets and pages their `Cache-Control`, unless the handler set one.
///
/// `/pkg` files named with their content hash (see [`site_options`]) are immutable; every
/// other `/pkg` file and every HTML page is revalidated, so a deploy is seen at once.
/// Server-function and export responses keep what their handlers chose.
async fn cache_control(
    State(hashes): State<Arc<Option<AssetHashes>>>,
    request: Request<Body>,
    next: axum::middleware::Next,
) -> Response {
    let pkg_file = request
        .uri()
        .path()
        .strip_prefix("/pkg/")
        .map(|name| name.to_string());
    let mut response = next.run(request).await;
    if response.headers().contains_key(header::CACHE_CONTROL) {
        return response;
    }
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let value = match pkg_file {
        Some(_) if !response.status().is_success() => return response,
        Some(name)
            if hashes
                .as_ref()
                .as_ref()
                .is_some_and(|h| h.names_hashed_file(&name)) =>
        {
            IMMUTABLE
        }
        Some(_) => REVALIDATE,
        None if is_html => PAGE,
        None => return response,
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    response
}

/// The compression level of responses compressed as they are sent (pages, server functions):
/// the codecs' defaults are tuned for files compressed once (brotli's is its slowest, 11,
/// which took longer than rendering a home page). Level 1, not 3: zstd 3 sets up a large
/// window and tables for every response, a large share of a signed-in home page's CPU, while
/// level 1 sends a page only slightly larger at next to no cost
/// (`bench/results/compression-level-2026-12-02.txt`). The static assets are compressed
/// once, at their best, by the build (`cargo leptos build --precompress`) and sent as they are.
const DYNAMIC_COMPRESSION: i32 = 1;

/// Largest request body of every route but the upload: server-function arguments are small.
const BODY_LIMIT: usize = 1 << 20;
/// No request may hold a connection longer than this.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// The whole HTTP app: Leptos pages and server functions, static files, health checks, and the
/// layers every response passes through (request id, tracing, limits, compression, headers).
///
/// Writes from pages of origins other than `origins` are refused (see [`same_origin_writes`]). `turns` bounds the pages rendered at
/// once (see [`crate::page_turns`]).
pub fn router(state: AppState, origins: AllowedOrigins, turns: PageTurns) -> Router {
    let routes = generate_route_list(App);
    let hashes = Arc::new(AssetHashes::from_options(&state.leptos_options));
    // Read once here: every page's shell links the stylesheet by its hashed name.
    let stylesheet: Arc<str> =
        stylesheet_href(&state.leptos_options, hashes.as_ref().as_ref()).into();
    let request_id = HeaderName::from_static("x-request-id");
    // Uploads get a larger body limit on their own route; everything else keeps the small one.
    // Both limits refuse a declared-too-large body before reading it.
    let uploads = Router::new()
        .route("/import/library", post(transfer::import_library))
        // The route's first name, from when only Goodreads files were read: kept for the
        // scripts and bookmarks that post to it.
        .route("/import/goodreads", post(transfer::import_library))
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(MAX_UPLOAD_BYTES));
    // Probes sit outside the request log and its layers: a load balancer polls them every few
    // seconds, and /readyz's 503 while the model loads is a state, not an error to log.
    let probes = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(state.clone());
    // The wasm, JavaScript and stylesheet, with the `.br` and `.gz` files the build wrote
    // beside them; without those (a build without --precompress) they are compressed as sent.
    let pkg = ServeDir::new(
        Path::new(&*state.leptos_options.site_root).join(&*state.leptos_options.site_pkg_dir),
    )
    .precompressed_br()
    .precompressed_gzip();
    Router::new()
        .nest_service(&format!("/{}", state.leptos_options.site_pkg_dir), pkg)
        .route("/export/goodreads.csv", get(transfer::export_csv))
        .route("/export/shelfwise.json", get(transfer::export_json))
        .leptos_routes_with_context(
            &state,
            routes,
            || provide_context(RequestReader::default()),
            {
                let (options, stylesheet) = (state.leptos_options.clone(), stylesheet.clone());
                move || shell(options.clone(), stylesheet.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(
            move |options| shell(options, stylesheet.clone()),
        ))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .merge(uploads)
        // Inside the compression layer: a page gives its turn back once rendered, and the
        // next one renders while this one is compressed and sent.
        .layer(axum::middleware::from_fn_with_state(turns, take_turn))
        .layer(axum::middleware::map_response(server_fn_status))
        .layer(axum::middleware::from_fn_with_state(hashes, cache_control))
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(origins),
            same_origin_writes,
        ))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                        // The id ties a request's log lines together; the query string is left
                        // out, so nothing a reader typed is logged.
                        let id = req
                            .headers()
                            .get("x-request-id")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("-");
                        tracing::info_span!("request", id, method = %req.method(), path = req.uri().path())
                    })
                    .on_failure(log_failure),
                )
                .layer(PropagateRequestIdLayer::new(request_id))
                .layer(CompressionLayer::new().quality(CompressionLevel::Precise(DYNAMIC_COMPRESSION)))
                .layer(SetResponseHeaderLayer::overriding(
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ))
                .layer(SetResponseHeaderLayer::overriding(
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("strict-origin-when-cross-origin"),
                ))
                // Pages set their own policy with this request's nonce (see `app::shell`);
                // everything else gets one under which nothing runs.
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(NON_PAGE_POLICY),
                ))
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::REQUEST_TIMEOUT,
                    REQUEST_TIMEOUT,
                )),
        )
        .with_state(state)
        .merge(probes)
}

/// Log a failed request. A 503 is the server refusing work on purpose (password hashing
/// full, the disk nearly full) and was logged where it was decided: logging each one again at
/// error level would let a flood of refused requests flood the log as well.
fn log_failure(class: ServerErrorsFailureClass, latency: Duration, _span: &tracing::Span) {
    match class {
        ServerErrorsFailureClass::StatusCode(StatusCode::SERVICE_UNAVAILABLE) => {}
        class => tracing::error!(
            classification = %class,
            latency_ms = latency.as_millis() as u64,
            "response failed"
        ),
    }
}

/// Give a server function's error response the status its [`AppError`] maps to (and the
/// `Retry-After` it names).
///
/// Server functions set their own status when they refuse input, but an argument that does not
/// even decode (`limit=banana`) is refused by the framework before the function runs, and the
/// framework answers 500 for every error. The body is the encoded `AppError` either way, so
/// this one place maps it: a caller's mistake is a 4xx, never a 5xx.
async fn server_fn_status(response: Response) -> Response {
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "").into_response();
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        if let Ok(status) = StatusCode::from_u16(error.status()) {
            parts.status = status;
        }
        if let Some(secs) = error.retry_after() {
            parts
                .headers
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Refuse state-changing requests a browser sent from another site (CSRF).
///
/// Browsers send `Origin` with every cross-origin request and every POST, so a write whose
/// `Origin` is not one of `origins` (compared whole: scheme, host, port; see
/// [`crate::origin`]) came from another site's page. A request without `Origin` is a
/// non-browser client (or a same-origin navigation) unless `Sec-Fetch-Site` says cross-site.
/// The session cookie's `SameSite=Lax` is the second line.
pub async fn same_origin_writes(
    State(origins): State<Arc<AllowedOrigins>>,
    request: Request<Body>,
    next: axum::middleware::Next,
) -> Response {
    use axum::http::Method;
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let headers = request.headers();
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let allowed = match text(header::ORIGIN) {
        Some(origin) => origins.allows(origin),
        None => text(HeaderName::from_static("sec-fetch-site")) != Some("cross-site"),
    };
    if allowed {
        return next.run(request).await;
    }
    tracing::warn!("cross-site write refused");
    let body = serde_json::to_string(&AppError::Forbidden(
        "This request came from another site and was refused.".into(),
    ))
    .unwrap_or_default();
    (
        StatusCode::FORBIDDEN,
        [
            (header::CONTENT_TYPE, "application/json"),
            (HeaderName::from_static(SERVER_FN_ERROR_HEADER), "true"),
        ],
        body,
    )
        .into_response()
}

/// Liveness: the process answers.
async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the store is open, the catalog loaded (the server only binds once both are) and
/// the recommendation model ready; 503 until it is (pages are served meanwhile, with popular
/// books in place of personal lists).
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    use app::backend::recommender::ModelStatus;
    let (ready, model) = match state.recommender.status() {
        ModelStatus::Ready { .. } => (true, "ready".to_string()),
        ModelStatus::Preparing => (false, "preparing".to_string()),
        ModelStatus::Missing => (false, "missing".to_string()),
        ModelStatus::Failed(e) => (false, format!("failed: {e}")),
    };
    let body = serde_json::json!({
        "books": state.catalog().len(),
        "works": state.catalog().work_count(),
        "ratings": state.store.rating_count(),
        "model": model,
    });
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
}

/// Run the server until Ctrl-C or SIGTERM.
pub async fn run(global: &GlobalArgs, args: &ServeArgs) -> Result<()> {
    let store = Store::open(&global.store_dir(), global.cache_mb << 20)?;
    store.set_reserve(args.min_free_mb << 20);
    let catalog = {
        let store = store.clone();
        let search_dir = global.search_dir();
        tokio::task::spawn_blocking(move || load_catalog(&store, &search_dir))
            .await
            .map_err(|e| Error::Io(std::io::Error::other(e)))??
    };
    if catalog.is_empty() {
        tracing::warn!(
            "the store is empty: import a dataset first (`shelfwise import book-crossing DIR`)"
        );
    }
    let leptos_options = site_options(&args.site_root, args.addr);
    let state = AppState::new(leptos_options, store.clone(), catalog, args.settings());
    crate::train::start(
        store.clone(),
        &global.data_dir,
        global.train_params(),
        state.recommender.clone(),
        crate::train::RetrainPolicy {
            check_every: Duration::from_secs(args.retrain_check_minutes.saturating_mul(60)),
            min_changes: args.retrain_after,
            max_age: Duration::from_secs(args.retrain_hours.saturating_mul(3600)),
        },
    );
    sweep_hourly(state.clone());
    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    tracing::info!("listening on http://{}", args.addr);
    // `shelfwise backup` asks through this socket while the server holds the store.
    let admin = crate::backup::AdminSocket::start(&global.data_dir, store.clone())?;
    let turns = args
        .page_renders
        .map_or_else(PageTurns::per_core, PageTurns::new);
    let app = router(state, allowed_origins(args)?, turns);
    let served = crate::listen::serve(listener, app, args.hygiene(), shutdown_signal()).await;
    admin.stop().await;
    served?;
    store.flush()?;
    tracing::info!("stopped");
    Ok(())
}

/// The origins writes are accepted from: `--public-url`'s, or, without one, the loopback
/// names, after a warning; without one and listening beyond loopback, a refusal to start
/// (see [`crate::origin`] for why).
fn allowed_origins(args: &ServeArgs) -> Result<AllowedOrigins> {
    if let Some(url) = args.public_origin() {
        return AllowedOrigins::public(&url);
    }
    if !args.addr.ip().is_loopback() {
        return Err(Error::Usage(format!(
            "listening on {} needs --public-url (SHELFWISE_PUBLIC_URL), the address readers \
             use, e.g. https://books.example.org: without it the server cannot tell its own \
             pages from another site's",
            args.addr
        )));
    }
    let origins = AllowedOrigins::loopback(args.addr.port());
    tracing::warn!(
        origins = ?origins.list(),
        "no --public-url: accepting writes only from pages at these loopback addresses"
    );
    Ok(origins)
}

/// Sweep expired sessions, abandoned anonymous readers and stale throttle counters at start
/// and then hourly, off the async workers.
fn sweep_hourly(state: AppState) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(Duration::from_secs(3600));
        loop {
            ticks.tick().await;
            let state = state.clone();
            match tokio::task::spawn_blocking(move || {
                app::backend::accounts::sweep(&state, app::backend::auth::now())
            })
            .await
            {
                Ok(Ok(swept)) if swept == Default::default() => {}
                Ok(Ok(swept)) => tracing::info!(
                    sessions = swept.sessions,
                    anonymous_readers = swept.anonymous_readers,
                    throttle_entries = swept.throttle_entries,
                    "swept"
                ),
                Ok(Err(e)) => tracing::warn!("sweeping failed: {e}"),
                Err(e) => tracing::warn!("a sweep did not finish: {e}"),
            }
        }
    });
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
