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

/// Bytes a store hands out a piece at a time.
struct Pieces(std::collections::VecDeque<Vec<u8>>);

#[async_trait]
impl ImageChunks for Pieces {
    async fn next_chunk(&mut self) -> anyhow::Result<Option<Vec<u8>>> {
        Ok(self.0.pop_front())
    }
}

fn stored(bytes: &[u8], size: usize) -> StoredImage {
    StoredImage { len: bytes.len() as u64, chunks: Box::new(Pieces(bytes.chunks(size).map(<[u8]>::to_vec).collect())) }
}

/// Everything an image hands out: its first bytes, then the rest of the stream.
async fn all_bytes(image: Image) -> Vec<u8> {
    let Image { head, mut rest, .. } = image;
    let mut bytes = head;
    while let Some(chunk) = rest.next_chunk().await.unwrap() {
        bytes.extend(chunk);
    }
    bytes
}

#[tokio::test]
async fn s6_a_stored_image_is_read_with_the_type_of_its_magic_bytes() {
    for (bytes, image_type) in [(PNG, ImageType::Png), (JPEG, ImageType::Jpeg)] {
        let mut m = deps();
        m.images.expect_open().withf(|id| *id == image_id()).times(1).returning(move |_| Ok(Some(stored(bytes, 5))));

        let image = m.service().image(&image_id()).await.unwrap().unwrap();

        assert_eq!((image.image_type, image.len), (image_type, bytes.len() as u64));
        assert_eq!(all_bytes(image).await, bytes);
    }
}

#[tokio::test]
async fn s10_an_image_is_handed_out_as_a_stream_with_only_its_first_bytes_read() {
    let big: Vec<u8> = PNG.iter().copied().chain((0..10_000u32).map(|i| i as u8)).collect();
    let expected = big.clone();
    let mut m = deps();
    m.images.expect_open().returning(move |_| Ok(Some(stored(&big, 4))));

    let image = m.service().image(&image_id()).await.unwrap().unwrap();

    assert_eq!(image.head.len(), ImageType::SNIFF_LEN, "read just enough to tell the type");
    assert_eq!(image.len, expected.len() as u64);
    assert_eq!(all_bytes(image).await, expected);
}

#[tokio::test]
async fn an_image_that_is_not_stored_reads_as_none() {
    let mut m = deps();
    m.images.expect_open().returning(|_| Ok(None));

    assert!(m.service().image(&image_id()).await.unwrap().is_none());
}

#[tokio::test]
async fn s6_stored_bytes_of_no_known_type_are_an_unexpected_error_not_served() {
    let mut m = deps();
    m.images.expect_open().returning(|_| Ok(Some(stored(b"<svg/>", 2))));

    let result = m.service().image(&image_id()).await;

    assert!(result.is_err(), "{result:?}");
}

mod uploads;
