//! The `Database` handle: URLs it accepts, migrations, readiness.

use chatroom_domain::user::UserRepository;
use chatroom_infrastructure::persistence::{Database, SeaOrmUserRepository};

use crate::support::{contract_tests, user, user_id};

contract_tests!(migrating_twice_changes_nothing_and_the_database_answers_pings);

async fn migrating_twice_changes_nothing_and_the_database_answers_pings(db: Database) {
    db.migrate().await.unwrap();

    db.ping().await.unwrap();
    assert!(["sqlite", "postgres", "mysql"].contains(&db.backend_name()));
}

/// Stores and reads back a user: the schema is there and both pools see it.
async fn assert_usable(db: &Database) {
    let repo = SeaOrmUserRepository::new(db);
    repo.insert(&user("alice", "alice@example.com")).await.unwrap();
    assert!(repo.find_by_id(&user_id("alice")).await.unwrap().is_some());
}

#[tokio::test]
async fn sqlite_opens_a_plain_file_path_and_creates_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain.db");

    let db = Database::connect(path.to_str().unwrap()).await.unwrap();
    db.migrate().await.unwrap();

    assert_eq!(db.backend_name(), "sqlite");
    assert!(path.exists());
    assert_usable(&db).await;
    db.close().await.unwrap();
}

#[tokio::test]
async fn sqlite_in_memory_keeps_one_database_for_reads_and_writes() {
    let db = Database::connect("sqlite::memory:").await.unwrap();
    db.migrate().await.unwrap();

    db.ping().await.unwrap();
    assert_usable(&db).await;
}
