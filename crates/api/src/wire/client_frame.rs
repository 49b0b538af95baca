//! The frames a client sends (SPEC §7, W8), read in one place: JSON objects
//! tagged on `type`, and raw text, which the seed's clients send.

use serde::de::IgnoredAny;
use serde::{Deserialize, Deserializer};
use serde_json::{Number, Value};

/// A text frame from a client, as the session answers it.
#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum ClientFrame {
    /// `{"type":"message","content":"…","clientMsgId":"…"}`, or raw text.
    Message {
        /// The text; a `content` that is not a string is empty (and refused, W9).
        #[serde(default, deserialize_with = "text_or_empty")]
        content: String,
        /// Makes resends idempotent (D3); a string or a number, otherwise none.
        #[serde(default, deserialize_with = "scalar_text")]
        client_msg_id: Option<String>,
    },
    /// `{"type":"ping"}`: asks for a pong.
    Ping,
}

/// A JSON object whose `type` is neither `message` nor `ping` (W8: refused
/// with E1001).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownType;

impl ClientFrame {
    /// Reads a text frame (W8). A text that is not a JSON object with a `type`
    /// is a message whose content is the whole text; other fields are ignored.
    ///
    /// Read as a JSON value first: a repeated key counts with its last value, and
    /// a `type` that is not a string is unknown (serde would take a number for a
    /// variant's index).
    pub fn parse(text: &str) -> Result<Self, UnknownType> {
        let frame = match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(frame)) if frame.contains_key("type") => frame,
            _ => return Ok(Self::Message { content: text.to_owned(), client_msg_id: None }),
        };
        if !frame.get("type").is_some_and(Value::is_string) {
            return Err(UnknownType);
        }
        serde_json::from_value(Value::Object(frame)).map_err(|_| UnknownType)
    }
}

/// A JSON value where the protocol expects text.
#[derive(Deserialize)]
#[serde(untagged)]
enum Scalar {
    Text(String),
    Number(Number),
    Other(IgnoredAny),
}

fn text_or_empty<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(match Scalar::deserialize(deserializer)? {
        Scalar::Text(text) => text,
        Scalar::Number(_) | Scalar::Other(_) => String::new(),
    })
}

fn scalar_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(match Scalar::deserialize(deserializer)? {
        Scalar::Text(text) => Some(text),
        Scalar::Number(number) => Some(number.to_string()),
        Scalar::Other(_) => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(content: &str, client_msg_id: Option<&str>) -> Result<ClientFrame, UnknownType> {
        Ok(ClientFrame::Message { content: content.to_owned(), client_msg_id: client_msg_id.map(str::to_owned) })
    }

    #[test]
    fn w8_a_message_frame_carries_its_content_and_optional_client_msg_id() {
        assert_eq!(
            ClientFrame::parse(r#"{"type":"message","content":"hi","clientMsgId":"c1"}"#),
            message("hi", Some("c1"))
        );
        assert_eq!(ClientFrame::parse(r#"{"type":"message","content":"hi"}"#), message("hi", None));
        assert_eq!(ClientFrame::parse(r#" {"content":"hi","type":"message","extra":[1]} "#), message("hi", None));
    }

    #[test]
    fn w8_a_client_msg_id_may_be_a_number_and_anything_else_is_none() {
        assert_eq!(
            ClientFrame::parse(r#"{"type":"message","content":"a","clientMsgId":42}"#),
            message("a", Some("42"))
        );
        assert_eq!(
            ClientFrame::parse(r#"{"type":"message","content":"a","clientMsgId":1.50}"#),
            message("a", Some("1.5"))
        );
        for other in ["null", "true", "[]", "{}"] {
            let text = format!(r#"{{"type":"message","content":"a","clientMsgId":{other}}}"#);
            assert_eq!(ClientFrame::parse(&text), message("a", None), "{other}");
        }
    }

    #[test]
    fn w9_a_content_that_is_not_a_string_is_empty() {
        for other in ["7", "null", "false", "[\"x\"]", "{\"a\":1}"] {
            let text = format!(r#"{{"type":"message","content":{other}}}"#);
            assert_eq!(ClientFrame::parse(&text), message("", None), "{other}");
        }
        assert_eq!(ClientFrame::parse(r#"{"type":"message"}"#), message("", None));
    }

    #[test]
    fn w8_a_repeated_key_counts_with_its_last_value() {
        let text = r#"{"type":"ping","content":"a","content":"b","type":"message"}"#;
        assert_eq!(ClientFrame::parse(text), message("b", None));
    }

    #[test]
    fn w8_ping_asks_for_a_pong_whatever_else_it_carries() {
        assert_eq!(ClientFrame::parse(r#"{"type":"ping"}"#), Ok(ClientFrame::Ping));
        assert_eq!(ClientFrame::parse(r#"{"type":"ping","content":"x"}"#), Ok(ClientFrame::Ping));
    }

    #[test]
    fn w8_any_other_type_is_unknown_also_one_that_is_not_a_string() {
        for text in [r#"{"type":"Ping"}"#, r#"{"type":"image"}"#, r#"{"type":0}"#, r#"{"type":1}"#, r#"{"type":null}"#]
        {
            assert_eq!(ClientFrame::parse(text), Err(UnknownType), "{text}");
        }
    }

    #[test]
    fn w8_text_that_is_not_a_json_object_with_a_type_is_a_message_of_the_whole_text() {
        for text in ["hello", "", "42", "true", "\"ping\"", "[1]", r#"{"content":"x"}"#, r#"{"type":"ping"} x"#, "{"] {
            assert_eq!(ClientFrame::parse(text), message(text, None), "{text}");
        }
    }
}
