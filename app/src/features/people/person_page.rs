//! One person: their details, role and status, and the children they are assigned to.

use crate::domain::ids::ChildId;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::ui::notice::SuccessNotice;

use crate::ui::table::ScrollingTable;
use leptos_router::hooks::use_params_map;

use super::people_page::{AdminAccessProblem, AdminNav, RoleAndSchool, capitalised};
use super::{
    AssignChild, AssignmentRow, ChangeRole, EndAssignment, PersonDetail, SetPersonActive,
    assignment_relationship, get_person,
};
use crate::domain::roles::Role;
use crate::ui::error_summary::{ErrorSummary, FieldError, error_for, field_errors};
use crate::ui::select::Select;
use crate::ui::text_input::TextInput;

/// The actions on this page, shared by its parts so any of them reloads the person.
#[derive(Clone, Copy)]
struct PersonActions {
    change_role: ServerAction<ChangeRole>,
    set_active: ServerAction<SetPersonActive>,
    assign: ServerAction<AssignChild>,
    end: ServerAction<EndAssignment>,
    errors: WriteSignal<Vec<FieldError>>,
}

#[component]
pub fn PersonPage() -> impl IntoView {
    let params = use_params_map();
    let user_id = move || params.read().get("id").unwrap_or_default();
    let (errors, set_errors) = signal(Vec::<FieldError>::new());
    let (done, set_done) = signal(None::<String>);
    let actions = PersonActions {
        change_role: ServerAction::new(),
        set_active: ServerAction::new(),
        assign: ServerAction::new(),
        end: ServerAction::new(),
        errors: set_errors,
    };
    let person = Resource::new(
        move || {
            (
                user_id(),
                actions.change_role.version().get(),
                actions.set_active.version().get(),
                actions.assign.version().get(),
                actions.end.version().get(),
            )
        },
        |(id, ..)| get_person(id),
    );
    // Each action's answer: a message that it worked, or the problems on their fields.
    let fields = ["role", "school_id", "status", "child_id", "starts_on"];
    let report =
        move |answer: Option<Result<(), crate::error::AppError>>, message: &str| match answer {
            Some(Ok(())) => {
                set_errors.set(Vec::new());
                set_done.set(Some(message.to_string()));
            }
            Some(Err(error)) => {
                set_done.set(None);
                set_errors.set(field_errors(error, &fields));
            }
            None => {}
        };
    Effect::new(move |_| report(actions.change_role.value().get(), "Role changed."));
    Effect::new(move |_| report(actions.set_active.value().get(), "Status changed."));
    Effect::new(move |_| report(actions.assign.value().get(), "Assignment added."));
    Effect::new(move |_| report(actions.end.value().get(), "Assignment ended."));
    view! {
        <AdminNav current="/people" />
        <p class="body">
            <a href="/people">"Back to people"</a>
        </p>
        <ErrorSummary errors />
        <SuccessNotice message=done />
        <Transition fallback=|| view! { <p class="body">"Loading…"</p> }>
            {move || {
                person
                    .get()
                    .map(|answer| match answer {
                        Ok(detail) => view! { <Person detail actions errors /> }.into_any(),
                        Err(error) => {
                            view! {
                                <Title text="Person" />
                                <h1 class="heading-xl">"Person"</h1>
                                <AdminAccessProblem error />
                            }
                                .into_any()
                        }
                    })
            }}
        </Transition>
    }
}

#[component]
fn Person(
    detail: PersonDetail,
    actions: PersonActions,
    errors: ReadSignal<Vec<FieldError>>,
) -> impl IntoView {
    let PersonDetail {
        person,
        version,
        is_you,
        assignments,
        children,
        schools,
    } = detail;
    let role_text = format!(
        "{}{}",
        capitalised(person.role.label()),
        person
            .school
            .as_ref()
            .map(|s| format!(", {s}"))
            .unwrap_or_default()
    );
    let can_be_assigned = assignment_relationship(person.role).is_some();
    view! {
        <Title text=person.name.clone() />
        <h1 class="heading-xl">{person.name.clone()}</h1>
        <dl class="summary-list">
            <div class="summary-list__row">
                <dt class="summary-list__key">"Email"</dt>
                <dd class="summary-list__value">{person.email.clone()}</dd>
            </div>
            <div class="summary-list__row">
                <dt class="summary-list__key">"Role"</dt>
                <dd class="summary-list__value">{role_text}</dd>
            </div>
            <div class="summary-list__row">
                <dt class="summary-list__key">"Status"</dt>
                <dd class="summary-list__value">
                    {if person.active { "Active" } else { "Deactivated: cannot sign in" }}
                </dd>
            </div>
            <div class="summary-list__row">
                <dt class="summary-list__key">"Authenticator app"</dt>
                <dd class="summary-list__value">
                    {if person.second_factor_set_up { "Set up" } else { "Not set up" }}
                </dd>
            </div>
        </dl>
        {if is_you {
            view! {
                <p class="body">
                    "This is you. Another member of the Virtual School can change your role or "
                    "deactivate your account."
                </p>
            }
                .into_any()
        } else {
            view! {
                <RoleForm
                    user_id=person.id.clone()
                    role=person.role
                    school_id=person.school_id.clone()
                    version
                    schools
                    actions
                    errors
                />
                <StatusForm
                    user_id=person.id.clone()
                    name=person.name.clone()
                    active=person.active
                    version
                    actions
                    errors
                />
            }
                .into_any()
        }}
        <hr class="section-break" />
        <h2 class="heading-l">"Children"</h2>
        {match person.role {
            Role::VirtualSchoolHead => {
                view! { <p class="body">"The Virtual School head sees every child of the council."</p> }
                    .into_any()
            }
            Role::DesignatedTeacher => {
                view! {
                    <p class="body">
                        "A designated teacher works with the children in care on their school's roll."
                    </p>
                }
                    .into_any()
            }
            _ => view! { <Assignments assignments actions /> }.into_any(),
        }}
        {can_be_assigned
            .then(|| view! { <AssignForm user_id=person.id.clone() children actions errors /> })}
    }
}

#[component]
fn RoleForm(
    user_id: String,
    role: Role,
    school_id: Option<String>,
    version: i64,
    schools: Vec<super::Choice>,
    actions: PersonActions,
    errors: ReadSignal<Vec<FieldError>>,
) -> impl IntoView {
    let chosen_role = RwSignal::new(role.as_str().to_string());
    let chosen_school = RwSignal::new(school_id.unwrap_or_default());
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if chosen_role.get() == Role::DesignatedTeacher.as_str() && chosen_school.get().is_empty() {
            actions.errors.set(vec![FieldError::new(
                "school_id",
                "Choose the designated teacher's school",
            )]);
            return;
        }
        let Ok(role) = Role::parse(&chosen_role.get()) else {
            actions
                .errors
                .set(vec![FieldError::new("role", "Choose a role")]);
            return;
        };
        actions.change_role.dispatch(ChangeRole {
            user_id: user_id.clone(),
            role,
            school_id: Some(chosen_school.get()).filter(|s| !s.is_empty()),
            version,
        });
    };
    view! {
        <h2 class="heading-m">"Change role"</h2>
        <p class="hint">
            "They are signed out everywhere, and sign in again under the new role's rules."
        </p>
        <form novalidate on:submit=on_submit>
            <RoleAndSchool
                role_id="role"
                school_id="school_id"
                role=chosen_role
                school=chosen_school
                schools
                errors
            />
            <button
                type="submit"
                class="button button--secondary"
                disabled=move || actions.change_role.pending().get()
            >
                "Change role"
            </button>
        </form>
    }
}

/// Deactivate (asked twice, because it signs the person out at once) or reactivate.
#[component]
fn StatusForm(
    user_id: String,
    name: String,
    active: bool,
    version: i64,
    actions: PersonActions,
    errors: ReadSignal<Vec<FieldError>>,
) -> impl IntoView {
    let confirming = RwSignal::new(false);
    let change = move |to: bool| {
        actions.set_active.dispatch(SetPersonActive {
            user_id: user_id.clone(),
            active: to,
            version,
        });
    };
    let status_error = Signal::derive(move || error_for(&errors.read(), "status"));
    view! {
        <h2 class="heading-m" id="status">"Account"</h2>
        <crate::ui::error_summary::ErrorMessage id="status-error".to_string() error=status_error />
        {if active {
            view! {
                <Show
                    when=move || confirming.get()
                    fallback=move || {
                        view! {
                            <button
                                type="button"
                                class="button button--warning"
                                on:click=move |_| confirming.set(true)
                            >
                                "Deactivate"
                            </button>
                        }
                    }
                >
                    <div class="notification" role="group" aria-labelledby="confirm-deactivate">
                        <p class="body" id="confirm-deactivate">
                            <strong>{format!("Deactivate {name}?")}</strong>
                            " They are signed out everywhere at once and cannot sign in until "
                            "reactivated. Their assignments stay, for the record."
                        </p>
                        <button
                            type="button"
                            class="button button--warning"
                            on:click={
                                let change = change.clone();
                                move |_| change(false)
                            }
                        >
                            "Yes, deactivate"
                        </button>
                        " "
                        <button
                            type="button"
                            class="button button--secondary"
                            on:click=move |_| confirming.set(false)
                        >
                            "Cancel"
                        </button>
                    </div>
                </Show>
            }
                .into_any()
        } else {
            view! {
                <button type="button" class="button" on:click=move |_| change(true)>
                    "Reactivate"
                </button>
            }
                .into_any()
        }}
    }
}

#[component]
fn Assignments(assignments: Vec<AssignmentRow>, actions: PersonActions) -> impl IntoView {
    if assignments.is_empty() {
        return view! { <p class="body">"Not assigned to any child."</p> }.into_any();
    }
    view! {
        <ScrollingTable id="assignments-caption" caption="Assignments">
                <thead>
                    <tr>
                        <th scope="col">"Child"</th>
                        <th scope="col">"From"</th>
                        <th scope="col">"Until"</th>
                        <th scope="col">
                            <span class="visually-hidden">"Action"</span>
                        </th>
                    </tr>
                </thead>
                <tbody>
                    {assignments
                        .into_iter()
                        .map(|a| {
                            let id = a.id.clone();
                            view! {
                                <tr>
                                    <td>{a.child_name.clone()}</td>
                                    <td>{a.starts_on}</td>
                                    <td>
                                        {a.ends_on.unwrap_or_else(|| "open".to_string())}
                                    </td>
                                    <td>
                                        {a.current
                                            .then(|| {
                                                view! {
                                                    <button
                                                        type="button"
                                                        class="button button--secondary"
                                                        on:click=move |_| {
                                                            actions
                                                                .end
                                                                .dispatch(EndAssignment {
                                                                    assignment_id: id.clone(),
                                                                });
                                                        }
                                                    >
                                                        "End now"
                                                        <span class="visually-hidden">
                                                            {format!(" for {}", a.child_name)}
                                                        </span>
                                                    </button>
                                                }
                                            })}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </ScrollingTable>
    }
    .into_any()
}

#[component]
fn AssignForm(
    user_id: String,
    children: Vec<super::Choice>,
    actions: PersonActions,
    errors: ReadSignal<Vec<FieldError>>,
) -> impl IntoView {
    let child = RwSignal::new(String::new());
    let starts_on = RwSignal::new(String::new());
    let options: Vec<(String, String)> = children.into_iter().map(|c| (c.id, c.label)).collect();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if child.get().is_empty() {
            actions
                .errors
                .set(vec![FieldError::new("child_id", "Choose a child")]);
            return;
        }
        actions.assign.dispatch(AssignChild {
            user_id: user_id.clone(),
            child_id: ChildId(child.get()),
            starts_on: starts_on.get(),
        });
    };
    view! {
        <h3 class="heading-m">"Assign to a child"</h3>
        <form novalidate on:submit=on_submit>
            <Select
                id="child_id"
                label="Child"
                value=child
                options
                error=Signal::derive(move || error_for(&errors.read(), "child_id"))
            />
            <TextInput
                id="starts_on"
                label="From"
                hint="Leave empty to start today."
                value=starts_on
                input_type="date"
                width="input--width-10"
                error=Signal::derive(move || error_for(&errors.read(), "starts_on"))
            />
            <button type="submit" class="button" disabled=move || actions.assign.pending().get()>
                "Assign"
            </button>
        </form>
    }
}
