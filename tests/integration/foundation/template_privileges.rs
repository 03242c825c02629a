//! Issue 12.10: template.yaml grants each function only what it uses. Read from the
//! template itself (and from each function's `main.rs`, which says whether it can send):
//! no SNS/SES for functions that never send, no `kms:Encrypt` for readers, audit items
//! append-only for every function, the pepper from Secrets Manager (never a Lambda
//! environment value), access logs without paths or query strings, and the default
//! execute-api endpoint off where a custom domain exists.

use canopy_local::template::repo_root;
use serde_yaml::Value;

/// A tagged node (`!Ref X`, `!If [...]`) as its inner value; anything else as is.
fn untag(v: &Value) -> &Value {
    match v {
        Value::Tagged(t) => &t.value,
        other => other,
    }
}

fn raw_template() -> Value {
    let text = std::fs::read_to_string(repo_root().join("template.yaml")).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

/// Every `AWS::Serverless::Function`: (logical id, its properties).
fn functions(t: &Value) -> Vec<(String, Value)> {
    t["Resources"]
        .as_mapping()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::Serverless::Function")
        .map(|(k, r)| (k.as_str().unwrap().to_string(), r["Properties"].clone()))
        .collect()
}

/// Every policy statement of a function, SAM policy templates kept as their name.
fn statements(props: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for policy in props["Policies"].as_sequence().into_iter().flatten() {
        if let Some(list) = policy["Statement"].as_sequence() {
            out.extend(list.iter().cloned());
        } else if let Some(m) = policy.as_mapping() {
            for (name, _) in m {
                let mut fake = serde_yaml::Mapping::new();
                fake.insert("Effect".into(), "Allow".into());
                fake.insert("Template".into(), name.clone());
                out.push(Value::Mapping(fake));
            }
        }
    }
    out
}

fn actions(statement: &Value) -> Vec<String> {
    match untag(&statement["Action"]) {
        Value::String(a) => vec![a.clone()],
        Value::Sequence(list) => list
            .iter()
            .filter_map(|a| a.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    }
}

fn allowed(props: &Value) -> Vec<String> {
    statements(props)
        .iter()
        .filter(|s| s["Effect"] == "Allow")
        .flat_map(|s| {
            let mut a = actions(s);
            if let Some(t) = s["Template"].as_str() {
                a.push(format!("template:{t}"));
            }
            a
        })
        .collect()
}

/// The function's binary name, from the template's build metadata.
fn binary(t: &Value, id: &str) -> String {
    t["Resources"][id]["Metadata"]["BuildProperties"]["Binary"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn functions_that_never_send_have_no_sns_or_ses() {
    let t = raw_template();
    let mut checked = 0;
    for (id, props) in functions(&t) {
        let main = std::fs::read_to_string(
            repo_root().join(format!("functions/{}/src/main.rs", binary(&t, &id))),
        )
        .unwrap();
        if !main.contains("from_env_without_messaging") {
            continue;
        }
        checked += 1;
        let sending: Vec<String> = allowed(&props)
            .into_iter()
            .filter(|a| {
                a.starts_with("sns:") || a.starts_with("ses:") || a.starts_with("sms-voice:")
            })
            .collect();
        assert!(sending.is_empty(), "{id} never sends but may {sending:?}");
    }
    assert!(checked >= 7, "only {checked} functions without messaging");
}

#[test]
fn readers_may_decrypt_but_never_encrypt() {
    let t = raw_template();
    let writes = |a: &str| {
        a == "template:DynamoDBCrudPolicy"
            || ["PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"]
                .iter()
                .any(|w| a == format!("dynamodb:{w}"))
    };
    for (id, props) in functions(&t) {
        let granted = allowed(&props);
        let only_reads = !granted.iter().any(|a| writes(a));
        if only_reads {
            assert!(
                !granted.iter().any(|a| a == "kms:Encrypt" || a == "kms:*"),
                "{id} only reads but may kms:Encrypt"
            );
        }
    }
    // The audit reader writes only its own audit item, and does not encrypt either.
    let audit = functions(&t)
        .into_iter()
        .find(|(id, _)| id == "AuditFunction")
        .unwrap()
        .1;
    assert!(!allowed(&audit).iter().any(|a| a == "kms:Encrypt"));
}

#[test]
fn no_function_may_update_or_delete_an_audit_item() {
    let t = raw_template();
    for (id, props) in functions(&t) {
        let deny = statements(&props)
            .into_iter()
            .find(|s| s["Effect"] == "Deny" && s["Sid"] == "AuditItemsAreAppendOnly")
            .unwrap_or_else(|| panic!("{id} has no audit append-only deny"));
        let a = actions(&deny);
        for action in [
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "dynamodb:BatchWriteItem",
        ] {
            assert!(a.iter().any(|x| x == action), "{id}: {action} not denied");
        }
        let keys = &deny["Condition"]["ForAnyValue:StringLike"]["dynamodb:LeadingKeys"];
        assert_eq!(keys[0], "AUDIT#*", "{id}");
        assert_eq!(
            untag(&deny["Resource"]).as_str(),
            Some("CanopyTable.Arn"),
            "{id}: the deny must cover the table"
        );
    }
    // And the code agrees: every audit partition key starts with the denied prefix.
    let org: canopy_shared::domain::ids::OrgId = "org_01KAAAAAAAAAAAAAAAAAAAAAAA".parse().unwrap();
    assert!(
        canopy_shared::adapters::dynamo::keys::audit_pk(Some(&org), "2026-11")
            .starts_with("AUDIT#")
    );
    assert!(canopy_shared::adapters::dynamo::keys::audit_pk(None, "2026-11").starts_with("AUDIT#"));
}

#[test]
fn the_pepper_is_read_from_secrets_manager_never_from_the_environment() {
    let t = raw_template();
    let text = std::fs::read_to_string(repo_root().join("template.yaml")).unwrap();
    assert!(
        !text.contains("resolve:secretsmanager"),
        "a dynamic reference puts the value in the environment"
    );
    let globals = &t["Globals"]["Function"]["Environment"]["Variables"];
    assert!(globals.get("OTP_PEPPER").is_none());
    let mut readers = Vec::new();
    for (id, props) in functions(&t) {
        let vars = &props["Environment"]["Variables"];
        assert!(
            vars.get("OTP_PEPPER").is_none(),
            "{id} has the pepper in its environment"
        );
        let reads = statements(&props).into_iter().any(|s| {
            s["Effect"] == "Allow"
                && actions(&s)
                    .iter()
                    .any(|a| a == "secretsmanager:GetSecretValue")
        });
        if vars.get("OTP_PEPPER_SECRET_ID").is_some() {
            assert_eq!(
                untag(&vars["OTP_PEPPER_SECRET_ID"]).as_str(),
                Some("OtpPepperSecret")
            );
            assert!(reads, "{id} names the secret but may not read it");
            readers.push(id);
        } else {
            assert!(!reads, "{id} may read secrets it is not given");
        }
    }
    readers.sort();
    assert_eq!(readers, ["AuthFunction", "SignupFunction"]);

    // The secret is generated by Secrets Manager at deploy time, never written down: no
    // literal value in the template, at least 256 bits of it, encrypted with the stack key.
    let secret = &t["Resources"]["OtpPepperSecret"]["Properties"];
    assert!(secret.get("SecretString").is_none(), "a literal pepper");
    let generated = &secret["GenerateSecretString"];
    assert!(
        generated["PasswordLength"].as_u64().unwrap() >= 43,
        "at least 256 bits"
    );
    assert_eq!(untag(&secret["KmsKeyId"]).as_str(), Some("TableKey"));
}

/// No source file holds a pepper: the only place a pepper value is read is the environment
/// or the secret, by name (`canopy_shared::config`), and no 64-hex-digit literal (the shape
/// of a pepper) appears in the code the functions are built from.
#[test]
fn no_pepper_literal_is_in_the_code() {
    fn sources(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    // Published digests, not secrets: SHA-256 of the empty body, and the signatures of AWS's
    // SigV4 examples for S3 that `adapters::s3::tests_signing` must reproduce.
    const PUBLISHED: [&str; 6] = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
        "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
        "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
        "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
        "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
    ];
    let mut files = Vec::new();
    for dir in ["shared/src", "functions"] {
        sources(&repo_root().join(dir), &mut files);
    }
    assert!(files.len() > 50, "only {} files", files.len());
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let hex_run = text
            .split(|c: char| !c.is_ascii_hexdigit())
            .any(|word| word.len() >= 64 && !PUBLISHED.contains(&word));
        assert!(!hex_run, "{} holds a 64-hex-digit literal", file.display());
    }
}

#[test]
fn access_logs_never_carry_paths_or_query_strings() {
    let t = raw_template();
    for api in ["AppApi", "LinkApi"] {
        let props = &t["Resources"][api]["Properties"];
        let format = props["AccessLogSettings"]["Format"]
            .as_str()
            .unwrap_or_else(|| panic!("{api} has no access log format"));
        let fields: serde_json::Value = serde_json::from_str(format).unwrap();
        assert!(format.contains("$context.routeKey"), "{api}");
        for leak in [
            "querystring",
            "$context.path",
            "$request",
            "$context.requestUri",
            "$input",
        ] {
            assert!(!format.contains(leak), "{api} logs {leak}");
        }
        assert!(fields.get("requestId").is_some());
        assert!(props["AccessLogSettings"].get("DestinationArn").is_some());
    }
}

#[test]
fn the_default_endpoint_is_off_where_a_custom_domain_exists() {
    let t = raw_template();
    for (api, condition, mapping) in [
        ("AppApi", "HasAppDomain", "AppApiDomainMapping"),
        ("LinkApi", "HasLinkDomain", "LinkApiDomainMapping"),
    ] {
        let disable = &t["Resources"][api]["Properties"]["DisableExecuteApiEndpoint"];
        let Value::Tagged(tagged) = disable else {
            panic!("{api}: DisableExecuteApiEndpoint must follow the domain's condition");
        };
        assert_eq!(tagged.tag.to_string(), "!If");
        assert_eq!(tagged.value[0], condition);
        assert_eq!(tagged.value[1], true);
        assert_eq!(tagged.value[2], false);
        assert!(t["Conditions"].get(condition).is_some(), "{condition}");
        let m = &t["Resources"][mapping];
        assert_eq!(m["Condition"], condition);
        assert_eq!(untag(&m["Properties"]["ApiId"]).as_str(), Some(api));
    }
}

#[tokio::test]
async fn the_pepper_is_read_from_the_stacks_secrets_manager_by_the_real_adapter() {
    use canopy_shared::adapters::secrets_manager::SecretsManager;
    use canopy_shared::ports::secrets::{SecretError, SecretSource};
    canopy_tests::require_stack();
    let sdk = canopy_shared::app::load_sdk_config().await;
    let source = SecretsManager::from_sdk(&sdk);
    let id = std::env::var("OTP_PEPPER_SECRET_ID").expect("the stack names the pepper secret");
    let pepper = source.secret_string(&id).await.unwrap();
    assert!(pepper.len() >= 16);
    assert_eq!(Some(pepper.clone()), std::env::var("OTP_PEPPER").ok());
    // What the functions do: the read starts at cold start, and codes use the secret's value.
    let settings = canopy_tests::settings().await;
    let app_pepper = canopy_shared::app::pepper_for(&sdk, &settings);
    assert_eq!(app_pepper.get().await, Ok(pepper.as_bytes()));
    // A secret that does not exist is a clear error, not an empty pepper.
    let missing = source.secret_string("canopy-no-such-secret").await;
    assert_eq!(missing, Err(SecretError::NotFound));
}

/// Read/write set shared by the API functions that commit through `Tx`
/// (adapters/dynamo/tx.rs: `TransactWriteItems` needs the per-item Put/Update/Delete/
/// ConditionCheck actions too) and read with GetItem (access.rs `get_item`), Query
/// (`query_all`) and BatchGetItem (mod.rs `batch_get`).
const TX_WRITER: &[&str] = &[
    "GetItem",
    "Query",
    "BatchGetItem",
    "TransactWriteItems",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "ConditionCheckItem",
];

/// Each function's DynamoDB actions (Allow), and the indexes it may Query. Derived from the
/// code paths: functions/<name>/src routes → shared use cases → adapters/dynamo calls.
fn expected_dynamodb() -> Vec<(&'static str, Vec<&'static str>, Vec<&'static str>)> {
    let w = |extra: &[&'static str]| {
        let mut v = TX_WRITER.to_vec();
        v.extend_from_slice(extra);
        v
    };
    vec![
        // Every app API function authenticates its caller (access::authorize): sessions.rs
        // `session` (GetItem), caller.rs `staff_records` (BatchGetItem), `touch_session`
        // (UpdateItem), an older practice's team.rs `link_access` (Query GSI1).
        // sign_up / sign_in / verify: codes.rs update_item, channel_pool.rs put_item +
        // Query GSI1, sessions through Tx.
        ("AuthFunction", w(&[]), vec!["GSI1"]),
        // team.rs (Query GSI1); remove_member → sessions.rs `revoke_sessions`
        // (Query GSI1 + batch_write_item).
        ("MembersFunction", w(&["BatchWriteItem"]), vec!["GSI1"]),
        // links.rs (get_item, Query GSI1, update_item), team.rs link_access (GSI1).
        ("LinksFunction", w(&[]), vec!["GSI1"]),
        // links.rs `link_by_code` get_item, invites.rs get_item, links.rs `count_click`
        // update_item, access/limits.rs rate windows batch_get + Tx put_if. Never deletes.
        (
            "LinkPagesFunction",
            vec![
                "GetItem",
                "UpdateItem",
                "BatchGetItem",
                "TransactWriteItems",
                "PutItem",
            ],
            vec![],
        ),
        // contacts.rs search (GSI1/GSI2/GSI3), invites, idempotency.rs put/update/delete.
        ("ContactsFunction", w(&[]), vec!["GSI1", "GSI2", "GSI3"]),
        // invites/pairing.rs (GSI1), links, OTP and sessions through Tx.
        ("SignupFunction", w(&[]), vec!["GSI1"]),
        // conversations/inbox.rs (GSI1, GSI2), reads.rs (GSI3), writes.rs put_item, Tx.
        (
            "ConversationsFunction",
            w(&[]),
            vec!["GSI1", "GSI2", "GSI3"],
        ),
        // conversations/reads.rs (GSI3), items (GSI1/GSI2), attachments, Tx.
        ("MessagesFunction", w(&[]), vec!["GSI1", "GSI2", "GSI3"]),
        // devices.rs get_item/query (table), sync.rs query (table), register/remove via Tx.
        ("DevicesFunction", w(&[]), vec!["GSI1"]),
        // attachments: reserve through Tx, read with get_item / batch_get.
        (
            "AttachmentsFunction",
            vec![
                "TransactWriteItems",
                "ConditionCheckItem",
                "PutItem",
                "UpdateItem",
                "GetItem",
                "BatchGetItem",
                "Query",
            ],
            vec!["GSI1"],
        ),
        // attachments/mod.rs get_item + update_item.
        ("UploadCheckFunction", vec!["GetItem", "UpdateItem"], vec![]),
        // access/audit.rs Query GSI1/GSI2 + put_item of the read's own audit item.
        (
            "AuditFunction",
            vec!["Query", "PutItem", "GetItem", "BatchGetItem", "UpdateItem"],
            vec!["GSI1", "GSI2"],
        ),
        // notify.rs (Query GSI3, get_item, update_item), batch_get of recipients.
        (
            "RemindersFunction",
            vec!["Query", "GetItem", "BatchGetItem", "UpdateItem"],
            vec!["GSI3"],
        ),
        // standard.rs + notify.rs + sync.rs: batch_get, update_item, get/query/put/delete, Tx checks.
        (
            "StreamFunction",
            vec![
                "BatchGetItem",
                "UpdateItem",
                "GetItem",
                "Query",
                "PutItem",
                "DeleteItem",
                "ConditionCheckItem",
            ],
            vec![],
        ),
        // standard.rs delivery updates and opt-outs through Tx checks.
        (
            "DeliveryStatusFunction",
            vec!["GetItem", "UpdateItem", "ConditionCheckItem"],
            vec![],
        ),
        // standard_inbound.rs threading (get/query on GSI2/GSI3, put/update/delete, Tx).
        (
            "InboundSmsFunction",
            vec![
                "GetItem",
                "Query",
                "PutItem",
                "UpdateItem",
                "DeleteItem",
                "ConditionCheckItem",
            ],
            vec!["*"],
        ),
        (
            "InboundEmailFunction",
            vec![
                "GetItem",
                "Query",
                "PutItem",
                "UpdateItem",
                "DeleteItem",
                "ConditionCheckItem",
            ],
            vec!["*"],
        ),
    ]
}

/// A function's allowed `dynamodb:*` actions (sorted, no prefix), and the index names of
/// its Allow statements' resources.
fn dynamodb_grants(props: &Value) -> (Vec<String>, Vec<String>) {
    let mut acts = Vec::new();
    let mut idx = Vec::new();
    for s in statements(props).iter().filter(|s| s["Effect"] == "Allow") {
        if let Some(t) = s["Template"].as_str() {
            acts.push(format!("template:{t}"));
            continue;
        }
        let own: Vec<String> = actions(s)
            .into_iter()
            .filter_map(|a| a.strip_prefix("dynamodb:").map(String::from))
            .collect();
        if own.is_empty() {
            continue;
        }
        let resources = match untag(&s["Resource"]) {
            Value::Sequence(list) => list.clone(),
            other => vec![other.clone()],
        };
        for r in &resources {
            let text = match untag(r) {
                Value::String(x) => x.clone(),
                _ => String::new(),
            };
            if let Some((_, name)) = text.split_once("/index/") {
                idx.push(name.to_string());
            }
        }
        acts.extend(own);
    }
    acts.sort();
    acts.dedup();
    idx.sort();
    idx.dedup();
    (acts, idx)
}

#[test]
fn each_function_has_exactly_the_dynamodb_actions_its_code_calls() {
    let t = raw_template();
    let expected = expected_dynamodb();
    let mut wrong = Vec::new();
    for (id, props) in functions(&t) {
        let (acts, idx) = dynamodb_grants(&props);
        let Some((_, want, want_idx)) = expected.iter().find(|(e, _, _)| *e == id) else {
            if !acts.is_empty() {
                wrong.push(format!(
                    "{id}: not in the expected table but granted {acts:?}"
                ));
            }
            continue;
        };
        let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
        want.sort();
        let mut want_idx: Vec<String> = want_idx.iter().map(|s| s.to_string()).collect();
        want_idx.sort();
        if acts != want {
            wrong.push(format!("{id}: granted {acts:?}, expected {want:?}"));
        }
        if idx != want_idx {
            wrong.push(format!("{id}: indexes {idx:?}, expected {want_idx:?}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn no_function_uses_a_sam_dynamodb_policy_template_and_readers_write_only_what_they_must() {
    let t = raw_template();
    for (id, props) in functions(&t) {
        let granted = allowed(&props);
        assert!(
            !granted.iter().any(|a| a.starts_with("template:DynamoDB")),
            "{id} uses a SAM DynamoDB policy template: {granted:?}"
        );
    }
    // The audit reader's only updates are the sessions it authenticates with (their hourly
    // use): its UpdateItem is confined to session and practice keys.
    let audit = &t["Resources"]["AuditFunction"]["Properties"];
    let updating: Vec<Value> = statements(audit)
        .into_iter()
        .filter(|s| s["Effect"] == "Allow" && actions(s).contains(&"dynamodb:UpdateItem".into()))
        .collect();
    assert_eq!(updating.len(), 1, "{updating:?}");
    let keys = &updating[0]["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"];
    assert_eq!(
        keys.as_sequence().map(|k| k.len()),
        Some(2),
        "the audit function updates only sessions and memberships: {keys:?}"
    );
    let pages = allowed(&t["Resources"]["LinkPagesFunction"]["Properties"]);
    for a in [
        "dynamodb:DeleteItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:Query",
        "dynamodb:*",
    ] {
        assert!(
            !pages.contains(&a.to_string()),
            "link pages never {a}: {pages:?}"
        );
    }
}
