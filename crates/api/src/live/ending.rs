//! How a session ends: the close codes of W14, and the [`Ending`] its loop
//! returns with the close frame to send.

use super::outbound::{Full, SendError};

/// The close codes of W14.
pub(crate) mod close {
    /// The member left the room (also the last member, whose leaving dissolves it).
    pub(crate) const LEFT: u16 = 1000;
    /// The server is shutting down.
    pub(crate) const GOING_AWAY: u16 = 1001;
    /// A frame over the frame limit.
    pub(crate) const TOO_BIG: u16 = 1009;
    /// Sustained flooding (W10).
    pub(crate) const POLICY: u16 = 1008;
    /// A consumer too slow for its queue, or one that missed signals.
    pub(crate) const SLOW: u16 = 1013;
    /// The member was kicked.
    pub(crate) const KICKED: u16 = 4001;
    /// The room was dissolved.
    pub(crate) const DISSOLVED: u16 = 4002;
    /// The session ended: logout, password reset, expired token.
    pub(crate) const SESSION_ENDED: u16 = 4003;
}

/// Why the loop ended: the close frame to send, if any.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Ending {
    pub(crate) code: u16,
    pub(crate) reason: &'static str,
    /// Send the queued frames first (everything but a slow consumer's close).
    pub(crate) drain: bool,
}

/// A full queue: the client reads too slowly for what it is sent (W12).
impl From<Full> for Ending {
    fn from(Full: Full) -> Self {
        Self::slow("slow consumer")
    }
}

/// The opening did not reach the client: too slow to take it (W12), or gone.
impl From<SendError> for Ending {
    fn from(error: SendError) -> Self {
        match error {
            SendError::TooSlow => Self::slow("slow consumer"),
            SendError::Closed => Self::new(close::LEFT, ""),
        }
    }
}

impl Ending {
    /// Closes with `code` after what is queued.
    pub(crate) fn new(code: u16, reason: &'static str) -> Self {
        Self { code, reason, drain: true }
    }

    /// A consumer too slow for its queue, or one that missed signals: closed
    /// without what is still queued for it.
    pub(crate) fn slow(reason: &'static str) -> Self {
        Self { code: close::SLOW, reason, drain: false }
    }
}
