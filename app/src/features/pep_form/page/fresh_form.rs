//! The form read again while the page is open: `FreshForm`, the latest reading that each part
//! merges its own piece of, and `OneReadAtATime`, which keeps those reads one after another.
//! A leaf the page's parts share, so none of them imports the page itself.

use crate::features::pep_form::PepForm;
use leptos::prelude::*;

/// The PEP as last read again after someone else changed one of its parts (`None` until then):
/// each part merges its own piece into what is on screen.
#[derive(Clone, Copy)]
pub(crate) struct FreshForm(pub RwSignal<Option<PepForm>>);

impl FreshForm {
    /// Runs `merge` with each fresh reading of one piece of the form.
    pub(crate) fn each<T: 'static>(
        pick: impl Fn(&PepForm) -> Option<T> + 'static,
        merge: impl Fn(T) + 'static,
    ) {
        if let Some(FreshForm(fresh)) = use_context::<FreshForm>() {
            Effect::new(move |_| {
                if let Some(piece) = fresh.with(|form| form.as_ref().and_then(&pick)) {
                    merge(piece);
                }
            });
        }
    }
}

/// Reads from the server one at a time: asked again while a read is on its way, it reads once
/// more after it (never two at once, never a change missed).
#[derive(Clone, Copy)]
pub(crate) struct OneReadAtATime {
    /// (a read is on its way, another is wanted after it)
    state: StoredValue<(bool, bool)>,
}

impl OneReadAtATime {
    pub(crate) fn new() -> Self {
        OneReadAtATime {
            state: StoredValue::new((false, false)),
        }
    }

    pub(crate) fn run<F, R>(self, read: F)
    where
        F: Fn() -> R + 'static,
        R: std::future::Future<Output = ()> + 'static,
    {
        if self.state.get_value().0 {
            self.state.set_value((true, true));
            return;
        }
        self.state.set_value((true, false));
        leptos::task::spawn_local(async move {
            loop {
                read().await;
                if !self.state.get_value().1 {
                    break;
                }
                self.state.set_value((true, false));
            }
            self.state.set_value((false, false));
        });
    }
}
