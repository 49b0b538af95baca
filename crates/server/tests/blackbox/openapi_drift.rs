//! The committed OpenAPI document must be what the code generates (STYLE §6).

use std::path::Path;

use crate::chatroom;

#[tokio::test]
async fn committed_openapi_document_matches_the_code() {
    let committed_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../openapi/openapi.json");
    let committed = std::fs::read_to_string(&committed_path).unwrap_or_else(|e| {
        panic!("{} cannot be read ({e}); run `make openapi` to generate it", committed_path.display())
    });
    let generated = chatroom().run(&["openapi"]).await;
    assert!(generated.status.success(), "{generated:?}");
    if committed != generated.stdout {
        let first_difference =
            committed.lines().zip(generated.stdout.lines()).enumerate().find(|(_, (old, new))| old != new).map_or_else(
                || "one document is a prefix of the other".to_owned(),
                |(n, (old, new))| format!("line {}: committed `{old}`, generated `{new}`", n + 1),
            );
        panic!(
            "openapi/openapi.json is out of date with the code ({first_difference}): \
             run `make openapi` and commit the result"
        );
    }
}
