//! `SeaOrmMembershipRepository` against the `MembershipRepository` contract (R4,
//! R8, R14, W2).

use std::sync::Arc;

use chatroom_domain::delivery::DeliveryMark;
use chatroom_domain::ids::Seq;
use chatroom_domain::room::{AddMemberError, Departure, MembershipRepository, RemoveMemberError, RoomRepository};
use chatroom_domain::timeline::{EventKind, MessageStore, SystemEvent};
use chatroom_infrastructure::persistence::{Database, SeaOrmMembershipRepository, SeaOrmRoomRepository};

use crate::support::{at, contract_tests, given_room, given_users, image, message_store, room_id, room_key, user_id};

contract_tests!(
    r4_racing_joins_never_exceed_the_capacity,
    r4_joining_reports_members_missing_rooms_and_full_rooms,
    members_are_listed_in_join_order_with_the_owner_marked,
    r8_an_owner_leaving_passes_ownership_to_the_earliest_joined_member,
    r8_the_last_member_leaving_dissolves_the_room_and_returns_its_images,
    r14_a_kick_is_recorded_with_its_time,
    removing_a_non_member_or_from_a_missing_room_is_refused,
    w2_saving_delivery_marks_never_lowers_them,
);

async fn r4_racing_joins_never_exceed_the_capacity(db: Database) {
    let names: Vec<String> = (0..20).map(|i| format!("joiner{i}")).collect();
    let mut ids: Vec<&str> = names.iter().map(String::as_str).collect();
    ids.push("owner");
    given_users(&db, &ids).await;
    given_room(&db, "r1", "owner", 5).await;
    let repo = Arc::new(SeaOrmMembershipRepository::new(&db));

    let tasks: Vec<_> = names
        .iter()
        .map(|name| {
            let (repo, user) = (Arc::clone(&repo), user_id(name));
            tokio::spawn(async move { repo.add(&room_key("r1"), &user, at(1)).await })
        })
        .collect();
    let (mut joined, mut full) = (0, 0);
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => joined += 1,
            Err(AddMemberError::Full) => full += 1,
            Err(other) => panic!("unexpected {other:?}"),
        }
    }

    assert_eq!((joined, full), (4, 16), "the owner holds the fifth place");
    assert_eq!(repo.list(&room_id("r1")).await.unwrap().len(), 5);
    // member_count agrees with the memberships: one leaves, exactly one may join.
    repo.remove(&room_key("r1"), &user_id("owner"), Departure::Left, at(2)).await.unwrap();
    let mut outcomes = Vec::new();
    for name in &names {
        outcomes.push(repo.add(&room_key("r1"), &user_id(name), at(3)).await);
    }
    assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 1);
    assert_eq!(repo.list(&room_id("r1")).await.unwrap().len(), 5);
}

async fn r4_joining_reports_members_missing_rooms_and_full_rooms(db: Database) {
    given_users(&db, &["alice", "bob", "carol"]).await;
    given_room(&db, "r1", "alice", 2).await;
    let repo = SeaOrmMembershipRepository::new(&db);

    let (membership, joined) = repo.add(&room_key("r1"), &user_id("bob"), at(1)).await.unwrap();
    let again = repo.add(&room_key("r1"), &user_id("bob"), at(2)).await;
    let full = repo.add(&room_key("r1"), &user_id("carol"), at(2)).await;
    let missing = repo.add(&room_key("nowhere"), &user_id("carol"), at(2)).await;

    assert_eq!(
        (membership.user_id.as_str(), membership.joined_at, membership.last_delivered_seq),
        ("bob", at(1), Seq::ZERO)
    );
    assert_eq!((joined.seq, joined.kind), (Seq::new(2), EventKind::System(SystemEvent::Joined(user_id("bob")))));
    assert_eq!(repo.find(&room_id("r1"), &user_id("bob")).await.unwrap(), Some(membership));
    assert!(matches!(again, Err(AddMemberError::AlreadyMember)), "{again:?}");
    assert!(matches!(full, Err(AddMemberError::Full)), "{full:?}");
    assert!(matches!(missing, Err(AddMemberError::RoomNotFound)), "{missing:?}");
    assert_eq!(repo.find(&room_id("r1"), &user_id("carol")).await.unwrap(), None);
}

async fn members_are_listed_in_join_order_with_the_owner_marked(db: Database) {
    given_users(&db, &["owner", "zed", "amy"]).await;
    given_room(&db, "r1", "owner", 10).await;
    let repo = SeaOrmMembershipRepository::new(&db);
    // Same millisecond: the join order still says zed came first.
    repo.add(&room_key("r1"), &user_id("zed"), at(1)).await.unwrap();
    repo.add(&room_key("r1"), &user_id("amy"), at(1)).await.unwrap();

    let members = repo.list(&room_id("r1")).await.unwrap();

    let listed: Vec<_> = members.iter().map(|m| (m.user_id.as_str(), m.user_name.as_str(), m.is_owner)).collect();
    assert_eq!(
        listed,
        [("owner", "name of owner", true), ("zed", "name of zed", false), ("amy", "name of amy", false)]
    );
}

async fn r8_an_owner_leaving_passes_ownership_to_the_earliest_joined_member(db: Database) {
    given_users(&db, &["owner", "zed", "amy"]).await;
    given_room(&db, "r1", "owner", 10).await;
    let repo = SeaOrmMembershipRepository::new(&db);
    repo.add(&room_key("r1"), &user_id("zed"), at(1)).await.unwrap();
    repo.add(&room_key("r1"), &user_id("amy"), at(1)).await.unwrap();

    let outcome = repo.remove(&room_key("r1"), &user_id("owner"), Departure::Left, at(5)).await.unwrap();

    assert_eq!(outcome.new_owner, Some(user_id("zed")));
    assert_eq!(outcome.dissolved, None);
    let kinds: Vec<_> = outcome.events.iter().map(|e| (e.seq, e.kind.clone())).collect();
    assert_eq!(
        kinds,
        [
            (Seq::new(4), EventKind::System(SystemEvent::Left(user_id("owner")))),
            (Seq::new(5), EventKind::System(SystemEvent::OwnerChanged(user_id("zed")))),
        ]
    );
    let room = SeaOrmRoomRepository::new(&db).find_by_id(&room_id("r1")).await.unwrap().unwrap();
    assert_eq!(room.owner, user_id("zed"));
    // A member who is not the owner leaves without a handover.
    let plain = repo.remove(&room_key("r1"), &user_id("amy"), Departure::Left, at(6)).await.unwrap();
    assert_eq!((plain.events.len(), plain.new_owner), (1, None));
}

async fn r8_the_last_member_leaving_dissolves_the_room_and_returns_its_images(db: Database) {
    given_users(&db, &["owner"]).await;
    given_room(&db, "r1", "owner", 10).await;
    let picture = "00112233445566778899aabbccddeeff";
    message_store(&db).append(&room_key("r1"), image("owner", picture, 1), at(0)).await.unwrap();
    let repo = SeaOrmMembershipRepository::new(&db);

    let outcome = repo.remove(&room_key("r1"), &user_id("owner"), Departure::Left, at(2)).await.unwrap();

    assert!(outcome.events.is_empty());
    assert_eq!(outcome.new_owner, None);
    let images = outcome.dissolved.unwrap();
    assert_eq!(images.iter().map(|i| i.as_str()).collect::<Vec<_>>(), [picture]);
    assert_eq!(SeaOrmRoomRepository::new(&db).find_by_id(&room_id("r1")).await.unwrap(), None);
    assert!(message_store(&db).list_after(&room_key("r1"), Seq::ZERO, 10).await.unwrap().is_empty());
}

async fn r14_a_kick_is_recorded_with_its_time(db: Database) {
    given_users(&db, &["owner", "bob"]).await;
    given_room(&db, "r1", "owner", 10).await;
    let repo = SeaOrmMembershipRepository::new(&db);
    assert_eq!(repo.last_kicked_at(&room_id("r1"), &user_id("bob")).await.unwrap(), None);

    repo.add(&room_key("r1"), &user_id("bob"), at(1)).await.unwrap();
    let first = repo.remove(&room_key("r1"), &user_id("bob"), Departure::Kicked, at(2)).await.unwrap();
    repo.add(&room_key("r1"), &user_id("bob"), at(3)).await.unwrap();
    repo.remove(&room_key("r1"), &user_id("bob"), Departure::Kicked, at(4)).await.unwrap();

    assert_eq!(first.events.len(), 1);
    assert_eq!(first.events[0].kind, EventKind::System(SystemEvent::Kicked(user_id("bob"))));
    assert_eq!(repo.last_kicked_at(&room_id("r1"), &user_id("bob")).await.unwrap(), Some(at(4)), "the latest kick");
    assert_eq!(repo.find(&room_id("r1"), &user_id("bob")).await.unwrap(), None);
}

async fn removing_a_non_member_or_from_a_missing_room_is_refused(db: Database) {
    given_users(&db, &["owner", "bob"]).await;
    given_room(&db, "r1", "owner", 10).await;
    let repo = SeaOrmMembershipRepository::new(&db);

    let stranger = repo.remove(&room_key("r1"), &user_id("bob"), Departure::Left, at(1)).await;
    let missing = repo.remove(&room_key("nowhere"), &user_id("bob"), Departure::Left, at(1)).await;

    assert!(matches!(stranger, Err(RemoveMemberError::NotMember)), "{stranger:?}");
    assert!(matches!(missing, Err(RemoveMemberError::RoomNotFound)), "{missing:?}");
    assert_eq!(repo.list(&room_id("r1")).await.unwrap().len(), 1, "the refused removal changed nothing");
    assert_eq!(message_store(&db).last_seq(&room_key("r1")).await.unwrap(), Seq::new(1));
}

async fn w2_saving_delivery_marks_never_lowers_them(db: Database) {
    given_users(&db, &["owner", "bob"]).await;
    given_room(&db, "r1", "owner", 10).await;
    let repo = SeaOrmMembershipRepository::new(&db);
    let mark = |user: &str, seq| DeliveryMark { room: room_key("r1"), user_id: user_id(user), seq: Seq::new(seq) };

    repo.save_delivered(&[mark("owner", 7)]).await.unwrap();
    repo.save_delivered(&[mark("owner", 5), mark("bob", 9)]).await.unwrap();
    repo.save_delivered(&[]).await.unwrap();

    let owner = repo.find(&room_id("r1"), &user_id("owner")).await.unwrap().unwrap();
    assert_eq!(owner.last_delivered_seq, Seq::new(7));
    assert_eq!(repo.find(&room_id("r1"), &user_id("bob")).await.unwrap(), None, "no membership, mark ignored");
}
