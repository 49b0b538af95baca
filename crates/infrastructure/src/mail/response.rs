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
    async fn send_reset_code(&self, to: &Email, _code: &str, _valid_for: Duration) -> anyhow::Result<Delivery> {
        tracing::debug!(target: "chatroom::mail", to = to.as_str(), "reset code returned to the caller");
        Ok(Delivery::ReturnToCaller)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn s3_the_response_transport_hands_the_code_back_to_the_caller() {
        let to = Email::parse("a@qq.com").unwrap();
        let delivery = ResponseMailer.send_reset_code(&to, "123456", Duration::from_secs(600)).await.unwrap();
        assert_eq!(delivery, Delivery::ReturnToCaller);
    }
}
