//! The persistence contract suite (the atuin pattern): every test runs once per
//! backend (SQLite, PostgreSQL, MySQL/MariaDB), each time in a database of its own
//! that is dropped afterwards. Test names cite the rule they hold the adapters to.

// A test crate: a failed unwrap is a failed test. (clippy's allow-unwrap-in-tests
// does not reach the helpers of an integration test.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod database;
mod incarnations;
mod memberships;
mod messages;
mod reset_codes;
mod rooms;
mod sessions;
mod throttle;
mod users;
