//! Creates the local table from the template's definition (keys, indexes, TTL, stream).

use crate::template::TableDefinition;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, StreamSpecification, StreamViewType,
    TimeToLiveSpecification,
};

fn key_schema(hash: &str, range: Option<&str>) -> Vec<KeySchemaElement> {
    let mut schema = vec![KeySchemaElement::builder()
        .attribute_name(hash)
        .key_type(KeyType::Hash)
        .build()
        .expect("attribute name and key type are set")];
    if let Some(range) = range {
        schema.push(
            KeySchemaElement::builder()
                .attribute_name(range)
                .key_type(KeyType::Range)
                .build()
                .expect("attribute name and key type are set"),
        );
    }
    schema
}

/// Creates `name` (if it does not exist yet) with the template's keys, GSIs, TTL and
/// stream, and seeds the local pool of practice numbers ([`crate::pool`]).
pub async fn ensure_table(
    db: &aws_sdk_dynamodb::Client,
    name: &str,
    def: &TableDefinition,
) -> Result<(), aws_sdk_dynamodb::Error> {
    let existing = db.list_tables().send().await?;
    if existing.table_names().iter().any(|t| t == name) {
        return Ok(());
    }
    let attributes = def
        .attributes
        .iter()
        .map(|(n, t)| {
            AttributeDefinition::builder()
                .attribute_name(n)
                .attribute_type(ScalarAttributeType::from(t.as_str()))
                .build()
                .expect("attribute name and type are set")
        })
        .collect();
    let indexes = def
        .indexes
        .iter()
        .map(|i| {
            GlobalSecondaryIndex::builder()
                .index_name(&i.name)
                .set_key_schema(Some(key_schema(&i.hash_key, i.range_key.as_deref())))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::All)
                        .build(),
                )
                .build()
                .expect("index name and key schema are set")
        })
        .collect();
    let created = db
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .set_attribute_definitions(Some(attributes))
        .set_key_schema(Some(key_schema(&def.hash_key, def.range_key.as_deref())))
        .set_global_secondary_indexes(Some(indexes))
        .set_stream_specification(def.stream_view_type.as_deref().map(|view| {
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::from(view))
                .build()
                .expect("stream enabled is set")
        }))
        .send()
        .await;
    match created {
        Ok(_) => {}
        // Under load DynamoDB Local can take longer than the SDK's attempt timeout to
        // create a table; the SDK's retry then finds the table its first attempt made.
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_in_use_exception()) => {}
        Err(e) => return Err(e.into()),
    }
    if let Some(ttl) = &def.ttl_attribute {
        db.update_time_to_live()
            .table_name(name)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .attribute_name(ttl)
                    .enabled(true)
                    .build()
                    .expect("ttl attribute is set"),
            )
            .send()
            .await?;
    }
    let store = canopy_shared::adapters::dynamo::Dynamo::new(db.clone(), name);
    if let Err(e) = crate::pool::seed(&store).await {
        tracing::warn!(error = %e, "could not seed the local number pool");
    }
    Ok(())
}
