//! Accepting connections with limits a slow or greedy client cannot outlast.
//!
//! `axum::serve` keeps a connection as long as the client likes: half-sent requests
//! (slowloris) hold a socket, a task and a file descriptor each, indefinitely, until the
//! server can no longer accept. This loop serves HTTP/1.1 (what browsers and reverse proxies
//! speak to an app server) with:
//!
//! - a header-read timeout: a request's head must arrive within [`Hygiene::header_read`] of
//!   the server starting to wait for it. hyper starts that wait as soon as a connection is
//!   idle, so the same timeout closes idle keep-alive connections;
//! - a cap on connections open at once per client address ([`Hygiene::per_address`]);
//!   beyond it a new connection is closed at once, so one address cannot take every socket.
//!   Behind a reverse proxy every connection comes from the proxy: the cap is off there
//!   (`--trust-proxy`), and the proxy's own limits apply;
//! - the request timeout of the router (`serve::REQUEST_TIMEOUT`) bounding the rest.

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// How long in-flight requests may take to finish once shutdown begins.
const DRAIN: Duration = Duration::from_secs(20);

/// The limits on each connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hygiene {
    /// Time for a request's head to arrive, and for an idle keep-alive connection to send
    /// its next request.
    pub header_read: Duration,
    /// Connections open at once from one client address (`None`: no cap).
    pub per_address: Option<usize>,
}

/// Connections open per address; a [`Slot`] gives its place back when dropped.
#[derive(Debug, Default)]
struct Open(Mutex<HashMap<IpAddr, usize>>);

/// One connection's place in [`Open`].
struct Slot {
    open: Arc<Open>,
    ip: IpAddr,
}

impl Open {
    fn take(self: &Arc<Self>, ip: IpAddr, cap: Option<usize>) -> Option<Slot> {
        let mut open = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let n = open.entry(ip).or_insert(0);
        if cap.is_some_and(|cap| *n >= cap) {
            return None;
        }
        *n += 1;
        Some(Slot {
            open: self.clone(),
            ip,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.open.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = open.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

/// Serve `app` on `listener` until `shutdown` completes, then let in-flight requests finish
/// (up to a bound). Each request sees its peer as `ConnectInfo<SocketAddr>`.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    hygiene: Hygiene,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(hygiene.header_read)
        .keep_alive(true);
    let open = Arc::new(Open::default());
    let graceful = GracefulShutdown::new();
    let mut refused_logged = false;
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors (or a connection reset while queued): keep
                    // serving the connections there are, and try again shortly.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(slot) = open.take(peer.ip(), hygiene.per_address) else {
            if !refused_logged {
                tracing::warn!(peer = %peer.ip(), "too many connections from one address: closing new ones");
                refused_logged = true;
            }
            drop(stream);
            continue;
        };
        refused_logged = false;
        let _ = stream.set_nodelay(true);
        let service = app
            .clone()
            .map_request(move |mut request: hyper::Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            });
        let connection = graceful
            .watch(http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service)));
        tokio::spawn(async move {
            let _slot = slot;
            // A client that goes away mid-request, or a header timeout, ends it here: neither
            // is the server's error.
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after the drain time: closing them");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_capped_per_address_and_given_back() {
        let open = Arc::new(Open::default());
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        let b: IpAddr = "127.0.0.2".parse().unwrap();
        let first = open.take(a, Some(2)).unwrap();
        let _second = open.take(a, Some(2)).unwrap();
        assert!(open.take(a, Some(2)).is_none());
        assert!(open.take(b, Some(2)).is_some());
        drop(first);
        assert!(open.take(a, Some(2)).is_some());
        assert!(open.take(a, None).is_some());
    }
}
