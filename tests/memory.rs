//! Datasets built in memory: the same figures as the same tables in files,
//! and the same checks, located at the table, row and column.

use std::path::Path;

use alumni_kpi::data::Value;
use alumni_kpi::{
    ColumnType, Dataset, DatasetBuilder, Engine, LoadOptions, RuleSet, ScoreOptions, TableBuilder,
};

fn rules(dir: &str) -> RuleSet {
    let (rules, errors) = RuleSet::load_dir(Path::new(dir));
    assert!(!errors.has_errors(), "{errors:?}");
    rules
}

/// A CSV file's header and records, as written.
fn read_csv(path: &Path) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut reader = csv::Reader::from_path(path).expect("a CSV file");
    let header: Vec<String> = reader
        .headers()
        .expect("a header")
        .iter()
        .map(str::to_string)
        .collect();
    let records = reader.records().map(|r| r.expect("a record")).collect();
    (header, records)
}

/// A CSV file's rows as text cells, as a notebook would hand them over.
fn text_table(path: &Path) -> TableBuilder {
    let (header, records) = read_csv(path);
    let rows: Vec<Vec<Value>> = records
        .iter()
        .map(|r| r.iter().map(|cell| Value::Text(cell.to_string())).collect())
        .collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let name = path.file_stem().and_then(|s| s.to_str()).expect("a name");
    TableBuilder::from_rows(name, &header, rows)
}

/// The figures of a report, without what names its source.
fn figures(engine: &Engine) -> serde_json::Value {
    let report = serde_json::to_value(engine.report()).expect("serialises");
    serde_json::json!({
        "score": report["score"],
        "objectives": report["objectives"],
        "profiles": report["profiles"],
        "notes": report["notes"],
    })
}

/// The two datasets score the same figures under the rules (and some).
fn assert_same_figures(rules: RuleSet, files: Dataset, memory: Dataset) {
    let options = ScoreOptions::default();
    let from_files = Engine::new(rules.clone(), files, &options).expect("scores");
    let from_memory = Engine::new(rules, memory, &options).expect("scores");
    let (memory, files) = (figures(&from_memory), figures(&from_files));
    assert!(
        memory == files,
        "{}",
        differences(&memory, &files, "").join("\n")
    );
    assert!(from_memory.report().score.is_some());
}

/// Where two JSON values differ, by path.
fn differences(a: &serde_json::Value, b: &serde_json::Value, at: &str) -> Vec<String> {
    use serde_json::Value as J;
    match (a, b) {
        (J::Object(x), J::Object(y)) => x
            .keys()
            .chain(y.keys().filter(|k| !x.contains_key(*k)))
            .flat_map(|k| {
                let null = J::Null;
                let (va, vb) = (x.get(k).unwrap_or(&null), y.get(k).unwrap_or(&null));
                differences(va, vb, &format!("{at}.{k}"))
            })
            .collect(),
        (J::Array(x), J::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .flat_map(|(i, (va, vb))| differences(va, vb, &format!("{at}[{i}]")))
            .collect(),
        _ if a == b => Vec::new(),
        _ => vec![format!("{at}: {a} in memory, {b} from files")],
    }
}

#[test]
fn the_sample_built_in_memory_scores_as_its_directory() {
    let rules = rules("rules");
    let dir = Path::new("data/sample");
    let files = Dataset::load(dir, &LoadOptions::for_rules(&rules)).expect("the sample");
    let memory = sample_in_memory(&files);
    assert_eq!(memory.tables.len(), files.tables.len());
    assert_eq!(
        memory.table("participations").map(|t| t.len),
        files.table("participations").map(|t| t.len)
    );
    assert_same_figures(rules, files, memory);
}

/// The sample's tables as text cells, with what its dataset.yaml declares
/// said in code.
fn sample_in_memory(files: &Dataset) -> Dataset {
    let dir = Path::new("data/sample");
    // Text cells, with what dataset.yaml declares said in code.
    let lists = |t: TableBuilder, cols: &[&str]| {
        cols.iter()
            .fold(t, |t, c| t.column_type(c, ColumnType::List))
    };
    let mut builder = DatasetBuilder::new().dir(dir);
    for name in files.tables.keys() {
        let t = text_table(&dir.join(format!("{name}.csv")));
        let t = match name.as_str() {
            "alumni" => lists(t, &["interests", "skills", "reasons"]).since("recorded"),
            "events" => lists(t, &["objectives"]),
            // In dataset.yaml's order: the first reference to a table is
            // the one that relates the two.
            "participations" => t.refers("alumni_id", "alumni").refers("event_id", "events"),
            "mentoring" => t
                .refers("mentor_id", "alumni")
                .refers("mentee_id", "alumni"),
            "connections" => t.refers("alumni_id", "alumni").refers("other_id", "alumni"),
            "survey" => t
                .column_type("text", ColumnType::String)
                .column_type("language", ColumnType::String),
            _ => t,
        };
        builder = builder.table(t);
    }
    builder.build().expect("the sample in memory")
}

#[test]
fn a_manifest_declares_built_tables_as_it_declares_files() {
    let rules = rules("rules");
    let dir = Path::new("data/sample");
    let files = Dataset::load(dir, &LoadOptions::for_rules(&rules)).expect("the sample");
    let manifest = std::fs::read_to_string(dir.join("dataset.yaml")).expect("the manifest");
    let memory = files
        .tables
        .keys()
        .fold(DatasetBuilder::new().dir(dir), |b, name| {
            b.table(text_table(&dir.join(format!("{name}.csv"))))
        })
        .manifest(&manifest, "dataset.yaml")
        .build()
        .expect("the sample in memory");
    assert_same_figures(rules, files, memory);
    // A manifest naming a table not given, or a file: errors at its line.
    let errors = DatasetBuilder::new()
        .table(TableBuilder::new("alumni").column("id", [1]))
        .manifest(
            "tables:\n  alumni: { file: a.csv }\n  alumnni: { key: id }\n",
            "dataset.yaml",
        )
        .build()
        .expect_err("two mistakes");
    let found: Vec<(usize, &str, Option<&str>)> = errors
        .iter()
        .map(|d| {
            let line = d.location.as_ref().map_or(0, |l| l.line);
            (line, d.message.as_str(), d.help.as_deref())
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                2,
                "`alumni` is given in memory: it has no file",
                Some("remove its `file:`")
            ),
            (
                3,
                "`alumnni` is declared in the manifest but not given",
                Some("did you mean `alumni`?")
            ),
        ]
    );
}

/// Six alumni, three members; three gifts, one to alumnus 9 who is not
/// on record.
fn hand() -> DatasetBuilder {
    DatasetBuilder::new()
        .table(
            TableBuilder::new("alumni")
                .column("id", 1..=6)
                .column("member", [true, true, true, false, false, false])
                .column(
                    "faculty",
                    ["Law", "Law", "Law", "Science", "Science", "Arts"],
                ),
        )
        .table(
            TableBuilder::new("gifts")
                .column("id", [1, 2, 3])
                .column("alumni_id", [1, 2, 9])
                .column(
                    "date",
                    ["2026-01-10", "2026-02-01", "2026-03-01"].map(|d| Value::Text(d.into())),
                )
                .column("amount", [Some(50.0), None, Some(120.0)]),
        )
}

#[test]
fn typed_columns_keys_and_references_are_as_in_files() {
    let data = hand().build().expect("builds");
    let alumni = data.table("alumni").expect("alumni");
    assert_eq!(alumni.key, alumni.column_index("id"), "`id` is the key");
    let gifts = data.table("gifts").expect("gifts");
    assert_eq!(gifts.date, gifts.column_index("date"), "`date` is the date");
    assert_eq!(
        gifts.column("date").map(|c| c.data.column_type()),
        Some(ColumnType::Date)
    );
    // 9 is no alumnus: a warning naming it, as for a file.
    let rows = &gifts.relation_to("alumni").expect("a relation").rows;
    assert_eq!(rows[..2], [0, 1]);
    let dangling = data
        .warnings
        .iter()
        .find(|d| d.code == "data::dangling")
        .expect("a dangling warning");
    assert!(
        dangling.message.contains("`alumni_id` = `9`"),
        "{dangling:?}"
    );
    let at = dangling.location.clone().expect("located");
    assert_eq!(
        (at.file.as_str(), at.line, at.column),
        ("memory:gifts", 3, 2)
    );
}

/// Members (a share, target 80 %) and gifts (a sum, target 340).
fn hand_rules() -> RuleSet {
    let (rules, errors) = RuleSet::from_texts(
        Path::new("rules"),
        &[(
            "main.kpi",
            r#"scorecard "Hand" { population = alumni }
               objective reach {
                 indicator members { value = share(alumni where member) target = 80% }
                 indicator given { value = sum(gifts.amount) target = 340 }
               }"#,
        )],
    );
    assert!(errors.is_empty(), "{errors:?}");
    rules
}

#[test]
fn a_memory_dataset_scores_as_computed_by_hand() {
    let rules = hand_rules();
    let engine = Engine::new(
        rules,
        hand().build().expect("builds"),
        &ScoreOptions::default(),
    )
    .expect("scores");
    let report = engine.report();
    let values: Vec<Option<f64>> = report.objectives[0]
        .indicators
        .iter()
        .map(|i| i.value)
        .collect();
    // 3 of 6 members; 50 + 120 given (the null amount adds nothing).
    assert_eq!(values, [Some(0.5), Some(170.0)]);
    // 0.5 of 80 % is 62.5; 170 of 340 is 50; equal weights: 56.25.
    assert_eq!(report.score, Some(56.25));
}

#[test]
fn bad_cells_are_errors_at_table_row_and_column() {
    let errors = hand()
        .table(
            TableBuilder::new("events")
                .column("id", [1, 2, 3])
                .column("date", ["2026-01-10", "2026-02-30", "2026-03-01"])
                .column(
                    "cost",
                    [Value::Number(10.0), Value::Number(f64::NAN), 5.0.into()],
                ),
        )
        .build()
        .expect_err("an impossible day, a NaN cost");
    let found: Vec<(String, usize, usize, &str)> = errors
        .iter()
        .map(|d| {
            let at = d.location.clone().expect("located");
            (at.file, at.line, at.column, d.message.as_str())
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                "memory:events".to_string(),
                2,
                2,
                "`2026-02-30` is not a date (column `date`)"
            ),
            (
                "memory:events".to_string(),
                2,
                3,
                "`NaN` is not a number (column `cost`)"
            ),
        ]
    );
    // With skip_bad_rows, that row only is left out, and counted.
    let data = hand()
        .table(
            TableBuilder::new("events")
                .column("id", [1, 2, 3])
                .column("date", ["2026-01-10", "2026-02-30", "2026-03-01"]),
        )
        .skip_bad_rows(true)
        .build()
        .expect("skips");
    assert_eq!(data.table("events").map(|t| t.len), Some(2));
    assert_eq!(data.skipped[0].lines, [2]);
}

#[test]
fn shape_mistakes_are_all_reported_at_once() {
    let errors = DatasetBuilder::new()
        .table(TableBuilder::from_rows(
            "alumni",
            &["id", "member"],
            [
                vec![1.into(), true.into()],
                vec![2.into()],
                vec![3.into(), false.into()],
            ],
        ))
        .table(
            TableBuilder::new("gifts")
                .column("id", [1, 2])
                .column("amount", [1.0])
                .key("idd"),
        )
        .table(TableBuilder::new("alumni").column("id", [1]))
        .build()
        .expect_err("three mistakes");
    let messages: Vec<&str> = errors.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "row 2 of `alumni` has 1 value(s), the header 2",
            "column `amount` of `gifts` has 1 value(s), column `id` 2",
            "table `alumni` is given twice",
        ]
    );
    // Once the shapes are right, the declarations are checked, with a
    // suggestion.
    let errors = DatasetBuilder::new()
        .table(TableBuilder::new("gifts").column("id", [1, 2]).key("idd"))
        .build()
        .expect_err("no such key");
    assert_eq!(
        errors.0[0].message,
        "the key `idd` of `gifts` is not a column of `memory:gifts`"
    );
    assert_eq!(errors.0[0].help.as_deref(), Some("did you mean `id`?"));
    assert!(
        errors.0[0].location.is_none(),
        "declared in code, not in a file"
    );
}

#[test]
fn repeated_keys_are_errors_or_skipped_rows() {
    let table = || TableBuilder::new("alumni").column("id", [1, 2, 2]);
    let errors = DatasetBuilder::new()
        .table(table())
        .build()
        .expect_err("a repeated key");
    assert_eq!(errors.0[0].code, "data::duplicate-key");
    let at = errors.0[0].location.clone().expect("located");
    assert_eq!((at.file.as_str(), at.line), ("memory:alumni", 3));
    let data = DatasetBuilder::new()
        .table(table())
        .skip_bad_rows(true)
        .build()
        .expect("skips");
    assert_eq!(data.table("alumni").map(|t| t.len), Some(2));
}

/// Arrow record batches (feature `arrow`): typed columns keep their type,
/// strings are read as a file's text, what has no counterpart is an error.
#[cfg(feature = "arrow")]
mod arrow {
    use std::sync::Arc;

    use super::*;
    use arrow_array::builder::{ListBuilder, StringBuilder};
    use arrow_array::types::Int32Type;
    use arrow_array::{
        ArrayRef, BinaryArray, BooleanArray, Date32Array, DictionaryArray, Float64Array,
        Int64Array, RecordBatch, StringArray, TimestampSecondArray,
    };

    fn batch(columns: Vec<(&str, ArrayRef)>) -> RecordBatch {
        RecordBatch::try_from_iter(columns).expect("a batch")
    }

    /// Days from 1970-01-01, as Arrow's Date32.
    fn days(date: &str) -> i32 {
        let d = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").expect("a date");
        (d - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")).num_days() as i32
    }

    #[test]
    fn typed_arrow_columns_give_the_builders_figures() {
        let mut tags = ListBuilder::new(StringBuilder::new());
        for row in [&["a", "b"][..], &[], &["c"], &[], &[], &[]] {
            row.iter().for_each(|t| tags.values().append_value(t));
            tags.append(true);
        }
        let faculty: DictionaryArray<Int32Type> =
            ["Law", "Law", "Law", "Science", "Science", "Arts"]
                .into_iter()
                .collect();
        let alumni = batch(vec![
            ("id", Arc::new(Int64Array::from_iter_values(1..=6))),
            (
                "member",
                Arc::new(BooleanArray::from(vec![
                    true, true, true, false, false, false,
                ])),
            ),
            ("faculty", Arc::new(faculty)),
            ("tags", Arc::new(tags.finish())),
        ]);
        // Two batches of gifts: rows keep their order across batches.
        let gifts = |ids: Vec<i64>, who: Vec<i64>, dates: Vec<&str>, amounts: Vec<Option<f64>>| {
            batch(vec![
                ("id", Arc::new(Int64Array::from(ids))),
                ("alumni_id", Arc::new(Int64Array::from(who))),
                (
                    "date",
                    Arc::new(Date32Array::from_iter_values(dates.into_iter().map(days))),
                ),
                ("amount", Arc::new(Float64Array::from(amounts))),
            ])
        };
        let data = DatasetBuilder::new()
            .table(TableBuilder::from_arrow("alumni", &[alumni]).expect("reads"))
            .table(
                TableBuilder::from_arrow(
                    "gifts",
                    &[
                        gifts(
                            vec![1, 2],
                            vec![1, 2],
                            vec!["2026-01-10", "2026-02-01"],
                            vec![Some(50.0), None],
                        ),
                        gifts(vec![3], vec![9], vec!["2026-03-01"], vec![Some(120.0)]),
                    ],
                )
                .expect("reads"),
            )
            .build()
            .expect("builds");
        let built = hand().build().expect("builds");
        for (table, column) in [
            ("alumni", "id"),
            ("alumni", "member"),
            ("alumni", "faculty"),
            ("gifts", "alumni_id"),
            ("gifts", "date"),
            ("gifts", "amount"),
        ] {
            let ty = |d: &Dataset| {
                d.table(table)
                    .and_then(|t| t.column(column))
                    .map(|c| c.data.column_type())
            };
            assert_eq!(ty(&data), ty(&built), "{table}.{column}");
        }
        let alumni = data.table("alumni").expect("alumni");
        let Some(alumni_kpi::data::ColumnData::List { offsets, .. }) =
            alumni.column("tags").map(|c| &c.data)
        else {
            panic!("a list column")
        };
        assert_eq!(offsets, &[0, 2, 2, 3, 3, 3, 3]);
        assert_eq!(
            data.table("gifts")
                .and_then(|g| g.relation_to("alumni"))
                .map(|r| r.rows[..2].to_vec()),
            Some(vec![0, 1])
        );
        let rules = hand_rules();
        let engine = Engine::new(rules, data, &ScoreOptions::default()).expect("scores");
        assert_eq!(engine.report().score, Some(56.25));
    }

    #[test]
    fn the_sample_as_arrow_strings_scores_as_its_directory() {
        let rules = rules("rules");
        let dir = Path::new("data/sample");
        let files = Dataset::load(dir, &LoadOptions::for_rules(&rules)).expect("the sample");
        let memory = sample_in_memory(&files);
        // The same cells, as Arrow string columns (a CSV read with every
        // column as text).
        let mut builder = DatasetBuilder::new().dir(dir);
        for name in files.tables.keys() {
            let (header, records) = read_csv(&dir.join(format!("{name}.csv")));
            let columns: Vec<(&str, ArrayRef)> = header
                .iter()
                .enumerate()
                .map(|(c, h)| {
                    let cells = records.iter().map(|r| r.get(c).filter(|s| !s.is_empty()));
                    (
                        h.as_str(),
                        Arc::new(cells.collect::<StringArray>()) as ArrayRef,
                    )
                })
                .collect();
            let t = TableBuilder::from_arrow(name, &[batch(columns)]).expect("reads");
            // What dataset.yaml declares, as in `sample_in_memory`.
            let reference = memory.table(name).expect("the table");
            let t = reference
                .columns
                .iter()
                .filter(|c| matches!(c.data.column_type(), ColumnType::List | ColumnType::String))
                .fold(t, |t, c| t.column_type(&c.name, c.data.column_type()));
            let t = reference
                .relations
                .iter()
                .fold(t, |t, r| t.refers(&r.column, &r.target));
            let t = match reference.since {
                Some(s) => t.since(&reference.columns[s].name),
                None => t,
            };
            builder = builder.table(t);
        }
        let arrow = builder.build().expect("the sample from Arrow");
        assert_same_figures(rules, files, arrow);
    }

    #[test]
    fn what_arrow_holds_and_numbers_cannot_is_an_error_naming_it() {
        let errors = TableBuilder::from_arrow(
            "t",
            &[batch(vec![
                (
                    "id",
                    Arc::new(Int64Array::from(vec![1, 9_007_199_254_740_993])),
                ),
                ("blob", Arc::new(BinaryArray::from(vec![&b"x"[..], b"y"]))),
                (
                    "at",
                    Arc::new(
                        TimestampSecondArray::from(vec![0, 86_400]).with_timezone("Europe/Paris"),
                    ),
                ),
            ])],
        )
        .expect_err("three columns that do not fit");
        let found: Vec<(&str, String)> = errors
            .iter()
            .map(|d| {
                let at = d.location.as_ref().map_or(String::new(), |l| {
                    format!("{}:{}:{}", l.file, l.line, l.column)
                });
                (d.message.as_str(), at)
            })
            .collect();
        assert_eq!(
            found,
            [
                (
                    "`9007199254740993` is too large to be held exactly as a number (column `id`)",
                    "memory:t:2:1".to_string()
                ),
                (
                    "column `blob` of `t` is Arrow Binary, which has no counterpart here",
                    String::new()
                ),
                (
                    "`a timestamp in Europe/Paris` is a time in a zone other than UTC, so its day is not known (column `at`)",
                    "memory:t:1:3".to_string()
                ),
            ]
        );
        // A NaN is no number: an error at its cell, as `NaN` in a file is.
        let nan = TableBuilder::from_arrow(
            "t",
            &[batch(vec![
                ("id", Arc::new(Int64Array::from(vec![1, 2]))),
                ("x", Arc::new(Float64Array::from(vec![1.0, f64::NAN]))),
            ])],
        )
        .expect("reads");
        let errors = DatasetBuilder::new().table(nan).build().expect_err("NaN");
        assert_eq!(errors.0[0].message, "`NaN` is not a number (column `x`)");
        let at = errors.0[0].location.clone().expect("located");
        assert_eq!((at.line, at.column), (2, 2));
    }

    /// Found in review: a table with no rows (no batch) lost its columns,
    /// and a column of nulls only became text.
    #[test]
    fn an_empty_or_all_null_arrow_table_keeps_its_columns_and_types() {
        use arrow_schema::{DataType, Field, Schema};
        let schema = Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("amount", DataType::Float64, true),
        ]);
        let empty = TableBuilder::from_arrow_with("gifts", &schema, &[]).expect("reads");
        let nulls = TableBuilder::from_arrow(
            "gifts",
            &[batch(vec![
                ("id", Arc::new(Int64Array::from(vec![1, 2]))),
                ("amount", Arc::new(Float64Array::from(vec![None, None]))),
            ])],
        )
        .expect("reads");
        for gifts in [empty, nulls] {
            let data = DatasetBuilder::new().table(gifts).build().expect("builds");
            let amount = data.table("gifts").and_then(|t| t.column("amount"));
            assert_eq!(
                amount.map(|c| c.data.column_type()),
                Some(ColumnType::Number)
            );
        }
    }
}
