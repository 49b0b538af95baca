//! The `reset_codes` table.

use anyhow::Context;
use chatroom_domain::account::ResetCode;
use chatroom_domain::user::Email;
use sea_orm::entity::prelude::*;

use crate::persistence::timestamps::{from_millis, to_millis};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reset_codes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub email: String,
    pub code_hash: String,
    pub expires_at: i64,
    pub failed_attempts: i32,
    pub used: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub(crate) fn from_domain(code: &ResetCode) -> anyhow::Result<Self> {
        Ok(Self {
            email: code.email.as_str().to_owned(),
            code_hash: code.code_hash.clone(),
            expires_at: to_millis(code.expires_at),
            failed_attempts: i32::try_from(code.failed_attempts).context("failed attempts out of range")?,
            used: code.used,
        })
    }

    pub(crate) fn into_domain(self) -> anyhow::Result<ResetCode> {
        Ok(ResetCode {
            email: Email::parse(&self.email).context("stored reset code email")?,
            code_hash: self.code_hash,
            expires_at: from_millis(self.expires_at)?,
            failed_attempts: u32::try_from(self.failed_attempts).context("stored failed attempts")?,
            used: self.used,
        })
    }
}
