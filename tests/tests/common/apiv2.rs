//! The APIv2 client of the APIv2 mock's test merchant, shared by the APIv2 end-to-end test and
//! the benches (`#[path]`-included by each, apart from `common`: the other tests do not call it).

use wechatpay_mock::apiv2::ApiV2Credentials;

/// An APIv2 client of the APIv2 mock for `creds`: its test CA trusted, each of `hosts` (the
/// docs' `baseURL`s) sent to the mock too, and the merchant certificate for mutual TLS when
/// `certificate`.
pub fn apiv2_client<'h>(
    creds: &ApiV2Credentials,
    hosts: impl IntoIterator<Item = &'h str>,
    certificate: bool,
) -> wechatpay_typed::v2::Client {
    let mut builder = wechatpay_typed::v2::Client::builder()
        .apiv2_key(&creds.key)
        .expect("key")
        .base_url(&creds.base_url)
        .add_root_certificate_pem(&creds.ca_certificate_pem)
        .expect("CA");
    for host in hosts {
        builder = builder.alternate_base_url(host, &creds.base_url);
    }
    if certificate {
        builder = builder
            .merchant_certificate_pem(&creds.merchant_certificate_pem, &creds.merchant_key_pem)
            .expect("merchant certificate");
    }
    builder.build().expect("client")
}
