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
/// at the final size; the dataset's image fades in over it only once it has really loaded (not
/// a failure, not Amazon's 1×1 placeholder), so the layout never shifts and a dead link never
/// shows a broken-image icon.
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
    let image = NodeRef::<leptos::html::Img>::new();
    // An image can finish loading before the wasm hydrates and misses `load`: look once mounted.
    // The class is set on the element itself rather than through a signal: a page renders
    // dozens of covers, and the server would build a signal and a reactive class for each.
    Effect::new(move |_| {
        if let Some(img) = image.get() {
            if img.complete() {
                show_if_real(&img);
            }
        }
    });
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
                            node_ref=image
                            src=src
                            alt=""
                            loading="lazy"
                            decoding="async"
                            on:load=move |ev| {
                                show_if_real(&event_target::<web_sys::HtmlImageElement>(&ev));
                            }
                        />
                    }
                })}
        </div>
    }
}

/// Fade a loaded image in if it is a real cover: Amazon answers missing covers with a 1×1 GIF,
/// which stays hidden over the generated cover.
fn show_if_real(img: &web_sys::HtmlImageElement) {
    if img.natural_width() > 1 {
        // Adding a class cannot fail on a live element; there is nothing to do if it did.
        let _ = img.class_list().add_1("loaded");
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
