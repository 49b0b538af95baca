//! `SeaOrmResetCodeStore` against the `ResetCodeStore` contract (S3).

use std::sync::Arc;

use chatroom_domain::account::{ResetCode, ResetCodeStore};
use chatroom_domain::user::Email;
use chatroom_infrastructure::persistence::{Database, SeaOrmResetCodeStore};

use crate::support::{at, contract_tests};

contract_tests!(
    s3_a_new_code_replaces_the_earlier_one,
    s3_failed_attempts_are_counted_atomically,
    s3_a_code_is_used_once_even_when_two_uses_race,
);

fn email() -> Email {
    Email::parse("alice@example.com").unwrap()
}

fn code(hash: &str) -> ResetCode {
    ResetCode { email: email(), code_hash: hash.to_owned(), expires_at: at(600_000), failed_attempts: 0, used: false }
}

async fn s3_a_new_code_replaces_the_earlier_one(db: Database) {
    let store = SeaOrmResetCodeStore::new(&db);
    store.replace(&code("first")).await.unwrap();
    store.record_failed_attempt(&email()).await.unwrap();
    store.mark_used(&email()).await.unwrap();

    store.replace(&code("second")).await.unwrap();

    assert_eq!(store.find(&email()).await.unwrap(), Some(code("second")));
    assert_eq!(store.find(&Email::parse("other@example.com").unwrap()).await.unwrap(), None);
}

async fn s3_failed_attempts_are_counted_atomically(db: Database) {
    let store = Arc::new(SeaOrmResetCodeStore::new(&db));
    assert_eq!(store.record_failed_attempt(&email()).await.unwrap(), 0, "no code, no count");
    store.replace(&code("hash")).await.unwrap();

    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let store = Arc::clone(&store);
            tokio::spawn(async move { store.record_failed_attempt(&email()).await.unwrap() })
        })
        .collect();
    let mut counts = Vec::new();
    for task in tasks {
        counts.push(task.await.unwrap());
    }

    counts.sort_unstable();
    assert_eq!(counts, (1..=10).collect::<Vec<u32>>());
    assert_eq!(store.find(&email()).await.unwrap().unwrap().failed_attempts, 10);
}

async fn s3_a_code_is_used_once_even_when_two_uses_race(db: Database) {
    let store = Arc::new(SeaOrmResetCodeStore::new(&db));
    store.replace(&code("hash")).await.unwrap();

    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let store = Arc::clone(&store);
            tokio::spawn(async move { store.mark_used(&email()).await.unwrap() })
        })
        .collect();
    let mut winners = 0;
    for task in tasks {
        winners += usize::from(task.await.unwrap());
    }

    assert_eq!(winners, 1);
    assert!(store.find(&email()).await.unwrap().unwrap().used);
    assert!(!store.mark_used(&Email::parse("other@example.com").unwrap()).await.unwrap(), "gone codes are refused");
}
