//! `SeaOrmRoomRepository` against the `RoomRepository` contract (R2, R3, R7).

use std::sync::Arc;

use chatroom_domain::ids::Seq;
use chatroom_domain::room::{
    Access, AddMemberError, Capacity, ChangeRoomError, InsertRoomError, MembershipRepository, RoomChanges, RoomName,
    RoomRepository, RoomSearch, TransferOwnershipError,
};
use chatroom_domain::timeline::{EventKind, MessageStore, SystemEvent};
use chatroom_infrastructure::persistence::{Database, SeaOrmMembershipRepository, SeaOrmRoomRepository};

use crate::support::{
    at, contract_tests, given_room, given_users, image, message_store, room, room_id, room_key, user_id,
};

contract_tests!(
    r3_inserting_a_room_makes_its_owner_the_first_member_with_joined_at_seq_1,
    r2_room_ids_are_unique_and_case_sensitive,
    r2_names_collide_on_their_normalized_key,
    r2_racing_creates_of_one_name_let_exactly_one_through,
    r2_renaming_to_another_rooms_name_is_refused,
    r7_a_capacity_below_the_member_count_is_refused,
    updates_append_room_updated_with_the_new_room,
    transferring_ownership_needs_a_member_and_appends_owner_changed,
    search_escapes_like_wildcards_and_its_escape_character,
    search_lists_newest_first_ties_by_id_and_pages,
    r12_a_members_rooms_are_listed_in_join_order,
    deleting_a_room_cascades_and_returns_its_images,
);

async fn r3_inserting_a_room_makes_its_owner_the_first_member_with_joined_at_seq_1(db: Database) {
    given_users(&db, &["alice"]).await;
    let repo = SeaOrmRoomRepository::new(&db);
    let new_room = room("r1", "Lobby", "alice", 10, at(5));

    let joined = repo.insert(&new_room).await.unwrap();

    assert_eq!(joined.seq, Seq::new(1));
    assert_eq!(joined.at, at(5));
    assert_eq!(joined.kind, EventKind::System(SystemEvent::Joined(user_id("alice"))));
    assert_eq!(repo.find_by_id(&room_id("r1")).await.unwrap(), Some(new_room.clone()));
    let members = SeaOrmMembershipRepository::new(&db).list(&room_id("r1")).await.unwrap();
    assert_eq!(members.len(), 1);
    assert!(members[0].is_owner && members[0].user_id == user_id("alice"));
    let history = message_store(&db).list_after(&room_key("r1"), Seq::ZERO, 10).await.unwrap();
    assert_eq!(history, vec![joined]);
}

async fn r2_room_ids_are_unique_and_case_sensitive(db: Database) {
    given_users(&db, &["alice"]).await;
    let repo = SeaOrmRoomRepository::new(&db);
    repo.insert(&room("Room", "first", "alice", 10, at(0))).await.unwrap();
    repo.insert(&room("room", "second", "alice", 10, at(0))).await.unwrap();

    let again = repo.insert(&room("room", "third", "alice", 10, at(0))).await;

    assert!(matches!(again, Err(InsertRoomError::Taken)), "{again:?}");
    assert_eq!(repo.find_by_id(&room_id("Room")).await.unwrap().unwrap().name.as_str(), "first");
    assert_eq!(repo.find_by_id(&room_id("room")).await.unwrap().unwrap().name.as_str(), "second");
}

async fn r2_names_collide_on_their_normalized_key(db: Database) {
    given_users(&db, &["alice"]).await;
    let repo = SeaOrmRoomRepository::new(&db);
    repo.insert(&room("r1", "Caf\u{e9}", "alice", 10, at(0))).await.unwrap();

    let decomposed = repo.insert(&room("r2", "CAFE\u{301}", "alice", 10, at(0))).await;
    // Different accents are different names, whatever MySQL's default collation says.
    repo.insert(&room("r3", "Cafe", "alice", 10, at(0))).await.unwrap();

    assert!(matches!(decomposed, Err(InsertRoomError::Taken)), "{decomposed:?}");
    let found = repo.find_by_name(&RoomName::parse(" cAF\u{c9} ").unwrap()).await.unwrap().unwrap();
    assert_eq!(found.id, room_id("r1"));
    assert_eq!(repo.find_by_name(&RoomName::parse("Caff").unwrap()).await.unwrap(), None);
}

async fn r2_racing_creates_of_one_name_let_exactly_one_through(db: Database) {
    given_users(&db, &["alice"]).await;
    let repo = Arc::new(SeaOrmRoomRepository::new(&db));
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let repo = Arc::clone(&repo);
            let name = if i % 2 == 0 { "Hot Topic" } else { "HOT TOPIC" };
            tokio::spawn(async move { repo.insert(&room(&format!("race{i}"), name, "alice", 10, at(0))).await })
        })
        .collect();

    let mut created = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => created += 1,
            Err(InsertRoomError::Taken) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }

    assert_eq!(created, 1);
    assert_eq!(SeaOrmRoomRepository::new(&db).list_for_member(&user_id("alice")).await.unwrap().len(), 1);
}

async fn r2_renaming_to_another_rooms_name_is_refused(db: Database) {
    given_users(&db, &["alice"]).await;
    let repo = SeaOrmRoomRepository::new(&db);
    given_room(&db, "r1", "alice", 10).await;
    given_room(&db, "r2", "alice", 10).await;
    let changes = RoomChanges { name: Some(RoomName::parse("ROOM R1").unwrap()), ..RoomChanges::default() };

    let refused = repo.update(&room_key("r2"), &changes, at(1)).await;
    let own_name = repo.update(&room_key("r1"), &changes, at(1)).await;
    let gone = repo.update(&room_key("nowhere"), &changes, at(1)).await;

    assert!(matches!(refused, Err(ChangeRoomError::Taken)), "{refused:?}");
    assert_eq!(own_name.unwrap().0.name.as_str(), "ROOM R1");
    assert!(matches!(gone, Err(ChangeRoomError::RoomNotFound)), "{gone:?}");
    assert_eq!(message_store(&db).last_seq(&room_key("r2")).await.unwrap(), Seq::new(1), "nothing appended");
}

async fn r7_a_capacity_below_the_member_count_is_refused(db: Database) {
    given_users(&db, &["alice", "bob", "carol"]).await;
    let repo = SeaOrmRoomRepository::new(&db);
    given_room(&db, "r1", "alice", 10).await;
    let memberships = SeaOrmMembershipRepository::new(&db);
    memberships.add(&room_key("r1"), &user_id("bob"), at(1)).await.unwrap();
    memberships.add(&room_key("r1"), &user_id("carol"), at(2)).await.unwrap();
    let to = |cap| RoomChanges { capacity: Some(Capacity::from_stored(cap)), ..RoomChanges::default() };

    let refused = repo.update(&room_key("r1"), &to(2), at(3)).await;
    let (room, _) = repo.update(&room_key("r1"), &to(3), at(4)).await.unwrap();

    assert!(matches!(refused, Err(ChangeRoomError::CapacityBelowMembers)), "{refused:?}");
    assert_eq!(room.capacity.get(), 3);
    let full = memberships.add(&room_key("r1"), &user_id("alice"), at(5)).await;
    assert!(matches!(full, Err(AddMemberError::AlreadyMember)), "{full:?}");
}

async fn updates_append_room_updated_with_the_new_room(db: Database) {
    given_users(&db, &["alice"]).await;
    let repo = SeaOrmRoomRepository::new(&db);
    given_room(&db, "r1", "alice", 10).await;
    let changes = RoomChanges {
        name: Some(RoomName::parse("Renamed").unwrap()),
        capacity: Some(Capacity::from_stored(20)),
        access: Some(Access::Private),
    };

    let (updated, event) = repo.update(&room_key("r1"), &changes, at(7)).await.unwrap();

    assert_eq!((updated.name.as_str(), updated.capacity.get(), updated.access), ("Renamed", 20, Access::Private));
    assert_eq!(event.seq, Seq::new(2));
    assert_eq!(event.kind, EventKind::System(SystemEvent::RoomUpdated(updated.snapshot())));
    assert_eq!(repo.find_by_id(&room_id("r1")).await.unwrap(), Some(updated));
    let stored = message_store(&db).list_after(&room_key("r1"), Seq::new(1), 10).await.unwrap();
    assert_eq!(stored, vec![event], "the snapshot survives the round trip through JSON");
}

async fn transferring_ownership_needs_a_member_and_appends_owner_changed(db: Database) {
    given_users(&db, &["alice", "bob", "carol"]).await;
    let repo = SeaOrmRoomRepository::new(&db);
    given_room(&db, "r1", "alice", 10).await;
    SeaOrmMembershipRepository::new(&db).add(&room_key("r1"), &user_id("bob"), at(1)).await.unwrap();

    let stranger = repo.transfer_ownership(&room_key("r1"), &user_id("carol"), at(2)).await;
    let event = repo.transfer_ownership(&room_key("r1"), &user_id("bob"), at(3)).await.unwrap();
    let gone = repo.transfer_ownership(&room_key("nowhere"), &user_id("bob"), at(3)).await;

    assert!(matches!(stranger, Err(TransferOwnershipError::NotMember)), "{stranger:?}");
    assert!(matches!(gone, Err(TransferOwnershipError::RoomNotFound)), "{gone:?}");
    assert_eq!((event.seq, event.kind), (Seq::new(3), EventKind::System(SystemEvent::OwnerChanged(user_id("bob")))));
    assert_eq!(repo.find_by_id(&room_id("r1")).await.unwrap().unwrap().owner, user_id("bob"));
}

fn search(text: &str, limit: u32, offset: u64) -> RoomSearch {
    RoomSearch { name_contains: text.to_owned(), limit, offset }
}

async fn search_escapes_like_wildcards_and_its_escape_character(db: Database) {
    given_users(&db, &["alice"]).await;
    let repo = SeaOrmRoomRepository::new(&db);
    for (id, name) in [("p", "100% fun"), ("q", "1000 fun"), ("u", "a_b"), ("v", "axb"), ("s", "back\\slash")] {
        repo.insert(&room(id, name, "alice", 10, at(0))).await.unwrap();
    }
    let ids = |rooms: Vec<chatroom_domain::room::Room>| rooms.into_iter().map(|r| r.id.to_string()).collect::<Vec<_>>();

    assert_eq!(ids(repo.search(&search("0%", 50, 0)).await.unwrap()), ["p"]);
    assert_eq!(ids(repo.search(&search("a_b", 50, 0)).await.unwrap()), ["u"]);
    assert_eq!(ids(repo.search(&search("k\\s", 50, 0)).await.unwrap()), ["s"]);
    assert_eq!(ids(repo.search(&search("fun", 50, 0)).await.unwrap()), ["p", "q"]);
    assert!(repo.search(&search("%", 50, 0)).await.unwrap().len() == 1);
}

async fn search_lists_newest_first_ties_by_id_and_pages(db: Database) {
    given_users(&db, &["alice"]).await;
    let repo = SeaOrmRoomRepository::new(&db);
    for (id, created) in [("b", 1), ("a", 1), ("c", 3), ("d", 2), ("e", 0)] {
        repo.insert(&room(id, &format!("room {id}"), "alice", 10, at(created))).await.unwrap();
    }
    let page = |limit, offset| {
        let repo = repo.clone();
        async move {
            let rooms = repo.search(&search("room", limit, offset)).await.unwrap();
            rooms.into_iter().map(|r| r.id.to_string()).collect::<Vec<_>>()
        }
    };

    assert_eq!(page(50, 0).await, ["c", "d", "a", "b", "e"]);
    assert_eq!(page(2, 1).await, ["d", "a"]);
    assert_eq!(page(2, 4).await, ["e"]);
    assert_eq!(repo.search(&search("", 50, 0)).await.unwrap().len(), 5, "empty text lists every room");
}

async fn r12_a_members_rooms_are_listed_in_join_order(db: Database) {
    given_users(&db, &["alice", "bob"]).await;
    let repo = SeaOrmRoomRepository::new(&db);
    let memberships = SeaOrmMembershipRepository::new(&db);
    for id in ["r1", "r2", "r3"] {
        given_room(&db, id, "alice", 10).await;
    }
    memberships.add(&room_key("r3"), &user_id("bob"), at(10)).await.unwrap();
    memberships.add(&room_key("r1"), &user_id("bob"), at(20)).await.unwrap();

    let rooms = repo.list_for_member(&user_id("bob")).await.unwrap();

    let ids: Vec<_> = rooms.iter().map(|r| r.id.to_string()).collect();
    assert_eq!(ids, ["r3", "r1"]);
    assert!(repo.list_for_member(&user_id("nobody")).await.unwrap().is_empty());
}

async fn deleting_a_room_cascades_and_returns_its_images(db: Database) {
    given_users(&db, &["alice", "bob"]).await;
    let repo = SeaOrmRoomRepository::new(&db);
    let memberships = SeaOrmMembershipRepository::new(&db);
    let events = message_store(&db);
    given_room(&db, "r1", "alice", 10).await;
    given_room(&db, "r2", "alice", 10).await;
    memberships.add(&room_key("r1"), &user_id("bob"), at(1)).await.unwrap();
    let picture = "0123456789abcdef0123456789abcdef";
    events.append(&room_key("r1"), image("bob", picture, 2), at(0)).await.unwrap();
    memberships
        .remove(&room_key("r1"), &user_id("bob"), chatroom_domain::room::Departure::Kicked, at(3))
        .await
        .unwrap();

    let images = repo.delete(&room_key("r1")).await.unwrap().unwrap();

    assert_eq!(images.iter().map(|i| i.as_str()).collect::<Vec<_>>(), [picture]);
    assert_eq!(repo.find_by_id(&room_id("r1")).await.unwrap(), None);
    assert!(memberships.list(&room_id("r1")).await.unwrap().is_empty());
    assert_eq!(memberships.last_kicked_at(&room_id("r1"), &user_id("bob")).await.unwrap(), None);
    assert!(events.list_after(&room_key("r1"), Seq::ZERO, 10).await.unwrap().is_empty());
    assert_eq!(events.last_seq(&room_key("r2")).await.unwrap(), Seq::new(1), "other rooms stay");
    assert_eq!(repo.delete(&room_key("r1")).await.unwrap(), None);
    // The id is free again, and seqs start over.
    let joined = repo.insert(&room("r1", "room r1", "alice", 10, at(9))).await.unwrap();
    assert_eq!(joined.seq, Seq::new(1));
}
