//! The API's text fields with the rules of SPEC §3 in their schema: one named
//! schema per rule (`UserId`, `RoomName`, `UserEmail`, …), built from the same
//! constants the domain's value objects validate with, so the document states
//! exactly what the server accepts.
//!
//! A [`Field`] only carries the text as the client sent it (numbers and booleans
//! written as text, SPEC §4): the domain parses it, in its own order, so a
//! refusal names the same field with the same rule as it always did. The
//! patterns mirror the domain's predicates; a test checks they agree on the
//! cases that matter (trimming, control characters, lengths).

use chatroom_domain::account::AccountPolicy;
use chatroom_domain::room::{RoomName, RoomPolicy};
use chatroom_domain::user::{Email, Password, UserName};
use chatroom_domain::validation::IDENTIFIER_MAX_CHARS;
use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use serde_json::Value;

mod text;

pub use text::{Field, Optional};

/// What Rust's `str::trim` removes: the Unicode `White_Space` characters.
const WHITESPACE: &str = r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";

/// What `char::is_control` refuses: the C0 and C1 controls.
const CONTROL: &str = r"\x00-\x1f\x7f-\x9f";

/// `[A-Za-z0-9_.-]`, 1 to 32 characters (userId, roomId).
fn identifier_pattern() -> String {
    format!("^[A-Za-z0-9_.-]{{1,{IDENTIFIER_MAX_CHARS}}}$")
}

/// 1 to `max` characters after trimming, none of them a control character:
/// optional whitespace, a core that starts and ends with a visible character,
/// optional whitespace.
fn display_text_pattern(max: usize) -> String {
    let visible = format!("[^{WHITESPACE}{CONTROL}]");
    let inner = max.saturating_sub(2);
    format!("^[{WHITESPACE}]*{visible}(?:[^{CONTROL}]{{0,{inner}}}{visible})?[{WHITESPACE}]*$")
}

/// `local@domain.tld` after trimming: no whitespace, control character or
/// second `@`; the domain has at least two non-empty labels.
fn email_pattern() -> String {
    let part = format!("[^@{WHITESPACE}{CONTROL}]");
    let label = format!("[^@.{WHITESPACE}{CONTROL}]+");
    format!("^[{WHITESPACE}]*{part}+@{label}(?:\\.{label})+[{WHITESPACE}]*$")
}

/// Which JSON scalars a text field reads as their text (SPEC §4: a client may
/// send `{"userId": 42}`), so that the schema can say exactly which it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalars {
    /// Every number and boolean: for rules that any such text meets, or that
    /// the domain refuses for every one of them (an email address).
    Any,
    /// Integers within ±2^53 (the integers every client writes the same way and
    /// reads exactly) and, if `booleans`, booleans; fractions, whose text
    /// differs between clients (`1e+16`, `1e16`), are refused.
    Integers { booleans: bool },
}

impl Scalars {
    /// ±2^53.
    const INTEGER_BOUND: i64 = 1 << 53;

    fn reads(self, value: &Value) -> bool {
        match (self, value) {
            (Self::Any, Value::Number(_) | Value::Bool(_)) => true,
            (Self::Integers { booleans }, Value::Bool(_)) => booleans,
            (Self::Integers { .. }, Value::Number(n)) => {
                n.as_i64().is_some_and(|n| (-Self::INTEGER_BOUND..=Self::INTEGER_BOUND).contains(&n))
            }
            _ => false,
        }
    }
}

/// A named rule: the schema component a [`Field`] refers to.
pub trait FieldRule: Send + Sync + 'static {
    /// The component's name in the document.
    const NAME: &'static str;
    /// Which JSON numbers and booleans are read as their text.
    const SCALARS: Scalars = Scalars::Any;
    /// The component.
    fn schema() -> MetaSchema;
}

fn text(description: &'static str) -> MetaSchema {
    MetaSchema { description: Some(description), ..MetaSchema::new("string") }
}

/// [`Scalars::INTEGER_BOUND`] as a schema bound.
#[allow(clippy::cast_precision_loss)] // 2^53 is exact in an f64.
const INTEGER_BOUND: f64 = Scalars::INTEGER_BOUND as f64;

fn integer_within(minimum: f64, maximum: f64) -> MetaSchema {
    MetaSchema { minimum: Some(minimum), maximum: Some(maximum), ..MetaSchema::new("integer") }
}

/// `text` or, as SPEC §4 allows, a JSON number or boolean written as text
/// ([`Scalars::Any`]): for rules that every such text meets.
fn text_or_scalar(description: &'static str, text: MetaSchema) -> MetaSchema {
    one_of_inline(description, vec![text, MetaSchema::new("number"), MetaSchema::new("boolean")])
}

/// `text`, an integer within ±2^53 or a boolean written as text
/// ([`Scalars::Integers`]): for identifiers, whose rule a fraction's text may
/// break (`1e+16`).
fn text_or_integer(description: &'static str, text: MetaSchema) -> MetaSchema {
    one_of_inline(description, vec![text, integer_within(-INTEGER_BOUND, INTEGER_BOUND), MetaSchema::new("boolean")])
}

/// A schema that any one of `schemas` satisfies (`anyOf`).
fn one_of_inline(description: &'static str, schemas: Vec<MetaSchema>) -> MetaSchema {
    MetaSchema {
        description: Some(description),
        any_of: schemas.into_iter().map(|schema| MetaSchemaRef::Inline(Box::new(schema))).collect(),
        ..MetaSchema::ANY
    }
}

macro_rules! rule {
    ($(#[$doc:meta])* $rule:ident, $name:literal, $(scalars: $scalars:expr,)? || $schema:expr) => {
        $(#[$doc])*
        pub struct $rule;

        impl FieldRule for $rule {
            const NAME: &'static str = $name;
            $(const SCALARS: Scalars = $scalars;)?
            fn schema() -> MetaSchema {
                $schema
            }
        }
    };
}

rule!(
    /// userId (R1) and a member named by userId.
    UserIdRule, "UserId", scalars: Scalars::Integers { booleans: true }, || text_or_integer(
        "1–32 characters of `[A-Za-z0-9_.-]` (R1); an integer or a boolean is read as its text.",
        MetaSchema { pattern: Some(identifier_pattern()), ..MetaSchema::new("string") }
    )
);
rule!(
    /// roomId (R2).
    RoomIdRule, "RoomId", scalars: Scalars::Integers { booleans: true }, || text_or_integer(
        "1–32 characters of `[A-Za-z0-9_.-]` (R2); an integer or boolean is read as its text.",
        MetaSchema { pattern: Some(identifier_pattern()), ..MetaSchema::new("string") }
    )
);
rule!(
    /// userName.
    UserNameRule, "UserName", || text_or_scalar(
        "1–32 characters after trimming, no control characters; not unique.",
        MetaSchema { pattern: Some(display_text_pattern(UserName::MAX_CHARS)), ..MetaSchema::new("string") }
    )
);
rule!(
    /// roomName (R2).
    RoomNameRule, "RoomName", || text_or_scalar(
        "1–64 characters after trimming, no control characters; unique on its NFC lower-case form (R2).",
        MetaSchema { pattern: Some(display_text_pattern(RoomName::MAX_CHARS)), ..MetaSchema::new("string") }
    )
);
rule!(
    /// userEmail (R1): text only (no number or boolean is an address).
    EmailRule, "UserEmail", || MetaSchema {
        pattern: Some(email_pattern()),
        max_length: Some(Email::MAX_CHARS),
        ..text("An address `local@domain.tld`, at most 254 characters; stored lower-cased, unique (R1).")
    }
);
rule!(
    /// roomCap: a whole number, as a number or as text.
    CapacityRule, "RoomCap", || one_of_inline(
        "An integer from 1 to `rooms.max_capacity` (500 by default), as a number or a numeric string (\"33\").",
        vec![
            MetaSchema { pattern: Some(format!("^[{WHITESPACE}]*[0-9]+[{WHITESPACE}]*$")), ..MetaSchema::new("string") },
            MetaSchema {
                minimum: Some(1.0),
                maximum: Some(f64::from(RoomPolicy::default().max_capacity)),
                ..MetaSchema::new("integer")
            },
        ]
    )
);
rule!(
    /// roomAccess: a boolean, as a boolean, 0/1 or as text.
    AccessRule, "RoomAccess", || one_of_inline(
        "`true`/`1`: anyone may join; `false`/`0`: only its members may come back (R4).",
        vec![
            MetaSchema {
                pattern: Some(format!(
                    "^[{WHITESPACE}]*([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee]|1|0)[{WHITESPACE}]*$"
                )),
                ..MetaSchema::new("string")
            },
            MetaSchema::new("boolean"),
            MetaSchema { enum_items: vec![0.into(), 1.into()], ..MetaSchema::new("integer") },
        ]
    )
);
rule!(
    /// A new password: userPwd of register, newPwd of updatePwd. An integer
    /// is read as its digits, which must be long enough.
    NewPasswordRule, "NewPassword", scalars: Scalars::Integers { booleans: false }, || {
        let min = AccountPolicy::default().min_password_length;
        let digits = i32::try_from(min).unwrap_or(i32::MAX);
        one_of_inline(
            "8–128 characters (the minimum is `auth.min_password_length`, 8 by default); an integer is read as \
             its digits.",
            vec![
                MetaSchema { min_length: Some(min), max_length: Some(Password::MAX_CHARS), ..MetaSchema::new("string") },
                integer_within(10f64.powi(digits - 1), INTEGER_BOUND),
                integer_within(-INTEGER_BOUND, -(10f64.powi(digits - 2))),
            ],
        )
    }
);
rule!(
    /// The password of a login: any non-empty text up to the maximum.
    PasswordRule, "Password", || text_or_scalar(
        "The account's password, 1–128 characters; a number or boolean is read as its text.",
        MetaSchema { min_length: Some(1), max_length: Some(Password::MAX_CHARS), ..MetaSchema::new("string") }
    )
);

#[cfg(test)]
mod tests;
