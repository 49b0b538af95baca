//! The `memberships` table. `join_order` is the seq of the member's `joined`
//! event, so it orders members within a room (R8) without ties.

use anyhow::Context;
use chatroom_domain::ids::{RoomId, Seq, UserId};
use chatroom_domain::room::Membership;
use sea_orm::entity::prelude::*;
use time::OffsetDateTime;

use crate::persistence::timestamps::{from_millis, to_millis};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "memberships")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub room_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: String,
    pub joined_at: i64,
    pub join_order: i64,
    pub last_delivered_seq: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::rooms::Entity", from = "Column::RoomId", to = "super::rooms::Column::Id")]
    Rooms,
    #[sea_orm(belongs_to = "super::users::Entity", from = "Column::UserId", to = "super::users::Column::Id")]
    Users,
}

impl Related<super::rooms::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Rooms.def()
    }
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Users.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// A new membership; `join_order` is the seq of its `joined` event.
    pub(crate) fn joining(room: &RoomId, user: &UserId, at: OffsetDateTime, join_order: i64) -> Self {
        Self {
            room_id: room.as_str().to_owned(),
            user_id: user.as_str().to_owned(),
            joined_at: to_millis(at),
            join_order,
            last_delivered_seq: 0,
        }
    }

    pub(crate) fn into_domain(self) -> anyhow::Result<Membership> {
        Ok(Membership {
            room_id: RoomId::parse(&self.room_id).context("stored membership room id")?,
            user_id: UserId::parse(&self.user_id).context("stored membership user id")?,
            joined_at: from_millis(self.joined_at)?,
            last_delivered_seq: Seq::new(self.last_delivered_seq),
        })
    }
}
