//! What every example starts with: a mock WeChat Pay on a free port of 127.0.0.1 and a client
//! for its test merchant. In your service, build the client from your own merchant's keys.

use wechatpay_mock::MockServer;

/// The mock (it stops when dropped) and a client pointed at it.
pub fn mock_and_client() -> Result<(MockServer, wechatpay_typed::Client), Box<dyn std::error::Error>> {
    let mock = MockServer::start_default()?;
    let creds = mock.credentials();
    let client = wechatpay_typed::Client::builder()
        .mchid(&creds.mchid)
        .merchant_serial_number(&creds.merchant_serial_number)
        .merchant_private_key_pem(&creds.merchant_private_key_pem)?
        .wechatpay_public_key_pem(&creds.wechatpay_public_key_id, &creds.wechatpay_public_key_pem)?
        .apiv3_key(&creds.apiv3_key)?
        .base_url(&creds.base_url)
        .build()?;
    Ok((mock, client))
}
