//! The command line. Values scripts need (a badge payload, a code) go alone to stdout;
//! everything else goes to stderr.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::badges::StaffBadges;
use crate::{Config, KioskId, Portal, SystemClock, UserId, VoidScope};

mod apps;
mod backup;
mod delegate;
mod demo;
mod fleet;
mod keys;
pub mod logging;
mod school;
mod setup_qr_file;

#[derive(Debug, Parser)]
#[command(
    name = "badgein-portal",
    version,
    about = "BadgeIn portal service: badges, kiosks, sign-in"
)]
pub struct Cli {
    /// SQLite path (created if missing) or postgres:// URL.
    #[arg(
        long,
        global = true,
        env = "BADGEIN_DB",
        default_value = "./badgein.db"
    )]
    pub db: String,
    /// The key-encryption key file that seals the identity provider's signing keys (made at
    /// first start). Default: beside a SQLite database (<db>.kek); required with PostgreSQL.
    /// Back it up with the database, but never in the same place (docs/operations.md).
    #[arg(long, global = true, env = "BADGEIN_KEY_FILE", value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// The log's shape on stderr: lines for people, or one JSON object a line for a log
    /// collector. `RUST_LOG` sets what is logged (default `badgein_portal=info`).
    #[arg(
        long,
        global = true,
        env = "BADGEIN_LOG_FORMAT",
        value_enum,
        default_value_t = logging::LogFormat::Text
    )]
    pub log_format: logging::LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the kiosk API and the portal pages.
    Serve(ServeArgs),
    /// Badges: issue, void.
    #[command(subcommand)]
    Badge(BadgeCommand),
    /// Kiosks: enrollment codes, fleet enrollment tokens, revocation.
    #[command(subcommand)]
    Kiosk(KioskCommand),
    /// Users: passwords, lockouts, second factors.
    #[command(subcommand)]
    User(UserCommand),
    /// The audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Apps: the dashboard tiles, OpenID Connect clients and SAML service providers.
    #[command(subcommand)]
    App(apps::AppCommand),
    /// The roster: schools, people and classes from the district's OneRoster export.
    #[command(subcommand)]
    Roster(RosterCommand),
    /// A school's rules: its grades' (badges, password changes, claims), whether staff must
    /// turn on the second factor, its time zone.
    #[command(subcommand)]
    School(school::SchoolCommand),
    /// Delegates: staff who print badges or reset passwords in every class of their school.
    #[command(subcommand)]
    Delegate(delegate::DelegateCommand),
    /// The identity provider's signing keys: rotate, list.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Copy the live SQLite database to FILE while the service keeps serving (a consistent
    /// snapshot, checked before it replaces FILE). For PostgreSQL use pg_dump (this says how).
    Backup {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Replace the SQLite database with the backup FILE, after checking it (integrity, a
    /// BadgeIn database, migrations this version knows). Stop the service first: this refuses
    /// while the database is open. The replaced database is kept beside it as
    /// <db>.replaced-<time>. For PostgreSQL use pg_restore (this says how).
    Restore {
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
    },
    /// Create a demo school (two classes, a teacher, app tiles), write one PNG per badge and
    /// a printable sheet of them all (badges.pdf) into DIR and print a kiosk enrollment code.
    Demo {
        #[arg(long)]
        dir: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[arg(long, env = "BADGEIN_LISTEN", default_value = "127.0.0.1:8750")]
    listen: String,
    /// Serve Prometheus metrics at http://ADDR/metrics (e.g. 127.0.0.1:9750), a listener of
    /// their own: never on --listen. Off when not given.
    #[arg(long, env = "BADGEIN_METRICS_LISTEN", value_name = "ADDR")]
    metrics_listen: Option<String>,
    /// The origin browsers see (https://portal.example.org) when behind a TLS proxy; turns on
    /// the `__Host-` Secure session cookie and HSTS. Must be https:// unless loopback.
    #[arg(long, env = "BADGEIN_PUBLIC_URL")]
    public_url: Option<String>,
    /// A reverse proxy (CIDR, e.g. 10.0.0.5/32; repeatable, or comma-separated in
    /// BADGEIN_TRUSTED_PROXIES) whose X-Forwarded-For names the client. Nobody else's
    /// X-Forwarded-For is believed.
    #[arg(
        long = "trusted-proxy",
        value_name = "CIDR",
        env = "BADGEIN_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<ipnet::IpNet>,
    /// Seconds a client may take to send a request's headers (also closes connections that
    /// open and send nothing).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=10))]
    header_timeout: u64,
    /// Seconds a whole request may take (408 after).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600))]
    request_timeout: u64,
    /// Seconds an idle keep-alive connection stays open.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    idle_timeout: u64,
    /// Open connections at most; more wait until one closes.
    #[arg(long, default_value_t = 4096, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    max_connections: u64,
}

impl ServeArgs {
    /// Applies the flags to `config`; a bad public URL is a clear error.
    fn apply(&self, config: &mut Config) -> anyhow::Result<()> {
        if let Some(url) = &self.public_url {
            crate::config::check_public_url(url).map_err(anyhow::Error::msg)?;
        }
        config.public_url.clone_from(&self.public_url);
        config.trusted_proxies.clone_from(&self.trusted_proxies);
        config.server = crate::config::ServerLimits {
            header_timeout: Duration::from_secs(self.header_timeout),
            request_timeout: Duration::from_secs(self.request_timeout),
            idle_timeout: Duration::from_secs(self.idle_timeout),
            max_connections: usize::try_from(self.max_connections).unwrap_or(usize::MAX),
        };
        Ok(())
    }
}

#[derive(Debug, Subcommand)]
pub enum BadgeCommand {
    /// Issue a new badge (voiding the user's old ones) and print its payload once.
    Issue {
        #[arg(long)]
        user: String,
        /// A temporary badge valid for N hours (1-12).
        #[arg(long)]
        hours: Option<u32>,
        /// Allow a badge for a member of staff (teacher, administrator, aide). A badge
        /// session never opens the teacher pages, but it signs in without a password.
        #[arg(long)]
        staff: bool,
    },
    /// Void the badges of a user, a class or a school.
    Void(VoidArgs),
    /// Print a PDF sheet of badges for a class. Badge secrets are never stored, so a sheet is
    /// always a reprint: every student on it gets a new badge and their old badges stop
    /// working.
    Sheet {
        #[arg(long)]
        class: String,
        /// Where to write the PDF.
        #[arg(long)]
        out: PathBuf,
        #[arg(long, value_enum, default_value_t = SheetLayout::Labels)]
        layout: SheetLayout,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SheetLayout {
    /// 12 badges a page, 2-inch codes, for square label sheets.
    Labels,
    /// One big badge a page.
    Cards,
}

#[derive(Debug, Subcommand)]
pub enum RosterCommand {
    /// Import orgs.csv, users.csv, classes.csv and enrollments.csv from DIR, all or nothing.
    /// Students of the imported schools who are no longer listed are disabled and their
    /// badges voided. Importing the same files again changes nothing.
    Import { dir: PathBuf },
}

#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct VoidArgs {
    #[arg(long)]
    user: Option<String>,
    #[arg(long)]
    class: Option<String>,
    #[arg(long)]
    school: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum KioskCommand {
    /// Print a single-use enrollment code for a school (valid 15 minutes).
    Code {
        #[arg(long)]
        school: String,
        /// Also write the code as a kiosk setup QR (with the portal's address) to FILE, a
        /// .png or .svg; the code alone still goes to stdout.
        #[arg(long, value_name = "FILE")]
        qr: Option<PathBuf>,
        /// The portal's address for the setup QR (https://portal.example.org, as `serve
        /// --public-url`); needed with --qr.
        #[arg(long, env = "BADGEIN_PUBLIC_URL")]
        public_url: Option<String>,
    },
    /// Revoke a kiosk: the sessions started at it end, and its next request is refused (all
    /// but ending one of its sessions).
    Revoke {
        #[arg(long)]
        kiosk: String,
    },
    #[command(flatten)]
    Fleet(fleet::FleetCommand),
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Set a user's password, read from stdin (first line); every session of the user ends.
    Password {
        #[arg(long)]
        user: String,
    },
    /// Clear a password lockout.
    Unlock {
        #[arg(long)]
        user: String,
    },
    /// Reset a member of staff's second factor (lost phone and recovery codes): every session
    /// of the user ends; the next sign-in enrolls anew.
    TotpReset {
        #[arg(long)]
        user: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Print the audit log to stdout.
    Export {
        #[arg(long, value_enum, default_value_t = Format::Csv)]
        format: Format,
    },
    /// Delete the audit rows written before DATE and print how many; the prune is itself
    /// recorded. Schools may be required to keep these records for a year or longer: check
    /// your retention policy (and take a backup) first.
    Prune {
        /// YYYY-MM-DD (midnight UTC) or an RFC 3339 time; not in the future.
        #[arg(long, value_name = "DATE", value_parser = parse_before)]
        before: i64,
    },
}

fn parse_before(text: &str) -> Result<i64, String> {
    crate::clock::parse_instant(text).map_err(str::to_owned)
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    Csv,
    Json,
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    // These two never open the database through `Portal::open`, which would create a
    // missing one and migrate it.
    match &cli.command {
        Command::Backup { out } => {
            return backup::backup(&cli.db, out, cli.key_file.as_deref()).await;
        }
        Command::Restore { from } => return backup::restore(&cli.db, from).await,
        _ => {}
    }
    let mut config = Config {
        key_file: cli.key_file.clone(),
        ..Config::default()
    };
    if let Command::Serve(args) = &cli.command {
        args.apply(&mut config)?;
    }
    let portal = Portal::open(&cli.db, Arc::new(SystemClock), config)
        .await
        .with_context(|| "cannot open the database")?;
    let result = execute(&portal, cli.command, cli.log_format).await;
    portal.close().await;
    result
}

async fn execute(
    portal: &Portal,
    command: Command,
    log_format: logging::LogFormat,
) -> anyhow::Result<()> {
    match command {
        Command::Serve(ServeArgs {
            listen,
            metrics_listen,
            ..
        }) => {
            // The metrics listener first: a bad address stops the start before anything is
            // served.
            let metrics = match &metrics_listen {
                Some(addr) => Some(
                    crate::spawn_metrics(portal, addr)
                        .await
                        .with_context(|| format!("--metrics-listen {addr}"))?,
                ),
                None => None,
            };
            let running = crate::spawn(portal.clone(), &listen).await?;
            // In JSON the log's own "portal listening" and "metrics listening" events say
            // where; a line of plain text would break the stream.
            if log_format == logging::LogFormat::Text {
                eprintln!("serving on {}", running.base_url());
                if let Some(m) = &metrics {
                    eprintln!("metrics on http://{}/metrics", m.addr());
                }
            }
            let pruning = crate::retention::spawn_pruning(portal.clone());
            let served = running.until_stopped().await;
            pruning.abort();
            if let Some(m) = metrics {
                m.stop().await?;
            }
            served?;
        }
        Command::Badge(BadgeCommand::Issue { user, hours, staff }) => {
            let staff = if staff {
                StaffBadges::Allowed
            } else {
                StaffBadges::Refused
            };
            let badge = portal.issue_badge_to(&user, hours, staff).await?;
            print_value(&badge.encode())?;
        }
        Command::Badge(BadgeCommand::Void(args)) => {
            let scope = match (args.user, args.class, args.school) {
                (Some(u), _, _) => VoidScope::User(u.into()),
                (_, Some(c), _) => VoidScope::Class(c.into()),
                (_, _, Some(s)) => VoidScope::School(s.into()),
                _ => bail!("give --user, --class or --school"),
            };
            let n = portal.void_badges(&scope).await?;
            eprintln!("voided {n} badge(s)");
        }
        Command::Badge(BadgeCommand::Sheet { class, out, layout }) => {
            let layout = match layout {
                SheetLayout::Labels => crate::sheet::Layout::Labels,
                SheetLayout::Cards => crate::sheet::Layout::Cards,
            };
            let (pdf, count) = portal.badge_sheet(&class, layout).await?;
            std::fs::write(&out, pdf).with_context(|| format!("writing {}", out.display()))?;
            eprintln!(
                "{count} new badge(s) in {}; the class's earlier badges no longer work",
                out.display()
            );
        }
        Command::Roster(RosterCommand::Import { dir }) => {
            let roster = badgein_roster::Roster::load(&dir).with_context(|| {
                format!("roster in {} refused, nothing imported", dir.display())
            })?;
            let s = portal.import_roster(&roster).await?;
            eprintln!(
                "imported {} school(s), {} user(s), {} class(es), {} membership(s), {} guardian \
                 link(s), {} date(s) of birth (kept hashed); {} skipped (not students, staff or \
                 guardians of a school); {} disabled, {} badge(s) voided",
                s.schools,
                s.users,
                s.classes,
                s.memberships,
                s.guardianships,
                s.birth_dates,
                s.skipped_users,
                s.changes.disabled,
                s.changes.badges_voided
            );
        }
        Command::Kiosk(KioskCommand::Code {
            school, qr: None, ..
        }) => {
            print_value(&portal.enrollment_code(&school).await?)?;
        }
        Command::Kiosk(KioskCommand::Code {
            school,
            qr: Some(file),
            public_url,
        }) => {
            let code = setup_qr_file::write(portal, &school, &file, public_url.as_deref()).await?;
            print_value(&code)?;
        }
        Command::Kiosk(KioskCommand::Revoke { kiosk }) => {
            let ended = portal.revoke_kiosk(&kiosk).await?;
            eprintln!("kiosk {kiosk} revoked; {ended} session(s) ended");
        }
        Command::Kiosk(KioskCommand::Fleet(command)) => fleet::run(portal, command).await?,
        Command::User(UserCommand::Password { user }) => {
            let mut input = String::new();
            std::io::stdin()
                .take(4096)
                .read_to_string(&mut input)
                .context("reading the password from stdin")?;
            let password = input.lines().next().unwrap_or_default();
            portal.set_password(&user, password).await?;
            eprintln!("password set");
        }
        Command::User(UserCommand::Unlock { user }) => {
            portal.unlock(&user).await?;
            eprintln!("unlocked");
        }
        Command::User(UserCommand::TotpReset { user }) => {
            let ended = portal.reset_totp(user.as_str(), None).await?;
            eprintln!("second factor reset; {ended} session(s) ended");
        }
        Command::Audit(AuditCommand::Export { format }) => {
            let entries = portal.audit_log().await?;
            let mut out = std::io::stdout().lock();
            match format {
                Format::Json => serde_json::to_writer_pretty(&mut out, &entries)?,
                Format::Csv => {
                    writeln!(
                        out,
                        "at,action,result,badge_id,kiosk_id,user_id,detail,latency_ms"
                    )?;
                    for e in entries {
                        let fields = [
                            crate::clock::rfc3339(e.at),
                            e.action,
                            e.result,
                            e.badge_id.unwrap_or_default(),
                            e.kiosk_id.map(KioskId::into_string).unwrap_or_default(),
                            e.user_id.map(UserId::into_string).unwrap_or_default(),
                            e.detail.unwrap_or_default(),
                            e.latency_ms.map(|l| l.to_string()).unwrap_or_default(),
                        ];
                        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
                        writeln!(out, "{}", line.join(","))?;
                    }
                }
            }
            out.flush()?;
        }
        Command::Audit(AuditCommand::Prune { before }) => {
            let n = portal.prune_audit(before).await?;
            eprintln!(
                "deleted {n} audit row(s) before {}",
                crate::clock::rfc3339(before)
            );
        }
        Command::App(command) => apps::run(portal, command).await?,
        Command::Backup { .. } | Command::Restore { .. } => {
            bail!("backup and restore do not open the database as a service")
        }
        Command::Keys(command) => keys::run(portal, command).await?,
        Command::School(command) => school::run(portal, command).await?,
        Command::Delegate(command) => delegate::run(portal, command).await?,
        Command::Demo { dir } => {
            let code = demo::create(portal, &dir).await?;
            print_value(&code)?;
        }
    }
    Ok(())
}

fn print_value(value: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{value}")?;
    out.flush()?;
    Ok(())
}

/// RFC 4180 quoting, and a leading `'` for cells a spreadsheet would run as a formula.
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}
