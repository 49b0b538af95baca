//! The room operations of SPEC §6 (`/room/*`) over HTTP: search, member lists,
//! changes, ownership, kicks, dissolution and leaving. Each names its room with the
//! query parameters `roomName` (the seed's) or (ext) `roomId`, calls one method of
//! the room service and answers with the seed's texts. The rules (R2–R10, R14) and
//! the validation of every parameter live in the domain; a handler only passes
//! what it received.

use std::sync::Arc;

use chatroom_domain::account::{AccountService, AuthError};
use chatroom_domain::event::MessageService;
use chatroom_domain::room::{
    DissolveRoomError, LeaveRoomError, ListMembersError, MemberActionError, RoomQuery, RoomRef, RoomService,
    RoomUpdate, SearchRoomsError, UpdateRoomError,
};
use poem_openapi::param::Query;
use poem_openapi::{Object, OpenApi};
use serde::Deserialize;

use super::schemas::{MemberDto, RoomDto};
use super::ApiTags;
use crate::catalogue::{BodyRefusals, Text};
use crate::language::Lang;
use crate::reply::{Answer, Reply};
use crate::request::{lenient, Body, Token};

const UPDATED: Text = Text { zh: "修改成功", en: "Updated" };
const TRANSFERRED: Text = Text { zh: "转让成功", en: "Ownership transferred" };
const KICKED: Text = Text { zh: "踢出成功", en: "Member removed" };
const DISSOLVED: Text = Text { zh: "解散成功", en: "Room dissolved" };
const LEFT: Text = Text { zh: "退出房间成功", en: "Left the room" };

/// Body of `PUT /room/update`: the new values, at least one field. The room to
/// change is named in the query.
#[derive(Object, Deserialize, Debug)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct UpdateRoomBody {
    /// The new name: 1–64 characters, no control characters, unique (R2).
    #[oai(validator(min_length = 1, max_length = 64))]
    #[serde(default, deserialize_with = "lenient::optional_string")]
    pub room_name: Option<String>,
    /// The new capacity, 1 … `rooms.max_capacity` (500), as a number or a
    /// numeric string ("33"); not below the current member count (R7).
    #[oai(validator(pattern = r"^[0-9]+$"))]
    #[serde(default, deserialize_with = "lenient::optional_string")]
    pub room_cap: Option<String>,
    /// `true`/`1`: anyone may join; `false`/`0`: only members may come back (R4).
    #[oai(validator(pattern = r"^(true|false|1|0)$"))]
    #[serde(default, deserialize_with = "lenient::optional_string")]
    pub room_access: Option<String>,
}

/// `Notice` of `GET /room/retrieve`.
#[derive(Object, Debug, Clone, PartialEq)]
#[oai(rename = "RoomsNotice")]
pub struct RoomsNotice {
    /// The rooms found, newest first, ties by RoomId; `[]` when none.
    pub rooms: Vec<RoomDto>,
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
    accounts: Arc<dyn AccountService>,
    rooms: Arc<dyn RoomService>,
    #[expect(dead_code, reason = "read by the history and image operations of a later issue")]
    messages: Arc<dyn MessageService>,
}

impl RoomsApi {
    /// The room operations: `accounts` authenticates callers, `rooms` and
    /// `messages` hold the rules.
    pub fn new(
        accounts: Arc<dyn AccountService>,
        rooms: Arc<dyn RoomService>,
        messages: Arc<dyn MessageService>,
    ) -> Self {
        Self { accounts, rooms, messages }
    }
}

/// The room a request names (SPEC §4 "Rooms in queries"); the domain refuses
/// neither given (E1001 `roomName`), an unknown room or two that disagree (E2001).
fn room_ref(room_name: Query<Option<String>>, room_id: Query<Option<String>>) -> RoomRef {
    RoomRef { room_id: room_id.0, room_name: room_name.0 }
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
        token: Token,
        /// Text to find inside room names; empty or absent: all rooms.
        #[oai(name = "roomName")]
        room_name: Query<Option<String>>,
        /// (ext) Page size, 1–200 (default 50).
        limit: Query<Option<String>>,
        /// (ext) Rooms to skip, 0 or more (default 0).
        offset: Query<Option<String>>,
    ) -> Answer<String, RoomsNotice, (AuthError, SearchRoomsError)> {
        self.accounts.authenticate(token.into_inner()).await?;
        let query = RoomQuery { name_contains: room_name.0, limit: limit.0, offset: offset.0 };
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
        token: Token,
        /// The room's name (or give `roomId`).
        #[oai(name = "roomName")]
        room_name: Query<Option<String>>,
        /// (ext) The room's id; with `roomName` too, both must name the same room.
        #[oai(name = "roomId")]
        room_id: Query<Option<String>>,
    ) -> Answer<String, MembersNotice, (AuthError, ListMembersError)> {
        let caller = self.accounts.authenticate(token.into_inner()).await?;
        let members = self.rooms.list_members(&caller.user.id, room_ref(room_name, room_id)).await?;
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
        token: Token,
        /// The room's current name (or give `roomId`).
        #[oai(name = "roomName")]
        room_name: Query<Option<String>>,
        /// (ext) The room's id; with `roomName` too, both must name the same room.
        #[oai(name = "roomId")]
        room_id: Query<Option<String>>,
        body: Body<UpdateRoomBody>,
    ) -> Answer<String, String, (AuthError, BodyRefusals, UpdateRoomError)> {
        let caller = self.accounts.authenticate(token.into_inner()).await?;
        let UpdateRoomBody { room_name: new_name, room_cap, room_access } = body.0;
        let update = RoomUpdate { room_name: new_name, capacity: room_cap, access: room_access };
        self.rooms.update_room(&caller.user.id, room_ref(room_name, room_id), update).await?;
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
        token: Token,
        /// The room's name (or give `roomId`).
        #[oai(name = "roomName")]
        room_name: Query<Option<String>>,
        /// (ext) The room's id; with `roomName` too, both must name the same room.
        #[oai(name = "roomId")]
        room_id: Query<Option<String>>,
        /// The member who becomes the owner.
        #[oai(name = "userId")]
        user_id: Query<Option<String>>,
    ) -> Answer<String, String, (AuthError, MemberActionError)> {
        let caller = self.accounts.authenticate(token.into_inner()).await?;
        let target = user_id.0.unwrap_or_default();
        self.rooms.transfer_ownership(&caller.user.id, room_ref(room_name, room_id), target).await?;
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
        token: Token,
        /// The room's name (or give `roomId`).
        #[oai(name = "roomName")]
        room_name: Query<Option<String>>,
        /// (ext) The room's id; with `roomName` too, both must name the same room.
        #[oai(name = "roomId")]
        room_id: Query<Option<String>>,
        /// The member to remove.
        #[oai(name = "userId")]
        user_id: Query<Option<String>>,
    ) -> Answer<String, String, (AuthError, MemberActionError)> {
        let caller = self.accounts.authenticate(token.into_inner()).await?;
        let target = user_id.0.unwrap_or_default();
        self.rooms.kick_member(&caller.user.id, room_ref(room_name, room_id), target).await?;
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
        token: Token,
        /// The room's name (or give `roomId`).
        #[oai(name = "roomName")]
        room_name: Query<Option<String>>,
        /// (ext) The room's id; with `roomName` too, both must name the same room.
        #[oai(name = "roomId")]
        room_id: Query<Option<String>>,
    ) -> Answer<String, String, (AuthError, DissolveRoomError)> {
        let caller = self.accounts.authenticate(token.into_inner()).await?;
        self.rooms.dissolve_room(&caller.user.id, room_ref(room_name, room_id)).await?;
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
        token: Token,
        /// The room's name (or give `roomId`).
        #[oai(name = "roomName")]
        room_name: Query<Option<String>>,
        /// (ext) The room's id; with `roomName` too, both must name the same room.
        #[oai(name = "roomId")]
        room_id: Query<Option<String>>,
    ) -> Answer<String, String, (AuthError, LeaveRoomError)> {
        let caller = self.accounts.authenticate(token.into_inner()).await?;
        self.rooms.leave_room(&caller.user.id, room_ref(room_name, room_id)).await?;
        Ok(Reply::notice(LEFT.get(lang).to_owned()))
    }
}
