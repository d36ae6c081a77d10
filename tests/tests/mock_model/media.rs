//! Media uploads: signed over `meta`, checked against their SHA-256.

use serde_json::json;
use wechatpay_mock::testing::upload_meta;

use crate::support::{Client, Payload, start};

#[tokio::test]
async fn media_uploads_are_signed_over_meta_and_checked_against_their_sha256() {
    let server = start();
    let client = Client::new(&server);
    let target = "/v3/merchant/media/upload";
    let content = b"\xff\xd8\xff\xe0 a tiny jpeg";
    let r = client
        .send(
            "POST",
            target,
            &[],
            Payload::Upload {
                meta: upload_meta("tiny.jpg", content),
                filename: "tiny.jpg",
                content,
            },
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.verify().unwrap();
    assert_eq!(r.json()["media_id"], "sample-media_id");
    let upload = server.requests()[0].upload.clone().unwrap();
    assert_eq!(upload.filename, "tiny.jpg");
    assert_eq!(upload.content, content);
    assert_eq!(upload.meta, upload_meta("tiny.jpg", content));

    let wrong = upload_meta("tiny.jpg", b"another file");
    let r = client
        .send(
            "POST",
            target,
            &[],
            Payload::Upload {
                meta: wrong,
                filename: "tiny.jpg",
                content,
            },
        )
        .await;
    let body = r.assert_error(400, "PARAM_ERROR");
    assert!(body["message"].as_str().unwrap().contains("sha256"), "{body}");

    // A JSON body where a multipart upload is expected.
    let r = client.post_json(target, &json!({"filename": "x.jpg"})).await;
    r.assert_error(400, "PARAM_ERROR");
}
