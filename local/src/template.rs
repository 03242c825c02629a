//! Reads `template.yaml`, the one source of truth for routes and the table: the dev server
//! routes by the functions' `HttpApi` events, and the local table is created from the
//! `CanopyTable` resource's key schema, attributes, indexes and TTL.

use serde_yaml::Value;
use std::path::Path;

/// Which HTTP API a route belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Api {
    /// `AppApi`: the JSON API (each function authenticates its callers itself).
    App,
    /// `LinkApi`: the public link domain.
    Link,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub function: String,
    pub api: Api,
    pub method: String,
    /// As declared, e.g. `/v1/conversations/{id}/messages`.
    pub path: String,
}

impl Route {
    /// API Gateway's route key: `POST /v1/orgs`.
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    pub name: String,
    pub hash_key: String,
    pub range_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableDefinition {
    /// (name, type) pairs, e.g. ("pk", "S").
    pub attributes: Vec<(String, String)>,
    pub hash_key: String,
    pub range_key: Option<String>,
    pub indexes: Vec<Index>,
    pub ttl_attribute: Option<String>,
    /// `StreamSpecification.StreamViewType` (the stream the event functions consume).
    pub stream_view_type: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("cannot read template: {0}")]
    Io(#[from] std::io::Error),
    #[error("template is not valid YAML: {0}")]
    Yaml(#[from] serde_yaml::Error),
    #[error("template is missing {0}")]
    Missing(String),
}

pub struct Template {
    root: Value,
}

fn untag(v: &Value) -> &Value {
    match v {
        Value::Tagged(t) => &t.value,
        other => other,
    }
}

fn text(v: &Value) -> Option<&str> {
    untag(v).as_str()
}

impl Template {
    pub fn load(path: &Path) -> Result<Self, TemplateError> {
        let raw = std::fs::read_to_string(path)?;
        Self::parse(&raw)
    }

    pub fn parse(raw: &str) -> Result<Self, TemplateError> {
        Ok(Self {
            root: serde_yaml::from_str(raw)?,
        })
    }

    fn resources(&self) -> Result<&serde_yaml::Mapping, TemplateError> {
        self.root
            .get("Resources")
            .and_then(Value::as_mapping)
            .ok_or_else(|| TemplateError::Missing("Resources".into()))
    }

    /// A resource's definition by logical id (for readers of other parts of the template,
    /// such as the stream event source mapping in `stream::mapping`).
    pub fn resource(&self, name: &str) -> Option<&Value> {
        self.resources().ok()?.get(name)
    }

    /// Logical ids and definitions of every resource of type `kind` (`Custom::…`).
    pub fn resources_of_type(&self, kind: &str) -> Vec<(String, &Value)> {
        let Ok(resources) = self.resources() else {
            return Vec::new();
        };
        resources
            .iter()
            .filter(|(_, r)| r.get("Type").and_then(Value::as_str) == Some(kind))
            .map(|(name, r)| (name.as_str().unwrap_or_default().to_string(), r))
            .collect()
    }

    /// A property value as a deploy with default parameters would pass it: a literal, or
    /// `!Ref Parameter` resolved to the parameter's default (CloudFormation sends every
    /// scalar as a string).
    pub fn property_value(&self, v: &Value) -> Option<String> {
        let scalar = |v: &Value| match untag(v) {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        };
        match v {
            Value::Tagged(t) if t.tag == "!Ref" => {
                let name = t.value.as_str()?;
                scalar(self.root.get("Parameters")?.get(name)?.get("Default")?)
            }
            other => scalar(other),
        }
    }

    /// Every `HttpApi` event of every `AWS::Serverless::Function`.
    pub fn routes(&self) -> Result<Vec<Route>, TemplateError> {
        let mut routes = Vec::new();
        for (name, resource) in self.resources()? {
            if resource.get("Type").and_then(Value::as_str) != Some("AWS::Serverless::Function") {
                continue;
            }
            let function = name.as_str().unwrap_or_default().to_string();
            let Some(events) = resource
                .get("Properties")
                .and_then(|p| p.get("Events"))
                .and_then(Value::as_mapping)
            else {
                continue;
            };
            for event in events.values() {
                if event.get("Type").and_then(Value::as_str) != Some("HttpApi") {
                    continue;
                }
                let props = event.get("Properties").ok_or_else(|| {
                    TemplateError::Missing(format!("{function} event Properties"))
                })?;
                let api = match props.get("ApiId").and_then(text) {
                    Some("LinkApi") => Api::Link,
                    _ => Api::App,
                };
                let path = props
                    .get("Path")
                    .and_then(text)
                    .ok_or_else(|| TemplateError::Missing(format!("{function} event Path")))?;
                let method = props
                    .get("Method")
                    .and_then(text)
                    .ok_or_else(|| TemplateError::Missing(format!("{function} event Method")))?;
                routes.push(Route {
                    function: function.clone(),
                    api,
                    method: method.to_ascii_uppercase(),
                    path: path.to_string(),
                });
            }
        }
        Ok(routes)
    }

    /// The `CanopyTable` resource's key schema, attributes, GSIs and TTL.
    pub fn table(&self) -> Result<TableDefinition, TemplateError> {
        let props = self
            .resources()?
            .get("CanopyTable")
            .and_then(|t| t.get("Properties"))
            .ok_or_else(|| TemplateError::Missing("Resources.CanopyTable.Properties".into()))?;
        let keys = |schema: Option<&Value>| -> (String, Option<String>) {
            let mut hash = String::new();
            let mut range = None;
            for k in schema.and_then(Value::as_sequence).into_iter().flatten() {
                let name = k
                    .get("AttributeName")
                    .and_then(text)
                    .unwrap_or_default()
                    .to_string();
                match k.get("KeyType").and_then(text) {
                    Some("HASH") => hash = name,
                    Some("RANGE") => range = Some(name),
                    _ => {}
                }
            }
            (hash, range)
        };
        let attributes = props
            .get("AttributeDefinitions")
            .and_then(Value::as_sequence)
            .ok_or_else(|| TemplateError::Missing("CanopyTable AttributeDefinitions".into()))?
            .iter()
            .map(|a| {
                (
                    a.get("AttributeName")
                        .and_then(text)
                        .unwrap_or_default()
                        .to_string(),
                    a.get("AttributeType")
                        .and_then(text)
                        .unwrap_or("S")
                        .to_string(),
                )
            })
            .collect();
        let (hash_key, range_key) = keys(props.get("KeySchema"));
        let indexes = props
            .get("GlobalSecondaryIndexes")
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
            .map(|gsi| {
                let (hash_key, range_key) = keys(gsi.get("KeySchema"));
                Index {
                    name: gsi
                        .get("IndexName")
                        .and_then(text)
                        .unwrap_or_default()
                        .to_string(),
                    hash_key,
                    range_key,
                }
            })
            .collect();
        let ttl_attribute = props
            .get("TimeToLiveSpecification")
            .filter(|t| t.get("Enabled").and_then(|e| untag(e).as_bool()) == Some(true))
            .and_then(|t| t.get("AttributeName"))
            .and_then(text)
            .map(str::to_string);
        let stream_view_type = props
            .get("StreamSpecification")
            .and_then(|s| s.get("StreamViewType"))
            .and_then(text)
            .map(str::to_string);
        Ok(TableDefinition {
            stream_view_type,
            attributes,
            hash_key,
            range_key,
            indexes,
            ttl_attribute,
        })
    }
}

/// The repository root (where `template.yaml` lives), found from this crate's directory so
/// tests and the dev server work from any working directory.
pub fn repo_root() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

pub fn load_default() -> Result<Template, TemplateError> {
    Template::load(&repo_root().join("template.yaml"))
}
