//! Panels that fetch what they show and live inside a page: a clause's discussion and its forms,
//! the position form, and the account's passkeys.

mod comment_forms;
pub mod discussion;
pub mod passkeys;
pub mod position;
