//! The real `shelfwise` binary, serving a data folder on a free loopback port.

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The binary cargo built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_shelfwise");

/// A port nothing listens on now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `shelfwise --data-dir DATA import goodbooks FIXTURES`.
pub fn import_fixture(data: &Path) {
    let status = Command::new(BIN)
        .args(["--data-dir", data.to_str().unwrap(), "--log-level", "warn"])
        .args(["import", "goodbooks", super::FIXTURES])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
}

/// A running server; killed when dropped.
pub struct Server {
    /// The process.
    pub child: Child,
    /// Its port on 127.0.0.1.
    pub port: u16,
}

impl Server {
    /// Serve `data` on `port` with these extra `serve` arguments; returns once `/healthz`
    /// answers.
    pub fn start(data: &Path, port: u16, extra: &[&str]) -> Server {
        let child = Command::new(BIN)
            .args(["--data-dir", data.to_str().unwrap(), "--log-level", "warn"])
            .arg("serve")
            .args(["--addr", &format!("127.0.0.1:{port}")])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut server = Server { child, port };
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if server.get("/healthz").is_ok() {
                return server;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("the server exited: {status}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the server did not start");
    }

    /// `http://127.0.0.1:PORT` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// GET a path; the body of a 2xx.
    pub fn get(&self, path: &str) -> Result<String, String> {
        ureq::get(&self.url(path))
            .timeout(Duration::from_secs(10))
            .call()
            .map_err(|e| e.to_string())?
            .into_string()
            .map_err(|e| e.to_string())
    }

    /// Stop with SIGKILL and wait.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// POST a server function with a form body; the response and the session cookie it set.
pub fn post(
    port: u16,
    endpoint: &str,
    body: &str,
    cookie: Option<&str>,
) -> Result<(String, Option<String>), String> {
    let mut req = ureq::post(&format!("http://127.0.0.1:{port}/api/{endpoint}"))
        .set("Content-Type", "application/x-www-form-urlencoded")
        .timeout(Duration::from_secs(10));
    if let Some(c) = cookie {
        req = req.set("Cookie", &format!("shelfwise_session={c}"));
    }
    let resp = req.send_string(body).map_err(|e| match e {
        ureq::Error::Status(code, resp) => {
            let retry = resp.header("retry-after").unwrap_or("-").to_string();
            format!(
                "{code} retry-after={retry} {}",
                resp.into_string().unwrap_or_default()
            )
        }
        other => other.to_string(),
    })?;
    let set = resp
        .header("set-cookie")
        .and_then(|v| v.split(';').next())
        .and_then(|kv| kv.split_once('='))
        .map(|(_, v)| v.to_string());
    Ok((resp.into_string().map_err(|e| e.to_string())?, set))
}

/// The reader's rated books as ISBN → stars, through `my_books`.
pub fn my_ratings(port: u16, cookie: &str) -> HashMap<String, u8> {
    let (body, _) = post(port, "my_books", "sort=&filter=rated", Some(cookie)).unwrap();
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    v["books"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["card"]["isbn"].as_str().unwrap().to_string(),
                b["card"]["mine"]["stars"].as_u64().unwrap() as u8,
            )
        })
        .collect()
}
