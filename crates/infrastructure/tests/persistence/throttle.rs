//! `SeaOrmThrottleStore` against the `ThrottleStore` contract (S3, S4, S10).

use chatroom_domain::system::ThrottleStore;
use chatroom_infrastructure::persistence::{Database, SeaOrmThrottleStore};

use crate::support::{at, contract_tests};

contract_tests!(
    s4_hits_are_counted_per_key_within_the_window,
    s4_clearing_a_key_forgets_its_hits,
    s4_a_lock_holds_until_its_end_and_only_ever_extends,
    s4_the_end_of_the_latest_lock_is_known_after_it_passed,
    s8_racing_hits_count_at_least_their_place,
    s10_a_purge_deletes_the_hits_before_its_cutoff_of_every_key_and_keeps_the_rest,
    s10_a_purge_deletes_the_locks_that_ended_before_its_cutoff_and_keeps_the_rest,
);

async fn s4_hits_are_counted_per_key_within_the_window(db: Database) {
    let store = SeaOrmThrottleStore::new(&db);

    assert_eq!(store.hit("login:user:alice", at(0), at(-1000)).await.unwrap(), 1);
    assert_eq!(store.hit("login:user:alice", at(10), at(-1000)).await.unwrap(), 2);
    assert_eq!(store.hit("login:user:Alice", at(10), at(-1000)).await.unwrap(), 1, "keys are case-sensitive");
    assert_eq!(store.hit("login:user:alice", at(20), at(10)).await.unwrap(), 2, "the hit at 0 left the window");
    assert_eq!(store.hit("login:ip:127.0.0.1", at(20), at(0)).await.unwrap(), 1);
}

async fn s4_clearing_a_key_forgets_its_hits(db: Database) {
    let store = SeaOrmThrottleStore::new(&db);
    for ms in 0..3 {
        store.hit("login:user:bob", at(ms), at(-1000)).await.unwrap();
    }
    store.hit("login:user:carol", at(0), at(-1000)).await.unwrap();

    store.clear("login:user:bob").await.unwrap();

    assert_eq!(store.hit("login:user:bob", at(5), at(-1000)).await.unwrap(), 1);
    assert_eq!(store.hit("login:user:carol", at(5), at(-1000)).await.unwrap(), 2);
}

async fn s4_a_lock_holds_until_its_end_and_only_ever_extends(db: Database) {
    let store = SeaOrmThrottleStore::new(&db);
    let key = "reset:email:alice@example.com";
    assert_eq!(store.locked_until(key, at(0)).await.unwrap(), None);

    store.lock(key, at(1000)).await.unwrap();
    store.lock(key, at(500)).await.unwrap();
    assert_eq!(store.locked_until(key, at(0)).await.unwrap(), Some(at(1000)), "an earlier end does not shorten");

    store.lock(key, at(2000)).await.unwrap();
    assert_eq!(store.locked_until(key, at(1500)).await.unwrap(), Some(at(2000)));
    assert_eq!(store.locked_until(key, at(2000)).await.unwrap(), None, "over at its end");
    assert_eq!(store.locked_until("reset:email:other", at(0)).await.unwrap(), None);
}

async fn s4_the_end_of_the_latest_lock_is_known_after_it_passed(db: Database) {
    let store = SeaOrmThrottleStore::new(&db);
    let key = "login:user:dave";
    assert_eq!(store.last_locked_until(key).await.unwrap(), None, "never locked");
    store.lock(key, at(1000)).await.unwrap();
    store.lock(key, at(2000)).await.unwrap();

    assert_eq!(store.locked_until(key, at(3000)).await.unwrap(), None, "the lock has passed");
    assert_eq!(store.last_locked_until(key).await.unwrap(), Some(at(2000)));
}

/// S8 counts an attempt before checking it and refuses it past the limit; that
/// is safe when no hit ever reads a count below its place among racing hits:
/// then only the first `limit` of them can read a count within the limit.
async fn s8_racing_hits_count_at_least_their_place(db: Database) {
    let store = std::sync::Arc::new(SeaOrmThrottleStore::new(&db));
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(20));
    let hits: Vec<_> = (0..20)
        .map(|_| {
            let (store, start) = (store.clone(), start.clone());
            tokio::spawn(async move {
                start.wait().await;
                store.hit("login:user:erin", at(0), at(-1000)).await.unwrap()
            })
        })
        .collect();
    let mut counts = Vec::new();
    for hit in hits {
        counts.push(hit.await.unwrap());
    }

    counts.sort_unstable();
    for (place, count) in counts.iter().enumerate() {
        assert!(*count as usize > place, "a hit read {count} at place {}: {counts:?}", place + 1);
    }
    assert!(counts.iter().filter(|count| **count <= 5).count() <= 5, "{counts:?}");
}

async fn s10_a_purge_deletes_the_hits_before_its_cutoff_of_every_key_and_keeps_the_rest(db: Database) {
    let store = SeaOrmThrottleStore::new(&db);
    for (key, ms) in [("login:user:alice", 0), ("login:user:alice", 999), ("login:user:alice", 1000)] {
        store.hit(key, at(ms), at(-1000)).await.unwrap();
    }
    for (key, ms) in [("reset:ip:127.0.0.1", 500), ("reset:ip:127.0.0.1", 2000)] {
        store.hit(key, at(ms), at(-1000)).await.unwrap();
    }

    assert_eq!(store.purge_hits(at(1000)).await.unwrap(), 3);

    // A hit that counts nothing back: one new hit each, seen with the whole past.
    assert_eq!(store.hit("login:user:alice", at(3000), at(-1000)).await.unwrap(), 2, "the hit at 1000 stays");
    assert_eq!(store.hit("reset:ip:127.0.0.1", at(3000), at(-1000)).await.unwrap(), 2, "the hit at 2000 stays");
    assert_eq!(store.purge_hits(at(1000)).await.unwrap(), 0);
}

async fn s10_a_purge_deletes_the_locks_that_ended_before_its_cutoff_and_keeps_the_rest(db: Database) {
    let store = SeaOrmThrottleStore::new(&db);
    store.lock("login:user:ended", at(500)).await.unwrap();
    store.lock("login:ip:ended", at(999)).await.unwrap();
    store.lock("login:user:at-cutoff", at(1000)).await.unwrap();
    store.lock("reset:email:live", at(5000)).await.unwrap();

    assert_eq!(store.purge_locks(at(1000)).await.unwrap(), 2);

    assert_eq!(store.last_locked_until("login:user:ended").await.unwrap(), None);
    assert_eq!(store.last_locked_until("login:ip:ended").await.unwrap(), None);
    assert_eq!(store.last_locked_until("login:user:at-cutoff").await.unwrap(), Some(at(1000)));
    assert_eq!(store.locked_until("reset:email:live", at(2000)).await.unwrap(), Some(at(5000)));
}
