//! A select list with its label and error message (GOV.UK select pattern). The first option is
//! an empty "Choose…" so nothing is picked by accident.

use leptos::prelude::*;

use super::error_summary::ErrorMessage;

#[component]
pub fn Select(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    /// (value, text) pairs.
    options: Vec<(String, String)>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(default = "Choose…")] placeholder: &'static str,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let described_by = {
        let error_id = error_id.clone();
        move || error.get().map(|_| error_id.clone())
    };
    view! {
        <div class="form-group" class:form-group--error=move || error.get().is_some()>
            <label class="label" for=id>{label}</label>
            <ErrorMessage id=error_id.clone() error />
            <select
                class="select"
                class:input--error=move || error.get().is_some()
                id=id
                name=id
                aria-describedby=described_by
                on:change=move |ev| value.set(event_target_value(&ev))
            >
                <option value="" selected=move || value.get().is_empty()>{placeholder}</option>
                {options
                    .into_iter()
                    .map(|(option_value, text)| {
                        let selected = {
                            let option_value = option_value.clone();
                            move || value.get() == option_value
                        };
                        view! { <option value=option_value selected=selected>{text}</option> }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}
