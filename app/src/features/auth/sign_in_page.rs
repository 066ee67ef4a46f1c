//! The sign-in page: checks the form in the browser, signs in through the `sign_in` server
//! function, and keeps everything typed when something is wrong.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{SignIn, SignInForm, check_sign_in_form};
use crate::ui::error_summary::{ErrorSummary, FieldError, error_for, field_errors};
use crate::ui::password_input::PasswordInput;
use crate::ui::text_input::TextInput;

#[component]
pub fn SignInPage() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let (errors, set_errors) = signal(Vec::<FieldError>::new());
    let sign_in = ServerAction::<SignIn>::new();
    let email_error = Signal::derive(move || error_for(&errors.read(), "email"));
    let password_error = Signal::derive(move || error_for(&errors.read(), "password"));

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = SignInForm {
            email: email.get(),
            password: password.get(),
        };
        let problems = check_sign_in_form(&form);
        if problems.is_empty() {
            sign_in.dispatch(SignIn {
                email: form.email,
                password: form.password,
            });
        }
        set_errors.set(problems);
    };

    // The server's answer: a new page on success (the header, cookie and menus change), or the
    // error in the summary with everything typed still in place.
    Effect::new(move |_| match sign_in.value().get() {
        Some(Ok(outcome)) => {
            let _ = window().location().set_href(&outcome.next);
        }
        Some(Err(error)) => set_errors.set(field_errors(error, &["email", "password"])),
        None => {}
    });

    view! {
        <Title text=move || {
            if errors.read().is_empty() { "Sign in".to_string() } else { "Error: Sign in".to_string() }
        } />
        <div class="grid-row">
            <div class="grid-column-two-thirds">
                <ErrorSummary errors />
                <h1 class="heading-xl">"Sign in"</h1>
                <form method="post" action="/api/auth/sign_in" novalidate on:submit=on_submit>
                    <TextInput
                        id="email"
                        label="Email address"
                        value=email
                        error=email_error
                        input_type="email"
                        autocomplete="username"
                    />
                    <PasswordInput
                        id="password"
                        label="Password"
                        value=password
                        error=password_error
                        autocomplete="current-password"
                    />
                    <button type="submit" class="button" disabled=move || sign_in.pending().get()>
                        "Sign in"
                    </button>
                </form>
                <p class="body">
                    <a href="/forgot-password">"Forgotten your password?"</a>
                </p>
                <h2 class="heading-m">"New to ePEP?"</h2>
                <p class="body">
                    "You need an invitation from your Virtual School. It arrives by email with a "
                    "link to register."
                </p>
                <a href="/register" class="button button--register">"Register"</a>
            </div>
        </div>
    }
}
