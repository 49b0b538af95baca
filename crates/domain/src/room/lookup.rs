//! Finding the room a [`RoomSelector`] names (SPEC §4): shared by the room and
//! messaging services.

use super::model::{Room, RoomSelector};
use super::ports::RoomRepository;
use crate::validation::{InvalidInput, Rule};

/// Why a named room could not be found.
#[derive(Debug, thiserror::Error)]
pub(crate) enum LookupError {
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    /// No such room.
    #[error("room not found")]
    NotFound,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl RoomSelector {
    /// The room this selector names, if it exists. Given both an id and a name,
    /// the room with that id must bear that name: otherwise the two fields name
    /// different rooms, which is the client's mistake (E1001 naming both), not a
    /// missing room.
    pub(crate) async fn find(&self, rooms: &dyn RoomRepository) -> Result<Room, LookupError> {
        let found = match self {
            Self::Id(id) => rooms.find_by_id(id).await?,
            Self::Name(name) => rooms.find_by_name(name).await?,
            Self::Both(id, name) => match rooms.find_by_id(id).await? {
                Some(room) if room.name.normalized_key() != name.normalized_key() => {
                    return Err(InvalidInput::new("roomName", Rule::SameAs { other: "roomId" }).into());
                }
                found => found,
            },
        };
        found.ok_or(LookupError::NotFound)
    }
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
