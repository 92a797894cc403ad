//! The browser side: hydrate the server-rendered HTML so the page becomes interactive.

// The app's view types nest deeply; computing their layout for hydration needs more than the
// default 128 (the app crate raises its limit for the same reason).
#![recursion_limit = "512"]
#![warn(missing_docs)]

use wasm_bindgen::prelude::wasm_bindgen;

/// Called by the generated JS loader once the wasm is instantiated.
#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    // A flag for end-to-end tests (and curious readers): event handlers are attached now.
    if let Some(window) = web_sys::window() {
        let _ = js_sys::Reflect::set(
            &window,
            &"__shelfwiseHydrated".into(),
            &wasm_bindgen::JsValue::TRUE,
        );
    }
}
