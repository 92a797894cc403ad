//! Pages take turns: at most a few server-rendered pages are rendered at once, the others wait
//! for a turn in the order they came.
//!
//! Rendering a page is CPU work split by many `.await`s (one per resource and `Suspense`), so
//! without turns tokio interleaves every page in flight: at 32 concurrent readers on two cores
//! all 32 pages are half-done at once, each holding its half-megabyte of buffers (the working
//! set no longer fits the caches) and each finishing only when the whole batch does. With one
//! turn per core a page renders start to finish while the next ones wait, so a page costs
//! what it costs alone plus the queue in front of it: a lower p99 and more pages per second
//! on the signed-in home page at 32 clients, turns off and on alternately
//! (`bench/results/page-turns-2026-12-03.txt`).
//!
//! Only page loads take turns (`GET`, outside `/pkg/`). Server functions (`POST`) do not: a
//! rating's write waits on the disk flush, and a page should not wait behind that. The price
//! shows under a write-heavy mix (`bench/results/load-2026-12-03.txt`): writes and searches,
//! never queued, get the cores first, and the pages' p99 there is about twice what it is
//! without turns, for several times the writes per second.

use std::num::NonZeroUsize;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{Method, Request};
use axum::response::Response;
use tokio::sync::Semaphore;

/// The turns pages take; cheap to clone (one shared count).
#[derive(Clone, Debug)]
pub struct PageTurns(Arc<Semaphore>);

impl PageTurns {
    /// `at_once` pages may render at the same time.
    pub fn new(at_once: NonZeroUsize) -> Self {
        PageTurns(Arc::new(Semaphore::new(at_once.get())))
    }

    /// One turn per core, the number of tokio's worker threads: more pages at once only
    /// interleave, fewer leave a core idle while a page waits on its resources' tasks (one
    /// turn on two cores halved the pages per second).
    pub fn per_core() -> Self {
        Self::new(std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN))
    }
}

/// Middleware: a page load waits for its turn, renders, and gives the turn back when its
/// response is built (compressing and sending it happen after, in the layers outside).
pub async fn take_turn(
    State(turns): State<PageTurns>,
    request: Request<Body>,
    next: axum::middleware::Next,
) -> Response {
    if request.method() != Method::GET || request.uri().path().starts_with("/pkg/") {
        return next.run(request).await;
    }
    // `acquire` fails only on a closed semaphore, and this one is never closed; if it were,
    // rendering without a turn is still better than refusing the page.
    let _turn = turns.0.acquire().await.ok();
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use axum::routing::get;
    use axum::Router;
    use tokio::sync::Notify;
    use tower::ServiceExt;

    use super::*;

    /// Pages now rendering, and the most seen at once.
    #[derive(Default)]
    struct Gauge {
        now: AtomicUsize,
        most: AtomicUsize,
    }

    fn router(turns: usize, gauge: Arc<Gauge>) -> Router {
        let page = move || {
            let gauge = gauge.clone();
            async move {
                let now = gauge.now.fetch_add(1, Ordering::SeqCst) + 1;
                gauge.most.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(20)).await;
                gauge.now.fetch_sub(1, Ordering::SeqCst);
                "page"
            }
        };
        Router::new()
            .route("/", get(page))
            .layer(axum::middleware::from_fn_with_state(
                PageTurns::new(NonZeroUsize::new(turns).unwrap()),
                take_turn,
            ))
    }

    async fn load_pages(app: &Router, n: usize) {
        let loads = (0..n).map(|_| {
            let app = app.clone();
            tokio::spawn(async move {
                let request = Request::get("/").body(Body::empty()).unwrap();
                app.oneshot(request).await.unwrap().status()
            })
        });
        for load in loads.collect::<Vec<_>>() {
            assert!(load.await.unwrap().is_success());
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_more_pages_render_at_once_than_there_are_turns() {
        let gauge = Arc::new(Gauge::default());
        load_pages(&router(2, gauge.clone()), 8).await;
        assert_eq!(gauge.most.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn with_enough_turns_pages_render_together() {
        // The check above would pass with a gauge that never counts past two.
        let gauge = Arc::new(Gauge::default());
        load_pages(&router(8, gauge.clone()), 8).await;
        assert!(gauge.most.load(Ordering::SeqCst) > 2);
    }

    #[tokio::test]
    async fn a_server_function_does_not_wait_for_a_page_turn() {
        // The only turn is held by a page that finishes only when the POST has run.
        let (rendering, posted) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
        let app = {
            let (rendering, wait, post) = (rendering.clone(), posted.clone(), posted.clone());
            Router::new()
                .route(
                    "/",
                    get(move || async move {
                        rendering.notify_one();
                        wait.notified().await;
                        "page"
                    })
                    .post(move || async move {
                        post.notify_one();
                        "saved"
                    }),
                )
                .layer(axum::middleware::from_fn_with_state(
                    PageTurns::new(NonZeroUsize::MIN),
                    take_turn,
                ))
        };
        let page = tokio::spawn(
            app.clone()
                .oneshot(Request::get("/").body(Body::empty()).unwrap()),
        );
        // The page has its turn before the POST is sent.
        rendering.notified().await;
        let post = app.oneshot(Request::post("/").body(Body::empty()).unwrap());
        let both = async {
            (
                post.await.unwrap().status(),
                page.await.unwrap().unwrap().status(),
            )
        };
        let (post, page) = tokio::time::timeout(Duration::from_secs(10), both)
            .await
            .expect("the POST waited behind the page's turn");
        assert!(post.is_success() && page.is_success());
    }
}
