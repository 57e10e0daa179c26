//! `rvenv create`.

use crate::cli::CreateArgs;

pub fn run(_args: &CreateArgs) -> anyhow::Result<()> {
    anyhow::bail!("create is not implemented yet")
}
