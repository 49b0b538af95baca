//! What live delivery carries: the signals of a room on the event bus, why a
//! connection must close, and how far a member has read (W2, D4, R10, R11).

use std::sync::Arc;

use crate::ids::{RoomKey, Seq, SessionId, UserId};
use crate::timeline::RoomEvent;

/// Why a live connection must close.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisconnectReason {
    /// The member left the room (1000).
    Left,
    /// The member was kicked (4001).
    Kicked,
}

/// What the event bus carries to the connections of a room (on every node).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoomSignal {
    /// A persisted event, already committed (D1); shared, not copied, by every
    /// subscriber of the room.
    Event(Arc<RoomEvent>),
    /// A member's first connection opened or last connection closed (ephemeral).
    Presence { user: UserId, online: bool },
    /// Close every connection of `user` to this room (R10).
    Disconnect { user: UserId, reason: DisconnectReason },
    /// The room was dissolved: announce it and close every connection (W7, 4002).
    Dissolved,
    /// Close every connection opened with one of these sessions (R11, 4003).
    SessionsEnded(Vec<SessionId>),
}

/// The last seq delivered to a member (W2, D4), saved in batches. It belongs
/// to one life of the room (S7): a mark of a dissolved room never lands on a
/// later room of the same id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryMark {
    pub room: RoomKey,
    pub user_id: UserId,
    pub seq: Seq,
}
