//! Images: S6 (magic bytes, size, random ids, nothing half-written) and R9.

use super::*;
use crate::ids::Seq;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n-png-body-";
const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
const IMAGE_ID: &str = "0123456789abcdef0123456789abcdef";

fn image_id() -> ImageId {
    ImageId::parse(IMAGE_ID).unwrap()
}

fn image_event(room: &str, seq: i64, from: &str, image_type: ImageType) -> RoomEvent {
    RoomEvent {
        room_id: rid(room),
        seq: Seq::new(seq),
        at: NOW,
        kind: EventKind::Image { from: sender(from), image: image_id(), image_type },
    }
}

fn in_room(id: &str) -> Option<RoomSelector> {
    Some(RoomSelector::Id(rid(id)))
}

impl Mocks {
    /// Bob may post to r1; the id generator gives `IMAGE_ID`; saving works.
    fn bob_may_post_to_r1(&mut self) {
        self.has_room("r1");
        self.member("r1", "bob", true);
        self.ids.expect_random_id().return_const(IMAGE_ID.to_owned());
        self.images.expect_save().returning(|_, _| Ok(()));
    }

    fn bus_accepts_anything(&mut self) {
        self.bus.expect_publish().returning(|_, _| Ok(()));
    }

    /// Nothing is stored: no id drawn, no bytes saved, no event appended.
    fn stores_nothing(&mut self) {
        self.ids.expect_random_id().never();
        self.images.expect_save().never();
        self.events.expect_append().never();
        self.bus.expect_publish().never();
    }
}

#[tokio::test]
async fn s6_image_is_stored_under_a_random_id_then_appended_then_published() {
    let mut m = deps();
    m.has_room("r1");
    m.member("r1", "bob", true);
    let mut order = Sequence::new();
    m.ids.expect_random_id().times(1).return_const(IMAGE_ID.to_owned());
    m.images
        .expect_save()
        .withf(|id, bytes| *id == image_id() && bytes == PNG)
        .times(1)
        .in_sequence(&mut order)
        .returning(|_, _| Ok(()));
    let stored = image_event("r1", 12, "bob", ImageType::Png);
    let returned = appended(stored.clone(), false);
    m.events.expect_append().times(1).in_sequence(&mut order).returning(move |_, _, _| Ok(returned.clone()));
    let published = RoomSignal::Event(stored.clone().into());
    m.bus
        .expect_publish()
        .withf(move |room, signal| *room == key("r1") && *signal == published)
        .times(1)
        .in_sequence(&mut order)
        .returning(|_, _| Ok(()));

    let result = m.service().post_image(&author("bob"), in_room("r1"), PNG.to_vec()).await.unwrap();

    assert_eq!(result, stored);
}

#[tokio::test]
async fn s6_magic_bytes_decide_the_type() {
    for (bytes, image_type) in [(PNG, ImageType::Png), (JPEG, ImageType::Jpeg)] {
        let mut m = deps();
        m.bus_accepts_anything();
        m.bob_may_post_to_r1();
        let returned = appended(image_event("r1", 12, "bob", image_type), false);
        m.events
            .expect_append()
            .withf(move |_, event, _| {
                matches!(&event.kind, EventKind::Image { image_type: t, from, .. } if *t == image_type && *from == sender("bob"))
            })
            .times(1)
            .returning(move |_, _, _| Ok(returned.clone()));

        let result = m.service().post_image(&author("bob"), in_room("r1"), bytes.to_vec()).await;

        assert!(result.is_ok(), "{image_type:?}: {result:?}");
    }
}

#[tokio::test]
async fn s6_bytes_that_are_no_known_image_are_refused_before_anything_is_stored() {
    let mut m = deps();
    m.stores_nothing();

    let result = m.service().post_image(&author("bob"), in_room("r1"), b"<svg onload=alert(1)>.png".to_vec()).await;

    assert!(matches!(result, Err(PostImageError::UnsupportedType)), "{result:?}");
}

#[tokio::test]
async fn s6_too_large_image_is_refused_before_anything_is_stored() {
    let mut m = deps();
    m.max_image_bytes = PNG.len() - 1;
    m.rooms.expect_find_by_id().never();
    m.stores_nothing();

    let result = m.service().post_image(&author("bob"), in_room("r1"), PNG.to_vec()).await;

    assert!(matches!(result, Err(PostImageError::TooLarge)), "{result:?}");
}

#[tokio::test]
async fn s6_image_of_exactly_the_limit_is_accepted() {
    let mut m = deps();
    m.max_image_bytes = PNG.len();
    m.bob_may_post_to_r1();
    let returned = appended(image_event("r1", 12, "bob", ImageType::Png), false);
    m.events.expect_append().times(1).returning(move |_, _, _| Ok(returned.clone()));
    m.bus_accepts_anything();

    let result = m.service().post_image(&author("bob"), in_room("r1"), PNG.to_vec()).await;

    assert!(result.is_ok(), "{result:?}");
}

#[tokio::test]
async fn s6_image_bytes_are_deleted_when_the_event_cannot_be_stored() {
    let failures: [fn() -> AppendError; 2] =
        [|| AppendError::RoomNotFound, || AppendError::Unexpected(anyhow::anyhow!("database down"))];
    for failure in failures {
        let mut m = deps();
        m.bob_may_post_to_r1();
        m.events.expect_append().times(1).returning(move |_, _, _| Err(failure()));
        m.images.expect_delete().withf(|ids| ids == [image_id()]).times(1).returning(|_| Ok(()));
        m.bus.expect_publish().never();

        let result = m.service().post_image(&author("bob"), in_room("r1"), PNG.to_vec()).await;

        assert!(matches!(result, Err(PostImageError::NotFound | PostImageError::Unexpected(_))), "{result:?}");
    }
}

#[tokio::test]
async fn r9_non_member_cannot_post_an_image() {
    let mut m = deps();
    m.has_room("r1");
    m.member("r1", "mallory", false);
    m.stores_nothing();

    let result = m.service().post_image(&author("mallory"), in_room("r1"), PNG.to_vec()).await;

    assert!(matches!(result, Err(PostImageError::NotMember)), "{result:?}");
}

#[tokio::test]
async fn image_goes_to_the_users_only_room_when_none_is_named() {
    let mut m = deps();
    m.rooms.expect_list_for_member().with(eq(uid("bob"))).returning(|_| Ok(vec![room("r1")]));
    m.bob_may_post_to_r1();
    let returned = appended(image_event("r1", 12, "bob", ImageType::Png), false);
    m.events
        .expect_append()
        .withf(|room, _, _| *room == key("r1"))
        .times(1)
        .returning(move |_, _, _| Ok(returned.clone()));
    m.bus_accepts_anything();

    let result = m.service().post_image(&author("bob"), None, PNG.to_vec()).await;

    assert_eq!(result.unwrap().room_id, rid("r1"));
}

#[tokio::test]
async fn e1001_image_without_a_room_names_room_name_unless_the_user_is_in_exactly_one() {
    for rooms in [vec![], vec![room("r1"), room("r2")]] {
        let mut m = deps();
        let count = rooms.len();
        m.rooms.expect_list_for_member().returning(move |_| Ok(rooms.clone()));
        m.stores_nothing();

        let result = m.service().post_image(&author("bob"), None, PNG.to_vec()).await;

        assert!(matches!(&result, Err(PostImageError::Invalid(e)) if e.field == "roomName"), "{count}: {result:?}");
    }
}

#[tokio::test]
async fn s6_a_stored_image_is_read_with_the_type_of_its_magic_bytes() {
    for (bytes, image_type) in [(PNG, ImageType::Png), (JPEG, ImageType::Jpeg)] {
        let mut m = deps();
        m.images.expect_load().withf(|id| *id == image_id()).times(1).returning(move |_| Ok(Some(bytes.to_vec())));

        let image = m.service().image(&image_id()).await.unwrap();

        assert_eq!(image, Some(Image { bytes: bytes.to_vec(), image_type }));
    }
}

#[tokio::test]
async fn an_image_that_is_not_stored_reads_as_none() {
    let mut m = deps();
    m.images.expect_load().returning(|_| Ok(None));

    assert_eq!(m.service().image(&image_id()).await.unwrap(), None);
}

#[tokio::test]
async fn s6_stored_bytes_of_no_known_type_are_an_unexpected_error_not_served() {
    let mut m = deps();
    m.images.expect_load().returning(|_| Ok(Some(b"<svg/>".to_vec())));

    let result = m.service().image(&image_id()).await;

    assert!(result.is_err(), "{result:?}");
}

mod uploads;
