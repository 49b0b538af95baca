//! S10: image uploads per user.

use super::*;

const UPLOAD_KEY: &str = "upload:user:bob";

#[tokio::test]
async fn s10_the_upload_that_reaches_the_limit_closes_the_authors_uploads_for_a_minute() {
    let mut m = deps();
    m.bob_may_post_to_r1();
    m.bus.expect_publish().returning(|_, _| Ok(()));
    let returned = appended(image_event("r1", 4, "bob", ImageType::Png), false);
    m.events.expect_append().returning(move |_, _, _| Ok(returned.clone()));
    let mut throttle = MockThrottleStore::new();
    throttle.expect_locked_until().withf(|key, _| key == UPLOAD_KEY).returning(|_, _| Ok(None));
    let mut order = Sequence::new();
    throttle
        .expect_hit()
        .withf(|key, at, since| key == UPLOAD_KEY && *at == NOW && *since == NOW - Duration::from_secs(60))
        .times(1)
        .in_sequence(&mut order)
        .returning(|_, _, _| Ok(20));
    throttle
        .expect_lock()
        .withf(|key, until| key == UPLOAD_KEY && *until == NOW + Duration::from_secs(60))
        .times(1)
        .in_sequence(&mut order)
        .returning(|_, _| Ok(()));
    m.throttle = Some(throttle);

    let result = m.service().post_image(&author("bob"), in_room("r1"), PNG.to_vec()).await;

    assert!(result.is_ok(), "the 20th is still accepted: {result:?}");
}

#[tokio::test]
async fn s10_an_author_at_the_limit_is_refused_with_retry_after_and_nothing_is_stored() {
    let mut m = deps();
    m.stores_nothing();
    let mut throttle = MockThrottleStore::new();
    throttle.expect_locked_until().returning(|_, _| Ok(Some(NOW + Duration::from_secs(30))));
    throttle.expect_hit().never();
    m.throttle = Some(throttle);

    let result = m.service().post_image(&author("bob"), in_room("r1"), PNG.to_vec()).await;

    let retry = Duration::from_secs(30);
    assert!(matches!(result, Err(PostImageError::TooMany { retry_after }) if retry_after == retry), "{result:?}");
}

#[tokio::test]
async fn s10_refused_uploads_do_not_count() {
    let mut m = deps();
    m.stores_nothing();
    let mut throttle = MockThrottleStore::new();
    throttle.expect_locked_until().returning(|_, _| Ok(None));
    throttle.expect_hit().never();
    m.throttle = Some(throttle);

    let result = m.service().post_image(&author("bob"), in_room("r1"), b"not an image".to_vec()).await;

    assert!(matches!(result, Err(PostImageError::UnsupportedType)), "{result:?}");
}
