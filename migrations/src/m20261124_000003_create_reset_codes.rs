//! Password reset codes (S3): one live code per email, only its hash stored.

use sea_orm_migration::prelude::*;

use crate::table_options::portable;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(ResetCodes::Table)
            .col(ColumnDef::new(ResetCodes::Email).string_len(254).not_null().primary_key())
            .col(ColumnDef::new(ResetCodes::CodeHash).string_len(255).not_null())
            .col(ColumnDef::new(ResetCodes::ExpiresAt).big_integer().not_null())
            .col(ColumnDef::new(ResetCodes::FailedAttempts).integer().not_null())
            .col(ColumnDef::new(ResetCodes::Used).boolean().not_null());
        manager.create_table(portable(manager, &mut table)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ResetCodes::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum ResetCodes {
    Table,
    Email,
    CodeHash,
    ExpiresAt,
    FailedAttempts,
    Used,
}
