//! Each life of a room gets an incarnation (S7): a roomId dissolved and created
//! again is another room, and everything kept about a room in memory (the
//! encoded frames, the event bus's channels, presence, delivery marks) is keyed
//! by id and incarnation. Rooms that exist already keep their creation time as
//! theirs: any number tells two lives of one id apart, and the later ones are
//! random 64-bit numbers.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Rooms::Table)
                    .add_column(ColumnDef::new(Rooms::Incarnation).big_integer().not_null().default(0))
                    .to_owned(),
            )
            .await?;
        let existing =
            Query::update().table(Rooms::Table).value(Rooms::Incarnation, Expr::col(Rooms::CreatedAt)).to_owned();
        manager.exec_stmt(existing).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Rooms::Table).drop_column(Rooms::Incarnation).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Rooms {
    Table,
    CreatedAt,
    Incarnation,
}
