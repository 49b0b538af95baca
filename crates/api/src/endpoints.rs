//! The HTTP operations, one `#[OpenApi]` struct per resource. Each holds the
//! services it calls (`Arc<dyn …Service>`); a handler parses the request, calls one
//! service method and turns the outcome into the envelope, nothing more.

mod health;
mod images;
mod live;
mod rooms;
mod users;

pub use health::HealthApi;
pub use images::ImagesApi;
pub use live::{LiveApi, LiveOptions};
pub use rooms::{RoomsApi, SEND_IMG_PATH};
pub use users::UsersApi;

use poem_openapi::Tags;

/// The groups of operations in the document.
#[derive(Tags)]
pub enum ApiTags {
    /// Liveness and readiness probes for load balancers and orchestrators.
    Health,
    /// 用户操作: registration, login, profile, logout and password reset.
    Users,
    /// 房间操作: search, members, changes, ownership, kicks, dissolution and leaving;
    /// images and history.
    Rooms,
    /// Images posted in rooms, served publicly by their unguessable id.
    Images,
}
