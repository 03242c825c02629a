//! SECURITY.md's storage and transport lines, read from template.yaml itself, so a change
//! that drops one fails here rather than in an audit: the table encrypted with the
//! deployment's own rotating KMS key, recoverable to any point in time and protected from
//! deletion; every bucket private, KMS-encrypted and TLS-only; custom domains and inbound
//! mail on TLS 1.2+; every stream or queue mapping reporting partial batch failures with a
//! bounded retry and a failure destination; public routes throttled tighter than the
//! default, with every throttle naming a route that exists.

use canopy_local::template::repo_root;
use serde_yaml::{Mapping, Value};

fn template() -> Value {
    let text = std::fs::read_to_string(repo_root().join("template.yaml")).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

/// A tagged node (`!Ref X`, `!GetAtt X.Arn`, `!Sub ...`) as its inner value.
fn untag(v: &Value) -> &Value {
    match v {
        Value::Tagged(t) => &t.value,
        other => other,
    }
}

/// The tag and inner text of `!Ref X` / `!GetAtt X.Y` (`("!Ref", "X")`).
fn tagged(v: &Value) -> Option<(String, String)> {
    match v {
        Value::Tagged(t) => Some((t.tag.to_string(), t.value.as_str()?.to_string())),
        _ => None,
    }
}

/// Every resource of `kind`: (logical id, the resource).
fn resources(t: &Value, kind: &str) -> Vec<(String, Value)> {
    t["Resources"]
        .as_mapping()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == kind)
        .map(|(k, r)| (k.as_str().unwrap().to_string(), r.clone()))
        .collect()
}

fn is_true(v: &Value) -> bool {
    v.as_bool() == Some(true) || v.as_str() == Some("true")
}

#[test]
fn the_table_is_encrypted_with_the_rotating_cmk_recoverable_and_protected() {
    let t = template();
    let tables = resources(&t, "AWS::DynamoDB::Table");
    assert_eq!(tables.len(), 1, "one single table");
    let (id, table) = &tables[0];
    let p = &table["Properties"];
    let sse = &p["SSESpecification"];
    assert!(is_true(&sse["SSEEnabled"]), "{id}: encryption at rest");
    assert_eq!(
        sse["SSEType"], "KMS",
        "{id}: a KMS key, not the AWS-owned one"
    );
    let key = tagged(&sse["KMSMasterKeyId"]).expect("a key of this stack");
    assert_eq!(key, ("!Ref".to_string(), "TableKey".to_string()));
    let cmk = &t["Resources"]["TableKey"];
    assert_eq!(cmk["Type"], "AWS::KMS::Key");
    assert!(
        is_true(&cmk["Properties"]["EnableKeyRotation"]),
        "yearly rotation"
    );
    assert!(is_true(
        &p["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"]
    ));
    assert!(is_true(&p["DeletionProtectionEnabled"]));
    for resource in [table, cmk] {
        assert_eq!(resource["DeletionPolicy"], "Retain");
        assert_eq!(resource["UpdateReplacePolicy"], "Retain");
    }
}

/// The bucket a policy names (`Bucket: !Ref X`).
fn policy_bucket(policy: &Value) -> String {
    tagged(&policy["Properties"]["Bucket"])
        .expect("!Ref bucket")
        .1
}

/// Whether `statement` denies every S3 action on the bucket and its objects over plain HTTP.
fn denies_plain_http(statement: &Value, bucket: &str) -> bool {
    let condition = &statement["Condition"]["Bool"]["aws:SecureTransport"];
    let resources: Vec<String> = statement["Resource"]
        .as_sequence()
        .into_iter()
        .flatten()
        .filter_map(|r| untag(r).as_str().map(String::from))
        .collect();
    statement["Effect"] == "Deny"
        && statement["Principal"] == "*"
        && statement["Action"] == "s3:*"
        && (condition.as_bool() == Some(false) || condition.as_str() == Some("false"))
        && resources.iter().any(|r| r == &format!("{bucket}.Arn"))
        && resources
            .iter()
            .any(|r| r == &format!("${{{bucket}.Arn}}/*"))
}

#[test]
fn every_bucket_is_private_kms_encrypted_and_tls_only() {
    let t = template();
    let buckets = resources(&t, "AWS::S3::Bucket");
    assert!(buckets.len() >= 2, "attachments and inbound mail");
    let policies = resources(&t, "AWS::S3::BucketPolicy");
    for (id, bucket) in &buckets {
        let p = &bucket["Properties"];
        let block = &p["PublicAccessBlockConfiguration"];
        for flag in [
            "BlockPublicAcls",
            "BlockPublicPolicy",
            "IgnorePublicAcls",
            "RestrictPublicBuckets",
        ] {
            assert!(is_true(&block[flag]), "{id}: {flag}");
        }
        assert_eq!(
            p["OwnershipControls"]["Rules"][0]["ObjectOwnership"], "BucketOwnerEnforced",
            "{id}: no ACLs at all"
        );
        let default = &p["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
            ["ServerSideEncryptionByDefault"];
        assert_eq!(default["SSEAlgorithm"], "aws:kms", "{id}");
        assert_eq!(
            tagged(&default["KMSMasterKeyID"]),
            Some(("!GetAtt".to_string(), "TableKey.Arn".to_string())),
            "{id}: the stack's CMK"
        );
        assert_eq!(bucket["DeletionPolicy"], "Retain", "{id}");
        let policy = policies
            .iter()
            .find(|(_, pol)| policy_bucket(pol) == *id)
            .unwrap_or_else(|| panic!("{id}: no bucket policy"));
        let statements = policy.1["Properties"]["PolicyDocument"]["Statement"]
            .as_sequence()
            .unwrap();
        assert!(
            statements.iter().any(|s| denies_plain_http(s, id)),
            "{id}: plain HTTP is not denied on the bucket and its objects"
        );
    }
}

#[test]
fn custom_domains_and_inbound_mail_require_tls_1_2() {
    let t = template();
    let domains = resources(&t, "AWS::ApiGatewayV2::DomainName");
    assert!(domains.len() >= 2, "app and link domains");
    for (id, d) in &domains {
        for config in d["Properties"]["DomainNameConfigurations"]
            .as_sequence()
            .unwrap()
        {
            assert_eq!(config["SecurityPolicy"], "TLS_1_2", "{id}");
        }
    }
    let rules = resources(&t, "AWS::SES::ReceiptRule");
    assert!(!rules.is_empty());
    for (id, r) in &rules {
        assert_eq!(r["Properties"]["Rule"]["TlsPolicy"], "Require", "{id}");
    }
}

#[test]
fn every_batch_mapping_reports_partial_failures_retries_boundedly_and_keeps_what_fails() {
    let t = template();
    let mut mappings = 0;
    for (id, f) in resources(&t, "AWS::Serverless::Function") {
        let events = f["Properties"]["Events"].as_mapping().cloned();
        for (name, event) in events.unwrap_or_default() {
            let kind = event["Type"].as_str().unwrap_or_default();
            if !matches!(kind, "DynamoDB" | "Kinesis" | "SQS") {
                continue;
            }
            mappings += 1;
            let p = &event["Properties"];
            let where_ = format!("{id}.{}", name.as_str().unwrap());
            assert_eq!(
                p["FunctionResponseTypes"],
                Value::Sequence(vec!["ReportBatchItemFailures".into()]),
                "{where_}: a failed record is retried alone, the rest are not re-sent"
            );
            if kind != "SQS" {
                let retries = p["MaximumRetryAttempts"].as_i64().expect("bounded retries");
                assert!((0..=10).contains(&retries), "{where_}: {retries}");
                assert!(
                    p["DestinationConfig"]["OnFailure"]["Destination"] != Value::Null,
                    "{where_}: a record that keeps failing is kept, not dropped"
                );
            }
        }
    }
    assert!(mappings >= 1, "the table stream's mapping");
}

/// Every `METHOD /path` an API routes to (its functions' HttpApi events).
fn routes_of(t: &Value, api: &str) -> Vec<String> {
    let mut routes = Vec::new();
    for (_, f) in resources(t, "AWS::Serverless::Function") {
        for (_, event) in f["Properties"]["Events"]
            .as_mapping()
            .cloned()
            .unwrap_or_default()
        {
            let p = &event["Properties"];
            if event["Type"] == "HttpApi"
                && tagged(&p["ApiId"]).map(|r| r.1).as_deref() == Some(api)
            {
                let method = p["Method"].as_str().unwrap().to_uppercase();
                routes.push(format!("{method} {}", p["Path"].as_str().unwrap()));
            }
        }
    }
    routes
}

fn rate(settings: &Value) -> f64 {
    settings["ThrottlingRateLimit"].as_f64().expect("a rate")
}

#[test]
fn public_routes_are_throttled_tighter_than_the_default_and_every_throttle_names_a_route() {
    let t = template();
    for (api, tight) in [
        (
            "AppApi",
            &[
                "POST /v1/orgs",
                "POST /v1/auth/start",
                "POST /v1/auth/verify",
                "POST /v1/signup/start",
                "POST /v1/signup/verify",
                "GET /v1/public/links/{code}",
            ][..],
        ),
        ("LinkApi", &["POST /{code}/download-sms"][..]),
    ] {
        let p = &t["Resources"][api]["Properties"];
        let default = rate(&p["DefaultRouteSettings"]);
        let settings: Mapping = p["RouteSettings"].as_mapping().cloned().unwrap();
        let routes = routes_of(&t, api);
        for (route, s) in &settings {
            let route = route.as_str().unwrap();
            assert!(
                routes.iter().any(|r| r == route),
                "{api}: a throttle for {route}, which is no route (renamed?)"
            );
            assert!(rate(s) < default, "{api} {route}");
        }
        for route in tight {
            assert!(
                settings.contains_key(Value::from(*route)),
                "{api}: {route} has no throttle of its own"
            );
        }
    }
}
