//! The closed sets of values the command line accepts (outcome, packet status, urgency,
//! risk, endpoint kind), each mapped onto its engine or protocol type, and the usage error
//! for a value outside its set.
//!
//! They are the CLI's own enums so that clap stays out of the engine and the protocol;
//! each spelling is the wire name of the type it maps to.

use crate::cli_error::CliError;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::ValueEnum;
use countersign_core::EndpointKind;
use countersign_protocol::{Outcome, PacketStatus, Risk, Urgency};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutcomeChoice {
    Approve,
    Edit,
    Reject,
    Respond,
    Escalate,
    Ignore,
}

impl From<OutcomeChoice> for Outcome {
    fn from(choice: OutcomeChoice) -> Outcome {
        match choice {
            OutcomeChoice::Approve => Outcome::Approve,
            OutcomeChoice::Edit => Outcome::Edit,
            OutcomeChoice::Reject => Outcome::Reject,
            OutcomeChoice::Respond => Outcome::Respond,
            OutcomeChoice::Escalate => Outcome::Escalate,
            OutcomeChoice::Ignore => Outcome::Ignore,
        }
    }
}

/// A packet status, or `all` for no status filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusChoice {
    Pending,
    Decided,
    Withdrawn,
    Expired,
    All,
}

impl StatusChoice {
    /// The status to filter on (none for `all`).
    pub fn status(self) -> Option<PacketStatus> {
        match self {
            StatusChoice::Pending => Some(PacketStatus::Pending),
            StatusChoice::Decided => Some(PacketStatus::Decided),
            StatusChoice::Withdrawn => Some(PacketStatus::Withdrawn),
            StatusChoice::Expired => Some(PacketStatus::Expired),
            StatusChoice::All => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UrgencyChoice {
    Low,
    Normal,
    High,
    Critical,
}

impl From<UrgencyChoice> for Urgency {
    fn from(choice: UrgencyChoice) -> Urgency {
        match choice {
            UrgencyChoice::Low => Urgency::Low,
            UrgencyChoice::Normal => Urgency::Normal,
            UrgencyChoice::High => Urgency::High,
            UrgencyChoice::Critical => Urgency::Critical,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RiskChoice {
    Low,
    Medium,
    High,
    Critical,
}

impl From<RiskChoice> for Risk {
    fn from(choice: RiskChoice) -> Risk {
        match choice {
            RiskChoice::Low => Risk::Low,
            RiskChoice::Medium => Risk::Medium,
            RiskChoice::High => Risk::High,
            RiskChoice::Critical => Risk::Critical,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindChoice {
    Native,
    #[value(name = "langgraph")]
    LangGraph,
}

impl From<KindChoice> for EndpointKind {
    fn from(choice: KindChoice) -> EndpointKind {
        match choice {
            KindChoice::Native => EndpointKind::Native,
            KindChoice::LangGraph => EndpointKind::LangGraph,
        }
    }
}

/// A value outside its closed set, as the usage error every other bad input gets (so
/// `--json` still reports it as JSON): "unknown outcome `aprove` (approve, edit, ...)".
/// None for any other parse failure (a missing value too), which clap reports itself.
pub fn unknown_value(error: &clap::Error) -> Option<CliError> {
    if error.kind() != ErrorKind::InvalidValue {
        return None;
    }
    let (Some(ContextValue::String(arg)), Some(ContextValue::String(value))) = (
        error.get(ContextKind::InvalidArg),
        error.get(ContextKind::InvalidValue),
    ) else {
        return None;
    };
    if value.is_empty() {
        return None;
    }
    // `--status <STATUS>` or `<OUTCOME>`: the placeholder names what was asked for.
    let what = arg
        .rsplit_once('<')
        .and_then(|(_, rest)| rest.strip_suffix('>'))
        .unwrap_or(arg)
        .to_lowercase();
    let mut message = format!("unknown {what} `{value}`");
    if let Some(ContextValue::Strings(choices)) = error.get(ContextKind::ValidValue) {
        message.push_str(&format!(" ({})", choices.join(", ")));
    }
    Some(CliError::Usage(message))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn parse_error(args: &[&str]) -> clap::Error {
        crate::args::Cli::try_parse_from(args).expect_err("the arguments are refused")
    }

    #[test]
    fn a_value_outside_the_set_is_a_usage_error_naming_the_set() {
        let usage = unknown_value(&parse_error(&["countersign", "decide", "1", "aprove"]));
        assert_eq!(
            usage.map(|e| e.to_string()).as_deref(),
            Some("unknown outcome `aprove` (approve, edit, reject, respond, escalate, ignore)")
        );
        let usage = unknown_value(&parse_error(&["countersign", "list", "--status", "open"]));
        assert_eq!(
            usage.map(|e| e.to_string()).as_deref(),
            Some("unknown status `open` (pending, decided, withdrawn, expired, all)")
        );
    }

    #[test]
    fn other_parse_failures_stay_with_clap() {
        assert!(unknown_value(&parse_error(&["countersign", "list", "--status"])).is_none());
        assert!(unknown_value(&parse_error(&["countersign", "list", "--limit", "x"])).is_none());
    }

    /// Every spelling the CLI accepts is the wire name of the type it maps to, so
    /// `--outcome reject` still means what `Outcome::parse("reject")` meant.
    #[test]
    fn spellings_are_the_wire_names() {
        fn name<T: ValueEnum>(choice: &T) -> String {
            choice.to_possible_value().unwrap().get_name().to_string()
        }
        for c in OutcomeChoice::value_variants() {
            assert_eq!(name(c), Outcome::from(*c).as_str());
        }
        assert_eq!(Outcome::ALL.len(), OutcomeChoice::value_variants().len());
        for c in StatusChoice::value_variants() {
            match c.status() {
                Some(s) => assert_eq!(name(c), s.as_str()),
                None => assert_eq!(name(c), "all"),
            }
        }
        for c in UrgencyChoice::value_variants() {
            let wire = serde_json::to_value(Urgency::from(*c)).unwrap();
            assert_eq!(wire, name(c).as_str());
        }
        for c in RiskChoice::value_variants() {
            let wire = serde_json::to_value(Risk::from(*c)).unwrap();
            assert_eq!(wire, name(c).as_str());
        }
        for c in KindChoice::value_variants() {
            assert_eq!(name(c), EndpointKind::from(*c).as_str());
        }
    }
}
