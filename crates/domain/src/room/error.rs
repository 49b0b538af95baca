//! One error enum per room operation. The API's catalogue maps every variant to
//! exactly one entry of SPEC §5.

use std::time::Duration;

use crate::validation::InvalidInput;

/// WS /room/create.
#[derive(Debug, thiserror::Error)]
pub enum CreateRoomError {
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    /// R2: the id or the normalized name exists (E2007).
    #[error("room id or name already taken")]
    Taken,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// WS /room/enter.
#[derive(Debug, thiserror::Error)]
pub enum EnterRoomError {
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    /// E2001.
    #[error("room not found")]
    NotFound,
    /// R4: private room, caller not a member (E2006).
    #[error("room is private")]
    Private,
    /// R4: member count reached the capacity (E2005).
    #[error("room is full")]
    Full,
    /// R14: kicked less than `rooms.kick_cooldown` ago (E2010).
    #[error("kicked from this room recently")]
    KickedRecently { retry_after: Duration },
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// WS /room/reEnter.
#[derive(Debug, thiserror::Error)]
pub enum ReenterRoomError {
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    /// E2001.
    #[error("room not found")]
    NotFound,
    /// The caller is not a member (E2003).
    #[error("not a member")]
    NotMember,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// DELETE /room/exit.
#[derive(Debug, thiserror::Error)]
pub enum LeaveRoomError {
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    /// E2001.
    #[error("room not found")]
    NotFound,
    /// The caller is not a member (E2003).
    #[error("not a member")]
    NotMember,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// DELETE /room/kickOutUser and PUT /room/transferOwner: the owner acting on
/// another member.
#[derive(Debug, thiserror::Error)]
pub enum MemberActionError {
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    /// E2001.
    #[error("room not found")]
    NotFound,
    /// R5: the caller is not the owner (E2002).
    #[error("caller is not the owner")]
    NotOwner,
    /// R6: the owner named themself (E2008).
    #[error("owner cannot act on themself")]
    SelfTarget,
    /// R6: the target is not a member (E2003).
    #[error("target is not a member")]
    TargetNotMember,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// PUT /room/update.
#[derive(Debug, thiserror::Error)]
pub enum UpdateRoomError {
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    /// E2001.
    #[error("room not found")]
    NotFound,
    /// R5 (E2002).
    #[error("caller is not the owner")]
    NotOwner,
    /// R2: the new name is taken by another room (E2007).
    #[error("room name already taken")]
    NameTaken,
    /// R7: the new capacity is below the member count (E2009).
    #[error("capacity below member count")]
    CapacityBelowMembers,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// DELETE /room/dissolve.
#[derive(Debug, thiserror::Error)]
pub enum DissolveRoomError {
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    /// E2001.
    #[error("room not found")]
    NotFound,
    /// R5 (E2002).
    #[error("caller is not the owner")]
    NotOwner,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// GET /room/retrieve.
#[derive(Debug, thiserror::Error)]
pub enum SearchRoomsError {
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// GET /room/retrieveUser.
#[derive(Debug, thiserror::Error)]
pub enum ListMembersError {
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    /// E2001.
    #[error("room not found")]
    NotFound,
    /// R9: only members may list members (E2004).
    #[error("not a member")]
    NotMember,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}
