//! The last time each user was kicked from each room (R14 cooldown).

use sea_orm_migration::prelude::*;

use crate::table_options::portable;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(Kicks::Table)
            .col(ColumnDef::new(Kicks::RoomId).string_len(32).not_null())
            .col(ColumnDef::new(Kicks::UserId).string_len(32).not_null())
            .col(ColumnDef::new(Kicks::KickedAt).big_integer().not_null())
            .primary_key(Index::create().col(Kicks::RoomId).col(Kicks::UserId))
            .foreign_key(
                ForeignKey::create()
                    .name("fk_kicks_room")
                    .from(Kicks::Table, Kicks::RoomId)
                    .to(Rooms::Table, Rooms::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .foreign_key(
                ForeignKey::create()
                    .name("fk_kicks_user")
                    .from(Kicks::Table, Kicks::UserId)
                    .to(Users::Table, Users::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            );
        manager.create_table(portable(manager, &mut table)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Kicks::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Kicks {
    Table,
    RoomId,
    UserId,
    KickedAt,
}

#[derive(DeriveIden)]
enum Rooms {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
