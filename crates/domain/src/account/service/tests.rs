//! Mock-backed tests of the account service, one per rule. Every port is a mockall
//! mock with no expectation unless a test sets one, so an unexpected call fails the
//! test; the clock is stopped at [`NOW`].

mod login;
mod register;
mod reset;
mod timing;

use std::sync::Mutex;
use std::time::Duration;

use mockall::predicate::eq;
use mockall::Sequence;
use time::macros::datetime;

use super::*;
use crate::delivery::ports::MockEventBus;
use crate::room::ports::MockRoomRepository;
use crate::system::{BackgroundTask, MockClock, MockIdGenerator, MockThrottleStore};
use crate::user::ports::{MockPasswordHasher, MockUserRepository};

const NOW: OffsetDateTime = datetime!(2026-03-01 12:00 UTC);
const MINUTE: Duration = Duration::from_secs(60);
const SID: &str = "0123456789abcdef0123456789abcdef";

/// Every port of the service, mocked.
struct Mocks {
    users: MockUserRepository,
    rooms: MockRoomRepository,
    sessions: MockSessionStore,
    reset_codes: MockResetCodeStore,
    throttle: MockThrottleStore,
    hasher: MockPasswordHasher,
    tokens: MockTokenCodec,
    mailer: MockMailer,
    background: Deferred,
    bus: MockEventBus,
    clock: MockClock,
    ids: MockIdGenerator,
    policy: AccountPolicy,
}

/// A [`Background`] that keeps what it is given until the test runs it, so a test
/// sees what happened before the answer and what after it.
#[derive(Clone, Default)]
struct Deferred {
    tasks: Arc<Mutex<Vec<(&'static str, BackgroundTask)>>>,
}

impl Deferred {
    /// What was handed over so far, and not yet run.
    fn pending(&self) -> Vec<&'static str> {
        self.tasks.lock().unwrap().iter().map(|(what, _)| *what).collect()
    }

    /// Runs every task handed over so far, in order, and returns their results.
    async fn run(&self) -> Vec<anyhow::Result<()>> {
        let tasks = std::mem::take(&mut *self.tasks.lock().unwrap());
        let mut results = Vec::new();
        for (_, task) in tasks {
            results.push(task.await);
        }
        results
    }
}

impl Background for Deferred {
    fn spawn(&self, what: &'static str, task: BackgroundTask) {
        self.tasks.lock().unwrap().push((what, task));
    }
}

/// Mocks without expectations, a clock stopped at `NOW` and the default policy.
fn deps() -> Mocks {
    let mut clock = MockClock::new();
    clock.expect_now().return_const(NOW);
    Mocks {
        users: MockUserRepository::new(),
        rooms: MockRoomRepository::new(),
        sessions: MockSessionStore::new(),
        reset_codes: MockResetCodeStore::new(),
        throttle: MockThrottleStore::new(),
        hasher: MockPasswordHasher::new(),
        tokens: MockTokenCodec::new(),
        mailer: MockMailer::new(),
        background: Deferred::default(),
        bus: MockEventBus::new(),
        clock,
        ids: MockIdGenerator::new(),
        policy: AccountPolicy::default(),
    }
}

impl Mocks {
    fn service(self) -> Service {
        let deps = Deps {
            users: Arc::new(self.users),
            rooms: Arc::new(self.rooms),
            sessions: Arc::new(self.sessions),
            reset_codes: Arc::new(self.reset_codes),
            throttle: Arc::new(self.throttle),
            hasher: Arc::new(self.hasher),
            tokens: Arc::new(self.tokens),
            mailer: Arc::new(self.mailer),
            background: Arc::new(self.background),
            bus: Arc::new(self.bus),
            clock: Arc::new(self.clock),
            ids: Arc::new(self.ids),
        };
        Service::new(deps, self.policy)
    }

    /// S3 and S4 let the request through: no lock in force, one hit so far.
    fn unthrottled(&mut self) {
        self.throttle.expect_locked_until().returning(|_, _| Ok(None));
        self.throttle.expect_last_locked_until().returning(|_| Ok(None));
        self.throttle.expect_hit().returning(|_, _, _| Ok(1));
        self.throttle.expect_clear().returning(|_| Ok(()));
    }

    /// `user` exists, found by id and by email.
    fn knows(&mut self, user: User) {
        let by_email = user.clone();
        self.users.expect_find_by_id().with(eq(user.id.clone())).returning(move |_| Ok(Some(user.clone())));
        self.users
            .expect_find_by_email()
            .with(eq(by_email.email.clone()))
            .returning(move |_| Ok(Some(by_email.clone())));
    }
}

fn uid(id: &str) -> UserId {
    UserId::parse(id).unwrap()
}

/// A user whose email is `<id>@example.com` and whose hash is `hash-of-<id>`.
fn user(id: &str) -> User {
    User {
        id: uid(id),
        name: UserName::parse(id).unwrap(),
        email: Email::parse(&format!("{id}@example.com")).unwrap(),
        password_hash: PasswordHash::new(format!("$argon2id$hash-of-{id}")),
        created_at: NOW,
    }
}

/// A live session of `user`, opened an hour ago, valid for 23 more hours.
fn session(id: &str, user: &str) -> Session {
    Session {
        id: SessionId::new(id.to_owned()),
        user_id: uid(user),
        issued_at: NOW - 60 * MINUTE,
        expires_at: NOW + 23 * 60 * MINUTE,
        revoked: false,
    }
}

fn claims_of(session: &Session) -> Claims {
    Claims {
        user_id: session.user_id.clone(),
        session_id: session.id.clone(),
        issued_at: session.issued_at,
        expires_at: session.expires_at,
    }
}

fn registration(user_id: &str, password: &str, user_name: &str, email: &str) -> Registration {
    Registration {
        user_id: user_id.to_owned(),
        password: password.to_owned(),
        user_name: user_name.to_owned(),
        email: email.to_owned(),
        client_ip: None,
    }
}

// --- register (R1, S1) ---

#[tokio::test]
async fn r1_taken_id_or_email_is_refused() {
    let mut m = deps();
    m.hasher.expect_hash().returning(|_| Ok(PasswordHash::new("$argon2id$h".into())));
    m.users.expect_insert().times(1).returning(|_| Err(UserWriteError::IdOrEmailTaken));

    let result = m.service().register(registration("zhy", "secret-123", "zhy", "zhy@example.com")).await;

    assert!(matches!(result, Err(RegisterError::Taken)), "{result:?}");
}

#[tokio::test]
async fn s1_registration_stores_the_hash_and_a_lower_cased_email_never_the_password() {
    let mut m = deps();
    m.hasher
        .expect_hash()
        .withf(|password| password.expose() == "secret-123")
        .times(1)
        .returning(|_| Ok(PasswordHash::new("$argon2id$h".into())));
    m.users
        .expect_insert()
        .withf(|u| {
            u.id == uid("zhy")
                && u.password_hash.as_str() == "$argon2id$h"
                && u.email.as_str() == "zhy@example.com"
                && u.created_at == NOW
        })
        .times(1)
        .returning(|_| Ok(()));

    let result = m.service().register(registration("zhy", "secret-123", " 张 ", "ZHY@Example.COM")).await;

    assert!(result.is_ok(), "{result:?}");
}

#[tokio::test]
async fn e1001_register_names_the_refused_field() {
    let cases = [
        (registration("a b", "secret-123", "zhy", "zhy@example.com"), "userId"),
        (registration("zhy", "short", "zhy", "zhy@example.com"), "userPwd"),
        (registration("zhy", "secret-123", "  ", "zhy@example.com"), "userName"),
        (registration("zhy", "secret-123", "zhy", "not-an-address"), "userEmail"),
    ];
    for (input, field) in cases {
        let mut m = deps();
        m.hasher.expect_hash().never();
        m.users.expect_insert().never();

        let result = m.service().register(input).await;

        assert!(matches!(&result, Err(RegisterError::Invalid(e)) if e.field == field), "{field}: {result:?}");
    }
}

// --- authenticate, update, logout (R1, R11, S2) ---

#[tokio::test]
async fn s2_live_session_authenticates_its_user() {
    let mut m = deps();
    let live = session(SID, "zhy");
    let claims = claims_of(&live);
    m.tokens.expect_verify().withf(|token| token == "signed.jwt").returning(move |_| Ok(claims.clone()));
    let found = live.clone();
    m.sessions.expect_find().with(eq(live.id.clone())).returning(move |_| Ok(Some(found.clone())));
    m.knows(user("zhy"));

    let caller = m.service().authenticate(Some(" signed.jwt ".into())).await.unwrap();

    assert_eq!(caller, Authenticated { user: user("zhy"), session: live });
}

#[tokio::test]
async fn r11_missing_token_is_refused() {
    for token in [None, Some(String::new()), Some("  ".to_owned())] {
        let mut m = deps();
        m.tokens.expect_verify().never();

        let result = m.service().authenticate(token.clone()).await;

        assert!(matches!(result, Err(AuthError::MissingToken)), "{token:?}: {result:?}");
    }
}

#[tokio::test]
async fn r11_malformed_or_expired_token_is_refused() {
    for error in [TokenError::Invalid, TokenError::Expired] {
        let mut m = deps();
        m.tokens.expect_verify().return_const(Err(error.clone()));
        m.sessions.expect_find().never();

        let result = m.service().authenticate(Some("signed.jwt".into())).await;

        assert!(matches!(result, Err(AuthError::InvalidToken)), "{error:?}: {result:?}");
    }
}

#[tokio::test]
async fn r11_revoked_or_expired_session_is_refused() {
    let revoked = Session { revoked: true, ..session(SID, "zhy") };
    let expired = Session { expires_at: NOW, ..session(SID, "zhy") };
    let gone = None;
    for stored in [Some(revoked), Some(expired), gone] {
        let mut m = deps();
        let claims = claims_of(&session(SID, "zhy"));
        m.tokens.expect_verify().returning(move |_| Ok(claims.clone()));
        let found = stored.clone();
        m.sessions.expect_find().returning(move |_| Ok(found.clone()));
        m.users.expect_find_by_id().never();

        let result = m.service().authenticate(Some("signed.jwt".into())).await;

        assert!(matches!(result, Err(AuthError::InvalidToken)), "{stored:?}: {result:?}");
    }
}

#[tokio::test]
async fn s9_a_session_ended_since_the_caller_was_authenticated_is_no_longer_signed_in() {
    let caller = Authenticated { user: user("zhy"), session: session(SID, "zhy") };
    for (stored, open) in [
        (Some(session(SID, "zhy")), true),
        (Some(Session { revoked: true, ..session(SID, "zhy") }), false),
        (None, false),
    ] {
        let mut m = deps();
        m.sessions.expect_find().with(eq(SessionId::new(SID.to_owned()))).returning(move |_| Ok(stored.clone()));
        let result = m.service().still_signed_in(&caller).await;
        assert_eq!(result.is_ok(), open, "{result:?}");
    }
}

#[tokio::test]
async fn s2_session_of_another_user_is_refused() {
    let mut m = deps();
    let claims = claims_of(&session(SID, "mallory"));
    m.tokens.expect_verify().returning(move |_| Ok(claims.clone()));
    m.sessions.expect_find().returning(|_| Ok(Some(session(SID, "zhy"))));
    m.users.expect_find_by_id().never();

    let result = m.service().authenticate(Some("signed.jwt".into())).await;

    assert!(matches!(result, Err(AuthError::InvalidToken)), "{result:?}");
}

#[tokio::test]
async fn r1_email_bound_to_another_user_is_refused() {
    let mut m = deps();
    m.users.expect_update_profile().times(1).returning(|_, _| Err(UserWriteError::IdOrEmailTaken));
    let caller = Authenticated { user: user("zhy"), session: session(SID, "zhy") };
    let changes = ProfileChanges { user_name: None, email: Some("taken@example.com".into()) };

    let result = m.service().update_profile(&caller, changes).await;

    assert!(matches!(result, Err(UpdateProfileError::EmailTaken)), "{result:?}");
}

#[tokio::test]
async fn update_profile_changes_only_the_fields_given() {
    let mut m = deps();
    let expected = ProfileUpdate { name: Some(UserName::parse("新名字").unwrap()), email: None };
    m.users.expect_update_profile().with(eq(uid("zhy")), eq(expected)).times(1).returning(|_, _| Ok(()));
    let caller = Authenticated { user: user("zhy"), session: session(SID, "zhy") };
    let changes = ProfileChanges { user_name: Some(" 新名字 ".into()), email: None };

    let result = m.service().update_profile(&caller, changes).await;

    assert!(result.is_ok(), "{result:?}");
}

#[tokio::test]
async fn e1001_update_profile_with_no_field_is_refused() {
    let mut m = deps();
    m.users.expect_update_profile().never();
    let caller = Authenticated { user: user("zhy"), session: session(SID, "zhy") };

    let result = m.service().update_profile(&caller, ProfileChanges::default()).await;

    assert!(matches!(&result, Err(UpdateProfileError::Invalid(e)) if e.rule == Rule::AtLeastOneField), "{result:?}");
}

#[tokio::test]
async fn e1001_update_profile_names_the_refused_field() {
    let mut m = deps();
    m.users.expect_update_profile().never();
    let caller = Authenticated { user: user("zhy"), session: session(SID, "zhy") };
    let changes = ProfileChanges { user_name: None, email: Some("nope".into()) };

    let result = m.service().update_profile(&caller, changes).await;

    assert!(matches!(&result, Err(UpdateProfileError::Invalid(e)) if e.field == "userEmail"), "{result:?}");
}

#[tokio::test]
async fn r11_logout_revokes_the_session_and_ends_its_connections() {
    let mut m = deps();
    let mut order = Sequence::new();
    let sid = SessionId::new(SID.to_owned());
    m.sessions.expect_revoke().with(eq(sid.clone())).times(1).in_sequence(&mut order).returning(|_| Ok(()));
    m.bus
        .expect_end_sessions()
        .withf(move |ended| ended == std::slice::from_ref(&sid))
        .times(1)
        .in_sequence(&mut order)
        .returning(|_| Ok(()));
    m.sessions.expect_revoke_all_of().never();
    let caller = Authenticated { user: user("zhy"), session: session(SID, "zhy") };

    let result = m.service().logout(&caller).await;

    assert!(result.is_ok(), "{result:?}");
}
