//! Sign up and log in.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::functions::accounts::{Login, Signup};
use crate::providers::reload_to;

/// `/signup`: create an account; an anonymous reader's ratings come along.
#[component]
pub fn SignupPage() -> impl IntoView {
    let action = ServerAction::<Signup>::new();
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            reload_to("/");
        }
    });
    view! {
        <Title text="Sign up" />
        <section class="page narrow">
            <h1>"Create your account"</h1>
            <p class="lede">
                "Keep your ratings and shelves on every device. Anything you rated before signing up comes with you."
            </p>
            <ActionForm action attr:class="stack-form" attr:data-testid="signup-form">
                <label>
                    "Username"
                    <input name="username" autocomplete="username" required minlength="3" maxlength="32"
                        pattern="[A-Za-z0-9_.\\-]{3,32}" title="3 to 32 letters, digits, _ . -" />
                </label>
                <label>
                    "Password"
                    <input type="password" name="password" autocomplete="new-password" required minlength="8" maxlength="128" />
                    <small>"At least 8 characters. Long and memorable beats short and clever."</small>
                </label>
                <button type="submit" disabled=move || action.pending().get()>"Sign up"</button>
                <FormError error=failure(action.value()) />
            </ActionForm>
            <p>"Already have an account? " <a href="/login">"Log in"</a></p>
        </section>
    }
}

/// `/login`.
#[component]
pub fn LoginPage() -> impl IntoView {
    let action = ServerAction::<Login>::new();
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            reload_to("/");
        }
    });
    view! {
        <Title text="Log in" />
        <section class="page narrow">
            <h1>"Log in"</h1>
            <ActionForm action attr:class="stack-form" attr:data-testid="login-form">
                <label>
                    "Username"
                    <input name="username" autocomplete="username" required maxlength="32" />
                </label>
                <label>
                    "Password"
                    <input type="password" name="password" autocomplete="current-password" required maxlength="128" />
                </label>
                <button type="submit" disabled=move || action.pending().get()>"Log in"</button>
                <FormError error=failure(action.value()) />
            </ActionForm>
            <p>"New here? " <a href="/signup">"Create an account"</a></p>
        </section>
    }
}

/// The error of a form's last submission, if it failed.
#[component]
pub fn FormError(
    /// The message, when there is one.
    #[prop(into)]
    error: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <p class="form-error" role="alert" aria-live="polite">
            {move || error.get()}
        </p>
    }
}

/// The message of an action's failed result, as a signal for [`FormError`].
pub fn failure<T: Send + Sync + 'static>(
    value: MappedSignal<Option<Result<T, crate::error::AppError>>>,
) -> Signal<Option<String>> {
    Signal::derive(move || {
        value.with(|v| match v {
            Some(Err(e)) => Some(e.to_string()),
            _ => None,
        })
    })
}
