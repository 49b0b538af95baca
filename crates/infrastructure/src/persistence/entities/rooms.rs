//! The `rooms` table, with its counters `member_count` (R4) and `last_seq` (R13).

use anyhow::Context;
use chatroom_domain::ids::{Incarnation, RoomId, RoomKey, UserId};
use chatroom_domain::room::{Access, Capacity, Room, RoomName};
use sea_orm::entity::prelude::*;

use crate::persistence::timestamps::{from_millis, to_millis};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rooms")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    pub name_key: String,
    pub capacity: i32,
    pub is_public: bool,
    pub owner_id: String,
    pub created_at: i64,
    pub member_count: i32,
    pub last_seq: i64,
    /// This life of the roomId (S7).
    pub incarnation: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::memberships::Entity")]
    Memberships,
}

impl Related<super::memberships::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Memberships.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

/// The rows of `room` in this life only (S7): a condition for any statement
/// on `rooms`.
pub(crate) fn this_life(room: &RoomKey) -> sea_orm::Condition {
    sea_orm::Condition::all().add(Column::Id.eq(room.as_str())).add(Column::Incarnation.eq(room.incarnation.get()))
}

impl Model {
    /// A new room row: its owner is its only member and nothing is sequenced yet.
    pub(crate) fn from_domain(room: &Room) -> anyhow::Result<Self> {
        Ok(Self {
            id: room.id.as_str().to_owned(),
            name: room.name.as_str().to_owned(),
            name_key: room.name.normalized_key(),
            capacity: i32::try_from(room.capacity.get()).context("room capacity out of range")?,
            is_public: room.access.is_public(),
            owner_id: room.owner.as_str().to_owned(),
            created_at: to_millis(room.created_at),
            member_count: 1,
            last_seq: 0,
            incarnation: room.incarnation.get(),
        })
    }

    pub(crate) fn into_domain(self) -> anyhow::Result<Room> {
        Ok(Room {
            id: RoomId::parse(&self.id).context("stored room id")?,
            incarnation: Incarnation::new(self.incarnation),
            name: RoomName::parse(&self.name).context("stored room name")?,
            capacity: Capacity::from_stored(u32::try_from(self.capacity).context("stored room capacity")?),
            access: if self.is_public { Access::Public } else { Access::Private },
            owner: UserId::parse(&self.owner_id).context("stored room owner")?,
            created_at: from_millis(self.created_at)?,
        })
    }
}
