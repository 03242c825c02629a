//! Counts DynamoDB operations made through a client. Round trips per API call are a
//! contract of this project (one for a post, a read, an inbox page…), and counting is
//! deterministic where timing is not, so tests assert these numbers. Every call a handler
//! makes is counted, its caller's authentication included.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use std::sync::{Arc, Mutex};

/// Shared log of the operation names a client has executed (`GetItem`, `TransactWriteItems`…).
#[derive(Debug, Clone, Default)]
pub struct CallCounter {
    operations: Arc<Mutex<Vec<String>>>,
}

impl CallCounter {
    pub fn count(&self) -> usize {
        self.operations.lock().map(|ops| ops.len()).unwrap_or(0)
    }

    /// The operations recorded so far, in order.
    pub fn operations(&self) -> Vec<String> {
        self.operations
            .lock()
            .map(|ops| ops.clone())
            .unwrap_or_default()
    }

    pub fn reset(&self) {
        if let Ok(mut ops) = self.operations.lock() {
            ops.clear();
        }
    }
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "CallCounter"
    }

    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let name = cfg
            .load::<aws_smithy_runtime_api::client::orchestrator::Metadata>()
            .map(|m| m.name().to_string())
            .unwrap_or_else(|| "unknown".to_string());
        if let Ok(mut ops) = self.operations.lock() {
            ops.push(name);
        }
        Ok(())
    }
}
