//! Query-independent business statistics of an opened version: review counts, star
//! sums and recency, over all its reviews or those before a day (training's cutoff).

use tantivy::Searcher;

use super::snapshot::SegmentColumns;
use crate::model::features::{BizStats, RECENT_DAYS};

/// Business statistics over live reviews dated before `until` (all when `None`), and
/// the newest such day.
pub fn business_stats(
    searcher: &Searcher,
    segments: &[SegmentColumns],
    n_businesses: usize,
    until: Option<i32>,
) -> (Vec<BizStats>, i32) {
    let mut stats = vec![
        BizStats {
            last_day: i32::MIN,
            ..BizStats::default()
        };
        n_businesses
    ];
    let mut now = i32::MIN;
    let limit = until.unwrap_or(i32::MAX);
    let each = |f: &mut dyn FnMut(usize, u8, i32)| {
        for (sr, cols) in searcher.segment_readers().iter().zip(segments) {
            let alive = sr.alive_bitset();
            for doc in 0..sr.max_doc() {
                if alive.is_some_and(|a| a.is_deleted(doc)) {
                    continue;
                }
                let row = cols.rows.get(doc);
                if row.day >= limit {
                    continue;
                }
                f(row.biz as usize, row.stars, row.day);
            }
        }
    };
    each(&mut |_, _, day| now = now.max(day));
    each(&mut |biz, stars, day| {
        if let Some(s) = stats.get_mut(biz) {
            s.n += 1;
            s.stars_sum += stars as u32;
            s.last_day = s.last_day.max(day);
            if now - day <= RECENT_DAYS {
                s.recent += 1;
                s.recent_stars_sum += stars as u32;
            }
        }
    });
    if now == i32::MIN {
        now = 0;
    }
    (stats, now)
}
