//! The start page: what the service is for and who uses it.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text="Personal Education Plans for children in care" />
        <h1 class="heading-xl">"Personal Education Plans for children in care"</h1>
        <p class="lead">
            "Write a child's Personal Education Plan (PEP) together: the Virtual School, the "
            "designated teacher, the social worker, the carer and the young person, in the same "
            "plan at the same time, on a phone or a computer."
        </p>
        <a href="/sign-in" class="button button--start" role="button" draggable="false">
            "Sign in"
            <svg class="button__start-icon" xmlns="http://www.w3.org/2000/svg" width="17.5"
                height="19" viewBox="0 0 33 40" aria-hidden="true" focusable="false">
                <path fill="currentColor" d="M0 0h13l20 20-20 20H0l20-20z" />
            </svg>
        </a>
        <h2 class="heading-l">"Use this service to"</h2>
        <ul class="list list--bullet">
            <li>"see the PEPs that are due for the children you work with, counted in school days"</li>
            <li>"add your contribution before the PEP meeting"</li>
            <li>"write the plan during the meeting, seeing what others type as they type it"</li>
            <li>"set SMART targets that are checked as you write them"</li>
            <li>"submit the PEP to the Virtual School and follow its quality assurance"</li>
        </ul>
        <h2 class="heading-l">"Before you start"</h2>
        <p class="body">
            "You need an invitation from your Virtual School or, for school staff, from your "
            "designated teacher. Everyone sees only the children they are assigned to."
        </p>
    }
}
