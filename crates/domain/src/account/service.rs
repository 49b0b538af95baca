//! The account service: R1, R11, S1–S4.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use time::OffsetDateTime;

use super::error::*;
use super::model::*;
use super::ports::*;
use crate::delivery::EventBus;
use crate::ids::{SessionId, UserId};
use crate::room::RoomRepository;
use crate::system::{Background, Clock, IdGenerator, ThrottleStore};
use crate::user::ports::UserWriteError;
use crate::user::{Email, Password, PasswordHash, PasswordHasher, ProfileUpdate, User, UserName, UserRepository};
use crate::validation::{InvalidInput, Rule};

/// The ports the account service needs.
pub struct Deps {
    pub users: Arc<dyn UserRepository>,
    pub rooms: Arc<dyn RoomRepository>,
    pub sessions: Arc<dyn SessionStore>,
    pub reset_codes: Arc<dyn ResetCodeStore>,
    pub throttle: Arc<dyn ThrottleStore>,
    pub hasher: Arc<dyn PasswordHasher>,
    pub tokens: Arc<dyn TokenCodec>,
    pub mailer: Arc<dyn Mailer>,
    /// Mails go out after the answer (S10).
    pub background: Arc<dyn Background>,
    pub bus: Arc<dyn EventBus>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdGenerator>,
}

/// Implements [`AccountService`] with the rules of the specification.
pub struct Service {
    deps: Deps,
    policy: AccountPolicy,
}

impl Service {
    /// A service over these ports with this policy.
    pub fn new(deps: Deps, policy: AccountPolicy) -> Self {
        Self { deps, policy }
    }
}

/// Throttle keys; one place so the limits of S3, S4 and S10 are easy to audit.
fn login_user_key(user: &UserId) -> String {
    format!("login:user:{user}")
}
fn register_ip_key(ip: &str) -> String {
    format!("register:ip:{ip}")
}
fn login_ip_key(ip: &str) -> String {
    format!("login:ip:{ip}")
}
fn reset_email_key(email: &Email) -> String {
    format!("reset:email:{}", email.as_str())
}
fn reset_ip_key(ip: &str) -> String {
    format!("reset:ip:{ip}")
}

/// The time left until `until`, for Retry-After.
fn remaining(until: OffsetDateTime, now: OffsetDateTime) -> Duration {
    (until - now).unsigned_abs()
}

impl Service {
    /// The first lock among `keys` still in force, as the time left on it.
    async fn locked(&self, keys: &[&str], now: OffsetDateTime) -> anyhow::Result<Option<Duration>> {
        for key in keys {
            if let Some(until) = self.deps.throttle.locked_until(key, now).await? {
                return Ok(Some(remaining(until, now)));
            }
        }
        Ok(None)
    }

    /// Counts a hit of `key` in `window` and locks it for `lockout` when the count
    /// goes over `limit`; returns whether it is now locked.
    async fn count_hit(
        &self,
        key: &str,
        limit: u32,
        window: Duration,
        lockout: Duration,
        now: OffsetDateTime,
    ) -> anyhow::Result<bool> {
        let hits = self.deps.throttle.hit(key, now, now - window).await?;
        let over = hits > limit;
        if over {
            self.deps.throttle.lock(key, now + lockout).await?;
        }
        Ok(over)
    }

    /// S4: counts a failed login; locks the userId (and the client) once the
    /// failures reach the limit, so the attempt after the 5th failure gets E1103.
    async fn record_login_failure(
        &self,
        user: &UserId,
        attempts: u32,
        ip: Option<&str>,
        now: OffsetDateTime,
    ) -> anyhow::Result<()> {
        let p = &self.policy;
        let window_start = now - p.login_window;
        if attempts >= p.login_failures_per_user {
            self.deps.throttle.lock(&login_user_key(user), now + p.login_lockout).await?;
        }
        if let Some(ip) = ip {
            let ip_key = login_ip_key(ip);
            if self.deps.throttle.hit(&ip_key, now, window_start).await? >= p.login_failures_per_ip {
                self.deps.throttle.lock(&ip_key, now + p.login_lockout).await?;
            }
        }
        Ok(())
    }

    async fn open_session(&self, user: &UserId, now: OffsetDateTime) -> anyhow::Result<(String, OffsetDateTime)> {
        // Whole seconds, as in the token's `iat`/`exp`, so `expiresAt` matches `exp`.
        let now = now.replace_nanosecond(0)?;
        let session = Session {
            id: SessionId::new(self.deps.ids.random_id()),
            user_id: user.clone(),
            issued_at: now,
            expires_at: now + self.policy.token_ttl,
            revoked: false,
        };
        self.deps.sessions.insert(&session).await?;
        let claims =
            Claims { user_id: user.clone(), session_id: session.id, issued_at: now, expires_at: session.expires_at };
        Ok((self.deps.tokens.issue(&claims)?, session.expires_at))
    }

    /// Reset codes are hashed at rest with the password hasher (S3), which makes an
    /// offline search of a leaked table as slow as for passwords.
    fn code_as_password(code: &str) -> Result<Password, InvalidInput> {
        Password::parse(CODE_FIELD, code, 1)
    }
}

/// The seed's name of the reset-code field.
const CODE_FIELD: &str = "验证码";

#[async_trait]
impl AccountService for Service {
    async fn register(&self, registration: Registration) -> Result<(), RegisterError> {
        let id = UserId::parse(&registration.user_id)?;
        let password = Password::parse("userPwd", &registration.password, self.policy.min_password_length)?;
        let name = UserName::parse(&registration.user_name)?;
        let email = Email::parse(&registration.email)?;
        let now = self.deps.clock.now();
        let ip_key = registration.client_ip.as_deref().map(register_ip_key);
        if let Some(ip_key) = &ip_key {
            if let Some(until) = self.deps.throttle.locked_until(ip_key, now).await? {
                return Err(RegisterError::TooMany { retry_after: remaining(until, now) });
            }
        }
        let user = User { id, name, email, password_hash: self.deps.hasher.hash(&password).await?, created_at: now };
        match self.deps.users.insert(&user).await {
            Ok(()) => {}
            Err(UserWriteError::IdOrEmailTaken) => return Err(RegisterError::Taken),
            Err(UserWriteError::Unexpected(e)) => return Err(e.into()),
        }
        // S10: only accepted registrations count; the one that reaches the limit
        // closes the address for a window.
        if let Some(ip_key) = &ip_key {
            let p = &self.policy;
            if self.deps.throttle.hit(ip_key, now, now - p.registration_window).await? >= p.registrations_per_ip {
                self.deps.throttle.lock(ip_key, now + p.registration_window).await?;
            }
        }
        Ok(())
    }

    async fn login(&self, attempt: LoginAttempt) -> Result<LoginOutcome, LoginError> {
        let id = UserId::parse(&attempt.user_id)?;
        let password = Password::parse("userPwd", &attempt.password, 1)?;
        let ip = attempt.client_ip.as_deref();
        let now = self.deps.clock.now();
        let user_key = login_user_key(&id);
        let ip_key = ip.map(login_ip_key);
        // One read of the userId's latest lock: whether it is locked now, and
        // where its count starts (a lockout that ended starts it afresh).
        let last_lock = self.deps.throttle.last_locked_until(&user_key).await?;
        if let Some(until) = last_lock.filter(|until| *until > now) {
            return Err(LoginError::LockedOut { retry_after: remaining(until, now) });
        }
        if let Some(retry_after) = self.locked(ip_key.as_deref().as_slice(), now).await? {
            return Err(LoginError::LockedOut { retry_after });
        }
        // S8: the attempt counts as a failure of the userId before the password is
        // checked (a success clears it), so racing guesses cannot all be checked
        // against a count none of them has raised: past the limit, none is.
        let p = &self.policy;
        let since = last_lock.map_or(now - p.login_window, |end| end.max(now - p.login_window));
        let attempts = self.deps.throttle.hit(&user_key, now, since).await?;
        if attempts > p.login_failures_per_user {
            self.deps.throttle.lock(&user_key, now + p.login_lockout).await?;
            return Err(LoginError::LockedOut { retry_after: p.login_lockout });
        }
        let user = self.deps.users.find_by_id(&id).await?;
        let hash = user.as_ref().map(|u| u.password_hash.clone());
        let verified = self.deps.hasher.verify(&password, hash).await?;
        let Some(user) = user.filter(|_| verified) else {
            self.record_login_failure(&id, attempts, ip, now).await?;
            return Err(LoginError::BadCredentials);
        };
        self.deps.throttle.clear(&user_key).await?;
        let (token, expires_at) = self.open_session(&user.id, now).await?;
        let rooms = self.deps.rooms.list_for_member(&user.id).await?;
        Ok(LoginOutcome { token, expires_at, user, rooms })
    }

    async fn authenticate(&self, token: Option<String>) -> Result<Authenticated, AuthError> {
        let token = token.as_deref().map(str::trim).filter(|t| !t.is_empty()).ok_or(AuthError::MissingToken)?;
        let claims = self.deps.tokens.verify(token).map_err(|_| AuthError::InvalidToken)?;
        let session = self.deps.sessions.find(&claims.session_id).await?.ok_or(AuthError::InvalidToken)?;
        if !session.is_active(self.deps.clock.now()) || session.user_id != claims.user_id {
            return Err(AuthError::InvalidToken);
        }
        let user = self.deps.users.find_by_id(&claims.user_id).await?.ok_or(AuthError::InvalidToken)?;
        Ok(Authenticated { user, session })
    }

    async fn still_signed_in(&self, caller: &Authenticated) -> Result<(), AuthError> {
        let session = self.deps.sessions.find(&caller.session.id).await?.ok_or(AuthError::InvalidToken)?;
        if !session.is_active(self.deps.clock.now()) {
            return Err(AuthError::InvalidToken);
        }
        Ok(())
    }

    async fn update_profile(&self, caller: &Authenticated, changes: ProfileChanges) -> Result<(), UpdateProfileError> {
        if changes.user_name.is_none() && changes.email.is_none() {
            return Err(InvalidInput::new("userName", Rule::AtLeastOneField).into());
        }
        let update = ProfileUpdate {
            name: changes.user_name.as_deref().map(UserName::parse).transpose()?,
            email: changes.email.as_deref().map(Email::parse).transpose()?,
        };
        match self.deps.users.update_profile(&caller.user.id, &update).await {
            Ok(()) => Ok(()),
            Err(UserWriteError::IdOrEmailTaken) => Err(UpdateProfileError::EmailTaken),
            Err(UserWriteError::Unexpected(e)) => Err(e.into()),
        }
    }

    async fn logout(&self, caller: &Authenticated) -> Result<(), LogoutError> {
        self.deps.sessions.revoke(&caller.session.id).await?;
        self.deps.bus.end_sessions(std::slice::from_ref(&caller.session.id)).await?;
        Ok(())
    }

    async fn request_password_reset(&self, request: ResetRequest) -> Result<ResetRequested, RequestResetError> {
        let email = Email::parse(&request.email)?;
        let now = self.deps.clock.now();
        let p = &self.policy;
        let email_key = reset_email_key(&email);
        let ip_key = request.client_ip.as_deref().map(reset_ip_key);
        let keys: Vec<&str> = std::iter::once(email_key.as_str()).chain(ip_key.as_deref()).collect();
        if let Some(retry_after) = self.locked(&keys, now).await? {
            return Err(RequestResetError::TooManyRequests { retry_after });
        }
        let mut over =
            self.count_hit(&email_key, p.reset_requests_per_email, p.reset_email_window, p.reset_lockout, now).await?;
        if let Some(ip_key) = &ip_key {
            over |= self.count_hit(ip_key, p.reset_requests_per_ip, p.reset_ip_window, p.reset_lockout, now).await?;
        }
        if over {
            return Err(RequestResetError::TooManyRequests { retry_after: p.reset_lockout });
        }
        // S10: unknown emails get the same answer as known ones (no enumeration),
        // for the same work: a code is drawn, hashed and stored for them too (a
        // code nobody is ever told). The mail goes out after the answer, so its
        // time does not tell the two apart either.
        let user = self.deps.users.find_by_email(&email).await?;
        let code = self.deps.ids.digits(p.reset_code_length);
        let code_hash = self.deps.hasher.hash(&Self::code_as_password(&code)?).await?;
        let stored = ResetCode {
            email: email.clone(),
            code_hash: code_hash.as_str().to_owned(),
            expires_at: now + p.reset_code_ttl,
            failed_attempts: 0,
            used: false,
        };
        self.deps.reset_codes.replace(&stored).await?;
        if user.is_none() {
            return Ok(ResetRequested::default());
        }
        if self.deps.mailer.delivery() == Delivery::ReturnToCaller {
            return Ok(ResetRequested { code_for_response: Some(code) });
        }
        let (mailer, valid_for) = (self.deps.mailer.clone(), p.reset_code_ttl);
        // A failed mail is logged by the runner; the answer is already given.
        self.deps.background.spawn(
            "mailing a password reset code",
            Box::pin(async move { mailer.send_reset_code(&email, &code, valid_for).await }),
        );
        Ok(ResetRequested::default())
    }

    async fn reset_password(&self, reset: PasswordReset) -> Result<(), ResetPasswordError> {
        let email = Email::parse(&reset.email)?;
        let new_password = Password::parse("newPwd", &reset.new_password, self.policy.min_password_length)?;
        let code = Self::code_as_password(reset.code.trim())?;
        let now = self.deps.clock.now();
        let max_attempts = self.policy.max_code_attempts;
        let stored = self.deps.reset_codes.find(&email).await?;
        // S8: the attempt is counted before the code is checked, so that racing
        // guesses cannot all be checked against a count none of them has raised.
        // S10: claimed and verified whether or not a usable code exists (a missing,
        // used, burned or expired one is verified against the hasher's stand-in),
        // so the time of the answer does not tell whether there is one.
        let claimed = self.deps.reset_codes.claim_attempt(&email, max_attempts, now).await?;
        let hash = stored
            .filter(|c| claimed && !c.used && c.failed_attempts < max_attempts && now < c.expires_at)
            .map(|c| PasswordHash::new(c.code_hash));
        let usable = hash.is_some();
        if !(self.deps.hasher.verify(&code, hash).await? && usable) {
            return Err(ResetPasswordError::WrongCode);
        }
        if !self.deps.reset_codes.mark_used(&email).await? {
            return Err(ResetPasswordError::WrongCode);
        }
        let user = self.deps.users.find_by_email(&email).await?.ok_or(ResetPasswordError::WrongCode)?;
        let new_hash = self.deps.hasher.hash(&new_password).await?;
        self.deps.users.update_password(&user.id, &new_hash).await?;
        let revoked = self.deps.sessions.revoke_all_of(&user.id).await?;
        self.deps.bus.end_sessions(&revoked).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
