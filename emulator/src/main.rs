//! `ecs-image-emulator`: serve the ECS image API on a local port.

use std::fmt;
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use ecs_image_emulator::{
    Auth, Config, Emulator, Options, StartWorld, StateFileError, demo, serve_with,
};
use ecs_image_rules::{
    AccountId, DescribeImages, Image, ImageStatus, MAX_PAGE_SIZE, OwnerAlias, Page, Profile, World,
    blockers,
};

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

    /// How long a request head may take to arrive (also the longest wait of a kept-alive
    /// connection for its next request), e.g. `10s`, `500ms` [default: 10s].
    #[arg(long, env = "ECS_EMULATOR_HEADER_READ_TIMEOUT", value_parser = duration)]
    header_read_timeout: Option<Duration>,

    /// How long a request body may take to arrive [default: 30s].
    #[arg(long, env = "ECS_EMULATOR_BODY_READ_TIMEOUT", value_parser = duration)]
    body_read_timeout: Option<Duration>,

    /// How long a connection may move no byte in either direction [default: 60s].
    #[arg(long, env = "ECS_EMULATOR_IDLE_TIMEOUT", value_parser = duration)]
    idle_timeout: Option<Duration>,

    /// How many connections may be open at once; one more is closed at once (and logged)
    /// [default: 512].
    #[arg(long, env = "ECS_EMULATOR_MAX_CONNECTIONS", value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: Option<u32>,

    /// How long SIGTERM/SIGINT wait for requests in flight before closing what is left
    /// [default: 10s].
    #[arg(long, env = "ECS_EMULATOR_SHUTDOWN_GRACE", value_parser = duration)]
    shutdown_grace: Option<Duration>,

    /// The admin API's token (`Authorization: Bearer <token>`). Required for the admin API
    /// when the listen address is not loopback; without it the admin API is off there.
    #[arg(long, env = "ECS_EMULATOR_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: Option<String>,

    /// The time of each call: `wall`, `fixed:<time>` or `stepped:<time>+<seconds>` (time like
    /// 2026-12-02T12:00:00Z); also `PUT /_emulator/clock`.
    #[arg(long, env = "ECS_EMULATOR_CLOCK", default_value = "wall")]
    clock: ecs_image_emulator::clock::Clock,

    /// How fast the service's own work progresses: a pace (`immediate`, `after:<seconds>`,
    /// `after-describes:<n>`, `manual`) for every kind, then `<kind>=<pace>` items for
    /// image-creation, import, export, copy, snapshot, instance; e.g. `manual,instance=after:2`.
    /// Also `PUT /_emulator/progress`.
    #[arg(long, env = "ECS_EMULATOR_PROGRESS", default_value = "after:1")]
    progress: ecs_image_rules::ProgressPolicy,

    /// Replay protection (off by default): a signed request's time must be within this of the
    /// server's clock, and its nonce unused within twice this. The real service's is `15m`.
    #[arg(long, env = "ECS_EMULATOR_REPLAY_WINDOW", value_parser = duration)]
    replay_window: Option<Duration>,
}

/// A duration flag: `10s`, `1m30s`, `250ms`; more than zero.
fn duration(value: &str) -> Result<Duration, String> {
    let parsed = humantime::parse_duration(value).map_err(|e| format!("{e} (e.g. 10s, 500ms)"))?;
    if parsed.is_zero() {
        return Err(String::from("must be more than zero"));
    }
    Ok(parsed)
}

/// Writes a line to stdout. A closed stdout (`| head`, a closed terminal) must not stop the
/// server: the line is dropped.
fn say(line: fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

/// Writes a line to stderr, dropped likewise when stderr is closed.
fn warn(line: fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            warn(format_args!("ecs-image-emulator: {e}"));
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
        clock: cli.clock,
        progress: cli.progress,
        ..Config::starting_from(start)
    };
    let emulator = Emulator::new(config).map_err(|e| world_file_error(cli.world.as_deref(), e))?;
    let defaults = Options::default();
    let options = Options {
        header_read_timeout: cli
            .header_read_timeout
            .unwrap_or(defaults.header_read_timeout),
        body_read_timeout: cli.body_read_timeout.unwrap_or(defaults.body_read_timeout),
        idle_timeout: cli.idle_timeout.unwrap_or(defaults.idle_timeout),
        max_connections: cli
            .max_connections
            .map_or(defaults.max_connections, |n| n as usize),
        shutdown_grace: cli.shutdown_grace.unwrap_or(defaults.shutdown_grace),
        admin_token: cli.admin_token.clone().filter(|t| !t.is_empty()),
        replay_window: cli.replay_window,
    };
    let grace = options.shutdown_grace;
    let runtime = tokio::runtime::Runtime::new()?;
    let served: Result<(), Box<dyn std::error::Error>> = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(cli.listen).await?;
        let address = listener.local_addr()?;
        let stop = stop_signal()?;
        // Under the lock, without a copy of the world: the banner reads a few pages of it.
        emulator.with_world(|world| print_banner(&address, &origin, &cli, &auth, world));
        serve_with(emulator, listener, options, stop).await?;
        Ok(())
    });
    // A request still blocked on the state file after the grace must not hold the exit.
    runtime.shutdown_timeout(grace);
    served?;
    say(format_args!("ecs-image-emulator: stopped"));
    Ok(())
}

/// A start-up error, naming a `--world` file as such (the reader serves the state file too).
fn world_file_error(world: Option<&Path>, error: StateFileError) -> Box<dyn std::error::Error> {
    match error {
        StateFileError::Io { path, source } if Some(path.as_path()) == world => {
            format!("world file {}: {source}", path.display()).into()
        }
        StateFileError::Invalid { path, source } if Some(path.as_path()) == world => format!(
            "world file {} is not a valid world: {source}",
            path.display()
        )
        .into(),
        other => other.into(),
    }
}

/// The address a client on this machine uses: the listen address, or loopback for an
/// unspecified one (`0.0.0.0` and `[::]` name no host to connect to).
fn endpoint(address: &SocketAddr) -> SocketAddr {
    let ip = match address.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, address.port())
}

/// What a user needs to start: where, which world, which keys, and one SDK call to paste. On
/// a non-loopback address it warns on stderr first, and leaves the secrets out: a banner ends
/// up in logs, and the port is now reachable by others.
fn print_banner(address: &SocketAddr, origin: &str, cli: &Cli, auth: &Auth, world: &World) {
    let local = address.ip().to_canonical().is_loopback();
    let endpoint = endpoint(address);
    if !local {
        warn(format_args!(
            "ecs-image-emulator: WARNING: listening on {address}, which is not a loopback \
             address: anyone who can reach this port can call the API{}.",
            if matches!(auth, Auth::NoAuth { .. }) {
                " without a signature (--no-auth), as any account"
            } else {
                " with the world's access keys"
            }
        ));
        warn(format_args!(
            "ecs-image-emulator: WARNING: the admin API is {}.",
            if cli.admin_token.as_deref().is_some_and(|t| !t.is_empty()) {
                "open to any client with the admin token (--admin-token)"
            } else {
                "off (set --admin-token to use it from here)"
            }
        ));
    }
    say(format_args!(
        "ecs-image-emulator: listening on http://{endpoint}"
    ));
    if endpoint != *address {
        say(format_args!("  bound to {address}"));
    }
    say(format_args!("  ECS API 2014-05-26, {origin}"));
    say(format_args!(
        "  clock: {}; progress: {} (--clock, --progress)",
        cli.clock, cli.progress
    ));
    match &cli.state {
        Some(path) => say(format_args!("  state file: {}", path.display())),
        None => say(format_args!(
            "  state: in memory only (use --state FILE to keep it)"
        )),
    }
    match auth {
        Auth::Verify => {
            say(format_args!(
                "  signatures: verified (ACS3-HMAC-SHA256 and RPC V1)"
            ));
            if let Some(account) = &cli.default_account {
                say(format_args!(
                    "  default account {account}: unused without --no-auth"
                ));
            }
        }
        Auth::NoAuth { .. } => say(format_args!("  signatures: not checked (--no-auth)")),
    }
    say(format_args!("  access keys:"));
    for account in &world.accounts {
        for key in &account.access_keys {
            let secret = match &key.secret {
                None => "(no secret: not checked)",
                Some(_) if !local => "(not shown on a non-loopback address)",
                Some(secret) => secret,
            };
            say(format_args!(
                "    account {:<10} AccessKeyId {}  AccessKeySecret {}",
                account.id.as_str(),
                key.id,
                secret
            ));
        }
    }
    say(format_args!("  try: {}", try_line(&endpoint, world, local)));
}

/// One Python SDK call to paste, signed with the world's first access key: DeleteImage of an
/// image its account owns (one a blocker holds on, when there is one, so that trying it shows a
/// refusal and changes nothing), else a DescribeImages of the account's images.
fn try_line(address: &SocketAddr, world: &World, show_secret: bool) -> String {
    let Some((account, key)) = world
        .accounts
        .iter()
        .find_map(|a| a.access_keys.first().map(|k| (a, k)))
    else {
        return String::from("no account of the world has an access key");
    };
    // The account's first images of each region (in id order, by the store's indexes: the
    // banner costs no scan of a large world), a blocked one first.
    let mut own: Vec<&Image> = Vec::new();
    for region in world.store.regions() {
        let mut request = DescribeImages::new(region.clone());
        request.statuses = ImageStatus::ALL.to_vec();
        request.owner_alias = Some(OwnerAlias::Own);
        request.page = Page::new(Some(1), Some(MAX_PAGE_SIZE)).expect("a valid page");
        if let Ok(listing) = world.store.describe_images(&account.id, &request) {
            own.extend(listing.items.iter().map(|view| view.image));
        }
    }
    let blocked = (own.iter())
        .filter(|image| !blockers(&world.store, &image.id).is_empty())
        .min_by(|a, b| a.id.cmp(&b.id));
    let image = blocked.or_else(|| own.iter().min_by(|a, b| a.id.cmp(&b.id)));
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
    let secret = match key.secret.as_deref() {
        None => "any",
        Some(_) if !show_secret => "<the key's secret>",
        Some(secret) => secret,
    };
    format!(
        "python3 -c \"from alibabacloud_ecs20140526.client import Client; \
         from alibabacloud_ecs20140526.models import DeleteImageRequest, DescribeImagesRequest; \
         from alibabacloud_tea_openapi.models import Config; \
         print(Client(Config(access_key_id='{}', access_key_secret='{secret}', endpoint='{address}', protocol='http', region_id='{region}')).{call})\"",
        key.id
    )
}

/// Resolves on SIGINT or SIGTERM. The handlers are installed here, before the banner tells
/// anyone the server is up, so that a signal sent right after it is not the default one (which
/// would end the process without its graceful stop).
#[cfg(unix)]
fn stop_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {},
            _ = terminate.recv() => {},
        }
    })
}

/// Resolves on Ctrl-C.
#[cfg(not(unix))]
fn stop_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}
