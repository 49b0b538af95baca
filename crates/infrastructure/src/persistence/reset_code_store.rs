//! [`ResetCodeStore`] on sea-orm: one live reset code per email (S3), with
//! attempts claimed atomically before a code is checked (S8) and single use.

use async_trait::async_trait;
use chatroom_domain::account::{ResetCode, ResetCodeStore};
use chatroom_domain::user::Email;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, Condition, EntityTrait, IntoActiveModel, QueryFilter};
use time::OffsetDateTime;

use super::database::Database;
use super::db_errors::Context;
use super::entities::reset_codes;
use super::timestamps::to_millis;

/// Reset codes in a SQL database.
#[derive(Debug, Clone)]
pub struct SeaOrmResetCodeStore {
    db: Database,
}

impl SeaOrmResetCodeStore {
    pub fn new(db: &Database) -> Self {
        Self { db: db.clone() }
    }
}

// Emails and code hashes stay out of spans.
#[async_trait]
impl ResetCodeStore for SeaOrmResetCodeStore {
    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn replace(&self, code: &ResetCode) -> anyhow::Result<()> {
        // One upsert: atomic, and free of the gap locks a delete-then-insert takes
        // on MySQL.
        let row = reset_codes::Model::from_domain(code)?;
        reset_codes::Entity::insert(row.into_active_model())
            .on_conflict(
                OnConflict::column(reset_codes::Column::Email)
                    .update_columns([
                        reset_codes::Column::CodeHash,
                        reset_codes::Column::ExpiresAt,
                        reset_codes::Column::FailedAttempts,
                        reset_codes::Column::Used,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(self.db.writer())
            .await
            .context("storing a reset code")?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn find(&self, email: &Email) -> anyhow::Result<Option<ResetCode>> {
        let row = reset_codes::Entity::find_by_id(email.as_str())
            .one(self.db.reader())
            .await
            .context("finding a reset code")?;
        row.map(reset_codes::Model::into_domain).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn claim_attempt(&self, email: &Email, max_attempts: u32, now: OffsetDateTime) -> anyhow::Result<bool> {
        // One conditional update: the database lets at most `max_attempts` of any
        // number of racing claims through (S8), on every backend.
        let max = i32::try_from(max_attempts).unwrap_or(i32::MAX);
        let claimed = reset_codes::Entity::update_many()
            .col_expr(reset_codes::Column::FailedAttempts, Expr::col(reset_codes::Column::FailedAttempts).add(1))
            .filter(reset_codes::Column::Email.eq(email.as_str()))
            .filter(reset_codes::Column::Used.eq(false))
            .filter(reset_codes::Column::FailedAttempts.lt(max))
            .filter(reset_codes::Column::ExpiresAt.gt(to_millis(now)))
            .exec(self.db.writer())
            .await
            .context("claiming a reset attempt")?;
        Ok(claimed.rows_affected == 1)
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn mark_used(&self, email: &Email) -> anyhow::Result<bool> {
        // The condition on `used` lets exactly one of two racing uses through.
        let updated = reset_codes::Entity::update_many()
            .col_expr(reset_codes::Column::Used, Expr::value(true))
            .filter(reset_codes::Column::Email.eq(email.as_str()))
            .filter(reset_codes::Column::Used.eq(false))
            .exec(self.db.writer())
            .await
            .context("marking a reset code used")?;
        Ok(updated.rows_affected == 1)
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn purge_stale(&self, now: OffsetDateTime) -> anyhow::Result<u64> {
        // A burned code that has not expired stays: it still answers E1106.
        let deleted = reset_codes::Entity::delete_many()
            .filter(
                Condition::any()
                    .add(reset_codes::Column::Used.eq(true))
                    .add(reset_codes::Column::ExpiresAt.lte(to_millis(now))),
            )
            .exec(self.db.writer())
            .await
            .context("purging stale reset codes")?;
        Ok(deleted.rows_affected)
    }
}
