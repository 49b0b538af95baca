//! The WebSocket routes of SPEC §6 and §7: `/room/create`, `/room/enter`,
//! `/room/reEnter`. Everything is checked before the upgrade: a refusal is an
//! ordinary answer in the envelope with the catalogue's status, and nothing is
//! created or joined; a request without the WebSocket upgrade headers is refused
//! with E1303 (426) before anything else happens. After the upgrade the session
//! of [`crate::live::session`] runs; docs/websocket.md describes it.

use std::sync::Arc;

use chatroom_domain::account::{AccountService, AuthError, Authenticated};
use chatroom_domain::ids::Seq;
use chatroom_domain::live::LiveService;
use chatroom_domain::message::MessageService;
use chatroom_domain::room::{CreateRoomError, EnterRoomError, Entered, NewRoom, ReenterRoomError, RoomService};
use poem::http::header;
use poem::{FromRequest, Request, RequestBody};
use poem_openapi::param::Query;
use poem_openapi::OpenApi;
use tokio::sync::watch;

use super::ApiTags;
use crate::catalogue::{Failure, Text};
use crate::language::Lang;
use crate::live::session;
use crate::live::{Counted, Deliveries, EncodedEvents, Handshake, SessionStart, WsSettings};
use crate::reply::Upgrade;
use crate::request::fields::{AccessRule, CapacityRule, Field, RoomIdRule, RoomNameRule};
use crate::request::{LiveCaller, NamedRoom};

/// S5: the notice of an upgrade from an `Origin` outside the allow-list.
const ORIGIN_NOT_ALLOWED: Text = Text {
    zh: "不允许来自该Origin的WebSocket连接",
    en: "WebSocket connections from this Origin are not allowed",
};

/// How many recent events keep their encoded frame for the next connection.
const RECENT_FRAMES: usize = 4096;

/// The routes that open a live session in a room.
pub struct LiveApi {
    accounts: Arc<dyn AccountService>,
    rooms: Arc<dyn RoomService>,
    messages: Arc<dyn MessageService>,
    live: Arc<dyn LiveService>,
    settings: WsSettings,
    allowed_origins: Vec<String>,
    shutdown: watch::Receiver<bool>,
    deliveries: Deliveries,
    encoded: Arc<EncodedEvents>,
}

/// What the live routes need beside the services.
pub struct LiveOptions {
    /// W11, W12, W14.
    pub settings: WsSettings,
    /// S5: with a list, an upgrade from another `Origin` is refused.
    pub allowed_origins: Vec<String>,
    /// Turns `true` when the server stops: sessions close with 1001.
    pub shutdown: watch::Receiver<bool>,
    /// Where sessions report how far each member has read (D4).
    pub deliveries: Deliveries,
}

impl LiveApi {
    /// The live routes over these services.
    pub fn new(
        accounts: Arc<dyn AccountService>,
        rooms: Arc<dyn RoomService>,
        messages: Arc<dyn MessageService>,
        live: Arc<dyn LiveService>,
        options: LiveOptions,
    ) -> Self {
        let LiveOptions { settings, allowed_origins, shutdown, deliveries } = options;
        let encoded = Arc::new(EncodedEvents::new(RECENT_FRAMES));
        Self { accounts, rooms, messages, live, settings, allowed_origins, shutdown, deliveries, encoded }
    }

    /// S5: cross-site WebSocket hijacking. Browsers always send `Origin`; a
    /// request without one (a non-browser client) passes.
    fn check_origin(&self, opening: &Opening) -> Result<(), Failure> {
        match opening.origin.as_deref() {
            Some(origin) if !self.allowed_origins.is_empty() && !self.allowed_origins.iter().any(|o| o == origin) => {
                Err(Failure::invalid_with(ORIGIN_NOT_ALLOWED))
            }
            _ => Ok(()),
        }
    }

    /// Opens the connection (subscription, presence, replay) and answers the
    /// upgrade whose session then runs on its own task.
    async fn open<R>(
        &self,
        Opening { ws, lang, .. }: Opening,
        caller: Authenticated,
        entered: Entered,
        since: Option<Seq>,
    ) -> Result<Upgrade<R>, Failure> {
        let connection = self.live.connect(&caller.user.id, &entered, since).await?;
        let counted = Counted::new(Arc::clone(&self.live), entered.room.key(), caller.user.id.clone());
        // S9: subscribed now, so a logout from here on arrives on the feed; one
        // that came before is seen here (and `counted` counts the connection out).
        self.accounts.still_signed_in(&caller).await?;
        // Boxed: the spawned session keeps only the box, which it empties at once.
        let start = Box::new(SessionStart {
            user: caller.user,
            session: caller.session,
            entered,
            connection,
            lang,
            live: counted,
            deliveries: self.deliveries.clone(),
            encoded: Arc::clone(&self.encoded),
            messages: Arc::clone(&self.messages),
            settings: self.settings.clone(),
            shutdown: self.shutdown.clone(),
        });
        let max_frame_bytes = self.settings.max_frame_bytes;
        let response = ws.accept(max_frame_bytes, move |socket| session::run(socket, start));
        Ok(Upgrade::switching(response))
    }
}

/// What every live route starts from: the WebSocket handshake (E1303 first,
/// when there is none), the client's language and its `Origin`.
pub struct Opening {
    ws: Handshake,
    lang: Lang,
    origin: Option<String>,
}

impl<'a> FromRequest<'a> for Opening {
    async fn from_request(request: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let ws = Handshake::from_request(request, body).await?;
        let origin = request.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok()).map(str::to_owned);
        Ok(Self { ws, lang: Lang::of_headers(request.headers()), origin })
    }
}

/// E1303 is documented by [`Upgrade`] itself; this names the rest.
type CreateRefusals = (AuthError, CreateRoomError);
type EnterRefusals = (AuthError, EnterRoomError);
type ReenterRefusals = (AuthError, ReenterRoomError);

#[OpenApi(tag = "ApiTags::Rooms")]
impl LiveApi {
    /// Create a room and open its WebSocket session (WS).
    ///
    /// A WebSocket route: connect with `ws://…/room/create?…` and the token in
    /// `Authorization` or `?token=`. Creates the room with the caller as its
    /// owner and first member (R2, R3), then the session starts with the
    /// `welcome` frame (docs/websocket.md). All four room fields are required.
    /// Refusals are ordinary answers before the upgrade; without the upgrade
    /// headers the answer is E1303 (426) and nothing is created.
    #[oai(path = "/room/create", method = "get", operation_id = "create")]
    async fn create(
        &self,
        opening: Opening,
        /// The token, for clients that cannot set headers (browsers).
        #[oai(name = "token")]
        LiveCaller(caller): LiveCaller,
        /// The new room's id, unique (R2).
        #[oai(name = "roomId")]
        room_id: Query<Option<Field<RoomIdRule>>>,
        /// The new room's name, unique by its normalized form (R2).
        #[oai(name = "roomName")]
        room_name: Query<Option<Field<RoomNameRule>>>,
        /// How many members it holds (R4).
        #[oai(name = "roomCap")]
        room_cap: Query<Option<Field<CapacityRule>>>,
        /// Who may join (R4).
        #[oai(name = "roomAccess")]
        room_access: Query<Option<Field<AccessRule>>>,
    ) -> Result<Upgrade<CreateRefusals>, Failure> {
        self.check_origin(&opening)?;
        let new_room = NewRoom {
            room_id: room_id.0.map(Field::into_inner).unwrap_or_default(),
            room_name: room_name.0.map(Field::into_inner).unwrap_or_default(),
            capacity: room_cap.0.map(Field::into_inner).unwrap_or_default(),
            access: room_access.0.map(Field::into_inner).unwrap_or_default(),
        };
        let entered = self.rooms.create_room(&caller.user.id, new_room).await?;
        self.open(opening, caller, entered, None).await
    }

    /// Enter a room and open its WebSocket session (WS).
    ///
    /// Joins the room if the caller is not a member yet (R4: public, not full,
    /// not kicked within `rooms.kick_cooldown`, R14); for a member it is a
    /// reconnect, exactly like `/room/reEnter`. A newcomer's session replays the
    /// room's recent history, a member's what it missed (W2); `since` replays
    /// everything after that seq instead. Frames and close codes:
    /// docs/websocket.md.
    #[oai(path = "/room/enter", method = "get", operation_id = "enter")]
    async fn enter(
        &self,
        opening: Opening,
        /// The token, for clients that cannot set headers (browsers).
        #[oai(name = "token")]
        LiveCaller(caller): LiveCaller,
        /// The room by name (or give `roomId`).
        #[oai(name = "roomName")]
        room: NamedRoom,
        /// Replay the events after this seq (W2).
        #[oai(validator(minimum(value = "0")))]
        since: Query<Option<i64>>,
    ) -> Result<Upgrade<EnterRefusals>, Failure> {
        self.check_origin(&opening)?;
        let entered = self.rooms.enter_room(&caller.user.id, &room.required()?).await?;
        self.open(opening, caller, entered, since.0.map(Seq::new)).await
    }

    /// Reconnect to a room the caller is a member of (WS).
    ///
    /// Members only (E2003), private and full rooms included (R4, R12); the
    /// session replays what the member missed since its last connection (W2),
    /// or everything after `since`. Frames and close codes: docs/websocket.md.
    #[oai(path = "/room/reEnter", method = "get", operation_id = "reEnter")]
    async fn reenter(
        &self,
        opening: Opening,
        /// The token, for clients that cannot set headers (browsers).
        #[oai(name = "token")]
        LiveCaller(caller): LiveCaller,
        /// The room by name (or give `roomId`).
        #[oai(name = "roomName")]
        room: NamedRoom,
        /// Replay the events after this seq (W2).
        #[oai(validator(minimum(value = "0")))]
        since: Query<Option<i64>>,
    ) -> Result<Upgrade<ReenterRefusals>, Failure> {
        self.check_origin(&opening)?;
        let entered = self.rooms.reenter_room(&caller.user.id, &room.required()?).await?;
        self.open(opening, caller, entered, since.0.map(Seq::new)).await
    }
}
