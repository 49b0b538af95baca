//! Live delivery on a single node: the in-process event bus (the `EventBus` port
//! plus the subscriptions WebSocket sessions read from) and connection presence (the
//! `Presence` port). Several nodes need the Redis adapters instead (SPEC §9); they
//! implement the same ports and offer the same subscription shape, so neither the
//! domain nor the API changes.

mod bus;
mod presence;

pub use bus::InProcessEventBus;
pub use presence::InProcessPresence;
