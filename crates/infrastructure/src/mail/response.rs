//! [`ResponseMailer`]: the `response` transport, the seed's behaviour. Nothing is
//! sent; the account service returns the code in the HTTP answer, so anyone who
//! knows an email can reset its password. For demos only (the server warns at start).

use std::time::Duration;

use async_trait::async_trait;
use chatroom_domain::account::{Delivery, Mailer};
use chatroom_domain::user::Email;

/// Tells the caller to return the code in the response.
#[derive(Debug, Clone, Copy, Default)]
pub struct ResponseMailer;

impl ResponseMailer {
    /// The `response` transport.
    pub fn new() -> Self {
        Self
    }
}

#[async_trait]
impl Mailer for ResponseMailer {
    fn delivery(&self) -> Delivery {
        Delivery::ReturnToCaller
    }

    /// Never called by the account service (the code goes into the answer).
    async fn send_reset_code(&self, to: &Email, _code: &str, _valid_for: Duration) -> anyhow::Result<()> {
        tracing::debug!(target: "chatroom::mail", to = to.as_str(), "reset code returned to the caller");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_the_response_transport_hands_the_code_back_to_the_caller() {
        assert_eq!(ResponseMailer.delivery(), Delivery::ReturnToCaller);
    }
}
