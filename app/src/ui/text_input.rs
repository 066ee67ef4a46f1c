//! A text field with its label, optional hint and error message, tied together for screen readers
//! (`aria-describedby`), as in the GOV.UK text input pattern.

use leptos::prelude::*;

use super::error_summary::{ErrorMessage, described_by};

#[component]
pub fn TextInput(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] inputmode: Option<&'static str>,
    /// Extra class for a narrower field, such as `input--width-10` for codes.
    #[prop(optional)]
    width: Option<&'static str>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = described_by(id, hint.is_some(), error);
    let class = match width {
        Some(width) => format!("input {width}"),
        None => "input".to_string(),
    };
    view! {
        <div class="form-group" class:form-group--error=move || error.get().is_some()>
            <label class="label" for=id>{label}</label>
            {hint.map(|hint| view! { <p class="hint" id=hint_id.clone()>{hint}</p> })}
            <ErrorMessage id=error_id.clone() error />
            <input
                class=class
                class:input--error=move || error.get().is_some()
                id=id
                name=id
                type=input_type
                autocomplete=autocomplete
                inputmode=inputmode
                spellcheck="false"
                aria-describedby=described_by
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </div>
    }
}
