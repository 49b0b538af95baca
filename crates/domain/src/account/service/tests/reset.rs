//! Password resets: S3 (codes and their limits) and R11 (every session revoked).

use super::*;

const EMAIL: &str = "zhy@example.com";
const EMAIL_KEY: &str = "reset:email:zhy@example.com";
const IP: &str = "203.0.113.7";
const IP_KEY: &str = "reset:ip:203.0.113.7";
const CODE: &str = "123456";
const CODE_HASH: &str = "$argon2id$code-hash";

fn email() -> Email {
    Email::parse(EMAIL).unwrap()
}

fn request() -> ResetRequest {
    ResetRequest { email: EMAIL.to_owned(), client_ip: None }
}

fn reset(code: &str) -> PasswordReset {
    PasswordReset { email: EMAIL.to_owned(), new_password: "new-secret-1".to_owned(), code: code.to_owned() }
}

/// The code `CODE`, issued 5 minutes ago, not tried yet.
fn stored_code() -> ResetCode {
    ResetCode {
        email: email(),
        code_hash: CODE_HASH.to_owned(),
        expires_at: NOW + 5 * MINUTE,
        failed_attempts: 0,
        used: false,
    }
}

impl Mocks {
    /// Codes are drawn, hashed, stored and mailed without fuss.
    fn issues_codes(&mut self) {
        self.ids.expect_digits().return_const(CODE.to_owned());
        self.hasher.expect_hash().returning(|_| Ok(PasswordHash::new(CODE_HASH.to_owned())));
        self.reset_codes.expect_replace().returning(|_| Ok(()));
        self.mailer.expect_delivery().return_const(Delivery::Sent);
        self.mailer.expect_send_reset_code().returning(|_, _, _| Ok(()));
    }

    fn has_code(&mut self, code: ResetCode) {
        self.reset_codes.expect_find().with(eq(email())).returning(move |_| Ok(Some(code.clone())));
    }

    /// Whether the store grants the attempt (S8: it counts the attempt first).
    fn claims(&mut self, granted: bool) {
        self.reset_codes
            .expect_claim_attempt()
            .withf(|email_, max, _| *email_ == email() && *max == 5)
            .returning(move |_, _, _| Ok(granted));
    }

    /// S10: the code is verified, once, against the hasher's stand-in for a
    /// missing hash (which never matches), as if there were a code.
    fn verifies_against_the_stand_in(&mut self) {
        self.hasher
            .expect_verify()
            .withf(|code, hash| code.expose() == CODE && hash.is_none())
            .times(1)
            .returning(|_, _| Ok(false));
    }

    fn code_matches(&mut self, right: bool) {
        self.hasher.expect_verify().returning(move |_, _| Ok(right));
    }

    /// Nothing about the user may change.
    fn changes_no_password(&mut self) {
        self.users.expect_update_password().never();
        self.sessions.expect_revoke_all_of().never();
    }
}

// --- forgetPwd ---

#[tokio::test]
async fn s3_code_has_the_configured_length_and_comes_from_the_id_generator() {
    let mut m = deps();
    m.policy.reset_code_length = 8;
    m.unthrottled();
    m.knows(user("zhy"));
    m.ids.expect_digits().with(eq(8)).times(1).return_const("12345678".to_owned());
    m.mailer.expect_delivery().return_const(Delivery::Sent);
    m.mailer
        .expect_send_reset_code()
        .withf(|to, code, _| to.as_str() == EMAIL && code == "12345678")
        .times(1)
        .returning(|_, _, _| Ok(()));
    m.hasher.expect_hash().returning(|_| Ok(PasswordHash::new(CODE_HASH.to_owned())));
    m.reset_codes.expect_replace().returning(|_| Ok(()));
    let mails = m.background.clone();

    let result = m.service().request_password_reset(request()).await;

    assert!(result.is_ok(), "{result:?}");
    assert!(mails.run().await.iter().all(Result::is_ok));
}

#[tokio::test]
async fn s3_code_is_stored_hashed_never_in_clear() {
    let mut m = deps();
    m.unthrottled();
    m.knows(user("zhy"));
    m.hasher
        .expect_hash()
        .withf(|code| code.expose() == CODE)
        .times(1)
        .returning(|_| Ok(PasswordHash::new(CODE_HASH.to_owned())));
    m.reset_codes.expect_replace().withf(|stored| stored.code_hash == CODE_HASH).times(1).returning(|_| Ok(()));
    m.issues_codes();

    let result = m.service().request_password_reset(request()).await;

    assert!(result.is_ok(), "{result:?}");
}

#[tokio::test]
async fn s3_new_code_is_valid_ten_minutes_and_replaces_the_old_one() {
    let mut m = deps();
    m.unthrottled();
    m.knows(user("zhy"));
    let fresh = ResetCode { expires_at: NOW + 10 * MINUTE, ..stored_code() };
    m.reset_codes.expect_replace().with(eq(fresh)).times(1).returning(|_| Ok(()));
    m.mailer
        .expect_send_reset_code()
        .withf(|_, _, valid_for| *valid_for == 10 * MINUTE)
        .times(1)
        .returning(|_, _, _| Ok(()));
    m.issues_codes();
    let mails = m.background.clone();

    let result = m.service().request_password_reset(request()).await;

    assert!(result.is_ok(), "{result:?}");
    assert_eq!(mails.run().await.len(), 1);
}

#[tokio::test]
async fn s3_mailed_code_stays_out_of_the_answer() {
    let mut m = deps();
    m.unthrottled();
    m.knows(user("zhy"));
    m.issues_codes();

    let answer = m.service().request_password_reset(request()).await.unwrap();

    assert_eq!(answer, ResetRequested { code_for_response: None });
}

#[tokio::test]
async fn s3_response_transport_returns_the_code() {
    let mut m = deps();
    m.unthrottled();
    m.knows(user("zhy"));
    m.mailer.expect_delivery().return_const(Delivery::ReturnToCaller);
    m.mailer.expect_send_reset_code().never();
    m.issues_codes();
    let mails = m.background.clone();

    let answer = m.service().request_password_reset(request()).await.unwrap();

    assert_eq!(answer.code_for_response.as_deref(), Some(CODE));
    assert!(mails.pending().is_empty(), "nothing to send");
}

#[tokio::test]
async fn s3_third_request_for_an_email_is_still_served() {
    let mut m = deps();
    m.throttle.expect_locked_until().returning(|_, _| Ok(None));
    m.throttle.expect_hit().withf(|key, _, _| key == EMAIL_KEY).returning(|_, _, _| Ok(3));
    m.throttle.expect_lock().never();
    m.knows(user("zhy"));
    m.mailer.expect_send_reset_code().times(1).returning(|_, _, _| Ok(()));
    m.issues_codes();
    let mails = m.background.clone();

    let result = m.service().request_password_reset(request()).await;

    assert!(result.is_ok(), "{result:?}");
    assert_eq!(mails.run().await.len(), 1);
}

#[tokio::test]
async fn s3_fourth_request_for_an_email_within_ten_minutes_is_refused_and_locks() {
    let mut m = deps();
    m.throttle.expect_locked_until().returning(|_, _| Ok(None));
    m.throttle
        .expect_hit()
        .withf(|key, at, since| key == EMAIL_KEY && *at == NOW && *since == NOW - 10 * MINUTE)
        .returning(|_, _, _| Ok(4));
    m.throttle
        .expect_lock()
        .withf(|key, until| key == EMAIL_KEY && *until == NOW + 60 * MINUTE)
        .times(1)
        .returning(|_, _| Ok(()));
    m.ids.expect_digits().never();
    m.mailer.expect_send_reset_code().never();

    let result = m.service().request_password_reset(request()).await;

    assert!(
        matches!(result, Err(RequestResetError::TooManyRequests { retry_after }) if retry_after == 60 * MINUTE),
        "{result:?}"
    );
}

#[tokio::test]
async fn s3_thirty_first_request_from_an_ip_within_an_hour_is_refused() {
    let mut m = deps();
    m.throttle.expect_locked_until().returning(|_, _| Ok(None));
    m.throttle.expect_hit().withf(|key, _, _| key == EMAIL_KEY).returning(|_, _, _| Ok(1));
    m.throttle
        .expect_hit()
        .withf(|key, _, since| key == IP_KEY && *since == NOW - 60 * MINUTE)
        .returning(|_, _, _| Ok(31));
    m.throttle.expect_lock().withf(|key, _| key == IP_KEY).times(1).returning(|_, _| Ok(()));
    m.mailer.expect_send_reset_code().never();

    let result = m.service().request_password_reset(ResetRequest { client_ip: Some(IP.into()), ..request() }).await;

    assert!(matches!(result, Err(RequestResetError::TooManyRequests { .. })), "{result:?}");
}

#[tokio::test]
async fn s3_lock_in_force_answers_too_many_requests_with_retry_after() {
    let mut m = deps();
    m.throttle
        .expect_locked_until()
        .withf(|key, now| key == EMAIL_KEY && *now == NOW)
        .returning(|_, _| Ok(Some(NOW + 40 * MINUTE)));
    m.throttle.expect_hit().never();
    m.mailer.expect_send_reset_code().never();

    let result = m.service().request_password_reset(request()).await;

    assert!(
        matches!(result, Err(RequestResetError::TooManyRequests { retry_after }) if retry_after == 40 * MINUTE),
        "{result:?}"
    );
}

// --- updatePwd ---

#[tokio::test]
async fn r11_password_reset_revokes_every_session() {
    let mut m = deps();
    m.has_code(stored_code());
    m.claims(true);
    m.hasher
        .expect_verify()
        .withf(|code, hash| code.expose() == CODE && hash.as_ref().map(PasswordHash::as_str) == Some(CODE_HASH))
        .times(1)
        .returning(|_, _| Ok(true));
    m.reset_codes.expect_mark_used().with(eq(email())).times(1).returning(|_| Ok(true));
    m.knows(user("zhy"));
    m.hasher
        .expect_hash()
        .withf(|password| password.expose() == "new-secret-1")
        .returning(|_| Ok(PasswordHash::new("$argon2id$new".into())));
    let mut order = Sequence::new();
    m.users
        .expect_update_password()
        .with(eq(uid("zhy")), eq(PasswordHash::new("$argon2id$new".into())))
        .times(1)
        .in_sequence(&mut order)
        .returning(|_, _| Ok(()));
    let sessions = vec![SessionId::new("phone".into()), SessionId::new("laptop".into())];
    let revoked = sessions.clone();
    m.sessions
        .expect_revoke_all_of()
        .with(eq(uid("zhy")))
        .times(1)
        .in_sequence(&mut order)
        .returning(move |_| Ok(revoked.clone()));
    m.bus
        .expect_end_sessions()
        .withf(move |ended| ended == sessions.as_slice())
        .times(1)
        .in_sequence(&mut order)
        .returning(|_| Ok(()));

    let result = m.service().reset_password(reset(CODE)).await;

    assert!(result.is_ok(), "{result:?}");
}

#[tokio::test]
async fn s8_an_attempt_is_counted_before_the_code_is_checked() {
    let mut m = deps();
    m.has_code(stored_code());
    let mut order = Sequence::new();
    m.reset_codes.expect_claim_attempt().times(1).in_sequence(&mut order).returning(|_, _, _| Ok(true));
    m.hasher.expect_verify().times(1).in_sequence(&mut order).returning(|_, _| Ok(false));
    m.reset_codes.expect_mark_used().never();
    m.changes_no_password();

    let result = m.service().reset_password(reset("654321")).await;

    assert!(matches!(result, Err(ResetPasswordError::WrongCode)), "{result:?}");
}

#[tokio::test]
async fn s8_an_attempt_the_store_does_not_grant_is_wrong_code_and_never_checked_against_the_code() {
    let mut m = deps();
    m.has_code(ResetCode { failed_attempts: 4, ..stored_code() });
    m.claims(false);
    m.verifies_against_the_stand_in();
    m.changes_no_password();

    let result = m.service().reset_password(reset(CODE)).await;

    assert!(matches!(result, Err(ResetPasswordError::WrongCode)), "{result:?}");
}

#[tokio::test]
async fn s3_five_wrong_attempts_burn_the_code() {
    let mut m = deps();
    m.has_code(ResetCode { failed_attempts: 5, ..stored_code() });
    m.claims(false);
    m.verifies_against_the_stand_in();
    m.changes_no_password();

    let result = m.service().reset_password(reset(CODE)).await;

    assert!(matches!(result, Err(ResetPasswordError::WrongCode)), "{result:?}");
}

#[tokio::test]
async fn s3_expired_code_is_refused() {
    let mut m = deps();
    m.has_code(ResetCode { expires_at: NOW, ..stored_code() });
    m.claims(false);
    m.verifies_against_the_stand_in();
    m.changes_no_password();

    let result = m.service().reset_password(reset(CODE)).await;

    assert!(matches!(result, Err(ResetPasswordError::WrongCode)), "{result:?}");
}

#[tokio::test]
async fn s3_used_code_is_refused() {
    let mut m = deps();
    m.has_code(ResetCode { used: true, ..stored_code() });
    m.claims(false);
    m.verifies_against_the_stand_in();
    m.changes_no_password();

    let result = m.service().reset_password(reset(CODE)).await;

    assert!(matches!(result, Err(ResetPasswordError::WrongCode)), "{result:?}");
}

#[tokio::test]
async fn s3_code_used_concurrently_works_only_once() {
    let mut m = deps();
    m.has_code(stored_code());
    m.claims(true);
    m.code_matches(true);
    m.reset_codes.expect_mark_used().times(1).returning(|_| Ok(false));
    m.changes_no_password();

    let result = m.service().reset_password(reset(CODE)).await;

    assert!(matches!(result, Err(ResetPasswordError::WrongCode)), "{result:?}");
}

#[tokio::test]
async fn e1001_reset_names_the_new_password_field() {
    let mut m = deps();
    m.reset_codes.expect_find().never();

    let result = m.service().reset_password(PasswordReset { new_password: "short".into(), ..reset(CODE) }).await;

    assert!(matches!(&result, Err(ResetPasswordError::Invalid(e)) if e.field == "newPwd"), "{result:?}");
}
