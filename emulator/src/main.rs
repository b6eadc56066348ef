//! `ecs-image-emulator`: serve the ECS image API on a local port.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use ecs_image_emulator::{Auth, Config, Emulator, StartWorld, demo, serve};
use ecs_image_rules::{AccountId, Profile, Relation, World, blockers, relation};

/// An HTTP server that speaks the ECS RPC protocol (2014-05-26) for image actions, backed by
/// ecs-image-rules. Point the Alibaba Cloud SDKs at it with protocol "http".
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    /// Address to listen on (port 0 picks a free port; the real one is printed).
    #[arg(long, env = "ECS_EMULATOR_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,

    /// Start from this world file (JSON: accounts with access keys, and a store) instead of
    /// the built-in demo world.
    #[arg(long, env = "ECS_EMULATOR_WORLD")]
    world: Option<PathBuf>,

    /// Keep the world in this file: loaded on start if it exists, rewritten atomically after
    /// every change.
    #[arg(long, env = "ECS_EMULATOR_STATE")]
    state: Option<PathBuf>,

    /// Answer by this profile (JSON: catalog, missingImage, precedence) instead of the default.
    #[arg(long, env = "ECS_EMULATOR_PROFILE")]
    profile: Option<PathBuf>,

    /// Check no signature; unknown or absent access keys act as the default account.
    #[arg(long, env = "ECS_EMULATOR_NO_AUTH")]
    no_auth: bool,

    /// The account for unknown keys under --no-auth (default: the world's first account);
    /// unused without --no-auth, so the environment variable may stay set across runs.
    #[arg(long, env = "ECS_EMULATOR_DEFAULT_ACCOUNT")]
    default_account: Option<String>,

    /// The largest request body accepted, in bytes.
    #[arg(long, env = "ECS_EMULATOR_MAX_BODY_BYTES", default_value_t = ecs_image_emulator::DEFAULT_MAX_BODY_BYTES)]
    max_body_bytes: usize,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ecs-image-emulator: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    // The start world is read by the emulator, and only when there is no state to load.
    let (start, origin) = match &cli.world {
        Some(path) => (
            StartWorld::File(path.clone()),
            format!("world file {}", path.display()),
        ),
        None => (StartWorld::Demo, String::from("built-in demo world")),
    };
    let profile: Profile = match &cli.profile {
        Some(path) => serde_json::from_slice(&std::fs::read(path)?)
            .map_err(|e| format!("profile {}: {e}", path.display()))?,
        None => Profile::default(),
    };
    let auth = if cli.no_auth {
        let default_account = cli
            .default_account
            .as_deref()
            .map(AccountId::new)
            .transpose()?;
        Auth::NoAuth { default_account }
    } else {
        Auth::Verify
    };
    let config = Config {
        profile,
        auth: auth.clone(),
        state_file: cli.state.clone(),
        max_body_bytes: cli.max_body_bytes,
        ..Config::starting_from(start)
    };
    let emulator = Emulator::new(config)?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(cli.listen).await?;
        let address = listener.local_addr()?;
        print_banner(&address, &origin, &cli, &auth, &emulator.world());
        serve(emulator, listener, shutdown_signal()).await?;
        println!("ecs-image-emulator: stopped");
        Ok(())
    })
}

/// What a user needs to start: where, which world, which keys, and one SDK call to paste.
fn print_banner(address: &SocketAddr, origin: &str, cli: &Cli, auth: &Auth, world: &World) {
    println!("ecs-image-emulator: listening on http://{address}");
    println!("  ECS API 2014-05-26, {origin}");
    match &cli.state {
        Some(path) => println!("  state file: {}", path.display()),
        None => println!("  state: in memory only (use --state FILE to keep it)"),
    }
    match auth {
        Auth::Verify => {
            println!("  signatures: verified (ACS3-HMAC-SHA256 and RPC V1)");
            if let Some(account) = &cli.default_account {
                println!("  default account {account}: unused without --no-auth");
            }
        }
        Auth::NoAuth { .. } => println!("  signatures: not checked (--no-auth)"),
    }
    println!("  access keys:");
    for account in &world.accounts {
        for key in &account.access_keys {
            let secret = key.secret.as_deref().unwrap_or("(no secret: not checked)");
            println!(
                "    account {:<10} AccessKeyId {}  AccessKeySecret {}",
                account.id.as_str(),
                key.id,
                secret
            );
        }
    }
    println!("  try: {}", try_line(address, world));
}

/// One Python SDK call to paste, signed with the world's first access key: DeleteImage of an
/// image its account owns (one a blocker holds on, when there is one, so that trying it shows a
/// refusal and changes nothing), else a DescribeImages of the account's images.
fn try_line(address: &SocketAddr, world: &World) -> String {
    let Some((account, key)) = world
        .accounts
        .iter()
        .find_map(|a| a.access_keys.first().map(|k| (a, k)))
    else {
        return String::from("no account of the world has an access key");
    };
    let own = |image: &&ecs_image_rules::Image| {
        relation(&world.store, &account.id, &image.region, &image.id) == Relation::Own
    };
    let blocked = world
        .store
        .images()
        .filter(own)
        .filter(|image| !blockers(&world.store, &image.id).is_empty())
        .min_by(|a, b| a.id.cmp(&b.id));
    let image = blocked.or_else(|| {
        world
            .store
            .images()
            .filter(own)
            .min_by(|a, b| a.id.cmp(&b.id))
    });
    let (region, call) = match image {
        Some(image) => (
            image.region.as_str(),
            format!(
                "delete_image(DeleteImageRequest(region_id='{}', image_id='{}'))",
                image.region, image.id
            ),
        ),
        None => {
            let region = world
                .store
                .regions()
                .next()
                .map_or(demo::REGION, |r| r.as_str());
            (
                region,
                format!(
                    "describe_images(DescribeImagesRequest(region_id='{region}', image_owner_alias='self'))"
                ),
            )
        }
    };
    let secret = key.secret.as_deref().unwrap_or("any");
    format!(
        "python3 -c \"from alibabacloud_ecs20140526.client import Client; \
         from alibabacloud_ecs20140526.models import DeleteImageRequest, DescribeImagesRequest; \
         from alibabacloud_tea_openapi.models import Config; \
         print(Client(Config(access_key_id='{}', access_key_secret='{secret}', endpoint='{address}', protocol='http', region_id='{region}')).{call})\"",
        key.id
    )
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
