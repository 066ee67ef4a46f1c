//! What the page says about saving: "Saved", "Not saved yet", a value someone else saved
//! first to choose from, a value replaced while the person was away.

use super::saver::{Persist, Replaced, Saver};
use leptos::prelude::*;

/// The status line under a saved value. Polite and short: a state change is announced once, and
/// nothing in it ticks.
#[component]
pub(crate) fn SaveStatus<K: Persist>(id: String, saver: Saver<K>) -> impl IntoView {
    view! { <SaveStatusLine id words=Signal::derive(move || saver.status_words()) /> }
}

/// The status line itself, for any value on its way to the server.
#[component]
pub(crate) fn SaveStatusLine(id: String, words: Signal<String>) -> impl IntoView {
    view! {
        <p class="pep-field__status" id=id aria-live="polite">
            {move || words.get()}
        </p>
    }
}

/// Someone else's version beside the person's own, to choose which to keep.
#[component]
pub(crate) fn ConflictChoice<K: Persist>(
    by: String,
    saver: Saver<K>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="conflict" role="group" aria-label=format!("Choose between your words and {by}'s")>
            <h3 class="heading-s">{format!("{by} saved this version")}</h3>
            {children()}
            <p class="body">"Your version is on screen above. Choose which to keep; you can edit it afterwards."</p>
            <div class="button-group">
                <button type="button" class="button" on:click=move |_| saver.keep_mine()>
                    "Keep my version"
                </button>
                <button type="button" class="button button--secondary" on:click=move |_| saver.use_theirs()>
                    {format!("Use {by}'s version")}
                </button>
            </div>
        </div>
    }
}

/// Told when someone else's save replaced a value this person saved: theirs is on screen above,
/// the person's own is here to put back with one press.
#[component]
pub(crate) fn ReplacedNotice<K: Persist>(
    saver: Saver<K>,
    /// The value in a few words.
    show: fn(&K::Value) -> String,
) -> impl IntoView {
    move || {
        saver.replaced.get().map(|Replaced { yours, by }| {
            view! {
                <div class="inset replaced" role="group" aria-label=format!("{by} replaced your value")>
                    <p class="body">{format!("{by} replaced your value “{}”: theirs is shown above.", show(&yours))}</p>
                    <div class="button-group">
                        <button type="button" class="button button--secondary" on:click=move |_| saver.put_mine_back()>
                            "Put mine back"
                        </button>
                        <button type="button" class="button button--secondary" on:click=move |_| saver.replaced.set(None)>
                            "Keep theirs"
                        </button>
                    </div>
                </div>
            }
        })
    }
}
