//! Delivery of reset codes (S3, `mail.transport`): one adapter per transport.
//! `console` (the default) writes the code to the server log, `response` hands it
//! back to the HTTP caller as the seed did (insecure, for demos), `smtp` mails it
//! through a mail server. Every mailer logs under the `tracing` target
//! `chatroom::mail`, so operators can route or filter mail logs on their own.

mod console;
mod response;
mod smtp;

pub use console::ConsoleMailer;
pub use response::ResponseMailer;
pub use smtp::{SmtpMailer, SmtpSettings, SmtpTls, RESET_SUBJECT};
