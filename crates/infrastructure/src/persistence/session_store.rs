//! [`SessionStore`] on sea-orm: login sessions and their revocation (S2, R11).

use async_trait::async_trait;
use chatroom_domain::account::{Session, SessionStore};
use chatroom_domain::ids::{SessionId, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QuerySelect, TransactionTrait};
use time::OffsetDateTime;

use super::database::Database;
use super::db_errors::Context;
use super::entities::sessions;
use super::timestamps::to_millis;

/// Sessions in a SQL database.
#[derive(Debug, Clone)]
pub struct SeaOrmSessionStore {
    db: Database,
}

impl SeaOrmSessionStore {
    pub fn new(db: &Database) -> Self {
        Self { db: db.clone() }
    }
}

// Session ids are bearer secrets' keys: they are never put into spans.
#[async_trait]
impl SessionStore for SeaOrmSessionStore {
    #[tracing::instrument(level = "debug", skip_all, fields(user_id = %session.user_id), err(level = "debug"))]
    async fn insert(&self, session: &Session) -> anyhow::Result<()> {
        sessions::Entity::insert(sessions::Model::from_domain(session).into_active_model())
            .exec_without_returning(self.db.writer())
            .await
            .context("inserting a session")?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn find(&self, id: &SessionId) -> anyhow::Result<Option<Session>> {
        let row = sessions::Entity::find_by_id(id.as_str()).one(self.db.reader()).await.context("finding a session")?;
        row.map(sessions::Model::into_domain).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn revoke(&self, id: &SessionId) -> anyhow::Result<()> {
        sessions::Entity::update_many()
            .col_expr(sessions::Column::Revoked, Expr::value(true))
            .filter(sessions::Column::Id.eq(id.as_str()))
            .exec(self.db.writer())
            .await
            .context("revoking a session")?;
        Ok(())
    }

    /// Returns the sessions this call revoked: those revoked earlier have no live
    /// connection left to close.
    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn revoke_all_of(&self, user: &UserId) -> anyhow::Result<Vec<SessionId>> {
        let txn = self.db.writer().begin().await.context("beginning a transaction")?;
        let ids: Vec<String> = sessions::Entity::find()
            .select_only()
            .column(sessions::Column::Id)
            .filter(sessions::Column::UserId.eq(user.as_str()))
            .filter(sessions::Column::Revoked.eq(false))
            .into_tuple()
            .all(&txn)
            .await
            .context("listing a user's sessions")?;
        sessions::Entity::update_many()
            .col_expr(sessions::Column::Revoked, Expr::value(true))
            .filter(sessions::Column::UserId.eq(user.as_str()))
            .exec(&txn)
            .await
            .context("revoking a user's sessions")?;
        txn.commit().await.context("committing a session revocation")?;
        Ok(ids.into_iter().map(SessionId::new).collect())
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn purge_expired(&self, now: OffsetDateTime) -> anyhow::Result<u64> {
        let deleted = sessions::Entity::delete_many()
            .filter(sessions::Column::ExpiresAt.lte(to_millis(now)))
            .exec(self.db.writer())
            .await
            .context("purging expired sessions")?;
        Ok(deleted.rows_affected)
    }
}
