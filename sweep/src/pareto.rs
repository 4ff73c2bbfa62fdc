//! The Pareto front of two objectives: the points no other point beats on
//! both (lower cost, higher quality).

/// Indices of the points on the front of `points` = (cost, quality), where
/// less cost and more quality are better, in order of increasing cost. Of
/// points equal on both, the first is on the front; non-finite points never
/// are.
pub fn front(points: &[(f64, f64)]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..points.len())
        .filter(|&i| points[i].0.is_finite() && points[i].1.is_finite())
        .collect();
    order.sort_by(|&a, &b| {
        let (pa, pb) = (points[a], points[b]);
        pa.0.total_cmp(&pb.0)
            .then(pb.1.total_cmp(&pa.1))
            .then(a.cmp(&b))
    });
    let mut best = f64::NEG_INFINITY;
    let mut out = Vec::new();
    for i in order {
        if points[i].1 > best {
            best = points[i].1;
            out.push(i);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::front;

    #[test]
    fn dominated_points_are_off_the_front() {
        let p = [
            (3.0, 0.9), // 0: on
            (1.0, 0.5), // 1: on (cheapest)
            (2.0, 0.5), // 2: dominated by 1
            (2.0, 0.8), // 3: on
            (5.0, 0.9), // 4: dominated by 0 (same quality, more cost)
            (f64::NAN, 1.0),
            (1.0, 0.5),  // 6: equal to 1: the first is kept
            (6.0, 0.95), // 7: on (best quality)
        ];
        assert_eq!(front(&p), vec![1, 3, 0, 7]);
        assert!(front(&[]).is_empty());
    }

    /// Every point off the front is dominated by one on it, and no point
    /// on it is dominated by any point.
    #[test]
    fn front_is_exactly_the_non_dominated_set() {
        let mut state = 12345u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) % 10) as f64
        };
        for _ in 0..50 {
            let p: Vec<(f64, f64)> = (0..30).map(|_| (next(), next())).collect();
            let f = front(&p);
            let dominates = |a: (f64, f64), b: (f64, f64)| a.0 <= b.0 && a.1 >= b.1 && a != b;
            for (i, &q) in p.iter().enumerate() {
                let on = f.contains(&i);
                let dominated = p.iter().any(|&o| dominates(o, q));
                let duplicate_earlier = p[..i].contains(&q);
                assert_eq!(on, !dominated && !duplicate_earlier, "{q:?} in {p:?}");
            }
        }
    }
}
