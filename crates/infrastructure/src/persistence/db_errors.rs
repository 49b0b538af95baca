//! The one place that reads database errors: unique violations become domain
//! variants in the adapters (through [`is_unique_violation`]); a failure to reach
//! the database becomes the domain's [`Unavailable`] (through [`Context`],
//! [`unexpected`] and [`classified`], which the edge answers E5003); everything
//! else an `anyhow::Error` with context (E5000).

use std::fmt::{Debug, Display};

use chatroom_domain::system::Unavailable;
use sea_orm::{DbErr, RuntimeErr, SqlErr};
use sqlx::error::DatabaseError as _;

/// What [`Unavailable`] names when the database cannot be reached.
const DATABASE: &str = "the database";

/// Whether the statement broke a primary key or unique index, on any backend.
pub(crate) fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// Wraps an unexpected database error with what the adapter was doing.
pub(crate) fn unexpected(context: &'static str) -> impl FnOnce(DbErr) -> anyhow::Error {
    move |err| classified(anyhow::Error::new(err)).context(context)
}

/// Whether `err` says the database could not be reached, rather than that it
/// refused or failed the statement: no connection from the pool in time (the
/// server down, refusing or over its connection limit), a connection lost
/// mid-statement, or the server ending the session.
pub(crate) fn is_unreachable(err: &DbErr) -> bool {
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(err)) | DbErr::Query(RuntimeErr::SqlxError(err)) => sqlx_unreachable(err),
        _ => false,
    }
}

/// [`is_unreachable`] for an error of the driver underneath.
fn sqlx_unreachable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(err) => {
            if let Some(sqlite) = err.try_downcast_ref::<sqlx::sqlite::SqliteError>() {
                // The primary result code: SQLITE_IOERR (10) or SQLITE_CANTOPEN (14),
                // the file or its directory cannot be read or written.
                let primary = sqlite.code().and_then(|code| code.parse::<i32>().ok()).map(|code| code & 0xff);
                return matches!(primary, Some(10 | 14));
            }
            // SQLSTATE class 08, connection exception (PostgreSQL, MySQL); PostgreSQL's
            // 57P01 (the session was terminated), 57P02 and 57P03 (the server is
            // stopping or starting) and 53300 (too many connections).
            err.code()
                .is_some_and(|code| code.starts_with("08") || matches!(&*code, "57P01" | "57P02" | "57P03" | "53300"))
        }
        _ => false,
    }
}

/// `err`, wrapped into [`Unavailable`] when its cause is a database error that
/// says the database could not be reached.
pub(crate) fn classified(err: anyhow::Error) -> anyhow::Error {
    let unreachable = err.downcast_ref::<DbErr>().is_some_and(is_unreachable)
        || err.downcast_ref::<sqlx::Error>().is_some_and(sqlx_unreachable);
    if unreachable && Unavailable::find(&err).is_none() {
        anyhow::Error::new(Unavailable::new(DATABASE, err))
    } else {
        err
    }
}

/// `anyhow::Context::context` for the adapters, under the same name, so that a
/// module importing this trait instead needs no other change: the error is
/// [`classified`] before the context is added.
pub(crate) trait Context<T> {
    /// The error, classified, with `context` added.
    fn context<C: Display + Debug + Send + Sync + 'static>(self, context: C) -> anyhow::Result<T>;
}

impl<T, E: Into<anyhow::Error>> Context<T> for Result<T, E> {
    fn context<C: Display + Debug + Send + Sync + 'static>(self, context: C) -> anyhow::Result<T> {
        self.map_err(|err| classified(err.into()).context(context))
    }
}

impl<T> Context<T> for Option<T> {
    fn context<C: Display + Debug + Send + Sync + 'static>(self, context: C) -> anyhow::Result<T> {
        self.ok_or_else(|| anyhow::Error::msg(context))
    }
}

#[cfg(test)]
mod tests {
    use std::io;

    use sea_orm::ConnAcquireErr;

    use super::*;

    fn io(kind: io::ErrorKind) -> sqlx::Error {
        sqlx::Error::Io(io::Error::from(kind))
    }

    #[test]
    fn e5003_connection_failures_are_unreachable() {
        let failures = [
            DbErr::ConnectionAcquire(ConnAcquireErr::Timeout),
            DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed),
            DbErr::Conn(RuntimeErr::SqlxError(io(io::ErrorKind::ConnectionRefused))),
            DbErr::Query(RuntimeErr::SqlxError(io(io::ErrorKind::UnexpectedEof))),
            DbErr::Exec(RuntimeErr::SqlxError(io(io::ErrorKind::ConnectionReset))),
            DbErr::Query(RuntimeErr::SqlxError(sqlx::Error::PoolTimedOut)),
            DbErr::Exec(RuntimeErr::SqlxError(sqlx::Error::PoolClosed)),
        ];
        for failure in failures {
            assert!(is_unreachable(&failure), "{failure:?}");
        }
    }

    #[test]
    fn e5003_statement_failures_are_not_unreachable() {
        let failures = [
            DbErr::Query(RuntimeErr::SqlxError(sqlx::Error::RowNotFound)),
            DbErr::Query(RuntimeErr::SqlxError(sqlx::Error::Protocol("unexpected packet".to_owned()))),
            DbErr::Exec(RuntimeErr::Internal("bad statement".to_owned())),
            DbErr::RecordNotFound("user".to_owned()),
            DbErr::Custom("anything".to_owned()),
        ];
        for failure in failures {
            assert!(!is_unreachable(&failure), "{failure:?}");
        }
    }

    #[test]
    fn e5003_the_adapters_context_attaches_unavailable_under_the_context() {
        let lost: Result<(), DbErr> = Err(DbErr::ConnectionAcquire(ConnAcquireErr::Timeout));

        let error = lost.context("finding a user").unwrap_err();

        assert_eq!(Unavailable::find(&error).map(Unavailable::dependency), Some("the database"));
        assert!(format!("{error:#}").starts_with("finding a user: the database is unreachable: "), "{error:#}");
    }

    #[test]
    fn e5003_unexpected_and_a_plain_driver_error_are_classified_too() {
        let from_unexpected = unexpected("beginning a transaction")(DbErr::Conn(RuntimeErr::SqlxError(io(
            io::ErrorKind::ConnectionRefused,
        ))));
        let from_sqlx = classified(anyhow::Error::new(sqlx::Error::PoolTimedOut));

        assert!(Unavailable::find(&from_unexpected).is_some());
        assert!(Unavailable::find(&from_sqlx).is_some());
    }

    #[test]
    fn e5003_other_failures_keep_their_error_as_it_was() {
        let failed: Result<(), DbErr> = Err(DbErr::Custom("constraint".to_owned()));
        let missing: Option<()> = None;

        let failed = failed.context("inserting a user").unwrap_err();
        let missing = missing.context("room vanished").unwrap_err();

        assert!(Unavailable::find(&failed).is_none() && failed.downcast_ref::<DbErr>().is_some());
        assert_eq!((Unavailable::find(&missing).is_none(), missing.to_string()), (true, "room vanished".to_owned()));
    }
}
