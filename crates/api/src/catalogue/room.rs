//! Room errors (R2–R10, R14) to catalogue entries, one table per error (see
//! [`refusals!`]): a new variant in the domain fails to compile here until
//! someone decides its answer.

use chatroom_domain::room::{
    CreateRoomError, DissolveRoomError, EnterRoomError, LeaveRoomError, ListMembersError, MemberActionError,
    ReenterRoomError, SearchRoomsError, UpdateRoomError,
};

use chatroom_domain::live::ConnectError;

use super::refusals::refusals;

refusals! {
    // S9: removed from the room, or the room dissolved, while connecting.
    ConnectError {
        NotMember => E2003NotInRoom,
        RoomGone => E2001RoomNotFound,
        Unexpected(..) => E5000Internal,
    }
    CreateRoomError {
        Invalid(..) => E1001InvalidInput,
        Taken => E2007RoomExists,
        Unexpected(..) => E5000Internal,
    }
    EnterRoomError {
        Invalid(..) => E1001InvalidInput,
        NotFound => E2001RoomNotFound,
        Private => E2006RoomPrivate,
        Full => E2005RoomFull,
        KickedRecently { retry_after } => E2010KickedRecently,
        Unexpected(..) => E5000Internal,
    }
    ReenterRoomError {
        Invalid(..) => E1001InvalidInput,
        NotFound => E2001RoomNotFound,
        NotMember => E2003NotInRoom,
        Unexpected(..) => E5000Internal,
    }
    LeaveRoomError {
        Invalid(..) => E1001InvalidInput,
        NotFound => E2001RoomNotFound,
        NotMember => E2003NotInRoom,
        Unexpected(..) => E5000Internal,
    }
    MemberActionError {
        Invalid(..) => E1001InvalidInput,
        NotFound => E2001RoomNotFound,
        NotOwner => E2002NotOwner,
        SelfTarget => E2008SelfTarget,
        TargetNotMember => E2003NotInRoom,
        Unexpected(..) => E5000Internal,
    }
    UpdateRoomError {
        Invalid(..) => E1001InvalidInput,
        NotFound => E2001RoomNotFound,
        NotOwner => E2002NotOwner,
        NameTaken => E2007RoomExists,
        CapacityBelowMembers => E2009CapacityTooSmall,
        Unexpected(..) => E5000Internal,
    }
    DissolveRoomError {
        Invalid(..) => E1001InvalidInput,
        NotFound => E2001RoomNotFound,
        NotOwner => E2002NotOwner,
        Unexpected(..) => E5000Internal,
    }
    SearchRoomsError {
        Invalid(..) => E1001InvalidInput,
        Unexpected(..) => E5000Internal,
    }
    ListMembersError {
        Invalid(..) => E1001InvalidInput,
        NotFound => E2001RoomNotFound,
        NotMember => E2004NotMemberToList,
        Unexpected(..) => E5000Internal,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::catalogue::{Entry, Failure};
    use crate::language::Lang;

    #[test]
    fn r14_a_recently_kicked_user_is_e2010_with_retry_after() {
        let kicked = Failure::from(EnterRoomError::KickedRecently { retry_after: Duration::from_secs(60) });

        assert_eq!((kicked.entry(), kicked.retry_after()), (Entry::E2010KickedRecently, Some(Duration::from_secs(60))));
    }

    #[test]
    fn r9_a_non_member_listing_members_gets_e2004_with_the_seed_list_notice() {
        let refused = Failure::from(ListMembersError::NotMember);

        assert_eq!(refused.entry().code(), 2004);
        assert_eq!(refused.notice(Lang::Zh), "用户不在房间内，无权限查找");
    }
}
