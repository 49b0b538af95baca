//! The `users` table.

use anyhow::Context;
use chatroom_domain::ids::UserId;
use chatroom_domain::user::{Email, PasswordHash, User, UserName};
use sea_orm::entity::prelude::*;

use crate::persistence::timestamps::{from_millis, to_millis};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    pub email: String,
    pub password_hash: String,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub(crate) fn from_domain(user: &User) -> Self {
        Self {
            id: user.id.as_str().to_owned(),
            name: user.name.as_str().to_owned(),
            email: user.email.as_str().to_owned(),
            password_hash: user.password_hash.as_str().to_owned(),
            created_at: to_millis(user.created_at),
        }
    }

    pub(crate) fn into_domain(self) -> anyhow::Result<User> {
        Ok(User {
            id: UserId::parse(&self.id).context("stored user id")?,
            name: UserName::parse(&self.name).context("stored user name")?,
            email: Email::parse(&self.email).context("stored user email")?,
            password_hash: PasswordHash::new(self.password_hash),
            created_at: from_millis(self.created_at)?,
        })
    }
}
