//! PostgreSQL back end (being written).
use super::*;

/// PostgreSQL store.
#[derive(Clone)]
pub struct Postgres {}

impl Postgres {
    /// Connects and migrates.
    pub async fn open(_url: &str) -> Result<Self, StoreError> {
        Err(StoreError::Url)
    }
}

impl Store for Postgres {
    async fn create_enrolment(&self, _: NewEnrolment) -> Result<(), StoreError> {
        Err(StoreError::Url)
    }
    async fn enrol(&self, _: [u8; 32], _: NewDevice, _: String) -> Result<Device, StoreError> {
        Err(StoreError::Url)
    }
    async fn device(&self, _: String) -> Result<Option<Device>, StoreError> {
        Err(StoreError::Url)
    }
    async fn devices(&self) -> Result<Vec<Device>, StoreError> {
        Err(StoreError::Url)
    }
    async fn revoke(&self, _: String, _: String) -> Result<bool, StoreError> {
        Err(StoreError::Url)
    }
    async fn ingest(&self, _: Ingest) -> Result<Stored, StoreError> {
        Err(StoreError::Url)
    }
    async fn touch(&self, _: String, _: String) -> Result<(), StoreError> {
        Err(StoreError::Url)
    }
    async fn publish(
        &self,
        _: Option<String>,
        _: FeedKind,
        _: Option<String>,
        _: Vec<u8>,
        _: String,
    ) -> Result<u64, StoreError> {
        Err(StoreError::Url)
    }
    async fn feed(&self, _: String, _: u64, _: u32) -> Result<Vec<FeedEntry>, StoreError> {
        Err(StoreError::Url)
    }
    async fn applications(&self, _: Option<String>) -> Result<Vec<ApplicationRow>, StoreError> {
        Err(StoreError::Url)
    }
    async fn application(&self, _: String) -> Result<Option<ApplicationDetail>, StoreError> {
        Err(StoreError::Url)
    }
    async fn decide(&self, _: Decision) -> Result<u64, StoreError> {
        Err(StoreError::Url)
    }
    async fn attachment(&self, _: String, _: String) -> Result<AttachmentState, StoreError> {
        Err(StoreError::Url)
    }
    async fn append_chunk(
        &self,
        _: String,
        _: String,
        _: u64,
        _: Vec<u8>,
    ) -> Result<AttachmentState, StoreError> {
        Err(StoreError::Url)
    }
    async fn counts(&self) -> Result<Counts, StoreError> {
        Err(StoreError::Url)
    }
}
