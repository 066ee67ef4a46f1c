//! The council's section rights, as stored: for one PEP state at a time, what each role may do
//! with each section. Read-only for now; the words say the access, colour is not used.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::ui::table::ScrollingTable;
use leptos_router::hooks::use_query_map;

use super::people_page::{AdminAccessProblem, AdminNav, capitalised};
use super::section_rights;
use crate::domain::pep::PepState;
use crate::domain::policy::Access;
use crate::error::AppError;

#[component]
pub fn SectionRightsPage() -> impl IntoView {
    let query = use_query_map();
    let state = move || {
        query
            .read()
            .get("state")
            .unwrap_or_else(|| PepState::Draft.as_str().to_string())
    };
    // A state in the address that is not one is refused here, as the server would.
    let table = Resource::new(state, |state| async move {
        match PepState::parse(&state) {
            Ok(state) => section_rights(state).await,
            Err(_) => Err(AppError::Invalid(vec![(
                "state".into(),
                "Choose a PEP state".into(),
            )])),
        }
    });
    view! {
        <Title text="Section rights" />
        <AdminNav current="/section-rights" />
        <h1 class="heading-xl">"Section rights"</h1>
        <p class="body">
            "Who may read or edit each part of a PEP, by role, while the PEP is in each state. "
            "These are your council's settings; people also need to be assigned to the child."
        </p>
        <nav aria-label="PEP states">
            <ul class="sub-nav">
                {PepState::ALL
                    .iter()
                    .map(|&s| {
                        view! {
                            <li>
                                <a
                                    href=format!("/section-rights?state={}", s.as_str())
                                    aria-current=move || (state() == s.as_str()).then_some("page")
                                >
                                    {capitalised(s.label())}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
        <Transition fallback=|| view! { <p class="body">"Loading…"</p> }>
            {move || {
                table
                    .get()
                    .map(|answer| match answer {
                        Ok(table) => {
                            let state_label = PepState::parse(&table.state)
                                .map(|s| s.label())
                                .unwrap_or("");
                            view! {
                                <ScrollingTable id="rights-caption" caption=format!("When the PEP is {state_label}")>
                                        <thead>
                                            <tr>
                                                <th scope="col">"Section"</th>
                                                {table
                                                    .roles
                                                    .iter()
                                                    .map(|r| view! { <th scope="col">{capitalised(r.label())}</th> })
                                                    .collect_view()}
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {table
                                                .rows
                                                .into_iter()
                                                .map(|(section, cells)| {
                                                    view! {
                                                        <tr>
                                                            <th scope="row">{section}</th>
                                                            {cells
                                                                .into_iter()
                                                                .map(|access| {
                                                                    view! {
                                                                        <td class:access--edit=access == Access::Edit>
                                                                            {match access {
                                                                                Access::Edit => "Edit",
                                                                                Access::Read => "Read",
                                                                                Access::None => "No access",
                                                                            }}
                                                                        </td>
                                                                    }
                                                                })
                                                                .collect_view()}
                                                        </tr>
                                                    }
                                                })
                                                .collect_view()}
                                        </tbody>
                                    </ScrollingTable>
                            }
                                .into_any()
                        }
                        Err(error) => view! { <AdminAccessProblem error /> }.into_any(),
                    })
            }}
        </Transition>
    }
}
