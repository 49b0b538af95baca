//! Persistence with sea-orm on SQLite, PostgreSQL or MySQL/MariaDB: the
//! [`Database`] handle and one adapter per storage port of the domain. Entities
//! stay inside this crate; every adapter maps rows to domain types by re-running
//! their parsers and translates database errors itself, so no `DbErr` crosses a
//! port.

mod database;
mod db_errors;
mod entities;
mod membership_repository;
mod message_store;
mod reset_code_store;
mod room_repository;
mod room_writes;
mod session_store;
mod throttle_store;
mod timestamps;
mod user_repository;

pub use database::{Database, DEFAULT_ACQUIRE_TIMEOUT};
pub use membership_repository::SeaOrmMembershipRepository;
pub use message_store::{AppendWriter, SeaOrmMessageStore};
pub use reset_code_store::SeaOrmResetCodeStore;
pub use room_repository::SeaOrmRoomRepository;
pub use session_store::SeaOrmSessionStore;
pub use throttle_store::SeaOrmThrottleStore;
pub use user_repository::SeaOrmUserRepository;
