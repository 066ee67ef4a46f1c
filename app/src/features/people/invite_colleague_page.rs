//! A designated teacher invites a colleague at their own school (as a designated teacher: a
//! deputy, or their successor). The Virtual School invites from the People page instead.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::ui::notice::SuccessNotice;

use crate::domain::roles::Role;
use crate::features::auth::who_am_i;
use crate::features::invitations::Invite;
use crate::ui::error_summary::{ErrorSummary, FieldError, error_for, field_errors};
use crate::ui::text_input::TextInput;

#[component]
pub fn InviteColleaguePage() -> impl IntoView {
    let user = Resource::new(|| (), |_| who_am_i());
    view! {
        <Title text="Invite a colleague" />
        <h1 class="heading-xl">"Invite a colleague"</h1>
        <Transition fallback=|| view! { <p class="body">"Loading…"</p> }>
            {move || {
                user.get()
                    .map(|answer| match answer {
                        Ok(Some(user)) if user.role == Role::DesignatedTeacher
                            && !user.second_factor_pending => view! { <ColleagueForm /> }.into_any(),
                        Ok(Some(user)) if user.role.is_virtual_school() => view! {
                            <p class="body">
                                "Virtual School staff invite people from the "
                                <a href="/people">"People"</a> " page."
                            </p>
                        }
                        .into_any(),
                        Ok(Some(_)) => view! {
                            <p class="body">
                                "Designated teachers invite colleagues at their school. Ask your "
                                "Virtual School to invite anyone else."
                            </p>
                        }
                        .into_any(),
                        _ => view! {
                            <p class="body">
                                "You need to " <a href="/sign-in">"sign in"</a> " to see this page."
                            </p>
                        }
                        .into_any(),
                    })
            }}
        </Transition>
    }
}

#[component]
fn ColleagueForm() -> impl IntoView {
    let invite = ServerAction::<Invite>::new();
    let email = RwSignal::new(String::new());
    let (errors, set_errors) = signal(Vec::<FieldError>::new());
    let sent_to = RwSignal::new(None::<String>);
    Effect::new(move |_| match invite.value().get() {
        Some(Ok(())) => {
            sent_to.set(Some(email.get_untracked()));
            email.set(String::new());
            set_errors.set(Vec::new());
        }
        Some(Err(error)) => {
            sent_to.set(None);
            set_errors.set(field_errors(error, &["email"]));
        }
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !crate::features::auth::looks_like_email(email.get().trim()) {
            set_errors.set(vec![FieldError::new(
                "email",
                "Enter an email address in the correct format, like name@school.org",
            )]);
            return;
        }
        invite.dispatch(Invite {
            email: email.get(),
            role: Role::DesignatedTeacher.as_str().to_string(),
            school_id: None,
        });
    };
    view! {
        <ErrorSummary errors />
        <SuccessNotice message=Signal::derive(move || sent_to.get().map(|to| format!("Invitation sent to {to}. The link in it works once, for 7 days."))) />
        <p class="body">
            "Your colleague joins as a designated teacher at your school, and works with the children "
            "in care on its roll. They will set up an authenticator app when they first sign in."
        </p>
        <form novalidate on:submit=on_submit>
            <TextInput
                id="email"
                label="Their email address"
                value=email
                error=Signal::derive(move || error_for(&errors.read(), "email"))
                input_type="email"
            />
            <button type="submit" class="button" disabled=move || invite.pending().get()>
                "Send invitation"
            </button>
        </form>
    }
}
