//! The model-driven mock over real HTTP with a plain reqwest client: every operation answers
//! its sample, routing, request checks, media uploads, sensitive fields, downloads, and the
//! platform certificates (AES-GCM with the APIv3 key, rotation, 404 and broken modes).

#[path = "mock_model/certificates.rs"]
mod certificates;
#[path = "mock_model/downloads.rs"]
mod downloads;
#[path = "mock_model/media.rs"]
mod media;
#[path = "mock_model/routing.rs"]
mod routing;
#[path = "mock_model/sensitive.rs"]
mod sensitive;
mod support;

use wechatpay_mock::TEST_PLATFORM_PUBLIC_KEY_ID;

const SERIAL_HEADER: (&str, &str) = ("Wechatpay-Serial", TEST_PLATFORM_PUBLIC_KEY_ID);
