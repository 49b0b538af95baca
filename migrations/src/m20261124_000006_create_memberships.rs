//! Memberships (R3, R4, R8, R12, W2). `join_order` is the seq of the member's
//! `joined` event: strictly increasing within a room, it orders members for R8
//! even when two joins share a millisecond.

use sea_orm_migration::prelude::*;

use crate::table_options::portable;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(Memberships::Table)
            .col(ColumnDef::new(Memberships::RoomId).string_len(32).not_null())
            .col(ColumnDef::new(Memberships::UserId).string_len(32).not_null())
            .col(ColumnDef::new(Memberships::JoinedAt).big_integer().not_null())
            .col(ColumnDef::new(Memberships::JoinOrder).big_integer().not_null())
            .col(ColumnDef::new(Memberships::LastDeliveredSeq).big_integer().not_null())
            .primary_key(Index::create().col(Memberships::RoomId).col(Memberships::UserId))
            .foreign_key(
                ForeignKey::create()
                    .name("fk_memberships_room")
                    .from(Memberships::Table, Memberships::RoomId)
                    .to(Rooms::Table, Rooms::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .foreign_key(
                ForeignKey::create()
                    .name("fk_memberships_user")
                    .from(Memberships::Table, Memberships::UserId)
                    .to(Users::Table, Users::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            );
        manager.create_table(portable(manager, &mut table)).await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_memberships_user")
                    .table(Memberships::Table)
                    .col(Memberships::UserId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Memberships::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Memberships {
    Table,
    RoomId,
    UserId,
    JoinedAt,
    JoinOrder,
    LastDeliveredSeq,
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
