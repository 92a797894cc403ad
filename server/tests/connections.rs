//! Connection hygiene against the real binary: half-sent requests (slowloris) are closed
//! after the header-read timeout, one address cannot hold more than its share of
//! connections, and while 500 half-open connections are held, another reader is served.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use common::binary::{free_port, import_fixture, Server};

const HALF_OPEN: usize = 500;
const PER_ADDRESS: usize = 64;
const HEADER_TIMEOUT_SECS: u64 = 4;

/// A connection from `from` (any 127.0.0.0/8 address is this machine) to the server.
fn connect_from(from: &str, port: u16) -> std::io::Result<TcpStream> {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)?;
    let local: SocketAddr = format!("{from}:0").parse().unwrap();
    socket.bind(&local.into())?;
    let server: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    socket.connect_timeout(&server.into(), Duration::from_secs(5))?;
    Ok(socket.into())
}

/// Whether the server has closed `stream` (EOF or reset), waiting up to `within`.
fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    stream.set_read_timeout(Some(within)).unwrap();
    let mut buf = [0u8; 256];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            // hyper may answer a timed-out head before closing.
            Ok(_) => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return false
            }
            Err(_) => return true,
        }
    }
}

/// One whole request from `from`; the status line of the answer.
fn request_from(from: &str, port: u16, path: &str) -> String {
    let mut stream = connect_from(from, port).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer.lines().next().unwrap_or_default().to_string()
}

#[test]
fn half_open_connections_are_bounded_and_do_not_stop_other_readers() {
    let dir = tempfile::tempdir().unwrap();
    import_fixture(dir.path());
    let port = free_port();
    let timeout = HEADER_TIMEOUT_SECS.to_string();
    let per_address = PER_ADDRESS.to_string();
    let _server = Server::start(
        dir.path(),
        port,
        &[
            "--header-read-timeout-secs",
            &timeout,
            "--connections-per-address",
            &per_address,
        ],
    );

    // 500 connections from one address, each with half a request head.
    let opened = Instant::now();
    let mut held: Vec<TcpStream> = (0..HALF_OPEN)
        .filter_map(|_| {
            let mut s = connect_from("127.0.0.1", port).ok()?;
            s.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                .ok()?;
            Some(s)
        })
        .collect();
    assert_eq!(
        held.len(),
        HALF_OPEN,
        "the kernel accepted every connection"
    );

    // Another reader is served meanwhile: the home page and a search.
    assert_eq!(
        request_from("127.0.0.2", port, "/healthz"),
        "HTTP/1.1 200 OK"
    );
    assert_eq!(request_from("127.0.0.2", port, "/"), "HTTP/1.1 200 OK");
    assert!(
        opened.elapsed() < Duration::from_secs(HEADER_TIMEOUT_SECS),
        "too slow to tell the cap from the timeout; the test needs a longer timeout here"
    );

    // Beyond the cap the server closed the new connections at once (their end has arrived
    // by now); the rest it holds…
    let mut still_open: Vec<&mut TcpStream> = Vec::new();
    for s in held.iter_mut() {
        if !closed_within(s, Duration::from_millis(5)) {
            still_open.push(s);
        }
    }
    assert!(
        !still_open.is_empty() && still_open.len() <= PER_ADDRESS,
        "{} of {HALF_OPEN} held",
        still_open.len()
    );
    // …until the header-read timeout closes them too.
    for s in still_open {
        assert!(closed_within(
            s,
            Duration::from_secs(HEADER_TIMEOUT_SECS + 5)
        ));
    }
    // With the slots given back, the address is served again.
    drop(held);
    assert_eq!(
        request_from("127.0.0.1", port, "/healthz"),
        "HTTP/1.1 200 OK"
    );
}

#[test]
fn an_idle_keep_alive_connection_is_closed() {
    let dir = tempfile::tempdir().unwrap();
    import_fixture(dir.path());
    let port = free_port();
    let timeout = HEADER_TIMEOUT_SECS.to_string();
    let _server = Server::start(dir.path(), port, &["--header-read-timeout-secs", &timeout]);
    let mut stream = connect_from("127.0.0.1", port).unwrap();
    write!(stream, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut buf = [0u8; 512];
    let n = stream.read(&mut buf).unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200 OK"));
    // Kept alive for a next request, then closed once idle past the timeout.
    assert!(!closed_within(&mut stream, Duration::from_millis(500)));
    assert!(closed_within(
        &mut stream,
        Duration::from_secs(HEADER_TIMEOUT_SECS + 5)
    ));
}
