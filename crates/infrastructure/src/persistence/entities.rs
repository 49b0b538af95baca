//! sea-orm entities, one per table of the schema. They never leave this crate:
//! each offers one function that turns a row into its domain type by re-running
//! the domain's parsers, so a corrupt row becomes an error, not an invalid value.

pub(crate) mod kicks;
pub(crate) mod memberships;
pub(crate) mod reset_codes;
pub(crate) mod room_events;
pub(crate) mod rooms;
pub(crate) mod sessions;
pub(crate) mod throttle_hits;
pub(crate) mod throttle_locks;
pub(crate) mod users;
