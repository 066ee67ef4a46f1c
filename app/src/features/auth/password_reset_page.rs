//! The two pages of a password reset: ask for a link, then choose a new password.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::password_reset::{RequestPasswordReset, ResetPassword};
use crate::domain::passwords::check_new_password;
use crate::ui::error_summary::{ErrorSummary, FieldError, error_for, field_errors};
use crate::ui::password_input::PasswordInput;
use crate::ui::text_input::TextInput;

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let (errors, set_errors) = signal(Vec::<FieldError>::new());
    let request = ServerAction::<RequestPasswordReset>::new();
    let sent = RwSignal::new(false);
    Effect::new(move |_| match request.value().get() {
        Some(Ok(())) => sent.set(true),
        Some(Err(error)) => set_errors.set(field_errors(error, &["email"])),
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if email.get().trim().is_empty() {
            set_errors.set(vec![FieldError::new("email", "Enter your email address")]);
        } else {
            set_errors.set(Vec::new());
            request.dispatch(RequestPasswordReset { email: email.get() });
        }
    };
    view! {
        <Title text="Reset your password" />
        <div class="grid-row">
            <div class="grid-column-two-thirds">
                <ErrorSummary errors />
                <h1 class="heading-xl">"Reset your password"</h1>
                <Show
                    when=move || !sent.get()
                    fallback=move || {
                        view! {
                            <div class="notification" role="status">
                                <h2 class="notification__title">"Check your email"</h2>
                                <p class="body">
                                    "If " <strong>{email.get()}</strong>
                                    " has an ePEP account, we have sent it a link to choose a new "
                                    "password. The link works once, for one hour."
                                </p>
                            </div>
                        }
                    }
                >
                    <form method="post" action="/api/auth/request_password_reset" novalidate on:submit=on_submit>
                        <TextInput
                            id="email"
                            label="Email address"
                            value=email
                            error=Signal::derive(move || error_for(&errors.read(), "email"))
                            input_type="email"
                            autocomplete="username"
                        />
                        <button type="submit" class="button" disabled=move || request.pending().get()>
                            "Send me a link"
                        </button>
                    </form>
                </Show>
            </div>
        </div>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let query = use_query_map();
    let token = query.read_untracked().get("token").unwrap_or_default();
    let password = RwSignal::new(String::new());
    let (errors, set_errors) = signal(Vec::<FieldError>::new());
    let reset = ServerAction::<ResetPassword>::new();
    let done = RwSignal::new(false);
    Effect::new(move |_| match reset.value().get() {
        Some(Ok(())) => done.set(true),
        Some(Err(error)) => set_errors.set(field_errors(error, &["password"])),
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let problems: Vec<FieldError> = check_new_password(&password.get(), &[])
            .into_iter()
            .map(|message| FieldError::new("password", message))
            .collect();
        if problems.is_empty() {
            reset.dispatch(ResetPassword {
                token: token.clone(),
                password: password.get(),
            });
        }
        set_errors.set(problems);
    };
    view! {
        <Title text="Choose a new password" />
        <div class="grid-row">
            <div class="grid-column-two-thirds">
                <ErrorSummary errors />
                <Show
                    when=move || !done.get()
                    fallback=|| {
                        view! {
                            <h1 class="heading-xl">"Your password has been changed"</h1>
                            <p class="body">
                                "You have been signed out everywhere. Sign in with your new password "
                                "(and your authenticator code, if you use one)."
                            </p>
                            <a href="/sign-in" class="button">"Sign in"</a>
                        }
                    }
                >
                    <h1 class="heading-xl">"Choose a new password"</h1>
                    <p class="hint">
                        "At least 8 characters; 15 or more is better. Three or four random words "
                        "make a strong password you can remember."
                    </p>
                    <form method="post" action="/api/auth/reset_password" novalidate on:submit=on_submit.clone()>
                        <PasswordInput
                            id="password"
                            label="New password"
                            value=password
                            error=Signal::derive(move || error_for(&errors.read(), "password"))
                            autocomplete="new-password"
                        />
                        <button type="submit" class="button" disabled=move || reset.pending().get()>
                            "Change password"
                        </button>
                    </form>
                </Show>
            </div>
        </div>
    }
}
