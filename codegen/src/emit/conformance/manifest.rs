//! The crate's `Cargo.toml`.

use crate::emit::{HEADER, Settings};

/// The manifest of the package `package`, which depends on the SDK of `settings` with every
/// feature; never published.
pub(super) fn cargo_toml(package: &str, settings: &Settings) -> String {
    let header = HEADER.replace("// ", "# ");
    let sdk = &settings.crate_name;
    let directory = &settings.directory;
    format!(
        "{header}\
         [package]\n\
         name = \"{package}\"\n\
         version = \"0.1.0\"\n\
         description = \"Test-only: calls every operation of the generated `{sdk}` crate by name, from JSON input.\"\n\
         edition.workspace = true\n\
         rust-version.workspace = true\n\
         license.workspace = true\n\
         publish = false\n\
         \n\
         [dependencies]\n\
         {sdk} = {{ path = \"../{directory}\", features = [\"full\"] }}\n\
         sdk-runtime = {{ path = \"../../runtime\" }}\n\
         serde.workspace = true\n\
         serde_json.workspace = true\n\
         \n\
         [dev-dependencies]\n\
         tokio.workspace = true\n\
         wechatpay-mock = {{ path = \"../../tests\" }}\n"
    )
}
