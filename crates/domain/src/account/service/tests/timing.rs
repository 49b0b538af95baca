//! S10: forgetPwd answers the same, after the same work, for known and unknown
//! emails, and mails after the answer; updatePwd does the same work whether or
//! not a code exists.

use std::future::pending;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;
use crate::system::Background;

const KNOWN: &str = "zhy@example.com";
const UNKNOWN: &str = "nobody@example.com";
const CODE: &str = "123456";
const CODE_HASH: &str = "$argon2id$code-hash";

fn request(email: &str) -> ResetRequest {
    ResetRequest { email: email.to_owned(), client_ip: None }
}

fn reset(email: &str) -> PasswordReset {
    PasswordReset { email: email.to_owned(), new_password: "new-secret-1".to_owned(), code: CODE.to_owned() }
}

/// How often each port was called during one request.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Work {
    user_lookups: usize,
    codes_drawn: usize,
    hashes: usize,
    codes_stored: usize,
    claims: usize,
    verifications: usize,
}

/// Counts calls, shared between the mocks' closures and the test.
#[derive(Clone, Default)]
struct Counters([Arc<AtomicUsize>; 6]);

impl Counters {
    fn tick(&self, which: usize) {
        self.0[which].fetch_add(1, Ordering::SeqCst);
    }

    fn work(&self) -> Work {
        let n = |i: usize| self.0[i].load(Ordering::SeqCst);
        Work {
            user_lookups: n(0),
            codes_drawn: n(1),
            hashes: n(2),
            codes_stored: n(3),
            claims: n(4),
            verifications: n(5),
        }
    }
}

/// Mocks where only `zhy@example.com` is a user, the throttle lets everything
/// through, every call is counted, and mails go to `mailer`'s mock as set up by
/// the caller.
fn counted(counters: &Counters) -> Mocks {
    let mut m = deps();
    m.unthrottled();
    let c = counters.clone();
    m.users.expect_find_by_email().returning(move |email| {
        c.tick(0);
        Ok((email.as_str() == KNOWN).then(|| user("zhy")))
    });
    let c = counters.clone();
    m.ids.expect_digits().returning(move |_| {
        c.tick(1);
        CODE.to_owned()
    });
    let c = counters.clone();
    m.hasher.expect_hash().returning(move |_| {
        c.tick(2);
        Ok(PasswordHash::new(CODE_HASH.to_owned()))
    });
    let c = counters.clone();
    m.reset_codes.expect_replace().returning(move |_| {
        c.tick(3);
        Ok(())
    });
    let c = counters.clone();
    m.reset_codes.expect_claim_attempt().returning(move |email, _, _| {
        c.tick(4);
        Ok(email.as_str() == KNOWN)
    });
    let c = counters.clone();
    m.hasher.expect_verify().returning(move |_, _| {
        c.tick(5);
        Ok(false)
    });
    m.mailer.expect_delivery().return_const(Delivery::Sent);
    m
}

#[tokio::test]
async fn s10_forget_pwd_does_the_same_work_and_answers_the_same_for_known_and_unknown_emails() {
    let mut answers = Vec::new();
    let mut work = Vec::new();
    for email in [KNOWN, UNKNOWN] {
        let counters = Counters::default();
        let mut m = counted(&counters);
        m.mailer.expect_send_reset_code().returning(|_, _, _| Ok(()));
        answers.push(m.service().request_password_reset(request(email)).await.unwrap());
        work.push(counters.work());
    }

    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0], ResetRequested::default());
    let expected = Work { user_lookups: 1, codes_drawn: 1, hashes: 1, codes_stored: 1, ..Work::default() };
    assert_eq!(work, [expected, expected], "known, then unknown");
}

#[tokio::test]
async fn s10_an_unknown_email_gets_a_code_stored_that_is_never_mailed() {
    let mut m = deps();
    m.unthrottled();
    m.users.expect_find_by_email().returning(|_| Ok(None));
    m.ids.expect_digits().times(1).return_const(CODE.to_owned());
    m.hasher.expect_hash().times(1).returning(|_| Ok(PasswordHash::new(CODE_HASH.to_owned())));
    m.reset_codes
        .expect_replace()
        .withf(|stored| stored.email.as_str() == UNKNOWN && stored.code_hash == CODE_HASH && !stored.used)
        .times(1)
        .returning(|_| Ok(()));
    m.mailer.expect_send_reset_code().never();
    let mails = m.background.clone();

    let answer = m.service().request_password_reset(request(UNKNOWN)).await.unwrap();

    assert_eq!(answer, ResetRequested::default());
    assert!(mails.pending().is_empty(), "no mail for an unknown email");
}

#[tokio::test]
async fn s10_the_reset_mail_is_sent_after_the_answer() {
    let counters = Counters::default();
    let mut m = counted(&counters);
    let sent = Arc::new(AtomicUsize::new(0));
    let counted_mail = sent.clone();
    m.mailer.expect_send_reset_code().withf(|to, code, _| to.as_str() == KNOWN && code == CODE).returning(
        move |_, _, _| {
            counted_mail.fetch_add(1, Ordering::SeqCst);
            Ok(())
        },
    );
    let mails = m.background.clone();

    let answer = m.service().request_password_reset(request(KNOWN)).await.unwrap();

    assert_eq!(answer, ResetRequested::default());
    assert_eq!(sent.load(Ordering::SeqCst), 0, "the mail went out before the answer");
    assert_eq!(mails.pending(), ["mailing a password reset code"]);
    assert!(mails.run().await.iter().all(Result::is_ok));
    assert_eq!(sent.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn s10_a_failed_mail_is_left_to_the_runner_to_log_and_the_answer_is_the_usual_one() {
    let counters = Counters::default();
    let mut m = counted(&counters);
    m.mailer.expect_send_reset_code().returning(|_, _, _| Err(anyhow::anyhow!("mail server refused")));
    let mails = m.background.clone();

    let answer = m.service().request_password_reset(request(KNOWN)).await;

    assert_eq!(answer.unwrap(), ResetRequested::default());
    let results = mails.run().await;
    assert!(matches!(results.as_slice(), [Err(e)] if e.to_string() == "mail server refused"), "{results:?}");
}

/// A mailer whose every delivery hangs forever.
struct Stalled;

#[async_trait]
impl Mailer for Stalled {
    fn delivery(&self) -> Delivery {
        Delivery::Sent
    }

    async fn send_reset_code(&self, _to: &Email, _code: &str, _valid_for: Duration) -> anyhow::Result<()> {
        pending().await
    }
}

/// Runs background work on the tokio runtime, as the server does.
struct Spawning;

impl Background for Spawning {
    fn spawn(&self, _what: &'static str, task: BackgroundTask) {
        tokio::spawn(task);
    }
}

#[tokio::test]
async fn s10_a_mail_server_that_never_answers_does_not_hold_the_answer() {
    let counters = Counters::default();
    let m = counted(&counters);
    let deps = Deps {
        users: Arc::new(m.users),
        rooms: Arc::new(m.rooms),
        sessions: Arc::new(m.sessions),
        reset_codes: Arc::new(m.reset_codes),
        throttle: Arc::new(m.throttle),
        hasher: Arc::new(m.hasher),
        tokens: Arc::new(m.tokens),
        mailer: Arc::new(Stalled),
        background: Arc::new(Spawning),
        bus: Arc::new(m.bus),
        clock: Arc::new(m.clock),
        ids: Arc::new(m.ids),
    };
    let service = Service::new(deps, m.policy);

    // A bound on a hang, not on speed: awaiting the mailer never returns at all.
    let answer = tokio::time::timeout(Duration::from_secs(30), service.request_password_reset(request(KNOWN))).await;

    assert_eq!(answer.expect("forgetPwd waited for the mail").unwrap(), ResetRequested::default());
}

#[tokio::test]
async fn s10_update_pwd_claims_and_verifies_once_whether_or_not_a_code_exists() {
    let mut work = Vec::new();
    for (email, stored) in [(KNOWN, true), (UNKNOWN, false)] {
        let counters = Counters::default();
        let mut m = counted(&counters);
        let code = stored.then(|| ResetCode {
            email: Email::parse(KNOWN).unwrap(),
            code_hash: CODE_HASH.to_owned(),
            expires_at: NOW + 5 * MINUTE,
            failed_attempts: 0,
            used: false,
        });
        m.reset_codes.expect_find().returning(move |_| Ok(code.clone()));
        m.users.expect_update_password().never();

        let result = m.service().reset_password(reset(email)).await;

        assert!(matches!(result, Err(ResetPasswordError::WrongCode)), "{email}: {result:?}");
        work.push(counters.work());
    }
    let expected = Work { claims: 1, verifications: 1, ..Work::default() };
    assert_eq!(work, [expected, expected], "a wrong code, then no code");
}

#[tokio::test]
async fn s10_without_a_code_the_verification_runs_against_the_stand_in_and_fails() {
    let mut m = deps();
    m.reset_codes.expect_find().returning(|_| Ok(None));
    m.reset_codes.expect_claim_attempt().times(1).returning(|_, _, _| Ok(false));
    // Even a hasher that said yes to the stand-in lets nobody through.
    m.hasher.expect_verify().withf(|_, hash| hash.is_none()).times(1).returning(|_, _| Ok(true));
    m.reset_codes.expect_mark_used().never();
    m.users.expect_update_password().never();

    let result = m.service().reset_password(reset(UNKNOWN)).await;

    assert!(matches!(result, Err(ResetPasswordError::WrongCode)), "{result:?}");
}
