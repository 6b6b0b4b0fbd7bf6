//! Panels that fetch what they show and live inside a page: a clause's discussion and its forms,
//! the position form, the account's passkeys and e-mail reminders.

mod comment_forms;
pub mod discussion;
pub mod passkeys;
pub mod position;
pub mod reminders;
