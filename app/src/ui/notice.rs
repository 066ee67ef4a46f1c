//! "Invitation sent", "Role changed": the outcome of an action, in a status region that is on the
//! page from the start so screen readers announce what appears in it.

use leptos::prelude::*;

#[component]
pub fn SuccessNotice(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    view! {
        <div role="status">
            {move || {
                message
                    .get()
                    .map(|message| {
                        view! {
                            <div class="notification">
                                <p class="body">
                                    <strong>{message}</strong>
                                </p>
                            </div>
                        }
                    })
            }}
        </div>
    }
}
