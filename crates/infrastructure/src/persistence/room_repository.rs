//! [`RoomRepository`] on sea-orm: rooms, their creation with the owner's
//! membership (R3), uniqueness of id and normalized name (R2), changes (R7),
//! ownership transfers and deletion.

use async_trait::async_trait;
use chatroom_domain::ids::{ImageId, RoomId, RoomKey, UserId};
use chatroom_domain::room::{
    ChangeRoomError, InsertRoomError, Room, RoomChanges, RoomName, RoomRepository, RoomSearch, TransferOwnershipError,
};
use chatroom_domain::timeline::{EventKind, NewEvent, RoomEvent, SystemEvent};
use sea_orm::sea_query::{Expr, LikeExpr};
use sea_orm::{
    ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, RelationTrait, TransactionTrait,
};
use time::OffsetDateTime;

use super::database::Database;
use super::db_errors::{is_unique_violation, unexpected, Context};
use super::entities::{memberships, rooms};
use super::room_writes::{append_event, delete_room, find_room, lock_room, next_seq, store_event};

/// The escape character of search patterns.
const LIKE_ESCAPE: char = '\\';

/// Rooms in a SQL database.
#[derive(Debug, Clone)]
pub struct SeaOrmRoomRepository {
    db: Database,
}

impl SeaOrmRoomRepository {
    pub fn new(db: &Database) -> Self {
        Self { db: db.clone() }
    }
}

/// `text` as a LIKE pattern that matches it literally anywhere in a value.
fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | LIKE_ESCAPE) {
            pattern.push(LIKE_ESCAPE);
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

fn system(at: OffsetDateTime, event: SystemEvent) -> NewEvent {
    NewEvent { at, kind: EventKind::System(event) }
}

fn into_rooms(rows: Vec<rooms::Model>) -> anyhow::Result<Vec<Room>> {
    rows.into_iter().map(rooms::Model::into_domain).collect()
}

#[async_trait]
impl RoomRepository for SeaOrmRoomRepository {
    #[tracing::instrument(level = "debug", skip_all, fields(room_id = %room.id), err(level = "debug"))]
    async fn insert(&self, room: &Room) -> Result<RoomEvent, InsertRoomError> {
        let txn = self.db.writer().begin().await.map_err(unexpected("beginning a transaction"))?;
        let row = rooms::Model::from_domain(room)?;
        match rooms::Entity::insert(row.into_active_model()).exec_without_returning(&txn).await {
            Ok(_) => {}
            Err(err) if is_unique_violation(&err) => return Err(InsertRoomError::Taken),
            Err(err) => return Err(unexpected("inserting a room")(err).into()),
        }
        // R3: the owner's `joined` is the room's first event and orders them first.
        let joined = system(room.created_at, SystemEvent::Joined(room.owner.clone()));
        let event = append_event(&txn, &room.key(), joined).await?.context("room vanished while being created")?;
        let membership = memberships::Model::joining(&room.id, &room.owner, room.created_at, event.seq.get());
        memberships::Entity::insert(membership.into_active_model())
            .exec_without_returning(&txn)
            .await
            .map_err(unexpected("inserting the owner's membership"))?;
        txn.commit().await.map_err(unexpected("committing a new room"))?;
        Ok(event)
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn find_by_id(&self, id: &RoomId) -> anyhow::Result<Option<Room>> {
        let row = rooms::Entity::find_by_id(id.as_str()).one(self.db.reader()).await.context("finding a room")?;
        row.map(rooms::Model::into_domain).transpose()
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn find_by_name(&self, name: &RoomName) -> anyhow::Result<Option<Room>> {
        let row = rooms::Entity::find()
            .filter(rooms::Column::NameKey.eq(name.normalized_key()))
            .one(self.db.reader())
            .await
            .context("finding a room by name")?;
        row.map(rooms::Model::into_domain).transpose()
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn search(&self, search: &RoomSearch) -> anyhow::Result<Vec<Room>> {
        let mut query = rooms::Entity::find();
        if !search.name_contains.is_empty() {
            let pattern = LikeExpr::new(contains_pattern(&search.name_contains)).escape(LIKE_ESCAPE);
            query = query.filter(Expr::col(rooms::Column::NameKey).like(pattern));
        }
        let rows = query
            .order_by_desc(rooms::Column::CreatedAt)
            .order_by_asc(rooms::Column::Id)
            .limit(u64::from(search.limit))
            .offset(search.offset)
            .all(self.db.reader())
            .await
            .context("searching rooms")?;
        into_rooms(rows)
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn list_for_member(&self, user: &UserId) -> anyhow::Result<Vec<Room>> {
        let rows = rooms::Entity::find()
            .join(sea_orm::JoinType::InnerJoin, rooms::Relation::Memberships.def())
            .filter(memberships::Column::UserId.eq(user.as_str()))
            .order_by_asc(memberships::Column::JoinedAt)
            .order_by_asc(rooms::Column::Id)
            .all(self.db.reader())
            .await
            .context("listing a member's rooms")?;
        into_rooms(rows)
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn update(
        &self,
        id: &RoomKey,
        changes: &RoomChanges,
        at: OffsetDateTime,
    ) -> Result<(Room, RoomEvent), ChangeRoomError> {
        let txn = self.db.writer().begin().await.map_err(unexpected("beginning a transaction"))?;
        // Touching last_seq locks the row and keeps the statement valid without changes.
        let mut update = rooms::Entity::update_many()
            .col_expr(rooms::Column::LastSeq, Expr::col(rooms::Column::LastSeq).into())
            .filter(rooms::this_life(id));
        if let Some(name) = &changes.name {
            update = update
                .col_expr(rooms::Column::Name, Expr::value(name.as_str()))
                .col_expr(rooms::Column::NameKey, Expr::value(name.normalized_key()));
        }
        if let Some(capacity) = changes.capacity {
            let capacity = i32::try_from(capacity.get()).context("room capacity out of range")?;
            // R7, checked against the member count at commit time.
            update = update
                .col_expr(rooms::Column::Capacity, Expr::value(capacity))
                .filter(rooms::Column::MemberCount.lte(capacity));
        }
        if let Some(access) = changes.access {
            update = update.col_expr(rooms::Column::IsPublic, Expr::value(access.is_public()));
        }
        let updated = match update.exec(&txn).await {
            Ok(updated) => updated,
            Err(err) if is_unique_violation(&err) => return Err(ChangeRoomError::Taken),
            Err(err) => return Err(unexpected("updating a room")(err).into()),
        };
        if updated.rows_affected == 0 {
            let exists = find_room(&txn, id).await?.is_some();
            return Err(if exists { ChangeRoomError::CapacityBelowMembers } else { ChangeRoomError::RoomNotFound });
        }
        let room = find_room(&txn, id).await?.context("room vanished while being updated")?.into_domain()?;
        let event = append_event(&txn, id, system(at, SystemEvent::RoomUpdated(room.snapshot())))
            .await?
            .context("room vanished while being updated")?;
        txn.commit().await.map_err(unexpected("committing a room update"))?;
        Ok((room, event))
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn transfer_ownership(
        &self,
        id: &RoomKey,
        new_owner: &UserId,
        at: OffsetDateTime,
    ) -> Result<RoomEvent, TransferOwnershipError> {
        let txn = self.db.writer().begin().await.map_err(unexpected("beginning a transaction"))?;
        let seq = next_seq(&txn, id).await?.ok_or(TransferOwnershipError::RoomNotFound)?;
        let membership = memberships::Entity::find_by_id((id.as_str().to_owned(), new_owner.as_str().to_owned()))
            .one(&txn)
            .await
            .map_err(unexpected("finding the new owner's membership"))?;
        if membership.is_none() {
            return Err(TransferOwnershipError::NotMember);
        }
        rooms::Entity::update_many()
            .col_expr(rooms::Column::OwnerId, Expr::value(new_owner.as_str()))
            .filter(rooms::this_life(id))
            .exec(&txn)
            .await
            .map_err(unexpected("changing a room's owner"))?;
        let event = store_event(&txn, &id.id, seq, system(at, SystemEvent::OwnerChanged(new_owner.clone()))).await?;
        txn.commit().await.map_err(unexpected("committing an ownership transfer"))?;
        Ok(event)
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn delete(&self, id: &RoomKey) -> anyhow::Result<Option<Vec<ImageId>>> {
        let txn = self.db.writer().begin().await.context("beginning a transaction")?;
        if !lock_room(&txn, id).await? {
            return Ok(None);
        }
        let images = delete_room(&txn, &id.id).await?;
        txn.commit().await.context("committing a room deletion")?;
        Ok(Some(images))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_patterns_match_wildcards_and_the_escape_literally() {
        assert_eq!(contains_pattern("a%b_c\\d"), "%a\\%b\\_c\\\\d%");
        assert_eq!(contains_pattern(""), "%%");
    }
}
