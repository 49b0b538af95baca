//! [`MessageStore`] on sea-orm: appending events with gapless per-room seqs (R13)
//! and idempotent resends (D3), and reading history.
//!
//! Appends are written by one task per store, its [`AppendWriter`], which takes
//! every append waiting at that moment into one transaction (group commit):
//! when many messages arrive at once the database commits once for all of
//! them, not once each, and an idle store commits a lone append at once. Each
//! caller still gets its answer only after the commit, so D1 holds. Whoever
//! builds the store runs its writer, and stops it before closing the database
//! (D5): a stopped writer answers every append already queued, then refuses
//! new ones.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;

use anyhow::anyhow;
use async_trait::async_trait;
use chatroom_domain::ids::{RoomId, RoomKey, Seq};
use chatroom_domain::system::Unavailable;
use chatroom_domain::timeline::{AppendError, Appended, EventKind, MessageStore, NewEvent, RoomEvent};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};
use time::OffsetDateTime;
use tokio::sync::{mpsc, oneshot};

use super::database::Database;
use super::db_errors::{classified, unexpected, Context};
use super::entities::{room_events, rooms};
use super::room_writes::{allocate_seqs, event_row};
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
    /// The queue of the store's [`AppendWriter`].
    appends: mpsc::Sender<Pending>,
}

/// The task that writes a [`SeaOrmMessageStore`]'s appends: until
/// [`AppendWriter::run`] runs, appends wait in its queue.
#[derive(Debug)]
pub struct AppendWriter {
    db: Database,
    queue: mpsc::Receiver<Pending>,
}

/// An append waiting for its transaction.
#[derive(Debug)]
struct Pending {
    room: RoomKey,
    event: NewEvent,
    dedupe_since: OffsetDateTime,
    answer: oneshot::Sender<Result<Appended, AppendError>>,
}

impl SeaOrmMessageStore {
    /// A store over `db`, and the writer its appends go through, for the
    /// caller to run.
    pub fn new(db: &Database) -> (Self, AppendWriter) {
        let (appends, queue) = mpsc::channel(QUEUE);
        (Self { db: db.clone(), appends }, AppendWriter { db: db.clone(), queue })
    }
}

impl AppendWriter {
    /// Writes the appends, one transaction for everything waiting, until
    /// every clone of the store is gone or `stop` resolves. Once stopped, an
    /// append is refused, and every append queued before is still written
    /// and answered before this returns: none is left unanswered (D5).
    pub async fn run(mut self, stop: impl Future<Output = ()>) {
        let mut stop = std::pin::pin!(stop);
        let mut stopped = false;
        let mut batch = Vec::with_capacity(MAX_BATCH);
        loop {
            tokio::select! {
                () = &mut stop, if !stopped => {
                    stopped = true;
                    self.queue.close();
                }
                received = self.queue.recv_many(&mut batch, MAX_BATCH) => {
                    if received == 0 {
                        return;
                    }
                    tracing::trace!(appends = batch.len(), "appending together");
                    let answers = append_batch(&self.db, &batch).await;
                    for (pending, answer) in batch.drain(..).zip(answers) {
                        // A caller that went away no longer needs its answer; its event stands.
                        let _ = pending.answer.send(answer);
                    }
                }
            }
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
        match append_together(db, batch).await {
            Ok(answers) => return answers,
            Err(BatchFailed::Statement(e)) => {
                tracing::warn!(error = %format_args!("{e:#}"), appends = batch.len(), "a grouped append failed; appending one by one");
            }
            Err(BatchFailed::Commit(e)) => {
                // Each append gets an error of its own; an outage stays one (E5003).
                let unreachable = Unavailable::find(&e).is_some();
                let e = format!("{e:#}");
                let each =
                    || if unreachable { Unavailable::new("the database", e.clone()).into() } else { anyhow!("{e}") };
                return batch.iter().map(|_| Err(AppendError::Unexpected(each()))).collect();
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

async fn append_together(db: &Database, batch: &[Pending]) -> Result<Vec<Result<Appended, AppendError>>, BatchFailed> {
    let mut rooms: BTreeMap<(&str, i64), Vec<usize>> = BTreeMap::new();
    for (i, pending) in batch.iter().enumerate() {
        rooms.entry((pending.room.as_str(), pending.room.incarnation.get())).or_default().push(i);
    }
    let txn = db.writer().begin().await.map_err(|e| BatchFailed::Statement(classified(e.into())))?;
    let mut answers: Vec<Option<Result<Appended, AppendError>>> = batch.iter().map(|_| None).collect();
    for indices in rooms.values() {
        let pendings: Vec<&Pending> = indices.iter().map(|&i| &batch[i]).collect();
        match append_to_room(&txn, &pendings).await {
            Ok(room_answers) => {
                for (&i, answer) in indices.iter().zip(room_answers) {
                    answers[i] = Some(answer);
                }
            }
            Err(e) => {
                let _ = txn.rollback().await;
                return Err(BatchFailed::Statement(e));
            }
        }
    }
    txn.commit().await.map_err(|e| BatchFailed::Commit(unexpected("committing events")(e)))?;
    Ok(answers
        .into_iter()
        .map(|answer| answer.unwrap_or_else(|| Err(anyhow!("an append was skipped").into())))
        .collect())
}

/// One append in a transaction of its own.
async fn append_alone(db: &Database, pending: &Pending) -> Result<Appended, AppendError> {
    let txn = db.writer().begin().await.map_err(unexpected("beginning a transaction"))?;
    let answer = append_to_room(&txn, &[pending]).await?.pop().unwrap_or_else(|| Err(anyhow!("no answer").into()))?;
    txn.commit().await.map_err(unexpected("committing an event"))?;
    Ok(answer)
}

/// Appends `pendings`, all to one room, in order inside `txn`, with a fixed
/// number of statements however many they are: the seqs are allocated
/// together, the earlier copies of resent messages are looked up together
/// and the new events are inserted together. A resend (D3), of an earlier
/// message or of one earlier in `pendings`, gets that message back and stores
/// nothing; its seq is given back, so the seqs have no gap (R13). An error is
/// a failed statement.
async fn append_to_room(
    txn: &DatabaseTransaction,
    pendings: &[&Pending],
) -> anyhow::Result<Vec<Result<Appended, AppendError>>> {
    let Some(first) = pendings.first() else { return Ok(Vec::new()) };
    let room = &first.room;
    let count = i64::try_from(pendings.len()).context("too many appends")?;
    // The room is locked first, so a racing resend of the same message on
    // another node waits here and then finds this one (D3).
    let Some(last) = allocate_seqs(txn, room, count).await? else {
        return Ok(pendings.iter().map(|_| Err(AppendError::RoomNotFound)).collect());
    };
    let mut earlier = earlier_copies(txn, &room.id, pendings).await?;
    // The messages of this batch by resend key, stored or found.
    let mut known: Vec<(ResendKey<'_>, RoomEvent)> = Vec::new();
    let (mut rows, mut released, mut answers) = (Vec::new(), Vec::new(), Vec::with_capacity(pendings.len()));
    let mut seq = last - count + 1;
    for pending in pendings {
        let key = resend_key(&pending.event);
        if let Some(key) = key {
            if let Some((_, event)) = known.iter().find(|(k, _)| *k == key) {
                answers.push(Ok(Appended { event: event.clone(), duplicate: true }));
                continue;
            }
            if let Some(at) = earlier.iter().position(|row| key.matches(row)) {
                let copy = earlier.swap_remove(at);
                if copy.at >= to_millis(pending.dedupe_since) {
                    let event = copy.into_domain()?;
                    known.push((key, event.clone()));
                    answers.push(Ok(Appended { event, duplicate: true }));
                    continue;
                }
                // Past the window the id is free again; the old message keeps its text.
                released.push(copy.seq);
            }
        }
        let (row, event) = event_row(&room.id, seq, pending.event.clone())?;
        seq += 1;
        if let Some(key) = key {
            known.push((key, event.clone()));
        }
        rows.push(row.into_active_model());
        answers.push(Ok(Appended { event, duplicate: false }));
    }
    let unused = last + 1 - seq;
    if unused > 0 {
        rooms::Entity::update_many()
            .col_expr(rooms::Column::LastSeq, Expr::col(rooms::Column::LastSeq).sub(unused))
            .filter(rooms::this_life(room))
            .exec(txn)
            .await
            .context("giving resends' seqs back")?;
    }
    if !released.is_empty() {
        room_events::Entity::update_many()
            .col_expr(room_events::Column::ClientMsgId, Expr::value(Option::<String>::None))
            .filter(room_events::Column::RoomId.eq(room.as_str()))
            .filter(room_events::Column::Seq.is_in(released))
            .exec(txn)
            .await
            .context("releasing expired clientMsgIds")?;
    }
    if !rows.is_empty() {
        room_events::Entity::insert_many(rows).exec_without_returning(txn).await.context("storing room events")?;
    }
    Ok(answers)
}

/// What makes two messages one for D3: the sender and the clientMsgId.
#[derive(Clone, Copy, PartialEq, Eq)]
struct ResendKey<'a> {
    sender: &'a str,
    client_msg_id: &'a str,
}

impl ResendKey<'_> {
    fn matches(&self, row: &room_events::Model) -> bool {
        row.sender_id.as_deref() == Some(self.sender) && row.client_msg_id.as_deref() == Some(self.client_msg_id)
    }
}

fn resend_key(event: &NewEvent) -> Option<ResendKey<'_>> {
    match &event.kind {
        EventKind::Message { from, client_msg_id: Some(id), .. } => {
            Some(ResendKey { sender: from.id.as_str(), client_msg_id: id.as_str() })
        }
        _ => None,
    }
}

/// The stored messages that `pendings` would resend, in one query (by the
/// unique index on room, sender and clientMsgId).
async fn earlier_copies(
    txn: &DatabaseTransaction,
    room: &RoomId,
    pendings: &[&Pending],
) -> anyhow::Result<Vec<room_events::Model>> {
    let keys: Vec<ResendKey<'_>> = pendings.iter().filter_map(|p| resend_key(&p.event)).collect();
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let senders: BTreeSet<&str> = keys.iter().map(|k| k.sender).collect();
    let ids: BTreeSet<&str> = keys.iter().map(|k| k.client_msg_id).collect();
    let mut rows = room_events::Entity::find()
        .filter(room_events::Column::RoomId.eq(room.as_str()))
        .filter(room_events::Column::SenderId.is_in(senders))
        .filter(room_events::Column::ClientMsgId.is_in(ids))
        .all(txn)
        .await
        .context("looking for resent messages")?;
    rows.retain(|row| keys.iter().any(|key| key.matches(row)));
    Ok(rows)
}

/// The events of `room` in this life only (S7): its id, and a room row of
/// this incarnation (events of a dissolved room went with it, but a read may
/// race a dissolution and a new creation).
fn of_this_life(room: &RoomKey) -> sea_orm::Condition {
    let this_life =
        Query::select().column(rooms::Column::Id).from(rooms::Entity).cond_where(rooms::this_life(room)).to_owned();
    sea_orm::Condition::all()
        .add(room_events::Column::RoomId.eq(room.as_str()))
        .add(room_events::Column::RoomId.in_subquery(this_life))
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
        room: &RoomKey,
        event: NewEvent,
        dedupe_since: OffsetDateTime,
    ) -> Result<Appended, AppendError> {
        let (answer, answered) = oneshot::channel();
        let pending = Pending { room: room.clone(), event, dedupe_since, answer };
        self.appends.send(pending).await.map_err(|_| anyhow!("the event writer has stopped"))?;
        answered.await.map_err(|_| anyhow!("the event writer stopped before answering"))?
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn list_after(&self, room: &RoomKey, after: Seq, limit: u32) -> anyhow::Result<Vec<RoomEvent>> {
        let rows = room_events::Entity::find()
            .filter(of_this_life(room))
            .filter(room_events::Column::Seq.gt(after.get()))
            .order_by_asc(room_events::Column::Seq)
            .limit(u64::from(limit))
            .all(self.db.reader())
            .await
            .context("listing events after a seq")?;
        into_events(rows)
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn list_before(&self, room: &RoomKey, before: Option<Seq>, limit: u32) -> anyhow::Result<Vec<RoomEvent>> {
        let mut query = room_events::Entity::find().filter(of_this_life(room));
        if let Some(before) = before {
            query = query.filter(room_events::Column::Seq.lt(before.get()));
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

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn last_seq(&self, room: &RoomKey) -> anyhow::Result<Seq> {
        let seq: Option<i64> = rooms::Entity::find()
            .filter(rooms::this_life(room))
            .select_only()
            .column(rooms::Column::LastSeq)
            .into_tuple()
            .one(self.db.reader())
            .await
            .context("reading a room's last seq")?;
        Ok(Seq::new(seq.unwrap_or(0)))
    }
}
