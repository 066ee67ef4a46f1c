//! `/peps/:id`: the task list, then each section the person may read, their own ones editable.
//!
//! Free text is shared: each keystroke goes as an edit and merges with everyone else's
//! (`shared_text_part`). A short value (a count, a date) saves itself shortly after the person
//! stops typing and when they leave it, and a value someone else saved first is shown beside
//! theirs to choose from (`saver`). Either way, what they typed lives in the page's memory until
//! the server has it: a failed send says "not saved yet" and goes again (at once when the
//! connection returns), an ended session says so and keeps trying once they sign in again in
//! another tab. Nothing typed is ever thrown away.

use super::form_part::Form;
use crate::domain::pep::PepState;
use crate::features::pep_form::{PepForm, pep_form};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn PepPage() -> impl IntoView {
    let params = use_params_map();
    let form = Resource::new(
        move || params.read().get("id").unwrap_or_default(),
        pep_form,
    );
    view! {
        <Transition fallback=|| view! { <p class="body">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match form.await {
                    Ok(form) => view! { <Form form /> }.into_any(),
                    Err(error) => {
                        let message = error.why_not_shown("this PEP");
                        view! {
                            <Title text="Personal Education Plan" />
                            <h1 class="heading-xl">"Personal Education Plan"</h1>
                            <p class="body">{message}</p>
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// The PEP as last read again after someone else changed one of its parts (`None` until then):
/// each part merges its own piece into what is on screen.
#[derive(Clone, Copy)]
pub(crate) struct FreshForm(pub RwSignal<Option<PepForm>>);

impl FreshForm {
    /// Runs `merge` with each fresh reading of one piece of the form.
    pub(crate) fn each<T: 'static>(
        pick: impl Fn(&PepForm) -> Option<T> + 'static,
        merge: impl Fn(T) + 'static,
    ) {
        if let Some(FreshForm(fresh)) = use_context::<FreshForm>() {
            Effect::new(move |_| {
                if let Some(piece) = fresh.with(|form| form.as_ref().and_then(&pick)) {
                    merge(piece);
                }
            });
        }
    }
}

/// Reads from the server one at a time: asked again while a read is on its way, it reads once
/// more after it (never two at once, never a change missed).
#[derive(Clone, Copy)]
pub(crate) struct OneReadAtATime {
    /// (a read is on its way, another is wanted after it)
    state: StoredValue<(bool, bool)>,
}

impl OneReadAtATime {
    pub(crate) fn new() -> Self {
        OneReadAtATime {
            state: StoredValue::new((false, false)),
        }
    }

    pub(crate) fn run<F, R>(self, read: F)
    where
        F: Fn() -> R + 'static,
        R: std::future::Future<Output = ()> + 'static,
    {
        if self.state.get_value().0 {
            self.state.set_value((true, true));
            return;
        }
        self.state.set_value((true, false));
        leptos::task::spawn_local(async move {
            loop {
                read().await;
                if !self.state.get_value().1 {
                    break;
                }
                self.state.set_value((true, false));
            }
            self.state.set_value((false, false));
        });
    }
}

/// A word on a PEP nobody can change, while it is so.
pub(crate) fn state_note(state: PepState) -> Option<&'static str> {
    match state {
        PepState::Approved => {
            Some("This PEP is approved: it is kept as it was and nobody can change it.")
        }
        PepState::Submitted => Some(
            "This PEP is with the Virtual School for quality assurance: nobody can change it until it is approved or returned.",
        ),
        _ => None,
    }
}
