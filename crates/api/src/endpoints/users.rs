//! The user operations of SPEC §6 (`/user/*`). The operations arrive with the
//! user-endpoints issue; the struct already holds the service they call.

use std::sync::Arc;

use chatroom_domain::account::AccountService;
use poem_openapi::OpenApi;

/// Registration, login, profile, logout and password reset.
pub struct UsersApi {
    #[expect(dead_code, reason = "read by the /user/* operations of the next issue")]
    accounts: Arc<dyn AccountService>,
}

impl UsersApi {
    /// The user operations, backed by the account service.
    pub fn new(accounts: Arc<dyn AccountService>) -> Self {
        Self { accounts }
    }
}

#[OpenApi]
impl UsersApi {}
