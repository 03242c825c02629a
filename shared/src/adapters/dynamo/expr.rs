//! Condition and update expressions with their `#name` and `:value` placeholders, built in
//! one value so that the text and what it refers to never drift apart.

use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;

/// An expression (condition, update or filter) with its placeholders. Every attribute goes
/// through a `#name` placeholder, so reserved words (`name`, `state`, `ttl`) never bite.
#[derive(Debug, Clone, Default)]
pub struct Expr {
    pub text: String,
    pub names: HashMap<String, String>,
    pub values: HashMap<String, AttributeValue>,
}

impl Expr {
    /// An expression with this text and no placeholders yet.
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }

    /// `attribute_not_exists(#pk)`: the item must not exist yet.
    pub fn absent() -> Self {
        let mut e = Self::new("attribute_not_exists(#pk)");
        e.name("#pk", "pk");
        e
    }

    /// `attribute_exists(#pk)`: the item must exist.
    pub fn present() -> Self {
        let mut e = Self::new("attribute_exists(#pk)");
        e.name("#pk", "pk");
        e
    }

    pub fn name(&mut self, placeholder: &str, attribute: &str) -> &mut Self {
        self.names.insert(placeholder.into(), attribute.into());
        self
    }

    pub fn value(&mut self, placeholder: &str, value: AttributeValue) -> &mut Self {
        self.values.insert(placeholder.into(), value);
        self
    }

    /// `self AND (clause)`.
    pub fn and(&mut self, clause: &str) -> &mut Self {
        if self.text.is_empty() {
            self.text = format!("({clause})");
        } else {
            self.text = format!("{} AND ({clause})", self.text);
        }
        self
    }

    /// Takes over another expression's placeholders (for an update whose condition was
    /// built separately). Placeholders of the same name must mean the same thing.
    pub fn merge_placeholders(&mut self, other: &Expr) -> &mut Self {
        self.names.extend(other.names.clone());
        self.values.extend(other.values.clone());
        self
    }

    pub fn text_opt(&self) -> Option<String> {
        (!self.text.is_empty()).then(|| self.text.clone())
    }

    pub fn names_opt(&self) -> Option<HashMap<String, String>> {
        (!self.names.is_empty()).then(|| self.names.clone())
    }

    pub fn values_opt(&self) -> Option<HashMap<String, AttributeValue>> {
        (!self.values.is_empty()).then(|| self.values.clone())
    }
}
