//! A multi-line field with its label, hint and error message tied together for screen readers,
//! as the GOV.UK textarea pattern; and a file chooser that reads a small text file into one.

use leptos::prelude::*;

use super::error_summary::{ErrorMessage, described_by};

#[component]
pub fn TextArea(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(default = 6)] rows: u32,
    /// Runs after each keystroke's change (a preview that no longer matches, say).
    #[prop(optional)]
    on_edit: Option<Callback<()>>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = described_by(id, hint.is_some(), error);
    view! {
        <div class="form-group" class:form-group--error=move || error.get().is_some()>
            <label class="label" for=id>{label}</label>
            {hint.map(|hint| view! { <p class="hint" id=hint_id.clone()>{hint}</p> })}
            <ErrorMessage id=error_id.clone() error />
            <textarea
                class="textarea"
                id=id
                name=id
                rows=rows
                spellcheck="false"
                aria-describedby=described_by
                prop:value=move || value.get()
                on:input=move |ev| {
                    value.set(event_target_value(&ev));
                    if let Some(on_edit) = on_edit {
                        on_edit.run(());
                    }
                }
            />
        </div>
    }
}

/// Chooses a text file of at most `largest_kb` and puts its text into `text` (in the browser),
/// to be checked before anything is done with it.
#[component]
pub fn FileChooser(
    id: &'static str,
    label: &'static str,
    hint: &'static str,
    accept: &'static str,
    largest_kb: u32,
    text: RwSignal<String>,
    /// Runs when a file is chosen.
    #[prop(optional)]
    on_chosen: Option<Callback<()>>,
) -> impl IntoView {
    let file_error = RwSignal::new(None::<String>);
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = described_by(id, true, file_error.into());
    view! {
        <div class="form-group" class:form-group--error=move || file_error.get().is_some()>
            <label class="label" for=id>{label}</label>
            <p class="hint" id=hint_id.clone()>{hint}</p>
            <ErrorMessage id=error_id.clone() error=file_error />
            <input
                type="file"
                id=id
                class="file-upload"
                accept=accept
                aria-describedby=described_by
                on:change=move |ev| {
                    if let Some(on_chosen) = on_chosen {
                        on_chosen.run(());
                    }
                    read_chosen_file(ev, text, file_error, largest_kb);
                }
            />
        </div>
    }
}

/// Reads the chosen file's text into `text` if it is at most `largest_kb` (the server refuses
/// more too); `file_error` says why not.
#[cfg(feature = "hydrate")]
fn read_chosen_file(
    ev: leptos::ev::Event,
    text: RwSignal<String>,
    file_error: RwSignal<Option<String>>,
    largest_kb: u32,
) {
    use wasm_bindgen::JsCast;
    let file = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .and_then(|input| input.files())
        .and_then(|files| files.get(0));
    let Some(file) = file else {
        return;
    };
    if file.size() > f64::from(largest_kb) * 1024.0 {
        file_error.set(Some(format!(
            "“{}” is larger than {largest_kb} KB: check it is the right file",
            file.name()
        )));
        return;
    }
    file_error.set(None);
    leptos::task::spawn_local(async move {
        match wasm_bindgen_futures::JsFuture::from(file.text()).await {
            Ok(value) => text.set(value.as_string().unwrap_or_default()),
            Err(_) => file_error.set(Some(format!(
                "“{}” could not be read: choose it again, or paste its text below",
                file.name()
            ))),
        }
    });
}

/// Files are only read in the browser.
#[cfg(not(feature = "hydrate"))]
fn read_chosen_file(
    _ev: leptos::ev::Event,
    _text: RwSignal<String>,
    _file_error: RwSignal<Option<String>>,
    _largest_kb: u32,
) {
}
