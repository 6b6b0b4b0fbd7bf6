//! A minimal Leptos counter: the size baseline for Concord's front end.

use leptos::prelude::*;

fn main() {
    leptos::mount::mount_to_body(|| {
        let count = RwSignal::new(0);
        view! {
            <button on:click=move |_| *count.write() += 1>"Clicked " {count} " times"</button>
        }
    });
}
