//! Every log line the test binary's handlers write, captured in memory through the
//! production filter (`telemetry::filter_from`) at `trace`, so tests can prove that no
//! code, token or personal detail ever reaches a log. Installed once, globally, by the
//! harness (a per-thread subscriber would miss events whose callsites other threads
//! registered first).

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

static CAPTURE: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();

#[derive(Clone)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut lines) = self.0.lock() {
            lines.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs the capturing subscriber (once per test binary).
pub fn install() {
    CAPTURE.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = Capture(buffer.clone());
        use tracing_subscriber::layer::SubscriberExt;
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_writer(move || writer.clone())
            .finish()
            .with(canopy_shared::telemetry::filter_from("trace"));
        let _ = tracing::subscriber::set_global_default(subscriber);
        buffer
    });
}

/// Everything logged so far by every test in this binary.
pub fn captured() -> String {
    CAPTURE
        .get()
        .and_then(|b| {
            b.lock()
                .ok()
                .map(|l| String::from_utf8_lossy(&l).into_owned())
        })
        .unwrap_or_default()
}
