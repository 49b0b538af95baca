//! Statements the room adapters share inside their own transactions: locking a
//! room, allocating its next seq (R13), storing events and deleting a room.
//!
//! Every write transaction on a room starts with an `UPDATE` of its `rooms` row.
//! That takes the row lock on PostgreSQL and MySQL (and SQLite has one writer), so
//! transactions on one room run one after the other, and the reads that follow see
//! what the previous one committed: every backend runs at READ COMMITTED (see
//! `database.rs`), where each statement sees what was committed before it.
//! `SELECT … FOR UPDATE` would not do: SQLite ignores it.

use chatroom_domain::ids::{ImageId, RoomId, RoomKey, Seq};
use chatroom_domain::timeline::{NewEvent, RoomEvent};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, IdenStatic, IntoActiveModel,
    QueryFilter, QuerySelect, QueryTrait,
};

use super::db_errors::Context;
use super::entities::{room_events, rooms};
use super::timestamps::from_millis;

/// Locks the room's row; `false` when there is no such room, or only a later
/// life of its id (S7).
pub(crate) async fn lock_room(txn: &DatabaseTransaction, room: &RoomKey) -> anyhow::Result<bool> {
    let locked = rooms::Entity::update_many()
        .col_expr(rooms::Column::LastSeq, Expr::col(rooms::Column::LastSeq).into())
        .filter(rooms::this_life(room))
        .exec(txn)
        .await
        .context("locking a room")?;
    Ok(locked.rows_affected > 0)
}

/// Locks the room and allocates its next seq (R13); `None` when there is no such
/// room (in this life, S7). The seq is exactly one more than the last one
/// committed.
pub(crate) async fn next_seq(txn: &DatabaseTransaction, room: &RoomKey) -> anyhow::Result<Option<i64>> {
    allocate_seqs(txn, room, 1).await
}

/// Locks the room and allocates its next `count` seqs (R13), returning the last
/// of them; `None` when there is no such room (in this life, S7).
pub(crate) async fn allocate_seqs(
    txn: &DatabaseTransaction,
    room: &RoomKey,
    count: i64,
) -> anyhow::Result<Option<i64>> {
    let mut bump = rooms::Entity::update_many()
        .col_expr(rooms::Column::LastSeq, Expr::col(rooms::Column::LastSeq).add(count))
        .filter(rooms::this_life(room))
        .into_query();
    let backend = txn.get_database_backend();
    if backend != DbBackend::MySql {
        // SQLite and PostgreSQL say what they wrote (`UPDATE … RETURNING`): one
        // round trip instead of two, on the path every message takes.
        bump.returning_col(rooms::Column::LastSeq);
        let Some(row) = txn.query_one(backend.build(&bump)).await.context("allocating seqs")? else {
            return Ok(None);
        };
        return row.try_get::<i64>("", rooms::Column::LastSeq.as_str()).map(Some).context("reading the allocated seq");
    }
    let bumped = txn.execute(backend.build(&bump)).await.context("allocating seqs")?;
    if bumped.rows_affected() == 0 {
        return Ok(None);
    }
    let seq: Option<i64> = rooms::Entity::find_by_id(room.as_str())
        .select_only()
        .column(rooms::Column::LastSeq)
        .into_tuple()
        .one(txn)
        .await
        .context("reading the allocated seq")?;
    seq.context("room vanished while allocating a seq").map(Some)
}

/// `event` as `room`'s event number `seq`: its row, and the event as it reads back.
pub(crate) fn event_row(room: &RoomId, seq: i64, event: NewEvent) -> anyhow::Result<(room_events::Model, RoomEvent)> {
    let row = room_events::Model::from_domain(room, seq, &event)?;
    let stored = RoomEvent { room_id: room.clone(), seq: Seq::new(seq), at: from_millis(row.at)?, kind: event.kind };
    Ok((row, stored))
}

/// Stores `event` as the room's event number `seq` and returns it as stored.
pub(crate) async fn store_event(
    txn: &DatabaseTransaction,
    room: &RoomId,
    seq: i64,
    event: NewEvent,
) -> anyhow::Result<RoomEvent> {
    let (row, stored) = event_row(room, seq, event)?;
    room_events::Entity::insert(row.into_active_model())
        .exec_without_returning(txn)
        .await
        .context("storing a room event")?;
    Ok(stored)
}

/// Allocates the next seq and stores `event` under it; `None` when there is no
/// such room.
pub(crate) async fn append_event(
    txn: &DatabaseTransaction,
    room: &RoomKey,
    event: NewEvent,
) -> anyhow::Result<Option<RoomEvent>> {
    match next_seq(txn, room).await? {
        Some(seq) => store_event(txn, &room.id, seq, event).await.map(Some),
        None => Ok(None),
    }
}

/// The room's current row in this life (S7), as this transaction sees it.
pub(crate) async fn find_room(txn: &DatabaseTransaction, room: &RoomKey) -> anyhow::Result<Option<rooms::Model>> {
    rooms::Entity::find().filter(rooms::this_life(room)).one(txn).await.context("reading a room")
}

/// Deletes a locked room; memberships, kicks and events go with it (foreign keys
/// cascade). Returns the ids of the room's images, for the image store.
pub(crate) async fn delete_room(txn: &DatabaseTransaction, room: &RoomId) -> anyhow::Result<Vec<ImageId>> {
    let stored: Vec<Option<String>> = room_events::Entity::find()
        .select_only()
        .column(room_events::Column::ImageId)
        .filter(room_events::Column::RoomId.eq(room.as_str()))
        .filter(room_events::Column::Kind.eq(room_events::KIND_IMAGE))
        .into_tuple()
        .all(txn)
        .await
        .context("listing a room's images")?;
    let images = stored
        .into_iter()
        .flatten()
        .map(|id| ImageId::parse(&id).context("stored image id"))
        .collect::<anyhow::Result<Vec<_>>>()?;
    rooms::Entity::delete_by_id(room.as_str()).exec(txn).await.context("deleting a room")?;
    Ok(images)
}
