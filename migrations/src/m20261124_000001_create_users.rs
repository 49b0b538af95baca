//! Users (R1): the id is the primary key, the lower-cased email is unique.

use sea_orm_migration::prelude::*;

use crate::table_options::portable;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(Users::Table)
            .col(ColumnDef::new(Users::Id).string_len(32).not_null().primary_key())
            .col(ColumnDef::new(Users::Name).string_len(128).not_null())
            .col(ColumnDef::new(Users::Email).string_len(254).not_null())
            .col(ColumnDef::new(Users::PasswordHash).text().not_null())
            .col(ColumnDef::new(Users::CreatedAt).big_integer().not_null())
            .index(Index::create().name("uq_users_email").col(Users::Email).unique());
        manager.create_table(portable(manager, &mut table)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Users::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Name,
    Email,
    PasswordHash,
    CreatedAt,
}
