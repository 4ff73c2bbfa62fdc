//! The sweep spec (`cimc sweep spec.toml`): models, a base target, axes
//! over target keys, quantization recipes, schedules, Monte-Carlo seeds and
//! how the axes are sampled. The format is documented in `sweep/README.md`.
//!
//! Parsing checks the shape of the file (every key known, every value of
//! its type, no empty axis, files present); what the values mean for the
//! chip is checked when the points are planned ([`crate::plan`]). Either
//! way an error names the file, line, column and key.

use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::toml_items::{self, Entry, Item, Kind};

/// A problem with a spec, located.
#[derive(Debug, Clone, Error, PartialEq)]
#[error("{file}:{line}:{col}: error: {key}: {message}")]
pub struct SpecError {
    pub file: String,
    pub line: usize,
    pub col: usize,
    /// The offending key, as a dotted path in the spec (`axes.array.rows`,
    /// `recipe[2].adaround`).
    pub key: String,
    pub message: String,
}

/// A parsed spec.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The file, as given, and its text (errors quote positions in it).
    pub file: String,
    pub text: String,
    pub models: Vec<Model>,
    pub target: TargetSpec,
    pub axes: Vec<Axis>,
    pub recipes: Vec<Recipe>,
    pub run: RunSpec,
    pub sample: Sample,
}

/// A network the sweep evaluates.
#[derive(Debug, Clone)]
pub struct Model {
    /// Its name in the results (default: the file's stem).
    pub name: String,
    pub path: PathBuf,
    /// Evaluation data: one `.npy` per argument, batched like `--input`.
    pub inputs: Vec<PathBuf>,
    /// Integer class labels for top-1 accuracy.
    pub labels: Option<PathBuf>,
    /// Calibration data (one `.npy` per argument): the model is float and
    /// every recipe quantizes it; without it the model is used as it is.
    pub calibration: Vec<PathBuf>,
    /// The function to run (default: the only public one).
    pub entry: Option<String>,
    pub at: usize,
}

/// The chip every point starts from.
#[derive(Debug, Clone)]
pub struct TargetSpec {
    /// A preset name or a TOML file (resolved against the spec's folder).
    pub base: String,
    pub base_at: usize,
    /// Fixed overrides, `key=value` as `--target-opt` takes them.
    pub set: Vec<Setting>,
}

/// One target key set to one value.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    /// Dotted target key (`array.adc.bits`).
    pub key: String,
    /// The value's TOML text (`8`, `"clipped"`, `[4, 8]`).
    pub value: String,
    /// Where the value is in the spec.
    pub at: usize,
}

impl Setting {
    /// As `--target-opt` takes it.
    pub fn as_override(&self) -> String {
        format!("{}={}", self.key, self.value)
    }
}

/// One axis: a name (a target key, or any name for linked keys) and the
/// values it takes, each setting one or more target keys.
#[derive(Debug, Clone)]
pub struct Axis {
    pub name: String,
    pub at: usize,
    pub values: Vec<AxisValue>,
}

/// One value of an axis.
#[derive(Debug, Clone)]
pub struct AxisValue {
    /// How the results show it (the value, or `k=v,k=v` for linked keys).
    pub label: String,
    pub settings: Vec<Setting>,
    pub at: usize,
}

/// A quantization recipe: `cimc quantize` options by their long names.
#[derive(Debug, Clone)]
pub struct Recipe {
    pub name: String,
    pub at: usize,
    /// (option, value, position): `true` is a flag, `false` leaves it out.
    pub options: Vec<RecipeOption>,
}

/// One option of a recipe.
#[derive(Debug, Clone, PartialEq)]
pub struct RecipeOption {
    /// The long option name (`weight-range`; `_` is read as `-`).
    pub name: String,
    /// `None` for a flag.
    pub value: Option<String>,
    pub at: usize,
}

impl Recipe {
    /// The options as command-line words (`--adaround`, `--weight-range`, `mse`).
    pub fn args(&self) -> Vec<String> {
        let mut args = Vec::new();
        for option in &self.options {
            args.push(format!("--{}", option.name));
            args.extend(option.value.clone());
        }
        args
    }
}

/// How each point is compiled and run.
#[derive(Debug, Clone)]
pub struct RunSpec {
    /// -O level.
    pub opt: u8,
    pub opt_at: usize,
    /// Schedules (`layer-sequential`, `ht`, `ll`), each a dimension value.
    pub schedules: Vec<(String, usize)>,
    /// Monte-Carlo seeds (`non_idealities.seed`); empty: the target's seed.
    pub seeds: Vec<u64>,
    /// Whether the graph phase runs (`--no-graph` when false).
    pub graph: bool,
}

/// How the axes' space is sampled (models, recipes, schedules and seeds
/// are always crossed with every sample).
#[derive(Debug, Clone, PartialEq)]
pub enum Sample {
    /// Every combination.
    Grid,
    /// `points` combinations drawn uniformly without repeats.
    Random { points: usize, seed: u64 },
    /// `points` combinations of a Latin hypercube: each axis's values are
    /// spread evenly over the points, in a seeded random pairing.
    Lhs { points: usize, seed: u64 },
}

/// The schedules `--schedule` knows.
pub const SCHEDULES: &[&str] = &["layer-sequential", "ht", "ll"];

/// Recipe options the sweep sets itself.
const SET_BY_SWEEP: &[&str] = &[
    "calibration",
    "output",
    "target",
    "target-opt",
    "entry",
    "batch",
    "report",
    "report-input",
    "labels",
];

/// Reads and parses the spec at `path`.
pub fn load(path: &Path) -> Result<Spec, SpecError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|err| SpecError {
        file: file.clone(),
        line: 1,
        col: 1,
        key: "(file)".into(),
        message: format!("cannot read it: {err}"),
    })?;
    let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
    parse(&file, &text, &dir)
}

/// Parses a spec's text; relative paths in it are taken from `dir`.
pub fn parse(file: &str, text: &str, dir: &Path) -> Result<Spec, SpecError> {
    let cx = Cx {
        file,
        text,
        dir: dir.to_path_buf(),
    };
    let doc = toml_items::parse(text)
        .map_err(|(offset, message)| cx.error(offset, "(syntax)", message))?;
    let Kind::Table(top) = &doc.kind else {
        unreachable!("a document is a table")
    };
    cx.known(
        top,
        "",
        &[
            "name",
            "description",
            "model",
            "target",
            "axes",
            "recipe",
            "run",
            "sample",
        ],
    )?;
    let models = match find(top, "model") {
        None => return Err(cx.error(0, "model", "the spec needs at least one [[model]]".into())),
        Some(entry) => cx.models(entry)?,
    };
    let target = match find(top, "target") {
        None => TargetSpec {
            base: cimc_target::DEFAULT_PRESET.to_string(),
            base_at: 0,
            set: Vec::new(),
        },
        Some(entry) => cx.target(entry)?,
    };
    let axes = match find(top, "axes") {
        None => Vec::new(),
        Some(entry) => cx.axes(entry)?,
    };
    let recipes = match find(top, "recipe") {
        None => Vec::new(),
        Some(entry) => cx.recipes(entry)?,
    };
    let run = match find(top, "run") {
        None => RunSpec {
            opt: 2,
            opt_at: 0,
            schedules: vec![("layer-sequential".into(), 0)],
            seeds: Vec::new(),
            graph: true,
        },
        Some(entry) => cx.run(entry)?,
    };
    let sample = match find(top, "sample") {
        None => Sample::Grid,
        Some(entry) => cx.sample(entry)?,
    };
    for key in ["name", "description"] {
        if let Some(entry) = find(top, key) {
            cx.string(&entry.value, key)?;
        }
    }
    Ok(Spec {
        file: file.to_string(),
        text: text.to_string(),
        models,
        target,
        axes,
        recipes,
        run,
        sample,
    })
}

impl Spec {
    /// An error at byte `at` of the spec about `key`.
    pub fn error(&self, at: usize, key: &str, message: String) -> SpecError {
        locate(&self.file, &self.text, at, key, message)
    }
}

/// An error at byte `at` of `text` (the spec `file`) about `key`.
fn locate(file: &str, text: &str, at: usize, key: &str, message: String) -> SpecError {
    let (line, col) = toml_items::line_col(text, at);
    SpecError {
        file: file.to_string(),
        line,
        col,
        key: key.to_string(),
        message,
    }
}

fn find<'a>(entries: &'a [Entry], key: &str) -> Option<&'a Entry> {
    entries.iter().find(|e| e.key == key)
}

/// The file and text errors point into, and the folder paths start from.
struct Cx<'a> {
    file: &'a str,
    text: &'a str,
    dir: PathBuf,
}

impl Cx<'_> {
    fn error(&self, at: usize, key: &str, message: String) -> SpecError {
        locate(self.file, self.text, at, key, message)
    }

    fn path(prefix: &str, key: &str) -> String {
        if prefix.is_empty() {
            key.to_string()
        } else {
            format!("{prefix}.{key}")
        }
    }

    /// Every key of `entries` is one of `allowed`.
    fn known(&self, entries: &[Entry], prefix: &str, allowed: &[&str]) -> Result<(), SpecError> {
        for entry in entries {
            if !allowed.contains(&entry.key.as_str()) {
                return Err(self.error(
                    entry.key_span.start,
                    &Self::path(prefix, &entry.key),
                    format!("unknown key (expected one of: {})", allowed.join(", ")),
                ));
            }
        }
        Ok(())
    }

    fn wrong(&self, item: &Item, key: &str, expected: &str) -> SpecError {
        self.error(
            item.span.start,
            key,
            format!("expected {expected}, got {}", item.kind.type_name()),
        )
    }

    fn string(&self, item: &Item, key: &str) -> Result<String, SpecError> {
        match &item.kind {
            Kind::Str(s) if !s.is_empty() => Ok(s.clone()),
            Kind::Str(_) => Err(self.error(item.span.start, key, "must not be empty".into())),
            _ => Err(self.wrong(item, key, "a string")),
        }
    }

    fn table<'i>(&self, item: &'i Item, key: &str) -> Result<&'i [Entry], SpecError> {
        match &item.kind {
            Kind::Table(entries) => Ok(entries),
            _ => Err(self.wrong(item, key, "a table")),
        }
    }

    fn array<'i>(&self, item: &'i Item, key: &str) -> Result<&'i [Item], SpecError> {
        match &item.kind {
            Kind::Array(items) if !items.is_empty() => Ok(items),
            Kind::Array(_) => Err(self.error(item.span.start, key, "an empty list".into())),
            _ => Err(self.wrong(item, key, "a list")),
        }
    }

    fn uint(&self, item: &Item, key: &str, max: u64) -> Result<u64, SpecError> {
        match item.kind {
            Kind::Int(n) if n >= 0 && n as u64 <= max => Ok(n as u64),
            Kind::Int(n) => {
                Err(self.error(item.span.start, key, format!("{n} is not in 0..={max}")))
            }
            _ => Err(self.wrong(item, key, "an integer")),
        }
    }

    /// A file that must exist, relative to the spec's folder.
    fn file(&self, item: &Item, key: &str) -> Result<PathBuf, SpecError> {
        let text = self.string(item, key)?;
        let path = self.dir.join(&text);
        if !path.is_file() {
            return Err(self.error(
                item.span.start,
                key,
                format!(
                    "no such file: {} (paths are relative to the spec's folder)",
                    path.display()
                ),
            ));
        }
        Ok(path)
    }

    fn files(&self, item: &Item, key: &str) -> Result<Vec<PathBuf>, SpecError> {
        match &item.kind {
            Kind::Str(_) => Ok(vec![self.file(item, key)?]),
            _ => self
                .array(item, key)?
                .iter()
                .map(|i| self.file(i, key))
                .collect(),
        }
    }

    fn models(&self, entry: &Entry) -> Result<Vec<Model>, SpecError> {
        let Kind::Array(items) = &entry.value.kind else {
            return Err(self.wrong(&entry.value, "model", "an array of tables ([[model]])"));
        };
        let mut models: Vec<Model> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let key = format!("model[{}]", i + 1);
            let entries = self.table(item, &key)?;
            self.known(
                entries,
                &key,
                &["name", "path", "input", "labels", "calibration", "entry"],
            )?;
            let field = |name: &str| find(entries, name);
            let path = match field("path") {
                Some(e) => self.file(&e.value, &format!("{key}.path"))?,
                None => {
                    return Err(self.error(
                        item.span.start,
                        &format!("{key}.path"),
                        "missing: the model's .mlir file".into(),
                    ))
                }
            };
            let inputs = match field("input") {
                Some(e) => self.files(&e.value, &format!("{key}.input"))?,
                None => {
                    return Err(self.error(
                        item.span.start,
                        &format!("{key}.input"),
                        "missing: the evaluation data (one .npy per argument)".into(),
                    ))
                }
            };
            let name = match field("name") {
                Some(e) => self.string(&e.value, &format!("{key}.name"))?,
                None => path
                    .file_name()
                    .map(|n| {
                        n.to_string_lossy()
                            .split('.')
                            .next()
                            .unwrap_or("")
                            .to_string()
                    })
                    .unwrap_or_default(),
            };
            if let Some(other) = models.iter().find(|m| m.name == name) {
                let (line, _) = toml_items::line_col(self.text, other.at);
                return Err(self.error(
                    field("name").map_or(item.span.start, |e| e.value.span.start),
                    &format!("{key}.name"),
                    format!("a second model named `{name}` (the first is on line {line}); give each a `name`"),
                ));
            }
            models.push(Model {
                name,
                path,
                inputs,
                labels: field("labels")
                    .map(|e| self.file(&e.value, &format!("{key}.labels")))
                    .transpose()?,
                calibration: field("calibration")
                    .map(|e| self.files(&e.value, &format!("{key}.calibration")))
                    .transpose()?
                    .unwrap_or_default(),
                entry: field("entry")
                    .map(|e| self.string(&e.value, &format!("{key}.entry")))
                    .transpose()?,
                at: item.span.start,
            });
        }
        Ok(models)
    }

    fn target(&self, entry: &Entry) -> Result<TargetSpec, SpecError> {
        let entries = self.table(&entry.value, "target")?;
        self.known(entries, "target", &["base", "set"])?;
        let (base, base_at) = match find(entries, "base") {
            None => (
                cimc_target::DEFAULT_PRESET.to_string(),
                entry.key_span.start,
            ),
            Some(e) => {
                let name = self.string(&e.value, "target.base")?;
                let resolved = if cimc_target::PRESET_NAMES.contains(&name.as_str()) {
                    name
                } else {
                    let path = self.dir.join(&name);
                    if !path.is_file() {
                        return Err(self.error(
                            e.value.span.start,
                            "target.base",
                            format!(
                                "neither a preset ({}) nor a file: {}",
                                cimc_target::PRESET_NAMES.join(", "),
                                path.display()
                            ),
                        ));
                    }
                    path.display().to_string()
                };
                (resolved, e.value.span.start)
            }
        };
        let set = match find(entries, "set") {
            None => Vec::new(),
            Some(e) => {
                let mut out = Vec::new();
                self.settings(
                    self.table(&e.value, "target.set")?,
                    "",
                    "target.set",
                    &mut out,
                )?;
                out
            }
        };
        Ok(TargetSpec { base, base_at, set })
    }

    /// The leaves of a table of target keys (nested or quoted dotted keys
    /// alike) as settings.
    fn settings(
        &self,
        entries: &[Entry],
        prefix: &str,
        at_key: &str,
        out: &mut Vec<Setting>,
    ) -> Result<(), SpecError> {
        for entry in entries {
            let key = Self::path(prefix, &entry.key);
            match &entry.value.kind {
                Kind::Table(inner) => self.settings(inner, &key, at_key, out)?,
                _ => out.push(self.setting(&key, &entry.value, &format!("{at_key}.{key}"))?),
            }
        }
        Ok(())
    }

    fn setting(&self, key: &str, value: &Item, spec_key: &str) -> Result<Setting, SpecError> {
        if matches!(value.kind, Kind::Datetime) {
            return Err(self.wrong(value, spec_key, "a target value"));
        }
        Ok(Setting {
            key: key.to_string(),
            value: self.text[value.span.clone()].to_string(),
            at: value.span.start,
        })
    }

    fn axes(&self, entry: &Entry) -> Result<Vec<Axis>, SpecError> {
        let mut axes = Vec::new();
        self.axes_under(self.table(&entry.value, "axes")?, "", &mut axes)?;
        Ok(axes)
    }

    fn axes_under(
        &self,
        entries: &[Entry],
        prefix: &str,
        out: &mut Vec<Axis>,
    ) -> Result<(), SpecError> {
        for entry in entries {
            let name = Self::path(prefix, &entry.key);
            let spec_key = format!("axes.{name}");
            match &entry.value.kind {
                Kind::Table(inner) => self.axes_under(inner, &name, out)?,
                Kind::Array(_) => {
                    let items = self.array(&entry.value, &spec_key)?;
                    let linked = items.iter().any(|i| matches!(i.kind, Kind::Table(_)));
                    let mut values = Vec::new();
                    for item in items {
                        let value = if linked {
                            let Kind::Table(inner) = &item.kind else {
                                return Err(self.wrong(
                                    item,
                                    &spec_key,
                                    "a table of target keys, like the axis's other values",
                                ));
                            };
                            let mut settings = Vec::new();
                            self.settings(inner, "", &spec_key, &mut settings)?;
                            if settings.is_empty() {
                                return Err(self.error(
                                    item.span.start,
                                    &spec_key,
                                    "an empty table sets no key".into(),
                                ));
                            }
                            AxisValue {
                                label: settings
                                    .iter()
                                    .map(|s| format!("{}={}", s.key, unquote(&s.value)))
                                    .collect::<Vec<_>>()
                                    .join(","),
                                settings,
                                at: item.span.start,
                            }
                        } else {
                            let setting = self.setting(&name, item, &spec_key)?;
                            AxisValue {
                                label: unquote(&setting.value),
                                settings: vec![setting],
                                at: item.span.start,
                            }
                        };
                        if values.iter().any(|v: &AxisValue| v.same_as(&value)) {
                            return Err(self.error(
                                item.span.start,
                                &spec_key,
                                format!("the value {} is listed twice", value.label),
                            ));
                        }
                        values.push(value);
                    }
                    out.push(Axis {
                        name,
                        at: entry.key_span.start,
                        values,
                    });
                }
                _ => {
                    return Err(self.wrong(
                        &entry.value,
                        &spec_key,
                        "a list of values (or of tables of target keys)",
                    ))
                }
            }
        }
        Ok(())
    }

    fn recipes(&self, entry: &Entry) -> Result<Vec<Recipe>, SpecError> {
        let Kind::Array(items) = &entry.value.kind else {
            return Err(self.wrong(&entry.value, "recipe", "an array of tables ([[recipe]])"));
        };
        let mut recipes: Vec<Recipe> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let key = format!("recipe[{}]", i + 1);
            let entries = self.table(item, &key)?;
            let name = match find(entries, "name") {
                Some(e) => self.string(&e.value, &format!("{key}.name"))?,
                None => {
                    return Err(self.error(
                        item.span.start,
                        &format!("{key}.name"),
                        "missing: each recipe needs a name".into(),
                    ))
                }
            };
            if recipes.iter().any(|r| r.name == name) {
                return Err(self.error(
                    item.span.start,
                    &format!("{key}.name"),
                    format!("a second recipe named `{name}`"),
                ));
            }
            let mut options = Vec::new();
            for e in entries.iter().filter(|e| e.key != "name") {
                let option = e.key.replace('_', "-");
                let spec_key = format!("{key}.{}", e.key);
                if SET_BY_SWEEP.contains(&option.as_str()) {
                    return Err(self.error(
                        e.key_span.start,
                        &spec_key,
                        "the sweep sets this itself (from [[model]] and the point's target)".into(),
                    ));
                }
                let value = match &e.value.kind {
                    Kind::Bool(true) => None,
                    Kind::Bool(false) => continue,
                    Kind::Str(s) => Some(s.clone()),
                    Kind::Int(n) => Some(n.to_string()),
                    Kind::Float(x) => Some(x.to_string()),
                    _ => {
                        return Err(self.wrong(
                            &e.value,
                            &spec_key,
                            "a flag (true/false), a string or a number",
                        ))
                    }
                };
                if option == "config" {
                    // A per-layer config file, relative to the spec.
                    let path = self.file(&e.value, &spec_key)?;
                    options.push(RecipeOption {
                        name: option,
                        value: Some(path.display().to_string()),
                        at: e.key_span.start,
                    });
                    continue;
                }
                options.push(RecipeOption {
                    name: option,
                    value,
                    at: e.key_span.start,
                });
            }
            recipes.push(Recipe {
                name,
                at: item.span.start,
                options,
            });
        }
        Ok(recipes)
    }

    fn run(&self, entry: &Entry) -> Result<RunSpec, SpecError> {
        let entries = self.table(&entry.value, "run")?;
        self.known(entries, "run", &["opt", "schedules", "seeds", "graph"])?;
        let mut run = RunSpec {
            opt: 2,
            opt_at: entry.key_span.start,
            schedules: vec![("layer-sequential".into(), entry.key_span.start)],
            seeds: Vec::new(),
            graph: true,
        };
        if let Some(e) = find(entries, "opt") {
            run.opt = self.uint(&e.value, "run.opt", 3)? as u8;
            run.opt_at = e.value.span.start;
        }
        if let Some(e) = find(entries, "schedules") {
            run.schedules.clear();
            for item in self.array(&e.value, "run.schedules")? {
                let name = self.string(item, "run.schedules")?;
                if !SCHEDULES.contains(&name.as_str()) {
                    return Err(self.error(
                        item.span.start,
                        "run.schedules",
                        format!(
                            "unknown schedule `{name}` (expected one of: {})",
                            SCHEDULES.join(", ")
                        ),
                    ));
                }
                if run.schedules.iter().any(|(s, _)| *s == name) {
                    return Err(self.error(
                        item.span.start,
                        "run.schedules",
                        format!("`{name}` is listed twice"),
                    ));
                }
                run.schedules.push((name, item.span.start));
            }
        }
        if let Some(e) = find(entries, "seeds") {
            for item in self.array(&e.value, "run.seeds")? {
                let seed = self.uint(item, "run.seeds", i64::MAX as u64)?;
                if run.seeds.contains(&seed) {
                    return Err(self.error(
                        item.span.start,
                        "run.seeds",
                        format!("seed {seed} is listed twice"),
                    ));
                }
                run.seeds.push(seed);
            }
        }
        if let Some(e) = find(entries, "graph") {
            run.graph = match e.value.kind {
                Kind::Bool(b) => b,
                _ => return Err(self.wrong(&e.value, "run.graph", "a boolean")),
            };
        }
        Ok(run)
    }

    fn sample(&self, entry: &Entry) -> Result<Sample, SpecError> {
        let entries = self.table(&entry.value, "sample")?;
        self.known(entries, "sample", &["method", "points", "seed"])?;
        let method = match find(entries, "method") {
            None => "grid".to_string(),
            Some(e) => self.string(&e.value, "sample.method")?,
        };
        let seed = find(entries, "seed")
            .map(|e| self.uint(&e.value, "sample.seed", u64::MAX))
            .transpose()?
            .unwrap_or(0);
        let points = |what: &str| -> Result<usize, SpecError> {
            match find(entries, "points") {
                Some(e) => match self.uint(&e.value, "sample.points", 1_000_000)? {
                    0 => Err(self.error(
                        e.value.span.start,
                        "sample.points",
                        "must be at least 1".into(),
                    )),
                    n => Ok(n as usize),
                },
                None => Err(self.error(
                    entry.key_span.start,
                    "sample.points",
                    format!("missing: how many points {what} draws"),
                )),
            }
        };
        match method.as_str() {
            "grid" => {
                if let Some(e) = find(entries, "points").or(find(entries, "seed")) {
                    return Err(self.error(
                        e.key_span.start,
                        &format!("sample.{}", e.key),
                        "a grid takes every combination: no points or seed".into(),
                    ));
                }
                Ok(Sample::Grid)
            }
            "random" => Ok(Sample::Random {
                points: points("random")?,
                seed,
            }),
            "lhs" => Ok(Sample::Lhs {
                points: points("lhs")?,
                seed,
            }),
            other => Err(self.error(
                find(entries, "method").map_or(0, |e| e.value.span.start),
                "sample.method",
                format!("unknown method `{other}` (expected grid, random or lhs)"),
            )),
        }
    }
}

impl AxisValue {
    /// Whether both set the same keys to the same values.
    fn same_as(&self, other: &AxisValue) -> bool {
        let pairs = |v: &AxisValue| {
            v.settings
                .iter()
                .map(|s| (s.key.clone(), s.value.clone()))
                .collect::<Vec<_>>()
        };
        pairs(self) == pairs(other)
    }
}

/// A TOML string's text without its quotes; other values as they are.
fn unquote(text: &str) -> String {
    let t = text.trim();
    if t.len() >= 2
        && (t.starts_with('"') && t.ends_with('"') || t.starts_with('\'') && t.ends_with('\''))
    {
        t[1..t.len() - 1].to_string()
    } else {
        t.to_string()
    }
}
