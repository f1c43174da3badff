//! The CLI's error type: engine errors plus bad command-line input, each with a code.

use std::process::ExitCode;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum CliError {
    #[error(transparent)]
    Core(#[from] countersign_core::CoreError),
    #[error("{0}")]
    Usage(String),
    #[error("endpoint failed: {0}")]
    Endpoint(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("export is not intact: {0}")]
    ExportInvalid(String),
}

impl CliError {
    pub fn code(&self) -> &'static str {
        match self {
            CliError::Core(e) => e.code(),
            CliError::Usage(_) => "usage",
            CliError::Endpoint(_) => "endpoint",
            CliError::Io(_) => "io",
            CliError::ExportInvalid(_) => "export_invalid",
        }
    }

    pub fn exit_code(&self) -> ExitCode {
        match self {
            CliError::Usage(_) => ExitCode::from(2),
            CliError::Core(countersign_core::CoreError::LedgerBroken { .. })
            | CliError::ExportInvalid(_) => ExitCode::from(3),
            _ => ExitCode::FAILURE,
        }
    }
}

pub type CliResult<T = ()> = Result<T, CliError>;
