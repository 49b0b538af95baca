//! [`MembershipRepository`] on sea-orm: joining under the capacity (R4), leaving
//! and kicks with ownership passing on or the room dissolving (R8, R14), member
//! lists and delivery marks (W2).

use async_trait::async_trait;
use chatroom_domain::delivery::DeliveryMark;
use chatroom_domain::ids::{RoomId, RoomKey, UserId};
use chatroom_domain::room::{
    AddMemberError, Departure, Member, Membership, MembershipRepository, RemovalOutcome, RemoveMemberError,
};
use chatroom_domain::timeline::{EventKind, NewEvent, RoomEvent, SystemEvent};
use chatroom_domain::user::UserName;
use sea_orm::sea_query::{Expr, OnConflict, Query};
use sea_orm::{
    ColumnTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};
use time::OffsetDateTime;

use super::database::Database;
use super::db_errors::{is_unique_violation, unexpected, Context};
use super::entities::{kicks, memberships, rooms, users};
use super::room_writes::{append_event, delete_room, find_room};
use super::timestamps::{from_millis, to_millis};

/// Memberships in a SQL database.
#[derive(Debug, Clone)]
pub struct SeaOrmMembershipRepository {
    db: Database,
}

impl SeaOrmMembershipRepository {
    pub fn new(db: &Database) -> Self {
        Self { db: db.clone() }
    }
}

fn key(room: &RoomId, user: &UserId) -> (String, String) {
    (room.as_str().to_owned(), user.as_str().to_owned())
}

async fn is_member(txn: &DatabaseTransaction, room: &RoomId, user: &UserId) -> anyhow::Result<bool> {
    let row = memberships::Entity::find_by_id(key(room, user)).one(txn).await.context("finding a membership")?;
    Ok(row.is_some())
}

/// Appends a system event to a room this transaction has locked.
async fn append_system(
    txn: &DatabaseTransaction,
    room: &RoomKey,
    at: OffsetDateTime,
    event: SystemEvent,
) -> anyhow::Result<RoomEvent> {
    append_event(txn, room, NewEvent { at, kind: EventKind::System(event) })
        .await?
        .context("room vanished inside its transaction")
}

/// R14: remembers the latest kick. An upsert, not delete-then-insert, which would
/// take gap locks on MySQL.
async fn record_kick(
    txn: &DatabaseTransaction,
    room: &RoomId,
    user: &UserId,
    at: OffsetDateTime,
) -> anyhow::Result<()> {
    let row =
        kicks::Model { room_id: room.as_str().to_owned(), user_id: user.as_str().to_owned(), kicked_at: to_millis(at) };
    kicks::Entity::insert(row.into_active_model())
        .on_conflict(
            OnConflict::columns([kicks::Column::RoomId, kicks::Column::UserId])
                .update_column(kicks::Column::KickedAt)
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await
        .context("recording a kick")?;
    Ok(())
}

/// R8: the earliest-joined remaining member, ties by user id.
async fn successor(txn: &DatabaseTransaction, room: &RoomId) -> anyhow::Result<UserId> {
    let id: Option<String> = memberships::Entity::find()
        .select_only()
        .column(memberships::Column::UserId)
        .filter(memberships::Column::RoomId.eq(room.as_str()))
        .order_by_asc(memberships::Column::JoinOrder)
        .order_by_asc(memberships::Column::UserId)
        .into_tuple()
        .one(txn)
        .await
        .context("finding the next owner")?;
    let id = id.context("a room with members has no membership")?;
    UserId::parse(&id).context("stored membership user id")
}

#[async_trait]
impl MembershipRepository for SeaOrmMembershipRepository {
    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn add(
        &self,
        room: &RoomKey,
        user: &UserId,
        at: OffsetDateTime,
    ) -> Result<(Membership, RoomEvent), AddMemberError> {
        let txn = self.db.writer().begin().await.map_err(unexpected("beginning a transaction"))?;
        // R4: the count only grows while below the capacity, whoever else is joining.
        let admitted = rooms::Entity::update_many()
            .col_expr(rooms::Column::MemberCount, Expr::col(rooms::Column::MemberCount).add(1))
            .filter(rooms::this_life(room))
            .filter(Expr::col(rooms::Column::MemberCount).lt(Expr::col(rooms::Column::Capacity)))
            .exec(&txn)
            .await
            .map_err(unexpected("counting a new member"))?;
        if admitted.rows_affected == 0 {
            if find_room(&txn, room).await?.is_none() {
                return Err(AddMemberError::RoomNotFound);
            }
            let already = is_member(&txn, &room.id, user).await?;
            return Err(if already { AddMemberError::AlreadyMember } else { AddMemberError::Full });
        }
        if is_member(&txn, &room.id, user).await? {
            return Err(AddMemberError::AlreadyMember);
        }
        let event = append_system(&txn, room, at, SystemEvent::Joined(user.clone())).await?;
        let row = memberships::Model::joining(&room.id, user, at, event.seq.get());
        match memberships::Entity::insert(row.clone().into_active_model()).exec_without_returning(&txn).await {
            Ok(_) => {}
            Err(err) if is_unique_violation(&err) => return Err(AddMemberError::AlreadyMember),
            Err(err) => return Err(unexpected("inserting a membership")(err).into()),
        }
        txn.commit().await.map_err(unexpected("committing a join"))?;
        Ok((row.into_domain()?, event))
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn remove(
        &self,
        room: &RoomKey,
        user: &UserId,
        departure: Departure,
        at: OffsetDateTime,
    ) -> Result<RemovalOutcome, RemoveMemberError> {
        let txn = self.db.writer().begin().await.map_err(unexpected("beginning a transaction"))?;
        let counted = rooms::Entity::update_many()
            .col_expr(rooms::Column::MemberCount, Expr::col(rooms::Column::MemberCount).sub(1))
            .filter(rooms::this_life(room))
            .exec(&txn)
            .await
            .map_err(unexpected("counting a departure"))?;
        if counted.rows_affected == 0 {
            return Err(RemoveMemberError::RoomNotFound);
        }
        let removed = memberships::Entity::delete_by_id(key(&room.id, user))
            .exec(&txn)
            .await
            .map_err(unexpected("deleting a membership"))?;
        if removed.rows_affected == 0 {
            return Err(RemoveMemberError::NotMember);
        }
        let row = find_room(&txn, room).await?.context("room vanished inside its transaction")?;
        if row.member_count <= 0 {
            // R8: the last member left; the room goes.
            let images = delete_room(&txn, &room.id).await?;
            txn.commit().await.map_err(unexpected("committing a dissolution"))?;
            return Ok(RemovalOutcome { events: Vec::new(), new_owner: None, dissolved: Some(images) });
        }
        let departed = match departure {
            Departure::Left => SystemEvent::Left(user.clone()),
            Departure::Kicked => {
                record_kick(&txn, &room.id, user, at).await?;
                SystemEvent::Kicked(user.clone())
            }
        };
        let mut events = vec![append_system(&txn, room, at, departed).await?];
        let mut new_owner = None;
        if row.owner_id == user.as_str() {
            let next = successor(&txn, &room.id).await?;
            rooms::Entity::update_many()
                .col_expr(rooms::Column::OwnerId, Expr::value(next.as_str()))
                .filter(rooms::this_life(room))
                .exec(&txn)
                .await
                .map_err(unexpected("passing ownership on"))?;
            events.push(append_system(&txn, room, at, SystemEvent::OwnerChanged(next.clone())).await?);
            new_owner = Some(next);
        }
        txn.commit().await.map_err(unexpected("committing a departure"))?;
        Ok(RemovalOutcome { events, new_owner, dissolved: None })
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn find(&self, room: &RoomId, user: &UserId) -> anyhow::Result<Option<Membership>> {
        let row = memberships::Entity::find_by_id(key(room, user))
            .one(self.db.reader())
            .await
            .context("finding a membership")?;
        row.map(memberships::Model::into_domain).transpose()
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn list(&self, room: &RoomId) -> anyhow::Result<Vec<Member>> {
        let owner: Option<String> = rooms::Entity::find_by_id(room.as_str())
            .select_only()
            .column(rooms::Column::OwnerId)
            .into_tuple()
            .one(self.db.reader())
            .await
            .context("finding a room's owner")?;
        let rows = memberships::Entity::find()
            .find_also_related(users::Entity)
            .filter(memberships::Column::RoomId.eq(room.as_str()))
            .order_by_asc(memberships::Column::JoinOrder)
            .order_by_asc(memberships::Column::UserId)
            .all(self.db.reader())
            .await
            .context("listing members")?;
        rows.into_iter()
            .map(|(membership, user)| {
                let user = user.context("membership without its user")?;
                Ok(Member {
                    user_id: UserId::parse(&membership.user_id).context("stored membership user id")?,
                    user_name: UserName::parse(&user.name).context("stored user name")?,
                    joined_at: from_millis(membership.joined_at)?,
                    is_owner: owner.as_deref() == Some(membership.user_id.as_str()),
                })
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn last_kicked_at(&self, room: &RoomId, user: &UserId) -> anyhow::Result<Option<OffsetDateTime>> {
        let row = kicks::Entity::find_by_id(key(room, user)).one(self.db.reader()).await.context("finding a kick")?;
        row.map(|kick| from_millis(kick.kicked_at)).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all, fields(marks = marks.len()), err(level = "debug"))]
    async fn save_delivered(&self, marks: &[DeliveryMark]) -> anyhow::Result<()> {
        if marks.is_empty() {
            return Ok(());
        }
        let txn = self.db.writer().begin().await.context("beginning a transaction")?;
        for mark in marks {
            // Never lowers: a slower connection may report an older seq last.
            // Only in the life of the room it was read in (S7).
            let this_life = Query::select()
                .column(rooms::Column::Id)
                .from(rooms::Entity)
                .cond_where(rooms::this_life(&mark.room))
                .to_owned();
            memberships::Entity::update_many()
                .col_expr(memberships::Column::LastDeliveredSeq, Expr::value(mark.seq.get()))
                .filter(memberships::Column::RoomId.in_subquery(this_life))
                .filter(memberships::Column::UserId.eq(mark.user_id.as_str()))
                .filter(memberships::Column::LastDeliveredSeq.lt(mark.seq.get()))
                .exec(&txn)
                .await
                .context("saving a delivery mark")?;
        }
        txn.commit().await.context("committing delivery marks")?;
        Ok(())
    }
}
