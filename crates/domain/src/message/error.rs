//! One error enum per messaging operation. The API's catalogue maps every variant
//! to exactly one entry of SPEC §5.

use crate::validation::InvalidInput;

/// A message frame (W8, W9).
#[derive(Debug, thiserror::Error)]
pub enum PostMessageError {
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    /// The room is gone (E2001).
    #[error("room not found")]
    NotFound,
    /// R9: only members may send (E2004).
    #[error("not a member")]
    NotMember,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// POST /room/sendImg (S6).
#[derive(Debug, thiserror::Error)]
pub enum PostImageError {
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    /// E2001. (When no room is named and the caller is not in exactly one room,
    /// the answer is `Invalid` naming `roomName`.)
    #[error("room not found")]
    NotFound,
    /// R9 (E2004).
    #[error("not a member")]
    NotMember,
    /// Not PNG, JPEG, GIF or WebP by its magic bytes (E1301).
    #[error("unsupported image type")]
    UnsupportedType,
    /// Over `images.max_bytes` (E1302).
    #[error("image too large")]
    TooLarge,
    /// S10: the author posted `images.per_minute` images within the minute (E1202).
    #[error("too many uploads")]
    TooMany { retry_after: std::time::Duration },
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// GET /room/messages.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    /// E2001.
    #[error("room not found")]
    NotFound,
    /// R9 (E2004).
    #[error("not a member")]
    NotMember,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

crate::room::lookup::from_lookup!(PostImageError, HistoryError);
