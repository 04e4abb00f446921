//! Which fields each block takes, and what kind of value each holds.
//!
//! Shared by the YAML reader and printer (a text field is a plain YAML
//! string, an expression field an expression string) and by the checker
//! (unknown fields get a did-you-mean from these lists).

/// What a field's value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// An expression (`value`, `target`, `score`, `weight`).
    Expr,
    /// A table name (`population`).
    Table,
    /// A list of column names (`segments`).
    Columns,
    /// `FROM .. TO` (`period`).
    Period,
    /// Free text (`unit`, `description`, `benchmark`).
    Text,
    /// A list of words (`tags`).
    TextList,
    /// A param's value in YAML: an expression, or text when written in
    /// quotes or as plain words (`flagship: Law`, `names: [Law, Arts]`).
    Param,
}

/// The block a field stands in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Block {
    Scorecard,
    Objective,
    Indicator,
}

impl Block {
    pub fn fields(self) -> &'static [(&'static str, FieldKind)] {
        use FieldKind::*;
        match self {
            Block::Scorecard => &[
                ("population", Table),
                ("period", Period),
                ("segments", Columns),
                ("benchmark", Text),
                ("benchmark_min_peers", Expr),
                ("max_segment_values", Expr),
                ("trend", Expr),
                ("min_group", Expr),
                ("description", Text),
            ],
            Block::Objective => &[
                ("weight", Expr),
                ("order", Expr),
                ("description", Text),
                ("tags", TextList),
            ],
            Block::Indicator => &[
                ("value", Expr),
                ("target", Expr),
                ("score", Expr),
                ("weight", Expr),
                ("unit", Text),
                ("better", Text),
                ("segments", Columns),
                ("description", Text),
                ("tags", TextList),
            ],
        }
    }

    pub fn kind_of(self, field: &str) -> Option<FieldKind> {
        self.fields()
            .iter()
            .find(|(name, _)| *name == field)
            .map(|(_, kind)| *kind)
    }

    /// How the block is called in messages.
    pub fn noun(self) -> &'static str {
        match self {
            Block::Scorecard => "the scorecard",
            Block::Objective => "an objective",
            Block::Indicator => "an indicator",
        }
    }
}
