//! "People": everyone in the council with their role and status, invitations, and a form to invite
//! someone new.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::ui::notice::SuccessNotice;

use crate::ui::table::ScrollingTable;

use super::{PeopleOverview, list_people};
use crate::domain::roles::Role;
use crate::error::AppError;
use crate::features::invitations::Invite;
use crate::ui::error_summary::{ErrorSummary, FieldError, error_for, field_errors};
use crate::ui::select::Select;
use crate::ui::text_input::TextInput;

#[component]
pub fn PeoplePage() -> impl IntoView {
    let invite = InviteState::new();
    let overview = Resource::new(move || invite.action.version().get(), |_| list_people());
    view! {
        <Title text="People" />
        <AdminNav current="/people" />
        <h1 class="heading-xl">"People"</h1>
        <ErrorSummary errors=invite.errors />
        <SuccessNotice message=Signal::derive(move || invite.sent_to.get().map(|to| format!("Invitation sent to {to}. The link in it works once, for 7 days."))) />
        <Transition fallback=|| view! { <p class="body">"Loading…"</p> }>
            {move || {
                overview
                    .get()
                    .map(|answer| match answer {
                        Ok(overview) => view! { <People overview invite /> }.into_any(),
                        Err(error) => view! { <AdminAccessProblem error /> }.into_any(),
                    })
            }}
        </Transition>
    }
}

/// The invitation form's state lives with the page, not the list: the list reloads after each
/// invitation, and what the person typed must survive that.
#[derive(Clone, Copy)]
struct InviteState {
    action: ServerAction<Invite>,
    email: RwSignal<String>,
    role: RwSignal<String>,
    school: RwSignal<String>,
    errors: ReadSignal<Vec<FieldError>>,
    set_errors: WriteSignal<Vec<FieldError>>,
    sent_to: RwSignal<Option<String>>,
}

impl InviteState {
    fn new() -> Self {
        let (errors, set_errors) = signal(Vec::<FieldError>::new());
        let state = InviteState {
            action: ServerAction::new(),
            email: RwSignal::new(String::new()),
            role: RwSignal::new(String::new()),
            school: RwSignal::new(String::new()),
            errors,
            set_errors,
            sent_to: RwSignal::new(None),
        };
        Effect::new(move |_| match state.action.value().get() {
            Some(Ok(())) => {
                state.sent_to.set(Some(state.email.get_untracked()));
                state.email.set(String::new());
                state.set_errors.set(Vec::new());
            }
            Some(Err(error)) => {
                state.sent_to.set(None);
                state
                    .set_errors
                    .set(field_errors(invite_field_names(error), &INVITE_FIELDS));
            }
            None => {}
        });
        state
    }
}

const INVITE_FIELDS: [&str; 3] = ["invite-email", "invite-role", "invite-school"];

/// The server names its fields without the form's prefix.
fn invite_field_names(error: AppError) -> AppError {
    match error {
        AppError::Invalid(problems) => AppError::Invalid(
            problems
                .into_iter()
                .map(|(field, message)| {
                    let field = match field.as_str() {
                        "role" => "invite-role",
                        "school_id" => "invite-school",
                        _ => "invite-email",
                    };
                    (field.to_string(), message)
                })
                .collect(),
        ),
        other => other,
    }
}

/// Links between the admin pages.
#[component]
pub fn AdminNav(current: &'static str) -> impl IntoView {
    let link = move |href: &'static str, text: &'static str| {
        view! {
            <li>
                <a href=href aria-current=(current == href).then_some("page")>
                    {text}
                </a>
            </li>
        }
    };
    view! {
        <nav aria-label="Virtual School administration">
            <ul class="sub-nav">
                {link("/dashboard", "Dashboard")} {link("/people", "People")}
                {link("/calendars", "School calendars")}
                {link("/deadline-rules", "Deadline rules")}
                {link("/section-rights", "Section rights")}
            </ul>
        </nav>
    }
}

/// What a person who may not use the admin pages sees instead.
#[component]
pub fn AdminAccessProblem(error: AppError) -> impl IntoView {
    match error {
        AppError::SignedOut => view! {
            <p class="body">"You need to " <a href="/sign-in">"sign in"</a> " to see this page."</p>
        }
        .into_any(),
        AppError::SecondFactorRequired => view! {
            <p class="body">
                <a href="/second-factor">"Enter the code from your authenticator app"</a>
                " to finish signing in."
            </p>
        }
        .into_any(),
        AppError::Forbidden => view! {
            <p class="body">"Only Virtual School staff can use this page."</p>
        }
        .into_any(),
        other => view! { <p class="body">{other.to_string()}</p> }.into_any(),
    }
}

#[component]
fn People(overview: PeopleOverview, invite: InviteState) -> impl IntoView {
    let PeopleOverview {
        people,
        invitations,
        schools,
    } = overview;
    let active = people.iter().filter(|p| p.active).count();
    view! {
        <InviteForm schools invite />
        <ScrollingTable id="people-caption" caption=format!("{} people, {active} active", people.len())>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Role"</th>
                        <th scope="col">"Status"</th>
                    </tr>
                </thead>
                <tbody>
                    {people
                        .into_iter()
                        .map(|person| {
                            view! {
                                <tr>
                                    <td>
                                        <a href=format!("/people/{}", person.id)>{person.name}</a>
                                        <br />
                                        <span class="hint">{person.email}</span>
                                    </td>
                                    <td>
                                        {person.role.label()}
                                        {person.school.map(|school| format!(", {school}"))}
                                    </td>
                                    <td>
                                        {if person.active {
                                            view! { <span class="tag">"Active"</span> }.into_any()
                                        } else {
                                            view! { <span class="tag tag--grey">"Deactivated"</span> }
                                                .into_any()
                                        }}
                                        {(!person.second_factor_set_up && person.role.is_professional())
                                            .then(|| view! { <br /> <span class="hint">"No authenticator app yet"</span> })}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </ScrollingTable>
        <h2 class="heading-m">"Invitations in the last 30 days"</h2>
        {if invitations.is_empty() {
            view! { <p class="body">"None."</p> }.into_any()
        } else {
            view! {
                <ul class="list">
                    {invitations
                        .into_iter()
                        .map(|i| {
                            view! {
                                <li>
                                    <strong>{i.email}</strong>
                                    {format!(
                                        ", {}{}: {}",
                                        i.role.label(),
                                        i.school.map(|s| format!(" at {s}")).unwrap_or_default(),
                                        i.status,
                                    )}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
                .into_any()
        }}
    }
}

/// Email, role and (for a designated teacher) school; the invitation goes by email.
#[component]
fn InviteForm(schools: Vec<super::Choice>, invite: InviteState) -> impl IntoView {
    let InviteState {
        action,
        email,
        role,
        school,
        errors,
        set_errors,
        sent_to: _,
    } = invite;
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut problems = Vec::new();
        if !crate::features::auth::looks_like_email(email.get().trim()) {
            problems.push(FieldError::new(
                "invite-email",
                "Enter an email address in the correct format, like name@example.org",
            ));
        }
        if role.get().is_empty() {
            problems.push(FieldError::new("invite-role", "Choose a role"));
        }
        if role.get() == Role::DesignatedTeacher.as_str() && school.get().is_empty() {
            problems.push(FieldError::new(
                "invite-school",
                "Choose the designated teacher's school",
            ));
        }
        if problems.is_empty() {
            action.dispatch(Invite {
                email: email.get(),
                role: role.get(),
                school_id: Some(school.get()).filter(|s| !s.is_empty()),
            });
        }
        set_errors.set(problems);
    };
    view! {
        <h2 class="heading-m">"Invite someone"</h2>
        <form novalidate on:submit=on_submit>
                <TextInput
                    id="invite-email"
                    label="Email address"
                    value=email
                    error=Signal::derive(move || error_for(&errors.read(), "invite-email"))
                    input_type="email"
                    autocomplete="off"
                />
                <RoleAndSchool
                    role_id="invite-role"
                    school_id="invite-school"
                    role
                    school
                    schools
                    errors
                />
                <button type="submit" class="button" disabled=move || action.pending().get()>
                    "Send invitation"
                </button>
        </form>
        <hr class="section-break" />
    }
}

/// The role list, and the school list when the role is designated teacher (who needs one).
#[component]
pub(super) fn RoleAndSchool(
    role_id: &'static str,
    school_id: &'static str,
    role: RwSignal<String>,
    school: RwSignal<String>,
    schools: Vec<super::Choice>,
    errors: ReadSignal<Vec<FieldError>>,
) -> impl IntoView {
    let role_options: Vec<(String, String)> = Role::ALL
        .iter()
        .map(|r| (r.as_str().to_string(), capitalised(r.label())))
        .collect();
    let school_options: Vec<(String, String)> =
        schools.into_iter().map(|s| (s.id, s.label)).collect();
    view! {
        <Select
            id=role_id
            label="Role"
            value=role
            options=role_options
            error=Signal::derive(move || error_for(&errors.read(), role_id))
        />
        <Show when=move || role.get() == Role::DesignatedTeacher.as_str()>
            <Select
                id=school_id
                label="School"
                value=school
                options=school_options.clone()
                error=Signal::derive(move || error_for(&errors.read(), school_id))
            />
        </Show>
    }
}

pub(super) use crate::ui::text::capitalise as capitalised;
