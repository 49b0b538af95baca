//! Live delivery's vocabulary and ports: the signals of a room (events, presence,
//! disconnects, dissolution, session ends), the `EventBus` that carries them to
//! every node, the `Subscription`s that read them, `Presence`, and the delivery
//! marks of D4. In-process adapters serve one node; Redis adapters serve a cluster.

pub mod model;
pub mod ports;

pub use model::{DeliveryMark, DisconnectReason, RoomSignal};
pub use ports::{EventBus, EventFeed, FeedError, Presence, Subscription};
