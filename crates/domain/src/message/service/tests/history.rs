//! History pages (GET /room/messages): R9 and the paging rules.

use super::*;
use crate::ids::Seq;

fn query(before: Option<i64>, after: Option<i64>, limit: Option<u32>) -> HistoryQuery {
    HistoryQuery { before: before.map(Seq::new), after: after.map(Seq::new), limit }
}

fn by_name(name: &str) -> RoomSelector {
    RoomSelector::Name(RoomName::parse(name).unwrap())
}

/// Messages of r1 with these seqs, ascending.
fn events(seqs: std::ops::RangeInclusive<i64>) -> Vec<RoomEvent> {
    seqs.map(|seq| message("r1", seq, "alice", "hi", None)).collect()
}

/// Bob reads r1, of which he is a member.
fn bob_reads_r1() -> Mocks {
    let mut m = deps();
    m.has_room("r1");
    m.member("r1", "bob", true);
    m
}

#[tokio::test]
async fn r9_non_member_cannot_read_history() {
    let mut m = deps();
    m.has_room("r1");
    m.member("r1", "mallory", false);
    m.events.expect_list_before().never();
    m.events.expect_list_after().never();

    let result = m.service().history(&uid("mallory"), &by_name("Room r1"), HistoryQuery::default()).await;

    assert!(matches!(result, Err(HistoryError::NotMember)), "{result:?}");
}

#[tokio::test]
async fn history_gives_the_latest_50_by_default_and_says_more_exist() {
    let mut m = bob_reads_r1();
    m.events
        .expect_list_before()
        .with(eq(key("r1")), eq(None), eq(51))
        .times(1)
        .returning(|_, _, _| Ok(events(1..=51)));

    let page = m.service().history(&uid("bob"), &by_name("Room r1"), HistoryQuery::default()).await.unwrap();

    assert_eq!(page, HistoryPage { events: events(2..=51), has_more: true });
}

#[tokio::test]
async fn history_before_a_seq_gives_the_page_just_before_it() {
    let mut m = bob_reads_r1();
    m.events
        .expect_list_before()
        .with(eq(key("r1")), eq(Some(Seq::new(100))), eq(3))
        .times(1)
        .returning(|_, _, _| Ok(events(98..=99)));

    let page = m.service().history(&uid("bob"), &by_name("Room r1"), query(Some(100), None, Some(2))).await.unwrap();

    assert_eq!(page, HistoryPage { events: events(98..=99), has_more: false });
}

#[tokio::test]
async fn history_after_a_seq_is_ascending_and_bounded_by_the_limit() {
    let mut m = bob_reads_r1();
    m.events
        .expect_list_after()
        .with(eq(key("r1")), eq(Seq::new(10)), eq(4))
        .times(1)
        .returning(|_, _, _| Ok(events(11..=14)));

    let page = m.service().history(&uid("bob"), &by_name("Room r1"), query(None, Some(10), Some(3))).await.unwrap();

    assert_eq!(page, HistoryPage { events: events(11..=13), has_more: true });
}

#[tokio::test]
async fn history_between_two_seqs_stops_before_the_upper_one() {
    let mut m = bob_reads_r1();
    m.events.expect_list_after().with(eq(key("r1")), eq(Seq::new(10)), eq(4)).returning(|_, _, _| Ok(events(11..=14)));

    let page = m.service().history(&uid("bob"), &by_name("Room r1"), query(Some(13), Some(10), Some(3))).await.unwrap();

    assert_eq!(page, HistoryPage { events: events(11..=12), has_more: false });
}

#[tokio::test]
async fn history_limit_must_lie_in_1_to_200() {
    let cases = [(query(None, None, Some(0)), "limit"), (query(None, None, Some(201)), "limit")];
    for (input, field) in cases {
        let mut m = deps();
        m.events.expect_list_before().never();
        m.events.expect_list_after().never();

        let result = m.service().history(&uid("bob"), &by_name("Room r1"), input).await;

        assert!(matches!(&result, Err(HistoryError::Invalid(e)) if e.field == field), "{field}: {result:?}");
    }
}

#[tokio::test]
async fn e2001_history_of_an_unknown_room_is_not_found() {
    let mut m = deps();
    m.rooms.expect_find_by_name().returning(|_| Ok(None));
    m.memberships.expect_find().never();

    let result = m.service().history(&uid("bob"), &by_name("Nowhere"), HistoryQuery::default()).await;

    assert!(matches!(result, Err(HistoryError::NotFound)), "{result:?}");
}
