//! `SeaOrmResetCodeStore` against the `ResetCodeStore` contract (S3, S10).

use std::sync::Arc;

use chatroom_domain::account::{ResetCode, ResetCodeStore};
use chatroom_domain::user::Email;
use chatroom_infrastructure::persistence::{Database, SeaOrmResetCodeStore};

use crate::support::{at, contract_tests};

contract_tests!(
    s3_a_new_code_replaces_the_earlier_one,
    s8_at_most_max_attempts_are_claimed_however_many_race,
    s8_a_used_expired_or_missing_code_is_never_claimed,
    s3_a_code_is_used_once_even_when_two_uses_race,
    s10_a_purge_deletes_used_and_expired_codes_and_keeps_live_and_burned_ones,
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
    assert!(store.claim_attempt(&email(), 5, at(0)).await.unwrap());
    store.mark_used(&email()).await.unwrap();

    store.replace(&code("second")).await.unwrap();

    assert_eq!(store.find(&email()).await.unwrap(), Some(code("second")));
    assert_eq!(store.find(&Email::parse("other@example.com").unwrap()).await.unwrap(), None);
}

async fn s8_at_most_max_attempts_are_claimed_however_many_race(db: Database) {
    let store = Arc::new(SeaOrmResetCodeStore::new(&db));
    store.replace(&code("hash")).await.unwrap();
    let start = Arc::new(tokio::sync::Barrier::new(20));

    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (store, start) = (Arc::clone(&store), Arc::clone(&start));
            tokio::spawn(async move {
                start.wait().await;
                store.claim_attempt(&email(), 5, at(0)).await.unwrap()
            })
        })
        .collect();
    let mut claimed = 0;
    for task in tasks {
        claimed += usize::from(task.await.unwrap());
    }

    assert_eq!(claimed, 5, "S8: five attempts per code, however many race");
    assert_eq!(store.find(&email()).await.unwrap().unwrap().failed_attempts, 5);
}

async fn s8_a_used_expired_or_missing_code_is_never_claimed(db: Database) {
    let store = SeaOrmResetCodeStore::new(&db);
    assert!(!store.claim_attempt(&email(), 5, at(0)).await.unwrap(), "no code");
    store.replace(&code("hash")).await.unwrap();
    assert!(!store.claim_attempt(&email(), 5, at(600_000)).await.unwrap(), "expired at its expiry");
    assert!(store.claim_attempt(&email(), 5, at(599_999)).await.unwrap(), "valid until then");
    store.mark_used(&email()).await.unwrap();
    assert!(!store.claim_attempt(&email(), 5, at(0)).await.unwrap(), "used");
    assert_eq!(store.find(&email()).await.unwrap().unwrap().failed_attempts, 1);
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

async fn s10_a_purge_deletes_used_and_expired_codes_and_keeps_live_and_burned_ones(db: Database) {
    let store = SeaOrmResetCodeStore::new(&db);
    let of = |email: &str, expires_ms: i64, failed_attempts: u32, used: bool| ResetCode {
        email: Email::parse(email).unwrap(),
        code_hash: "hash".to_owned(),
        expires_at: at(expires_ms),
        failed_attempts,
        used,
    };
    let codes = [
        (of("used@example.com", 9_000, 0, true), false),
        (of("expired@example.com", 1_000, 0, false), false),
        (of("expires-now@example.com", 5_000, 1, false), false),
        (of("live@example.com", 9_000, 2, false), true),
        (of("burned@example.com", 9_000, 5, false), true),
    ];
    for (code, _) in &codes {
        store.replace(code).await.unwrap();
    }

    assert_eq!(store.purge_stale(at(5_000)).await.unwrap(), 3);

    for (code, kept) in &codes {
        let found = store.find(&code.email).await.unwrap();
        assert_eq!(found.as_ref(), kept.then_some(code), "{}", code.email.as_str());
    }
}
