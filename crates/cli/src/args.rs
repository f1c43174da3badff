//! Command-line grammar of `countersign`.

use crate::choices::{KindChoice, OutcomeChoice, RiskChoice, StatusChoice, UrgencyChoice};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "countersign",
    version,
    about = "Review what AI agents want to do, sign your decisions, keep the audit trail."
)]
pub struct Cli {
    /// Where the local queue and ledger live.
    #[arg(long, global = true, env = "COUNTERSIGN_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Keyring service name holding the signing key and endpoint tokens (a profile).
    #[arg(
        long,
        global = true,
        env = "COUNTERSIGN_KEYRING_SERVICE",
        default_value = "countersign"
    )]
    pub keyring_service: String,
    /// Machine-readable output (JSON; JSON Lines for streams).
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run or configure agent endpoints.
    #[command(subcommand)]
    Endpoint(EndpointCommand),
    /// Register this reviewer's public key with an endpoint.
    Enroll { endpoint: String },
    /// Show or set the reviewer's printed name (it appears on signed records).
    Reviewer {
        #[arg(long)]
        name: Option<String>,
    },
    /// Endpoints with their health, queue and outbox counts.
    Status,
    /// Sync with endpoints: continuously, or once with --once.
    Sync {
        #[arg(long)]
        once: bool,
        #[arg(long)]
        endpoint: Option<String>,
    },
    /// List the local queue (most urgent first).
    List(ListArgs),
    /// Show one packet with its decisions.
    Show { id: i64 },
    /// Sign and record a decision, then deliver it.
    Decide(DecideArgs),
    /// Print this reviewer's public key.
    Key,
    /// Audit ledger.
    #[command(subcommand)]
    Ledger(LedgerCommand),
    /// Export the audit trail for compliance, or verify an export offline.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Packets that failed validation and were set aside.
    Quarantine {
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Desktop notifications for urgent reviews (pause, rules, a headless notifier).
    #[command(subcommand)]
    Notify(NotifyCommand),
    /// Measure ingest, search, decide and delivery against the performance targets.
    Bench {
        #[arg(long, default_value_t = 100_000)]
        packets: u32,
        #[arg(long, default_value_t = 300)]
        decisions: u32,
        /// Ledger entries for the audit export + verify figures (0 to skip).
        #[arg(long, default_value_t = 1_000_000)]
        audit_entries: u32,
        /// Urgent packets for the "created -> Notify call on the bus" figure (0 to skip;
        /// needs a notification service on the session bus).
        #[arg(long, default_value_t = 100)]
        notify_packets: u32,
        /// Move the audit bench's export to this new directory instead of deleting it,
        /// to time `countersign audit verify` on it again.
        #[arg(long, value_name = "DIR")]
        keep_audit_export: Option<std::path::PathBuf>,
    },
    /// Fill the data dir with synthetic pending packets from an unreachable endpoint, to
    /// measure the desktop app with a full queue.
    BenchSeed {
        #[arg(long, default_value_t = 100_000)]
        packets: u32,
    },
}

#[derive(Subcommand, Debug)]
pub enum NotifyCommand {
    /// Sync continuously and show urgent reviews as desktop notifications with Approve /
    /// Reject / Open, until Ctrl-C. With --json, prints what happens as JSON Lines.
    Run,
    /// Stop showing notifications (remembered until `resume`).
    Pause,
    Resume,
    /// Whether notifications are paused and a notification service answers.
    Status,
    /// Print the notification rules, or change them.
    Rules(NotifyRulesArgs),
}

#[derive(Args, Debug)]
pub struct NotifyRulesArgs {
    /// Replace all rules with this JSON (see README, "Notifications").
    #[arg(long)]
    pub set: Option<String>,
    /// Quiet hours in local time, `HH:MM-HH:MM` (`off` to clear).
    #[arg(long)]
    pub quiet_hours: Option<String>,
    /// At most this many popups per burst window; the rest becomes one summary.
    #[arg(long)]
    pub burst_limit: Option<u32>,
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Export signed decisions with the ledger segment they rely on (CSV, JSONL, signed
    /// manifest) into a new directory.
    Export(AuditExportArgs),
    /// Check an export offline: manifest signature, chain, every JWS, digests, files.
    /// Exits 3 naming the first bad entry.
    Verify {
        dir: PathBuf,
        /// Also require that the manifest is signed by this key id.
        #[arg(long)]
        expect_key: Option<String>,
    },
}

#[derive(Args, Debug)]
pub struct AuditExportArgs {
    /// A new (or empty) directory.
    #[arg(long)]
    pub out: PathBuf,
    /// Decided at or after: YYYY-MM-DD (UTC midnight) or RFC 3339.
    #[arg(long)]
    pub from: Option<String>,
    /// Decided before: RFC 3339, or YYYY-MM-DD (that whole day included).
    #[arg(long)]
    pub to: Option<String>,
    #[command(flatten)]
    pub origin: OriginArgs,
    /// Reviewer id or printed name.
    #[arg(long)]
    pub reviewer: Option<String>,
    /// Only decisions with this outcome.
    #[arg(long)]
    pub outcome: Option<OutcomeChoice>,
    /// Show argument digests instead of the arguments in the readable columns.
    #[arg(long)]
    pub digests_only: bool,
}

#[derive(Subcommand, Debug)]
pub enum EndpointCommand {
    /// Run the reference endpoint (both faces of protocol v1).
    Serve(ServeArgs),
    /// Add an endpoint to sync with (the token goes to the OS keyring).
    Add {
        name: String,
        url: String,
        /// `native` (Countersign protocol v1) or `langgraph` (a LangGraph server).
        #[arg(long, default_value = "native")]
        kind: KindChoice,
        /// Bearer token of a native endpoint (required for `native`).
        #[arg(long, env = "COUNTERSIGN_ENDPOINT_TOKEN", hide_env_values = true)]
        token: Option<String>,
        /// LangGraph: the deployment's `x-api-key` (none for a local `langgraph dev`).
        #[arg(
            long,
            env = "COUNTERSIGN_LANGGRAPH_API_KEY",
            hide_env_values = true,
            conflicts_with = "token"
        )]
        api_key: Option<String>,
        /// LangGraph: review only the threads of this assistant id or graph id.
        #[arg(long)]
        assistant: Option<String>,
        /// Allow plain http:// to a host other than loopback.
        #[arg(long)]
        allow_insecure_http: bool,
        /// Also enroll this reviewer's key right away.
        #[arg(long)]
        enroll: bool,
    },
    /// Stop syncing with an endpoint (its packets and decisions stay in the ledger).
    Remove { endpoint: String },
    /// List configured endpoints.
    List,
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    #[arg(long, default_value_t = 8787)]
    pub port: u16,
    /// SQLite file of the endpoint (default: endpoint.db in the data dir).
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// Play realistic agents that publish review packets.
    #[arg(long)]
    pub demo: bool,
    /// Seconds between new demo packets.
    #[arg(long, default_value_t = 30)]
    pub demo_interval: u64,
    /// Bearer token accepted on the desktop face (repeatable).
    #[arg(
        long = "reviewer-token",
        env = "COUNTERSIGN_REVIEWER_TOKENS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub reviewer_tokens: Vec<String>,
    /// Bearer token accepted on the agent face (repeatable).
    #[arg(
        long = "agent-token",
        env = "COUNTERSIGN_AGENT_TOKENS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub agent_tokens: Vec<String>,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Packets in this state (`all`: in any state).
    #[arg(long, default_value = "pending")]
    pub status: StatusChoice,
    #[arg(long)]
    pub urgency: Option<UrgencyChoice>,
    #[arg(long)]
    pub risk: Option<RiskChoice>,
    #[command(flatten)]
    pub origin: OriginArgs,
    /// Full-text search over action, agent, reasoning, arguments and context.
    #[arg(long)]
    pub search: Option<String>,
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
}

#[derive(Args, Debug)]
pub struct DecideArgs {
    pub id: i64,
    /// The answer to sign (one the packet allows).
    pub outcome: OutcomeChoice,
    /// Edited arguments as JSON, or @FILE to read them from a file.
    #[arg(long)]
    pub args: Option<String>,
    /// Why (required to reject).
    #[arg(long)]
    pub reason: Option<String>,
    /// The written answer for `respond`.
    #[arg(long)]
    pub response: Option<String>,
    /// Record only; leave delivery to `sync`.
    #[arg(long)]
    pub no_send: bool,
}

/// Where packets came from: the filters `list` and `audit export` share.
#[derive(Args, Debug)]
pub struct OriginArgs {
    /// Endpoint id (`audit export` also takes its name).
    #[arg(long)]
    pub endpoint: Option<String>,
    #[arg(long)]
    pub agent: Option<String>,
    #[arg(long)]
    pub action: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum LedgerCommand {
    /// Check the hash chain of the local audit ledger.
    Verify,
}
