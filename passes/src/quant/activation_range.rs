//! `cim-quant-activation-range`: sets each activation's range from the
//! calibration statistics recorded on the IR (the observers' state), the
//! step between calibration and cim-quant-convert.

use crate::emit;
use crate::quant::grid::ActChoice;
use crate::quant::options::{
    ACTIVATION_BITS, ACTIVATION_BITS_HELP, ACTIVATION_SYMMETRIC_HELP, ARG_RANGES_ATTR, RANGE_ATTR,
};
use crate::raw::{RawAttr, RawOp};
use crate::{Pass, PassFailed, PassInfo};
use cimc_dialects::handle::{AttrRef, OpRef, TypeRef};
use cimc_quant::{ActivationRange, Observer, ObserverParts};
use melior::ir::operation::OperationRefMut;
use mlir_sys as sys;

/// The calibration observer of an op's result (written by `cimc quantize`'s
/// calibration; the pass description gives the encoding).
pub const OBSERVED_ATTR: &str = cimc_dialects::quant::OBSERVED;
/// The observers of the function's arguments, one per argument.
pub const ARG_OBSERVED_ATTR: &str = cimc_dialects::quant::ARG_OBSERVED;

/// The most histogram bins an observation may have: a bound on what a
/// malformed attribute can make the pass allocate.
const MAX_BINS: i64 = 1 << 20;

pub static INFO: PassInfo = PassInfo {
    argument: "cim-quant-activation-range",
    summary: "Set activation ranges from the calibration observations recorded on the IR",
    description: "\
Range setting, the step between calibration and cim-quant-convert. It reads
  * `cim.quant.observed` on an op: the state of the calibration observer
    of its result (cimc_quant::Observer), a dictionary
      {count = N : i64, min = a : f32, max = b : f32, origin = o : f64,
       width = w : f64, bins = array<i64: c_f, c_f+1, ...>,
       first_bin = f : i64, num_bins = n : i64}
    holding the exact count, min and max of the values observed and a
    histogram of n bins [o + i*w, o + (i+1)*w) of which bins f, f+1, ...
    hold the counts `bins` and all others none (first_bin defaults to 0,
    num_bins to first_bin plus the length of bins; 16 to 2^20 bins; the
    counts sum to count; w = 0 while every value seen is the same, so
    min = max, all in bin 0; min and max omitted when count is 0);
    `cimc quantize` writes the bins from the first to the last non-empty
    one;
  * `cim.quant.arg_observed = [{...}, ...]` on the function: one such
    dictionary per argument;
and writes `cim.quant.range = array<f64: lo, hi>` on the op and
`cim.quant.arg_ranges = [array<f64: lo, hi>, ...]` on the function (what
cim-quant-convert and cim-quant-fake-quant read), removing the
observations (large, and read by nothing else). The range is that of the
grid (s, z) chosen from the observation, lo = (qmin - z) * s and
hi = (qmax - z) * s, by `method`:
  * min-max: the exact observed min and max;
  * percentile: the `percentile`-th and (100 - `percentile`)-th
    percentiles of the histogram (linear inside a bin), `percentile` in
    [50, 100];
  * mse: the clipping that minimises the histogram's expected squared
    quantization error;
for a signed per-tensor grid of `activation-bits` bits (4..=8, or 16),
asymmetric unless `activation-symmetric` (16-bit grids are always
symmetric), as cim-quant-convert quantizes. `cim.quant.activation_bits =
N : i64` and `cim.quant.activation_symmetric = true|false` on an op (for
the arguments: on the function) override the options for its range, so a
layer a configuration puts on 4 bits gets a 4-bit MSE range (min-max
ranges depend on the width only through the grid's rounding); a tosa.clamp
right after an op that sets a new grid shares that op's output grid, so
its range takes the op's overrides with its own over them, as
cim-quant-convert does. Ops without
an observation are left alone. A malformed observation (not such a
dictionary, a state no observer can be in, one without values, not one
per argument) or an override out of range is an error at the op naming
the attribute, an option out of range an error at the function; the IR is
then left unchanged. `cimc quantize` records the observations (reference
execution with a tap per activation) and runs this pass with `method` set
by its `--activation-range`.

Example: a ReLU output observed as `cim.quant.observed = {count = 10000 :
i64, min = 0.0 : f32, max = 15.5 : f32, origin = 0.0 : f64, width = 1.0 :
f64, bins = array<i64: 5000, 3000, 1000, 500, 300, 100, 50, 30, 15, 4, 0,
0, 0, 0, 0, 1>}` (one outlier at 15.5) gets the range [0, 15.5] with
method=min-max, [0, 10] with method=percentile (the 99.99th percentile is
the end of bin 9) and [0, 15.26] with method=mse (at 4 bits: [0, 7.63]),
each up to the f32 rounding of the grid's scale; `cimc observed.mlir
--pass-pipeline='builtin.module(func.func(
cim-quant-activation-range{method=percentile},cim-quant-convert))'` sets
the ranges and converts.",
    anchor: Some("func.func"),
    options: ActivationRangeOptions::INFO,
    create: |options, _| {
        let options = ActivationRangeOptions::from(options);
        Box::new(ActivationRangePass {
            method: options.method,
            percentile: options.percentile,
            activation_bits: options.activation_bits,
            activation_symmetric: options.activation_symmetric,
        })
    },
};

crate::pass_options! {
    /// The options of `cim-quant-activation-range`.
    pub struct ActivationRangeOptions {
        method: String = (
            "method",
            "min-max",
            "how a range is chosen from an observation: the observed extremes, percentiles, or the histogram MSE optimum",
            one_of ["min-max", "percentile", "mse"]
        ),
        percentile: f64 = (
            "percentile",
            "99.99",
            "with method=percentile: the range is [the (100 - p)-th, the p-th] percentile, p in [50, 100]"
        ),
        activation_bits: i64 = ("activation-bits", "8", ACTIVATION_BITS_HELP),
        activation_symmetric: bool = ("activation-symmetric", "false", ACTIVATION_SYMMETRIC_HELP),
    }
}

struct ActivationRangePass {
    method: String,
    percentile: f64,
    activation_bits: i64,
    activation_symmetric: bool,
}

/// `obs` as the dictionary `cim.quant.observed` holds (the pass
/// description): the bins from the first to the last non-empty one.
pub fn observation_attr(context: sys::MlirContext, obs: &Observer) -> RawAttr {
    let ObserverParts {
        counts,
        origin,
        width,
        count,
        min_max,
    } = obs.parts();
    let first = counts.iter().position(|c| *c > 0).unwrap_or(0);
    let end = counts.iter().rposition(|c| *c > 0).map_or(first, |i| i + 1);
    // Counts of values observed by one process fit i64.
    let bins: Vec<i64> = counts[first..end].iter().map(|c| *c as i64).collect();
    let int = |v: i64| AttrRef::i64(context, v);
    let float = |v: f64| AttrRef::f64(context, v);
    let mut fields = vec![
        ("count", int(count as i64)),
        ("origin", float(origin)),
        ("width", float(width)),
        ("bins", AttrRef::i64_array(context, &bins)),
        ("first_bin", int(first as i64)),
        ("num_bins", int(counts.len() as i64)),
    ];
    if let Some((min, max)) = min_max {
        fields.push(("min", AttrRef::f32(context, min)));
        fields.push(("max", AttrRef::f32(context, max)));
    }
    AttrRef::dict(context, &fields).raw()
}

/// The observer a `cim.quant.observed` dictionary holds; `what` names the
/// attribute in messages.
pub fn read_observation(attr: RawAttr, what: &str) -> Result<Observer, String> {
    const FIELDS: [&str; 8] = [
        "count",
        "min",
        "max",
        "origin",
        "width",
        "bins",
        "first_bin",
        "num_bins",
    ];
    let shape = "{count, min, max, origin, width, bins[, first_bin, num_bins]}";
    let Some(entries) = AttrRef::new(attr).and_then(AttrRef::as_dict) else {
        return Err(format!("{what} must be a dictionary {shape}"));
    };
    let mut fields: Vec<(String, AttrRef)> = Vec::new();
    for (name, value) in entries {
        if !FIELDS.contains(&name.as_str()) {
            return Err(format!(
                "{what} has an unknown entry '{name}': it holds {shape}"
            ));
        }
        fields.push((name, value));
    }
    let field = |name: &str| fields.iter().find(|(n, _)| n == name).map(|(_, a)| *a);
    let int = |name: &str| -> Result<Option<i64>, String> {
        let Some(a) = field(name) else {
            return Ok(None);
        };
        match a.as_int() {
            Some(v) if v >= 0 => Ok(Some(v)),
            Some(v) => Err(format!("{what}: '{name}' = {v} must not be negative")),
            None => Err(format!(
                "{what}: '{name}' must be an integer (`{name} = N : i64`)"
            )),
        }
    };
    let float = |name: &str| -> Result<Option<f64>, String> {
        let Some(a) = field(name) else {
            return Ok(None);
        };
        a.as_float()
            .map(Some)
            .ok_or_else(|| format!("{what}: '{name}' must be a float (`{name} = x : f64`)"))
    };
    let required = |name: &str, value: Option<f64>| {
        value.ok_or_else(|| format!("{what} lacks '{name}' (it holds {shape})"))
    };
    let count = int("count")?.ok_or_else(|| format!("{what} lacks 'count' (it holds {shape})"))?;
    let origin = required("origin", float("origin")?)?;
    let width = required("width", float("width")?)?;
    let bins: Vec<i64> = match field("bins") {
        None => return Err(format!("{what} lacks 'bins' (it holds {shape})")),
        Some(a) => a
            .as_i64_array()
            .ok_or_else(|| format!("{what}: 'bins' must be an `array<i64: ...>`"))?,
    };
    if let Some(i) = bins.iter().position(|c| *c < 0) {
        return Err(format!(
            "{what}: 'bins' holds a negative count, {} (entry {i})",
            bins[i]
        ));
    }
    let first = int("first_bin")?.unwrap_or(0);
    let used = first.saturating_add(bins.len() as i64);
    let n = int("num_bins")?.unwrap_or(used);
    if n > MAX_BINS {
        return Err(format!(
            "{what}: 'num_bins' = {n} is more than cimc reads ({MAX_BINS})"
        ));
    }
    if used > n {
        return Err(format!(
            "{what}: 'first_bin' = {first} and {} 'bins' do not fit in 'num_bins' = {n}",
            bins.len()
        ));
    }
    let mut counts = vec![0u64; n as usize];
    for (slot, c) in counts[first as usize..].iter_mut().zip(&bins) {
        *slot = *c as u64;
    }
    let min = float("min")?;
    let max = float("max")?;
    let min_max = match (min, max) {
        (Some(min), Some(max)) => Some((min as f32, max as f32)),
        (None, None) => None,
        (Some(_), None) => return Err(format!("{what} gives 'min' but not 'max'")),
        (None, Some(_)) => return Err(format!("{what} gives 'max' but not 'min'")),
    };
    Observer::from_parts(ObserverParts {
        counts,
        origin,
        width,
        count: count as u64,
        min_max,
    })
    .map_err(|e| format!("{what} is not the state of a calibration observer: {e}"))
}

/// The number of arguments of a `func.func`.
fn num_arguments(func: RawOp) -> Option<usize> {
    let ty = OpRef::new(func)?.attribute("function_type")?.as_type()?;
    TypeRef::new(ty)?.function_inputs()
}

impl ActivationRangePass {
    fn method(&self) -> ActivationRange {
        match self.method.as_str() {
            "percentile" => ActivationRange::Percentile(self.percentile),
            "mse" => ActivationRange::Mse,
            _ => ActivationRange::MinMax,
        }
    }

    fn check_options(&self) -> Result<(), String> {
        if !ACTIVATION_BITS.contains(&self.activation_bits) {
            return Err(format!(
                "activation-bits = {} is out of range: cimc quantizes activations to {} bits",
                self.activation_bits,
                ACTIVATION_BITS.describe()
            ));
        }
        if !(50.0..=100.0).contains(&self.percentile) {
            return Err(format!(
                "percentile = {} is out of range: it must lie in [50, 100]",
                self.percentile
            ));
        }
        Ok(())
    }

    /// The range of the grid the method gives `obs` on the width and
    /// symmetry `op`'s range is read with (its overrides over the options;
    /// for a clamp fused with its producer, the producer's output grid's).
    fn range(&self, op: RawOp, obs: &Observer, what: &str) -> Result<(f64, f64), String> {
        let defaults = ActChoice {
            bits: self.activation_bits as u32,
            symmetric: self.activation_symmetric,
        };
        let spec = defaults.of_range(op)?.spec()?;
        let grid = cimc_quant::activation_grid(obs, &spec, self.method())
            .map_err(|e| format!("{what}: {e}"))?;
        let (s, z) = (f64::from(grid.scale[0]), f64::from(grid.zero_point[0]));
        Ok((
            (f64::from(grid.qmin) - z) * s,
            (f64::from(grid.qmax) - z) * s,
        ))
    }

    /// The ranges of the function's arguments, if it has observations.
    fn argument_ranges(&self, func: RawOp) -> Result<Option<Vec<(f64, f64)>>, String> {
        let Some(attr) = crate::raw::attr(func, ARG_OBSERVED_ATTR) else {
            return Ok(None);
        };
        let n = num_arguments(func).unwrap_or(0);
        let what = format!("'{ARG_OBSERVED_ATTR}'");
        let elements = AttrRef::new(attr)
            .and_then(AttrRef::as_array)
            .filter(|elements| elements.len() == n)
            .ok_or_else(|| {
                format!("{what} must be an array of one observation per argument ({n})")
            })?;
        elements
            .into_iter()
            .enumerate()
            .map(|(i, element)| {
                let what = format!("{what} entry {i}");
                let obs = read_observation(element.raw(), &what)?;
                self.range(func, &obs, &what)
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }
}

fn range_attr(context: sys::MlirContext, (lo, hi): (f64, f64)) -> AttrRef {
    AttrRef::f64_array(context, &[lo, hi])
}

impl Pass for ActivationRangePass {
    fn run(&self, func: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        let func = func.to_raw();
        if let Err(message) = self.check_options() {
            crate::diag::raw_op_error(func, &message);
            return Err(PassFailed);
        }
        // Everything is read and checked before anything is written.
        let mut failed = false;
        let mut ranges = Vec::new();
        for op in crate::ir::nested_ops(func) {
            let Some(attr) = crate::raw::attr(op, OBSERVED_ATTR) else {
                continue;
            };
            let what = format!("'{OBSERVED_ATTR}'");
            match read_observation(attr, &what).and_then(|obs| self.range(op, &obs, &what)) {
                Ok(range) => ranges.push((op, range)),
                Err(message) => {
                    crate::diag::raw_op_error(op, &message);
                    failed = true;
                }
            }
        }
        let arguments = self.argument_ranges(func).unwrap_or_else(|message| {
            crate::diag::raw_op_error(func, &message);
            failed = true;
            None
        });
        if failed {
            return Err(PassFailed);
        }
        let Some(func_op) = OpRef::new(func) else {
            return Err(PassFailed);
        };
        let context = func_op.context();
        for (op, range) in ranges {
            crate::emit::set_attr(op, RANGE_ATTR, range_attr(context, range).raw());
            emit::remove_attr(op, OBSERVED_ATTR);
        }
        if let Some(arguments) = arguments {
            let pairs: Vec<AttrRef> = arguments
                .into_iter()
                .map(|range| range_attr(context, range))
                .collect();
            func_op.set_attr(ARG_RANGES_ATTR, AttrRef::array(context, &pairs).raw());
            emit::remove_attr(func, ARG_OBSERVED_ATTR);
        }
        Ok(())
    }
}
