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
    let mut readers = Vec::new();
    for (id, props) in functions(&t) {
        let granted = allowed(&props);
        let only_reads = !granted.iter().any(|a| writes(a));
        if only_reads {
            readers.push(id.clone());
            assert!(
                !granted.iter().any(|a| a == "kms:Encrypt" || a == "kms:*"),
                "{id} only reads but may kms:Encrypt"
            );
        }
    }
    assert!(
        readers.contains(&"AuthorizerFunction".to_string()),
        "{readers:?}"
    );
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
    // What the functions do at cold start: the settings carry the secret's value.
    let settings = canopy_shared::app::settings_with_secrets(&sdk)
        .await
        .unwrap();
    assert_eq!(settings.otp_pepper.as_deref(), Some(pepper.as_bytes()));
    // A secret that does not exist is a clear error, not an empty pepper.
    let missing = source.secret_string("canopy-no-such-secret").await;
    assert_eq!(missing, Err(SecretError::NotFound));
}
