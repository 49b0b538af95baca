//! Rooms and memberships: creation (R3), joining (R4, R14), leaving and ownership
//! (R5–R8), changes (R7), dissolution (R10), search and member lists (R9, R12).

pub mod error;
pub(crate) mod lookup;
pub mod model;
pub mod ports;
mod service;

pub use error::*;
pub use model::{
    Access, Capacity, Departure, Entered, Member, MemberView, Membership, NewRoom, RemovalOutcome, Room, RoomChanges,
    RoomName, RoomPolicy, RoomQuery, RoomSearch, RoomSelector, RoomUpdate,
};
pub use ports::{
    AddMemberError, ChangeRoomError, InsertRoomError, MembershipRepository, RemoveMemberError, RoomRepository,
    RoomService, TransferOwnershipError,
};
pub use service::{Deps, Service};
