//! The crate's `Cargo.toml`.

use super::PACKAGE;
use crate::emit::HEADER;

pub(super) fn cargo_toml() -> String {
    let header = HEADER.replace("// ", "# ");
    format!(
        "{header}\
         [package]\n\
         name = \"{PACKAGE}\"\n\
         version = \"0.1.0\"\n\
         description = \"Test-only: calls every operation of the generated `wechatpay` crate by name, from JSON input.\"\n\
         edition.workspace = true\n\
         rust-version.workspace = true\n\
         license.workspace = true\n\
         publish = false\n\
         \n\
         [dependencies]\n\
         wechatpay = {{ path = \"../wechatpay\", features = [\"full\"] }}\n\
         sdk-runtime = {{ path = \"../../runtime\" }}\n\
         serde.workspace = true\n\
         serde_json.workspace = true\n\
         \n\
         [dev-dependencies]\n\
         tokio.workspace = true\n\
         wechatpay-mock = {{ path = \"../../tests\" }}\n"
    )
}
