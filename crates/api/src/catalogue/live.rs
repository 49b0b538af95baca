//! Live-connection errors (W2) to catalogue entries.

use chatroom_domain::live::ConnectError;

use super::entry::Entry;
use super::failure::Failure;
use super::refusals::Refusals;

impl From<ConnectError> for Failure {
    fn from(err: ConnectError) -> Self {
        match err {
            ConnectError::Invalid(invalid) => Self::invalid(invalid),
            ConnectError::Unexpected(e) => Self::unexpected(&e),
        }
    }
}

impl Refusals for ConnectError {
    fn entries() -> Vec<Entry> {
        vec![Entry::E1001InvalidInput]
    }
}

#[cfg(test)]
mod tests {
    use chatroom_domain::validation::{InvalidInput, Rule};

    use super::*;

    #[test]
    fn connect_errors_map_to_e1001_and_e5000() {
        let invalid = ConnectError::Invalid(InvalidInput::new("since", Rule::IntegerRange { min: 0, max: i64::MAX }));
        assert_eq!(Failure::from(invalid).entry(), Entry::E1001InvalidInput);
        assert_eq!(Failure::from(ConnectError::Unexpected(anyhow::anyhow!("gone"))).entry(), Entry::E5000Internal);
        assert_eq!(ConnectError::entries(), vec![Entry::E1001InvalidInput]);
    }
}
