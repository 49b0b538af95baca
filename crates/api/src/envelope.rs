//! The envelope every HTTP answer of the API has (SPEC §4 "Envelope"):
//! `{"err": {"Code": <int>, "Msg": <string|object>, "Notice": <string|object>}}`.
//! The key `err` and the PascalCase field names are the seed's, also on success.
//! Success bodies are generic over their `Msg` and `Notice` types so that each
//! operation documents its own shapes; failures always carry two strings.

use poem_openapi::types::{ParseFromJSON, ToJSON};
use poem_openapi::Object;

/// The answer of a successful operation.
#[derive(Object, Clone, Debug, PartialEq)]
pub struct Envelope<M: ParseFromJSON + ToJSON, N: ParseFromJSON + ToJSON> {
    /// The outcome (named `err` in the seed, also on success).
    pub err: Outcome<M, N>,
}

/// The body of a successful answer.
#[derive(Object, Clone, Debug, PartialEq)]
#[oai(rename_all = "PascalCase")]
pub struct Outcome<M: ParseFromJSON + ToJSON, N: ParseFromJSON + ToJSON> {
    /// Always 0 on success.
    pub code: i32,
    /// The result for a program: `""` unless the operation documents an object
    /// (the login token, for instance).
    pub msg: M,
    /// The result for a person, in the language of `Accept-Language`
    /// (Simplified Chinese by default), or the operation's result object.
    pub notice: N,
}

impl<M: ParseFromJSON + ToJSON, N: ParseFromJSON + ToJSON> Envelope<M, N> {
    /// A success (`Code` 0) with these `Msg` and `Notice`.
    pub fn ok(msg: M, notice: N) -> Self {
        Self { err: Outcome { code: 0, msg, notice } }
    }
}

impl<N: ParseFromJSON + ToJSON> Envelope<String, N> {
    /// A success whose `Msg` is empty, as most of the seed's are.
    pub fn notice(notice: N) -> Self {
        Self::ok(String::new(), notice)
    }
}

/// The answer of a refused request: `Code` is a number of the error catalogue
/// (1001 for E1001), the same in every language.
#[derive(Object, Clone, Debug, PartialEq)]
pub struct ErrorEnvelope {
    /// The failure (the seed's key).
    pub err: ErrorBody,
}

/// The body of a refused request.
#[derive(Object, Clone, Debug, PartialEq)]
#[oai(rename_all = "PascalCase")]
pub struct ErrorBody {
    /// The catalogue number, never 0.
    pub code: i32,
    /// A short reason, in the language of `Accept-Language`.
    pub msg: String,
    /// The text to show a person; for E1001 it names the refused field and its rule.
    pub notice: String,
}

impl ErrorEnvelope {
    /// A refusal with this code and texts.
    pub fn new(code: i32, msg: impl Into<String>, notice: impl Into<String>) -> Self {
        Self { err: ErrorBody { code, msg: msg.into(), notice: notice.into() } }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_envelope_has_the_seed_keys() {
        let ok = Envelope::notice("注册成功".to_owned()).to_json();
        assert_eq!(ok, Some(serde_json::json!({"err": {"Code": 0, "Msg": "", "Notice": "注册成功"}})));
        let refused = ErrorEnvelope::new(2001, "房间不存在", "房间不存在").to_json();
        let expected = serde_json::json!({"err": {"Code": 2001, "Msg": "房间不存在", "Notice": "房间不存在"}});
        assert_eq!(refused, Some(expected));
    }
}
