//! Scoring: an indicator's 0–100 score, and weighted means with coverage.

use crate::eval::ops;
use crate::eval::value::Value;

/// Scores are shown to 9 decimals: enough for any check by hand, and free of
/// binary floating-point residue (`(0.4 − 0.2) / 0.4` is 0.5000000000000001).
pub fn tidy(x: f64) -> f64 {
    // `+ 0.0` turns a negative zero (a sum over nothing is -0.0) into 0:
    // no "-0" in a CSV report.
    let r = (x * 1e9).round() / 1e9 + 0.0;
    if r.is_finite() { r } else { x }
}

/// An indicator's score: its `score` expression's result (clamped to
/// 0–100), or the default `linear(0, target)`. Null when the value is.
pub fn indicator_score(value: &Value, target: &Value, custom: Option<Value>) -> Option<f64> {
    value.as_num()?;
    let score = match custom {
        Some(s) => s,
        None => ops::linear(value, &Value::Num(0.0), target),
    };
    score.as_num().map(|s| tidy(s.clamp(0.0, 100.0)))
}

/// The weighted mean of the scores that exist, and the share of the weight
/// they carry (the coverage). Items without a score are left out and the
/// remaining weights renormalised; with no weight left, the mean is null.
pub fn weighted_mean(items: &[(f64, Option<f64>)]) -> (Option<f64>, f64) {
    let total: f64 = items.iter().map(|(w, _)| w).sum();
    let covered: f64 = items
        .iter()
        .filter(|(_, s)| s.is_some())
        .map(|(w, _)| w)
        .sum();
    let sum: f64 = items.iter().filter_map(|(w, s)| s.map(|s| w * s)).sum();
    let mean = (covered > 0.0).then(|| tidy(sum / covered));
    let coverage = if total > 0.0 {
        tidy(covered / total)
    } else {
        0.0
    };
    (mean, coverage)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_scores_are_left_out_and_weights_renormalised() {
        // (2 × 80 + 1 × 50) / 3 = 70, with the third item (weight 1) missing
        let (mean, coverage) = weighted_mean(&[(2.0, Some(80.0)), (1.0, Some(50.0)), (1.0, None)]);
        assert_eq!(mean, Some(70.0));
        assert_eq!(coverage, 0.75);
        assert_eq!(weighted_mean(&[(1.0, None)]), (None, 0.0));
        assert_eq!(weighted_mean(&[(0.0, Some(10.0))]), (None, 0.0));
    }

    #[test]
    fn the_default_score_is_linear_from_zero_to_the_target() {
        assert_eq!(
            indicator_score(&Value::Num(30.0), &Value::Num(40.0), None),
            Some(75.0)
        );
        assert_eq!(
            indicator_score(&Value::Num(50.0), &Value::Num(40.0), None),
            Some(100.0)
        );
        assert_eq!(indicator_score(&Value::Null, &Value::Num(40.0), None), None);
        assert_eq!(indicator_score(&Value::Num(1.0), &Value::Null, None), None);
        assert_eq!(
            indicator_score(&Value::Num(1.0), &Value::Null, Some(Value::Num(120.0))),
            Some(100.0)
        );
    }
}
