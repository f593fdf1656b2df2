use super::*;

/// `pairs`, with a `HOME` (the default data directory is found from it).
fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .chain(&[("HOME", "/home/someone")])
        .map(|(k, v)| ((*k).into(), (*v).into()))
        .collect()
}

fn file(text: &str) -> (tempfile::TempDir, Overrides) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rapd.toml");
    std::fs::write(&path, text).unwrap();
    (
        dir,
        Overrides {
            config_file: Some(path),
            ..Overrides::default()
        },
    )
}

/// `docs/configuration.md` names every key and every environment variable.
#[test]
fn the_configuration_doc_is_complete() {
    let doc = include_str!("../../../../docs/configuration.md");
    let defaults = toml::Value::try_from(Config {
        issuers: vec![Issuer {
            issuer: String::new(),
            jwks_uri: Some(String::new()),
            discovery_url: Some(String::new()),
            audiences: Vec::new(),
            token_version: Some(String::new()),
            tenants: Some(Vec::new()),
            token_types: Vec::new(),
        }],
        public_url: Some(String::new()),
        dev_issuer: Some(true),
        database_url: Some(String::new()),
        redis_url: Some(String::new()),
        control: Control {
            enabled: Some(true),
            admin_token: Some(String::new()),
            faults: Some(true),
            ..Control::default()
        },
        tls: Tls {
            listen: Some(SocketAddr::from(([127, 0, 0, 1], 8443))),
            cert_file: Some(PathBuf::new()),
            key_file: Some(PathBuf::new()),
            ..Tls::default()
        },
        dev_users: vec![DevUser {
            username: String::new(),
            password: String::new(),
            object_id: Some(uuid::Uuid::nil()),
            tenant: Some(uuid::Uuid::nil()),
            display_name: Some(String::new()),
        }],
        dev_apps: vec![DevApp {
            client_id: uuid::Uuid::nil(),
            secret: Some(String::new()),
            roles: Some(Vec::new()),
            scopes: Some(Vec::new()),
        }],
        ..Config::default()
    })
    .unwrap();
    let mut keys = Vec::new();
    for (key, value) in defaults.as_table().unwrap() {
        keys.push(key.clone());
        let nested = match value {
            toml::Value::Table(t) => Some(t),
            toml::Value::Array(a) => a.first().and_then(|v| v.as_table()),
            _ => None,
        };
        keys.extend(nested.into_iter().flat_map(|t| t.keys().cloned()));
    }
    for key in keys {
        let named = [
            format!("`{key}`"),
            format!("`[{key}]`"),
            format!("`[[{key}]]`"),
        ];
        assert!(
            named.iter().any(|n| doc.contains(n)),
            "docs/configuration.md lacks `{key}`"
        );
    }
    // And the other way: every variable the docs name is one the table parses.
    for named in doc
        .split('`')
        .filter(|w| w.starts_with("RAPD_") && !w.contains('*'))
    {
        assert!(
            Config::env_vars().any(|v| v == named),
            "docs/configuration.md names {named}, which rapd does not read"
        );
    }
    for var in Config::env_vars() {
        assert!(
            doc.contains(&format!("`{var}`")),
            "docs/configuration.md lacks `{var}`"
        );
        // A bad value of a typed variable is an error, not a warning.
        if ![
            "RAPD_CONFIG",
            "RAPD_DATA_DIR",
            "RAPD_PUBLIC_URL",
            "RAPD_LOG",
            "RAPD_REDIS_KEY_PREFIX",
            "RAPD_CONTROL_ADMIN_TOKEN",
            "RAPD_TLS_NAMES",
            "RAPD_TLS_CERT_FILE",
            "RAPD_TLS_KEY_FILE",
            "RAPD_CONSOLE_CLIENT_ID",
            "RAPD_CONSOLE_CLIENT_SECRET",
            "RAPD_CONSOLE_SCOPES",
        ]
        .contains(&var)
        {
            assert!(
                Config::default().apply_env(var, "not a value").is_err(),
                "{var}"
            );
        }
    }
}

#[test]
fn layers_in_order() {
    let (_dir, overrides) = file(
        "listen = \"127.0.0.1:9000\"\nonboarding_ttl_secs = 60\nlog = \"debug\"\n\
         [throttling]\napp_writes = 5\n",
    );
    let c = Config::resolve(&overrides, &env(&[("RAPD_ONBOARDING_TTL_SECS", "120")])).unwrap();
    assert_eq!(c.listen, "127.0.0.1:9000".parse().unwrap());
    assert_eq!(c.onboarding_ttl_secs, 120);
    assert_eq!(c.log, "debug");
    assert_eq!(c.throttling.app_writes, 5);
    assert_eq!(c.throttling.tenant_writes, 200);
    let flags = Overrides {
        listen: Some("127.0.0.1:9100".parse().unwrap()),
        ..overrides
    };
    let c = Config::resolve(&flags, &env(&[("RAPD_THROTTLING", "off")])).unwrap();
    assert_eq!(c.listen, "127.0.0.1:9100".parse().unwrap());
    assert!(!c.throttling.enabled);
}

#[test]
fn profiles_decide_the_dev_issuer() {
    let c = Config::resolve(&Overrides::default(), &env(&[])).unwrap();
    assert!(c.dev_issuer_enabled());
    let prod = env(&[("RAPD_PROFILE", "production")]);
    assert!(
        Config::resolve(&Overrides::default(), &prod).is_err(),
        "no issuer at all"
    );
    let prod_dev = env(&[("RAPD_PROFILE", "production"), ("RAPD_DEV_ISSUER", "true")]);
    let c = Config::resolve(&Overrides::default(), &prod_dev).unwrap();
    assert_eq!(c.profile, Profile::Production);
    assert!(c.dev_issuer_enabled());
    let (_dir, overrides) = file(
        "profile = \"production\"\nlisten = \"0.0.0.0:443\"\n[[issuers]]\n\
         issuer = \"https://login.microsoftonline.com/{tenantid}/v2.0\"\n\
         jwks_uri = \"https://login.microsoftonline.com/common/discovery/v2.0/keys\"\n\
         audiences = [\"https://graph.microsoft.com\"]\n",
    );
    let c = Config::resolve(&overrides, &env(&[])).unwrap();
    assert!(
        !c.dev_issuer_enabled(),
        "production may listen publicly without the dev issuer"
    );
}

#[test]
fn refuses_public_bind_with_the_dev_issuer_and_typos() {
    let public = Overrides {
        listen: Some("0.0.0.0:8080".parse().unwrap()),
        ..Overrides::default()
    };
    assert!(Config::resolve(&public, &env(&[])).is_err());
    let allowed = env(&[("RAPD_DEV_ISSUER_ON_PUBLIC_ADDRESS", "true")]);
    assert!(Config::resolve(&public, &allowed).is_ok());
    let (_dir, typo) = file("lisen = \"127.0.0.1:9000\"\n");
    assert!(Config::resolve(&typo, &env(&[])).is_err());
    assert!(Config::resolve(&Overrides::default(), &env(&[("RAPD_PERMISSIONS", "all")])).is_err());
    let graph = env(&[("RAPD_PERMISSIONS", "graph")]);
    assert_eq!(
        Config::resolve(&Overrides::default(), &graph)
            .unwrap()
            .permissions,
        Permissions::Graph
    );
}

#[test]
fn database_and_redis_urls_are_checked_and_redacted() {
    let bad = env(&[("RAPD_DATABASE_URL", "mysql://x@h/db")]);
    assert!(Config::resolve(&Overrides::default(), &bad).is_err());
    let bad = env(&[("RAPD_REDIS_URL", "http://h:6379")]);
    assert!(Config::resolve(&Overrides::default(), &bad).is_err());
    let good = env(&[
        ("RAPD_DATABASE_URL", "postgres://rapd:s3cret@db:5432/rapd"),
        ("RAPD_REDIS_URL", "redis://:hunter2@cache:6379/0"),
        ("RAPD_DATABASE_POOL_SIZE", "4"),
    ]);
    let c = Config::resolve(&Overrides::default(), &good).unwrap();
    assert_eq!(c.database_pool_size, 4);
    let shown = format!("{:?}", c.redacted());
    assert!(
        !shown.contains("s3cret") && !shown.contains("hunter2"),
        "{shown}"
    );
    assert!(
        shown.contains("postgres://rapd:***@db:5432/rapd"),
        "{shown}"
    );
    let zero = env(&[("RAPD_DATABASE_POOL_SIZE", "0")]);
    assert!(Config::resolve(&Overrides::default(), &zero).is_err());
}

#[test]
fn control_limits_and_profiles() {
    let at = |n: &str| env(&[("RAPD_REQUEST_LOG_CAPACITY", n)]);
    assert!(Config::resolve(&Overrides::default(), &at("100000")).is_ok());
    assert!(Config::resolve(&Overrides::default(), &at("100001")).is_err());
    assert!(Config::resolve(&Overrides::default(), &at("1")).is_ok());
    assert!(Config::resolve(&Overrides::default(), &at("0")).is_err());
    let dev = Config::resolve(&Overrides::default(), &env(&[])).unwrap();
    assert!(dev.control_enabled() && dev.faults_enabled());
    let prod = [("RAPD_PROFILE", "production"), ("RAPD_DEV_ISSUER", "true")];
    let c = Config::resolve(&Overrides::default(), &env(&prod)).unwrap();
    assert!(!c.control_enabled() && !c.faults_enabled());
    let mut on = prod.to_vec();
    on.push(("RAPD_CONTROL", "on"));
    let c = Config::resolve(&Overrides::default(), &env(&on)).unwrap();
    assert!(c.control_enabled() && !c.faults_enabled());
    on.push(("RAPD_CONTROL_FAULTS", "on"));
    assert!(Config::resolve(&Overrides::default(), &env(&on)).is_err());
    let short = env(&[("RAPD_CONTROL_ADMIN_TOKEN", "short")]);
    assert!(Config::resolve(&Overrides::default(), &short).is_err());
    let secret = env(&[("RAPD_CONTROL_ADMIN_TOKEN", "sixteen-chars-secret")]);
    let c = Config::resolve(&Overrides::default(), &secret).unwrap();
    assert!(
        !format!("{c:#?}").contains("sixteen-chars-secret"),
        "never printed"
    );
}

#[test]
fn the_data_directory_defaults_to_the_users_data_home() {
    let at = |pairs: &[(&str, &str)]| Config::resolve(&Overrides::default(), &env(pairs));
    let home = PathBuf::from("/home/someone/.local/share/rapd");
    assert_eq!(at(&[]).unwrap().data_dir, home);
    let xdg = at(&[("XDG_DATA_HOME", "/srv/data")]).unwrap();
    assert_eq!(xdg.data_dir, PathBuf::from("/srv/data/rapd"));
    let relative = at(&[("XDG_DATA_HOME", "data")]).unwrap();
    assert_eq!(
        relative.data_dir, home,
        "a relative XDG_DATA_HOME is ignored, as the spec says"
    );
    let given = at(&[("RAPD_DATA_DIR", "/var/lib/rapd")]).unwrap();
    assert_eq!(given.data_dir, PathBuf::from("/var/lib/rapd"));
    let (_dir, file) = file("data_dir = \"/opt/rapd\"\n");
    let c = Config::resolve(&file, &env(&[])).unwrap();
    assert_eq!(c.data_dir, PathBuf::from("/opt/rapd"));
    let error = Config::resolve(&Overrides::default(), &[]).unwrap_err();
    assert!(format!("{error:#}").contains("RAPD_DATA_DIR"), "{error:#}");
}

#[test]
fn the_console_signs_in_at_an_issuer_only_with_a_public_url_and_hides_its_secret() {
    let issuer = "[[issuers]]\nissuer = \"https://login.example/{tenantid}/v2.0\"\n\
                  discovery_url = \"https://login.example/v2.0/.well-known/openid-configuration\"\n\
                  audiences = [\"https://graph.microsoft.com\"]\n";
    let (_dir, no_url) = file(&format!("{issuer}[console]\nclient_id = \"c1\"\n"));
    let refused = Config::resolve(&no_url, &env(&[])).unwrap_err();
    assert!(format!("{refused:#}").contains("public_url"), "{refused:#}");

    let text =
        format!("public_url = \"https://rapd.example/\"\n{issuer}[console]\nclient_id = \"c1\"\n");
    let (_dir, given) = file(&text);
    let secret = env(&[("RAPD_CONSOLE_CLIENT_SECRET", "hunter2-secret")]);
    let c = Config::resolve(&given, &secret).unwrap();
    let sign_in = c.console_sign_in().unwrap().unwrap();
    assert_eq!(
        sign_in.redirect_uri,
        "https://rapd.example/console/callback"
    );
    assert_eq!(
        sign_in.discovery_url, "https://login.example/v2.0/.well-known/openid-configuration",
        "the issuer's document by default"
    );
    assert_eq!(sign_in.client_secret.as_deref(), Some("hunter2-secret"));
    for shown in [
        format!("{:?}", c.redacted()),
        format!("{c:?}"),
        format!("{sign_in:?}"),
    ] {
        assert!(!shown.contains("hunter2"), "{shown}");
    }

    let plain = env(&[("RAPD_CONSOLE_DISCOVERY_URL", "http://login.example/")]);
    assert!(
        Config::resolve(&given, &plain).is_err(),
        "http only to loopback"
    );
    assert!(Config::default().console_sign_in().unwrap().is_none());
}
