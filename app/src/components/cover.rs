//! Book covers that never leave a hole: a generated cover sits under the dataset's image.

use leptos::prelude::*;

/// Number of cover colours (`.hue-0` … `.hue-23` in the stylesheet).
pub const HUES: u64 = 24;

/// The colour class of a generated cover, derived from the ISBN so a book keeps its colour.
pub fn hue_class(isbn: &str) -> String {
    // FNV-1a: tiny, stable across platforms and builds (std's hasher is neither promised).
    let mut h: u64 = 0xcbf29ce484222325;
    for b in isbn.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("hue-{}", h % HUES)
}

/// A cover: the generated one (title and author on a colour from the ISBN) is always laid out
/// at the final size; the dataset's image is drawn over it when it loads and hidden when it
/// fails or is Amazon's 1×1 placeholder, so the layout never shifts.
#[component]
pub fn Cover(
    /// The book's ISBN (its colour).
    isbn: String,
    /// Title shown on the generated cover.
    title: String,
    /// Author shown on the generated cover.
    author: String,
    /// The dataset's image, if any.
    image_url: Option<String>,
    /// Large variant (book page).
    #[prop(optional)]
    large: bool,
) -> impl IntoView {
    let (failed, set_failed) = signal(false);
    let class = format!(
        "cover {}{}",
        hue_class(&isbn),
        if large { " cover-large" } else { "" }
    );
    view! {
        <div class=class data-testid="cover">
            <div class="cover-generated" aria-hidden="true">
                <span class="cover-title">{title}</span>
                <span class="cover-author">{author}</span>
            </div>
            {image_url
                .map(|src| {
                    view! {
                        <img
                            src=src
                            alt=""
                            loading="lazy"
                            decoding="async"
                            class:hidden=move || failed.get()
                            on:error=move |_| set_failed.set(true)
                            on:load=move |ev| {
                                let img: web_sys::HtmlImageElement = event_target(&ev);
                                if img.natural_width() <= 1 {
                                    set_failed.set(true);
                                }
                            }
                        />
                    }
                })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_book_keeps_its_colour_and_colours_spread() {
        assert_eq!(hue_class("0439023483"), hue_class("0439023483"));
        let distinct: std::collections::HashSet<String> =
            (0..200).map(|i| hue_class(&format!("{i:010}"))).collect();
        assert!(distinct.len() > 12, "only {} colours used", distinct.len());
    }
}
