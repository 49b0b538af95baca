//! What the service makes of each repository write's refusals that the rule
//! tests do not reach: a room dissolved between the lookup and the write, a join
//! that lost a race to the same user's other connection, and unexpected errors.

use std::sync::atomic::{AtomicBool, Ordering};

use super::*;

/// Room r1, owned by alice, dissolved by someone else before any write commits.
fn vanishing_room() -> Mocks {
    let mut m = deps();
    m.has_room(room("r1", "alice", Access::Public, 10));
    m.bus.expect_publish().never();
    m
}

#[tokio::test]
async fn e2001_a_room_dissolved_before_the_write_is_not_found_for_every_write() {
    let mut m = vanishing_room();
    m.member("r1", "bob", false);
    m.memberships.expect_last_kicked_at().returning(|_, _| Ok(None));
    m.memberships.expect_add().times(1).returning(|_, _, _| Err(AddMemberError::RoomNotFound));
    m.memberships.expect_remove().times(2).returning(|_, _, _, _| Err(RemoveMemberError::RoomNotFound));
    m.rooms.expect_transfer_ownership().times(1).returning(|_, _, _| Err(TransferOwnershipError::RoomNotFound));
    m.rooms.expect_update().times(1).returning(|_, _, _| Err(ChangeRoomError::RoomNotFound));
    let service = m.service();
    let changes = RoomUpdate { access: Some("false".into()), ..RoomUpdate::default() };

    let entered = service.enter_room(&uid("bob"), &by_id("r1")).await;
    let left = service.leave_room(&uid("alice"), &by_id("r1")).await;
    let kicked = service.kick_member(&uid("alice"), &by_id("r1"), &uid("bob")).await;
    let transferred = service.transfer_ownership(&uid("alice"), &by_id("r1"), &uid("bob")).await;
    let updated = service.update_room(&uid("alice"), &by_id("r1"), changes).await;

    assert!(matches!(entered, Err(EnterRoomError::NotFound)), "{entered:?}");
    assert!(matches!(left, Err(LeaveRoomError::NotFound)), "{left:?}");
    assert!(matches!(kicked, Err(MemberActionError::NotFound)), "{kicked:?}");
    assert!(matches!(transferred, Err(MemberActionError::NotFound)), "{transferred:?}");
    assert!(matches!(updated, Err(UpdateRoomError::NotFound)), "{updated:?}");
}

#[tokio::test]
async fn r4_a_join_that_lost_the_race_to_the_users_other_connection_reconnects() {
    let mut m = deps();
    m.has_room(room("r1", "alice", Access::Public, 10));
    // Not a member when the join starts; a member once the other connection won.
    let joined_elsewhere = AtomicBool::new(false);
    m.memberships
        .expect_find()
        .times(2)
        .returning(move |_, _| Ok(joined_elsewhere.swap(true, Ordering::SeqCst).then(|| membership("r1", "bob"))));
    m.memberships.expect_last_kicked_at().returning(|_, _| Ok(None));
    m.memberships.expect_add().times(1).returning(|_, _, _| Err(AddMemberError::AlreadyMember));
    m.bus.expect_publish().never();

    let entered = m.service().enter_room(&uid("bob"), &by_id("r1")).await.unwrap();

    assert_eq!((entered.membership, entered.newcomer), (membership("r1", "bob"), false));
}

#[tokio::test]
async fn an_unexpected_write_error_stays_unexpected_and_says_what_the_service_was_doing() {
    let mut m = deps();
    m.rooms.expect_insert().times(1).returning(|_| Err(anyhow::anyhow!("disk full").into()));
    m.bus.expect_publish().never();

    let result = m.service().create_room(&uid("alice"), new_room("r1", "Room r1", "10", "true")).await;

    let Err(CreateRoomError::Unexpected(error)) = result else { panic!("{result:?}") };
    assert_eq!(format!("{error:#}"), "creating a room: disk full");
}
