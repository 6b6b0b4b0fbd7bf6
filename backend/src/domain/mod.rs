//! The rules of each use case and the order of its steps, between the routes (which parse and
//! shape answers) and the store (which runs SQL). A domain function fails as the store does:
//! with a [`crate::refusal::Refusal`] in the domain's words, or a fault of the database.

pub mod access;
pub mod accounts;
pub mod clauses;
pub mod comments;
pub mod consultations;
pub mod conveners;
pub mod drafting;
pub mod following;
pub mod invitations;
pub mod organisations;
pub mod passkeys;
pub mod positions;
pub mod proposals;
pub mod reminders;
pub mod rounds;
pub mod session;
pub mod two_factor;
