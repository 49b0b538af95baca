//! Finding the room a request names by `roomId` and/or `roomName` (SPEC §4): shared
//! by the room and messaging services.

use super::model::{Room, RoomName, RoomRef};
use super::ports::RoomRepository;
use crate::ids::RoomId;
use crate::validation::{InvalidInput, Rule};

/// Why a named room could not be found.
#[derive(Debug, thiserror::Error)]
pub(crate) enum LookupError {
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    /// No such room, or `roomId` and `roomName` name different rooms.
    #[error("room not found")]
    NotFound,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// A validated room reference.
pub(crate) enum ParsedRef {
    Id(RoomId),
    Name(RoomName),
    Both(RoomId, RoomName),
}

impl ParsedRef {
    /// Validates a reference: at least one of `roomId` / `roomName`.
    pub(crate) fn parse(room: &RoomRef) -> Result<Self, InvalidInput> {
        let id = room.room_id.as_deref().filter(|s| !s.is_empty()).map(RoomId::parse).transpose()?;
        let name = room.room_name.as_deref().filter(|s| !s.trim().is_empty()).map(RoomName::parse).transpose()?;
        match (id, name) {
            (Some(id), Some(name)) => Ok(Self::Both(id, name)),
            (Some(id), None) => Ok(Self::Id(id)),
            (None, Some(name)) => Ok(Self::Name(name)),
            (None, None) => Err(InvalidInput::new("roomName", Rule::Required)),
        }
    }

    /// The room this reference names, if it exists.
    pub(crate) async fn find(&self, rooms: &dyn RoomRepository) -> Result<Room, LookupError> {
        let found = match self {
            Self::Id(id) => rooms.find_by_id(id).await?,
            Self::Name(name) => rooms.find_by_name(name).await?,
            Self::Both(id, name) => {
                rooms.find_by_id(id).await?.filter(|room| room.name.normalized_key() == name.normalized_key())
            }
        };
        found.ok_or(LookupError::NotFound)
    }
}

/// Parses and finds in one step.
pub(crate) async fn find_room(rooms: &dyn RoomRepository, room: &RoomRef) -> Result<Room, LookupError> {
    ParsedRef::parse(room)?.find(rooms).await
}

/// Every operation error that has `Invalid`, `NotFound` and `Unexpected` variants
/// takes a lookup failure as it is.
macro_rules! from_lookup {
    ($($error:ty),* $(,)?) => {$(
        impl From<$crate::room::lookup::LookupError> for $error {
            fn from(e: $crate::room::lookup::LookupError) -> Self {
                match e {
                    $crate::room::lookup::LookupError::Invalid(e) => Self::Invalid(e),
                    $crate::room::lookup::LookupError::NotFound => Self::NotFound,
                    $crate::room::lookup::LookupError::Unexpected(e) => Self::Unexpected(e),
                }
            }
        }
    )*};
}

pub(crate) use from_lookup;

from_lookup!(
    super::error::EnterRoomError,
    super::error::ReenterRoomError,
    super::error::LeaveRoomError,
    super::error::MemberActionError,
    super::error::UpdateRoomError,
    super::error::DissolveRoomError,
    super::error::ListMembersError,
);
