//! "Your account": where you are signed in, with a way to sign out other devices.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{EndMySession, my_sessions};

#[component]
pub fn AccountPage() -> impl IntoView {
    let end_session = ServerAction::<EndMySession>::new();
    // Reload the list whenever a session has been ended.
    let sessions = Resource::new(move || end_session.version().get(), |_| my_sessions());
    view! {
        <Title text="Your account" />
        <h1 class="heading-xl">"Your account"</h1>
        <h2 class="heading-m">"Where you are signed in"</h2>
        <p class="body">
            "If you see a device you do not recognise, sign it out and change your password."
        </p>
        <Transition fallback=|| view! { <p class="body">"Loading…"</p> }>
            {move || {
                sessions
                    .get()
                    .map(|answer| match answer {
                        Ok(list) => {
                            view! {
                                <ul class="session-list">
                                    {list
                                        .into_iter()
                                        .map(|session| {
                                            let reference = session.reference.clone();
                                            view! {
                                                <li class="session-list__item">
                                                    <p class="body">
                                                        <strong>{session.device}</strong>
                                                        {session.this_device.then(|| view! { " " <span class="tag">"This device"</span> })}
                                                    </p>
                                                    <p class="hint">
                                                        "Signed in " {session.started} ", last active "
                                                        {session.last_seen}
                                                    </p>
                                                    {(!session.this_device)
                                                        .then(|| {
                                                            view! {
                                                                <button
                                                                    type="button"
                                                                    class="button button--secondary"
                                                                    on:click=move |_| {
                                                                        end_session
                                                                            .dispatch(EndMySession { reference: reference.clone() });
                                                                    }
                                                                >
                                                                    "Sign out this device"
                                                                </button>
                                                            }
                                                        })}
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                        Err(error) => {
                            view! {
                                <p class="body">
                                    {error.to_string()} " " <a href="/sign-in">"Sign in"</a>
                                </p>
                            }
                                .into_any()
                        }
                    })
            }}
        </Transition>
    }
}
