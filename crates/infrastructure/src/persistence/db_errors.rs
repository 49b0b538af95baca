//! The one place that reads database errors: unique violations become domain
//! variants in the adapters (through [`is_unique_violation`]), everything else an
//! `anyhow::Error` with context.

use sea_orm::{DbErr, SqlErr};

/// Whether the statement broke a primary key or unique index, on any backend.
pub(crate) fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// Wraps an unexpected database error with what the adapter was doing.
pub(crate) fn unexpected(context: &'static str) -> impl FnOnce(DbErr) -> anyhow::Error {
    move |err| anyhow::Error::new(err).context(context)
}
