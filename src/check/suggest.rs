//! "did you mean `responded`?"

/// The closest candidate to `name`, phrased as a hint, if one is close
/// enough to be a likely typo.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    closest(name, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// The candidate with the smallest edit distance, if within reach: at most
/// one edit for short names, a third of the length for longer ones.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    // The distance costs the product of the lengths: names past this are
    // not typos of anything.
    const LONGEST: usize = 64;
    let length = name.chars().count();
    if length > LONGEST {
        return None;
    }
    let limit = (length / 3).max(1);
    let lower = name.to_lowercase();
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .filter(|c| c.len() <= 4 * LONGEST && c.chars().count().abs_diff(length) <= limit)
        .map(|c| (strsim::damerau_levenshtein(&lower, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

/// Names as a list for messages: `` `a`, `b`, `c` ``.
pub fn backticked(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_names_only() {
        let names = ["responded", "invited", "attended"];
        assert_eq!(closest("respnded", names), Some("responded"));
        assert_eq!(closest("Attended", names), Some("attended"));
        assert_eq!(closest("budget", names), None);
    }
}
