//! The HTTP layer against a real store: health checks, security headers, request ids, limits.

mod common;

use app::backend::state::AppState;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::loopback;
use http_body_util::BodyExt;
use leptos::prelude::LeptosOptions;
use shelfwise::page_turns::PageTurns;
use tower::ServiceExt;

fn app() -> (tempfile::TempDir, axum::Router) {
    let (dir, state) = app_state();
    (
        dir,
        shelfwise::serve::router(state, loopback(), PageTurns::per_core()),
    )
}

fn app_state() -> (tempfile::TempDir, AppState) {
    let dir = tempfile::tempdir().unwrap();
    let options = LeptosOptions::builder()
        .output_name("shelfwise")
        .site_root(dir.path().display().to_string())
        .build();
    state_with(dir, options)
}

/// The router over the fixture store with these Leptos options.
fn app_with(dir: tempfile::TempDir, options: LeptosOptions) -> (tempfile::TempDir, axum::Router) {
    let (dir, state) = state_with(dir, options);
    (
        dir,
        shelfwise::serve::router(state, loopback(), PageTurns::per_core()),
    )
}

/// The state over the fixture store with these Leptos options.
fn state_with(dir: tempfile::TempDir, options: LeptosOptions) -> (tempfile::TempDir, AppState) {
    let store = common::imported_store(dir.path());
    let catalog = shelfwise::serve::load_catalog(&store, &dir.path().join("search")).unwrap();
    let state = AppState::new(options, store, catalog, Default::default());
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
    let _one = common::one_at_a_time().await;
    let (_dir, state) = app_state();
    let app = shelfwise::serve::router(state.clone(), loopback(), PageTurns::per_core());
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
    let (model, n) = app::backend::recommender::train_from_store(
        &state.store,
        &app::backend::recommender::serving_params(),
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
    let _one = common::one_at_a_time().await;
    let (_dir, app) = app();
    let resp = app
        .oneshot(Request::get("/").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let h = resp.headers();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "strict-origin-when-cross-origin");
    assert!(h["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("frame-ancestors 'none'"));
    assert_eq!(h["x-request-id"].len(), 36, "a UUID");
    let html = body(resp).await;
    assert!(html.contains("Welcome! Tell us what you like"));
    assert!(html.contains("data-testid=\"popular\""));
    assert!(html.contains("data-testid=\"book-card\""));
}

#[tokio::test]
async fn server_functions_answer_json_and_clear_errors() {
    let _one = common::one_at_a_time().await;
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
    let _one = common::one_at_a_time().await;
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
    let _one = common::one_at_a_time().await;
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

/// The nonce in a page's `Content-Security-Policy`, after checking the rest of the policy.
fn csp_nonce(resp: &axum::response::Response) -> String {
    let csp = resp.headers()["content-security-policy"].to_str().unwrap();
    for directive in [
        "default-src 'none'",
        "'wasm-unsafe-eval'",
        "style-src 'self';",
        "img-src 'self' data: http: https:",
        "connect-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ] {
        assert!(csp.contains(directive), "{directive} missing: {csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap_or_else(|| panic!("no nonce: {csp}"));
    assert!(nonce.len() >= 16, "{nonce}");
    nonce.to_string()
}

#[tokio::test]
async fn pages_carry_a_csp_whose_nonce_is_on_every_inline_script() {
    let _one = common::one_at_a_time().await;
    let (_dir, app) = app();
    let mut nonces = Vec::new();
    // A streamed page, async-SSR pages (their resources travel in inline scripts), a 404.
    for (path, status) in [
        ("/login", StatusCode::OK),
        ("/", StatusCode::OK),
        ("/search?q=hunger", StatusCode::OK),
        ("/book/0439023483", StatusCode::OK),
        ("/book/0000000000", StatusCode::NOT_FOUND),
        ("/no/such/page", StatusCode::NOT_FOUND),
    ] {
        let resp = app
            .clone()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(resp.status(), status, "{path}");
        let nonce = csp_nonce(&resp);
        let html = body(resp).await;
        let scripts: Vec<&str> = html.split("<script").skip(1).collect();
        assert!(!scripts.is_empty(), "{path}: no scripts");
        for script in scripts {
            let tag = script.split('>').next().unwrap();
            assert!(
                tag.contains(&format!("nonce=\"{nonce}\"")),
                "{path}: a script without the nonce: <script{tag}>"
            );
        }
        assert!(
            !html.contains(" style=\""),
            "{path}: an inline style the CSP would block"
        );
        nonces.push(nonce);
    }
    nonces.sort();
    nonces.dedup();
    assert_eq!(nonces.len(), 6, "a fresh nonce per request");
    // Responses that are not pages get a policy under which nothing runs.
    let resp = app
        .oneshot(
            Request::post("/api/search_books")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from("query=hunger&limit=3"))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        resp.headers()["content-security-policy"],
        "default-src 'none'; frame-ancestors 'none'"
    );
}

#[tokio::test]
async fn hashed_assets_are_immutable_and_pages_revalidate() {
    let _one = common::one_at_a_time().await;
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("pkg")).unwrap();
    std::fs::write(
        site.join("hash.txt"),
        "js: JsH4sh\nwasm: W4smH4sh\ncss: CssH4sh\n",
    )
    .unwrap();
    for name in [
        "shelfwise.JsH4sh.js",
        "shelfwise.W4smH4sh.wasm",
        "shelfwise.CssH4sh.css",
        "notes.txt",
    ] {
        std::fs::write(site.join("pkg").join(name), "x").unwrap();
    }
    std::fs::write(site.join("favicon.svg"), "<svg/>").unwrap();
    let options = shelfwise::serve::site_options(&site, "127.0.0.1:3000".parse().unwrap());
    assert!(options.hash_files);
    let (_dir, app) = app_with(dir, options);
    let get = |path: &str| {
        let app = app.clone();
        let req = Request::get(path).body(Body::empty()).unwrap();
        async move { app.oneshot(req).await.unwrap() }
    };
    for name in [
        "shelfwise.JsH4sh.js",
        "shelfwise.W4smH4sh.wasm",
        "shelfwise.CssH4sh.css",
    ] {
        let resp = get(&format!("/pkg/{name}")).await;
        assert_eq!(resp.status(), StatusCode::OK, "{name}");
        assert_eq!(
            resp.headers()["cache-control"],
            "public, max-age=31536000, immutable",
            "{name}"
        );
    }
    // A file whose name carries no hash may change: revalidate.
    let resp = get("/pkg/notes.txt").await;
    assert_eq!(resp.headers()["cache-control"], "no-cache");
    let resp = get("/pkg/missing.js").await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert_ne!(
        resp.headers()
            .get("cache-control")
            .map(|v| v.to_str().unwrap()),
        Some("public, max-age=31536000, immutable")
    );
    // Pages revalidate and name the hashed files.
    let resp = get("/").await;
    assert_eq!(resp.headers()["cache-control"], "private, no-cache");
    let html = body(resp).await;
    assert!(
        html.contains("href=\"/pkg/shelfwise.CssH4sh.css\""),
        "{html}"
    );
    assert!(html.contains("shelfwise.JsH4sh"), "{html}");
    assert!(html.contains("shelfwise.W4smH4sh"), "{html}");
}

#[tokio::test]
async fn without_a_hash_file_assets_keep_plain_names_and_revalidate() {
    let _one = common::one_at_a_time().await;
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("pkg")).unwrap();
    std::fs::write(site.join("pkg").join("shelfwise.wasm"), "x").unwrap();
    let options = shelfwise::serve::site_options(&site, "127.0.0.1:3000".parse().unwrap());
    assert!(!options.hash_files);
    let (_dir, app) = app_with(dir, options);
    let resp = app
        .clone()
        .oneshot(
            Request::get("/pkg/shelfwise.wasm")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.headers()["cache-control"], "no-cache");
    let resp = app
        .oneshot(Request::get("/").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert!(body(resp).await.contains("href=\"/pkg/shelfwise.css\""));
}

#[tokio::test]
async fn assets_go_out_as_the_build_compressed_them_and_pages_compressed_as_sent() {
    let _one = common::one_at_a_time().await;
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let pkg = site.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    // Stand-ins for what `cargo leptos build --precompress` writes beside each asset.
    std::fs::write(pkg.join("shelfwise.wasm"), "the wasm").unwrap();
    std::fs::write(pkg.join("shelfwise.wasm.br"), "brotli bytes").unwrap();
    std::fs::write(pkg.join("shelfwise.wasm.gz"), "gzip bytes").unwrap();
    let options = shelfwise::serve::site_options(&site, "127.0.0.1:3000".parse().unwrap());
    let (_dir, app) = app_with(dir, options);
    let get = |path: &str, accept: &str| {
        let app = app.clone();
        let req = Request::get(path)
            .header("accept-encoding", accept)
            .body(Body::empty())
            .unwrap();
        async move { app.oneshot(req).await.unwrap() }
    };
    for (accept, encoding, sent) in [
        ("gzip, deflate, br, zstd", Some("br"), "brotli bytes"),
        ("gzip", Some("gzip"), "gzip bytes"),
        ("identity", None, "the wasm"),
    ] {
        let resp = get("/pkg/shelfwise.wasm", accept).await;
        assert_eq!(resp.status(), StatusCode::OK, "{accept}");
        assert_eq!(
            resp.headers()
                .get("content-encoding")
                .map(|v| v.to_str().unwrap()),
            encoding,
            "{accept}"
        );
        assert_eq!(body(resp).await, sent, "{accept}");
    }
    // A page is compressed as it is sent, with the codec the browser prefers.
    let plain = get("/", "identity").await;
    assert!(plain.headers().get("content-encoding").is_none());
    let plain_len = plain.into_body().collect().await.unwrap().to_bytes().len();
    let packed = get("/", "gzip, deflate, br, zstd").await;
    assert_eq!(packed.headers()["content-encoding"], "zstd");
    let packed_len = packed.into_body().collect().await.unwrap().to_bytes().len();
    assert!(packed_len * 3 < plain_len, "{packed_len} of {plain_len}");
}
