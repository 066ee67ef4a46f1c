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

/// The problems a `domain` check found in the browser, each on its field (the same check the
/// server makes, so the person hears before sending).
pub fn problems_on_fields(problems: Vec<(&'static str, String)>) -> Vec<FieldError> {
    problems
        .into_iter()
        .map(|(field, message)| FieldError::new(field, message))
        .collect()
}

/// The server's answer as messages on fields: each `Invalid` problem goes to the field it names if
/// that is one of `fields`, otherwise to the first of them, as does any other error.
pub fn field_errors(error: crate::error::AppError, fields: &[&'static str]) -> Vec<FieldError> {
    let first = fields.first().copied().unwrap_or("main-content");
    let field_for = |name: &str| fields.iter().copied().find(|f| *f == name).unwrap_or(first);
    match error {
        crate::error::AppError::Invalid(problems) => problems
            .into_iter()
            .map(|(field, message)| FieldError::new(field_for(&field), message))
            .collect(),
        other => vec![FieldError::new(first, other.to_string())],
    }
}

/// The error text under a field's label ("Error: …" for screen readers), when there is one.
#[component]
pub fn ErrorMessage(id: String, #[prop(into)] error: Signal<Option<String>>) -> impl IntoView {
    move || {
        error.get().map(|message| {
            view! {
                <p class="error-message" id=id.clone()>
                    <span class="visually-hidden">"Error: "</span>
                    {message}
                </p>
            }
        })
    }
}

/// A field's `aria-describedby`: its hint (`{id}-hint`) when it has one, and its error message
/// (`{id}-error`) while there is one, so screen readers read both with the field.
pub fn described_by(
    id: &str,
    has_hint: bool,
    error: Signal<Option<String>>,
) -> impl Fn() -> Option<String> + Clone + Send + Sync + 'static {
    let (hint_id, error_id) = (format!("{id}-hint"), format!("{id}-error"));
    move || {
        let ids: Vec<&str> = [
            has_hint.then_some(hint_id.as_str()),
            error.get().map(|_| error_id.as_str()),
        ]
        .into_iter()
        .flatten()
        .collect();
        (!ids.is_empty()).then(|| ids.join(" "))
    }
}

/// The message for one field, if it has one.
pub fn error_for(errors: &[FieldError], field_id: &str) -> Option<String> {
    errors
        .iter()
        .find(|e| e.field_id == field_id)
        .map(|e| e.message.clone())
}

/// Every message for one field, one a line (a file's problems, each with its line number), for a
/// field whose problems are all worth reading at once.
pub fn all_errors_for(errors: &[FieldError], field_id: &str) -> Option<String> {
    let all: Vec<&str> = errors
        .iter()
        .filter(|e| e.field_id == field_id)
        .map(|e| e.message.as_str())
        .collect();
    (!all.is_empty()).then(|| all.join("\n"))
}

/// `id` names the summary's title: a page with several forms gives each summary its own.
#[component]
pub fn ErrorSummary(
    errors: ReadSignal<Vec<FieldError>>,
    #[prop(default = "error-summary")] id: &'static str,
) -> impl IntoView {
    let title_id = format!("{id}-title");
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
                aria-labelledby=title_id.clone()
            >
                <h2 class="error-summary__title" id=title_id.clone()>
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
                                        <a
                                            href=format!("#{}", e.field_id)
                                            on:click=crate::ui::in_page_link::focus_in_page_target
                                        >
                                            {e.message}
                                        </a>
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AppError;

    #[test]
    fn server_problems_land_on_their_fields_and_anything_else_on_the_first() {
        let invalid = AppError::Invalid(vec![
            ("password".into(), "Too short".into()),
            ("token".into(), "Link expired".into()),
        ]);
        let errors = field_errors(invalid, &["email", "password"]);
        assert_eq!(errors[0], FieldError::new("password", "Too short"));
        assert_eq!(errors[1], FieldError::new("email", "Link expired"));
        let other = field_errors(AppError::WrongCredentials, &["email", "password"]);
        assert_eq!(
            other,
            vec![FieldError::new(
                "email",
                AppError::WrongCredentials.to_string()
            )]
        );
    }
}
