//! Login sessions (S2, R11): revoked one by one at logout, all at once at a reset.

use sea_orm_migration::prelude::*;

use crate::table_options::portable;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(Sessions::Table)
            .col(ColumnDef::new(Sessions::Id).string_len(64).not_null().primary_key())
            .col(ColumnDef::new(Sessions::UserId).string_len(32).not_null())
            .col(ColumnDef::new(Sessions::IssuedAt).big_integer().not_null())
            .col(ColumnDef::new(Sessions::ExpiresAt).big_integer().not_null())
            .col(ColumnDef::new(Sessions::Revoked).boolean().not_null())
            .foreign_key(
                ForeignKey::create()
                    .name("fk_sessions_user")
                    .from(Sessions::Table, Sessions::UserId)
                    .to(Users::Table, Users::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            );
        manager.create_table(portable(manager, &mut table)).await?;
        manager
            .create_index(
                Index::create().name("ix_sessions_user").table(Sessions::Table).col(Sessions::UserId).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Sessions::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    UserId,
    IssuedAt,
    ExpiresAt,
    Revoked,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
