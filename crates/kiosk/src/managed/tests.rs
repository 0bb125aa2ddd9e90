use super::*;

const TOKEN: &str = "BFT-K3M2ZQ7XW4PLN6RT5YJ2HV3ABC";

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

fn entries(list: &[(&str, Value)]) -> Vec<Entry> {
    list.iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

fn from(list: &[(&str, Value)]) -> (Managed, Vec<Problem>) {
    Managed::from_entries(entries(list))
}

#[test]
fn every_key_in_the_shapes_each_store_gives() {
    // The shapes the TOML file, the registry (DWORD booleans) and a plist give.
    let (m, problems) = from(&[
        ("portal_url", text(" https://portal.school.example/ ")),
        ("language", text("ES")),
        ("idle_timeout_secs", Value::Number(300)),
        ("sounds", Value::Number(0)),
        ("enrollment_token", text(TOKEN)),
        ("kiosk_name", text("  Library 2 ")),
    ]);
    assert_eq!(problems, []);
    assert_eq!(
        m.portal_url.as_deref(),
        Some("https://portal.school.example")
    );
    assert_eq!(m.language, Some(Language::Es));
    assert_eq!(m.idle_timeout_secs, Some(300));
    assert_eq!(m.sounds, Some(false));
    assert_eq!(
        m.enrollment_token.as_ref().map(Redacted::expose),
        Some(TOKEN)
    );
    assert_eq!(m.kiosk_name.as_deref(), Some("Library 2"));
    assert_eq!(
        m.locked(),
        [
            Locked::PortalUrl,
            Locked::KioskName,
            Locked::IdleTimeoutSecs,
            Locked::Language,
            Locked::Sounds
        ]
    );
    let (m, _) = from(&[("sounds", Value::Bool(true)), ("sounds", Value::Number(1))]);
    assert_eq!(m.sounds, Some(true));
    let (m, problems) = from(&[
        ("enrollment_token", text("abcde-fghij")),
        ("portal_url", text("http://127.0.0.1:8080")),
    ]);
    assert_eq!(problems, [], "a plain code and a loopback portal");
    assert!(m.enrollment_token.is_some());
    assert_eq!(m.portal_url.as_deref(), Some("http://127.0.0.1:8080"));
}

#[test]
fn a_bad_value_costs_only_its_own_key_and_is_never_repeated() {
    let secret = "BFT-SECRETSECRETSECRETSECRET!!";
    let long = "x".repeat(10_000);
    let (m, problems) = from(&[
        ("portal_url", text("http://portal.school.example")),
        ("language", text("fr")),
        ("idle_timeout_secs", Value::Number(5)),
        ("sounds", text("yes")),
        ("enrollment_token", text(secret)),
        ("kiosk_name", text(&long)),
        ("sounds", Value::Number(2)),
        ("idle_timeout_secs", text("300")),
        ("language", Value::Bool(true)),
        ("portal_url", Value::Other("a list")),
        ("enrollment_token", Value::Number(42)),
        ("kiosk_name", text("Room\u{7}12")),
        ("idle_timeout_secs", Value::Number(i64::MAX)),
        ("idle_timeout_secs", Value::Number(-60)),
        ("idle_timeout_secs", Value::Number(3601)),
        ("portal_url", text(&format!("https://{long}.example"))),
        ("enrollment_token", text(&"A".repeat(1000))),
        (
            "portal_url",
            text("https://portal.school.example/kiosk?x=1"),
        ),
        ("portal_url", text("https://user:pw@portal.school.example")),
        ("kiosk_name", text("   ")),
    ]);
    assert!(m.is_empty(), "nothing valid: {m:?}");
    assert_eq!(problems.len(), 20, "{problems:#?}");
    for problem in &problems {
        let shown = problem.to_string();
        assert!(!shown.contains("SECRET"), "{shown}");
        assert!(!shown.contains("xxxx"), "{shown}");
        assert!(!shown.contains("Room"), "{shown}");
        assert!(shown.ends_with("ignored"), "{shown}");
    }
    assert!(matches!(
        problems[2],
        Problem::OutOfRange {
            key: Key::IdleTimeoutSecs,
            ..
        }
    ));
    assert_eq!(
        problems[7].to_string(),
        "idle_timeout_secs should be a number, not text; ignored"
    );
    // The good keys beside the bad ones still apply.
    let (m, problems) = from(&[
        ("idle_timeout_secs", Value::Number(5)),
        ("language", text("en")),
    ]);
    assert_eq!(problems.len(), 1);
    assert_eq!(
        (m.idle_timeout_secs, m.language),
        (None, Some(Language::En))
    );
}

#[test]
fn unknown_keys_are_reported_escaped_and_short() {
    let (m, problems) = from(&[
        ("Portal_URL", text("https://a.example")),
        (&format!("evil\n{}", "k".repeat(500)), Value::Bool(true)),
        ("language", text("es")),
    ]);
    assert_eq!(m.language, Some(Language::Es));
    assert_eq!(m.portal_url, None, "keys are exact in a file and a plist");
    assert_eq!(problems.len(), 2);
    let shown = problems[1].to_string();
    assert!(shown.contains("evil\\n"), "{shown}");
    assert!(shown.len() < 80, "{shown}");
}

#[test]
fn values_never_print_their_text() {
    let (m, _) = from(&[("enrollment_token", text(TOKEN))]);
    assert!(!format!("{m:?}").contains("BFT"));
    assert!(!format!("{:?}", text(TOKEN)).contains("BFT"));
}

fn user_config() -> KioskConfig {
    KioskConfig {
        portal_url: Some("https://portal.school.example".into()),
        kiosk_name: "Room 12".into(),
        kiosk_id: Some("k_1".into()),
        idle_timeout_secs: 120,
        language: Language::En,
        sounds: true,
        ..KioskConfig::default()
    }
}

#[test]
fn managed_settings_win_over_the_users_and_the_schools() {
    let (managed, _) = from(&[
        ("idle_timeout_secs", Value::Number(600)),
        ("language", text("es")),
        ("sounds", Value::Bool(false)),
    ]);
    let mut config = user_config();
    managed.overlay(&mut config);
    assert_eq!(
        (config.idle_timeout_secs, config.language, config.sounds),
        (600, Language::Es, false)
    );
    assert_eq!(config.kiosk_id.as_deref(), Some("k_1"), "same portal");
    assert_eq!(config.kiosk_name, "Room 12", "not managed: the teacher's");
    // The school's settings arrive, then IT's go back over them.
    config.apply_school_settings(&badgein_proto::KioskSettings {
        idle_timeout_secs: 90,
        allow_typed_login: false,
        allowed_origins: vec![],
        languages: vec!["en".into()],
        revoked: false,
    });
    managed.overlay(&mut config);
    assert_eq!(
        (config.idle_timeout_secs, config.language),
        (600, Language::Es)
    );
    assert!(!config.allow_typed_login, "not managed: the school's");
    assert_eq!(Managed::default().locked(), []);
}

#[test]
fn a_managed_portal_elsewhere_drops_the_old_enrollment() {
    let (same, _) = from(&[("portal_url", text("https://portal.school.example/"))]);
    let mut config = user_config();
    same.overlay(&mut config);
    assert_eq!(config.kiosk_id.as_deref(), Some("k_1"));
    let (other, _) = from(&[("portal_url", text("https://portal.district.example"))]);
    other.overlay(&mut config);
    assert_eq!(
        config.portal_url.as_deref(),
        Some("https://portal.district.example")
    );
    assert_eq!(config.kiosk_id, None);
}

#[test]
fn setup_cannot_change_a_locked_setting() {
    let (managed, _) = from(&[
        ("portal_url", text("https://portal.school.example")),
        ("kiosk_name", text("Library")),
        ("idle_timeout_secs", Value::Number(600)),
        ("language", text("es")),
        ("sounds", Value::Bool(false)),
    ]);
    let mut change = SetupChange {
        portal_url: "https://elsewhere.example".into(),
        kiosk_name: "Mine".into(),
        camera_index: Some(3),
        idle_timeout_secs: 30,
        language: Language::En,
        sounds: true,
        new_pin: Some("135790".into()),
    };
    managed.lock(&mut change);
    assert_eq!(change.portal_url, "https://portal.school.example");
    assert_eq!(change.kiosk_name, "Library");
    assert_eq!(
        (change.idle_timeout_secs, change.language, change.sounds),
        (600, Language::Es, false)
    );
    assert_eq!(change.camera_index, Some(3), "not managed");
    assert_eq!(change.new_pin.as_deref(), Some("135790"));
    let mut current = user_config();
    current.pin_hash = Some(crate::pin::hash("246813").unwrap());
    let applied = crate::setup::apply(&current, change).unwrap();
    assert!(!applied.portal_changed);
}

#[test]
fn the_toml_file_gives_entries_of_every_kind() {
    let doc = br#"
portal_url = "https://portal.school.example"
idle_timeout_secs = 300
sounds = false
ratio = 1.5
list = [1, 2]
when = 2026-12-05
[table]
x = 1
"#;
    let mut got = parse_toml(doc).unwrap();
    got.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        got,
        entries(&[
            ("idle_timeout_secs", Value::Number(300)),
            ("list", Value::Other("a list")),
            ("portal_url", text("https://portal.school.example")),
            ("ratio", Value::Other("a decimal number")),
            ("sounds", Value::Bool(false)),
            ("table", Value::Other("a table")),
            ("when", Value::Other("a date")),
        ])
    );
}

#[test]
fn a_broken_file_is_reported_by_position_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kiosk.toml");
    std::fs::write(
        &path,
        format!("language = \"es\"\nenrollment_token = \"{TOKEN}\n"),
    )
    .unwrap();
    let err = toml_file::read(&path).unwrap_err();
    assert!(
        matches!(err, ManagedError::Syntax { line: 2, .. }),
        "{err:?}"
    );
    assert!(!err.to_string().contains("BFT"), "{err}");
    std::fs::write(&path, [b'a', b' ', b'=', b' ', 0xff, 0xfe]).unwrap();
    assert!(matches!(
        toml_file::read(&path),
        Err(ManagedError::Syntax { line: 1, .. })
    ));
    std::fs::write(&path, vec![b'#'; toml_file::MAX_BYTES + 1]).unwrap();
    assert!(matches!(
        toml_file::read(&path),
        Err(ManagedError::TooLarge { .. })
    ));
}

#[test]
fn no_file_is_no_managed_configuration_and_an_unreadable_one_an_error() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(toml_file::read(&dir.path().join("none.toml")).unwrap(), []);
    // A directory where the file should be cannot be read (even by root, unlike a mode).
    let err = toml_file::read(dir.path()).unwrap_err();
    assert!(matches!(err, ManagedError::Read { .. }), "{err:?}");
}

#[test]
fn a_file_not_owned_by_root_is_still_read() {
    // The tests do not run as root in CI; the file is the test user's, mode 0644.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kiosk.toml");
    std::fs::write(&path, "language = \"es\"\n").unwrap();
    let (m, problems) = Managed::from_entries(toml_file::read(&path).unwrap());
    assert_eq!((m.language, problems), (Some(Language::Es), vec![]));
}

#[test]
fn a_portal_it_set_is_the_only_one_allowed() {
    assert!(Managed::default().allows_portal("https://b.example"));
    let (managed, _) = from(&[("portal_url", text("https://a.example"))]);
    assert!(managed.allows_portal("https://a.example"));
    assert!(!managed.allows_portal("https://b.example"));
}
