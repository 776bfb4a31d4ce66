//! Category affinity: how much a business's kind of place is talked about for a need
//! in its zipcode.
//!
//! Among a zipcode's businesses, those of a category whose members' reviews often
//! mention the need ("Italian" for pasta, "Coffee & Tea" for latte) are the likely
//! places to find it, even before a review of that particular place mentions it. The
//! affinity of a business is, over its categories `c`, the largest
//! `(m_c + p) / (n_c + 1)`: `n_c` businesses of the zipcode have category `c`, `m_c` of
//! them have a matching review, and `p` is the share of the zipcode's businesses that
//! match (the prior a category with no members would get). Nothing is learned ahead
//! of time and no word list is involved: the counts come from the same pass over the
//! zipcode's matching reviews that gathers the other features.
//!
//! ```
//! use yelpsearch::bench::ZipCategories;
//!
//! // Three businesses: two Italian (one mentions pasta), one garage.
//! let zc = ZipCategories::from_members(&[&["Restaurants", "Italian"][..], &["Italian"], &["Automotive"]]);
//! let aff = zc.affinity(&[true, false, false]);
//! assert!(aff[1].score > aff[2].score); // the other Italian place comes before the garage
//! assert!(aff[1].kin && !aff[2].kin);
//! ```

use std::collections::HashMap;

use crate::store::table::BusinessTable;

/// The categories of one zipcode's businesses, as small local ids.
#[derive(Debug, Clone, Default)]
pub struct ZipCategories {
    /// Distinct categories in the zipcode.
    n_categories: usize,
    /// Local category ids of each member, in the order of the zipcode's members.
    member_categories: Vec<Vec<u16>>,
}

/// The affinity of one member of a zipcode.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Affinity {
    /// The largest smoothed share of matching businesses over its categories.
    pub score: f32,
    /// Whether one of its categories has a matching business (a "kin" of the matches).
    pub kin: bool,
}

impl ZipCategories {
    /// Interns the categories of members given as category lists.
    pub fn from_members(members: &[&[&str]]) -> Self {
        let mut ids: HashMap<&str, u16> = HashMap::new();
        let member_categories = members
            .iter()
            .map(|cats| {
                let mut local: Vec<u16> = Vec::with_capacity(cats.len());
                for c in cats.iter() {
                    let next = ids.len().min(u16::MAX as usize) as u16;
                    let id = *ids.entry(c).or_insert(next);
                    if !local.contains(&id) {
                        local.push(id);
                    }
                }
                local
            })
            .collect();
        ZipCategories {
            n_categories: ids.len(),
            member_categories,
        }
    }

    /// The categories of every zipcode of a table, indexed by zip ordinal.
    pub fn for_table(table: &BusinessTable) -> Vec<ZipCategories> {
        (0..table.zips().len() as u32)
            .map(|z| {
                let cats: Vec<Vec<&str>> = table
                    .members(z)
                    .iter()
                    .map(|&b| {
                        table
                            .get(b)
                            .map(|b| b.categories.iter().map(String::as_str).collect())
                            .unwrap_or_default()
                    })
                    .collect();
                let refs: Vec<&[&str]> = cats.iter().map(Vec::as_slice).collect();
                ZipCategories::from_members(&refs)
            })
            .collect()
    }

    /// The affinity of every member, given which members match (same order).
    pub fn affinity(&self, matched: &[bool]) -> Vec<Affinity> {
        let mut n = vec![0u32; self.n_categories];
        let mut m = vec![0u32; self.n_categories];
        let mut total_matched = 0u32;
        for (cats, &hit) in self.member_categories.iter().zip(matched) {
            total_matched += hit as u32;
            for &c in cats {
                n[c as usize] += 1;
                m[c as usize] += hit as u32;
            }
        }
        let p = total_matched as f32 / self.member_categories.len().max(1) as f32;
        self.member_categories
            .iter()
            .map(|cats| {
                let mut a = Affinity {
                    score: p,
                    kin: false,
                };
                for (i, &c) in cats.iter().enumerate() {
                    let s = (m[c as usize] as f32 + p) / (n[c as usize] as f32 + 1.0);
                    a.score = if i == 0 { s } else { a.score.max(s) };
                    a.kin |= m[c as usize] > 0;
                }
                a
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_with_more_matches_score_higher() {
        let zc = ZipCategories::from_members(&[
            &["Italian"],
            &["Italian"],
            &["Italian", "Pizza"],
            &["Pizza"],
            &["Nail Salons"],
            &[],
        ]);
        let a = zc.affinity(&[true, true, false, false, false, false]);
        // p = 2/6; Italian: (2 + p) / 4; Pizza: (0 + p) / 3; salons: p / 2.
        let p = 2.0 / 6.0;
        assert!((a[2].score - (2.0 + p) / 4.0).abs() < 1e-6);
        assert!((a[3].score - p / 3.0).abs() < 1e-6);
        assert!((a[5].score - p).abs() < 1e-6, "no category: the prior");
        assert!(a[2].kin && !a[3].kin && !a[4].kin && !a[5].kin);
        assert!(a[2].score > a[4].score && a[4].score > a[3].score);
    }

    #[test]
    fn no_match_means_no_kin() {
        let zc = ZipCategories::from_members(&[&["Italian"], &["Italian"]]);
        assert!(zc
            .affinity(&[false, false])
            .iter()
            .all(|a| !a.kin && a.score == 0.0));
    }
}
