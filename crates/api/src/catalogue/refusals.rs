//! Which catalogue entries an operation can answer, for its OpenAPI description,
//! and the one table per domain error that says so.
//!
//! An operation's answer type names its refusals as a type: the domain error
//! enums it converts plus the request-level ones ([`BodyRefusals`],
//! [`AuthRefusals`]). Tuples combine them:
//! `Answer<String, String, (AuthRefusals, BodyRefusals, UpdateProfileError)>`.
//!
//! A domain error's answers are written once, as a table given to [`refusals!`],
//! which generates both its `From<…> for Failure` (an exhaustive `match`, no
//! `_ =>` arm, so a new variant fails to compile until its row is written) and its
//! [`Refusals`] list, so the answers and their documentation cannot drift apart.

use super::entry::Entry;

/// The catalogue entries a request can be refused with.
pub trait Refusals {
    /// The entries, in any order; duplicates are merged by the reader.
    fn entries() -> Vec<Entry>;
}

/// One table per domain error enum: each variant and the [`Entry`] it is
/// answered with, one row per variant. The shape of a row says how its
/// [`Failure`](super::Failure) is built:
///
/// - `Taken => E1101UserExists`: a unit variant, the entry's fixed texts;
/// - `LockedOut { retry_after } => E1103TooManyLogins`: the entry, answered with
///   `Retry-After` (S4, S3, R14);
/// - `Invalid(..) => E1001InvalidInput`: the domain's `InvalidInput`, whose field
///   and rule the notice names;
/// - `Unexpected(..) => E5000Internal`: the error is logged once and answered
///   with no detail; E5000 is not listed (every operation documents it). When
///   the error says the database could not be reached (the domain's
///   `Unavailable` among its causes) the answer is E5003 instead, with
///   `Retry-After` ([`Failure::internal`](super::Failure::internal)).
///
/// Any other shape (a tuple variant answered with another entry, say) matches no
/// rule and does not compile. The generated list keeps the rows' order.
macro_rules! refusals {
    ($($error:ident { $($rows:tt)* })*) => {
        $( $crate::catalogue::refusals::refusals!(@rows $error [] [] $($rows)*); )*
    };
    (@rows $error:ident [$($arms:tt)*] [$($entries:tt)*]
        $variant:ident(..) => E1001InvalidInput $(, $($rest:tt)*)?) => {
        $crate::catalogue::refusals::refusals!(@rows $error
            [$($arms)* $error::$variant(invalid) => $crate::catalogue::Failure::invalid(invalid),]
            [$($entries)* $crate::catalogue::Entry::E1001InvalidInput,]
            $($($rest)*)?);
    };
    (@rows $error:ident [$($arms:tt)*] [$($entries:tt)*]
        $variant:ident(..) => E5000Internal $(, $($rest:tt)*)?) => {
        $crate::catalogue::refusals::refusals!(@rows $error
            [$($arms)* $error::$variant(error) => $crate::catalogue::Failure::internal(&error),]
            [$($entries)*]
            $($($rest)*)?);
    };
    (@rows $error:ident [$($arms:tt)*] [$($entries:tt)*]
        $variant:ident { retry_after } => $entry:ident $(, $($rest:tt)*)?) => {
        $crate::catalogue::refusals::refusals!(@rows $error
            [$($arms)* $error::$variant { retry_after } =>
                $crate::catalogue::Failure::new($crate::catalogue::Entry::$entry).with_retry_after(retry_after),]
            [$($entries)* $crate::catalogue::Entry::$entry,]
            $($($rest)*)?);
    };
    (@rows $error:ident [$($arms:tt)*] [$($entries:tt)*]
        $variant:ident => $entry:ident $(, $($rest:tt)*)?) => {
        $crate::catalogue::refusals::refusals!(@rows $error
            [$($arms)* $error::$variant => $crate::catalogue::Failure::new($crate::catalogue::Entry::$entry),]
            [$($entries)* $crate::catalogue::Entry::$entry,]
            $($($rest)*)?);
    };
    (@rows $error:ident [$($arms:tt)*] [$($entries:tt)*]) => {
        impl From<$error> for $crate::catalogue::Failure {
            fn from(err: $error) -> Self {
                match err {
                    $($arms)*
                }
            }
        }

        impl $crate::catalogue::Refusals for $error {
            fn entries() -> Vec<$crate::catalogue::Entry> {
                vec![$($entries)*]
            }
        }
    };
}
pub(crate) use refusals;

/// Nothing beyond what every operation can answer (E5000).
impl Refusals for () {
    fn entries() -> Vec<Entry> {
        Vec::new()
    }
}

impl<A: Refusals, B: Refusals> Refusals for (A, B) {
    fn entries() -> Vec<Entry> {
        [A::entries(), B::entries()].concat()
    }
}

impl<A: Refusals, B: Refusals, C: Refusals> Refusals for (A, B, C) {
    fn entries() -> Vec<Entry> {
        [A::entries(), B::entries(), C::entries()].concat()
    }
}

/// What reading a request body can fail with: an unparseable body or field
/// (E1001), a content type the operation does not take (E1006), a body over the
/// limit (E1007).
pub struct BodyRefusals;

impl Refusals for BodyRefusals {
    fn entries() -> Vec<Entry> {
        vec![Entry::E1001InvalidInput, Entry::E1006UnsupportedContentType, Entry::E1007BodyTooLarge]
    }
}

/// What an operation that needs a token can fail with before it runs: no token,
/// or a malformed, expired or revoked one (E1002, both reasons).
pub struct AuthRefusals;

impl Refusals for AuthRefusals {
    fn entries() -> Vec<Entry> {
        vec![Entry::E1002MissingToken, Entry::E1002InvalidToken]
    }
}

/// What an operation that checks the node's dependencies answers while one is
/// down (E5003).
pub struct UnavailableRefusals;

impl Refusals for UnavailableRefusals {
    fn entries() -> Vec<Entry> {
        vec![Entry::E5003Unavailable]
    }
}

/// The entries of `R` plus E5000, without duplicates, ordered by status, then code.
pub(crate) fn documented<R: Refusals>() -> Vec<Entry> {
    let mut entries = R::entries();
    entries.push(Entry::E5000Internal);
    entries.sort_by_key(|entry| (entry.status().as_u16(), entry.code()));
    entries.dedup();
    entries
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chatroom_domain::system::Unavailable;
    use chatroom_domain::validation::{InvalidInput, Rule};

    use super::*;
    use crate::catalogue::Failure;
    use crate::language::Lang;

    /// Every shape of row the table knows.
    #[derive(Debug)]
    enum SampleError {
        Invalid(InvalidInput),
        Gone,
        Waiting { retry_after: Duration },
        Unexpected(anyhow::Error),
    }

    refusals! {
        SampleError {
            Invalid(..) => E1001InvalidInput,
            Gone => E2001RoomNotFound,
            Waiting { retry_after } => E2010KickedRecently,
            Unexpected(..) => E5000Internal,
        }
    }

    #[test]
    fn the_table_lists_its_entries_in_row_order_without_e5000() {
        let listed = SampleError::entries();

        assert_eq!(listed, [Entry::E1001InvalidInput, Entry::E2001RoomNotFound, Entry::E2010KickedRecently]);
    }

    #[test]
    fn e1001_from_the_domain_names_the_refused_field_and_rule() {
        let failure = Failure::from(SampleError::Invalid(InvalidInput::new("userEmail", Rule::EmailFormat)));

        assert_eq!(failure.entry(), Entry::E1001InvalidInput);
        assert_eq!(failure.notice(Lang::Zh), "userEmail不是有效的邮箱地址");
    }

    #[test]
    fn a_plain_row_answers_the_entry_with_its_fixed_texts_and_no_retry_after() {
        let failure = Failure::from(SampleError::Gone);

        assert_eq!(failure, Failure::new(Entry::E2001RoomNotFound));
        assert_eq!(failure.retry_after(), None);
    }

    #[test]
    fn a_retry_after_row_answers_with_the_wait_the_domain_computed() {
        let failure = Failure::from(SampleError::Waiting { retry_after: Duration::from_secs(90) });

        assert_eq!(
            (failure.entry(), failure.retry_after()),
            (Entry::E2010KickedRecently, Some(Duration::from_secs(90)))
        );
        let response = failure.to_response(Lang::Zh, false);
        assert_eq!(response.headers().get("retry-after").unwrap(), "90");
    }

    #[test]
    fn e5000_answers_carry_no_detail_of_the_unexpected_error() {
        let failure = Failure::from(SampleError::Unexpected(anyhow::anyhow!("database gone at 10.0.0.7")));

        assert_eq!(failure.entry(), Entry::E5000Internal);
        for lang in [Lang::Zh, Lang::En] {
            let envelope = failure.envelope(lang);
            assert!(!envelope.err.msg.contains("database") && !envelope.err.notice.contains("database"));
        }
    }

    #[test]
    fn e5003_an_unexpected_error_caused_by_an_unreachable_database_is_503_with_retry_after_and_no_detail() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let outage = anyhow::Error::new(Unavailable::new("the database", refused)).context("at 10.0.0.7:5432");

        let failure = Failure::from(SampleError::Unexpected(outage));

        assert_eq!((failure.entry(), failure.retry_after()), (Entry::E5003Unavailable, Some(Duration::from_secs(5))));
        let response = failure.to_response(Lang::Zh, false);
        assert_eq!(response.status().as_u16(), 503);
        assert_eq!(response.headers().get("retry-after").unwrap(), "5");
        let (zh, en) = (failure.envelope(Lang::Zh).err, failure.envelope(Lang::En).err);
        assert_eq!((zh.code, zh.msg.as_str(), zh.notice.as_str()), (5003, "服务暂不可用", "服务暂不可用"));
        assert_eq!(
            (en.msg.as_str(), en.notice.as_str()),
            ("Service temporarily unavailable", "Service temporarily unavailable")
        );
    }

    #[test]
    fn an_operation_documents_its_refusals_and_e5000_once_each_ordered_by_status() {
        let documented = documented::<(BodyRefusals, SampleError)>();

        assert_eq!(
            documented,
            [
                Entry::E1001InvalidInput,
                Entry::E2010KickedRecently,
                Entry::E2001RoomNotFound,
                Entry::E1007BodyTooLarge,
                Entry::E1006UnsupportedContentType,
                Entry::E5000Internal,
            ]
        );
    }
}
