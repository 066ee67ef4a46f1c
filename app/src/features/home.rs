//! The start page: what the service is for and who uses it.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::domain::roles::Role;
use crate::error::AppError;
use crate::features::children::{ChildrenList, my_children};
use crate::ui::countdown::{Countdown, PageCalendars};

#[component]
pub fn HomePage() -> impl IntoView {
    let children = Resource::new(|| (), |_| my_children());
    view! {
        <Transition fallback=Introduction>
            {move || {
                children
                    .get()
                    .map(|answer| match answer {
                        Ok(list) => view! { <YourChildren list /> }.into_any(),
                        Err(AppError::SecondFactorRequired) => {
                            view! {
                                <div class="notification" role="region" aria-labelledby="finish-sign-in">
                                    <h2 class="notification__title" id="finish-sign-in">
                                        "Finish signing in"
                                    </h2>
                                    <p class="body">
                                        <a href="/second-factor">"Enter the code from your authenticator app"</a>
                                        " to see your children's records."
                                    </p>
                                </div>
                                <Introduction />
                            }
                                .into_any()
                        }
                        Err(_) => view! { <Introduction /> }.into_any(),
                    })
            }}
        </Transition>
    }
}

/// The children the signed-in person works with, named as each role calls them: a designated
/// teacher's pupils, a social worker's caseload, a carer's child.
#[component]
fn YourChildren(list: ChildrenList) -> impl IntoView {
    let ChildrenList {
        role,
        children,
        calendars,
    } = list;
    let calendars = PageCalendars::new(calendars);
    let count = children.len();
    let heading = match (role, count) {
        (Role::DesignatedTeacher, _) => "My pupils",
        (Role::SocialWorker, _) => "My caseload",
        (Role::Carer, 1) => "My child",
        (Role::Carer, _) => "My children",
        (Role::YoungPerson, _) => "My PEP",
        _ => "Your children",
    };
    view! {
        <Title text=heading />
        <h1 class="heading-xl">{heading}</h1>
        {role
            .is_virtual_school()
            .then(|| {
                view! {
                    <p class="body">
                        <a href="/dashboard">"Every child's PEP, with filters"</a>
                    </p>
                }
            })}
        <p class="body">
            {match count {
                0 => "You are not assigned to any child at the moment.".to_string(),
                1 => "You work with 1 child.".to_string(),
                n => format!("You work with {n} children, the next PEP due first."),
            }}
        </p>
        <ul class="list child-list">
            {children
                .into_iter()
                .map(|child| {
                    view! {
                        <li class="child-list__item">
                            <a href=format!("/children/{}", child.id) class="child-list__name">
                                {child.name}
                            </a>
                            {child.school.map(|school| format!(", {school}"))}
                            {child
                                .next_pep
                                .map(|pep| {
                                    view! {
                                        <p class="hint child-list__pep">
                                            {format!("{} ({})", pep.title, pep.state)}
                                        </p>
                                        <Countdown data=pep.countdown calendars=calendars.clone() />
                                    }
                                })}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

#[component]
fn Introduction() -> impl IntoView {
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
