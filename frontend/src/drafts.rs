//! Drafts: what a reader types into a comment, a reply, a proposal or a reason stays in the
//! tab's session storage until it is posted or discarded, so that a reload, a sign-in or a page
//! that stopped (see the last-resort handler in `index.html`) loses nothing.
//!
//! A field shows its draft's key in `data-draft`; the handler in `index.html` writes the field
//! to that key at every keystroke, even once the application has stopped. This module reads
//! the draft back when the field is drawn again, and forgets it once posted or discarded.

use leptos::prelude::*;

/// One form's draft on the page the reader is on: `name` tells it from the page's other drafts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft(String);

fn storage() -> Option<web_sys::Storage> {
    window().session_storage().ok().flatten()
}

impl Draft {
    /// The draft named `name` on the current page.
    pub fn new(name: &str) -> Draft {
        let page = window().location().pathname().unwrap_or_default();
        Draft(format!("concord-draft:{page}:{name}"))
    }

    /// Puts what the reader had typed, if anything, into the field's `value`; the key it is
    /// kept under, for the field's `data-draft`.
    pub fn restore(self, value: RwSignal<String>) -> String {
        if let Some(text) = self.kept() {
            value.set(text);
        }
        self.0
    }

    /// What the reader had typed, if anything.
    pub fn kept(&self) -> Option<String> {
        storage()?
            .get_item(&self.0)
            .ok()
            .flatten()
            .filter(|text| !text.is_empty())
    }

    /// Keeps `text` (forgets the draft when it is empty).
    pub fn keep(&self, text: &str) {
        if let Some(storage) = storage() {
            let _ = if text.is_empty() {
                storage.remove_item(&self.0)
            } else {
                storage.set_item(&self.0, text)
            };
        }
    }

    /// Forgets it: the text was posted or discarded.
    pub fn forget(&self) {
        self.keep("");
    }
}
