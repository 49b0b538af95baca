//! The `room_events` table: every sequenced event of a room (R13), one row per
//! event, its kind in `kind` and only the columns that kind uses filled in.

use anyhow::{bail, Context};
use chatroom_domain::ids::{ImageId, RoomId, Seq, UserId};
use chatroom_domain::timeline::{
    ClientMsgId, EventKind, ImageType, MessageContent, NewEvent, RoomEvent, RoomSnapshot, Sender, SystemEvent,
};
use chatroom_domain::user::UserName;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::persistence::timestamps::{from_millis, to_millis};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "room_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub room_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    pub at: i64,
    pub kind: String,
    pub sender_id: Option<String>,
    pub sender_name: Option<String>,
    pub content: Option<String>,
    pub client_msg_id: Option<String>,
    pub image_id: Option<String>,
    pub image_type: Option<String>,
    pub subject_user_id: Option<String>,
    pub payload: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub(crate) const KIND_MESSAGE: &str = "message";
pub(crate) const KIND_IMAGE: &str = "image";
const KIND_JOINED: &str = "joined";
const KIND_LEFT: &str = "left";
const KIND_KICKED: &str = "kicked";
const KIND_OWNER_CHANGED: &str = "ownerChanged";
const KIND_ROOM_UPDATED: &str = "roomUpdated";

/// The room as a `roomUpdated` event stores it in `payload` (JSON). Domain types
/// derive no serde, so this private shape is the stored format.
/// A `roomUpdated` event's room, as the JSON of its `payload` column.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredSnapshot {
    id: String,
    name: String,
    capacity: u32,
    public: bool,
    owner: String,
    created_at_ms: i64,
}

impl StoredSnapshot {
    fn of(room: &RoomSnapshot) -> Self {
        Self {
            id: room.id.as_str().to_owned(),
            name: room.name.clone(),
            capacity: room.capacity,
            public: room.public,
            owner: room.owner.as_str().to_owned(),
            created_at_ms: to_millis(room.created_at),
        }
    }

    fn into_snapshot(self) -> anyhow::Result<RoomSnapshot> {
        Ok(RoomSnapshot {
            id: RoomId::parse(&self.id).context("stored snapshot room id")?,
            name: self.name,
            capacity: self.capacity,
            public: self.public,
            owner: UserId::parse(&self.owner).context("stored snapshot owner")?,
            created_at: from_millis(self.created_at_ms)?,
        })
    }
}

impl Model {
    /// The row of `event` stored as `room`'s event number `seq`.
    pub(crate) fn from_domain(room: &RoomId, seq: i64, event: &NewEvent) -> anyhow::Result<Self> {
        let mut row = Self {
            room_id: room.as_str().to_owned(),
            seq,
            at: to_millis(event.at),
            kind: String::new(),
            sender_id: None,
            sender_name: None,
            content: None,
            client_msg_id: None,
            image_id: None,
            image_type: None,
            subject_user_id: None,
            payload: None,
        };
        match &event.kind {
            EventKind::Message { from, content, client_msg_id } => {
                row.kind = KIND_MESSAGE.to_owned();
                row.set_sender(from);
                row.content = Some(content.as_str().to_owned());
                row.client_msg_id = client_msg_id.as_ref().map(|id| id.as_str().to_owned());
            }
            EventKind::Image { from, image, image_type } => {
                row.kind = KIND_IMAGE.to_owned();
                row.set_sender(from);
                row.image_id = Some(image.as_str().to_owned());
                row.image_type = Some(image_type.mime().to_owned());
            }
            EventKind::System(system) => {
                let (kind, subject) = match system {
                    SystemEvent::Joined(user) => (KIND_JOINED, Some(user)),
                    SystemEvent::Left(user) => (KIND_LEFT, Some(user)),
                    SystemEvent::Kicked(user) => (KIND_KICKED, Some(user)),
                    SystemEvent::OwnerChanged(user) => (KIND_OWNER_CHANGED, Some(user)),
                    SystemEvent::RoomUpdated(room) => {
                        let json =
                            serde_json::to_string(&StoredSnapshot::of(room)).context("encoding a room snapshot")?;
                        row.payload = Some(json);
                        (KIND_ROOM_UPDATED, None)
                    }
                };
                row.kind = kind.to_owned();
                row.subject_user_id = subject.map(|user| user.as_str().to_owned());
            }
        }
        Ok(row)
    }

    fn set_sender(&mut self, sender: &Sender) {
        self.sender_id = Some(sender.id.as_str().to_owned());
        self.sender_name = Some(sender.name.as_str().to_owned());
    }

    pub(crate) fn into_domain(self) -> anyhow::Result<RoomEvent> {
        let kind = match self.kind.as_str() {
            KIND_MESSAGE => EventKind::Message {
                from: self.sender()?,
                content: MessageContent::from_stored(self.content.clone().context("stored message without content")?),
                client_msg_id: match &self.client_msg_id {
                    Some(id) => Some(ClientMsgId::parse(id).context("stored clientMsgId")?),
                    None => None,
                },
            },
            KIND_IMAGE => EventKind::Image {
                from: self.sender()?,
                image: ImageId::parse(self.image_id.as_deref().unwrap_or_default()).context("stored image id")?,
                image_type: ImageType::from_mime(self.image_type.as_deref().unwrap_or_default())
                    .context("stored image type")?,
            },
            KIND_ROOM_UPDATED => {
                let json = self.payload.as_deref().context("stored roomUpdated without payload")?;
                let snapshot: StoredSnapshot = serde_json::from_str(json).context("decoding a room snapshot")?;
                EventKind::System(SystemEvent::RoomUpdated(snapshot.into_snapshot()?))
            }
            other => {
                let subject = self.subject()?;
                EventKind::System(match other {
                    KIND_JOINED => SystemEvent::Joined(subject),
                    KIND_LEFT => SystemEvent::Left(subject),
                    KIND_KICKED => SystemEvent::Kicked(subject),
                    KIND_OWNER_CHANGED => SystemEvent::OwnerChanged(subject),
                    unknown => bail!("stored event of unknown kind {unknown:?}"),
                })
            }
        };
        Ok(RoomEvent {
            room_id: RoomId::parse(&self.room_id).context("stored event room id")?,
            seq: Seq::new(self.seq),
            at: from_millis(self.at)?,
            kind,
        })
    }

    fn sender(&self) -> anyhow::Result<Sender> {
        let id = self.sender_id.as_deref().context("stored event without sender")?;
        let name = self.sender_name.as_deref().context("stored event without sender name")?;
        Ok(Sender {
            id: UserId::parse(id).context("stored sender id")?,
            name: UserName::parse(name).context("stored sender name")?,
        })
    }

    fn subject(&self) -> anyhow::Result<UserId> {
        let id = self.subject_user_id.as_deref().context("stored system event without user")?;
        UserId::parse(id).context("stored system event user")
    }
}
