//! Downloads: the expected bytes, signed or not as WeChat Pay does.

use std::io::Read as _;

use wechatpay_mock::download::{download_content, download_sha1_hex};

use crate::support::{Client, Payload, start};

#[tokio::test]
async fn downloads_stream_the_expected_bytes_signed_or_not_as_wechat_pay_does() {
    let server = start();
    let client = Client::new(&server);
    let bill = "/v3/billdownload/file";
    let res = client
        .try_send("GET", &format!("{bill}?token=T1"), &[], Payload::None)
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.content_length(), None, "streamed in chunks");
    assert!(res.headers().get("Wechatpay-Signature").is_none());
    assert!(res.headers().get("Wechatpay-Serial").is_none());
    let bytes = res.bytes().await.unwrap();
    assert_eq!(&bytes[..], &download_content(bill)[..]);
    assert_eq!(bytes.len(), 200 * 1024);
    assert_eq!(
        download_sha1_hex(bill),
        wechatpay_mock::download::sha1_hex(&bytes)
    );

    let r = client.get(&format!("{bill}?token=T1&tartype=GZIP")).await;
    assert_eq!(r.status, 200);
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(&r.body[..])
        .read_to_end(&mut plain)
        .unwrap();
    assert_eq!(plain, download_content(bill));
    assert!(r.body.len() < plain.len());
    server.set_gzip_bill_downloads(true);
    let r = client.get(&format!("{bill}?token=T1")).await;
    assert_eq!(r.header("Content-Type"), Some("application/x-gzip"));

    let image = "/v3/merchant-service/images/MEDIA%201";
    let r = client.get(image).await;
    assert_eq!(r.body, download_content(image));
    assert!(r.header("Wechatpay-Signature").is_none());

    // The fapiao file (docs page `/v3/new-tax-control-fapiao/download`, on the wire
    // `/invoicing/fapiao/fapiao-file` on https://pay.wechatpay.cn/) is unsigned too.
    let q = "token=t&mchid=1&openid=o&invoice_code=c&invoice_no=n&fapiao_id=f";
    let r = client.get(&format!("/invoicing/fapiao/fapiao-file?{q}")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.body, download_content("/invoicing/fapiao/fapiao-file"));
    assert!(r.header("Wechatpay-Signature").is_none());
}
