//! Start-up on PostgreSQL and MySQL/MariaDB, each test on a database of its own.
//! Skipped (with a printed reason) when `CHATROOM_TEST_POSTGRES_URL` /
//! `CHATROOM_TEST_MYSQL_URL` are unset; failing when `CHATROOM_TEST_REQUIRE_SERVICES=1`.

use std::time::{Duration, Instant};

use chatroom_tests::{Backend, TestDatabase};

use crate::{chatroom, envelope};

/// Starts on a fresh database, checks readiness, then drops the database under the
/// running server and expects readiness to fail with E5003.
async fn starts_migrates_and_reports_readiness(backend: Backend, test: &str) {
    let Some(mut database) = TestDatabase::create(backend, test).await else { return };
    let app = chatroom().args(["--database-url", &database.url]).spawn().await;
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    assert_eq!(envelope(ready).await["Code"], 0);
    assert!(!app.data_dir().join("chatroom.db").exists(), "SQLite was used instead of {backend:?}");

    database.drop_database().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        let response = app.get("/readyz").await;
        if response.status() != 200 || Instant::now() > deadline {
            break response;
        }
        // The pool may hold a connection that has not noticed yet; bounded retry.
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(status.status(), 503);
    assert_eq!(envelope(status).await["Code"], 5003);
}

#[tokio::test]
async fn postgres_start_up_migrates_and_readyz_follows_the_database() {
    starts_migrates_and_reports_readiness(Backend::Postgres, "postgres_start_up").await;
}

#[tokio::test]
async fn mysql_start_up_migrates_and_readyz_follows_the_database() {
    starts_migrates_and_reports_readiness(Backend::MySql, "mysql_start_up").await;
}

#[tokio::test]
async fn migrate_subcommand_on_postgres_is_idempotent() {
    let Some(database) = TestDatabase::create(Backend::Postgres, "migrate_on_postgres").await else { return };
    for _ in 0..2 {
        let finished = chatroom().args(["--database-url", &database.url]).run(&["migrate"]).await;
        assert!(finished.status.success(), "{finished:?}");
    }
}
