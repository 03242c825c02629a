//! The local stack's fake pool of practice numbers (in AWS the pool is the origination
//! numbers the deployment owns; see README "Deploying"). `+1 206 555 01xx`-style
//! numbers, fictional by convention, so they never text a real phone.

use canopy_shared::adapters::dynamo::{Dynamo, StoreError};
use canopy_shared::domain::contact_info::PhoneNumber;

/// How many fake numbers a local table gets.
pub const LOCAL_POOL_SIZE: u32 = 400;

pub fn local_numbers() -> Vec<PhoneNumber> {
    (0..LOCAL_POOL_SIZE)
        .filter_map(|i| PhoneNumber::parse(&format!("+1206555{:04}", 1000 + i)).ok())
        .collect()
}

/// Seeds the fake pool (idempotent: numbers already there are kept as they are).
pub async fn seed(store: &Dynamo) -> Result<usize, StoreError> {
    store.seed_sms_pool(&local_numbers()).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_fake_number_is_a_valid_number() {
        assert_eq!(
            super::local_numbers().len(),
            super::LOCAL_POOL_SIZE as usize
        );
    }
}
