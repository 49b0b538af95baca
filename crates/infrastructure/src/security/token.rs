//! [`JwtTokenCodec`]: the `TokenCodec` port as HS256 JSON Web Tokens (S2). The claims
//! are `userId` (the seed's name), `sub` (the same user id), `sid` (the session the
//! token belongs to), `iat`, `exp` and `iss`. Verification checks the signature, the
//! issuer and the expiry with no leeway; whether the session is still live is the
//! domain's question, not the codec's.

use chatroom_domain::account::{Claims, TokenCodec, TokenError};
use chatroom_domain::ids::{SessionId, UserId};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The `iss` claim when none is configured.
pub const DEFAULT_ISSUER: &str = "chatroom";

/// The shortest HS256 secret accepted (S2).
pub const MIN_SECRET_BYTES: usize = 32;

/// The token's JSON payload.
#[derive(Debug, Serialize, Deserialize)]
struct WireClaims {
    #[serde(rename = "userId")]
    user_id: String,
    sub: String,
    sid: String,
    iat: i64,
    exp: i64,
    iss: String,
}

/// Signs and verifies HS256 tokens with one secret. Its `Debug` never shows the key.
pub struct JwtTokenCodec {
    encoding: EncodingKey,
    decoding: DecodingKey,
    issuer: String,
    validation: Validation,
}

impl JwtTokenCodec {
    /// A codec for `secret` (at least [`MIN_SECRET_BYTES`] bytes, S2) that issues and
    /// accepts only tokens of `issuer` (usually [`DEFAULT_ISSUER`]).
    pub fn new(secret: &[u8], issuer: impl Into<String>) -> anyhow::Result<Self> {
        if secret.len() < MIN_SECRET_BYTES {
            anyhow::bail!("the JWT secret has {} bytes; at least {MIN_SECRET_BYTES} are required", secret.len());
        }
        let issuer = issuer.into();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_issuer(&[&issuer]);
        // Without `iss` in this list a token lacking the claim would pass.
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        Ok(Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            issuer,
            validation,
        })
    }
}

impl std::fmt::Debug for JwtTokenCodec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtTokenCodec").field("issuer", &self.issuer).finish_non_exhaustive()
    }
}

impl TokenCodec for JwtTokenCodec {
    fn issue(&self, claims: &Claims) -> anyhow::Result<String> {
        let wire = WireClaims {
            user_id: claims.user_id.as_str().to_owned(),
            sub: claims.user_id.as_str().to_owned(),
            sid: claims.session_id.as_str().to_owned(),
            iat: claims.issued_at.unix_timestamp(),
            exp: claims.expires_at.unix_timestamp(),
            iss: self.issuer.clone(),
        };
        Ok(jsonwebtoken::encode(&Header::new(Algorithm::HS256), &wire, &self.encoding)?)
    }

    fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let wire = jsonwebtoken::decode::<WireClaims>(token, &self.decoding, &self.validation)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            })?
            .claims;
        if wire.sub != wire.user_id {
            return Err(TokenError::Invalid);
        }
        let timestamp = |secs| OffsetDateTime::from_unix_timestamp(secs).map_err(|_| TokenError::Invalid);
        Ok(Claims {
            user_id: UserId::parse(&wire.user_id).map_err(|_| TokenError::Invalid)?,
            session_id: SessionId::new(wire.sid),
            issued_at: timestamp(wire.iat)?,
            expires_at: timestamp(wire.exp)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn codec() -> JwtTokenCodec {
        JwtTokenCodec::new(SECRET, DEFAULT_ISSUER).unwrap()
    }

    fn claims_valid_for(lifetime: Duration) -> Claims {
        let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
        Claims {
            user_id: UserId::parse("zhy").unwrap(),
            session_id: SessionId::new("0123456789abcdef0123456789abcdef".to_owned()),
            issued_at: now,
            expires_at: now + lifetime,
        }
    }

    fn payload_of(token: &str) -> serde_json::Value {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.insecure_disable_signature_validation();
        validation.validate_exp = false;
        jsonwebtoken::decode::<serde_json::Value>(token, &DecodingKey::from_secret(b""), &validation).unwrap().claims
    }

    fn sign(payload: serde_json::Value, secret: &[u8]) -> String {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &payload, &EncodingKey::from_secret(secret)).unwrap()
    }

    #[test]
    fn s2_a_token_round_trips_its_claims() {
        let claims = claims_valid_for(Duration::hours(24));
        let token = codec().issue(&claims).unwrap();
        assert_eq!(codec().verify(&token), Ok(claims));
    }

    #[test]
    fn s2_a_token_carries_user_id_sub_sid_iat_exp_and_iss() {
        let claims = claims_valid_for(Duration::hours(24));
        let payload = payload_of(&codec().issue(&claims).unwrap());
        assert_eq!(payload["userId"], "zhy");
        assert_eq!(payload["sub"], "zhy");
        assert_eq!(payload["sid"], claims.session_id.as_str());
        assert_eq!(payload["iat"], claims.issued_at.unix_timestamp());
        assert_eq!(payload["exp"], claims.expires_at.unix_timestamp());
        assert_eq!(payload["iss"], "chatroom");
    }

    #[test]
    fn s2_an_expired_token_is_refused_as_expired_without_leeway() {
        let token = codec().issue(&claims_valid_for(Duration::seconds(-2))).unwrap();
        assert_eq!(codec().verify(&token), Err(TokenError::Expired));
    }

    #[test]
    fn s2_a_token_signed_with_another_secret_is_invalid() {
        let other = JwtTokenCodec::new(b"another secret of at least 32 bytes!", DEFAULT_ISSUER).unwrap();
        let token = other.issue(&claims_valid_for(Duration::hours(1))).unwrap();
        assert_eq!(codec().verify(&token), Err(TokenError::Invalid));
    }

    #[test]
    fn s2_a_token_of_another_issuer_is_invalid() {
        let other = JwtTokenCodec::new(SECRET, "elsewhere").unwrap();
        let token = other.issue(&claims_valid_for(Duration::hours(1))).unwrap();
        assert_eq!(codec().verify(&token), Err(TokenError::Invalid));
    }

    #[test]
    fn s2_a_token_without_issuer_or_with_a_foreign_subject_is_invalid() {
        let exp = (OffsetDateTime::now_utc() + Duration::hours(1)).unix_timestamp();
        let base = serde_json::json!({"userId": "zhy", "sub": "zhy", "sid": "s", "iat": 0, "exp": exp});
        assert_eq!(codec().verify(&sign(base.clone(), SECRET)), Err(TokenError::Invalid));
        let mut foreign = base;
        foreign["iss"] = "chatroom".into();
        foreign["sub"] = "someone-else".into();
        assert_eq!(codec().verify(&sign(foreign, SECRET)), Err(TokenError::Invalid));
    }

    #[test]
    fn s2_garbage_and_other_algorithms_are_invalid() {
        assert_eq!(codec().verify("not.a.jwt"), Err(TokenError::Invalid));
        let claims = claims_valid_for(Duration::hours(1));
        let token = codec().issue(&claims).unwrap();
        let payload = token.split('.').nth(1).unwrap();
        // {"alg":"none","typ":"JWT"}
        let unsigned = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.");
        assert_eq!(codec().verify(&unsigned), Err(TokenError::Invalid));
    }

    #[test]
    fn s2_secrets_shorter_than_32_bytes_are_refused() {
        assert!(JwtTokenCodec::new(&SECRET[..31], DEFAULT_ISSUER).is_err());
        assert!(JwtTokenCodec::new(SECRET, DEFAULT_ISSUER).is_ok());
    }
}
