//! S7 in storage: a room dissolved and created again under its id is another
//! room. Everything given the old room's key (its id and incarnation) finds
//! it gone, and nothing of the old life reaches the new one.

use chatroom_domain::delivery::DeliveryMark;
use chatroom_domain::ids::{Incarnation, RoomKey, Seq};
use chatroom_domain::room::{AddMemberError, Departure, MembershipRepository, RemoveMemberError, RoomRepository};
use chatroom_domain::timeline::{AppendError, MessageStore};
use chatroom_infrastructure::persistence::{Database, SeaOrmMembershipRepository, SeaOrmRoomRepository};

use crate::support::{at, contract_tests, given_users, message, message_store, room, room_id, room_key, user_id};

contract_tests!(s7_a_key_of_a_dissolved_room_reaches_nothing_of_the_room_created_again_under_its_id);

async fn s7_a_key_of_a_dissolved_room_reaches_nothing_of_the_room_created_again_under_its_id(db: Database) {
    given_users(&db, &["alice", "bob", "carol"]).await;
    let (rooms, memberships, events) =
        (SeaOrmRoomRepository::new(&db), SeaOrmMembershipRepository::new(&db), message_store(&db));
    let old = room_key("r1");
    rooms.insert(&room("r1", "Secret", "alice", 10, at(0))).await.unwrap();
    memberships.add(&old, &user_id("bob"), at(1)).await.unwrap();
    events.append(&old, message("alice", "SECRET-1", None, 2), at(0)).await.unwrap();
    rooms.delete(&old).await.unwrap().unwrap();

    let mut reborn = room("r1", "Fresh", "bob", 10, at(3));
    reborn.incarnation = Incarnation::new(2);
    rooms.insert(&reborn).await.unwrap();
    let new = RoomKey::new(room_id("r1"), reborn.incarnation);
    events.append(&new, message("bob", "fresh-2", None, 3), at(0)).await.unwrap();

    let late = events.append(&old, message("alice", "SECRET-2", None, 4), at(0)).await;
    assert!(matches!(late, Err(AppendError::RoomNotFound)), "{late:?}");
    assert!(events.list_after(&old, Seq::ZERO, 10).await.unwrap().is_empty());
    assert!(events.list_before(&old, None, 10).await.unwrap().is_empty());
    assert_eq!(events.last_seq(&old).await.unwrap(), Seq::ZERO);
    let add = memberships.add(&old, &user_id("carol"), at(5)).await;
    assert!(matches!(add, Err(AddMemberError::RoomNotFound)), "{add:?}");
    let kick = memberships.remove(&old, &user_id("bob"), Departure::Kicked, at(5)).await;
    assert!(matches!(kick, Err(RemoveMemberError::RoomNotFound)), "{kick:?}");
    assert!(rooms.delete(&old).await.unwrap().is_none(), "the new room survives the old one's dissolution");
    let mark = DeliveryMark { room: old.clone(), user_id: user_id("bob"), seq: Seq::new(9) };
    memberships.save_delivered(&[mark]).await.unwrap();

    let texts: Vec<String> =
        events.list_after(&new, Seq::ZERO, 10).await.unwrap().iter().map(|e| format!("{:?}", e.kind)).collect();
    assert_eq!(texts.len(), 2, "bob's joined and his message: {texts:?}");
    assert!(texts.iter().all(|t| !t.contains("SECRET")), "{texts:?}");
    let bob = memberships.find(&room_id("r1"), &user_id("bob")).await.unwrap().unwrap();
    assert_eq!(bob.last_delivered_seq, Seq::ZERO, "the old room's mark never lands on the new one");
}
