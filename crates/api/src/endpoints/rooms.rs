//! The room operations of SPEC §6 (`/room/*`). The operations arrive with the
//! room-endpoints issue; the struct already holds the services they call.

use std::sync::Arc;

use chatroom_domain::account::AccountService;
use chatroom_domain::event::MessageService;
use chatroom_domain::room::RoomService;
use poem_openapi::OpenApi;

/// Room management, member lists, history and images.
#[expect(dead_code, reason = "read by the /room/* operations of a later issue")]
pub struct RoomsApi {
    accounts: Arc<dyn AccountService>,
    rooms: Arc<dyn RoomService>,
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

#[OpenApi]
impl RoomsApi {}
