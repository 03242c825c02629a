//! `canopy-dev`: the local server that `scripts/run.sh` starts.
//!
//! Usage: `canopy-dev [--app-port N] [--link-port M] [--table-only]` with the stack's
//! environment (`.local/stack.env`) and `TABLE_NAME`. Creates the table from
//! `template.yaml` if needed (`--table-only`: then stops), then serves every function and
//! plays the stream event source mapping.

use canopy_local::router::Router;
use canopy_local::template::{self, Api};
use canopy_local::{server, table};
use std::sync::Arc;
use tokio::net::TcpListener;

fn port_arg(args: &[String], flag: &str, default: u16) -> u16 {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1))
        .and_then(|p| p.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    canopy_shared::telemetry::init();
    let args: Vec<String> = std::env::args().collect();
    let app_port = port_arg(&args, "--app-port", 3000);
    let link_port = port_arg(&args, "--link-port", 3001);
    let app = Arc::new(canopy_shared::App::from_env_reading_mail().await?);
    let template = template::load_default()?;
    // Table creation is the local stack's job (CloudFormation's in AWS): its own client.
    let sdk = canopy_shared::app::load_sdk_config().await;
    let admin =
        aws_sdk_dynamodb::Client::from_conf(canopy_shared::app::dynamodb_config(&sdk).build());
    table::ensure_table(&admin, app.table(), &template.table()?).await?;
    // `scripts/invoke.sh` only needs the table (and its stream and number pool).
    if args.iter().any(|a| a == "--table-only") {
        return Ok(());
    }
    // The template's custom resources, as a deploy runs them (the SMS spend limit, in moto).
    canopy_local::custom_resources::deploy(&template).await?;
    let router = Arc::new(Router::from_template(&template)?);
    // Lambda's stream event source mapping, played in process (see `stream`).
    let emulator = canopy_local::stream::StreamEmulator::new(app.clone(), &template).await?;
    tokio::spawn(emulator.run());
    // The reminder schedule (`RemindersFunction`), played in process.
    tokio::spawn(canopy_local::reminders::run(app.clone()));
    let app_listener = TcpListener::bind(("127.0.0.1", app_port)).await?;
    let link_listener = TcpListener::bind(("127.0.0.1", link_port)).await?;
    let moto = std::env::var("MOTO_URL").unwrap_or_default();
    let uploads = canopy_local::uploads::UploadNotifier::new();
    println!();
    println!(
        "Canopy is running ({} routes from template.yaml).",
        router.routes().len()
    );
    println!("  App API:     http://127.0.0.1:{app_port}");
    println!("  Link pages:  http://127.0.0.1:{link_port}");
    println!("  Sent SMS and email (moto): {moto}/moto-api/data.json");
    println!("  Inbound stand-ins: POST http://127.0.0.1:{app_port}/_local/{{sms,email}}/{{inbound,status}}");
    println!();
    println!("Try it: sign up a practice, then read the code from moto:");
    println!(
        "  curl -s -X POST http://127.0.0.1:{app_port}/v1/orgs -H 'content-type: application/json' \\\n    -d '{{\"practice_name\":\"Elm Street Clinic\",\"owner_name\":\"Dr. Ruiz\",\"owner_email\":\"ruiz@example.com\"}}'"
    );
    println!(
        "  curl -s {moto}/moto-api/data.json   # the code is in ses.sent_messages / ses.Message"
    );
    println!("Press Ctrl-C to stop.");
    tokio::select! {
        _ = server::serve(app_listener, Api::App, app.clone(), router.clone()) => {}
        _ = server::serve(link_listener, Api::Link, app.clone(), router.clone()) => {}
        _ = uploads.run(&app) => {}
        _ = tokio::signal::ctrl_c() => { println!("Stopping."); }
    }
    Ok(())
}
