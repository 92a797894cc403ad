//! Which page origins may write (CSRF and DNS-rebinding defence).
//!
//! An origin is compared whole: scheme, host and port (`https://books.example.org` is not
//! `http://books.example.org`, nor `https://books.example.org:8443`), in the form the `url`
//! crate serialises (lowercase host, default ports left out), so equal origins compare equal
//! however they were written.
//!
//! With `--public-url` only that origin writes. Without it the server knows no name for
//! itself, and trusting the request's own `Host` would let any site whose name resolves to
//! the server (DNS rebinding) write as its readers; so only the loopback names on the port the
//! server listens on are trusted, and the server refuses to listen beyond loopback at all
//! (see [`crate::serve::run`]).

use url::Url;

use crate::{Error, Result};

/// The origins writes are accepted from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedOrigins(Vec<String>);

impl AllowedOrigins {
    /// Only the public URL readers use (`https://books.example.org`); a path is ignored.
    pub fn public(url: &str) -> Result<AllowedOrigins> {
        let origin = serialize(url.trim())
            .ok_or_else(|| Error::Usage(format!("--public-url {url:?} is not an http(s) URL")))?;
        Ok(AllowedOrigins(vec![origin]))
    }

    /// The loopback names of a server listening on `port`: `localhost`, `127.0.0.1`, `[::1]`.
    pub fn loopback(port: u16) -> AllowedOrigins {
        AllowedOrigins(
            ["localhost", "127.0.0.1", "[::1]"]
                .iter()
                .filter_map(|host| serialize(&format!("http://{host}:{port}")))
                .collect(),
        )
    }

    /// Whether a page of `origin` (an `Origin` header) may write.
    pub fn allows(&self, origin: &str) -> bool {
        serialize(origin).is_some_and(|o| self.0.contains(&o))
    }

    /// The origins, for the start-up log.
    pub fn list(&self) -> &[String] {
        &self.0
    }
}

/// `scheme://host[:port]` of an http(s) URL, as browsers send it in `Origin`.
fn serialize(url: &str) -> Option<String> {
    let url = Url::parse(url).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return None;
    }
    Some(url.origin().ascii_serialization())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_compared_whole() {
        let public = AllowedOrigins::public("https://Books.Example.org/").unwrap();
        assert!(public.allows("https://books.example.org"));
        assert!(public.allows("https://books.example.org:443"));
        for other in [
            "http://books.example.org",
            "https://books.example.org:8443",
            "https://books.example.org.evil.example",
            "https://evil.example",
            "null",
            "",
        ] {
            assert!(!public.allows(other), "{other}");
        }
        let local = AllowedOrigins::loopback(3000);
        for ok in [
            "http://localhost:3000",
            "http://127.0.0.1:3000",
            "http://[::1]:3000",
        ] {
            assert!(local.allows(ok), "{ok}");
        }
        for other in [
            "http://127.0.0.1:3001",
            "https://127.0.0.1:3000",
            "http://books.local",
            "http://rebound.evil.example:3000",
        ] {
            assert!(!local.allows(other), "{other}");
        }
    }

    #[test]
    fn a_public_url_must_be_http_or_https() {
        for bad in ["books.example.org", "ftp://books.example.org", "https://"] {
            assert!(AllowedOrigins::public(bad).is_err(), "{bad}");
        }
    }
}
