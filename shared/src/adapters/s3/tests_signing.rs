//! The signer against AWS's published SigV4 examples for S3 ("Signature Calculations for
//! the Authorization Header" and "Query Parameters" in the S3 API reference): the example
//! key, `examplebucket`, 2013-05-24T00:00:00Z, us-east-1. If these hold, S3 computes the
//! same signature as Canopy for the same request.

use super::signed::{uri_encode, Signer};
use aws_credential_types::Credentials;
use aws_smithy_runtime_api::client::identity::Identity;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn identity() -> Identity {
    Credentials::new(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        None,
        None,
        "example",
    )
    .into()
}

/// 20130524T000000Z
fn may_24_2013() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_369_353_600)
}

fn authorization(method: &str, url: &str, headers: &[(&str, &str)], body: &[u8]) -> String {
    let identity = identity();
    let signer = Signer {
        identity: &identity,
        region: "us-east-1",
        time: may_24_2013(),
    };
    let added = signer.headers(method, url, headers, body).unwrap();
    let value = |name: &str| {
        added
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(value("x-amz-date").as_deref(), Some("20130524T000000Z"));
    assert!(value("x-amz-content-sha256").is_some());
    value("authorization").unwrap()
}

#[test]
fn get_object_matches_the_aws_example() {
    let auth = authorization(
        "GET",
        "https://examplebucket.s3.amazonaws.com/test.txt",
        &[("range", "bytes=0-9")],
        b"",
    );
    assert!(
        auth.starts_with(
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request"
        ),
        "{auth}"
    );
    assert!(
        auth.contains("SignedHeaders=host;range;x-amz-content-sha256;x-amz-date"),
        "{auth}"
    );
    assert!(
        auth.ends_with(
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        ),
        "{auth}"
    );
}

#[test]
fn put_object_matches_the_aws_example_with_an_encoded_key() {
    let url = format!(
        "https://examplebucket.s3.amazonaws.com/{}",
        uri_encode("test$file.text", true)
    );
    assert!(url.ends_with("/test%24file.text"));
    let auth = authorization(
        "PUT",
        &url,
        &[
            ("date", "Fri, 24 May 2013 00:00:00 GMT"),
            ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
        ],
        b"Welcome to Amazon S3.",
    );
    assert!(
        auth.ends_with(
            "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"
        ),
        "{auth}"
    );
}

#[test]
fn a_bare_query_name_matches_the_aws_lifecycle_example() {
    let auth = authorization(
        "GET",
        "https://examplebucket.s3.amazonaws.com/?lifecycle",
        &[],
        b"",
    );
    assert!(
        auth.ends_with(
            "Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"
        ),
        "{auth}"
    );
}

#[test]
fn a_listing_matches_the_aws_example() {
    let auth = authorization(
        "GET",
        "https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J",
        &[],
        b"",
    );
    assert!(
        auth.ends_with(
            "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"
        ),
        "{auth}"
    );
}

#[test]
fn a_presigned_url_matches_the_aws_example() {
    let identity = identity();
    let signer = Signer {
        identity: &identity,
        region: "us-east-1",
        time: may_24_2013(),
    };
    let url = signer
        .presign(
            "GET",
            "https://examplebucket.s3.amazonaws.com/test.txt",
            &[],
            Duration::from_secs(86_400),
        )
        .unwrap();
    assert!(
        url.starts_with("https://examplebucket.s3.amazonaws.com/test.txt?"),
        "{url}"
    );
    for part in [
        "X-Amz-Algorithm=AWS4-HMAC-SHA256",
        "X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request",
        "X-Amz-Date=20130524T000000Z",
        "X-Amz-Expires=86400",
        "X-Amz-SignedHeaders=host",
        "X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
    ] {
        assert!(url.contains(part), "{part} in {url}");
    }
}

#[test]
fn temporary_credentials_sign_their_session_token() {
    let identity: Identity =
        Credentials::new("AKID", "secret", Some("token/+=".into()), None, "t").into();
    let signer = Signer {
        identity: &identity,
        region: "eu-west-2",
        time: may_24_2013(),
    };
    let url = signer
        .presign(
            "GET",
            "https://b.s3.eu-west-2.amazonaws.com/k",
            &[],
            Duration::from_secs(300),
        )
        .unwrap();
    assert!(url.contains("X-Amz-Security-Token=token%2F%2B%3D"), "{url}");
    let added = signer
        .headers("GET", "https://b.s3.eu-west-2.amazonaws.com/k", &[], b"")
        .unwrap();
    assert!(added
        .iter()
        .any(|(n, v)| *n == "x-amz-security-token" && v == "token/+="));
    let auth = &added.iter().find(|(n, _)| *n == "authorization").unwrap().1;
    assert!(auth.contains("x-amz-security-token"), "{auth}");
}

#[test]
fn keys_are_encoded_once_keeping_slashes() {
    assert_eq!(
        uri_encode("attachments/conv_01/att_01", true),
        "attachments/conv_01/att_01"
    );
    assert_eq!(uri_encode("a b+c%/é~", true), "a%20b%2Bc%25/%C3%A9~");
    assert_eq!(uri_encode("a/b", false), "a%2Fb");
}
