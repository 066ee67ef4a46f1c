//! The error summary: lists every problem at the top of the page, each linking to its field, and
//! takes focus when it appears so screen reader users hear it.

use leptos::html;
use leptos::prelude::*;

/// One problem with one field: `field_id` is the id of the input the link moves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field_id: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field_id: &'static str, message: impl Into<String>) -> Self {
        FieldError {
            field_id,
            message: message.into(),
        }
    }
}

/// The message for one field, if it has one.
pub fn error_for(errors: &[FieldError], field_id: &str) -> Option<String> {
    errors
        .iter()
        .find(|e| e.field_id == field_id)
        .map(|e| e.message.clone())
}

#[component]
pub fn ErrorSummary(errors: ReadSignal<Vec<FieldError>>) -> impl IntoView {
    let summary = NodeRef::<html::Div>::new();
    Effect::new(move |_| {
        if !errors.read().is_empty()
            && let Some(el) = summary.get()
        {
            let _ = el.focus();
        }
    });
    view! {
        <Show when=move || !errors.read().is_empty()>
            <div
                class="error-summary"
                node_ref=summary
                tabindex="-1"
                role="alert"
                aria-labelledby="error-summary-title"
            >
                <h2 class="error-summary__title" id="error-summary-title">
                    "There is a problem"
                </h2>
                <ul class="error-summary__list">
                    {move || {
                        errors
                            .get()
                            .into_iter()
                            .map(|e| {
                                view! {
                                    <li>
                                        <a href=format!("#{}", e.field_id)>{e.message}</a>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </div>
        </Show>
    }
}
