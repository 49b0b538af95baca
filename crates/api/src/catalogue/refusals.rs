//! Which catalogue entries an operation can answer, for its OpenAPI description.
//!
//! An operation's answer type names its refusals as a type: the domain error
//! enums it converts (each implements [`Refusals`] next to its `From` impl, so
//! the list and the mapping are read together) plus the request-level ones
//! ([`BodyRefusals`], [`AuthRefusals`]). Tuples combine them:
//! `Answer<String, String, (AuthRefusals, BodyRefusals, UpdateProfileError)>`.

use super::entry::Entry;

/// The catalogue entries a request can be refused with.
pub trait Refusals {
    /// The entries, in any order; duplicates are merged by the reader.
    fn entries() -> Vec<Entry>;
}

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

/// The entries of `R` plus E5000, without duplicates, ordered by code.
pub(crate) fn documented<R: Refusals>() -> Vec<Entry> {
    let mut entries = R::entries();
    entries.push(Entry::E5000Internal);
    entries.sort_by_key(|entry| (entry.status().as_u16(), entry.code()));
    entries.dedup();
    entries
}

/// Helpers for the tests that keep each error's documented entries equal to the
/// entries its variants map to.
#[cfg(test)]
pub(crate) mod test_support {
    use super::super::failure::Failure;
    use super::Entry;

    /// The entries these failures are answered with, E5000 aside (it is
    /// documented for every operation), in a stable order.
    pub(crate) fn mapped_entries(failures: Vec<Failure>) -> Vec<Entry> {
        sorted(failures.iter().map(Failure::entry).filter(|e| *e != Entry::E5000Internal).collect())
    }

    /// `entries` in the same stable order.
    pub(crate) fn sorted(mut entries: Vec<Entry>) -> Vec<Entry> {
        entries.sort_by_key(|e| format!("{e:?}"));
        entries
    }
}
