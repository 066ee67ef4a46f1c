//! What the server said was wrong with one of the PEP page's small forms (a suspension, an
//! action): each problem under its field, and one alert saying nothing typed was lost.

use leptos::prelude::*;

use crate::error::AppError;

/// The problems of the last attempt, by field ("form" for one that belongs to no field).
#[derive(Clone, Copy)]
pub(crate) struct FormProblems(RwSignal<Vec<(String, String)>>);

impl FormProblems {
    pub(crate) fn new() -> FormProblems {
        FormProblems(RwSignal::new(Vec::new()))
    }

    /// The problem with `field`, if any.
    pub(crate) fn of(self, field: &'static str) -> impl Fn() -> Option<String> + Copy {
        move || {
            self.0.with(|all| {
                all.iter()
                    .find(|(f, _)| f == field)
                    .map(|(_, message)| message.clone())
            })
        }
    }

    /// The form group's class, marked while `field` has a problem.
    pub(crate) fn group_class(self, field: &'static str) -> impl Fn() -> &'static str + Copy {
        move || {
            if self.of(field)().is_some() {
                "form-group form-group--error"
            } else {
                "form-group"
            }
        }
    }

    pub(crate) fn clear(self) {
        self.0.set(Vec::new());
    }

    /// Shows why the server refused: by field for a 422, else one message for the form.
    pub(crate) fn refused(self, error: AppError) {
        self.0.set(match error {
            AppError::Invalid(found) => found,
            other => vec![("form".to_string(), other.to_string())],
        });
    }
}

/// "Not recorded yet: change the 2 parts marked above. Nothing you typed is lost."
#[component]
pub(crate) fn ProblemAlert(problems: FormProblems, not_done: &'static str) -> impl IntoView {
    let words = move || {
        problems.0.with(|all| {
            if let Some((_, message)) = all.iter().find(|(f, _)| f == "form") {
                return Some(message.clone());
            }
            let parts = match all.len() {
                0 => return None,
                1 => "the part".to_string(),
                n => format!("the {n} parts"),
            };
            Some(format!(
                "{not_done}: change {parts} marked above. Nothing you typed is lost."
            ))
        })
    };
    view! { <p class="error-message" role="alert">{words}</p> }
}
