//! The HTTP layer against a real store: health checks, security headers, request ids, limits.

use std::path::Path;

use app::state::AppState;
use app::store::import::{import_goodbooks, plain_files};
use app::store::Store;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use leptos::prelude::LeptosOptions;
use tower::ServiceExt;

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../engine/tests/fixtures/goodbooks"
);

fn app() -> (tempfile::TempDir, axum::Router) {
    let (dir, state) = app_state();
    (dir, shelfwise::serve::router(state, None))
}

fn app_state() -> (tempfile::TempDir, AppState) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("store"), 1 << 20).unwrap();
    import_goodbooks(
        &store,
        Path::new(FIXTURES),
        &dir.path().join("r"),
        &plain_files,
    )
    .unwrap();
    let catalog = shelfwise::serve::load_catalog(&store).unwrap();
    let state = AppState::new(
        LeptosOptions::builder()
            .output_name("shelfwise")
            .site_root(dir.path().display().to_string())
            .build(),
        store,
        catalog,
        Default::default(),
    );
    (dir, state)
}

async fn body(resp: axum::response::Response) -> String {
    String::from_utf8(
        resp.into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap()
}

#[tokio::test]
async fn health_and_readiness() {
    let (_dir, state) = app_state();
    let app = shelfwise::serve::router(state.clone(), None);
    let resp = app
        .clone()
        .oneshot(Request::get("/healthz").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    // Not ready until the recommendation model is.
    let resp = app
        .clone()
        .oneshot(Request::get("/readyz").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        body(resp).await,
        r#"{"books":99,"model":"missing","ratings":30,"works":99}"#
    );
    let (model, n) = app::recommender::train_from_store(
        &state.store,
        &app::recommender::serving_params(),
        &|_| {},
    )
    .unwrap();
    state.recommender.install(model, n);
    let resp = app
        .oneshot(Request::get("/readyz").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        body(resp).await,
        r#"{"books":99,"model":"ready","ratings":30,"works":99}"#
    );
}

#[tokio::test]
async fn pages_carry_security_headers_and_a_request_id() {
    let (_dir, app) = app();
    let resp = app
        .oneshot(Request::get("/").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let h = resp.headers();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "strict-origin-when-cross-origin");
    assert_eq!(h["content-security-policy"], "frame-ancestors 'none'");
    assert_eq!(h["x-request-id"].len(), 36, "a UUID");
    let html = body(resp).await;
    assert!(html.contains("Popular books"));
    assert!(html.contains("data-testid=\"book-card\""));
}

#[tokio::test]
async fn server_functions_answer_json_and_clear_errors() {
    let (_dir, app) = app();
    let search = |q: &str| {
        Request::post("/api/search_books")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(q.to_string()))
            .unwrap()
    };
    let resp = app
        .clone()
        .oneshot(search("query=hunger&limit=3"))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(body(resp).await.contains("The Hunger Games"));
    let resp = app
        .clone()
        .oneshot(search("query=hunger&limit=0"))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(body(resp).await.contains("Ask for 1 to 50 results"));
    // Missing or mistyped arguments are the caller's error, not the server's.
    let resp = app.oneshot(search("limit=banana")).await.unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn oversized_bodies_are_refused_before_they_are_read() {
    let (_dir, app) = app();
    let big = format!("query={}&limit=5", "a".repeat(2 << 20));
    let resp = app
        .oneshot(
            Request::post("/api/search_books")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("content-length", big.len())
                .body(Body::from(big))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn unknown_book_pages_are_404() {
    let (_dir, app) = app();
    let resp = app
        .oneshot(
            Request::get("/book/0000000000")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert!(body(resp).await.contains("No book with ISBN 0000000000"));
}
