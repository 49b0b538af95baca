//! [`MessageStore`] on sea-orm: appending events with gapless per-room seqs (R13)
//! and idempotent resends (D3), and reading history.
//!
//! Appends are written by one task per store, which takes every append waiting
//! at that moment into one transaction (group commit): when many messages
//! arrive at once the database commits once for all of them, not once each,
//! and an idle store commits a lone append at once. Each caller still gets its
//! answer only after the commit, so D1 holds.

use std::sync::{Arc, OnceLock};

use anyhow::{anyhow, Context};
use async_trait::async_trait;
use chatroom_domain::event::{AppendError, Appended, EventKind, MessageStore, NewEvent, RoomEvent};
use chatroom_domain::room::RoomId;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait};
use time::OffsetDateTime;
use tokio::sync::{mpsc, oneshot};

use super::database::Database;
use super::db_errors::unexpected;
use super::entities::{room_events, rooms};
use super::room_writes::{next_seq, store_event};
use super::timestamps::to_millis;

/// The most appends in one transaction.
const MAX_BATCH: usize = 256;

/// Appends waiting for the writer; beyond this, appending waits (backpressure
/// when the database is slower than the rooms).
const QUEUE: usize = 4 * MAX_BATCH;

/// Room events in a SQL database.
#[derive(Debug, Clone)]
pub struct SeaOrmMessageStore {
    db: Database,
    /// The writer's queue, started by the first append (inside the runtime).
    appends: Arc<OnceLock<mpsc::Sender<Pending>>>,
}

/// An append waiting for its transaction.
#[derive(Debug)]
struct Pending {
    room: RoomId,
    event: NewEvent,
    dedupe_since: OffsetDateTime,
    answer: oneshot::Sender<Result<Appended, AppendError>>,
}

impl SeaOrmMessageStore {
    pub fn new(db: &Database) -> Self {
        Self { db: db.clone(), appends: Arc::default() }
    }

    fn queue(&self) -> &mpsc::Sender<Pending> {
        self.appends.get_or_init(|| {
            let (appends, queue) = mpsc::channel(QUEUE);
            tokio::spawn(write_batches(self.db.clone(), queue));
            appends
        })
    }
}

/// The writer: one transaction for everything waiting, until the store is gone.
async fn write_batches(db: Database, mut queue: mpsc::Receiver<Pending>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        tracing::trace!(appends = batch.len(), "appending together");
        let answers = append_batch(&db, &batch).await;
        for (pending, answer) in batch.drain(..).zip(answers) {
            // A caller that went away no longer needs its answer; its event stands.
            let _ = pending.answer.send(answer);
        }
    }
}

/// Appends `batch` in one transaction, rooms in a fixed order (so two nodes
/// never wait on each other's rooms) and each room's appends in arrival order.
/// If a statement fails, the transaction is rolled back and each append is
/// tried alone, so one bad append fails alone. If the commit itself fails,
/// every append of the batch fails: its outcome is unknown, and the clients'
/// resends are deduplicated (D3).
async fn append_batch(db: &Database, batch: &[Pending]) -> Vec<Result<Appended, AppendError>> {
    if batch.len() > 1 {
        let mut order: Vec<usize> = (0..batch.len()).collect();
        order.sort_by(|a, b| batch[*a].room.as_str().cmp(batch[*b].room.as_str()));
        match append_together(db, batch, &order).await {
            Ok(answers) => return answers,
            Err(BatchFailed::Statement(e)) => {
                tracing::warn!(error = %format_args!("{e:#}"), appends = batch.len(), "a grouped append failed; appending one by one");
            }
            Err(BatchFailed::Commit(e)) => {
                let e = format!("{e:#}");
                return batch.iter().map(|_| Err(AppendError::Unexpected(anyhow!("{e}")))).collect();
            }
        }
    }
    let mut answers = Vec::with_capacity(batch.len());
    for pending in batch {
        answers.push(append_alone(db, pending).await);
    }
    answers
}

/// Why a grouped transaction failed.
enum BatchFailed {
    /// Before the commit: nothing was written.
    Statement(anyhow::Error),
    /// At the commit: the outcome is unknown.
    Commit(anyhow::Error),
}

async fn append_together(
    db: &Database,
    batch: &[Pending],
    order: &[usize],
) -> Result<Vec<Result<Appended, AppendError>>, BatchFailed> {
    let txn = db.writer().begin().await.map_err(|e| BatchFailed::Statement(e.into()))?;
    let mut answers: Vec<Option<Result<Appended, AppendError>>> = batch.iter().map(|_| None).collect();
    for &i in order {
        let pending = &batch[i];
        match append_in(&txn, &pending.room, pending.event.clone(), pending.dedupe_since).await {
            Err(AppendError::Unexpected(e)) => {
                let _ = txn.rollback().await;
                return Err(BatchFailed::Statement(e));
            }
            answer => answers[i] = Some(answer),
        }
    }
    txn.commit().await.map_err(|e| BatchFailed::Commit(anyhow::Error::new(e).context("committing events")))?;
    Ok(answers
        .into_iter()
        .map(|answer| answer.unwrap_or_else(|| Err(anyhow!("an append was skipped").into())))
        .collect())
}

/// One append in a transaction of its own.
async fn append_alone(db: &Database, pending: &Pending) -> Result<Appended, AppendError> {
    let txn = db.writer().begin().await.map_err(unexpected("beginning a transaction"))?;
    let appended = append_in(&txn, &pending.room, pending.event.clone(), pending.dedupe_since).await?;
    txn.commit().await.map_err(unexpected("committing an event"))?;
    Ok(appended)
}

/// The append of [`MessageStore::append`] inside `txn`: the room's next seq, or
/// the earlier copy of a resent message (whose seq is given back: no gap, R13).
async fn append_in(
    txn: &DatabaseTransaction,
    room: &RoomId,
    event: NewEvent,
    dedupe_since: OffsetDateTime,
) -> Result<Appended, AppendError> {
    // Locks the room first, so a racing resend of the same message waits here
    // and then finds this one (D3).
    let seq = next_seq(txn, room).await?.ok_or(AppendError::RoomNotFound)?;
    if let EventKind::Message { from, client_msg_id: Some(client_msg_id), .. } = &event.kind {
        let earlier = room_events::Entity::find()
            .filter(room_events::Column::RoomId.eq(room.as_str()))
            .filter(room_events::Column::SenderId.eq(from.id.as_str()))
            .filter(room_events::Column::ClientMsgId.eq(client_msg_id.as_str()))
            .one(txn)
            .await
            .map_err(unexpected("looking for a resent message"))?;
        if let Some(earlier) = earlier {
            if earlier.at >= to_millis(dedupe_since) {
                give_back_seq(txn, room).await?;
                return Ok(Appended { event: earlier.into_domain()?, duplicate: true });
            }
            // Past the window the id is free again; the old message keeps its text.
            room_events::Entity::update_many()
                .col_expr(room_events::Column::ClientMsgId, Expr::value(Option::<String>::None))
                .filter(room_events::Column::RoomId.eq(room.as_str()))
                .filter(room_events::Column::Seq.eq(earlier.seq))
                .exec(txn)
                .await
                .map_err(unexpected("releasing an expired clientMsgId"))?;
        }
    }
    Ok(Appended { event: store_event(txn, room, seq, event).await?, duplicate: false })
}

/// Returns the seq just allocated to a duplicate, which stores nothing.
async fn give_back_seq(txn: &DatabaseTransaction, room: &RoomId) -> Result<(), AppendError> {
    rooms::Entity::update_many()
        .col_expr(rooms::Column::LastSeq, Expr::col(rooms::Column::LastSeq).sub(1))
        .filter(rooms::Column::Id.eq(room.as_str()))
        .exec(txn)
        .await
        .map_err(unexpected("giving a duplicate's seq back"))?;
    Ok(())
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
        let (answer, answered) = oneshot::channel();
        let pending = Pending { room: room.clone(), event, dedupe_since, answer };
        self.queue().send(pending).await.map_err(|_| anyhow!("the event writer has stopped"))?;
        answered.await.map_err(|_| anyhow!("the event writer stopped before answering"))?
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
