//! The syntax tree shared by both rule formats.
//!
//! Nodes are `{ kind, span }`; spans are skipped when a tree is serialised,
//! so two trees can be compared for meaning with [`same_tree`].
//! Comments and blank lines ride along as [`Trivia`] so that `kpi fmt` and
//! `kpi convert` keep them.

use std::fmt;

use serde::Serialize;

use crate::source::Span;

/// A rule file of either format.
#[derive(Debug, Clone, Serialize)]
pub struct RuleFile {
    pub items: Vec<Item>,
    /// Comments after the last item.
    pub trailing_comments: Vec<Comment>,
}

/// A comment as written, markers included (`// ...`, `/* ... */`, `# ...`).
#[derive(Debug, Clone, Serialize)]
pub struct Comment {
    /// The text after the marker, as written (`// x` keeps ` x`).
    pub text: String,
    /// A `/* .. */` block comment (kept as a block when printed to .kpi).
    pub block: bool,
    #[serde(skip)]
    pub span: Span,
}

/// Comments and spacing around a node.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Trivia {
    /// An empty line stood before the node (and its leading comments).
    /// Layout only: not part of what a tree says.
    #[serde(skip)]
    pub blank_before: bool,
    /// Whole-line comments just before the node.
    pub leading: Vec<Comment>,
    /// How many of `leading` stood above the YAML section key of a
    /// section's first entry (`# set yearly` above `params:`), to be
    /// printed back there. Layout only.
    #[serde(skip)]
    pub above_section: usize,
    /// A comment at the end of the node's (first) line.
    pub trailing: Option<Comment>,
    /// For blocks: comments after the last member, before `}`.
    pub dangling: Vec<Comment>,
}

/// A name as written, with its place.
#[derive(Debug, Clone, Serialize)]
pub struct Ident {
    pub name: String,
    #[serde(skip)]
    pub span: Span,
}

impl Ident {
    pub fn new(name: impl Into<String>, span: Span) -> Ident {
        Ident {
            name: name.into(),
            span,
        }
    }
}

impl fmt::Display for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// A string written in the rules (a title, a `use` path).
#[derive(Debug, Clone, Serialize)]
pub struct Text {
    pub value: String,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub kind: ItemKind,
    #[serde(skip)]
    pub span: Span,
    pub trivia: Trivia,
}

#[derive(Debug, Clone, Serialize)]
pub enum ItemKind {
    /// The one `scorecard { .. }` block of a rules directory.
    Scorecard(Scorecard),
    /// `param NAME = EXPR`: a constant the analyst may override (`--set`).
    Param(Binding),
    /// `use "PATH"`: a rhai plugin whose functions become callable.
    Use(Text),
    /// `profile TABLE { .. }`: derived columns, one value per row of TABLE.
    Profile(Profile),
    /// `let NAME = EXPR`: a named scalar shared by indicators.
    Let(Binding),
    /// `objective ID "TITLE" { .. }`: a weighted group of indicators.
    Objective(Objective),
}

impl ItemKind {
    /// The word that starts the item in .kpi, also used in messages.
    pub fn keyword(&self) -> &'static str {
        match self {
            ItemKind::Scorecard(_) => "scorecard",
            ItemKind::Param(_) => "param",
            ItemKind::Use(_) => "use",
            ItemKind::Profile(_) => "profile",
            ItemKind::Let(_) => "let",
            ItemKind::Objective(_) => "objective",
        }
    }
}

/// `NAME = EXPR` at the top level (`param`, `let`).
#[derive(Debug, Clone, Serialize)]
pub struct Binding {
    pub name: Ident,
    pub value: Expr,
}

/// `NAME = EXPR` inside a block. Which names are allowed depends on the block
/// and is checked by the checker, not the parser, so that a misspelt field
/// gets a did-you-mean.
#[derive(Debug, Clone, Serialize)]
pub struct Field {
    pub name: Ident,
    pub value: Expr,
    #[serde(skip)]
    pub span: Span,
    pub trivia: Trivia,
}

#[derive(Debug, Clone, Serialize)]
pub struct Scorecard {
    pub title: Option<Text>,
    /// `population`, `period`, `segments`, `benchmark`, `description`.
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Profile {
    pub table: Ident,
    /// One derived column each.
    pub columns: Vec<Field>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Objective {
    pub id: Ident,
    pub title: Option<Text>,
    pub members: Vec<Member>,
}

impl Objective {
    pub fn fields(&self) -> impl Iterator<Item = &Field> {
        self.members.iter().filter_map(|m| match m {
            Member::Field(f) => Some(f),
            Member::Indicator(_) => None,
        })
    }

    pub fn indicators(&self) -> impl Iterator<Item = &Indicator> {
        self.members.iter().filter_map(|m| match m {
            Member::Indicator(i) => Some(i),
            Member::Field(_) => None,
        })
    }
}

/// What an objective block holds, in written order.
#[derive(Debug, Clone, Serialize)]
pub enum Member {
    /// `weight`, `description`, `tags`.
    Field(Field),
    Indicator(Indicator),
}

#[derive(Debug, Clone, Serialize)]
pub struct Indicator {
    pub id: Ident,
    pub title: Option<Text>,
    /// `value`, `target`, `score`, `weight`, `unit`, `description`, `tags`.
    pub fields: Vec<Field>,
    #[serde(skip)]
    pub span: Span,
    pub trivia: Trivia,
}

/// Looks a field up by name (the first one, if written twice).
pub fn field<'a>(fields: &'a [Field], name: &str) -> Option<&'a Field> {
    fields.iter().find(|f| f.name.name == name)
}

/// A calendar date (`2026-08-31`).
pub type Date = chrono::NaiveDate;

#[derive(Debug, Clone, Serialize)]
pub struct Expr {
    pub kind: ExprKind,
    #[serde(skip)]
    pub span: Span,
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span }
    }

    /// This expression and every expression inside it, outer first, in
    /// written order (an explicit stack: nesting depth costs no stack).
    pub fn descendants(&self) -> Vec<&Expr> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(e) = stack.pop() {
            out.push(e);
            let at = stack.len();
            match &e.kind {
                ExprKind::List(items) => stack.extend(items),
                ExprKind::Column { .. }
                | ExprKind::Number(_)
                | ExprKind::Percent(_)
                | ExprKind::String(_)
                | ExprKind::Bool(_)
                | ExprKind::Date(_)
                | ExprKind::Null
                | ExprKind::Period { .. }
                | ExprKind::Name(_)
                | ExprKind::Rhai(_) => {}
                ExprKind::Unary { operand, .. } => stack.push(operand),
                ExprKind::Binary { lhs, rhs, .. } => stack.extend([&**lhs, &**rhs]),
                ExprKind::If {
                    cond,
                    then,
                    otherwise,
                } => stack.extend([&**cond, &**then, &**otherwise]),
                ExprKind::Call { args, filter, .. } => {
                    stack.extend(args);
                    stack.extend(filter.as_deref());
                }
                ExprKind::Bands(bands) => {
                    for b in bands {
                        stack.extend([&b.threshold, &b.score]);
                    }
                }
            }
            // Children were pushed in written order: pop them that way.
            stack[at..].reverse();
        }
        out
    }
}

impl RuleFile {
    /// Every field, binding and profile column of the file, with the
    /// expression it holds, in written order.
    pub fn fields(&self) -> Vec<(&Ident, &Expr)> {
        let mut out = Vec::new();
        for item in &self.items {
            match &item.kind {
                ItemKind::Scorecard(s) => out.extend(s.fields.iter().map(|f| (&f.name, &f.value))),
                ItemKind::Param(b) | ItemKind::Let(b) => out.push((&b.name, &b.value)),
                ItemKind::Use(_) => {}
                ItemKind::Profile(p) => out.extend(p.columns.iter().map(|f| (&f.name, &f.value))),
                ItemKind::Objective(o) => {
                    for m in &o.members {
                        match m {
                            Member::Field(f) => out.push((&f.name, &f.value)),
                            Member::Indicator(i) => {
                                out.extend(i.fields.iter().map(|f| (&f.name, &f.value)))
                            }
                        }
                    }
                }
            }
        }
        out
    }
}

#[derive(Debug, Clone, Serialize)]
pub enum ExprKind {
    /// A number as written (`12`, `0.5`).
    Number(f64),
    /// A percentage as written: `Percent(60.0)` is `60%`, the number 0.6.
    Percent(f64),
    String(String),
    Bool(bool),
    Date(Date),
    /// "No data".
    Null,
    /// `[a, b]`: a list literal (of strings, for `in` and `segments`).
    List(Vec<Expr>),
    /// `FROM .. TO`: only the scorecard's `period`.
    Period {
        from: Date,
        to: Date,
    },
    /// A bare name: a param, a let, an indicator, `value`/`target` inside
    /// `score`, a table (first argument of `count`), or a column of the
    /// current row inside `where` and profiles.
    Name(Ident),
    /// `TABLE.COLUMN`: a column (or profile column) of a table, or of a
    /// parent table reached through a relation.
    Column {
        table: Ident,
        column: Ident,
    },
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `if COND then A else B`: B where COND is false or null.
    If {
        cond: Box<Expr>,
        then: Box<Expr>,
        otherwise: Box<Expr>,
    },
    /// A function or aggregate call; `filter` is the `where` clause that
    /// keeps only the rows of the aggregate's table where it is true.
    Call {
        function: Ident,
        args: Vec<Expr>,
        filter: Option<Box<Expr>>,
    },
    /// `bands(t1: s1, ..)`: the score of the highest threshold reached.
    Bands(Vec<Band>),
    /// An inline `rhai { .. }` script, kept as text (without the braces).
    Rhai(String),
}

#[derive(Debug, Clone, Serialize)]
pub struct Band {
    pub threshold: Expr,
    pub score: Expr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum UnaryOp {
    Neg,
    Not,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    In,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::And => "and",
            BinaryOp::Or => "or",
            BinaryOp::In => "in",
        }
    }

    /// Binding strength: higher binds tighter (`not` sits at 3).
    pub fn precedence(self) -> u8 {
        match self {
            BinaryOp::Or => 1,
            BinaryOp::And => 2,
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge
            | BinaryOp::In => 4,
            BinaryOp::Add | BinaryOp::Sub => 5,
            BinaryOp::Mul | BinaryOp::Div => 6,
        }
    }
}

/// Precedence of `not` (it binds looser than comparisons: `not a == b` is
/// `not (a == b)`).
pub const NOT_PRECEDENCE: u8 = 3;
/// Precedence of unary minus (tightest).
pub const NEG_PRECEDENCE: u8 = 7;

/// Two trees say the same thing: equal but for spans.
pub fn same_tree(a: &RuleFile, b: &RuleFile) -> bool {
    serde_json::to_value(a).ok() == serde_json::to_value(b).ok()
}
