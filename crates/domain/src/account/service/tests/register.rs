//! S10: registrations per client address.

use super::*;

const IP_KEY: &str = "register:ip:203.0.113.9";

fn from_ip(user_id: &str) -> Registration {
    Registration {
        client_ip: Some("203.0.113.9".to_owned()),
        ..registration(user_id, "secret-123", user_id, &format!("{user_id}@example.com"))
    }
}

impl Mocks {
    fn hashes(&mut self) {
        self.hasher.expect_hash().returning(|_| Ok(PasswordHash::new("$argon2id$h".into())));
    }
}

#[tokio::test]
async fn s10_the_registration_that_reaches_the_limit_closes_the_address_for_an_hour() {
    let mut m = deps();
    m.hashes();
    m.throttle.expect_locked_until().withf(|key, _| key == IP_KEY).returning(|_, _| Ok(None));
    m.users.expect_insert().times(1).returning(|_| Ok(()));
    let mut order = Sequence::new();
    m.throttle
        .expect_hit()
        .withf(|key, at, since| key == IP_KEY && *at == NOW && *since == NOW - 60 * MINUTE)
        .times(1)
        .in_sequence(&mut order)
        .returning(|_, _, _| Ok(300));
    m.throttle
        .expect_lock()
        .withf(|key, until| key == IP_KEY && *until == NOW + 60 * MINUTE)
        .times(1)
        .in_sequence(&mut order)
        .returning(|_, _| Ok(()));

    let result = m.service().register(from_ip("zhy")).await;

    assert!(result.is_ok(), "the 300th is still accepted: {result:?}");
}

#[tokio::test]
async fn s10_a_closed_address_is_refused_with_retry_after_and_nothing_is_stored() {
    let mut m = deps();
    m.throttle.expect_locked_until().withf(|key, _| key == IP_KEY).returning(|_, _| Ok(Some(NOW + 10 * MINUTE)));
    m.hasher.expect_hash().never();
    m.users.expect_insert().never();
    m.throttle.expect_hit().never();

    let result = m.service().register(from_ip("zhy")).await;

    assert!(matches!(result, Err(RegisterError::TooMany { retry_after }) if retry_after == 10 * MINUTE), "{result:?}");
}

#[tokio::test]
async fn s10_refused_registrations_do_not_count() {
    let mut m = deps();
    m.hashes();
    m.throttle.expect_locked_until().returning(|_, _| Ok(None));
    m.users.expect_insert().times(1).returning(|_| Err(UserWriteError::IdOrEmailTaken));
    m.throttle.expect_hit().never();

    let result = m.service().register(from_ip("zhy")).await;

    assert!(matches!(result, Err(RegisterError::Taken)), "{result:?}");
}
