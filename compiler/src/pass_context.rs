//! The passes' context (`cimc_passes::PassContext`) from the command line:
//! what the driver and `--run` compile with.

use crate::cli::Cli;
use crate::error::DriverError;
use crate::source;
use cimc_passes::PassContext;

/// The passes' context from the command line: the target, remarks, the
/// schedule and `--replicas`.
pub(crate) fn from_cli(cli: &Cli, target: cimc_target::Target) -> Result<PassContext, DriverError> {
    let replicas = match &cli.replicas {
        None => None,
        Some(path) => {
            if cli.opt_level < 2 {
                return Err(DriverError::Usage(
                    "--replicas sets cim-replicate's copies, which runs at -O2 and above".into(),
                ));
            }
            Some(std::sync::Arc::new(read_replicas(path)?))
        }
    };
    Ok(PassContext {
        target: std::sync::Arc::new(target),
        remarks: std::sync::Arc::new(cimc_passes::remark::Remarks::new(cli.remarks)),
        schedule: cli.schedule.as_str(),
        replicas,
        max_im2col_bytes: cli.max_im2col_bytes,
        max_constant_bytes: cli.max_constant_bytes,
    })
}

/// A `--replicas` file: `layer = copies` (positive integers).
fn read_replicas(path: &str) -> Result<std::collections::BTreeMap<String, u32>, DriverError> {
    let text = std::fs::read_to_string(path).map_err(|err| DriverError::ReadInput {
        path: path.to_string(),
        reason: source::io_reason(&err),
    })?;
    let table: toml::Table = text.parse().map_err(|err: toml::de::Error| {
        DriverError::Usage(format!("{path}: error: {}", err.message()))
    })?;
    let mut out = std::collections::BTreeMap::new();
    for (key, value) in table {
        let copies = value
            .as_integer()
            .and_then(|v| u32::try_from(v).ok())
            .filter(|v| *v >= 1)
            .ok_or_else(|| {
                DriverError::Usage(format!(
                    "{path}: error: key '{key}': copies must be a positive integer, got {value}"
                ))
            })?;
        out.insert(key, copies);
    }
    Ok(out)
}
