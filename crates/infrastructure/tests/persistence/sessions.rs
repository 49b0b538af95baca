//! `SeaOrmSessionStore` against the `SessionStore` contract (S2, R11).

use chatroom_domain::account::{Session, SessionStore};
use chatroom_domain::ids::SessionId;
use chatroom_infrastructure::persistence::{Database, SeaOrmSessionStore};

use crate::support::{at, contract_tests, given_users, user_id};

contract_tests!(s2_a_session_is_found_revoked_or_not, r11_revoking_all_sessions_of_a_user_returns_the_live_ones);

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
