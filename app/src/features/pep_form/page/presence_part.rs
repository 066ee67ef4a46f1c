//! Who is in the PEP now and where, whether the live connection is up, and the one polite live
//! region (a log) that announces what others do (it never moves focus).

use leptos::prelude::*;

use super::live_room::{Link, LiveRoom};
use crate::domain::live::FieldKey;

/// `labels` names each field the person may read: (field, "Section: question").
#[component]
pub fn LivePresence(room: LiveRoom, labels: Vec<(FieldKey, String)>) -> impl IntoView {
    let labels = StoredValue::new(labels);
    let place = move |field: &FieldKey| {
        labels.with_value(|labels| {
            labels
                .iter()
                .find(|(f, _)| f == field)
                .map(|(_, label)| label.clone())
        })
    };
    let link_words = move || match room.link.get() {
        Link::Connecting => "Connecting to the meeting…".to_string(),
        Link::Live => "Live: you see others' changes as they make them.".to_string(),
        Link::Reconnecting => "Connection lost: what you type stays here and is sent when it \
                               returns."
            .to_string(),
        Link::Ended(reason) => reason,
    };
    let link_class = move || match room.link.get() {
        Link::Live => "live-link live-link--up",
        Link::Ended(_) => "live-link live-link--ended",
        _ => "live-link live-link--down",
    };
    let others = move || {
        let me = room.me.get();
        room.people
            .get()
            .into_iter()
            .filter(|p| p.connection != me)
            .map(|p| {
                let doing = match (&p.field, p.typing) {
                    (Some(field), true) => place(field)
                        .map(|label| match p.paragraph {
                            Some(n) if n > 1 => format!(" is typing in {label} (paragraph {n})"),
                            _ => format!(" is typing in {label}"),
                        })
                        .unwrap_or_default(),
                    (Some(field), false) => place(field)
                        .map(|label| format!(" is in {label}"))
                        .unwrap_or_default(),
                    (None, _) => String::new(),
                };
                view! { <li>{format!("{}{doing}", p.who())}</li> }
            })
            .collect_view()
    };
    let alone = move || {
        let me = room.me.get();
        room.people.with(|p| p.iter().all(|p| p.connection == me))
    };
    view! {
        <aside class="live-panel" aria-labelledby="live-panel-heading">
            <h2 class="heading-s" id="live-panel-heading">"In this PEP now"</h2>
            <p class=link_class id="live-link">{link_words}</p>
            <Show
                when=move || !alone()
                fallback=|| view! { <p class="body hint">"Nobody else has this PEP open."</p> }
            >
                <ul class="list live-people">{others}</ul>
                <Show when=move || { room.others.get() > 0 }>
                    <p class="body hint">{move || format!("and {} more", room.others.get())}</p>
                </Show>
            </Show>
            // A log: screen readers read each entry as it is added, never the whole region again.
            <div class="visually-hidden" role="log" aria-live="polite" id="live-announcements">
                <For
                    each=move || room.announcements.get()
                    key=|(number, _)| *number
                    children=|(_, words)| view! { <p>{words}</p> }
                />
            </div>
        </aside>
    }
}
