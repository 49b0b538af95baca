//! `SeaOrmThrottleStore` against the `ThrottleStore` contract (S3, S4).

use chatroom_domain::account::ThrottleStore;
use chatroom_infrastructure::persistence::{Database, SeaOrmThrottleStore};

use crate::support::{at, contract_tests};

contract_tests!(
    s4_hits_are_counted_per_key_within_the_window,
    s4_clearing_a_key_forgets_its_hits,
    s4_a_lock_holds_until_its_end_and_only_ever_extends,
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
