//! Table options shared by the `CREATE TABLE` migrations.
//!
//! MySQL/MariaDB compare strings case- and accent-insensitively by default, which
//! would merge user ids "Alice" and "alice" (R1), room ids and normalized names
//! (R2) and clientMsgIds (D3). Every table there is therefore created as InnoDB
//! (foreign keys, row locks) with `utf8mb4` and the binary collation, so equality
//! is byte equality as on SQLite and PostgreSQL. The other backends get nothing.
//!
//! Migrations that already ran depend on this behaviour: never change it; add a new
//! function for new needs.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

/// Applies the portable options to a `CREATE TABLE` statement for this backend.
pub(crate) fn portable(manager: &SchemaManager<'_>, table: &mut TableCreateStatement) -> TableCreateStatement {
    if manager.get_database_backend() == DbBackend::MySql {
        table.engine("InnoDB").character_set("utf8mb4").collate("utf8mb4_bin");
    }
    table.to_owned()
}
