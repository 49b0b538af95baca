//! The chatroom schema: one migration set that runs unchanged on SQLite, PostgreSQL
//! and MySQL/MariaDB. Each migration names its tables and columns with its own
//! `DeriveIden` enums (never with live entities), so history stays frozen when the
//! application's entities change. Timestamps are BIGINT unix milliseconds, the one
//! time representation the three databases store and compare alike.

use sea_orm_migration::prelude::*;
/// Re-exported so callers can run [`Migrator`] without depending on sea-orm-migration.
pub use sea_orm_migration::MigratorTrait;

mod m20261124_000001_create_users;
mod m20261124_000002_create_sessions;
mod m20261124_000003_create_reset_codes;
mod m20261124_000004_create_throttle_tables;
mod m20261124_000005_create_rooms;
mod m20261124_000006_create_memberships;
mod m20261124_000007_create_kicks;
mod m20261124_000008_create_room_events;
mod m20261202_000009_add_room_incarnation;
mod table_options;

/// Every migration of the schema, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_create_users::Migration),
            Box::new(m20261124_000002_create_sessions::Migration),
            Box::new(m20261124_000003_create_reset_codes::Migration),
            Box::new(m20261124_000004_create_throttle_tables::Migration),
            Box::new(m20261124_000005_create_rooms::Migration),
            Box::new(m20261124_000006_create_memberships::Migration),
            Box::new(m20261124_000007_create_kicks::Migration),
            Box::new(m20261124_000008_create_room_events::Migration),
            Box::new(m20261202_000009_add_room_incarnation::Migration),
        ]
    }
}
