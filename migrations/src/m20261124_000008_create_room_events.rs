//! Sequenced room events (R13, W3–W5, D3). The primary key (room_id, seq) makes a
//! duplicate seq impossible and serves history reads; (room_id, sender_id,
//! client_msg_id) is unique so a resent message cannot be stored twice (NULLs, i.e.
//! events without a clientMsgId, never collide on any of the three backends).
//! Senders are copied, not referenced: history outlives profile changes.

use sea_orm_migration::prelude::*;

use crate::table_options::portable;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(RoomEvents::Table)
            .col(ColumnDef::new(RoomEvents::RoomId).string_len(32).not_null())
            .col(ColumnDef::new(RoomEvents::Seq).big_integer().not_null())
            .col(ColumnDef::new(RoomEvents::At).big_integer().not_null())
            .col(ColumnDef::new(RoomEvents::Kind).string_len(16).not_null())
            .col(ColumnDef::new(RoomEvents::SenderId).string_len(32).null())
            .col(ColumnDef::new(RoomEvents::SenderName).string_len(128).null())
            .col(ColumnDef::new(RoomEvents::Content).text().null())
            .col(ColumnDef::new(RoomEvents::ClientMsgId).string_len(64).null())
            .col(ColumnDef::new(RoomEvents::ImageId).string_len(32).null())
            .col(ColumnDef::new(RoomEvents::ImageType).string_len(32).null())
            .col(ColumnDef::new(RoomEvents::SubjectUserId).string_len(32).null())
            .col(ColumnDef::new(RoomEvents::Payload).text().null())
            .primary_key(Index::create().col(RoomEvents::RoomId).col(RoomEvents::Seq))
            .index(
                Index::create()
                    .name("uq_room_events_client_msg")
                    .col(RoomEvents::RoomId)
                    .col(RoomEvents::SenderId)
                    .col(RoomEvents::ClientMsgId)
                    .unique(),
            )
            .foreign_key(
                ForeignKey::create()
                    .name("fk_room_events_room")
                    .from(RoomEvents::Table, RoomEvents::RoomId)
                    .to(Rooms::Table, Rooms::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            );
        manager.create_table(portable(manager, &mut table)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(RoomEvents::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum RoomEvents {
    Table,
    RoomId,
    Seq,
    At,
    Kind,
    SenderId,
    SenderName,
    Content,
    ClientMsgId,
    ImageId,
    ImageType,
    SubjectUserId,
    Payload,
}

#[derive(DeriveIden)]
enum Rooms {
    Table,
    Id,
}
