//! Rate-limit counters and lockouts (S3, S4), shared by every server node.

use sea_orm_migration::prelude::*;

use crate::table_options::portable;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Keys name a limit and its subject ("login:user:alice", "reset:ip:…"); 320
/// characters hold the longest email with a prefix and stay within MySQL's index
/// key limit in utf8mb4.
const KEY_LEN: u32 = 320;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut hits = Table::create();
        hits.table(ThrottleHits::Table)
            .col(ColumnDef::new(ThrottleHits::Id).big_integer().not_null().auto_increment().primary_key())
            .col(ColumnDef::new(ThrottleHits::Key).string_len(KEY_LEN).not_null())
            .col(ColumnDef::new(ThrottleHits::At).big_integer().not_null());
        manager.create_table(portable(manager, &mut hits)).await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_throttle_hits_key_at")
                    .table(ThrottleHits::Table)
                    .col(ThrottleHits::Key)
                    .col(ThrottleHits::At)
                    .to_owned(),
            )
            .await?;

        let mut locks = Table::create();
        locks
            .table(ThrottleLocks::Table)
            .col(ColumnDef::new(ThrottleLocks::Key).string_len(KEY_LEN).not_null().primary_key())
            .col(ColumnDef::new(ThrottleLocks::LockedUntil).big_integer().not_null());
        manager.create_table(portable(manager, &mut locks)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ThrottleLocks::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(ThrottleHits::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum ThrottleHits {
    Table,
    Id,
    Key,
    At,
}

#[derive(DeriveIden)]
enum ThrottleLocks {
    Table,
    Key,
    LockedUntil,
}
