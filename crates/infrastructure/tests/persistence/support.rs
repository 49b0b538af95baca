//! Fresh databases per test and the fixtures the contract tests share.
//!
//! SQLite: a file in a temporary directory. PostgreSQL / MySQL: a uniquely named
//! database on the server named by `CHATROOM_TEST_POSTGRES_URL` /
//! `CHATROOM_TEST_MYSQL_URL`, migrated, and dropped after the test, also when it
//! panics. Without the variable the test passes after printing `skipped: …`,
//! unless `CHATROOM_TEST_REQUIRE_SERVICES=1`.

use std::future::Future;

use chatroom_domain::ids::{ImageId, Incarnation, RoomId, RoomKey, UserId};
use chatroom_domain::room::{Access, Capacity, Room, RoomName, RoomRepository};
use chatroom_domain::timeline::{ClientMsgId, EventKind, ImageType, MessageContent, NewEvent, Sender};
use chatroom_domain::user::{Email, PasswordHash, User, UserName, UserRepository};
use chatroom_infrastructure::persistence::{Database, SeaOrmMessageStore, SeaOrmRoomRepository, SeaOrmUserRepository};
use sqlx::{Connection, Executor};
use time::OffsetDateTime;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
    MySql,
}

impl Backend {
    fn env_var(self) -> &'static str {
        match self {
            Backend::Sqlite => "",
            Backend::Postgres => "CHATROOM_TEST_POSTGRES_URL",
            Backend::MySql => "CHATROOM_TEST_MYSQL_URL",
        }
    }
}

/// Runs one contract test against a fresh, migrated database of `backend`.
pub async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(Database) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("chatroom.db");
            let db = Database::connect(&format!("sqlite://{}?mode=rwc", path.display())).await.unwrap();
            db.migrate().await.unwrap();
            let outcome = tokio::spawn(test(db.clone())).await;
            db.close().await.unwrap();
            rethrow(outcome);
        }
        Backend::Postgres | Backend::MySql => {
            let Some(admin_url) = server_url(backend) else { return };
            let name = format!("chatroom_it_{}", uuid::Uuid::new_v4().simple());
            admin(backend, &admin_url, &format!("CREATE DATABASE {name}")).await;
            let db = Database::connect(&with_database(&admin_url, &name)).await.unwrap();
            let migrated = db.migrate().await;
            let outcome = match migrated {
                Ok(()) => Some(tokio::spawn(test(db.clone())).await),
                Err(_) => None,
            };
            db.close().await.unwrap();
            let force = if backend == Backend::Postgres { " WITH (FORCE)" } else { "" };
            admin(backend, &admin_url, &format!("DROP DATABASE IF EXISTS {name}{force}")).await;
            migrated.unwrap();
            if let Some(outcome) = outcome {
                rethrow(outcome);
            }
        }
    }
}

fn rethrow(outcome: Result<(), tokio::task::JoinError>) {
    if let Err(err) = outcome {
        match err.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(err) => panic!("test task failed: {err}"),
        }
    }
}

fn server_url(backend: Backend) -> Option<String> {
    let var = backend.env_var();
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            let required = std::env::var("CHATROOM_TEST_REQUIRE_SERVICES").is_ok_and(|v| v == "1");
            assert!(!required, "{var} is not set but CHATROOM_TEST_REQUIRE_SERVICES=1");
            eprintln!("skipped: {var} not set");
            None
        }
    }
}

async fn admin(backend: Backend, url: &str, statement: &str) {
    match backend {
        Backend::Postgres => {
            let mut connection = sqlx::PgConnection::connect(url).await.unwrap();
            connection.execute(statement).await.unwrap();
            connection.close().await.unwrap();
        }
        Backend::MySql => {
            let mut connection = sqlx::MySqlConnection::connect(url).await.unwrap();
            connection.execute(statement).await.unwrap();
            connection.close().await.unwrap();
        }
        Backend::Sqlite => unreachable!("SQLite databases are files"),
    }
}

/// `scheme://user@host:port/<old>?query` → the same URL naming database `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    }
}

/// Declares each listed `async fn(Database)` as one test per backend:
/// `name::sqlite`, `name::postgres`, `name::mysql`.
macro_rules! contract_tests {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use crate::support::{run, Backend};

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                run(Backend::Sqlite, super::$name).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                run(Backend::Postgres, super::$name).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn mysql() {
                run(Backend::MySql, super::$name).await;
            }
        }
    )*};
}
pub(crate) use contract_tests;

/// A fixed instant plus `millis`: stored times have millisecond precision.
pub fn at(millis: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos((1_700_000_000_000 + i128::from(millis)) * 1_000_000).unwrap()
}

pub fn user_id(id: &str) -> UserId {
    UserId::parse(id).unwrap()
}

pub fn room_id(id: &str) -> RoomId {
    RoomId::parse(id).unwrap()
}

/// The incarnation every test room is created with (S7).
pub const FIRST_LIFE: Incarnation = Incarnation::new(1);

/// The room `id` in the life the helpers create it in.
pub fn room_key(id: &str) -> RoomKey {
    RoomKey::new(room_id(id), FIRST_LIFE)
}

pub fn user(id: &str, email: &str) -> User {
    User {
        id: user_id(id),
        name: UserName::parse(&format!("name of {id}")).unwrap(),
        email: Email::parse(email).unwrap(),
        password_hash: PasswordHash::new("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned()),
        created_at: at(0),
    }
}

/// Stores users with these ids (and `<id>@example.com`).
pub async fn given_users(db: &Database, ids: &[&str]) -> Vec<User> {
    let repo = SeaOrmUserRepository::new(db);
    let mut users = Vec::new();
    for id in ids {
        let user = user(id, &format!("{id}@example.com"));
        repo.insert(&user).await.unwrap();
        users.push(user);
    }
    users
}

pub fn room(id: &str, name: &str, owner: &str, capacity: u32, created_at: OffsetDateTime) -> Room {
    Room {
        id: room_id(id),
        incarnation: FIRST_LIFE,
        name: RoomName::parse(name).unwrap(),
        capacity: Capacity::from_stored(capacity),
        access: Access::Public,
        owner: user_id(owner),
        created_at,
    }
}

/// Stores a public room named after its id, owned by `owner` (who must exist).
pub async fn given_room(db: &Database, id: &str, owner: &str, capacity: u32) -> Room {
    let room = room(id, &format!("room {id}"), owner, capacity, at(0));
    SeaOrmRoomRepository::new(db).insert(&room).await.unwrap();
    room
}

/// A message store whose writer runs on a task of its own until the last clone
/// of the store is dropped (the server stops it itself, D5).
pub fn message_store(db: &Database) -> SeaOrmMessageStore {
    let (store, writer) = SeaOrmMessageStore::new(db);
    tokio::spawn(writer.run(std::future::pending()));
    store
}

pub fn sender(id: &str) -> Sender {
    Sender { id: user_id(id), name: UserName::parse(&format!("name of {id}")).unwrap() }
}

pub fn message(from: &str, text: &str, client_msg_id: Option<&str>, at_ms: i64) -> NewEvent {
    NewEvent {
        at: at(at_ms),
        kind: EventKind::Message {
            from: sender(from),
            content: MessageContent::parse(text, 4000).unwrap(),
            client_msg_id: client_msg_id.map(|id| ClientMsgId::parse(id).unwrap()),
        },
    }
}

pub fn image(from: &str, id: &str, at_ms: i64) -> NewEvent {
    NewEvent {
        at: at(at_ms),
        kind: EventKind::Image { from: sender(from), image: ImageId::parse(id).unwrap(), image_type: ImageType::Png },
    }
}

#[test]
fn the_database_name_in_a_url_is_replaced() {
    assert_eq!(with_database("postgres://postgres@127.0.0.1:5432/test", "x"), "postgres://postgres@127.0.0.1:5432/x");
    assert_eq!(with_database("mysql://root@127.0.0.1:3306", "x"), "mysql://root@127.0.0.1:3306/x");
    assert_eq!(with_database("postgres://u:p@h/db?sslmode=disable", "x"), "postgres://u:p@h/x?sslmode=disable");
}
