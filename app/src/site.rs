//! What the server sends around the app (server only): the per-page Content-Security-Policy and
//! the names cargo-leptos gave the built front-end files.

use std::path::PathBuf;

use leptos::prelude::LeptosOptions;

/// The Content-Security-Policy of an HTML page whose inline scripts carry `nonce`.
///
/// Scripts run only from this origin or inline with this request's nonce (Leptos's hydration
/// loader and the resolved-resource chunks of async SSR both carry it); `'wasm-unsafe-eval'`
/// lets the browser compile the wasm bundle and nothing else. The app has no inline styles or
/// `style` attributes, so styles need no `'unsafe-inline'`. Covers come from the dataset's
/// image hosts, which are arbitrary and mostly `http:`, so images are the one open door.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'none'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data: http: https:; font-src 'self'; \
         connect-src 'self'; manifest-src 'self'; object-src 'none'; frame-ancestors 'none'; \
         base-uri 'self'; form-action 'self'"
    )
}

/// The policy of every response that is not a page (JSON, files, exports): nothing may run or
/// load under it, and no one may frame it.
pub const NON_PAGE_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// `text` with `&`, `<` and `>` escaped, for text the server writes into HTML by hand.
pub fn escape_html_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// The content hashes cargo-leptos put in the front-end file names (`hash-files = true`), read
/// from its `hash.txt` (`js: …`, `wasm: …`, `css: …`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssetHashes {
    /// Hash in the JS loader's name.
    pub js: Option<String>,
    /// Hash in the wasm bundle's name.
    pub wasm: Option<String>,
    /// Hash in the stylesheet's name.
    pub css: Option<String>,
}

impl AssetHashes {
    /// Parse `hash.txt`; unknown lines are ignored (cargo-leptos adds some for split builds).
    pub fn parse(text: &str) -> AssetHashes {
        let mut hashes = AssetHashes::default();
        for (key, value) in text.lines().filter_map(|l| l.split_once(':')) {
            let value = Some(value.trim().to_string()).filter(|v| !v.is_empty());
            match key.trim() {
                "js" => hashes.js = value,
                "wasm" => hashes.wasm = value,
                "css" => hashes.css = value,
                _ => {}
            }
        }
        hashes
    }

    /// The hashes the server was configured with, or `None` when file hashing is off or the
    /// file cannot be read. The path is resolved the way Leptos's `HydrationScripts` resolves
    /// it (relative to the executable's directory; an absolute path stands as is), so the
    /// stylesheet link and the cache headers agree with the script tags.
    pub fn from_options(options: &LeptosOptions) -> Option<AssetHashes> {
        if !options.hash_files {
            return None;
        }
        let exe_dir = std::env::current_exe()
            .ok()
            .and_then(|p| p.parent().map(PathBuf::from))
            .unwrap_or_default();
        let text = std::fs::read_to_string(exe_dir.join(options.hash_file.as_ref())).ok()?;
        Some(AssetHashes::parse(&text))
    }

    /// Whether `file_name` (under `/pkg`) carries one of these hashes, i.e. its content can
    /// never change under that name.
    pub fn names_hashed_file(&self, file_name: &str) -> bool {
        [&self.js, &self.wasm, &self.css]
            .into_iter()
            .flatten()
            .any(|hash| file_name.contains(&format!(".{hash}.")))
    }
}

/// The stylesheet's URL: `/pkg/NAME.css`, or `/pkg/NAME.HASH.css` when file names are hashed
/// (`hashes` as [`AssetHashes::from_options`] read them, once, when the server starts).
pub fn stylesheet_href(options: &LeptosOptions, hashes: Option<&AssetHashes>) -> String {
    let (name, pkg) = (&options.output_name, &options.site_pkg_dir);
    match hashes.and_then(|h| h.css.as_ref()) {
        Some(hash) => format!("/{pkg}/{name}.{hash}.css"),
        None => format!("/{pkg}/{name}.css"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_file_lines_are_read_and_names_matched() {
        let h = AssetHashes::parse("js: AbC_12\nwasm: zz-9\ncss: q1\nsplit: s\n\n");
        assert_eq!(h.js.as_deref(), Some("AbC_12"));
        assert_eq!(h.wasm.as_deref(), Some("zz-9"));
        assert_eq!(h.css.as_deref(), Some("q1"));
        assert!(h.names_hashed_file("shelfwise.zz-9.wasm"));
        assert!(!h.names_hashed_file("shelfwise.wasm"));
        assert!(!AssetHashes::default().names_hashed_file("shelfwise.q1.css"));
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape_html_text("</title><b>&amp;"),
            "&lt;/title&gt;&lt;b&gt;&amp;amp;"
        );
    }

    #[test]
    fn the_policy_carries_the_nonce_and_no_unsafe_inline_script() {
        let csp = content_security_policy("n0nce");
        assert!(csp.contains("script-src 'self' 'nonce-n0nce' 'wasm-unsafe-eval';"));
        assert!(!csp.contains("'unsafe-inline'"));
        assert!(!csp.contains("'unsafe-eval'"));
    }
}
