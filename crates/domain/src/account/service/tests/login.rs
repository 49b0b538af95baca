//! Login: S1 (no enumeration), S2 (sessions), S4 (lockouts), R12 (the user's rooms).

use super::*;
use crate::ids::RoomId;
use crate::room::{Access, Capacity, Room, RoomName};

const USER_KEY: &str = "login:user:zhy";
const IP: &str = "203.0.113.7";
const IP_KEY: &str = "login:ip:203.0.113.7";

fn attempt(user_id: &str, password: &str) -> LoginAttempt {
    LoginAttempt { user_id: user_id.to_owned(), password: password.to_owned(), client_ip: None }
}

fn attempt_from_ip(user_id: &str, password: &str) -> LoginAttempt {
    LoginAttempt { client_ip: Some(IP.to_owned()), ..attempt(user_id, password) }
}

fn room(id: &str) -> Room {
    Room {
        id: RoomId::parse(id).unwrap(),
        incarnation: crate::ids::Incarnation::new(1),
        name: RoomName::parse(id).unwrap(),
        capacity: Capacity::from_stored(10),
        access: Access::Public,
        owner: uid("zhy"),
        created_at: NOW,
    }
}

impl Mocks {
    fn password_is_right(&mut self, right: bool) {
        self.hasher.expect_verify().returning(move |_, _| Ok(right));
    }

    /// A session can be stored and signed; the user is in no room.
    fn opens_sessions(&mut self) {
        self.ids.expect_random_id().return_const(SID.to_owned());
        self.sessions.expect_insert().returning(|_| Ok(()));
        self.tokens.expect_issue().returning(|_| Ok("signed.jwt".to_owned()));
        self.rooms.expect_list_for_member().returning(|_| Ok(vec![]));
    }

    /// No lock in force; `hits` failures so far for every key.
    fn failures_so_far(&mut self, hits: u32) {
        self.throttle.expect_locked_until().returning(|_, _| Ok(None));
        self.throttle.expect_last_locked_until().returning(|_| Ok(None));
        self.throttle.expect_hit().returning(move |_, _, _| Ok(hits));
    }
}

#[tokio::test]
async fn s1_unknown_user_costs_a_verification_and_gets_bad_credentials() {
    let mut m = deps();
    m.unthrottled();
    m.users.expect_find_by_id().returning(|_| Ok(None));
    m.hasher.expect_verify().withf(|_, hash| hash.is_none()).times(1).returning(|_, _| Ok(false));
    m.sessions.expect_insert().never();

    let result = m.service().login(attempt("ghost", "whatever-1")).await;

    assert!(matches!(result, Err(LoginError::BadCredentials)), "{result:?}");
}

#[tokio::test]
async fn s1_wrong_password_gets_the_same_bad_credentials() {
    let mut m = deps();
    m.unthrottled();
    m.knows(user("zhy"));
    m.hasher
        .expect_verify()
        .withf(|password, hash| {
            password.expose() == "wrong-pass"
                && hash.as_ref().map(PasswordHash::as_str) == Some("$argon2id$hash-of-zhy")
        })
        .times(1)
        .returning(|_, _| Ok(false));
    m.sessions.expect_insert().never();

    let result = m.service().login(attempt("zhy", "wrong-pass")).await;

    assert!(matches!(result, Err(LoginError::BadCredentials)), "{result:?}");
}

#[tokio::test]
async fn s2_login_opens_a_session_and_signs_its_claims() {
    let mut m = deps();
    m.unthrottled();
    m.knows(user("zhy"));
    m.password_is_right(true);
    let day = 24 * 60 * MINUTE;
    m.ids.expect_random_id().times(1).return_const(SID.to_owned());
    let opened = Session {
        id: SessionId::new(SID.into()),
        user_id: uid("zhy"),
        issued_at: NOW,
        expires_at: NOW + day,
        revoked: false,
    };
    m.tokens.expect_issue().with(eq(claims_of(&opened))).times(1).returning(|_| Ok("signed.jwt".to_owned()));
    m.sessions.expect_insert().with(eq(opened)).times(1).returning(|_| Ok(()));
    m.rooms.expect_list_for_member().returning(|_| Ok(vec![]));

    let outcome = m.service().login(attempt("zhy", "secret-123")).await.unwrap();

    assert_eq!((outcome.token.as_str(), outcome.expires_at, outcome.user), ("signed.jwt", NOW + day, user("zhy")));
}

#[tokio::test]
async fn r12_login_lists_the_users_rooms() {
    let mut m = deps();
    m.unthrottled();
    m.knows(user("zhy"));
    m.password_is_right(true);
    m.ids.expect_random_id().return_const(SID.to_owned());
    m.sessions.expect_insert().returning(|_| Ok(()));
    m.tokens.expect_issue().returning(|_| Ok("signed.jwt".to_owned()));
    m.rooms.expect_list_for_member().with(eq(uid("zhy"))).times(1).returning(|_| Ok(vec![room("a"), room("b")]));

    let outcome = m.service().login(attempt("zhy", "secret-123")).await.unwrap();

    assert_eq!(outcome.rooms, vec![room("a"), room("b")]);
}

#[tokio::test]
async fn s4_fifth_failure_still_answers_bad_credentials_and_locks_the_user_id() {
    let mut m = deps();
    m.throttle.expect_locked_until().returning(|_, _| Ok(None));
    m.throttle.expect_last_locked_until().returning(|_| Ok(None));
    m.throttle
        .expect_hit()
        .withf(|key, at, since| key == USER_KEY && *at == NOW && *since == NOW - 15 * MINUTE)
        .times(1)
        .returning(|_, _, _| Ok(5));
    m.throttle
        .expect_lock()
        .withf(|key, until| key == USER_KEY && *until == NOW + 15 * MINUTE)
        .times(1)
        .returning(|_, _| Ok(()));
    m.knows(user("zhy"));
    m.password_is_right(false);

    let result = m.service().login(attempt("zhy", "wrong-pass")).await;

    assert!(matches!(result, Err(LoginError::BadCredentials)), "{result:?}");
}

#[tokio::test]
async fn s4_fourth_failure_does_not_lock() {
    let mut m = deps();
    m.failures_so_far(4);
    m.throttle.expect_lock().never();
    m.knows(user("zhy"));
    m.password_is_right(false);

    let result = m.service().login(attempt("zhy", "wrong-pass")).await;

    assert!(matches!(result, Err(LoginError::BadCredentials)), "{result:?}");
}

#[tokio::test]
async fn s4_locked_user_gets_locked_out_with_retry_after() {
    let mut m = deps();
    m.throttle.expect_last_locked_until().withf(|key| key == USER_KEY).returning(|_| Ok(Some(NOW + 10 * MINUTE)));
    m.users.expect_find_by_id().never();
    m.hasher.expect_verify().never();
    m.throttle.expect_hit().never();

    let result = m.service().login(attempt("zhy", "secret-123")).await;

    assert!(matches!(result, Err(LoginError::LockedOut { retry_after }) if retry_after == 10 * MINUTE), "{result:?}");
}

#[tokio::test]
async fn s4_locked_ip_gets_locked_out_whatever_the_user() {
    let mut m = deps();
    m.throttle.expect_locked_until().withf(|key, _| key == IP_KEY).returning(|_, _| Ok(Some(NOW + 5 * MINUTE)));
    m.throttle.expect_last_locked_until().withf(|key| key == USER_KEY).returning(|_| Ok(None));
    m.throttle.expect_hit().never();
    m.hasher.expect_verify().never();

    let result = m.service().login(attempt_from_ip("zhy", "secret-123")).await;

    assert!(matches!(result, Err(LoginError::LockedOut { retry_after }) if retry_after == 5 * MINUTE), "{result:?}");
}

#[tokio::test]
async fn s4_fiftieth_failure_from_one_ip_locks_the_ip() {
    let mut m = deps();
    m.throttle.expect_locked_until().returning(|_, _| Ok(None));
    m.throttle.expect_last_locked_until().returning(|_| Ok(None));
    m.throttle.expect_hit().withf(|key, _, _| key == USER_KEY).returning(|_, _, _| Ok(1));
    m.throttle
        .expect_hit()
        .withf(|key, _, since| key == IP_KEY && *since == NOW - 15 * MINUTE)
        .returning(|_, _, _| Ok(50));
    m.throttle
        .expect_lock()
        .withf(|key, until| key == IP_KEY && *until == NOW + 15 * MINUTE)
        .times(1)
        .returning(|_, _| Ok(()));
    m.users.expect_find_by_id().returning(|_| Ok(None));
    m.password_is_right(false);

    let result = m.service().login(attempt_from_ip("zhy", "wrong-pass")).await;

    assert!(matches!(result, Err(LoginError::BadCredentials)), "{result:?}");
}

#[tokio::test]
async fn s4_success_clears_the_user_counter() {
    let mut m = deps();
    m.throttle.expect_locked_until().returning(|_, _| Ok(None));
    m.throttle.expect_last_locked_until().returning(|_| Ok(None));
    let mut order = Sequence::new();
    m.throttle
        .expect_hit()
        .withf(|key, _, _| key == USER_KEY)
        .times(1)
        .in_sequence(&mut order)
        .returning(|_, _, _| Ok(3));
    m.throttle.expect_clear().withf(|key| key == USER_KEY).times(1).in_sequence(&mut order).returning(|_| Ok(()));
    m.knows(user("zhy"));
    m.password_is_right(true);
    m.opens_sessions();

    let result = m.service().login(attempt("zhy", "secret-123")).await;

    assert!(result.is_ok(), "{result:?}");
}

#[tokio::test]
async fn s8_the_attempt_is_counted_before_the_password_is_checked() {
    let mut m = deps();
    m.throttle.expect_locked_until().returning(|_, _| Ok(None));
    m.throttle.expect_last_locked_until().returning(|_| Ok(None));
    let mut order = Sequence::new();
    m.throttle
        .expect_hit()
        .withf(|key, _, _| key == USER_KEY)
        .times(1)
        .in_sequence(&mut order)
        .returning(|_, _, _| Ok(1));
    m.knows(user("zhy"));
    m.hasher.expect_verify().times(1).in_sequence(&mut order).returning(|_, _| Ok(false));
    m.throttle.expect_lock().never();

    let result = m.service().login(attempt("zhy", "wrong-pass")).await;

    assert!(matches!(result, Err(LoginError::BadCredentials)), "{result:?}");
}

#[tokio::test]
async fn s8_an_attempt_past_the_limit_is_locked_out_and_never_checked() {
    let mut m = deps();
    m.throttle.expect_locked_until().returning(|_, _| Ok(None));
    m.throttle.expect_last_locked_until().returning(|_| Ok(None));
    m.throttle.expect_hit().withf(|key, _, _| key == USER_KEY).returning(|_, _, _| Ok(6));
    m.throttle
        .expect_lock()
        .withf(|key, until| key == USER_KEY && *until == NOW + 15 * MINUTE)
        .times(1)
        .returning(|_, _| Ok(()));
    m.hasher.expect_verify().never();

    let result = m.service().login(attempt("zhy", "secret-123")).await;

    assert!(matches!(result, Err(LoginError::LockedOut { retry_after }) if retry_after == 15 * MINUTE), "{result:?}");
}

#[tokio::test]
async fn s4_a_lockout_that_ended_starts_the_count_afresh() {
    let mut m = deps();
    m.throttle.expect_locked_until().returning(|_, _| Ok(None));
    m.throttle.expect_last_locked_until().withf(|key| key == USER_KEY).returning(|_| Ok(Some(NOW - MINUTE)));
    m.throttle
        .expect_hit()
        .withf(|key, _, since| key == USER_KEY && *since == NOW - MINUTE)
        .times(1)
        .returning(|_, _, _| Ok(1));
    m.throttle.expect_clear().returning(|_| Ok(()));
    m.knows(user("zhy"));
    m.password_is_right(true);
    m.opens_sessions();

    let result = m.service().login(attempt("zhy", "secret-123")).await;

    assert!(result.is_ok(), "{result:?}");
}
