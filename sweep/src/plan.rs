//! The points of a spec: every sampled combination of the axes, crossed
//! with the models, recipes, schedules and seeds; each with a stable id,
//! the target overrides that make its chip, the quantization it needs and
//! the build (one compiled program) it shares with the points that differ
//! only in what the simulation alone reads.
//!
//! Planning checks every point's chip before any point runs: a value the
//! target rejects, alone or in combination, is an error at the spec line
//! that sets it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_pcg::Pcg64Mcg;
use sha2::{Digest, Sha256};

use crate::spec::{Recipe, Sample, Setting, Spec, SpecError};

/// Target keys only the simulator reads: points that differ only in these
/// share one compiled program (the compiler's passes never read them).
pub const SIMULATION_ONLY: &str = "non_idealities.";

/// One point of the sweep.
#[derive(Debug, Clone)]
pub struct Point {
    /// Stable across runs: a digest of everything that decides the result
    /// (model and data files' contents, recipe options, target overrides,
    /// schedule, -O level, graph phase).
    pub id: String,
    pub model: usize,
    pub recipe: Option<usize>,
    pub schedule: String,
    pub seed: Option<u64>,
    /// The value index of each axis.
    pub values: Vec<usize>,
    /// `--target-opt` words: the spec's `target.set`, the axes' settings,
    /// then the seed.
    pub overrides: Vec<String>,
    /// The key of the compiled program it runs.
    pub build: String,
    /// The key of its quantized model (float models only).
    pub quantization: Option<String>,
}

/// One quantization: a float model under one recipe for one chip.
#[derive(Debug, Clone)]
pub struct Quantization {
    pub key: String,
    pub model: usize,
    pub recipe: usize,
    /// The target overrides the quantization reads (see [`quantization_reads`]).
    pub overrides: Vec<String>,
}

/// The planned sweep.
#[derive(Debug, Clone)]
pub struct Plan {
    pub points: Vec<Point>,
    pub quantizations: Vec<Quantization>,
}

impl Plan {
    /// The points by build key, in the order of their first point.
    pub fn builds(&self) -> Vec<(String, Vec<usize>)> {
        let mut order: Vec<String> = Vec::new();
        let mut members: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, p) in self.points.iter().enumerate() {
            members
                .entry(&p.build)
                .or_insert_with(|| {
                    order.push(p.build.clone());
                    Vec::new()
                })
                .push(i);
        }
        order
            .into_iter()
            .map(|b| {
                let m = members.remove(b.as_str()).unwrap_or_default();
                (b, m)
            })
            .collect()
    }

    pub fn quantization(&self, key: &str) -> Option<&Quantization> {
        self.quantizations.iter().find(|q| q.key == key)
    }
}

/// Which target keys a recipe's quantization reads: the supported weight
/// widths (the default `--weight-bits`), with `--noise-aware` also the cells
/// and the non-idealities (the noise in weight steps), and with
/// `--adc-range` the whole chip (it simulates the model).
pub fn quantization_reads(recipe: &Recipe) -> Option<&'static [&'static str]> {
    let has = |name: &str| recipe.options.iter().any(|o| o.name == name);
    if has("adc-range") {
        None
    } else if has("noise-aware") {
        Some(&[
            "array.weight_bits",
            "array.cell_bits",
            "array.encoding",
            SIMULATION_ONLY,
        ])
    } else if has("weight-bits") {
        Some(&[])
    } else {
        Some(&["array.weight_bits"])
    }
}

/// The recipe check the driver supplies: `Err((option index, message))`
/// for options `cimc quantize` refuses.
pub type RecipeCheck<'a> = &'a dyn Fn(&Recipe) -> Result<(), (Option<usize>, String)>;

/// Expands and checks the spec.
pub fn plan(spec: &Spec, check_recipe: RecipeCheck) -> Result<Plan, SpecError> {
    for (i, recipe) in spec.recipes.iter().enumerate() {
        if let Err((option, message)) = check_recipe(recipe) {
            let (at, key) = match option.and_then(|o| recipe.options.get(o)) {
                Some(o) => (o.at, format!("recipe[{}].{}", i + 1, o.name)),
                None => (recipe.at, format!("recipe[{}]", i + 1)),
            };
            return Err(spec.error(at, &key, message));
        }
        if let Some(j) = spec.recipes[..i]
            .iter()
            .position(|r| r.args() == recipe.args())
        {
            return Err(spec.error(
                recipe.at,
                &format!("recipe[{}]", i + 1),
                format!("the same options as recipe `{}`", spec.recipes[j].name),
            ));
        }
    }
    let base = cimc_target::Target::resolve(&spec.target.base)
        .map_err(|e| spec.error(spec.target.base_at, "target.base", e.to_string()))?;
    let fixed: Vec<&Setting> = spec.target.set.iter().collect();
    check_target(spec, &base, &fixed, None)?;
    for axis in &spec.axes {
        for value in &axis.values {
            let settings: Vec<&Setting> = fixed.iter().copied().chain(&value.settings).collect();
            check_target(spec, &base, &settings, Some(&format!("axes.{}", axis.name)))?;
        }
    }

    let combos = sample(spec)?;
    let digests = FileDigests::new(spec)?;
    let default_recipe = Recipe {
        name: "default".into(),
        at: 0,
        options: Vec::new(),
    };
    let mut points = Vec::new();
    let mut quantizations: Vec<Quantization> = Vec::new();
    let mut seen = HashSet::new();
    let mut checked = HashSet::new();
    for combo in &combos {
        let settings: Vec<&Setting> = fixed
            .iter()
            .copied()
            .chain(
                combo
                    .iter()
                    .enumerate()
                    .flat_map(|(a, &v)| &spec.axes[a].values[v].settings),
            )
            .collect();
        let words: Vec<String> = settings.iter().map(|s| s.as_override()).collect();
        if checked.insert(words.clone()) {
            check_target(spec, &base, &settings, None).map_err(|mut e| {
                let labels: Vec<String> = combo
                    .iter()
                    .enumerate()
                    .map(|(a, &v)| {
                        format!("{} = {}", spec.axes[a].name, spec.axes[a].values[v].label)
                    })
                    .collect();
                e.message = format!("at the point {}: {}", labels.join(", "), e.message);
                e
            })?;
        }
        for (m, model) in spec.models.iter().enumerate() {
            let recipes: Vec<Option<usize>> = if model.calibration.is_empty() {
                vec![None]
            } else if spec.recipes.is_empty() {
                vec![Some(usize::MAX)]
            } else {
                (0..spec.recipes.len()).map(Some).collect()
            };
            for recipe_index in recipes {
                let recipe = recipe_index.map(|r| spec.recipes.get(r).unwrap_or(&default_recipe));
                let quantization = recipe.map(|r| {
                    let reads = quantization_reads(r);
                    let overrides: Vec<String> = settings
                        .iter()
                        .filter(|s| {
                            reads.is_none_or(|keys| {
                                keys.iter().any(|k| {
                                    s.key == *k || (k.ends_with('.') && s.key.starts_with(k))
                                })
                            })
                        })
                        .map(|s| s.as_override())
                        .collect();
                    let key = digest(&[
                        b"quantization",
                        digests.model(m).as_bytes(),
                        digests.calibration(m).as_bytes(),
                        r.args().join("\x1f").as_bytes(),
                        spec.target.base.as_bytes(),
                        overrides.join("\x1f").as_bytes(),
                    ]);
                    if !quantizations.iter().any(|q| q.key == key) {
                        quantizations.push(Quantization {
                            key: key.clone(),
                            model: m,
                            recipe: recipe_index.unwrap_or(usize::MAX),
                            overrides,
                        });
                    }
                    key
                });
                for (schedule, _) in &spec.run.schedules {
                    let seeds: Vec<Option<u64>> = if spec.run.seeds.is_empty() {
                        vec![None]
                    } else {
                        spec.run.seeds.iter().copied().map(Some).collect()
                    };
                    for seed in seeds {
                        let mut overrides = words.clone();
                        if let Some(seed) = seed {
                            overrides.push(format!("non_idealities.seed={seed}"));
                        }
                        let compiled: Vec<&String> = overrides
                            .iter()
                            .filter(|o| !o.starts_with(SIMULATION_ONLY))
                            .collect();
                        let common = [
                            digests.model(m),
                            quantization.clone().unwrap_or_default(),
                            spec.target.base.clone(),
                            schedule.clone(),
                            format!("O{} graph={}", spec.run.opt, spec.run.graph),
                            model.entry.clone().unwrap_or_default(),
                        ]
                        .join("\x1f");
                        let build = digest(&[
                            b"build",
                            common.as_bytes(),
                            compiled
                                .iter()
                                .map(|s| s.as_str())
                                .collect::<Vec<_>>()
                                .join("\x1f")
                                .as_bytes(),
                        ]);
                        let id = digest(&[
                            b"point",
                            common.as_bytes(),
                            digests.evaluation(m).as_bytes(),
                            overrides.join("\x1f").as_bytes(),
                        ]);
                        if !seen.insert(id.clone()) {
                            continue;
                        }
                        points.push(Point {
                            id,
                            model: m,
                            recipe: recipe_index,
                            schedule: schedule.clone(),
                            seed,
                            values: combo.clone(),
                            overrides,
                            build,
                            quantization: quantization.clone(),
                        });
                    }
                }
            }
        }
    }
    Ok(Plan {
        points,
        quantizations,
    })
}

/// The recipe a point's `recipe` index names (`usize::MAX`: the default).
pub fn recipe_name(spec: &Spec, recipe: Option<usize>) -> &str {
    match recipe {
        None => "-",
        Some(r) => spec.recipes.get(r).map_or("default", |r| r.name.as_str()),
    }
}

/// The recipe's options (`usize::MAX`: none).
pub fn recipe_args(spec: &Spec, recipe: usize) -> Vec<String> {
    spec.recipes
        .get(recipe)
        .map(Recipe::args)
        .unwrap_or_default()
}

/// Applies `settings` to `base`; an error is placed at the setting of the
/// key the target names (else at `whole`'s first value, else the base).
fn check_target(
    spec: &Spec,
    base: &cimc_target::Target,
    settings: &[&Setting],
    axis: Option<&str>,
) -> Result<(), SpecError> {
    let words: Vec<String> = settings.iter().map(|s| s.as_override()).collect();
    let mut target = base.clone();
    let Err(err) = target.apply_overrides(&words) else {
        return Ok(());
    };
    let key = err.key().to_string();
    let culprit = settings
        .iter()
        .rev()
        .find(|s| s.key == key || key.starts_with(&format!("{}.", s.key)))
        .or(settings.last());
    let (at, spec_key) = match culprit {
        Some(s) => (
            s.at,
            axis.map_or_else(|| spec_key_of(spec, s), str::to_string),
        ),
        None => (spec.target.base_at, "target.base".to_string()),
    };
    let text = err.to_string();
    let message = text
        .strip_prefix(&err.origin().to_string())
        .unwrap_or(&text)
        .trim()
        .to_string();
    Err(spec.error(at, &spec_key, message))
}

/// The spec key that holds a setting: an axis or `target.set`.
fn spec_key_of(spec: &Spec, setting: &Setting) -> String {
    for axis in &spec.axes {
        if axis
            .values
            .iter()
            .any(|v| v.settings.iter().any(|s| s.at == setting.at))
        {
            return format!("axes.{}", axis.name);
        }
    }
    format!("target.set.{}", setting.key)
}

/// The sampled combinations of axis values (indices).
fn sample(spec: &Spec) -> Result<Vec<Vec<usize>>, SpecError> {
    let sizes: Vec<usize> = spec.axes.iter().map(|a| a.values.len()).collect();
    let total = sizes.iter().try_fold(1usize, |acc, &n| acc.checked_mul(n));
    let decode = |mut index: usize| -> Vec<usize> {
        let mut combo = vec![0; sizes.len()];
        for (slot, &n) in combo.iter_mut().zip(&sizes).rev() {
            *slot = index % n;
            index /= n;
        }
        combo
    };
    let points_error = |points: usize, what: &str| {
        let at = spec.text.find("points").unwrap_or(0);
        spec.error(
            at,
            "sample.points",
            format!(
                "{points} {what} points, but the axes have {} combinations: use method = \"grid\" or fewer points",
                total.map_or("too many".to_string(), |t| t.to_string())
            ),
        )
    };
    match spec.sample {
        Sample::Grid => match total {
            Some(t) if t <= 1_000_000 => Ok((0..t).map(decode).collect()),
            _ => Err(spec.error(
                spec.text.find("[axes]").unwrap_or(0),
                "axes",
                "more than 1000000 combinations: sample them (method = \"random\" or \"lhs\")"
                    .into(),
            )),
        },
        Sample::Random { points, seed } => {
            let mut rng = Pcg64Mcg::seed_from_u64(seed);
            match total {
                Some(t) if points > t => Err(points_error(points, "random")),
                Some(t) if t <= 1_000_000 => {
                    let mut all: Vec<usize> = (0..t).collect();
                    all.shuffle(&mut rng);
                    all.truncate(points);
                    Ok(all.into_iter().map(decode).collect())
                }
                _ => {
                    use rand::RngExt;
                    let mut seen = HashSet::new();
                    let mut out = Vec::new();
                    while out.len() < points {
                        let combo: Vec<usize> =
                            sizes.iter().map(|&n| rng.random_range(0..n)).collect();
                        if seen.insert(combo.clone()) {
                            out.push(combo);
                        }
                    }
                    Ok(out)
                }
            }
        }
        Sample::Lhs { points, seed } => {
            if total.is_some_and(|t| points > t) {
                return Err(points_error(points, "lhs"));
            }
            Ok(latin_hypercube(&sizes, points, seed))
        }
    }
}

/// `points` combinations whose every axis takes each of its values equally
/// often (±1), paired at random; repeated combinations are repaired by
/// swapping one axis's values between two points (which keeps the balance)
/// while that makes more of them distinct.
fn latin_hypercube(sizes: &[usize], points: usize, seed: u64) -> Vec<Vec<usize>> {
    use rand::RngExt;
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    let mut columns: Vec<Vec<usize>> = sizes
        .iter()
        .map(|&n| {
            let mut column: Vec<usize> = (0..points).map(|k| k * n / points).collect();
            column.shuffle(&mut rng);
            column
        })
        .collect();
    let row =
        |columns: &[Vec<usize>], k: usize| columns.iter().map(|c| c[k]).collect::<Vec<usize>>();
    let distinct = |columns: &[Vec<usize>]| {
        (0..points)
            .map(|k| row(columns, k))
            .collect::<HashSet<_>>()
            .len()
    };
    let mut best = distinct(&columns);
    let mut tries = 0;
    while best < points && !sizes.is_empty() && tries < 20_000 {
        tries += 1;
        let mut seen = HashSet::new();
        let Some(dup) = (0..points).find(|&k| !seen.insert(row(&columns, k))) else {
            break;
        };
        let other = rng.random_range(0..points);
        let axis = rng.random_range(0..sizes.len());
        columns[axis].swap(dup, other);
        let now = distinct(&columns);
        if now >= best {
            best = now;
        } else {
            columns[axis].swap(dup, other);
        }
    }
    let mut seen = HashSet::new();
    (0..points)
        .map(|k| row(&columns, k))
        .filter(|combo| seen.insert(combo.clone()))
        .collect()
}

/// Digests of the files a point's result depends on, read once.
struct FileDigests {
    models: Vec<String>,
    calibration: Vec<String>,
    evaluation: Vec<String>,
}

impl FileDigests {
    fn new(spec: &Spec) -> Result<FileDigests, SpecError> {
        let mut cache: BTreeMap<PathBuf, String> = BTreeMap::new();
        let mut file = |path: &Path, at: usize| -> Result<String, SpecError> {
            if let Some(d) = cache.get(path) {
                return Ok(d.clone());
            }
            let bytes = std::fs::read(path).map_err(|e| {
                spec.error(at, "model", format!("cannot read {}: {e}", path.display()))
            })?;
            let d = digest(&[&bytes]);
            cache.insert(path.to_path_buf(), d.clone());
            Ok(d)
        };
        let mut out = FileDigests {
            models: Vec::new(),
            calibration: Vec::new(),
            evaluation: Vec::new(),
        };
        for model in &spec.models {
            out.models.push(file(&model.path, model.at)?);
            let mut c = Vec::new();
            for p in &model.calibration {
                c.push(file(p, model.at)?);
            }
            out.calibration.push(c.join(","));
            let mut e = Vec::new();
            for p in model.inputs.iter().chain(&model.labels) {
                e.push(file(p, model.at)?);
            }
            out.evaluation.push(e.join(","));
        }
        Ok(out)
    }

    fn model(&self, m: usize) -> String {
        self.models[m].clone()
    }

    fn calibration(&self, m: usize) -> String {
        self.calibration[m].clone()
    }

    fn evaluation(&self, m: usize) -> String {
        self.evaluation[m].clone()
    }
}

/// 16 hex digits of the SHA-256 of the parts (each length-prefixed).
pub fn digest(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    hasher.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
