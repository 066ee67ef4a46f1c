//! Register from an invitation: the code comes in the link (or is pasted), then name and password.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::Register;
use crate::domain::passwords::check_new_password;
use crate::ui::error_summary::{ErrorSummary, FieldError, error_for, field_errors};
use crate::ui::password_input::PasswordInput;
use crate::ui::text_input::TextInput;

#[component]
pub fn RegisterPage() -> impl IntoView {
    let query = use_query_map();
    let code = RwSignal::new(query.read_untracked().get("code").unwrap_or_default());
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let (errors, set_errors) = signal(Vec::<FieldError>::new());
    let register = ServerAction::<Register>::new();
    let code_error = Signal::derive(move || error_for(&errors.read(), "code"));
    let name_error = Signal::derive(move || error_for(&errors.read(), "display_name"));
    let password_error = Signal::derive(move || error_for(&errors.read(), "password"));

    Effect::new(move |_| match register.value().get() {
        Some(Ok(outcome)) => {
            let _ = window().location().set_href(&outcome.next);
        }
        Some(Err(error)) => {
            set_errors.set(field_errors(error, &["code", "display_name", "password"]))
        }
        None => {}
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut problems = Vec::new();
        if code.get().trim().is_empty() {
            problems.push(FieldError::new(
                "code",
                "Enter the invitation code from your email",
            ));
        }
        if name.get().trim().is_empty() {
            problems.push(FieldError::new("display_name", "Enter your name"));
        }
        problems.extend(
            check_new_password(&password.get(), &[&name.get()])
                .into_iter()
                .map(|message| FieldError::new("password", message)),
        );
        if problems.is_empty() {
            register.dispatch(Register {
                code: code.get(),
                display_name: name.get(),
                password: password.get(),
            });
        }
        set_errors.set(problems);
    };

    view! {
        <Title text="Register" />
        <div class="grid-row">
            <div class="grid-column-two-thirds">
                <ErrorSummary errors />
                <h1 class="heading-xl">"Register"</h1>
                <p class="body">
                    "You need the invitation email from your Virtual School or designated teacher. "
                    "Its link fills in the code for you."
                </p>
                <form method="post" action="/api/invitations/register" novalidate on:submit=on_submit>
                    <TextInput id="code" label="Invitation code" value=code error=code_error />
                    <TextInput
                        id="display_name"
                        label="Your full name"
                        value=name
                        error=name_error
                        autocomplete="name"
                    />
                    <p class="hint" id="password-hint">
                        "At least 8 characters; 15 or more is better. Three or four random words "
                        "make a strong password you can remember. Your password manager is welcome."
                    </p>
                    <PasswordInput
                        id="password"
                        label="Create a password"
                        value=password
                        error=password_error
                        autocomplete="new-password"
                    />
                    <button type="submit" class="button" disabled=move || register.pending().get()>
                        "Register"
                    </button>
                </form>
            </div>
        </div>
    }
}
