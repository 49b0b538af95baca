//! The error catalogue of SPEC §5, in one place: every entry's code, HTTP status
//! and zh/en texts ([`Entry`]), the refusal a handler or the framework produces
//! ([`Failure`]), and the conversion of every domain error enum into a failure
//! (one table per enum, in `account`, `room` and `message`, from which
//! `refusals!` generates an exhaustive `match` and the entries the
//! OpenAPI document lists).
//! `Unexpected` errors are logged once, inside the request's span, and answered
//! E5000 with no detail, or E5003 (with `Retry-After`) when the domain's
//! `Unavailable` is among their causes: the database could not be reached.

mod account;
mod entry;
mod failure;
mod invalid;
mod message;
mod refusals;
mod room;
#[cfg(test)]
mod tests;

pub use entry::{Entry, Text};
pub use failure::Failure;
pub(crate) use refusals::documented;
pub use refusals::{AuthRefusals, BodyRefusals, Refusals, UnavailableRefusals};
