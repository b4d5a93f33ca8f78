//! The emulator handle's bulk controls: faults for runs and downloads, operations started from
//! outside any request, and where results are served.

use super::{BulkFault, Caller, DownloadFault, rules};
use crate::sandbox::shopify::store::Visibility;
use crate::sandbox::shopify::{ShopifyEmulator, lock};

impl ShopifyEmulator {
    /// Makes `bulkOperationRunQuery` number `run` (counted from 1, rejected runs included) go wrong.
    pub fn inject_bulk(&self, run: u64, fault: BulkFault) {
        lock(&self.shared.bulk.state).faults.insert(run, fault);
    }

    /// Makes result download number `download` (counted from 1) go wrong.
    pub fn inject_download(&self, download: u64, fault: DownloadFault) {
        lock(&self.shared.bulk.state)
            .download_faults
            .insert(download, fault);
    }

    /// Starts a bulk query as this app would, outside any request (say, by an earlier run of the
    /// client that was killed while it waited); returns the operation's gid or the `userErrors`
    /// messages. It does not count as a run for [`Self::inject_bulk`].
    ///
    /// # Errors
    /// The messages of the `userErrors` Shopify would answer.
    pub fn start_bulk_query(&self, query: &str) -> Result<String, Vec<String>> {
        let scopes = ["read_orders".to_owned(), "read_all_orders".to_owned()];
        let caller = Caller {
            vis: Visibility {
                created_after: i64::MIN,
            },
            scopes: &scopes,
            protected: self
                .shared
                .protected_data
                .load(std::sync::atomic::Ordering::Relaxed),
        };
        let bulk = &self.shared.bulk;
        let doc = rules::prepare(bulk.reference_schema, query)?;
        let mut state = lock(&bulk.state);
        let number = bulk.create(&mut state, caller, query, doc, false, None);
        Ok(state.operations[number - 1].gid())
    }

    /// The base URL of the emulated result storage (the host of every `url`).
    #[must_use]
    pub fn storage_url(&self) -> &str {
        self.shared.bulk.signer.base()
    }
}
