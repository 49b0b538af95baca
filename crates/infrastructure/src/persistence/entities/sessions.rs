//! The `sessions` table.

use anyhow::Context;
use chatroom_domain::account::Session;
use chatroom_domain::ids::{SessionId, UserId};
use sea_orm::entity::prelude::*;

use crate::persistence::timestamps::{from_millis, to_millis};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub user_id: String,
    pub issued_at: i64,
    pub expires_at: i64,
    pub revoked: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub(crate) fn from_domain(session: &Session) -> Self {
        Self {
            id: session.id.as_str().to_owned(),
            user_id: session.user_id.as_str().to_owned(),
            issued_at: to_millis(session.issued_at),
            expires_at: to_millis(session.expires_at),
            revoked: session.revoked,
        }
    }

    pub(crate) fn into_domain(self) -> anyhow::Result<Session> {
        Ok(Session {
            id: SessionId::new(self.id),
            user_id: UserId::parse(&self.user_id).context("stored session user id")?,
            issued_at: from_millis(self.issued_at)?,
            expires_at: from_millis(self.expires_at)?,
            revoked: self.revoked,
        })
    }
}
