//! `SeaOrmSessionStore` against the `SessionStore` contract (S2, R11, S10).

use chatroom_domain::account::{Session, SessionStore};
use chatroom_domain::ids::SessionId;
use chatroom_infrastructure::persistence::{Database, SeaOrmSessionStore};

use crate::support::{at, contract_tests, given_users, user_id};

contract_tests!(
    s2_a_session_is_found_revoked_or_not,
    r11_revoking_all_sessions_of_a_user_returns_the_live_ones,
    s10_a_purge_deletes_the_expired_sessions_and_keeps_the_live_ones,
);

fn session(id: &str, user: &str) -> Session {
    Session {
        id: SessionId::new(id.to_owned()),
        user_id: user_id(user),
        issued_at: at(0),
        expires_at: at(86_400_000),
        revoked: false,
    }
}

async fn s2_a_session_is_found_revoked_or_not(db: Database) {
    given_users(&db, &["alice"]).await;
    let store = SeaOrmSessionStore::new(&db);
    let first = session("0123456789abcdef0123456789abcdef", "alice");
    let second = session("fedcba9876543210fedcba9876543210", "alice");
    store.insert(&first).await.unwrap();
    store.insert(&second).await.unwrap();

    store.revoke(&first.id).await.unwrap();
    store.revoke(&first.id).await.unwrap();

    let revoked = store.find(&first.id).await.unwrap().unwrap();
    assert_eq!(revoked, Session { revoked: true, ..first });
    assert_eq!(store.find(&second.id).await.unwrap(), Some(second));
    assert_eq!(store.find(&SessionId::new("unknown".to_owned())).await.unwrap(), None);
}

async fn r11_revoking_all_sessions_of_a_user_returns_the_live_ones(db: Database) {
    given_users(&db, &["alice", "bob"]).await;
    let store = SeaOrmSessionStore::new(&db);
    for (id, user) in [("a1", "alice"), ("a2", "alice"), ("a3", "alice"), ("b1", "bob")] {
        store.insert(&session(id, user)).await.unwrap();
    }
    store.revoke(&SessionId::new("a3".to_owned())).await.unwrap();

    let mut ended = store.revoke_all_of(&user_id("alice")).await.unwrap();

    ended.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    assert_eq!(ended, vec![SessionId::new("a1".to_owned()), SessionId::new("a2".to_owned())]);
    for id in ["a1", "a2", "a3"] {
        assert!(store.find(&SessionId::new(id.to_owned())).await.unwrap().unwrap().revoked, "{id}");
    }
    assert!(!store.find(&SessionId::new("b1".to_owned())).await.unwrap().unwrap().revoked);
    assert!(store.revoke_all_of(&user_id("alice")).await.unwrap().is_empty());
}

async fn s10_a_purge_deletes_the_expired_sessions_and_keeps_the_live_ones(db: Database) {
    given_users(&db, &["alice", "bob"]).await;
    let store = SeaOrmSessionStore::new(&db);
    let ending = |id: &str, user: &str, expires_ms: i64, revoked: bool| Session {
        expires_at: at(expires_ms),
        revoked,
        ..session(id, user)
    };
    let sessions = [
        ending("expired", "alice", 1_000, false),
        ending("expired-revoked", "bob", 1_000, true),
        ending("expires-now", "alice", 5_000, false),
        ending("live", "alice", 5_001, false),
        ending("live-revoked", "bob", 9_000, true),
    ];
    for session in &sessions {
        store.insert(session).await.unwrap();
    }

    assert_eq!(store.purge_expired(at(5_000)).await.unwrap(), 3);

    for session in &sessions {
        let found = store.find(&session.id).await.unwrap();
        let kept = session.expires_at > at(5_000);
        assert_eq!(found.as_ref(), kept.then_some(session), "{}", session.id.as_str());
    }
    assert_eq!(store.purge_expired(at(5_000)).await.unwrap(), 0, "nothing left to purge");
}
