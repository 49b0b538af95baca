//! [`UserRepository`] on sea-orm: users with unique ids and emails (R1).

use async_trait::async_trait;
use chatroom_domain::ids::UserId;
use chatroom_domain::user::ports::UserWriteError;
use chatroom_domain::user::{Email, PasswordHash, ProfileUpdate, User, UserRepository};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};

use super::database::Database;
use super::db_errors::{is_unique_violation, unexpected, Context};
use super::entities::users;

/// Users in a SQL database.
#[derive(Debug, Clone)]
pub struct SeaOrmUserRepository {
    db: Database,
}

impl SeaOrmUserRepository {
    pub fn new(db: &Database) -> Self {
        Self { db: db.clone() }
    }
}

#[async_trait]
impl UserRepository for SeaOrmUserRepository {
    #[tracing::instrument(level = "debug", skip_all, fields(user_id = %user.id), err(level = "debug"))]
    async fn insert(&self, user: &User) -> Result<(), UserWriteError> {
        let row = users::Model::from_domain(user).into_active_model();
        match users::Entity::insert(row).exec_without_returning(self.db.writer()).await {
            Ok(_) => Ok(()),
            Err(err) if is_unique_violation(&err) => Err(UserWriteError::IdOrEmailTaken),
            Err(err) => Err(unexpected("inserting a user")(err).into()),
        }
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn find_by_id(&self, id: &UserId) -> anyhow::Result<Option<User>> {
        let row = users::Entity::find_by_id(id.as_str()).one(self.db.reader()).await.context("finding a user")?;
        row.map(users::Model::into_domain).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn find_by_email(&self, email: &Email) -> anyhow::Result<Option<User>> {
        let row = users::Entity::find()
            .filter(users::Column::Email.eq(email.as_str()))
            .one(self.db.reader())
            .await
            .context("finding a user by email")?;
        row.map(users::Model::into_domain).transpose()
    }

    #[tracing::instrument(level = "debug", skip(self, update), err(level = "debug"))]
    async fn update_profile(&self, id: &UserId, update: &ProfileUpdate) -> Result<(), UserWriteError> {
        let ProfileUpdate { name, email } = update;
        if name.is_none() && email.is_none() {
            return Ok(());
        }
        let mut update = users::Entity::update_many().filter(users::Column::Id.eq(id.as_str()));
        if let Some(name) = name {
            update = update.col_expr(users::Column::Name, Expr::value(name.as_str()));
        }
        if let Some(email) = email {
            update = update.col_expr(users::Column::Email, Expr::value(email.as_str()));
        }
        let updated = match update.exec(self.db.writer()).await {
            Ok(updated) => updated,
            Err(err) if is_unique_violation(&err) => return Err(UserWriteError::IdOrEmailTaken),
            Err(err) => return Err(unexpected("updating a user's profile")(err).into()),
        };
        if updated.rows_affected == 0 {
            return Err(anyhow::anyhow!("no user {id} to update").into());
        }
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip(self, hash), err(level = "debug"))]
    async fn update_password(&self, id: &UserId, hash: &PasswordHash) -> anyhow::Result<()> {
        let updated = users::Entity::update_many()
            .col_expr(users::Column::PasswordHash, Expr::value(hash.as_str()))
            .filter(users::Column::Id.eq(id.as_str()))
            .exec(self.db.writer())
            .await
            .context("updating a user's password")?;
        anyhow::ensure!(updated.rows_affected > 0, "no user {id} to update");
        Ok(())
    }
}
