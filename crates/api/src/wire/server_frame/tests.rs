//! Each frame of W1–W7 exactly as docs/websocket.md shows it.

use chatroom_domain::ids::ImageId;
use chatroom_domain::room::{Access, Capacity, RoomName};
use chatroom_domain::timeline::{ClientMsgId, ImageType, MessageContent, RoomSnapshot};
use chatroom_domain::user::{Email, PasswordHash, UserName};
use poem_openapi::types::ToJSON;
use serde_json::{json, Value};
use time::macros::datetime;

use super::*;

const AT: OffsetDateTime = datetime!(2026-11-24 10:00 UTC);
const ID: &str = "0123456789abcdef0123456789abcdef";

fn uid(id: &str) -> UserId {
    UserId::parse(id).unwrap()
}

fn rid() -> RoomId {
    RoomId::parse("r1").unwrap()
}

fn room() -> Room {
    Room {
        id: rid(),
        incarnation: chatroom_domain::ids::Incarnation::new(1),
        name: RoomName::parse("go").unwrap(),
        capacity: Capacity::from_stored(3),
        access: Access::Public,
        owner: uid("alice"),
        created_at: datetime!(2026-11-24 9:00 UTC),
    }
}

fn room_json() -> Value {
    json!({"RoomId": "r1", "RoomName": "go", "RoomCap": 3, "RoomAccess": true, "RoomOwner": "alice",
           "CreatedAt": "2026-11-24T09:00:00Z"})
}

fn sender() -> Sender {
    Sender { id: uid("bob"), name: UserName::parse("Bob").unwrap() }
}

fn event(kind: EventKind) -> RoomEvent {
    RoomEvent { room_id: rid(), seq: Seq::new(3), at: AT, kind }
}

fn message(client_msg_id: Option<&str>) -> RoomEvent {
    let client_msg_id = client_msg_id.map(|id| ClientMsgId::parse(id).unwrap());
    event(EventKind::Message { from: sender(), content: MessageContent::parse("hello", 4000).unwrap(), client_msg_id })
}

fn system(system: SystemEvent) -> RoomEvent {
    event(EventKind::System(system))
}

fn json_of(frame: &ServerFrame) -> Value {
    serde_json::from_str(&frame.encode()).unwrap()
}

#[test]
fn w1_the_welcome_names_the_room_the_caller_those_online_and_the_last_seq() {
    let frame = ServerFrame::welcome(&room(), &sender_user(), &[uid("alice"), uid("bob")], Seq::new(2));
    let expected = json!({"type": "welcome", "room": room_json(), "you": {"userId": "bob", "userName": "Bob"},
                          "online": ["alice", "bob"], "lastSeq": 2});
    assert_eq!(json_of(&frame), expected);
    assert_eq!(json_of(&ServerFrame::CaughtUp { last_seq: Seq::new(2) }), json!({"type": "caughtUp", "lastSeq": 2}));
}

#[test]
fn w1_a_room_in_a_frame_is_the_room_schema_of_the_http_answers() {
    let frame = json_of(&ServerFrame::welcome(&room(), &sender_user(), &[], Seq::ZERO));
    assert_eq!(frame["room"], RoomDto::from(&room()).to_json().unwrap());
}

fn sender_user() -> User {
    User {
        id: uid("bob"),
        name: UserName::parse("Bob").unwrap(),
        email: Email::parse("bob@example.com").unwrap(),
        password_hash: PasswordHash::new("$argon2id$stub".to_owned()),
        created_at: AT,
    }
}

#[test]
fn w3_a_message_has_its_client_msg_id_only_when_it_was_given_one() {
    let from = json!({"userId": "bob", "userName": "Bob"});
    let without = json!({"type": "message", "roomId": "r1", "seq": 3, "from": from, "content": "hello",
                         "sentAt": "2026-11-24T10:00:00Z"});
    assert_eq!(json_of(&ServerFrame::event(&message(None))), without);
    let mut with = without;
    with["clientMsgId"] = json!("c1");
    assert_eq!(json_of(&ServerFrame::event(&message(Some("c1")))), with);
}

#[test]
fn w4_an_image_has_its_url_and_content_type() {
    let image =
        event(EventKind::Image { from: sender(), image: ImageId::parse(ID).unwrap(), image_type: ImageType::Png });
    let expected = json!({"type": "image", "roomId": "r1", "seq": 3, "from": {"userId": "bob", "userName": "Bob"},
                          "url": format!("/images/{ID}"), "contentType": "image/png", "sentAt": "2026-11-24T10:00:00Z"});
    assert_eq!(json_of(&ServerFrame::event(&image)), expected);
}

#[test]
fn w5_a_system_event_names_the_user_or_the_room_it_changed() {
    let frame = |event: &str, key: &str, value: Value| {
        let mut frame =
            json!({"type": "system", "roomId": "r1", "seq": 3, "event": event, "sentAt": "2026-11-24T10:00:00Z"});
        frame[key] = value;
        frame
    };
    let cases = [
        (SystemEvent::Joined(uid("bob")), frame("joined", "userId", json!("bob"))),
        (SystemEvent::Left(uid("bob")), frame("left", "userId", json!("bob"))),
        (SystemEvent::Kicked(uid("bob")), frame("kicked", "userId", json!("bob"))),
        (SystemEvent::OwnerChanged(uid("bob")), frame("ownerChanged", "userId", json!("bob"))),
    ];
    for (event, expected) in cases {
        assert_eq!(json_of(&ServerFrame::event(&system(event))), expected);
    }
    let snapshot = RoomSnapshot {
        id: rid(),
        name: "go".into(),
        capacity: 3,
        public: true,
        owner: uid("alice"),
        created_at: datetime!(2026-11-24 9:00 UTC),
    };
    let updated = ServerFrame::event(&system(SystemEvent::RoomUpdated(snapshot)));
    assert_eq!(json_of(&updated), frame("roomUpdated", "room", room_json()));
}

#[test]
fn w5_w7_presence_and_dissolution_carry_no_seq() {
    let online = json!({"type": "presence", "roomId": "r1", "event": "online", "userId": "bob"});
    assert_eq!(json_of(&ServerFrame::presence(&rid(), &uid("bob"), true)), online);
    let offline = json!({"type": "presence", "roomId": "r1", "event": "offline", "userId": "bob"});
    assert_eq!(json_of(&ServerFrame::presence(&rid(), &uid("bob"), false)), offline);
    let dissolved = json!({"type": "system", "roomId": "r1", "event": "dissolved"});
    assert_eq!(json_of(&ServerFrame::dissolved(&rid())), dissolved);
}

#[test]
fn w6_acks_errors_and_pongs() {
    let ack = ServerFrame::Ack { client_msg_id: Some("c1".into()), seq: Seq::new(4) };
    assert_eq!(json_of(&ack), json!({"type": "ack", "clientMsgId": "c1", "seq": 4}));
    assert_eq!(json_of(&ServerFrame::Ack { client_msg_id: None, seq: Seq::new(4) }), json!({"type": "ack", "seq": 4}));
    let error = ServerFrame::Error { code: 1201, msg: "发送过快".into() };
    assert_eq!(json_of(&error), json!({"type": "error", "code": 1201, "msg": "发送过快"}));
    assert_eq!(json_of(&ServerFrame::Pong), json!({"type": "pong"}));
}

#[test]
fn every_frame_but_the_dissolution_reads_back_as_itself() {
    let frames = [
        ServerFrame::welcome(&room(), &sender_user(), &[uid("bob")], Seq::new(2)),
        ServerFrame::CaughtUp { last_seq: Seq::new(2) },
        ServerFrame::event(&message(Some("c1"))),
        ServerFrame::event(&system(SystemEvent::Kicked(uid("bob")))),
        ServerFrame::presence(&rid(), &uid("bob"), true),
        ServerFrame::Ack { client_msg_id: None, seq: Seq::new(4) },
        ServerFrame::Error { code: 1001, msg: "x".into() },
        ServerFrame::Pong,
    ];
    for frame in frames {
        assert_eq!(serde_json::from_str::<ServerFrame>(&frame.encode()).unwrap(), frame);
    }
}
