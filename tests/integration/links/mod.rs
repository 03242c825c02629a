//! Practice links (issue 3): management, clicks, the download SMS, invite pages.

mod clicks;
mod download;
mod invites;
mod management;
mod visibility;

use canopy_tests::fixtures::Staff;
use canopy_tests::Harness;
use serde_json::{json, Value};

/// A link labelled "Front desk" with an allocated code.
pub async fn front_desk(h: &Harness, staff: &Staff) -> Value {
    h.create_link(
        staff,
        json!({"label": "Front desk", "tags": ["new-patient"]}),
    )
    .await
}

/// The allocated code of a new "Front desk" link.
pub async fn front_desk_code(h: &Harness, staff: &Staff) -> String {
    front_desk(h, staff).await["code"]
        .as_str()
        .unwrap()
        .to_string()
}
