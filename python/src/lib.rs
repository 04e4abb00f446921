//! `alumni_kpi._alumni_kpi`: the engine for Python. The Python package
//! (`alumni_kpi/__init__.py`) turns DataFrames into Arrow streams and
//! reports into dicts; this module scores.
//!
//! Tables arrive through the Arrow C stream interface (`__arrow_c_stream__`,
//! which pyarrow, polars and pandas implement), so no Python-side Arrow
//! library is linked here. Scoring releases the GIL.

use std::ffi::CStr;
use std::path::PathBuf;

use alumni_kpi::diagnostic::{Diagnostics, ErrorFormat};
use alumni_kpi::report::RenderOptions;
use alumni_kpi::source::SourceMap;
use alumni_kpi::{
    DatasetBuilder, Engine as Inner, Lang, LoadOptions, Report, ReportFormat, RuleSet,
    ScoreOptions, TableBuilder, WhatIf,
};
use arrow_array::ffi_stream::{FFI_ArrowArrayStream, RecordBatchStreamReader};
use arrow_array::{RecordBatch, RecordBatchReader};
use arrow_schema::SchemaRef;
use chrono::NaiveDate;
use pyo3::exceptions::{PyException, PyTimeoutError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict};

pyo3::create_exception!(
    _alumni_kpi,
    RuleError,
    PyException,
    "Rules, data or a what-if that cannot be scored. `diagnostics` lists every problem \
     (severity, code, message, file, line, column, help), as `kpi check --error-format json` does."
);

/// The name the Arrow C stream interface gives its capsules.
const STREAM: &CStr = c"arrow_array_stream";

/// A `RuleError` carrying the diagnostics (placed in `sources`, the rule
/// files) as its text and as dicts.
fn rule_error(py: Python<'_>, d: &Diagnostics, sources: &SourceMap) -> PyErr {
    let render = |format| alumni_kpi::diagnostic::render(&d.0, sources, format, false);
    let err = RuleError::new_err(render(ErrorFormat::Short));
    let diagnostics = py
        .import("json")
        .and_then(|json_module| json_module.call_method1("loads", (render(ErrorFormat::Json),)));
    match diagnostics.and_then(|d| err.value(py).setattr("diagnostics", d)) {
        Ok(()) => err,
        Err(e) => e,
    }
}

/// The same for data diagnostics, which point into no rule file.
fn data_error(py: Python<'_>, d: &Diagnostics) -> PyErr {
    rule_error(py, d, &SourceMap::default())
}

/// The schema and every record batch of an object with
/// `__arrow_c_stream__`.
fn batches(table: &Bound<'_, PyAny>, name: &str) -> PyResult<(SchemaRef, Vec<RecordBatch>)> {
    let capsule = table.call_method0("__arrow_c_stream__")?;
    let capsule = capsule.cast::<PyCapsule>().map_err(|_| {
        PyValueError::new_err(format!(
            "table `{name}`: `__arrow_c_stream__` did not return a capsule"
        ))
    })?;
    let pointer = capsule.pointer_checked(Some(STREAM))?;
    // SAFETY: the capsule holds an `ArrowArrayStream` (its name says so);
    // `from_raw` moves the stream out and leaves a released one behind,
    // which the capsule's destructor then leaves alone.
    let reader = unsafe {
        RecordBatchStreamReader::from_raw(pointer.as_ptr().cast::<FFI_ArrowArrayStream>())
    }
    .map_err(|e| PyValueError::new_err(format!("table `{name}`: {e}")))?;
    let schema = reader.schema();
    let batches = reader
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| PyValueError::new_err(format!("table `{name}`: {e}")))?;
    Ok((schema, batches))
}

fn date(text: &str) -> PyResult<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| PyValueError::new_err(format!("`{text}` is not a date (YYYY-MM-DD)")))
}

fn period(p: Option<(String, String)>) -> PyResult<Option<(NaiveDate, NaiveDate)>> {
    p.map(|(from, to)| Ok((date(&from)?, date(&to)?)))
        .transpose()
}

fn lang(lang: &str) -> PyResult<Lang> {
    match lang {
        "en" => Ok(Lang::En),
        "fr" => Ok(Lang::Fr),
        other => Err(PyValueError::new_err(format!(
            "`{other}` is no report language (en, fr)"
        ))),
    }
}

fn format(format: &str) -> PyResult<ReportFormat> {
    Ok(match format {
        "json" => ReportFormat::Json,
        "yaml" => ReportFormat::Yaml,
        "md" | "markdown" => ReportFormat::Md,
        "html" => ReportFormat::Html,
        "csv" => ReportFormat::Csv,
        other => {
            return Err(PyValueError::new_err(format!(
                "`{other}` is no report format (json, yaml, md, html, csv)"
            )));
        }
    })
}

/// A rule set and a dataset, checked and compiled once; what-ifs answer
/// without loading or checking again.
#[pyclass(frozen, module = "alumni_kpi._alumni_kpi")]
struct Engine {
    inner: Inner,
}

#[pymethods]
impl Engine {
    #[new]
    #[pyo3(signature = (rules, data=None, tables=None, manifest=None, dir=None, skip_bad_rows=false, set=Vec::new(), period=None, periods=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        rules: PathBuf,
        data: Option<PathBuf>,
        tables: Option<&Bound<'_, PyDict>>,
        manifest: Option<(String, String)>,
        dir: Option<PathBuf>,
        skip_bad_rows: bool,
        set: Vec<(String, String)>,
        period: Option<(String, String)>,
        periods: Option<usize>,
    ) -> PyResult<Engine> {
        let (rule_set, errors) = RuleSet::load_dir(&rules);
        if errors.has_errors() {
            return Err(rule_error(py, &errors, &rule_set.sources));
        }
        let dataset = match (data, tables) {
            (Some(_), None) if manifest.is_some() || dir.is_some() => {
                return Err(PyValueError::new_err(
                    "`manifest` and `dir` go with `tables`: a dataset directory has its own \
                     dataset.yaml and benchmark file",
                ));
            }
            (Some(dir), None) => {
                let options = LoadOptions {
                    skip_bad_rows,
                    ..LoadOptions::for_rules(&rule_set)
                };
                py.detach(|| alumni_kpi::Dataset::load(&dir, &options))
                    .map_err(|d| data_error(py, &d))?
            }
            (None, Some(tables)) => {
                let mut builder = DatasetBuilder::new().skip_bad_rows(skip_bad_rows);
                if let Some(dir) = dir {
                    builder = builder.dir(dir);
                }
                if let Some((text, shown)) = &manifest {
                    builder = builder.manifest(text, shown);
                }
                let mut errors = Diagnostics::new();
                for (name, table) in tables.iter() {
                    let name: String = name.extract()?;
                    let (schema, batches) = batches(&table, &name)?;
                    match TableBuilder::from_arrow_with(&name, &schema, &batches) {
                        Ok(t) => builder = builder.table(t),
                        Err(e) => errors.extend(e),
                    }
                }
                if errors.has_errors() {
                    return Err(data_error(py, &errors));
                }
                py.detach(|| builder.build())
                    .map_err(|d| data_error(py, &d))?
            }
            _ => {
                return Err(PyValueError::new_err(
                    "give either `data` (a dataset directory) or `tables` (name: DataFrame)",
                ));
            }
        };
        let options = ScoreOptions {
            period: self::period(period)?,
            set,
            explain: false,
            periods,
        };
        let inner = py
            .detach(|| Inner::new(rule_set, dataset, &options))
            .map_err(|e| rule_error(py, &e.diagnostics, &e.sources))?;
        Ok(Engine { inner })
    }

    /// The report as JSON text, or rendered in `format` and `lang`, with
    /// what-if params, weights and period.
    #[pyo3(signature = (set=Vec::new(), weights=Vec::new(), period=None, periods=None, explain=false, format="json", lang="en", budget=None))]
    #[allow(clippy::too_many_arguments)]
    fn render(
        &self,
        py: Python<'_>,
        set: Vec<(String, String)>,
        weights: Vec<(String, f64)>,
        period: Option<(String, String)>,
        periods: Option<usize>,
        explain: bool,
        format: &str,
        lang: &str,
        budget: Option<f64>,
    ) -> PyResult<String> {
        let budget = budget
            .map(|s| {
                std::time::Duration::try_from_secs_f64(s).map_err(|_| {
                    PyValueError::new_err(format!("a budget is a number of seconds, not {s}"))
                })
            })
            .transpose()?;
        let what_if = WhatIf {
            set,
            weights,
            period: self::period(period)?,
            periods,
            explain,
            budget,
            cancel: None,
        };
        let (format, lang) = (self::format(format)?, self::lang(lang)?);
        let report: Report = py.detach(|| self.inner.score(&what_if)).map_err(|d| {
            if let Some(late) = d.iter().find(|d| d.code == "score::budget") {
                return PyTimeoutError::new_err(late.message.clone());
            }
            rule_error(py, &d, &self.inner.rules().sources)
        })?;
        report
            .render_with(
                format,
                &RenderOptions {
                    lang,
                    template: None,
                    ..RenderOptions::default()
                },
            )
            .map_err(|e| PyValueError::new_err(e.to_string()))
    }

    /// The population's profile columns, one row per person, as CSV.
    fn profiles_csv(&self, py: Python<'_>) -> String {
        py.detach(|| self.inner.profiles_csv())
    }

    /// The population's profile columns as JSON: `[[name, [values]], ...]`.
    fn profiles_json(&self, py: Python<'_>) -> String {
        let columns = py.detach(|| self.inner.profiles_columns());
        serde_json::to_string(&columns).unwrap_or_default()
    }

    /// The population table, whose rows the profiles describe.
    fn population(&self) -> Option<String> {
        self.inner.population().map(str::to_string)
    }

    /// The warnings found before scoring, as dicts.
    fn notes(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let json = alumni_kpi::diagnostic::render(
            self.inner.notes(),
            &self.inner.rules().sources,
            ErrorFormat::Json,
            false,
        );
        Ok(py.import("json")?.call_method1("loads", (json,))?.unbind())
    }
}

#[pymodule]
fn _alumni_kpi(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Engine>()?;
    m.add("RuleError", m.py().get_type::<RuleError>())?;
    Ok(())
}
