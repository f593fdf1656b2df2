//! `rapd tenant add|list|remove`: the operator's provisioning of tenants and their Intune licence.
//! Works beside a running server (SQLite in WAL mode); the server sees a change within seconds.

use std::sync::Arc;

use rapd_model::{Clock, SystemClock, Tenant, TenantId};
use uuid::Uuid;

use crate::{DataArgs, config::Config, data_dir::Needs, storage::open_store};

#[derive(Debug, clap::Subcommand)]
pub enum TenantAction {
    /// Provision a tenant (or update it), licensed for Intune unless --unlicensed.
    Add {
        /// The tenant id (the `tid` of its tokens).
        tenant: Uuid,
        /// A name to show in `rapd tenant list`.
        #[arg(long)]
        name: Option<String>,
        /// Provision it without an Intune licence: its calls get 403.
        #[arg(long)]
        unlicensed: bool,
        #[command(flatten)]
        data: DataArgs,
    },
    /// List provisioned tenants.
    List {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Remove a tenant's registration; its partners and audit trail stay in the database.
    Remove {
        tenant: Uuid,
        #[command(flatten)]
        data: DataArgs,
    },
}

pub fn run(action: TenantAction) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let data = match &action {
            TenantAction::Add { data, .. }
            | TenantAction::List { data }
            | TenantAction::Remove { data, .. } => data,
        };
        let config = Config::load(&data.overrides())?;
        // Adding provisions ahead of the first start; listing or removing reads what is there.
        if !matches!(action, TenantAction::Add { .. }) {
            crate::data_dir::require(&config, Needs::Store, "rapd tenant")?;
        }
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let store = open_store(&config, clock.clone()).await?;
        match action {
            TenantAction::Add {
                tenant,
                name,
                unlicensed,
                ..
            } => {
                let id = TenantId(tenant);
                let created = store
                    .tenant(id)
                    .await?
                    .map_or_else(|| clock.now(), |t| t.created);
                let record = Tenant {
                    id,
                    display_name: name,
                    intune_licensed: !unlicensed,
                    created,
                };
                store.put_tenant(record).await?;
                println!(
                    "{tenant} {}",
                    if unlicensed { "unlicensed" } else { "licensed" }
                );
            }
            TenantAction::List { .. } => {
                let tenants = store.tenants().await?;
                if tenants.is_empty() {
                    println!("no tenants (in development a tenant is added on its first Graph call; `rapd tenant add` adds one)");
                    return Ok(());
                }
                println!("tenant\tlicence\tadded\tname");
                for t in tenants {
                    let licence = if t.intune_licensed {
                        "licensed"
                    } else {
                        "unlicensed"
                    };
                    println!(
                        "{}\t{licence}\t{}\t{}",
                        t.id,
                        t.created,
                        t.display_name.unwrap_or_default()
                    );
                }
            }
            TenantAction::Remove { tenant, .. } => {
                if !store.remove_tenant(TenantId(tenant)).await? {
                    anyhow::bail!("no tenant {tenant}");
                }
                println!("{tenant} removed");
            }
        }
        Ok(())
    })
}
