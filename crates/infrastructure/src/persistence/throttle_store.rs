//! [`ThrottleStore`] on sea-orm: hit counters and lockouts for S3, S4 and S10,
//! shared by every node that uses the database, and their purge (S10).

use async_trait::async_trait;
use chatroom_domain::system::ThrottleStore;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter};
use time::OffsetDateTime;

use super::database::Database;
use super::db_errors::{is_unique_violation, unexpected, Context};
use super::entities::{throttle_hits, throttle_locks};
use super::timestamps::{from_millis, to_millis};

/// Throttle counters in a SQL database.
#[derive(Debug, Clone)]
pub struct SeaOrmThrottleStore {
    db: Database,
}

impl SeaOrmThrottleStore {
    pub fn new(db: &Database) -> Self {
        Self { db: db.clone() }
    }

    /// Moves the lock of `key` later, never earlier; `true` when a row changed.
    async fn extend_lock(&self, key: &str, until: i64) -> anyhow::Result<bool> {
        let updated = throttle_locks::Entity::update_many()
            .col_expr(throttle_locks::Column::LockedUntil, Expr::value(until))
            .filter(throttle_locks::Column::Key.eq(key))
            .filter(throttle_locks::Column::LockedUntil.lt(until))
            .exec(self.db.writer())
            .await
            .context("extending a lock")?;
        Ok(updated.rows_affected > 0)
    }
}

// Keys hold user ids, emails and addresses: they stay out of spans.
#[async_trait]
impl ThrottleStore for SeaOrmThrottleStore {
    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn hit(&self, key: &str, at: OffsetDateTime, since: OffsetDateTime) -> anyhow::Result<u32> {
        // No transaction: other nodes' hits are meant to count, and a prune that
        // shared a transaction with the insert would hold gap locks on MySQL.
        let since = to_millis(since);
        let db = self.db.writer();
        // Hits before the window can never count again.
        throttle_hits::Entity::delete_many()
            .filter(throttle_hits::Column::Key.eq(key))
            .filter(throttle_hits::Column::At.lt(since))
            .exec(db)
            .await
            .context("pruning old hits")?;
        let hit = throttle_hits::ActiveModel {
            id: ActiveValue::NotSet,
            key: ActiveValue::Set(key.to_owned()),
            at: ActiveValue::Set(to_millis(at)),
        };
        throttle_hits::Entity::insert(hit).exec_without_returning(db).await.context("recording a hit")?;
        let count = throttle_hits::Entity::find()
            .filter(throttle_hits::Column::Key.eq(key))
            .filter(throttle_hits::Column::At.gte(since))
            .count(db)
            .await
            .context("counting hits")?;
        u32::try_from(count).context("hit count out of range")
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn lock(&self, key: &str, until: OffsetDateTime) -> anyhow::Result<()> {
        let until = to_millis(until);
        if self.extend_lock(key, until).await? {
            return Ok(());
        }
        let row = throttle_locks::Model { key: key.to_owned(), locked_until: until };
        match throttle_locks::Entity::insert(row.into_active_model()).exec_without_returning(self.db.writer()).await {
            Ok(_) => Ok(()),
            // The lock exists (maybe inserted meanwhile): make sure it lasts long enough.
            Err(err) if is_unique_violation(&err) => self.extend_lock(key, until).await.map(|_| ()),
            Err(err) => Err(unexpected("inserting a lock")(err)),
        }
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn locked_until(&self, key: &str, now: OffsetDateTime) -> anyhow::Result<Option<OffsetDateTime>> {
        let row = throttle_locks::Entity::find_by_id(key)
            .filter(throttle_locks::Column::LockedUntil.gt(to_millis(now)))
            .one(self.db.reader())
            .await
            .context("reading a lock")?;
        row.map(|lock| from_millis(lock.locked_until)).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn last_locked_until(&self, key: &str) -> anyhow::Result<Option<OffsetDateTime>> {
        // Lock rows outlive their locks (the purge of S10 is what removes them).
        let row = throttle_locks::Entity::find_by_id(key).one(self.db.reader()).await.context("reading a lock")?;
        row.map(|lock| from_millis(lock.locked_until)).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn clear(&self, key: &str) -> anyhow::Result<()> {
        throttle_hits::Entity::delete_many()
            .filter(throttle_hits::Column::Key.eq(key))
            .exec(self.db.writer())
            .await
            .context("clearing hits")?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn purge_hits(&self, before: OffsetDateTime) -> anyhow::Result<u64> {
        let deleted = throttle_hits::Entity::delete_many()
            .filter(throttle_hits::Column::At.lt(to_millis(before)))
            .exec(self.db.writer())
            .await
            .context("purging old hits")?;
        Ok(deleted.rows_affected)
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn purge_locks(&self, before: OffsetDateTime) -> anyhow::Result<u64> {
        let deleted = throttle_locks::Entity::delete_many()
            .filter(throttle_locks::Column::LockedUntil.lt(to_millis(before)))
            .exec(self.db.writer())
            .await
            .context("purging ended locks")?;
        Ok(deleted.rows_affected)
    }
}
