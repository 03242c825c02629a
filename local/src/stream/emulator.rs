//! The dev server's stand-in for Lambda's DynamoDB Streams poller: reads DynamoDB Local's
//! stream shard by shard, builds the records Lambda would deliver, drops those the
//! template's filter rejects, and invokes the stream consumer in process in batches of the
//! template's size. A batch answer that reports failures is retried from the first failed
//! record (as Lambda does with `ReportBatchItemFailures`), with backoff; after the
//! template's `MaximumRetryAttempts` the rest of that batch is skipped and logged (Lambda
//! would hand it to the on-failure destination), so a poison record never blocks the shard.

use super::filter::passes;
use super::get_records::{get_records, GetRecordsError};
use super::mapping::{self, Mapping};
use super::records::lambda_record;
use crate::template::{Template, TemplateError};
use aws_lambda_events::event::dynamodb::Event;
use aws_sdk_dynamodbstreams::types::ShardIteratorType;
use canopy_shared::App;
use serde_json::Value;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error("the table has no stream (StreamSpecification missing?)")]
    NoStream,
    #[error("dynamodb streams: {0}")]
    Streams(String),
}

fn streams_err<E: std::fmt::Debug>(e: E) -> EmulatorError {
    EmulatorError::Streams(format!("{e:?}"))
}

/// Where reading one shard stands.
#[derive(Clone, Debug)]
struct ShardCursor {
    /// The next iterator (`None`: the shard is closed and drained).
    iterator: Option<String>,
    /// The last record read, to resume after it when the iterator expires.
    last_sequence: Option<String>,
}

pub struct StreamEmulator {
    app: Arc<App>,
    client: aws_sdk_dynamodbstreams::Client,
    /// DynamoDB Local's endpoint, for GetRecords as plain JSON.
    endpoint: String,
    mapping: Mapping,
    stream_arn: String,
    region: String,
    /// Shard id → where reading it stands.
    shards: BTreeMap<String, ShardCursor>,
    /// Batches invoked so far (tests and the dev server's log).
    pub invocations: usize,
}

impl StreamEmulator {
    /// Finds the table's stream (the app's table) and reads the mapping from the template.
    pub async fn new(app: Arc<App>, template: &Template) -> Result<Self, EmulatorError> {
        let mapping = mapping::read(template)?;
        let sdk = canopy_shared::app::load_sdk_config().await;
        let mut config = aws_sdk_dynamodbstreams::config::Builder::from(&sdk);
        let endpoint = std::env::var("AWS_ENDPOINT_URL_DYNAMODBSTREAMS")
            .or_else(|_| std::env::var("AWS_ENDPOINT_URL_DYNAMODB"))
            .ok();
        let endpoint = endpoint.ok_or(EmulatorError::Streams(
            "AWS_ENDPOINT_URL_DYNAMODB is not set: the emulator is for DynamoDB Local".into(),
        ))?;
        config = config.endpoint_url(&endpoint);
        // The table's stream is the local stack's business: a client of its own.
        let admin =
            aws_sdk_dynamodb::Client::from_conf(canopy_shared::app::dynamodb_config(&sdk).build());
        let table = admin
            .describe_table()
            .table_name(app.table())
            .send()
            .await
            .map_err(streams_err)?;
        let stream_arn = table
            .table
            .and_then(|t| t.latest_stream_arn)
            .ok_or(EmulatorError::NoStream)?;
        Ok(Self {
            region: sdk.region().map(|r| r.to_string()).unwrap_or_default(),
            app,
            client: aws_sdk_dynamodbstreams::Client::from_conf(config.build()),
            endpoint,
            mapping,
            stream_arn,
            shards: BTreeMap::new(),
            invocations: 0,
        })
    }

    /// Polls forever (the dev server), pausing briefly when there was nothing new.
    pub async fn run(mut self) {
        loop {
            match self.poll_once().await {
                Ok(0) => tokio::time::sleep(Duration::from_millis(50)).await,
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "stream emulation: poll failed");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
        }
    }

    /// Reads every shard once and delivers what passed the filter; returns how many stream
    /// records were read.
    pub async fn poll_once(&mut self) -> Result<usize, EmulatorError> {
        self.discover_shards().await?;
        let mut read = 0;
        let open: Vec<String> = self
            .shards
            .iter()
            .filter(|(_, cursor)| cursor.iterator.is_some())
            .map(|(id, _)| id.clone())
            .collect();
        for shard in open {
            let (records, next) = self.read_page(&shard).await?;
            let cursor = self.shards.get_mut(&shard).expect("an open shard");
            cursor.iterator = next;
            if let Some(last) = records.last() {
                cursor.last_sequence = last["dynamodb"]["SequenceNumber"]
                    .as_str()
                    .map(str::to_string);
            }
            read += records.len();
            let passed: VecDeque<Value> = records
                .into_iter()
                .map(|r| lambda_record(r, &self.stream_arn, &self.region))
                .filter(|r| passes(&self.mapping.patterns, r))
                .collect();
            self.deliver(passed).await;
        }
        Ok(read)
    }

    async fn discover_shards(&mut self) -> Result<(), EmulatorError> {
        let out = self
            .client
            .describe_stream()
            .stream_arn(&self.stream_arn)
            .send()
            .await
            .map_err(streams_err)?;
        let shards = out
            .stream_description
            .map(|d| d.shards.unwrap_or_default())
            .unwrap_or_default();
        for shard in shards {
            let Some(id) = shard.shard_id else { continue };
            if self.shards.contains_key(&id) {
                continue;
            }
            let iterator = self.shard_iterator(&id, None).await?;
            self.shards.insert(
                id,
                ShardCursor {
                    iterator,
                    last_sequence: None,
                },
            );
        }
        Ok(())
    }

    /// The next page of `shard`. An iterator left unused for 15 minutes expires (a test
    /// process drains the stream only now and then); the page is then read through a new
    /// iterator after the last record read, as Lambda's poller resumes, so nothing is lost
    /// or delivered twice.
    async fn read_page(
        &mut self,
        shard: &str,
    ) -> Result<(Vec<Value>, Option<String>), EmulatorError> {
        let cursor = self.shards[shard].clone();
        let iterator = cursor.iterator.unwrap_or_default();
        match get_records(&self.endpoint, &iterator, 1000).await {
            Err(GetRecordsError::Expired) => {
                tracing::info!(
                    shard,
                    "stream emulation: iterator expired; resuming after the last record read"
                );
                let fresh = self
                    .shard_iterator(shard, cursor.last_sequence.as_deref())
                    .await?
                    .unwrap_or_default();
                get_records(&self.endpoint, &fresh, 1000)
                    .await
                    .map_err(|e| EmulatorError::Streams(e.to_string()))
            }
            other => other.map_err(|e| EmulatorError::Streams(e.to_string())),
        }
    }

    /// An iterator on `shard`: after `after` (a sequence number), or from the oldest record.
    async fn shard_iterator(
        &self,
        shard: &str,
        after: Option<&str>,
    ) -> Result<Option<String>, EmulatorError> {
        let request = self
            .client
            .get_shard_iterator()
            .stream_arn(&self.stream_arn)
            .shard_id(shard);
        let request = match after {
            Some(sequence) => request
                .shard_iterator_type(ShardIteratorType::AfterSequenceNumber)
                .sequence_number(sequence),
            None => request.shard_iterator_type(ShardIteratorType::TrimHorizon),
        };
        let answer = request.send().await.map_err(streams_err)?;
        Ok(answer.shard_iterator)
    }

    async fn deliver(&mut self, mut records: VecDeque<Value>) {
        while !records.is_empty() {
            let take = records.len().min(self.mapping.batch_size.max(1));
            let mut batch: Vec<Value> = records.drain(..take).collect();
            let mut attempt = 0u32;
            while !batch.is_empty() {
                let retry_from = self.invoke(&batch).await;
                let Some(from) = retry_from else { break };
                batch.drain(..from);
                attempt += 1;
                if attempt > self.mapping.max_retries {
                    for r in &batch {
                        tracing::warn!(event_id = %r["eventID"], "stream emulation: giving up on a record after retries");
                    }
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20u64 << attempt.min(5))).await;
            }
        }
    }

    /// Invokes the consumer with `batch`; `Some(i)`: retry from record `i`.
    async fn invoke(&mut self, batch: &[Value]) -> Option<usize> {
        self.invocations += 1;
        let event: Event = match serde_json::from_value(serde_json::json!({ "Records": batch })) {
            Ok(e) => e,
            Err(e) => {
                tracing::error!(error = %e, "stream emulation: records do not form a Lambda event");
                return None;
            }
        };
        match fn_stream::handle(&self.app, event).await {
            Ok(response) => {
                let failed: Vec<String> = response
                    .batch_item_failures
                    .iter()
                    .filter_map(|f| f.item_identifier.clone())
                    .collect();
                if failed.is_empty() && response.batch_item_failures.is_empty() {
                    return None;
                }
                // An unidentified failure means the whole batch, as in Lambda.
                Some(
                    batch
                        .iter()
                        .position(|r| {
                            r["dynamodb"]["SequenceNumber"]
                                .as_str()
                                .is_some_and(|s| failed.iter().any(|f| f == s))
                        })
                        .unwrap_or(0),
                )
            }
            Err(e) => {
                tracing::warn!(error = %e, "stream emulation: the function failed; retrying the batch");
                Some(0)
            }
        }
    }
}
