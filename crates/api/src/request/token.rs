//! [`Token`]: the caller's token as sent, `Authorization: Bearer <token>` or a
//! bare `Authorization: <token>` (SPEC §4 "Auth"). Reading it never fails: the
//! account service decides between "no token" and "invalid token" (E1002), and
//! whether the session behind it is alive (S2, R11).

use poem::http::{header, HeaderMap};
use poem_openapi::registry::{MetaSecurityScheme, Registry};

/// The name of the scheme in the document.
pub(super) const SCHEME: &str = "Token";

/// The token of a request, if it carries one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Token(pub Option<String>);

impl Token {
    /// The token in the `Authorization` header: what follows `Bearer ` (any case),
    /// or the whole value; `None` when the header is absent or blank.
    pub fn of_headers(headers: &HeaderMap) -> Self {
        let value = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or_default().trim();
        let token = match value.split_once(' ') {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
            None if value.eq_ignore_ascii_case("bearer") => "",
            _ => value,
        };
        Self((!token.is_empty()).then(|| token.to_owned()))
    }

    /// The token, for `AccountService::authenticate`.
    pub fn into_inner(self) -> Option<String> {
        self.0
    }
}

impl Token {
    /// Declares the security scheme that [`super::Caller`] and
    /// [`super::LiveCaller`] name.
    pub(super) fn register(registry: &mut Registry) {
        registry.create_security_scheme(
            SCHEME,
            MetaSecurityScheme {
                ty: "apiKey",
                description: Some(
                    "The token of `POST /user/login` (`Msg.token`), as `Bearer <token>` or bare. Missing: E1002 \
                     请求头中的token为空; malformed, expired or revoked: E1002 无效的token.",
                ),
                name: Some("Authorization"),
                key_in: Some("header"),
                scheme: None,
                bearer_format: None,
                flows: None,
                openid_connect_url: None,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use poem::http::HeaderValue;

    use super::*;

    fn token(value: Option<&str>) -> Option<String> {
        let mut headers = HeaderMap::new();
        if let Some(value) = value {
            headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        }
        Token::of_headers(&headers).into_inner()
    }

    #[test]
    fn bearer_and_bare_tokens_are_read() {
        assert_eq!(token(Some("Bearer abc.def")), Some("abc.def".to_owned()));
        assert_eq!(token(Some("bearer   abc.def ")), Some("abc.def".to_owned()));
        assert_eq!(token(Some("abc.def")), Some("abc.def".to_owned()));
    }

    #[test]
    fn absent_or_blank_headers_carry_no_token() {
        assert_eq!(token(None), None);
        assert_eq!(token(Some("")), None);
        assert_eq!(token(Some("Bearer ")), None);
        assert_eq!(token(Some("   ")), None);
    }
}
