//! How the domain's values are written inside frames, for serde's `with`: the
//! domain derives no serde (STYLE §1), so the protocol says here how a seq, a
//! time and a room look on the wire.

/// A seq (R13) as a JSON integer.
pub(super) mod seq {
    use chatroom_domain::ids::Seq;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(in crate::wire) fn serialize<S: Serializer>(seq: &Seq, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(seq.get())
    }

    pub(in crate::wire) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Seq, D::Error> {
        i64::deserialize(deserializer).map(Seq::new)
    }
}

/// A time (`sentAt`) in RFC 3339 with its offset, as the HTTP answers write it.
pub(super) mod rfc3339 {
    use serde::{de, Deserialize, Deserializer, Serializer};
    use time::format_description::well_known::Rfc3339;
    use time::OffsetDateTime;

    /// A time RFC 3339 cannot write (a year past 9999) is written as "" rather
    /// than failing the whole frame.
    pub(in crate::wire) fn serialize<S: Serializer>(at: &OffsetDateTime, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&at.format(&Rfc3339).unwrap_or_default())
    }

    pub(in crate::wire) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<OffsetDateTime, D::Error> {
        let text = String::deserialize(deserializer)?;
        OffsetDateTime::parse(&text, &Rfc3339).map_err(de::Error::custom)
    }
}

/// A room as the `Room` schema of the OpenAPI document writes it: the frames
/// and the HTTP answers cannot drift apart.
pub(super) mod room {
    use poem_openapi::types::{ParseFromJSON, ToJSON};
    use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
    use serde_json::Value;

    use crate::wire::RoomDto;

    pub(in crate::wire) fn serialize<S: Serializer>(room: &RoomDto, serializer: S) -> Result<S::Ok, S::Error> {
        room.to_json().serialize(serializer)
    }

    pub(in crate::wire) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<RoomDto, D::Error> {
        let value = Value::deserialize(deserializer)?;
        RoomDto::parse_from_json(Some(value)).map_err(|e| de::Error::custom(e.into_message()))
    }
}
