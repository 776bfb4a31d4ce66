//! The business table: businesses by ordinal, and zipcodes by ordinal; and the
//! [`Listing`] of a business, the part of its record search results show.
//!
//! Ordinals are dense and stable: an update appends new businesses and zipcodes and
//! never renumbers, so the `biz` and `zip` fast fields of old segments stay valid.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, IoContext, Result};
use crate::ingest::Business;

/// Businesses and zipcodes of one index version.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BusinessTable {
    businesses: Vec<Business>,
    zips: Vec<String>,
    #[serde(skip)]
    by_id: HashMap<String, u32>,
    #[serde(skip)]
    by_zip: HashMap<String, u32>,
    #[serde(skip)]
    zip_members: Vec<Vec<u32>>,
    #[serde(skip)]
    biz_zip: Vec<u32>,
}

/// A zip ordinal meaning "no postal code".
pub const NO_ZIP: u32 = u32::MAX;

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    /// A new business was appended.
    Added,
    /// An existing business changed.
    Changed,
    /// The business was already there, identical.
    Unchanged,
}

/// The business fields a result shows: shared by every result for the business, and
/// flattened into the result's JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Listing {
    /// Yelp business id.
    pub business_id: String,
    /// Name.
    pub name: String,
    /// Street address.
    pub address: String,
    /// City.
    pub city: String,
    /// State or province.
    pub state: String,
    /// Normalised postal code.
    pub postal_code: String,
}

impl Listing {
    /// The listing of a business record.
    pub fn of(b: &Business) -> Listing {
        Listing {
            business_id: b.business_id.clone(),
            name: b.name.clone(),
            address: b.address.clone(),
            city: b.city.clone(),
            state: b.state.clone(),
            postal_code: b.postal_code.clone(),
        }
    }
}

impl BusinessTable {
    /// A table of the given businesses, in order.
    pub fn new(businesses: Vec<Business>) -> Self {
        let mut t = BusinessTable::default();
        for b in businesses {
            t.upsert(b);
        }
        t
    }

    fn rebuild(&mut self) {
        self.by_id = self
            .businesses
            .iter()
            .enumerate()
            .map(|(i, b)| (b.business_id.clone(), i as u32))
            .collect();
        self.by_zip = self
            .zips
            .iter()
            .enumerate()
            .map(|(i, z)| (z.clone(), i as u32))
            .collect();
        self.zip_members = vec![Vec::new(); self.zips.len()];
        self.biz_zip = Vec::with_capacity(self.businesses.len());
        for (i, b) in self.businesses.iter().enumerate() {
            let z = self.by_zip.get(&b.postal_code).copied().unwrap_or(NO_ZIP);
            self.biz_zip.push(z);
            if z != NO_ZIP {
                self.zip_members[z as usize].push(i as u32);
            }
        }
    }

    /// Adds a business or updates the one with the same id.
    pub fn upsert(&mut self, b: Business) -> Upsert {
        let zip = if b.postal_code.is_empty() {
            NO_ZIP
        } else {
            match self.by_zip.get(&b.postal_code) {
                Some(&z) => z,
                None => {
                    let z = self.zips.len() as u32;
                    self.zips.push(b.postal_code.clone());
                    self.by_zip.insert(b.postal_code.clone(), z);
                    self.zip_members.push(Vec::new());
                    z
                }
            }
        };
        match self.by_id.get(&b.business_id) {
            Some(&i) => {
                let old = &mut self.businesses[i as usize];
                if *old == b {
                    return Upsert::Unchanged;
                }
                let old_zip = self.biz_zip[i as usize];
                if old_zip != zip {
                    if old_zip != NO_ZIP {
                        self.zip_members[old_zip as usize].retain(|&x| x != i);
                    }
                    if zip != NO_ZIP {
                        self.zip_members[zip as usize].push(i);
                    }
                    self.biz_zip[i as usize] = zip;
                }
                *old = b;
                Upsert::Changed
            }
            None => {
                let i = self.businesses.len() as u32;
                self.by_id.insert(b.business_id.clone(), i);
                self.businesses.push(b);
                self.biz_zip.push(zip);
                if zip != NO_ZIP {
                    self.zip_members[zip as usize].push(i);
                }
                Upsert::Added
            }
        }
    }

    /// Number of businesses.
    pub fn len(&self) -> usize {
        self.businesses.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.businesses.is_empty()
    }

    /// The business of an ordinal.
    pub fn get(&self, ord: u32) -> Option<&Business> {
        self.businesses.get(ord as usize)
    }

    /// The ordinal of a business id.
    pub fn ord_of(&self, business_id: &str) -> Option<u32> {
        self.by_id.get(business_id).copied()
    }

    /// The zip ordinal of a business (`NO_ZIP`, `u32::MAX`, when it has no postal code).
    pub fn zip_of(&self, ord: u32) -> u32 {
        self.biz_zip.get(ord as usize).copied().unwrap_or(NO_ZIP)
    }

    /// The ordinal of a normalised postal code.
    pub fn zip_ord(&self, postal_code: &str) -> Option<u32> {
        self.by_zip.get(postal_code).copied()
    }

    /// The postal code of a zip ordinal.
    pub fn zip_name(&self, zip: u32) -> Option<&str> {
        self.zips.get(zip as usize).map(String::as_str)
    }

    /// All postal codes, by ordinal.
    pub fn zips(&self) -> &[String] {
        &self.zips
    }

    /// The businesses of a zip ordinal.
    pub fn members(&self, zip: u32) -> &[u32] {
        self.zip_members
            .get(zip as usize)
            .map_or(&[], Vec::as_slice)
    }

    /// All businesses, by ordinal.
    pub fn businesses(&self) -> &[Business] {
        &self.businesses
    }

    /// Writes the table as JSON.
    pub fn save(&self, path: &Path) -> Result<()> {
        let f = std::fs::File::create(path).at(path)?;
        let mut w = std::io::BufWriter::new(f);
        serde_json::to_writer(&mut w, self)
            .map_err(|e| Error::io(path, std::io::Error::other(e)))?;
        use std::io::Write;
        w.flush().at(path)?;
        w.get_ref().sync_all().at(path)
    }

    /// Reads a table written by [`BusinessTable::save`].
    pub fn load(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).at(path)?;
        let mut t: BusinessTable =
            serde_json::from_slice(&bytes).map_err(|e| Error::IndexCorrupt {
                path: path.to_path_buf(),
                reason: format!("business table: {e}"),
            })?;
        t.rebuild();
        Ok(t)
    }
}
