//! The room operations of SPEC §6 (`/room/*`) over HTTP: search, member lists,
//! changes, ownership, kicks, dissolution and leaving, images (`sendImg`) and
//! (ext) history (`messages`). Each names its room with the query parameters
//! `roomName` (the seed's) or (ext) `roomId`, calls one method of the room or
//! messaging service and answers with the seed's texts. The caller and the room
//! are extracted before the handler runs ([`Caller`], [`NamedRoom`]); the rules
//! (R2–R10, R14, S6) live in the domain.

use std::sync::Arc;

use chatroom_domain::account::AuthError;
use chatroom_domain::ids::{Seq, UserId};
use chatroom_domain::message::{HistoryError, HistoryQuery, MessageService, PostImageError};
use chatroom_domain::room::{
    DissolveRoomError, LeaveRoomError, ListMembersError, MemberActionError, RoomQuery, RoomService, RoomUpdate,
    SearchRoomsError, UpdateRoomError,
};
use chatroom_domain::timeline::EventKind;
use poem_openapi::param::Query;
use poem_openapi::types::Binary;
use poem_openapi::{Multipart, Object, OpenApi};
use serde::Deserialize;

use super::ApiTags;
use crate::catalogue::{BodyRefusals, Entry, Failure, Refusals, Text};
use crate::language::Lang;
use crate::reply::{Answer, Reply};
use crate::request::fields::{AccessRule, CapacityRule, Field, Optional, RoomIdRule, RoomNameRule, UserIdRule};
use crate::request::{Body, Caller, NamedRoom};
use crate::wire::{image_url, HistoryNotice, MemberDto, RoomDto};

/// The path of `POST /room/sendImg`, whose body limit is the image limit.
pub const SEND_IMG_PATH: &str = "/room/sendImg";

const UPDATED: Text = Text { zh: "修改成功", en: "Updated" };
const TRANSFERRED: Text = Text { zh: "转让成功", en: "Ownership transferred" };
const KICKED: Text = Text { zh: "踢出成功", en: "Member removed" };
const DISSOLVED: Text = Text { zh: "解散成功", en: "Room dissolved" };
const LEFT: Text = Text { zh: "退出房间成功", en: "Left the room" };
const SENT: Text = Text { zh: "发送成功", en: "Sent" };

/// Body of `PUT /room/update`: the new values, at least one field. The room to
/// change is named in the query.
#[derive(Object, Deserialize, Debug)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct UpdateRoomBody {
    /// The new name (R2).
    #[serde(default)]
    pub room_name: Optional<RoomNameRule>,
    /// The new capacity; not below the current member count (R7).
    #[serde(default)]
    pub room_cap: Optional<CapacityRule>,
    /// The new access.
    #[serde(default)]
    pub room_access: Optional<AccessRule>,
}

/// `Notice` of `GET /room/retrieve`.
#[derive(Object, Debug, Clone, PartialEq)]
#[oai(rename = "RoomsNotice")]
pub struct RoomsNotice {
    /// The rooms found, newest first, ties by RoomId; `[]` when none.
    pub rooms: Vec<RoomDto>,
}

/// Body of `POST /room/sendImg`: a multipart form (the seed's clients upload
/// files). The room may be named here or in the query.
#[derive(Multipart, Debug)]
pub struct SendImgForm {
    /// The image: PNG, JPEG, GIF or WebP, told by its bytes, not its name or
    /// content type (S6); at most `images.max_bytes` (5 MiB).
    #[oai(rename = "Img")]
    pub img: Binary<Vec<u8>>,
    /// (ext) The room's id.
    #[oai(rename = "roomId")]
    pub room_id: Option<Field<RoomIdRule>>,
    /// (ext) The room's name.
    #[oai(rename = "roomName")]
    pub room_name: Option<Field<RoomNameRule>>,
}

/// What reading the form of `POST /room/sendImg` can fail with: a form without
/// `Img` or unreadable (E1001), a body that is not a multipart form (E1006). A
/// body over the limit is E1302, as the image's own size is.
pub struct ImageFormRefusals;

impl Refusals for ImageFormRefusals {
    fn entries() -> Vec<Entry> {
        vec![Entry::E1001InvalidInput, Entry::E1006UnsupportedContentType]
    }
}

/// (ext) `Msg` of `POST /room/sendImg`.
#[derive(Object, Debug, Clone, PartialEq)]
#[oai(rename = "SentImage")]
pub struct SentImage {
    /// Where the image is served: `/images/<id>` (`GET /images/{id}`).
    pub url: String,
    /// The seq of the image event in the room (R13).
    pub seq: i64,
}

/// `Notice` of `GET /room/retrieveUser`.
#[derive(Object, Debug, Clone, PartialEq)]
#[oai(rename = "MembersNotice")]
pub struct MembersNotice {
    /// The members in join order.
    pub clients: Vec<MemberDto>,
}

/// Room management, member lists, history and images.
pub struct RoomsApi {
    rooms: Arc<dyn RoomService>,
    messages: Arc<dyn MessageService>,
}

impl RoomsApi {
    /// The room operations: `rooms` and `messages` hold the rules; callers are
    /// authenticated by [`Caller`].
    pub fn new(rooms: Arc<dyn RoomService>, messages: Arc<dyn MessageService>) -> Self {
        Self { rooms, messages }
    }
}

/// The member an owner acts on: `userId` in the query.
fn target(user_id: Field<UserIdRule>) -> Result<UserId, Failure> {
    UserId::parse_field("userId", user_id.as_str()).map_err(Failure::invalid)
}

#[OpenApi(tag = "ApiTags::Rooms")]
impl RoomsApi {
    /// Search rooms.
    ///
    /// The rooms whose name contains `roomName` (case-insensitive, on the
    /// normalized name of R2; empty or absent: every room), newest first, ties by
    /// RoomId, paged by (ext) `limit` (default 50, at most 200) and `offset`.
    /// Notice `{"rooms": [Room…]}`, `[]` when none. A bad `limit` or `offset` is
    /// E1001 naming it.
    #[oai(path = "/room/retrieve", method = "get", operation_id = "retrieve")]
    async fn retrieve(
        &self,
        _caller: Caller,
        /// Text to find inside room names; empty or absent: all rooms.
        #[oai(name = "roomName")]
        room_name: Query<Option<String>>,
        /// (ext) Page size (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u32>>,
        /// (ext) Rooms to skip (default 0).
        #[oai(validator(minimum(value = "0"), maximum(value = "9007199254740991")))]
        offset: Query<Option<u64>>,
    ) -> Answer<String, RoomsNotice, (AuthError, SearchRoomsError)> {
        let query = RoomQuery { name_contains: room_name.0.unwrap_or_default(), limit: limit.0, offset: offset.0 };
        let rooms = self.rooms.search_rooms(query).await?;
        Ok(Reply::notice(RoomsNotice { rooms: rooms.iter().map(RoomDto::from).collect() }))
    }

    /// List a room's members.
    ///
    /// Members only (R9: E2004 `用户不在房间内，无权限查找` otherwise). Notice
    /// `{"clients": [Member…]}` in join order, each with (ext) `Online` and
    /// `IsOwner`.
    #[oai(path = "/room/retrieveUser", method = "get", operation_id = "retrieveUser")]
    async fn retrieve_user(
        &self,
        Caller(caller): Caller,
        /// The room's name (or give `roomId`).
        #[oai(name = "roomName")]
        room: NamedRoom,
    ) -> Answer<String, MembersNotice, (AuthError, ListMembersError)> {
        let members = self.rooms.list_members(&caller.user.id, &room.required()?).await?;
        Ok(Reply::notice(MembersNotice { clients: members.iter().map(MemberDto::from).collect() }))
    }

    /// Change a room's name, capacity and/or access.
    ///
    /// The room is named in the query, the new values in the body (at least one,
    /// E1001 otherwise). Owner only (R5: E2002). A name taken by another room is
    /// E2007 (R2); a capacity below the member count is E2009 (R7). Notice
    /// `修改成功`; the members get a `roomUpdated` event.
    #[oai(path = "/room/update", method = "put", operation_id = "updateRoom")]
    async fn update(
        &self,
        lang: Lang,
        Caller(caller): Caller,
        /// The room's current name (or give `roomId`).
        #[oai(name = "roomName")]
        room: NamedRoom,
        body: Body<UpdateRoomBody>,
    ) -> Answer<String, String, (AuthError, BodyRefusals, UpdateRoomError)> {
        let room = room.required()?;
        let UpdateRoomBody { room_name: new_name, room_cap, room_access } = body.0;
        let update = RoomUpdate {
            room_name: new_name.into_text(),
            capacity: room_cap.into_text(),
            access: room_access.into_text(),
        };
        self.rooms.update_room(&caller.user.id, &room, update).await?;
        Ok(Reply::notice(UPDATED.get(lang).to_owned()))
    }

    /// Hand the room to another member.
    ///
    /// Owner only (R5: E2002); not to themself (R6: E2008); the target must be a
    /// member (R6: E2003). Notice `转让成功`; the members get an `ownerChanged`
    /// event.
    #[oai(path = "/room/transferOwner", method = "put", operation_id = "transferOwner")]
    async fn transfer_owner(
        &self,
        lang: Lang,
        Caller(caller): Caller,
        /// The room's name (or give `roomId`).
        #[oai(name = "roomName")]
        room: NamedRoom,
        /// The member who becomes the owner.
        #[oai(name = "userId")]
        user_id: Query<Field<UserIdRule>>,
    ) -> Answer<String, String, (AuthError, MemberActionError)> {
        let room = room.required()?;
        self.rooms.transfer_ownership(&caller.user.id, &room, &target(user_id.0)?).await?;
        Ok(Reply::notice(TRANSFERRED.get(lang).to_owned()))
    }

    /// Remove a member from the room.
    ///
    /// Owner only (R5: E2002); not themself (R6: E2008); the target must be a
    /// member (R6: E2003). The member's connections to the room are closed with
    /// 4001 (R10) and they cannot newly join it for `rooms.kick_cooldown` (R14).
    /// Notice `踢出成功`.
    #[oai(path = "/room/kickOutUser", method = "delete", operation_id = "kickOutUser")]
    async fn kick_out_user(
        &self,
        lang: Lang,
        Caller(caller): Caller,
        /// The room's name (or give `roomId`).
        #[oai(name = "roomName")]
        room: NamedRoom,
        /// The member to remove.
        #[oai(name = "userId")]
        user_id: Query<Field<UserIdRule>>,
    ) -> Answer<String, String, (AuthError, MemberActionError)> {
        let room = room.required()?;
        self.rooms.kick_member(&caller.user.id, &room, &target(user_id.0)?).await?;
        Ok(Reply::notice(KICKED.get(lang).to_owned()))
    }

    /// Dissolve the room.
    ///
    /// Owner only (R5: E2002). Deletes the room with its history and images; every
    /// member's connections get a `dissolved` frame and are closed with 4002
    /// (R10). Notice `解散成功`.
    #[oai(path = "/room/dissolve", method = "delete", operation_id = "dissolve")]
    async fn dissolve(
        &self,
        lang: Lang,
        Caller(caller): Caller,
        /// The room's name (or give `roomId`).
        #[oai(name = "roomName")]
        room: NamedRoom,
    ) -> Answer<String, String, (AuthError, DissolveRoomError)> {
        self.rooms.dissolve_room(&caller.user.id, &room.required()?).await?;
        Ok(Reply::notice(DISSOLVED.get(lang).to_owned()))
    }

    /// Leave the room.
    ///
    /// Members only (E2003 otherwise). The caller's connections to the room are
    /// closed with 1000 (R10). When the owner leaves, the earliest-joined remaining
    /// member becomes the owner; when the last member leaves, the room is
    /// dissolved (R8). Notice `退出房间成功`.
    #[oai(path = "/room/exit", method = "delete", operation_id = "exitRoom")]
    async fn exit(
        &self,
        lang: Lang,
        Caller(caller): Caller,
        /// The room's name (or give `roomId`).
        #[oai(name = "roomName")]
        room: NamedRoom,
    ) -> Answer<String, String, (AuthError, LeaveRoomError)> {
        self.rooms.leave_room(&caller.user.id, &room.required()?).await?;
        Ok(Reply::notice(LEFT.get(lang).to_owned()))
    }

    /// Send an image to a room.
    ///
    /// A multipart form with the file in `Img` and the room in `roomId` or
    /// `roomName` (as form fields or query parameters; the form's win). The room
    /// may be left out when the caller is a member of exactly one room (E1001
    /// naming `roomName` otherwise). Members only (R9: E2004 `不在房间内无法发送图片`).
    /// The type is told by the file's magic bytes: PNG, JPEG, GIF or WebP, E1301
    /// otherwise (S6); over `images.max_bytes` (5 MiB) is E1302. Notice `发送成功`,
    /// (ext) Msg `{"url": "/images/<id>", "seq": n}`; the members get the `image`
    /// frame (W4).
    #[oai(path = "/room/sendImg", method = "post", operation_id = "sendImg")]
    async fn send_img(
        &self,
        lang: Lang,
        Caller(caller): Caller,
        /// The room's name (or give `roomId`); also accepted as a form field.
        #[oai(name = "roomName")]
        room: NamedRoom,
        form: SendImgForm,
    ) -> Answer<SentImage, String, (AuthError, ImageFormRefusals, PostImageError)> {
        let SendImgForm { img, room_id, room_name } = form;
        let in_form = NamedRoom::parse(room_id.as_ref().map(Field::as_str), room_name.as_ref().map(Field::as_str))?;
        let event = self.messages.post_image(&caller.user, room.overridden_by(in_form).0, img.0).await?;
        let EventKind::Image { image, .. } = &event.kind else {
            return Err(Failure::unexpected(&"post_image answered an event that is not an image"));
        };
        Ok(Reply::ok(SentImage { url: image_url(image), seq: event.seq.get() }, SENT.get(lang).to_owned()))
    }

    /// A page of the room's history (ext).
    ///
    /// Members only (R9: E2004 `用户不在房间内，无权限查找`). Without `before` and
    /// `after`: the latest `limit` events; `before=n`: the latest ones below seq
    /// n; `after=n`: the earliest ones above seq n. Notice `{"messages":
    /// [frame…], "hasMore": bool}`, the events in seq order, each exactly its
    /// WebSocket frame (W3, W4, W5). A bad `before`, `after` or `limit` is E1001
    /// naming it.
    #[oai(path = "/room/messages", method = "get", operation_id = "messages")]
    async fn messages(
        &self,
        Caller(caller): Caller,
        /// The room's name (or give `roomId`).
        #[oai(name = "roomName")]
        room: NamedRoom,
        /// Only events with a smaller seq (the page ends just before it).
        #[oai(validator(minimum(value = "0")))]
        before: Query<Option<i64>>,
        /// Only events with a greater seq (the page starts just after it).
        #[oai(validator(minimum(value = "0")))]
        after: Query<Option<i64>>,
        /// Page size (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u32>>,
    ) -> Answer<String, HistoryNotice, (AuthError, HistoryError)> {
        let room = room.required()?;
        let query = HistoryQuery { before: before.0.map(Seq::new), after: after.0.map(Seq::new), limit: limit.0 };
        let page = self.messages.history(&caller.user.id, &room, query).await?;
        Ok(Reply::notice(HistoryNotice::from(&page)))
    }
}
