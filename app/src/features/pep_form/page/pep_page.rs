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
use crate::domain::ids::PepId;
use crate::features::pep_form::pep_form;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn PepPage() -> impl IntoView {
    let params = use_params_map();
    let form = Resource::new(
        move || PepId(params.read().get("id").unwrap_or_default()),
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
