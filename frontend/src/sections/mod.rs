//! Panels that fetch what they show and live inside a page: a clause's discussion and its forms,
//! and the position form.

mod comment_forms;
pub mod discussion;
pub mod position;
