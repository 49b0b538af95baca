//! The user operations of SPEC §6 (`/user/*`): the seed's six and (ext) `/user/me`.
//! Each reads its body with [`Body`] (JSON, urlencoded or multipart), calls one
//! method of the account service and answers with the seed's texts.

use std::sync::Arc;

use chatroom_domain::account::{
    AccountService, AuthError, LoginAttempt, LoginError, LogoutError, PasswordReset, ProfileChanges, RegisterError,
    Registration, RequestResetError, ResetPasswordError, ResetRequest, UpdateProfileError,
};
use poem::Request;
use poem_openapi::{Object, OpenApi};
use serde::Deserialize;
use time::OffsetDateTime;

use super::ApiTags;
use crate::catalogue::{BodyRefusals, Text};
use crate::language::Lang;
use crate::reply::{Answer, Reply};
use crate::request::fields::{EmailRule, Field, NewPasswordRule, Optional, PasswordRule, UserIdRule, UserNameRule};
use crate::request::{lenient, Body, Caller, ClientIpSource};
use crate::wire::{ProfileDto, RoomDto};

const REGISTERED: Text = Text { zh: "注册成功", en: "Registered" };
const UPDATED: Text = Text { zh: "修改成功", en: "Updated" };
const LOGGED_OUT: Text = Text { zh: "退出系统成功", en: "Logged out" };
const CODE_SENT: Text = Text { zh: "十分钟内有效", en: "Valid for ten minutes" };
const WELCOME: Text = Text { zh: "登录成功 hello", en: "Logged in, hello" };

/// Body of `POST /user/register`.
#[derive(Object, Deserialize, Debug)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct RegisterBody {
    /// The new account's id, unique (R1).
    #[serde(default)]
    pub user_id: Field<UserIdRule>,
    /// The password.
    #[serde(default)]
    pub user_pwd: Field<NewPasswordRule>,
    /// The name shown to others.
    #[serde(default)]
    pub user_name: Field<UserNameRule>,
    /// An email address, unique (R1).
    #[serde(default)]
    pub user_email: Field<EmailRule>,
}

/// Body of `POST /user/login`.
#[derive(Object, Deserialize, Debug)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct LoginBody {
    /// The account's id.
    #[serde(default)]
    pub user_id: Field<UserIdRule>,
    /// The account's password.
    #[serde(default)]
    pub user_pwd: Field<PasswordRule>,
}

/// Body of `PUT /user/update`: at least one field.
#[derive(Object, Deserialize, Debug)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct UpdateBody {
    /// The new name.
    #[serde(default)]
    pub user_name: Optional<UserNameRule>,
    /// The new email address, unique (R1).
    #[serde(default)]
    pub user_email: Optional<EmailRule>,
}

/// Body of `POST /user/forgetPwd`.
#[derive(Object, Deserialize, Debug)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct ForgetPwdBody {
    /// The account's email address.
    #[serde(default)]
    pub user_email: Field<EmailRule>,
}

/// Body of `PUT /user/updatePwd`.
#[derive(Object, Deserialize, Debug)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct UpdatePwdBody {
    /// The account's email address.
    #[serde(default)]
    pub user_email: Field<EmailRule>,
    /// The new password.
    #[serde(default)]
    pub new_pwd: Field<NewPasswordRule>,
    /// The code of `POST /user/forgetPwd`; the field `code` is accepted too.
    #[oai(rename = "验证码", validator(pattern = r"^[0-9]+$"))]
    #[serde(rename = "验证码", alias = "code", default, deserialize_with = "lenient::string")]
    pub code: String,
}

/// `Msg` of a successful login.
#[derive(Object, Debug, Clone, PartialEq)]
#[oai(rename = "LoginToken", rename_all = "camelCase")]
pub struct LoginToken {
    /// The JWT to send as `Authorization: Bearer <token>` (S2).
    pub token: String,
    /// When the token stops working.
    pub expires_at: OffsetDateTime,
}

/// `Notice` of a successful login.
#[derive(Object, Debug, Clone, PartialEq)]
#[oai(rename = "LoginNotice")]
pub struct LoginNotice {
    /// `登录成功 hello <userName>`.
    pub msg: String,
    /// The rooms the user is a member of (R12); `[]` when none.
    pub rooms: Vec<RoomDto>,
}

/// `Notice` of `POST /user/forgetPwd`.
#[derive(Object, Debug, Clone, PartialEq)]
#[oai(rename = "ResetNotice")]
pub struct ResetNotice {
    /// `十分钟内有效`.
    pub notice: String,
    /// The code itself, only with `mail.transport = "response"` (the seed's
    /// behaviour, for demos) and only for a registered email.
    #[oai(rename = "验证码", skip_serializing_if_is_none)]
    pub code: Option<String>,
}

/// Registration, login, profile, logout and password reset.
pub struct UsersApi {
    accounts: Arc<dyn AccountService>,
    client_ip: ClientIpSource,
}

impl UsersApi {
    /// The user operations, backed by the account service; `client_ip` says
    /// where the per-IP limits of S3 and S4 read the client's address.
    pub fn new(accounts: Arc<dyn AccountService>, client_ip: ClientIpSource) -> Self {
        Self { accounts, client_ip }
    }
}

#[OpenApi(tag = "ApiTags::Users")]
impl UsersApi {
    /// Register.
    ///
    /// Creates an account (R1). Notice `注册成功`. A taken userId or email is
    /// E1101; each field is checked as in SPEC §3 (E1001 names the field). One
    /// client address may register `auth.registrations_per_ip_per_hour` (300)
    /// accounts an hour, then E1107 with `Retry-After` (S10).
    #[oai(path = "/user/register", method = "post", operation_id = "register")]
    async fn register(
        &self,
        lang: Lang,
        request: &Request,
        body: Body<RegisterBody>,
    ) -> Answer<String, String, (BodyRefusals, RegisterError)> {
        let RegisterBody { user_id, user_pwd, user_name, user_email } = body.0;
        let registration = Registration {
            user_id: user_id.into_inner(),
            password: user_pwd.into_inner(),
            user_name: user_name.into_inner(),
            email: user_email.into_inner(),
            client_ip: self.client_ip.client_ip(request),
        };
        self.accounts.register(registration).await?;
        Ok(Reply::notice(REGISTERED.get(lang).to_owned()))
    }

    /// Log in.
    ///
    /// Checks the password (S1), opens a session (S2) and answers its token in
    /// `Msg`, with `登录成功 hello <userName>` and the user's rooms (R12) in
    /// `Notice`. A wrong userId or password is E1102, the same answer for both;
    /// after 5 failures for a userId within 15 minutes it is E1103 with
    /// `Retry-After` (S4), and likewise for too many failures from one address.
    #[oai(path = "/user/login", method = "post", operation_id = "login")]
    async fn login(
        &self,
        lang: Lang,
        request: &Request,
        body: Body<LoginBody>,
    ) -> Answer<LoginToken, LoginNotice, (BodyRefusals, LoginError)> {
        let LoginBody { user_id, user_pwd } = body.0;
        let client_ip = self.client_ip.client_ip(request);
        let attempt = LoginAttempt { user_id: user_id.into_inner(), password: user_pwd.into_inner(), client_ip };
        let outcome = self.accounts.login(attempt).await?;
        let msg = LoginToken { token: outcome.token, expires_at: outcome.expires_at };
        let notice = LoginNotice {
            msg: format!("{} {}", WELCOME.get(lang), outcome.user.name.as_str()),
            rooms: outcome.rooms.iter().map(RoomDto::from).collect(),
        };
        Ok(Reply::ok(msg, notice))
    }

    /// Change the caller's name and/or email.
    ///
    /// At least one field (E1001 otherwise). Notice `修改成功`. An email bound to
    /// another user is E1104.
    #[oai(path = "/user/update", method = "put", operation_id = "update")]
    async fn update(
        &self,
        lang: Lang,
        Caller(caller): Caller,
        body: Body<UpdateBody>,
    ) -> Answer<String, String, (AuthError, BodyRefusals, UpdateProfileError)> {
        let UpdateBody { user_name, user_email } = body.0;
        let changes = ProfileChanges { user_name: user_name.into_text(), email: user_email.into_text() };
        self.accounts.update_profile(&caller, changes).await?;
        Ok(Reply::notice(UPDATED.get(lang).to_owned()))
    }

    /// Log out.
    ///
    /// Revokes this session: its token stops working and every WebSocket opened
    /// with it is closed with 4003 (R11). The user's other sessions stay. Notice
    /// `退出系统成功`.
    #[oai(path = "/user/exit", method = "delete", operation_id = "exit")]
    async fn exit(&self, lang: Lang, Caller(caller): Caller) -> Answer<String, String, (AuthError, LogoutError)> {
        self.accounts.logout(&caller).await?;
        Ok(Reply::notice(LOGGED_OUT.get(lang).to_owned()))
    }

    /// Ask for a password reset code.
    ///
    /// Sends a code valid for ten minutes through the configured mailer (S3).
    /// Registered and unknown emails get the same answer, `{"notice":
    /// "十分钟内有效"}`, after the same work (S10); only with `mail.transport =
    /// "response"` does it carry the code of a registered email in `验证码`. The
    /// mail is sent after the answer, which therefore does not say it was
    /// delivered. More than 3 requests per email in 10 minutes, or 30 per address
    /// in an hour, is E1105 with `Retry-After`.
    #[oai(path = "/user/forgetPwd", method = "post", operation_id = "forgetPwd")]
    async fn forget_pwd(
        &self,
        lang: Lang,
        request: &Request,
        body: Body<ForgetPwdBody>,
    ) -> Answer<String, ResetNotice, (BodyRefusals, RequestResetError)> {
        let reset =
            ResetRequest { email: body.0.user_email.into_inner(), client_ip: self.client_ip.client_ip(request) };
        let requested = self.accounts.request_password_reset(reset).await?;
        Ok(Reply::notice(ResetNotice { notice: CODE_SENT.get(lang).to_owned(), code: requested.code_for_response }))
    }

    /// Set a new password with a reset code.
    ///
    /// The code of `forgetPwd` in `验证码` (or `code`). Notice `修改成功`; every
    /// session of the user is revoked (R11). A wrong, expired, used or burned
    /// code is E1106; after 5 wrong attempts the code is burned (S3).
    #[oai(path = "/user/updatePwd", method = "put", operation_id = "updatePwd")]
    async fn update_pwd(
        &self,
        lang: Lang,
        body: Body<UpdatePwdBody>,
    ) -> Answer<String, String, (BodyRefusals, ResetPasswordError)> {
        let UpdatePwdBody { user_email, new_pwd, code } = body.0;
        let reset = PasswordReset { email: user_email.into_inner(), new_password: new_pwd.into_inner(), code };
        self.accounts.reset_password(reset).await?;
        Ok(Reply::notice(UPDATED.get(lang).to_owned()))
    }

    /// The caller's account (ext).
    ///
    /// Notice `{"UserId", "UserName", "UserEmail"}`.
    #[oai(path = "/user/me", method = "get", operation_id = "me")]
    async fn me(&self, Caller(caller): Caller) -> Answer<String, ProfileDto, AuthError> {
        Ok(Reply::notice(ProfileDto::from(&caller.user)))
    }
}
