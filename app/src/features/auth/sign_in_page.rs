//! The sign-in page. Signing in itself arrives with the identity and access issue; this page
//! already checks the form in the browser and keeps everything typed.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{SignInForm, check_sign_in_form};
use crate::ui::error_summary::{ErrorSummary, FieldError, error_for};
use crate::ui::password_input::PasswordInput;

#[component]
pub fn SignInPage() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let (errors, set_errors) = signal(Vec::<FieldError>::new());
    let (not_yet_available, set_not_yet_available) = signal(false);
    let email_error = Signal::derive(move || error_for(&errors.read(), "email"));
    let password_error = Signal::derive(move || error_for(&errors.read(), "password"));

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = SignInForm {
            email: email.get(),
            password: password.get(),
        };
        let problems = check_sign_in_form(&form);
        set_not_yet_available.set(problems.is_empty());
        set_errors.set(problems);
    };

    view! {
        <Title text=move || {
            if errors.read().is_empty() { "Sign in".to_string() } else { "Error: Sign in".to_string() }
        } />
        <div class="grid-row">
            <div class="grid-column-two-thirds">
                <ErrorSummary errors />
                <h1 class="heading-xl">"Sign in"</h1>
                <form method="post" action="/sign-in" novalidate on:submit=on_submit>
                    <div class="form-group" class:form-group--error=move || email_error.get().is_some()>
                        <label class="label" for="email">"Email address"</label>
                        {move || {
                            email_error
                                .get()
                                .map(|message| {
                                    view! {
                                        <p class="error-message" id="email-error">
                                            <span class="visually-hidden">"Error: "</span>
                                            {message}
                                        </p>
                                    }
                                })
                        }}
                        <input
                            class="input"
                            class:input--error=move || email_error.get().is_some()
                            id="email"
                            name="email"
                            type="email"
                            autocomplete="username"
                            spellcheck="false"
                            autocapitalize="none"
                            aria-describedby=move || email_error.get().map(|_| "email-error")
                            prop:value=move || email.get()
                            on:input=move |ev| email.set(event_target_value(&ev))
                        />
                    </div>
                    <PasswordInput
                        id="password"
                        label="Password"
                        value=password
                        error=password_error
                        autocomplete="current-password"
                    />
                    <button type="submit" class="button">"Sign in"</button>
                </form>
                <Show when=move || not_yet_available.get()>
                    <div class="notification" role="status">
                        <h2 class="notification__title">"Signing in is not switched on yet"</h2>
                        <p class="body">
                            "This build has the sign-in page only. What you typed is still in the form."
                        </p>
                    </div>
                </Show>
                <h2 class="heading-m">"New to ePEP?"</h2>
                <p class="body">
                    "You need an invitation from your Virtual School. It arrives by email with a "
                    "link to register."
                </p>
            </div>
        </div>
    }
}
