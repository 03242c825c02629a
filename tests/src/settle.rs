//! Read models the table's stream consumer keeps (patient inbox rows, sync feeds) lag the
//! API by the stream, as in AWS. [`Harness::settle`] lets the stream catch up before a test
//! reads them: it drains the shared test table's stream through the consumer, as the dev
//! server's emulator does, with one emulator per test process (a second poller would redo
//! the first one's work). Tests on a table of their own drain their own emulator instead.

use crate::{settings, shared_table_name, Harness};
use canopy_local::stream::StreamEmulator;
use canopy_shared::app::load_sdk_config;
use canopy_shared::App;
use std::sync::Arc;
use tokio::sync::{Mutex, OnceCell};

static SHARED: OnceCell<Mutex<StreamEmulator>> = OnceCell::const_new();

impl Harness {
    /// Drains the shared table's stream (a no-op for a harness on a table of its own).
    pub async fn settle(&self) {
        if Some(self.table()) != shared_table_name().as_deref() {
            return;
        }
        let emulator = SHARED
            .get_or_init(|| async {
                let sdk = load_sdk_config().await;
                let app = Arc::new(App::from_parts(&sdk, settings().await));
                let template = canopy_local::template::load_default().expect("template");
                Mutex::new(
                    StreamEmulator::new(app, &template)
                        .await
                        .expect("the test table has a stream"),
                )
            })
            .await;
        let mut emulator = emulator.lock().await;
        // A poll that fails leaves its shard iterator where it was, so it is simply tried
        // again: DynamoDB Local's streams endpoint times out now and then on a loaded
        // machine, which is not what any test is about. Five failures in a row are real.
        let mut failures = 0;
        loop {
            match emulator.poll_once().await {
                Ok(0) => break,
                Ok(_) => failures = 0,
                Err(e) if failures < 5 => {
                    failures += 1;
                    eprintln!("settle: stream poll failed ({e}), retrying");
                    tokio::time::sleep(std::time::Duration::from_millis(200 * failures)).await;
                }
                Err(e) => panic!("stream poll failed five times in a row: {e}"),
            }
        }
    }
}
