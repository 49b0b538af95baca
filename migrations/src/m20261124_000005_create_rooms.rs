//! Rooms (R2–R8, R13): the id is the primary key and the normalized name key is
//! unique. `member_count` and `last_seq` are counters that conditional updates keep
//! atomic (R4 capacity, R13 gapless sequence numbers) on every backend.

use sea_orm_migration::prelude::*;

use crate::table_options::portable;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(Rooms::Table)
            .col(ColumnDef::new(Rooms::Id).string_len(32).not_null().primary_key())
            .col(ColumnDef::new(Rooms::Name).string_len(128).not_null())
            // NFC + lower-case may lengthen a 64-character name.
            .col(ColumnDef::new(Rooms::NameKey).string_len(256).not_null())
            .col(ColumnDef::new(Rooms::Capacity).integer().not_null())
            .col(ColumnDef::new(Rooms::IsPublic).boolean().not_null())
            .col(ColumnDef::new(Rooms::OwnerId).string_len(32).not_null())
            .col(ColumnDef::new(Rooms::CreatedAt).big_integer().not_null())
            .col(ColumnDef::new(Rooms::MemberCount).integer().not_null())
            .col(ColumnDef::new(Rooms::LastSeq).big_integer().not_null())
            .index(Index::create().name("uq_rooms_name_key").col(Rooms::NameKey).unique())
            .foreign_key(
                ForeignKey::create()
                    .name("fk_rooms_owner")
                    .from(Rooms::Table, Rooms::OwnerId)
                    .to(Users::Table, Users::Id),
            );
        manager.create_table(portable(manager, &mut table)).await?;
        // Search lists newest first, ties by id.
        manager
            .create_index(
                Index::create()
                    .name("ix_rooms_created_at_id")
                    .table(Rooms::Table)
                    .col(Rooms::CreatedAt)
                    .col(Rooms::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Rooms::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Rooms {
    Table,
    Id,
    Name,
    NameKey,
    Capacity,
    IsPublic,
    OwnerId,
    CreatedAt,
    MemberCount,
    LastSeq,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
