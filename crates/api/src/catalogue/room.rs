//! Room errors (R2–R10, R14) to catalogue entries, variant by variant, each
//! followed by the entries it can answer for the OpenAPI document ([`Refusals`]).
//! No `_ =>` arm: a new variant in the domain fails to compile here until someone
//! decides its answer.

use chatroom_domain::room::{
    CreateRoomError, DissolveRoomError, EnterRoomError, LeaveRoomError, ListMembersError, MemberActionError,
    ReenterRoomError, SearchRoomsError, UpdateRoomError,
};

use super::entry::Entry;
use super::failure::Failure;
use super::refusals::Refusals;

impl From<CreateRoomError> for Failure {
    fn from(err: CreateRoomError) -> Self {
        match err {
            CreateRoomError::Invalid(invalid) => Self::invalid(invalid),
            CreateRoomError::Taken => Self::new(Entry::E2007RoomExists),
            CreateRoomError::Unexpected(e) => Self::unexpected(&e),
        }
    }
}

impl Refusals for CreateRoomError {
    fn entries() -> Vec<Entry> {
        vec![Entry::E1001InvalidInput, Entry::E2007RoomExists]
    }
}

impl From<EnterRoomError> for Failure {
    fn from(err: EnterRoomError) -> Self {
        match err {
            EnterRoomError::Invalid(invalid) => Self::invalid(invalid),
            EnterRoomError::NotFound => Self::new(Entry::E2001RoomNotFound),
            EnterRoomError::Private => Self::new(Entry::E2006RoomPrivate),
            EnterRoomError::Full => Self::new(Entry::E2005RoomFull),
            EnterRoomError::KickedRecently { retry_after } => {
                Self::new(Entry::E2010KickedRecently).with_retry_after(retry_after)
            }
            EnterRoomError::Unexpected(e) => Self::unexpected(&e),
        }
    }
}

impl Refusals for EnterRoomError {
    fn entries() -> Vec<Entry> {
        vec![
            Entry::E1001InvalidInput,
            Entry::E2001RoomNotFound,
            Entry::E2006RoomPrivate,
            Entry::E2005RoomFull,
            Entry::E2010KickedRecently,
        ]
    }
}

impl From<ReenterRoomError> for Failure {
    fn from(err: ReenterRoomError) -> Self {
        match err {
            ReenterRoomError::Invalid(invalid) => Self::invalid(invalid),
            ReenterRoomError::NotFound => Self::new(Entry::E2001RoomNotFound),
            ReenterRoomError::NotMember => Self::new(Entry::E2003NotInRoom),
            ReenterRoomError::Unexpected(e) => Self::unexpected(&e),
        }
    }
}

impl Refusals for ReenterRoomError {
    fn entries() -> Vec<Entry> {
        vec![Entry::E1001InvalidInput, Entry::E2001RoomNotFound, Entry::E2003NotInRoom]
    }
}

impl From<LeaveRoomError> for Failure {
    fn from(err: LeaveRoomError) -> Self {
        match err {
            LeaveRoomError::Invalid(invalid) => Self::invalid(invalid),
            LeaveRoomError::NotFound => Self::new(Entry::E2001RoomNotFound),
            LeaveRoomError::NotMember => Self::new(Entry::E2003NotInRoom),
            LeaveRoomError::Unexpected(e) => Self::unexpected(&e),
        }
    }
}

impl Refusals for LeaveRoomError {
    fn entries() -> Vec<Entry> {
        vec![Entry::E1001InvalidInput, Entry::E2001RoomNotFound, Entry::E2003NotInRoom]
    }
}

impl From<MemberActionError> for Failure {
    fn from(err: MemberActionError) -> Self {
        match err {
            MemberActionError::Invalid(invalid) => Self::invalid(invalid),
            MemberActionError::NotFound => Self::new(Entry::E2001RoomNotFound),
            MemberActionError::NotOwner => Self::new(Entry::E2002NotOwner),
            MemberActionError::SelfTarget => Self::new(Entry::E2008SelfTarget),
            MemberActionError::TargetNotMember => Self::new(Entry::E2003NotInRoom),
            MemberActionError::Unexpected(e) => Self::unexpected(&e),
        }
    }
}

impl Refusals for MemberActionError {
    fn entries() -> Vec<Entry> {
        vec![
            Entry::E1001InvalidInput,
            Entry::E2001RoomNotFound,
            Entry::E2002NotOwner,
            Entry::E2008SelfTarget,
            Entry::E2003NotInRoom,
        ]
    }
}

impl From<UpdateRoomError> for Failure {
    fn from(err: UpdateRoomError) -> Self {
        match err {
            UpdateRoomError::Invalid(invalid) => Self::invalid(invalid),
            UpdateRoomError::NotFound => Self::new(Entry::E2001RoomNotFound),
            UpdateRoomError::NotOwner => Self::new(Entry::E2002NotOwner),
            UpdateRoomError::NameTaken => Self::new(Entry::E2007RoomExists),
            UpdateRoomError::CapacityBelowMembers => Self::new(Entry::E2009CapacityTooSmall),
            UpdateRoomError::Unexpected(e) => Self::unexpected(&e),
        }
    }
}

impl Refusals for UpdateRoomError {
    fn entries() -> Vec<Entry> {
        vec![
            Entry::E1001InvalidInput,
            Entry::E2001RoomNotFound,
            Entry::E2002NotOwner,
            Entry::E2007RoomExists,
            Entry::E2009CapacityTooSmall,
        ]
    }
}

impl From<DissolveRoomError> for Failure {
    fn from(err: DissolveRoomError) -> Self {
        match err {
            DissolveRoomError::Invalid(invalid) => Self::invalid(invalid),
            DissolveRoomError::NotFound => Self::new(Entry::E2001RoomNotFound),
            DissolveRoomError::NotOwner => Self::new(Entry::E2002NotOwner),
            DissolveRoomError::Unexpected(e) => Self::unexpected(&e),
        }
    }
}

impl Refusals for DissolveRoomError {
    fn entries() -> Vec<Entry> {
        vec![Entry::E1001InvalidInput, Entry::E2001RoomNotFound, Entry::E2002NotOwner]
    }
}

impl From<SearchRoomsError> for Failure {
    fn from(err: SearchRoomsError) -> Self {
        match err {
            SearchRoomsError::Invalid(invalid) => Self::invalid(invalid),
            SearchRoomsError::Unexpected(e) => Self::unexpected(&e),
        }
    }
}

impl Refusals for SearchRoomsError {
    fn entries() -> Vec<Entry> {
        vec![Entry::E1001InvalidInput]
    }
}

impl From<ListMembersError> for Failure {
    fn from(err: ListMembersError) -> Self {
        match err {
            ListMembersError::Invalid(invalid) => Self::invalid(invalid),
            ListMembersError::NotFound => Self::new(Entry::E2001RoomNotFound),
            ListMembersError::NotMember => Self::new(Entry::E2004NotMemberToList),
            ListMembersError::Unexpected(e) => Self::unexpected(&e),
        }
    }
}

impl Refusals for ListMembersError {
    fn entries() -> Vec<Entry> {
        vec![Entry::E1001InvalidInput, Entry::E2001RoomNotFound, Entry::E2004NotMemberToList]
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chatroom_domain::validation::{InvalidInput, Rule};

    use super::*;

    fn code(failure: impl Into<Failure>) -> i32 {
        failure.into().entry().code()
    }

    fn invalid() -> InvalidInput {
        InvalidInput::new("roomName", Rule::Required)
    }

    fn boom() -> anyhow::Error {
        anyhow::anyhow!("database gone")
    }

    #[test]
    fn create_room_errors_map_to_e1001_e2007_e5000() {
        assert_eq!(code(CreateRoomError::Invalid(invalid())), 1001);
        assert_eq!(code(CreateRoomError::Taken), 2007);
        assert_eq!(code(CreateRoomError::Unexpected(boom())), 5000);
    }

    #[test]
    fn enter_room_errors_map_to_r4_and_r14_codes_and_the_kick_cooldown_retries_later() {
        assert_eq!(code(EnterRoomError::Invalid(invalid())), 1001);
        assert_eq!(code(EnterRoomError::NotFound), 2001);
        assert_eq!(code(EnterRoomError::Private), 2006);
        assert_eq!(code(EnterRoomError::Full), 2005);
        let kicked = Failure::from(EnterRoomError::KickedRecently { retry_after: Duration::from_secs(60) });
        assert_eq!((kicked.entry().code(), kicked.retry_after()), (2010, Some(Duration::from_secs(60))));
        assert_eq!(code(EnterRoomError::Unexpected(boom())), 5000);
    }

    #[test]
    fn reenter_room_errors_map_to_e1001_e2001_e2003_e5000() {
        assert_eq!(code(ReenterRoomError::Invalid(invalid())), 1001);
        assert_eq!(code(ReenterRoomError::NotFound), 2001);
        assert_eq!(code(ReenterRoomError::NotMember), 2003);
        assert_eq!(code(ReenterRoomError::Unexpected(boom())), 5000);
    }

    #[test]
    fn leave_room_errors_map_to_e1001_e2001_e2003_e5000() {
        assert_eq!(code(LeaveRoomError::Invalid(invalid())), 1001);
        assert_eq!(code(LeaveRoomError::NotFound), 2001);
        assert_eq!(code(LeaveRoomError::NotMember), 2003);
        assert_eq!(code(LeaveRoomError::Unexpected(boom())), 5000);
    }

    #[test]
    fn member_action_errors_map_to_r5_and_r6_codes() {
        assert_eq!(code(MemberActionError::Invalid(invalid())), 1001);
        assert_eq!(code(MemberActionError::NotFound), 2001);
        assert_eq!(code(MemberActionError::NotOwner), 2002);
        assert_eq!(code(MemberActionError::SelfTarget), 2008);
        assert_eq!(code(MemberActionError::TargetNotMember), 2003);
        assert_eq!(code(MemberActionError::Unexpected(boom())), 5000);
    }

    #[test]
    fn update_room_errors_map_to_r2_r5_and_r7_codes() {
        assert_eq!(code(UpdateRoomError::Invalid(invalid())), 1001);
        assert_eq!(code(UpdateRoomError::NotFound), 2001);
        assert_eq!(code(UpdateRoomError::NotOwner), 2002);
        assert_eq!(code(UpdateRoomError::NameTaken), 2007);
        assert_eq!(code(UpdateRoomError::CapacityBelowMembers), 2009);
        assert_eq!(code(UpdateRoomError::Unexpected(boom())), 5000);
    }

    #[test]
    fn dissolve_room_errors_map_to_e1001_e2001_e2002_e5000() {
        assert_eq!(code(DissolveRoomError::Invalid(invalid())), 1001);
        assert_eq!(code(DissolveRoomError::NotFound), 2001);
        assert_eq!(code(DissolveRoomError::NotOwner), 2002);
        assert_eq!(code(DissolveRoomError::Unexpected(boom())), 5000);
    }

    #[test]
    fn search_rooms_errors_map_to_e1001_e5000() {
        assert_eq!(code(SearchRoomsError::Invalid(invalid())), 1001);
        assert_eq!(code(SearchRoomsError::Unexpected(boom())), 5000);
    }

    #[test]
    fn list_members_errors_map_to_e2004_with_the_seed_list_notice() {
        assert_eq!(code(ListMembersError::Invalid(invalid())), 1001);
        assert_eq!(code(ListMembersError::NotFound), 2001);
        let refused = Failure::from(ListMembersError::NotMember);
        assert_eq!(refused.entry().code(), 2004);
        assert_eq!(refused.notice(crate::language::Lang::Zh), "用户不在房间内，无权限查找");
        assert_eq!(code(ListMembersError::Unexpected(boom())), 5000);
    }
    /// The documented entries of each error are exactly the entries its variants
    /// map to (E5000 is documented for every operation).
    #[test]
    fn each_error_documents_the_entries_its_variants_map_to() {
        use crate::catalogue::refusals::test_support::{mapped_entries as entries, sorted};

        let wait = Duration::from_secs(1);
        assert_eq!(
            entries(vec![CreateRoomError::Invalid(invalid()).into(), CreateRoomError::Taken.into()]),
            sorted(CreateRoomError::entries())
        );
        assert_eq!(
            entries(vec![
                EnterRoomError::Invalid(invalid()).into(),
                EnterRoomError::NotFound.into(),
                EnterRoomError::Private.into(),
                EnterRoomError::Full.into(),
                EnterRoomError::KickedRecently { retry_after: wait }.into(),
            ]),
            sorted(EnterRoomError::entries())
        );
        assert_eq!(
            entries(vec![
                ReenterRoomError::Invalid(invalid()).into(),
                ReenterRoomError::NotFound.into(),
                ReenterRoomError::NotMember.into(),
            ]),
            sorted(ReenterRoomError::entries())
        );
        assert_eq!(
            entries(vec![
                LeaveRoomError::Invalid(invalid()).into(),
                LeaveRoomError::NotFound.into(),
                LeaveRoomError::NotMember.into(),
            ]),
            sorted(LeaveRoomError::entries())
        );
        assert_eq!(
            entries(vec![
                MemberActionError::Invalid(invalid()).into(),
                MemberActionError::NotFound.into(),
                MemberActionError::NotOwner.into(),
                MemberActionError::SelfTarget.into(),
                MemberActionError::TargetNotMember.into(),
            ]),
            sorted(MemberActionError::entries())
        );
        assert_eq!(
            entries(vec![
                UpdateRoomError::Invalid(invalid()).into(),
                UpdateRoomError::NotFound.into(),
                UpdateRoomError::NotOwner.into(),
                UpdateRoomError::NameTaken.into(),
                UpdateRoomError::CapacityBelowMembers.into(),
            ]),
            sorted(UpdateRoomError::entries())
        );
        assert_eq!(
            entries(vec![
                DissolveRoomError::Invalid(invalid()).into(),
                DissolveRoomError::NotFound.into(),
                DissolveRoomError::NotOwner.into(),
            ]),
            sorted(DissolveRoomError::entries())
        );
        assert_eq!(entries(vec![SearchRoomsError::Invalid(invalid()).into()]), sorted(SearchRoomsError::entries()));
        assert_eq!(
            entries(vec![
                ListMembersError::Invalid(invalid()).into(),
                ListMembersError::NotFound.into(),
                ListMembersError::NotMember.into(),
            ]),
            sorted(ListMembersError::entries())
        );
    }
}
