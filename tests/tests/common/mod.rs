//! Clients for the mocks' test merchant and app, built from the credentials a mock hands out,
//! shared by the integration tests and the benches (`#[path]`-included).

use wechatpay_mock::{Credentials, WonderCredentials};

/// A WeChat Pay client for `creds` (merchant key, WeChat Pay public key, APIv3 key, base URL).
pub fn wechat_client(creds: &Credentials) -> wechatpay_typed::Client {
    wechatpay_typed::Client::builder()
        .mchid(&creds.mchid)
        .merchant_serial_number(&creds.merchant_serial_number)
        .merchant_private_key_pem(&creds.merchant_private_key_pem)
        .expect("merchant key")
        .wechatpay_public_key_pem(&creds.wechatpay_public_key_id, &creds.wechatpay_public_key_pem)
        .expect("WeChat Pay key")
        .apiv3_key(&creds.apiv3_key)
        .expect("APIv3 key")
        .base_url(&creds.base_url)
        .build()
        .expect("client")
}

/// A Wonder client for `creds` (app key, webhook public key, base URL).
pub fn wonder_client(creds: &WonderCredentials) -> wonder_typed::Client {
    wonder_typed::Client::builder()
        .app_id(&creds.app_id)
        .private_key_pem(&creds.app_private_key_pem)
        .expect("app key")
        .webhook_public_key_pem(&creds.webhook_public_key_pem)
        .expect("webhook key")
        .base_url(&creds.base_url)
        .build()
        .expect("client")
}
