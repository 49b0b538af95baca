//! Tests of the in-process bus through its ports (`EventBus`, `EventFeed`,
//! `Subscription`): fan-out per room, session ends to every room, channel
//! clean-up and lag. Waits are bounded by a timeout, never by a sleep.

use std::time::Duration;

use chatroom_domain::ids::{Incarnation, RoomId, UserId};
use tokio::time::timeout;

use super::*;

fn room(id: &str) -> RoomKey {
    RoomKey::new(RoomId::parse(id).unwrap(), Incarnation::new(1))
}

fn online(user: &str) -> RoomSignal {
    RoomSignal::Presence { user: UserId::parse(user).unwrap(), online: true }
}

async fn subscribe(bus: &InProcessEventBus, room: &RoomKey) -> Box<dyn Subscription> {
    EventFeed::subscribe(bus, room).await.unwrap()
}

async fn next(subscription: &mut Box<dyn Subscription>) -> Result<RoomSignal, FeedError> {
    timeout(Duration::from_secs(5), subscription.next()).await.expect("a signal within 5 s")
}

#[tokio::test]
async fn w13_every_subscriber_of_a_room_gets_every_signal_in_publication_order() {
    let bus = InProcessEventBus::new();
    let mut first = subscribe(&bus, &room("r1")).await;
    let mut second = subscribe(&bus, &room("r1")).await;

    bus.publish(&room("r1"), online("a")).await.unwrap();
    bus.publish(&room("r1"), RoomSignal::Dissolved).await.unwrap();

    for subscription in [&mut first, &mut second] {
        assert_eq!(next(subscription).await, Ok(online("a")));
        assert_eq!(next(subscription).await, Ok(RoomSignal::Dissolved));
    }
}

#[tokio::test]
async fn signals_of_one_room_never_reach_another() {
    let bus = InProcessEventBus::new();
    let mut other = subscribe(&bus, &room("r2")).await;
    let _listener = subscribe(&bus, &room("r1")).await;

    bus.publish(&room("r1"), online("a")).await.unwrap();
    bus.publish(&room("r2"), RoomSignal::Dissolved).await.unwrap();

    assert_eq!(next(&mut other).await, Ok(RoomSignal::Dissolved));
}

#[tokio::test]
async fn s7_signals_of_a_dissolved_room_never_reach_a_later_room_of_the_same_id() {
    let bus = InProcessEventBus::new();
    let old = room("r1");
    let new = RoomKey::new(old.id.clone(), Incarnation::new(2));
    let mut later = subscribe(&bus, &new).await;
    let _earlier = subscribe(&bus, &old).await;

    bus.publish(&old, online("a")).await.unwrap();
    bus.publish(&new, RoomSignal::Dissolved).await.unwrap();

    assert_eq!(next(&mut later).await, Ok(RoomSignal::Dissolved));
}

#[tokio::test]
async fn publishing_to_a_room_nobody_listens_to_is_not_an_error() {
    let bus = InProcessEventBus::new();
    bus.publish(&room("empty"), RoomSignal::Dissolved).await.unwrap();
    bus.end_sessions(&[SessionId::new("s".to_owned())]).await.unwrap();
    assert!(bus.shared.rooms().is_empty());
}

#[tokio::test]
async fn r11_ended_sessions_reach_the_subscribers_of_every_room() {
    let bus = InProcessEventBus::new();
    let mut in_r1 = subscribe(&bus, &room("r1")).await;
    let mut in_r2 = subscribe(&bus, &room("r2")).await;
    let ended = vec![SessionId::new("s1".to_owned()), SessionId::new("s2".to_owned())];

    bus.end_sessions(&ended).await.unwrap();

    for subscription in [&mut in_r1, &mut in_r2] {
        assert_eq!(next(subscription).await, Ok(RoomSignal::SessionsEnded(ended.clone())));
    }
}

#[tokio::test]
async fn a_room_channel_is_removed_when_its_last_subscriber_drops() {
    let bus = InProcessEventBus::new();
    let first = subscribe(&bus, &room("r1")).await;
    let second = subscribe(&bus, &room("r1")).await;

    drop(first);
    assert!(bus.shared.rooms().contains_key(&room("r1")));
    drop(second);
    assert!(!bus.shared.rooms().contains_key(&room("r1")));

    let mut again = subscribe(&bus, &room("r1")).await;
    bus.publish(&room("r1"), RoomSignal::Dissolved).await.unwrap();
    assert_eq!(next(&mut again).await, Ok(RoomSignal::Dissolved));
}

#[tokio::test]
async fn w12_a_subscriber_that_falls_behind_learns_it_lagged() {
    let bus = InProcessEventBus::with_capacity(2);
    let mut slow = subscribe(&bus, &room("r1")).await;

    for user in ["a", "b", "c"] {
        bus.publish(&room("r1"), online(user)).await.unwrap();
    }

    assert_eq!(next(&mut slow).await, Err(FeedError::Lagged(1)));
    assert_eq!(next(&mut slow).await, Ok(online("b")));
}

#[tokio::test]
async fn a_subscription_waits_for_a_signal_published_later() {
    let bus = InProcessEventBus::new();
    let mut subscription = subscribe(&bus, &room("r1")).await;
    let publisher = bus.clone();

    let waiting = tokio::spawn(async move { next(&mut subscription).await });
    tokio::task::yield_now().await;
    publisher.publish(&room("r1"), RoomSignal::Dissolved).await.unwrap();

    assert_eq!(waiting.await.unwrap(), Ok(RoomSignal::Dissolved));
}

#[tokio::test]
async fn a_burst_is_taken_without_waiting_session_ends_first_then_nothing() {
    let bus = InProcessEventBus::with_capacity(2);
    let mut subscription = subscribe(&bus, &room("r1")).await;
    let ended = vec![SessionId::new("s1".to_owned())];
    assert_eq!(subscription.try_next(), None, "nothing has arrived");

    bus.publish(&room("r1"), online("a")).await.unwrap();
    bus.end_sessions(&ended).await.unwrap();

    assert_eq!(subscription.try_next(), Some(Ok(RoomSignal::SessionsEnded(ended))));
    assert_eq!(subscription.try_next(), Some(Ok(online("a"))));
    assert_eq!(subscription.try_next(), None);
    for user in ["b", "c", "d"] {
        bus.publish(&room("r1"), online(user)).await.unwrap();
    }
    assert_eq!(subscription.try_next(), Some(Err(FeedError::Lagged(1))), "W12 as with next");
}
