//! Accounts: registration, login, sessions and password resets. Holds R1 and R11,
//! the security rules S1–S4 of the specification and the purges of S10.

pub mod error;
pub mod housekeeping;
pub mod model;
pub mod ports;
mod service;

pub use error::*;
pub use housekeeping::{Housekeeper, Housekeeping, HousekeepingDeps, HousekeepingPolicy, Purged};
pub use model::{
    AccountPolicy, Authenticated, Claims, LoginAttempt, LoginOutcome, PasswordReset, ProfileChanges, Registration,
    ResetCode, ResetRequest, ResetRequested, Session,
};
pub use ports::{AccountService, Delivery, Mailer, ResetCodeStore, SessionStore, TokenCodec, TokenError};
pub use service::{Deps, Service};
