//! Why the timeline refused a write.

/// Why an event could not be appended.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    /// The room is gone.
    #[error("room not found")]
    RoomNotFound,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}
