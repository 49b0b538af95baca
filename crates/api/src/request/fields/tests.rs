//! The schemas' patterns agree with the domain's parsers: a text matches the
//! pattern exactly when the domain accepts it.

use chatroom_domain::ids::{RoomId, UserId};
use chatroom_domain::room::RoomName;
use chatroom_domain::user::{Email, UserName};
use regex::Regex;

use super::*;

/// The pattern of the rule's text: its own, or that of its string branch.
fn pattern<R: FieldRule>() -> Regex {
    let schema = R::schema();
    let text = schema.any_of.iter().find_map(|branch| match branch {
        MetaSchemaRef::Inline(branch) if branch.ty == "string" => branch.pattern.clone(),
        _ => None,
    });
    Regex::new(&schema.pattern.or(text).unwrap()).unwrap()
}

fn agree<R: FieldRule>(accepts: impl Fn(&str) -> bool, cases: &[&str]) {
    let pattern = pattern::<R>();
    for case in cases {
        assert_eq!(pattern.is_match(case), accepts(case), "{} on {case:?}", R::NAME);
    }
}

const TEXTS: &[&str] = &[
    "",
    " ",
    "\t\n",
    "a",
    " a ",
    "\u{3000}名字\u{a0}",
    "a b",
    "a\u{7}b",
    "\u{7}a",
    "a\u{85}b",
    "\u{85}a",
    "\u{1c}a",
    "a\u{9f}",
    "x\ty",
    "Café au lait",
];

#[test]
fn user_and_room_names_match_exactly_what_the_domain_accepts() {
    let long = |n: usize| "n".repeat(n);
    let padded = |n: usize| format!("  {}  ", long(n));
    let lengths = [long(32), long(33), padded(32), padded(33), long(64), long(65), padded(64), padded(65)];
    let mut cases: Vec<&str> = TEXTS.to_vec();
    cases.extend(lengths.iter().map(String::as_str));
    agree::<UserNameRule>(|s| UserName::parse(s).is_ok(), &cases);
    agree::<RoomNameRule>(|s| RoomName::parse(s).is_ok(), &cases);
}

#[test]
fn identifiers_match_exactly_what_the_domain_accepts() {
    let (max, over) = ("i".repeat(32), "i".repeat(33));
    let cases = ["", "a", "a.B_9-z", "a b", " a", "é", "a/b", max.as_str(), over.as_str()];
    agree::<UserIdRule>(|s| UserId::parse(s).is_ok(), &cases);
    agree::<RoomIdRule>(|s| RoomId::parse(s).is_ok(), &cases);
}

#[test]
fn emails_match_exactly_what_the_domain_accepts() {
    let cases = [
        "",
        "a@b.c",
        " A@B.CO ",
        "a@b",
        "a@.b",
        "a@b.",
        "a@b..c",
        "@b.c",
        "a b@c.d",
        "a@b@c.d",
        "a\u{7}@b.c",
        "😍@à'.x",
        "a@b.c\u{7}",
        "\u{a0}a@b.c",
    ];
    agree::<EmailRule>(|s| Email::parse(s).is_ok(), &cases);
}

#[test]
fn integers_and_booleans_are_read_as_text_fractions_only_where_the_schema_admits_them() {
    let user_id: Field<UserIdRule> = serde_json::from_value(serde_json::json!(42)).unwrap();
    assert_eq!(user_id.as_str(), "42");
    let name: Field<UserNameRule> = serde_json::from_value(serde_json::json!(true)).unwrap();
    assert_eq!(name.as_str(), "true");
    let password: Field<NewPasswordRule> = serde_json::from_value(serde_json::json!(12_345_678)).unwrap();
    assert_eq!(password.as_str(), "12345678");
    assert!(serde_json::from_value::<Field<NewPasswordRule>>(serde_json::json!(1234.5678)).is_err());
    assert!(serde_json::from_value::<Field<NewPasswordRule>>(serde_json::json!(true)).is_err());
    assert!(serde_json::from_value::<Field<UserIdRule>>(serde_json::json!({"a": 1})).is_err());
    assert!(serde_json::from_value::<Field<UserIdRule>>(serde_json::json!(1.5)).is_err());
    assert!(serde_json::from_value::<Field<UserIdRule>>(serde_json::json!(9_007_199_254_740_993_i64)).is_err());
    let name: Field<UserNameRule> = serde_json::from_value(serde_json::json!(1.5)).unwrap();
    assert_eq!(name.as_str(), "1.5");
    let email: Field<EmailRule> = serde_json::from_value(serde_json::json!(1.5)).unwrap();
    assert_eq!(email.as_str(), "1.5", "refused by the domain, as the schema says");
}
