//! The pages for the second factor: enter a code after the password, or set up an app first.

use leptos::prelude::*;
use leptos_meta::Title;

use super::second_factor::{ConfirmSecondFactor, VerifySecondFactor, second_factor_setup};
use crate::ui::error_summary::{ErrorSummary, FieldError, error_for, field_errors};
use crate::ui::text_input::TextInput;

#[component]
fn CodeField(
    value: RwSignal<String>,
    errors: ReadSignal<Vec<FieldError>>,
    /// Recovery codes exist only once the app is set up: the set-up page does not offer them.
    #[prop(optional)]
    setting_up: bool,
) -> impl IntoView {
    let hint = if setting_up {
        "The 6-digit code your authenticator app shows now."
    } else {
        "The 6-digit code your authenticator app shows now, or one of your recovery codes."
    };
    view! {
        <TextInput
            id="code"
            label="Code"
            value
            error=Signal::derive(move || error_for(&errors.read(), "code"))
            hint=hint
            autocomplete="one-time-code"
            inputmode="numeric"
            width="input--width-10"
        />
    }
}

/// After the password: enter a code.
#[component]
pub fn SecondFactorPage() -> impl IntoView {
    let code = RwSignal::new(String::new());
    let (errors, set_errors) = signal(Vec::<FieldError>::new());
    let verify = ServerAction::<VerifySecondFactor>::new();
    Effect::new(move |_| match verify.value().get() {
        Some(Ok(())) => {
            let _ = window().location().set_href("/");
        }
        Some(Err(error)) => set_errors.set(field_errors(error, &["code"])),
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Some(code) = code_or_error(
            code,
            set_errors,
            "Enter the code from your authenticator app",
        ) {
            verify.dispatch(VerifySecondFactor { code });
        }
    };
    view! {
        <Title text="Enter your code" />
        <div class="grid-row">
            <div class="grid-column-two-thirds">
                <ErrorSummary errors />
                <h1 class="heading-xl">"Enter your code"</h1>
                <p class="body">
                    "To keep children's records safe, professionals confirm each sign-in with a code "
                    "from an authenticator app."
                </p>
                <form method="post" action="/api/auth/verify_second_factor" novalidate on:submit=on_submit>
                    <CodeField value=code errors />
                    <button type="submit" class="button" disabled=move || verify.pending().get()>
                        "Continue"
                    </button>
                </form>
            </div>
        </div>
    }
}

/// The typed code, or (when empty) `empty_message` on the code field; clears old errors.
fn code_or_error(
    code: RwSignal<String>,
    set_errors: WriteSignal<Vec<FieldError>>,
    empty_message: &str,
) -> Option<String> {
    let typed = code.get();
    if typed.trim().is_empty() {
        set_errors.set(vec![FieldError::new("code", empty_message)]);
        None
    } else {
        set_errors.set(Vec::new());
        Some(typed)
    }
}

/// First sign-in of a professional: set up an authenticator app.
#[component]
pub fn SecondFactorSetupPage() -> impl IntoView {
    let details = Resource::new(|| (), |_| second_factor_setup());
    let code = RwSignal::new(String::new());
    let (errors, set_errors) = signal(Vec::<FieldError>::new());
    let confirm = ServerAction::<ConfirmSecondFactor>::new();
    let recovery_codes = RwSignal::new(None::<Vec<String>>);
    Effect::new(move |_| match confirm.value().get() {
        Some(Ok(codes)) => recovery_codes.set(Some(codes)),
        Some(Err(error)) => set_errors.set(field_errors(error, &["code"])),
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Some(code) = code_or_error(code, set_errors, "Enter the code your app shows") {
            confirm.dispatch(ConfirmSecondFactor { code });
        }
    };
    view! {
        <Title text="Set up your authenticator app" />
        <div class="grid-row">
            <div class="grid-column-two-thirds">
                <ErrorSummary errors />
                <Show
                    when=move || recovery_codes.get().is_none()
                    fallback=move || {
                        view! {
                            <h1 class="heading-xl">"Save your recovery codes"</h1>
                            <p class="body">
                                "If you lose your phone, each of these codes signs you in once. "
                                "Keep them somewhere safe. They are not shown again."
                            </p>
                            <ul class="list recovery-codes">
                                {move || {
                                    recovery_codes
                                        .get()
                                        .unwrap_or_default()
                                        .into_iter()
                                        .map(|c| view! { <li><code>{c}</code></li> })
                                        .collect_view()
                                }}
                            </ul>
                            <a href="/" class="button">"Continue"</a>
                        }
                    }
                >
                    <h1 class="heading-xl">"Set up your authenticator app"</h1>
                    <p class="body">
                        "Professionals confirm each sign-in with a code from an authenticator app on "
                        "their phone, such as Microsoft Authenticator or Google Authenticator."
                    </p>
                    <Transition fallback=|| view! { <p class="body">"Preparing your QR code…"</p> }>
                        {move || {
                            details
                                .get()
                                .map(|answer| match answer {
                                    Ok(details) => {
                                        view! {
                                            <h2 class="heading-m">"1. Scan this QR code with the app"</h2>
                                            // generated markup: the server draws this SVG from the key (totp.rs), nothing typed is in it
                                            <div class="qr-code" role="img" aria-label="QR code for your authenticator app" inner_html=details.qr_svg></div>
                                            <p class="body">
                                                "Cannot scan it? Type this key into the app instead: "
                                                <code class="secret-key">{details.key_for_typing}</code>
                                            </p>
                                        }
                                            .into_any()
                                    }
                                    Err(error) => {
                                        view! { <p class="body">{error.to_string()}</p> }.into_any()
                                    }
                                })
                        }}
                    </Transition>
                    <h2 class="heading-m">"2. Enter the code the app shows"</h2>
                    <form method="post" action="/api/auth/confirm_second_factor" novalidate on:submit=on_submit>
                        <CodeField value=code errors setting_up=true />
                        <button type="submit" class="button" disabled=move || confirm.pending().get()>
                            "Confirm"
                        </button>
                    </form>
                </Show>
            </div>
        </div>
    }
}
