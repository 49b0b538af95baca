//! Member lists (R9) and room search.

use super::*;

// --- members (R9) ---

#[tokio::test]
async fn r9_non_member_cannot_list_members() {
    let mut m = deps();
    m.has_room(room("r1", "alice", Access::Public, 10));
    m.member("r1", "mallory", false);
    m.memberships.expect_list().never();

    let result = m.service().list_members(&uid("mallory"), &by_id("r1")).await;

    assert!(matches!(result, Err(ListMembersError::NotMember)), "{result:?}");
}

#[tokio::test]
async fn r9_members_are_listed_in_join_order_with_presence() {
    let mut m = deps();
    m.has_room(room("r1", "alice", Access::Public, 10));
    m.member("r1", "bob", true);
    let member = |id: &str, is_owner: bool| Member {
        user_id: uid(id),
        user_name: UserName::parse(id).unwrap(),
        joined_at: NOW,
        is_owner,
    };
    let members = vec![member("alice", true), member("bob", false)];
    m.memberships.expect_list().with(eq(rid("r1"))).returning(move |_| Ok(members.clone()));
    m.presence.expect_online().with(eq(key("r1"))).returning(|_| Ok(vec![uid("bob")]));

    let listed = m.service().list_members(&uid("bob"), &by_id("r1")).await.unwrap();

    let view = |id: &str, online: bool, is_owner: bool| MemberView {
        user_id: uid(id),
        user_name: UserName::parse(id).unwrap(),
        online,
        is_owner,
    };
    assert_eq!(listed, vec![view("alice", false, true), view("bob", true, false)]);
}

// --- search ---

#[tokio::test]
async fn search_limit_defaults_to_50_offset_to_0_and_the_name_is_normalized() {
    let mut m = deps();
    let expected = RoomSearch { name_contains: "caf\u{e9}".into(), limit: 50, offset: 0 };
    m.rooms.expect_search().with(eq(expected)).times(1).returning(|_| Ok(vec![]));
    let query = RoomQuery { name_contains: " CAFE\u{301} ".into(), limit: None, offset: None };

    let result = m.service().search_rooms(query).await;

    assert!(result.is_ok(), "{result:?}");
}

#[tokio::test]
async fn search_passes_the_page_asked_for() {
    let mut m = deps();
    let expected = RoomSearch { name_contains: String::new(), limit: 200, offset: 40 };
    let found = vec![room("r1", "alice", Access::Public, 10)];
    let returned = found.clone();
    m.rooms.expect_search().with(eq(expected)).times(1).returning(move |_| Ok(returned.clone()));
    let query = RoomQuery { name_contains: String::new(), limit: Some(200), offset: Some(40) };

    let result = m.service().search_rooms(query).await.unwrap();

    assert_eq!(result, found);
}

#[tokio::test]
async fn search_limit_must_lie_in_1_to_200_and_offset_fit_a_database_offset() {
    let page = |limit: Option<u32>, offset: Option<u64>| RoomQuery { name_contains: String::new(), limit, offset };
    let cases =
        [(page(Some(0), None), "limit"), (page(Some(201), None), "limit"), (page(None, Some(u64::MAX)), "offset")];
    for (query, field) in cases {
        let mut m = deps();
        m.rooms.expect_search().never();

        let result = m.service().search_rooms(query).await;

        assert!(matches!(&result, Err(SearchRoomsError::Invalid(e)) if e.field == field), "{field}: {result:?}");
    }
}
