//! The owner's powers (R5, R6, R7), leaving (R8) and losing connections (R10).

use super::*;

async fn kick(m: Mocks, caller: &str, target: &str) -> Result<(), MemberActionError> {
    m.service().kick_member(&uid(caller), &by_id("r1"), &uid(target)).await
}

async fn transfer(m: Mocks, caller: &str, target: &str) -> Result<(), MemberActionError> {
    m.service().transfer_ownership(&uid(caller), &by_id("r1"), &uid(target)).await
}

fn update(cap: Option<&str>, access: Option<&str>) -> RoomUpdate {
    RoomUpdate { room_name: None, capacity: cap.map(Into::into), access: access.map(Into::into) }
}

/// Room r1, owned by alice.
fn alices_room() -> Mocks {
    let mut m = deps();
    m.has_room(room("r1", "alice", Access::Public, 10));
    m
}

// --- leave (R8, R10) ---

#[tokio::test]
async fn r8_owner_leaving_passes_ownership_to_earliest_member() {
    let mut m = alices_room();
    let left = system("r1", 8, SystemEvent::Left(uid("alice")));
    let owner_changed = system("r1", 9, SystemEvent::OwnerChanged(uid("bob")));
    let outcome = RemovalOutcome {
        events: vec![left.clone(), owner_changed.clone()],
        new_owner: Some(uid("bob")),
        dissolved: None,
    };
    m.memberships
        .expect_remove()
        .with(eq(key("r1")), eq(uid("alice")), eq(Departure::Left), eq(NOW))
        .times(1)
        .return_once(move |_, _, _, _| Ok(outcome));
    let disconnect = RoomSignal::Disconnect { user: uid("alice"), reason: DisconnectReason::Left };
    m.publishes_in_order(
        "r1",
        vec![RoomSignal::Event(left.into()), RoomSignal::Event(owner_changed.into()), disconnect],
    );
    m.images.expect_delete().never();

    let result = m.service().leave_room(&uid("alice"), &by_name("Room r1")).await;

    assert!(result.is_ok(), "{result:?}");
}

#[tokio::test]
async fn r8_last_member_leaving_dissolves_and_deletes_images() {
    let mut m = alices_room();
    let outcome = RemovalOutcome { events: vec![], new_owner: None, dissolved: Some(vec![image(1), image(2)]) };
    m.memberships.expect_remove().times(1).return_once(move |_, _, _, _| Ok(outcome));
    let disconnect = RoomSignal::Disconnect { user: uid("alice"), reason: DisconnectReason::Left };
    m.publishes_in_order("r1", vec![disconnect]);
    m.images.expect_delete().withf(|ids| ids == [image(1), image(2)]).times(1).returning(|_| Ok(()));

    let result = m.service().leave_room(&uid("alice"), &by_id("r1")).await;

    assert!(result.is_ok(), "{result:?}");
}

#[tokio::test]
async fn r8_non_member_cannot_leave() {
    let mut m = alices_room();
    m.memberships.expect_remove().times(1).returning(|_, _, _, _| Err(RemoveMemberError::NotMember));
    m.bus.expect_publish().never();

    let result = m.service().leave_room(&uid("mallory"), &by_id("r1")).await;

    assert!(matches!(result, Err(LeaveRoomError::NotMember)), "{result:?}");
}

// --- kick (R5, R6, R10) ---

#[tokio::test]
async fn r10_kicked_member_is_disconnected_with_reason_kicked() {
    let mut m = alices_room();
    let kicked = system("r1", 8, SystemEvent::Kicked(uid("bob")));
    let outcome = RemovalOutcome { events: vec![kicked.clone()], new_owner: None, dissolved: None };
    m.memberships
        .expect_remove()
        .with(eq(key("r1")), eq(uid("bob")), eq(Departure::Kicked), eq(NOW))
        .times(1)
        .return_once(move |_, _, _, _| Ok(outcome));
    let disconnect = RoomSignal::Disconnect { user: uid("bob"), reason: DisconnectReason::Kicked };
    m.publishes_in_order("r1", vec![RoomSignal::Event(kicked.into()), disconnect]);

    let result = kick(m, "alice", "bob").await;

    assert!(result.is_ok(), "{result:?}");
}

#[tokio::test]
async fn r5_only_the_owner_may_kick() {
    let mut m = alices_room();
    m.memberships.expect_remove().never();
    m.bus.expect_publish().never();

    let result = kick(m, "bob", "carol").await;

    assert!(matches!(result, Err(MemberActionError::NotOwner)), "{result:?}");
}

#[tokio::test]
async fn r6_owner_cannot_kick_themself() {
    let mut m = alices_room();
    m.memberships.expect_remove().never();

    let result = kick(m, "alice", "alice").await;

    assert!(matches!(result, Err(MemberActionError::SelfTarget)), "{result:?}");
}

#[tokio::test]
async fn r6_target_must_be_a_member() {
    let mut m = alices_room();
    m.memberships.expect_remove().times(1).returning(|_, _, _, _| Err(RemoveMemberError::NotMember));
    m.rooms.expect_transfer_ownership().times(1).returning(|_, _, _| Err(TransferOwnershipError::NotMember));
    m.bus.expect_publish().never();
    let service = m.service();

    let kicked = service.kick_member(&uid("alice"), &by_id("r1"), &uid("ghost")).await;
    let transferred = service.transfer_ownership(&uid("alice"), &by_id("r1"), &uid("ghost")).await;

    assert!(matches!(kicked, Err(MemberActionError::TargetNotMember)), "{kicked:?}");
    assert!(matches!(transferred, Err(MemberActionError::TargetNotMember)), "{transferred:?}");
}

// --- transfer (R5, R6) ---

#[tokio::test]
async fn r5_owner_transfers_ownership_and_the_room_is_told() {
    let mut m = alices_room();
    let owner_changed = system("r1", 8, SystemEvent::OwnerChanged(uid("bob")));
    let returned = owner_changed.clone();
    m.rooms
        .expect_transfer_ownership()
        .with(eq(key("r1")), eq(uid("bob")), eq(NOW))
        .times(1)
        .returning(move |_, _, _| Ok(returned.clone()));
    m.publishes_in_order("r1", vec![RoomSignal::Event(owner_changed.into())]);

    let result = transfer(m, "alice", "bob").await;

    assert!(result.is_ok(), "{result:?}");
}

#[tokio::test]
async fn r5_only_the_owner_may_transfer_ownership() {
    let mut m = alices_room();
    m.rooms.expect_transfer_ownership().never();

    let result = transfer(m, "bob", "bob").await;

    assert!(matches!(result, Err(MemberActionError::NotOwner)), "{result:?}");
}

#[tokio::test]
async fn r6_owner_cannot_transfer_to_themself() {
    let mut m = alices_room();
    m.rooms.expect_transfer_ownership().never();

    let result = transfer(m, "alice", "alice").await;

    assert!(matches!(result, Err(MemberActionError::SelfTarget)), "{result:?}");
}

// --- update (R2, R5, R7) ---

#[tokio::test]
async fn r5_owner_updates_the_room_and_the_room_is_told() {
    let mut m = alices_room();
    let changes = RoomChanges {
        name: Some(RoomName::parse("Lounge").unwrap()),
        capacity: Some(Capacity::from_stored(20)),
        access: Some(Access::Private),
    };
    let updated = Room { name: RoomName::parse("Lounge").unwrap(), ..room("r1", "alice", Access::Private, 20) };
    let event = system("r1", 8, SystemEvent::RoomUpdated(updated.snapshot()));
    let returned = (updated.clone(), event.clone());
    m.rooms
        .expect_update()
        .with(eq(key("r1")), eq(changes), eq(NOW))
        .times(1)
        .returning(move |_, _, _| Ok(returned.clone()));
    m.publishes_in_order("r1", vec![RoomSignal::Event(event.into())]);
    let body = RoomUpdate { room_name: Some(" Lounge ".into()), capacity: Some("20".into()), access: Some("0".into()) };

    let result = m.service().update_room(&uid("alice"), &by_id("r1"), body).await.unwrap();

    assert_eq!(result, updated);
}

#[tokio::test]
async fn r5_only_the_owner_may_update() {
    let mut m = alices_room();
    m.rooms.expect_update().never();

    let result = m.service().update_room(&uid("bob"), &by_id("r1"), update(Some("5"), None)).await;

    assert!(matches!(result, Err(UpdateRoomError::NotOwner)), "{result:?}");
}

#[tokio::test]
async fn r7_capacity_below_member_count_is_refused() {
    let mut m = alices_room();
    m.rooms.expect_update().times(1).returning(|_, _, _| Err(ChangeRoomError::CapacityBelowMembers));
    m.bus.expect_publish().never();

    let result = m.service().update_room(&uid("alice"), &by_id("r1"), update(Some("1"), None)).await;

    assert!(matches!(result, Err(UpdateRoomError::CapacityBelowMembers)), "{result:?}");
}

#[tokio::test]
async fn r2_renaming_to_a_taken_name_is_refused() {
    let mut m = alices_room();
    m.rooms.expect_update().times(1).returning(|_, _, _| Err(ChangeRoomError::Taken));
    m.bus.expect_publish().never();
    let body = RoomUpdate { room_name: Some("Room r2".into()), ..RoomUpdate::default() };

    let result = m.service().update_room(&uid("alice"), &by_id("r1"), body).await;

    assert!(matches!(result, Err(UpdateRoomError::NameTaken)), "{result:?}");
}

#[tokio::test]
async fn e1001_update_with_no_field_is_refused() {
    let mut m = deps();
    m.rooms.expect_update().never();

    let result = m.service().update_room(&uid("alice"), &by_id("r1"), RoomUpdate::default()).await;

    assert!(matches!(&result, Err(UpdateRoomError::Invalid(e)) if e.rule == Rule::AtLeastOneField), "{result:?}");
}

#[tokio::test]
async fn e1001_update_names_the_refused_field() {
    let cases = [(update(Some("0"), None), "roomCap"), (update(None, Some("maybe")), "roomAccess")];
    for (body, field) in cases {
        let mut m = deps();
        m.rooms.expect_update().never();

        let result = m.service().update_room(&uid("alice"), &by_id("r1"), body).await;

        assert!(matches!(&result, Err(UpdateRoomError::Invalid(e)) if e.field == field), "{field}: {result:?}");
    }
}

// --- dissolve (R5, R10) ---

#[tokio::test]
async fn r5_non_member_gets_not_owner_for_dissolve() {
    let mut m = alices_room();
    m.rooms.expect_delete().never();
    m.bus.expect_publish().never();
    m.images.expect_delete().never();

    let result = m.service().dissolve_room(&uid("mallory"), &by_id("r1")).await;

    assert!(matches!(result, Err(DissolveRoomError::NotOwner)), "{result:?}");
}

#[tokio::test]
async fn r10_dissolve_publishes_dissolved_and_deletes_images() {
    let mut m = alices_room();
    let mut order = Sequence::new();
    m.rooms
        .expect_delete()
        .with(eq(key("r1")))
        .times(1)
        .in_sequence(&mut order)
        .returning(|_| Ok(Some(vec![image(1), image(2)])));
    m.bus
        .expect_publish()
        .withf(|room, signal| *room == key("r1") && *signal == RoomSignal::Dissolved)
        .times(1)
        .in_sequence(&mut order)
        .returning(|_, _| Ok(()));
    m.images
        .expect_delete()
        .withf(|ids| ids == [image(1), image(2)])
        .times(1)
        .in_sequence(&mut order)
        .returning(|_| Ok(()));

    let result = m.service().dissolve_room(&uid("alice"), &by_name("Room r1")).await;

    assert!(result.is_ok(), "{result:?}");
}
