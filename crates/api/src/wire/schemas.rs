//! The JSON shapes shared by several operations and by the WebSocket frames,
//! with the seed's field names (SPEC §4 "Room JSON"), and where an image is
//! served.

use chatroom_domain::ids::ImageId;
use chatroom_domain::message::HistoryPage;
use chatroom_domain::room::{MemberView, Room};
use chatroom_domain::timeline::RoomSnapshot;
use chatroom_domain::user::User;
use poem_openapi::types::Any;
use poem_openapi::Object;
use time::OffsetDateTime;

use super::ServerFrame;

/// Where `GET /images/{id}` serves an image: the `url` of the image frame (W4)
/// and of the answer of `POST /room/sendImg`.
pub fn image_url(id: &ImageId) -> String {
    format!("/images/{}", id.as_str())
}

/// A room as the seed's clients know it.
#[derive(Object, Clone, Debug, PartialEq)]
#[oai(rename = "Room", rename_all = "PascalCase")]
pub struct RoomDto {
    /// The room's id, chosen by its creator.
    pub room_id: String,
    /// The room's name, unique by its normalized form (R2).
    pub room_name: String,
    /// How many members it holds at most (R4).
    pub room_cap: u32,
    /// `true`: anyone may join; `false`: only its members may come back (R4).
    pub room_access: bool,
    /// The userId of its owner.
    pub room_owner: String,
    /// When it was created, RFC 3339 with offset.
    pub created_at: OffsetDateTime,
}

impl From<&RoomSnapshot> for RoomDto {
    fn from(room: &RoomSnapshot) -> Self {
        Self {
            room_id: room.id.as_str().to_owned(),
            room_name: room.name.clone(),
            room_cap: room.capacity,
            room_access: room.public,
            room_owner: room.owner.as_str().to_owned(),
            created_at: room.created_at,
        }
    }
}

impl From<&Room> for RoomDto {
    fn from(room: &Room) -> Self {
        Self {
            room_id: room.id.as_str().to_owned(),
            room_name: room.name.as_str().to_owned(),
            room_cap: room.capacity.get(),
            room_access: room.access.is_public(),
            room_owner: room.owner.as_str().to_owned(),
            created_at: room.created_at,
        }
    }
}

/// A member of a room as `GET /room/retrieveUser` lists it: the seed's
/// `UserId` and `UserName`, plus (ext) `Online` and `IsOwner`.
#[derive(Object, Clone, Debug, PartialEq)]
#[oai(rename = "Member", rename_all = "PascalCase")]
pub struct MemberDto {
    /// The member's userId.
    pub user_id: String,
    /// The member's display name.
    pub user_name: String,
    /// (ext) Whether the member has a live connection to the room right now.
    pub online: bool,
    /// (ext) Whether the member owns the room (R5).
    pub is_owner: bool,
}

impl From<&MemberView> for MemberDto {
    fn from(member: &MemberView) -> Self {
        Self {
            user_id: member.user_id.as_str().to_owned(),
            user_name: member.user_name.as_str().to_owned(),
            online: member.online,
            is_owner: member.is_owner,
        }
    }
}

/// The caller's own account, without its password hash.
#[derive(Object, Clone, Debug, PartialEq)]
#[oai(rename = "Profile", rename_all = "PascalCase")]
pub struct ProfileDto {
    pub user_id: String,
    pub user_name: String,
    pub user_email: String,
}

impl From<&User> for ProfileDto {
    fn from(user: &User) -> Self {
        Self {
            user_id: user.id.as_str().to_owned(),
            user_name: user.name.as_str().to_owned(),
            user_email: user.email.as_str().to_owned(),
        }
    }
}

/// (ext) `Notice` of `GET /room/messages`.
#[derive(Object, Debug, Clone, PartialEq)]
#[oai(rename = "HistoryNotice", rename_all = "camelCase")]
pub struct HistoryNotice {
    /// The events in seq order, each exactly the WebSocket frame of its event
    /// (`message`, `image` or `system`; see docs/websocket.md).
    pub messages: Vec<Any<ServerFrame>>,
    /// Whether more events lie beyond this page in the direction read: older
    /// ones without `after`, newer ones with it.
    pub has_more: bool,
}

/// A page of history lists each event as the frame a live connection gets for
/// it (W3, W4, W5).
impl From<&HistoryPage> for HistoryNotice {
    fn from(page: &HistoryPage) -> Self {
        Self {
            messages: page.events.iter().map(|event| Any(ServerFrame::event(event))).collect(),
            has_more: page.has_more,
        }
    }
}
