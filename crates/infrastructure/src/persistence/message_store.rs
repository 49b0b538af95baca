//! [`MessageStore`] on sea-orm: appending events with gapless per-room seqs (R13)
//! and idempotent resends (D3), and reading history.

use anyhow::Context;
use async_trait::async_trait;
use chatroom_domain::event::{AppendError, Appended, EventKind, MessageStore, NewEvent, RoomEvent};
use chatroom_domain::room::RoomId;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait};
use time::OffsetDateTime;

use super::database::Database;
use super::db_errors::unexpected;
use super::entities::{room_events, rooms};
use super::room_writes::{next_seq, store_event};
use super::timestamps::to_millis;

/// Room events in a SQL database.
#[derive(Debug, Clone)]
pub struct SeaOrmMessageStore {
    db: Database,
}

impl SeaOrmMessageStore {
    pub fn new(db: &Database) -> Self {
        Self { db: db.clone() }
    }
}

fn into_events(rows: Vec<room_events::Model>) -> anyhow::Result<Vec<RoomEvent>> {
    rows.into_iter().map(room_events::Model::into_domain).collect()
}

#[async_trait]
impl MessageStore for SeaOrmMessageStore {
    // The event holds message content: it stays out of the span.
    #[tracing::instrument(level = "debug", skip(self, event), err(level = "debug"))]
    async fn append(
        &self,
        room: &RoomId,
        event: NewEvent,
        dedupe_since: OffsetDateTime,
    ) -> Result<Appended, AppendError> {
        let txn = self.db.writer().begin().await.map_err(unexpected("beginning a transaction"))?;
        // Locks the room first, so a racing resend of the same message waits here
        // and then finds this one (D3).
        let seq = next_seq(&txn, room).await?.ok_or(AppendError::RoomNotFound)?;
        if let EventKind::Message { from, client_msg_id: Some(client_msg_id), .. } = &event.kind {
            let earlier = room_events::Entity::find()
                .filter(room_events::Column::RoomId.eq(room.as_str()))
                .filter(room_events::Column::SenderId.eq(from.id.as_str()))
                .filter(room_events::Column::ClientMsgId.eq(client_msg_id.as_str()))
                .one(&txn)
                .await
                .map_err(unexpected("looking for a resent message"))?;
            if let Some(earlier) = earlier {
                if earlier.at >= to_millis(dedupe_since) {
                    // Rolling back also returns the seq: no gap (R13).
                    txn.rollback().await.map_err(unexpected("rolling back a duplicate"))?;
                    return Ok(Appended { event: earlier.into_domain()?, duplicate: true });
                }
                // Past the window the id is free again; the old message keeps its text.
                room_events::Entity::update_many()
                    .col_expr(room_events::Column::ClientMsgId, Expr::value(Option::<String>::None))
                    .filter(room_events::Column::RoomId.eq(room.as_str()))
                    .filter(room_events::Column::Seq.eq(earlier.seq))
                    .exec(&txn)
                    .await
                    .map_err(unexpected("releasing an expired clientMsgId"))?;
            }
        }
        let stored = store_event(&txn, room, seq, event).await?;
        txn.commit().await.map_err(unexpected("committing an event"))?;
        Ok(Appended { event: stored, duplicate: false })
    }

    #[tracing::instrument(level = "debug", skip(self), err)]
    async fn list_after(&self, room: &RoomId, after: i64, limit: u32) -> anyhow::Result<Vec<RoomEvent>> {
        let rows = room_events::Entity::find()
            .filter(room_events::Column::RoomId.eq(room.as_str()))
            .filter(room_events::Column::Seq.gt(after))
            .order_by_asc(room_events::Column::Seq)
            .limit(u64::from(limit))
            .all(self.db.reader())
            .await
            .context("listing events after a seq")?;
        into_events(rows)
    }

    #[tracing::instrument(level = "debug", skip(self), err)]
    async fn list_before(&self, room: &RoomId, before: Option<i64>, limit: u32) -> anyhow::Result<Vec<RoomEvent>> {
        let mut query = room_events::Entity::find().filter(room_events::Column::RoomId.eq(room.as_str()));
        if let Some(before) = before {
            query = query.filter(room_events::Column::Seq.lt(before));
        }
        let mut rows = query
            .order_by_desc(room_events::Column::Seq)
            .limit(u64::from(limit))
            .all(self.db.reader())
            .await
            .context("listing events before a seq")?;
        rows.reverse();
        into_events(rows)
    }

    #[tracing::instrument(level = "debug", skip(self), err)]
    async fn last_seq(&self, room: &RoomId) -> anyhow::Result<i64> {
        let seq: Option<i64> = rooms::Entity::find_by_id(room.as_str())
            .select_only()
            .column(rooms::Column::LastSeq)
            .into_tuple()
            .one(self.db.reader())
            .await
            .context("reading a room's last seq")?;
        Ok(seq.unwrap_or(0))
    }
}
