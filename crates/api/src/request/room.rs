//! [`NamedRoom`]: the room a request names in its query by `roomName` (the
//! seed's parameter) and/or (ext) `roomId` (SPEC §4), parsed once with the
//! domain's rules into a [`RoomSelector`]. A bad value is E1001 naming it.
//!
//! poem-openapi documents one parameter per extractor, so this one is
//! documented as `roomName` and [`document_room_ids`] adds its `roomId` twin to
//! every operation that takes it.

use chatroom_domain::room::RoomSelector;
use poem::{Request, RequestBody};
use poem_openapi::registry::{MetaApi, MetaOperationParam, MetaParamIn, MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};

use super::fields::{Field, RoomIdRule, RoomNameRule};
use crate::catalogue::Failure;

/// The query parameters that name a room.
const ROOM_NAME: &str = "roomName";
const ROOM_ID: &str = "roomId";

/// The room named in the query, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedRoom(pub Option<RoomSelector>);

impl NamedRoom {
    /// The room, required: naming none is E1001 naming `roomName`.
    pub fn required(self) -> Result<RoomSelector, Failure> {
        self.0.ok_or_else(|| Failure::invalid(RoomSelector::missing()))
    }

    /// The room named by these raw `roomId` and `roomName` values.
    pub fn parse(room_id: Option<&str>, room_name: Option<&str>) -> Result<Self, Failure> {
        RoomSelector::parse(room_id, room_name).map(Self).map_err(Failure::invalid)
    }

    /// This room with the fields of `other` put over its own, field by field
    /// (a form's `roomId`/`roomName` over the query's).
    pub fn overridden_by(self, other: Self) -> Self {
        let (id, name) = self.0.map(RoomSelector::into_parts).unwrap_or_default();
        let (other_id, other_name) = other.0.map(RoomSelector::into_parts).unwrap_or_default();
        Self(RoomSelector::from_parts(other_id.or(id), other_name.or(name)))
    }
}

impl<'a> ApiExtractor<'a> for NamedRoom {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::Parameter];

    type ParamType = Self;
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        Field::<RoomNameRule>::register(registry);
        Field::<RoomIdRule>::register(registry);
    }

    fn param_in() -> Option<MetaParamIn> {
        Some(MetaParamIn::Query)
    }

    fn param_schema_ref() -> Option<MetaSchemaRef> {
        Some(Field::<RoomNameRule>::schema_ref())
    }

    async fn from_request(
        request: &'a Request,
        _body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let query: Vec<(String, String)> =
            serde_urlencoded::from_str(request.uri().query().unwrap_or_default()).unwrap_or_default();
        let value = |key: &str| query.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
        Ok(Self::parse(value(ROOM_ID), value(ROOM_NAME))?)
    }
}

/// Adds `roomId` after the `roomName` of every operation whose `roomName` is a
/// [`NamedRoom`] (a query parameter with the `RoomName` schema) and that does
/// not declare `roomId` itself.
pub(crate) fn document_room_ids(apis: &mut [MetaApi]) {
    let selector = Field::<RoomNameRule>::schema_ref();
    for operation in apis.iter_mut().flat_map(|api| &mut api.paths).flat_map(|path| &mut path.operations) {
        if operation.params.iter().any(|p| p.name == ROOM_ID) {
            continue;
        }
        let at = operation
            .params
            .iter()
            .position(|p| p.name == ROOM_NAME && p.in_type == MetaParamIn::Query && p.schema == selector);
        if let Some(at) = at {
            let room_id = MetaOperationParam {
                name: ROOM_ID.to_owned(),
                schema: Field::<RoomIdRule>::schema_ref(),
                in_type: MetaParamIn::Query,
                description: Some(
                    "(ext) The room's id, instead of `roomName` or with it; given both, they must name the same \
                     room (E1001 naming both otherwise)."
                        .to_owned(),
                ),
                required: false,
                deprecated: false,
                explode: true,
                style: None,
            };
            operation.params.insert(at + 1, room_id);
        }
    }
}
