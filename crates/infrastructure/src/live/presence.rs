//! [`InProcessPresence`]: the `Presence` port for a single node, counting open
//! connections per (room, user) in memory. A user may hold several connections to a
//! room (W13); they come online with the first and go offline with the last.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use chatroom_domain::delivery::Presence;
use chatroom_domain::ids::{RoomKey, UserId};

type Connections = HashMap<RoomKey, HashMap<UserId, usize>>;

/// Connection counts of this process. Rooms and users with no connection left are
/// forgotten, so memory follows what is open, not what ever was.
#[derive(Debug, Default)]
pub struct InProcessPresence {
    connections: Mutex<Connections>,
}

impl InProcessPresence {
    /// No one online.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every critical section is one map update, so a poisoned lock still guards a
    /// consistent map.
    fn connections(&self) -> MutexGuard<'_, Connections> {
        self.connections.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait]
impl Presence for InProcessPresence {
    async fn connected(&self, room: &RoomKey, user: &UserId) -> anyhow::Result<bool> {
        let mut connections = self.connections();
        let count = connections.entry(room.clone()).or_default().entry(user.clone()).or_insert(0);
        *count += 1;
        Ok(*count == 1)
    }

    async fn disconnected(&self, room: &RoomKey, user: &UserId) -> anyhow::Result<bool> {
        let mut connections = self.connections();
        let Some(users) = connections.get_mut(room) else {
            tracing::warn!(room = %room, user = %user, "disconnect without a matching connect");
            return Ok(false);
        };
        let Some(count) = users.get_mut(user) else {
            tracing::warn!(room = %room, user = %user, "disconnect without a matching connect");
            return Ok(false);
        };
        *count -= 1;
        if *count > 0 {
            return Ok(false);
        }
        users.remove(user);
        if users.is_empty() {
            connections.remove(room);
        }
        Ok(true)
    }

    async fn online(&self, room: &RoomKey) -> anyhow::Result<Vec<UserId>> {
        let mut online: Vec<UserId> =
            self.connections().get(room).map(|users| users.keys().cloned().collect()).unwrap_or_default();
        online.sort();
        Ok(online)
    }
}

#[cfg(test)]
mod tests {
    use chatroom_domain::ids::{Incarnation, RoomId};

    use super::*;

    #[tokio::test]
    async fn s7_a_later_life_of_a_room_id_has_nobody_online_from_the_earlier_one() {
        let presence = InProcessPresence::new();
        let old = room("r1");
        let new = RoomKey::new(old.id.clone(), Incarnation::new(2));
        presence.connected(&old, &user("alice")).await.unwrap();
        assert!(presence.online(&new).await.unwrap().is_empty());
        assert!(presence.connected(&new, &user("alice")).await.unwrap(), "her first connection to the new room");
    }

    fn room(id: &str) -> RoomKey {
        RoomKey::new(RoomId::parse(id).unwrap(), Incarnation::new(1))
    }

    fn user(id: &str) -> UserId {
        UserId::parse(id).unwrap()
    }

    #[tokio::test]
    async fn w13_a_user_comes_online_with_the_first_connection_and_goes_offline_with_the_last() {
        let presence = InProcessPresence::new();
        assert!(presence.connected(&room("r1"), &user("a")).await.unwrap());
        assert!(!presence.connected(&room("r1"), &user("a")).await.unwrap());

        assert!(!presence.disconnected(&room("r1"), &user("a")).await.unwrap());
        assert_eq!(presence.online(&room("r1")).await.unwrap(), vec![user("a")]);
        assert!(presence.disconnected(&room("r1"), &user("a")).await.unwrap());
        assert!(presence.online(&room("r1")).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn online_lists_the_users_connected_to_that_room_only() {
        let presence = InProcessPresence::new();
        presence.connected(&room("r1"), &user("b")).await.unwrap();
        presence.connected(&room("r1"), &user("a")).await.unwrap();
        presence.connected(&room("r2"), &user("c")).await.unwrap();

        assert_eq!(presence.online(&room("r1")).await.unwrap(), vec![user("a"), user("b")]);
        assert_eq!(presence.online(&room("r2")).await.unwrap(), vec![user("c")]);
        assert!(presence.online(&room("r3")).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn an_unmatched_disconnect_changes_nothing() {
        let presence = InProcessPresence::new();
        presence.connected(&room("r1"), &user("a")).await.unwrap();

        assert!(!presence.disconnected(&room("r1"), &user("b")).await.unwrap());
        assert!(!presence.disconnected(&room("r2"), &user("a")).await.unwrap());
        assert_eq!(presence.online(&room("r1")).await.unwrap(), vec![user("a")]);
    }

    #[tokio::test]
    async fn rooms_without_connections_are_forgotten() {
        let presence = InProcessPresence::new();
        presence.connected(&room("r1"), &user("a")).await.unwrap();
        presence.disconnected(&room("r1"), &user("a")).await.unwrap();
        assert!(presence.connections().is_empty());
    }
}
