//! `rapd serve`: opens the data directory and serves the Graph API until SIGINT or SIGTERM.

use std::{io::Write, sync::Arc, time::Duration};

use anyhow::Context;
use rapd_auth::{
    DEV_TENANT, DEV_USER, DevIssuer, IssuerConfig, JwksSettings, JwksSource, PermissionProfile,
    SCOPE_READ_WRITE, Subject, TokenRequest, Verifier, VerifierConfig,
};
use rapd_control::ControlConfig;
use rapd_idp::IdentityConfig;
use rapd_model::{
    Actor, AuditContext, Clock, Fixture, PartnerFixture, PartnerId, SystemClock, TenantFixture,
    TenantId, Timestamp, new_secret,
};
use rapd_server::{
    AppState, CertificateSource, ConnectionLimits, Listeners, Provisioning, ServerConfig,
    SharedCounters, ThrottleLimits,
};
use rapd_store::{ControlStore, Engine, PageQuery, PartnerStore};
use tokio::net::TcpListener;
use uuid::Uuid;

use crate::{
    config::{Config, LogFormat, Overrides, Permissions, Profile},
    storage::open_store,
};

/// The display name of the development tenant's sample partner.
pub const SAMPLE_NAME: &str = "Contoso Remote Assistance (sample)";

/// The lifetime of the token printed at start-up.
const BANNER_TOKEN_TTL_SECS: u64 = 24 * 3600;

pub fn run(overrides: &Overrides) -> anyhow::Result<()> {
    let config = Config::load(overrides)?;
    init_logging(&config.log, config.log_format);
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if let Some(threads) = config.worker_threads {
        runtime.worker_threads(threads);
    }
    runtime
        .enable_all()
        .build()
        .context("cannot start the async runtime")?
        .block_on(serve(config))
}

/// The log on stderr: `filter` as `tracing` reads it, as text (coloured only on a terminal) or
/// as one JSON object per line.
pub fn init_logging(filter: &str, format: LogFormat) {
    use std::io::IsTerminal;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).init(),
        LogFormat::Json => builder.json().flatten_event(true).with_ansi(false).init(),
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let store = open_store(&config, clock.clone()).await?;
    let issuer = match config.dev_issuer_enabled() {
        true => Some(Arc::new(DevIssuer::load_or_create(&config.data_dir)?)),
        false => None,
    };
    // The sample is for a developer's first curl; production starts empty.
    let sample = match (&issuer, config.profile) {
        (Some(_), Profile::Development) => sample_partner(store.as_ref(), clock.now()).await?,
        _ => None,
    };
    let verifier = Verifier::from_config(issuer.as_deref(), verifier_config(&config)?).await;
    let control = super::control::control_config(&config)?;
    let identity = super::identities::identity_config(&config)?;
    let mut state = AppState::new(
        store,
        verifier,
        issuer.clone(),
        clock.clone(),
        server_config(&config, control.clone(), identity.clone())?,
    );
    if let (Some(url), true) = (&config.redis_url, config.throttling.enabled) {
        let shared = SharedCounters::connect(url, &config.redis_key_prefix)
            .await
            .context("cannot reach redis_url for the shared throttling counters")?;
        state = state.with_shared_throttle(shared);
    }
    let http = match config.tls.only {
        true => None,
        false => Some(bind(config.listen).await?),
    };
    let https = match config.tls.listen {
        Some(listen) => {
            let served = certificate_source(&config).prepare(time::OffsetDateTime::now_utc())?;
            let acceptor = served.acceptor()?;
            Some((bind(listen).await?, acceptor, served))
        }
        None => None,
    };
    let http_address = http.as_ref().map(TcpListener::local_addr).transpose()?;
    let https_address = https.as_ref().map(|(l, _, _)| l.local_addr()).transpose()?;
    // Links and the printed lines use https when that is all there is.
    let (scheme, address) = match (http_address, https_address) {
        (Some(a), _) => ("http", a),
        (None, Some(a)) => ("https", a),
        (None, None) => unreachable!("Config::validate requires a listener"),
    };
    let base = format!("{scheme}://{address}");
    match &issuer {
        Some(issuer) => {
            let token = issuer.mint(
                &TokenRequest {
                    tenant: DEV_TENANT,
                    subject: Subject::User(DEV_USER),
                    scopes: vec![SCOPE_READ_WRITE.to_owned()],
                    ttl_secs: BANNER_TOKEN_TTL_SECS,
                },
                clock.now().unix_secs(),
            )?;
            print_banner(&base, &token, sample, config.profile);
            print_profile_line(&config);
            if let Some(control) = &control {
                print_control_line(&base, &control.admin_token);
            }
            print_identity_banner(
                https_address.map(|a| format!("https://{a}")).as_deref(),
                http_address,
                https.as_ref().and_then(|(_, _, s)| s.ca_file.as_deref()),
                &identity,
            );
        }
        None => {
            let line =
                format!("rapd is serving Microsoft Graph's remoteAssistancePartners on {base}\n");
            let _ = std::io::stdout().lock().write_all(line.as_bytes());
            print_profile_line(&config);
        }
    }
    log_serving(&config, http_address, https_address);
    if issuer.is_some() {
        // Allowed only by dev_issuer_on_public_address; said at every start, since anyone who
        // can read the data directory can mint tokens this server trusts.
        for address in [http_address, https_address].into_iter().flatten() {
            if !address.ip().is_loopback() {
                tracing::warn!(%address, "the development issuer is served on a non-loopback address: anyone with its data directory can mint tokens this server accepts");
            }
        }
    }
    let limits = ConnectionLimits {
        header_read_timeout: Duration::from_secs(config.header_read_timeout_secs),
        drain_deadline: Duration::from_secs(config.shutdown_drain_secs),
    };
    if config.partner_sim.enabled {
        let settings = super::partner_sim::Settings::from(&config.partner_sim);
        tokio::spawn(super::partner_sim::run_in_process(
            state.onboarding_codes(),
            base.clone(),
            settings,
        ));
        tracing::info!(
            "partner simulator on: onboarding codes are redeemed after {} s",
            config.partner_sim.delay_secs
        );
    }
    let listeners = Listeners {
        http,
        https: https.map(|(listener, acceptor, _)| (listener, acceptor)),
    };
    rapd_server::run_listeners(listeners, state, limits, shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// The start-up log line: where rapd listens, and where its data is. With PostgreSQL the data
/// directory is named only if something there is used (the issuer key, the control token, the
/// development CA).
fn log_serving(
    config: &Config,
    http: Option<std::net::SocketAddr>,
    https: Option<std::net::SocketAddr>,
) {
    let listen: Vec<String> = [("http", http), ("https", https)]
        .into_iter()
        .filter_map(|(scheme, a)| a.map(|a| format!("{scheme}://{a}")))
        .collect();
    let listen = listen.join(" ");
    let profile = match config.profile {
        Profile::Development => "development",
        Profile::Production => "production",
    };
    let files_used = config.dev_issuer_enabled()
        || (config.control_enabled() && config.control.admin_token.is_none())
        || (config.tls.listen.is_some() && config.tls.cert_file.is_none());
    match &config.database_url {
        Some(_) if !files_used => {
            tracing::info!(%listen, profile, database = "postgresql", "serving")
        }
        Some(_) => tracing::info!(
            %listen,
            profile,
            database = "postgresql",
            data_dir = %config.data_dir.display(),
            "serving"
        ),
        None => tracing::info!(
            %listen,
            profile,
            database = "sqlite",
            data_dir = %config.data_dir.display(),
            "serving"
        ),
    }
}

async fn bind(address: std::net::SocketAddr) -> anyhow::Result<TcpListener> {
    TcpListener::bind(address)
        .await
        .with_context(|| format!("cannot listen on {address}"))
}

/// The operator's certificate files, or the development CA's leaf.
fn certificate_source(config: &Config) -> CertificateSource {
    match (&config.tls.cert_file, &config.tls.key_file) {
        (Some(cert), Some(key)) => CertificateSource::Files {
            cert: cert.clone(),
            key: key.clone(),
        },
        _ => CertificateSource::Development {
            data_dir: config.data_dir.clone(),
            extra_names: config.tls.names.clone(),
        },
    }
}

fn server_config(
    config: &Config,
    control: Option<ControlConfig>,
    identity: IdentityConfig,
) -> anyhow::Result<ServerConfig> {
    let t = &config.throttling;
    Ok(ServerConfig {
        onboarding_ttl_secs: config.onboarding_ttl_secs,
        public_url: config.public_url.clone(),
        max_body_bytes: config.max_body_bytes,
        body_read_timeout: Duration::from_secs(config.body_read_timeout_secs),
        provisioning: match config.profile {
            Profile::Development => Provisioning::OnFirstUse,
            Profile::Production => Provisioning::ByOperator,
        },
        throttle: t.enabled.then_some(ThrottleLimits {
            window_secs: t.window_secs,
            tenant_writes: t.tenant_writes,
            tenant_requests: t.tenant_requests,
            app_writes: t.app_writes,
            app_requests: t.app_requests,
        }),
        max_concurrent_requests: config.max_concurrent_requests,
        metrics: config.metrics,
        permissions: match config.permissions {
            Permissions::FoundingPage => PermissionProfile::FoundingPage,
            Permissions::Graph => PermissionProfile::Graph,
        },
        heartbeat_interval_secs: config.heartbeat_interval_secs,
        control,
        identity,
        console_sign_in: config.console_sign_in()?,
    })
}

/// The token verifier's settings: the development issuer and every `[[issuers]]` entry.
pub fn verifier_config(config: &Config) -> anyhow::Result<VerifierConfig> {
    let issuers = config
        .issuers
        .iter()
        .map(|i| IssuerConfig {
            issuer: i.issuer.clone(),
            jwks: match (&i.jwks_uri, &i.discovery_url) {
                (Some(uri), _) => JwksSource::JwksUri(uri.clone()),
                (None, Some(url)) => JwksSource::Discovery(url.clone()),
                (None, None) => unreachable!("Config::validate requires one"),
            },
            audiences: i.audiences.clone(),
            token_version: i.token_version.clone(),
            tenants: i.tenants.clone(),
            token_types: i.token_types.clone(),
        })
        .collect();
    let j = &config.jwks;
    let verifier = VerifierConfig {
        dev_issuer_trusted: config.dev_issuer_enabled(),
        issuers,
        jwks: JwksSettings {
            min_refresh_interval: Duration::from_secs(j.min_refresh_interval_secs),
            fetch_timeout: Duration::from_secs(j.fetch_timeout_secs),
            max_bytes: j.max_bytes,
            max_age: Duration::from_secs(j.max_age_secs),
        },
    };
    verifier.validate()?;
    Ok(verifier)
}

/// The development tenant's first partner, created `onboarded` on the first start of a fresh
/// data directory, so that the printed `curl` line visibly disconnects it.
async fn sample_partner(store: &dyn Engine, now: Timestamp) -> anyhow::Result<Option<PartnerId>> {
    let tenant = TenantId(DEV_TENANT);
    let first_page = PageQuery {
        limit: 1,
        ..PageQuery::default()
    };
    if let Some(first) = PartnerStore::list(store, tenant, &first_page)
        .await?
        .items
        .first()
    {
        return Ok(Some(first.id));
    }
    if !PartnerStore::audit_entries(store, tenant).await?.is_empty() {
        return Ok(None); // the user removed every partner; do not bring one back
    }
    let id = PartnerId::new_random();
    let fixture = Fixture {
        tenants: vec![TenantFixture {
            id: DEV_TENANT,
            display_name: None,
            intune_licensed: true,
            settings: None,
            partners: vec![PartnerFixture {
                id: Some(id.0),
                display_name: Some(SAMPLE_NAME.into()),
                onboarding_url: Some("https://remote-assistance.contoso.example/onboarding".into()),
                onboarding_status: Some("onboarded".into()),
                last_connection_date_time: Some(now.to_string()),
                onboarding_request_expiry_date_time: None,
                partner_domain: None,
            }],
        }],
    };
    let states = fixture.validate(now, new_secret)?;
    let audit = AuditContext {
        actor: Actor {
            actor_type: "rapd".into(),
            ..Actor::default()
        },
        correlation_id: Uuid::new_v4(),
    };
    ControlStore::seed(store, states, audit).await?;
    Ok(Some(id))
}

/// Prints where rapd listens, a token and a `curl` line. A closed stdout must not stop the
/// server, so write errors are ignored.
fn print_banner(base: &str, token: &str, sample: Option<PartnerId>, profile: Profile) {
    let partners = format!("{base}/v1.0/deviceManagement/remoteAssistancePartners");
    let try_line = match (sample, profile) {
        (_, Profile::Production) => String::new(),
        (Some(id), Profile::Development) => format!(
            "Disconnect the sample partner (it is onboarded; afterwards notOnboarded):\n  curl -i -X POST -H \"Authorization: Bearer $TOKEN\" \
             {partners}/{id}/disconnect\nThen read it:\n  curl -s -H \"Authorization: Bearer $TOKEN\" \
             {partners}/{id}\n\n"
        ),
        (None, Profile::Development) => {
            format!("List partners:\n  curl -s -H \"Authorization: Bearer $TOKEN\" {partners}\n\n")
        }
    };
    let banner = format!(
        "rapd is serving Microsoft Graph's remoteAssistancePartners on {base}\n  \
         v1.0: {base}/v1.0    beta: {base}/beta\n\n\
         A development token (tenant {DEV_TENANT}, 24 hours; `rapd token` mints more):\n\
         TOKEN={token}\n\n{try_line}"
    );
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(banner.as_bytes()).and_then(|()| out.flush());
}

/// The active profile and permission table, and the switch to the other table.
fn print_profile_line(config: &Config) {
    let profile = match config.profile {
        Profile::Development => "development",
        Profile::Production => "production",
    };
    let permissions = match config.permissions {
        Permissions::FoundingPage => {
            "founding-page (delegated work or school tokens only, as the Graph reference page of \
             disconnect says; RAPD_PERMISSIONS=graph also accepts application tokens)"
        }
        Permissions::Graph => "graph (today's Graph table: application permissions accepted too)",
    };
    let line = format!("Profile: {profile}; permissions: {permissions}\n\n");
    let _ = std::io::stdout().lock().write_all(line.as_bytes());
}

/// Where the test-control API is and its admin token (stdout only, never the log).
fn print_control_line(base: &str, token: &str) {
    let line = format!(
        "Test control (reset, seed, export, faults, request log) at {base}/_rapd/ \
         with this admin token (`rapd control-token` prints it again):\nCONTROL_TOKEN={token}\n\n"
    );
    let _ = std::io::stdout().lock().write_all(line.as_bytes());
}

/// Where to point MSAL and azure-identity, and who can sign in.
fn print_identity_banner(
    https: Option<&str>,
    http: Option<std::net::SocketAddr>,
    ca: Option<&std::path::Path>,
    identity: &IdentityConfig,
) {
    let mut text = String::new();
    match https {
        Some(origin) => {
            text.push_str(&format!(
                "https on {origin} (Graph and the identity provider): authority {origin}/<tenant>\n"
            ));
            if let Some(ca) = ca {
                text.push_str(&format!(
                    "  development CA: {} (`rapd ca` prints the trust variables)\n",
                    ca.display()
                ));
            }
        }
        None => text.push_str(&format!(
            "Identity libraries need https for the authority: add --tls-listen {}\n",
            tls_hint(http)
        )),
    }
    if let Some(user) = identity.users.first() {
        text.push_str(&format!(
            "  development user: {} / {}\n",
            user.username, user.password
        ));
    }
    if let Some(app) = identity.apps.first() {
        text.push_str(&format!(
            "  development app: client id {}, secret {}\n",
            app.client_id,
            app.secret.as_deref().unwrap_or("(public client)")
        ));
    }
    text.push('\n');
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// An https address to suggest beside the plain listener: its host, port 8443 (or the next one,
/// if the plain listener has 8443 itself).
fn tls_hint(http: Option<std::net::SocketAddr>) -> std::net::SocketAddr {
    let http = http.unwrap_or_else(|| std::net::SocketAddr::from(([127, 0, 0, 1], 8080)));
    let port = if http.port() == 8443 { 8444 } else { 8443 };
    std::net::SocketAddr::new(http.ip(), port)
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: draining in-flight requests");
}
