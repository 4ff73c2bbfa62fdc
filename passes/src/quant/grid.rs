//! The grids cim-quant-convert (and the passes that set weight grids)
//! quantize to: activation grids and how an activation's width and symmetry
//! are chosen, and a layer's weights seen as output channels × fan-in, how
//! they are quantized and on which grid.

use crate::emit;
use crate::ir::single_user;
use crate::quant::options::{
    bits_override, bool_override, f64_array_override, int_override, ACTIVATION_BITS,
    ACTIVATION_BITS_ATTR, ACTIVATION_SYMMETRIC_ATTR, PER_CHANNEL_ATTR, WEIGHT_BITS,
    WEIGHT_BITS_ATTR, WEIGHT_RANGE_ATTR, WEIGHT_SCALE_ATTR, WEIGHT_SYMMETRIC_ATTR,
    WEIGHT_ZERO_POINT_ATTR,
};
use crate::raw::RawOp;
use cimc_quant::{Grid, QuantSpec, WeightRange};
use ndarray::Array2;

/// The clamp a convolution (or any op setting a grid) fuses with: its only
/// user, when that is a tosa.clamp.
pub(crate) fn fused_clamp(op: RawOp) -> Option<RawOp> {
    single_user(emit::result_of(op, 0)).filter(|user| crate::raw::op_name(*user) == "tosa.clamp")
}

/// The ops a `tosa.reduce_sum`'s i32 sum flows on through before it is put
/// on a grid, as TFLite's MEAN computes in one integer op: further
/// reduce_sums, with reshapes between them, and a final multiplication by a
/// positive constant scalar (a mean's 1 / N), each the only user of the
/// one before. The last op of the chain sets the grid; the ones before it
/// set none (no rounding between the sums). Empty when `op` (a reduce_sum)
/// sets its own grid; reshapes after the last sum or product are not part
/// of it.
pub(crate) fn sum_chain(op: RawOp) -> Vec<RawOp> {
    let mut chain = Vec::new();
    if crate::raw::op_name(op) != "tosa.reduce_sum" {
        return chain;
    }
    let mut views = Vec::new();
    let mut at = op;
    while let Some(user) = single_user(emit::result_of(at, 0)) {
        if crate::quant::options::keeps_float(user) {
            break;
        }
        match crate::raw::op_name(user).as_str() {
            "tosa.reshape" => views.push(user),
            "tosa.reduce_sum" => {
                chain.append(&mut views);
                chain.push(user);
            }
            "tosa.mul" if positive_scalar_factor(user, emit::result_of(at, 0)).is_some() => {
                chain.append(&mut views);
                chain.push(user);
                break;
            }
            _ => break,
        }
        at = user;
    }
    chain
}

/// The factor `c` of `mul(x, c)` (either order, shift 0) when `c` is a
/// finite positive constant scalar (or splat) and `x` is `value`.
pub(crate) fn positive_scalar_factor(mul: RawOp, value: crate::raw::RawValue) -> Option<f64> {
    if emit::const_ints(emit::operand(mul, 2)).is_some_and(|s| s.iter().any(|v| *v != 0)) {
        return None;
    }
    let other = if emit::operand(mul, 0).ptr == value.ptr {
        emit::operand(mul, 1)
    } else if emit::operand(mul, 1).ptr == value.ptr {
        emit::operand(mul, 0)
    } else {
        return None;
    };
    let c = emit::const_floats(other)?;
    let (first, rest) = c.split_first()?;
    (rest.iter().all(|v| v == first) && first.is_finite() && *first > 0.0)
        .then_some(f64::from(*first))
}

/// Ops every output value of which is one of their input's values (or,
/// for tosa.pad, the padding value): they keep the input's grid exactly,
/// calibration does not observe them and the fake-quantized model does not
/// quantize them again.
pub const KEEPS_VALUES: &[&str] = &[
    "tosa.reshape",
    "tosa.transpose",
    "tosa.slice",
    "tosa.tile",
    "tosa.pad",
    "tosa.cast",
    "tosa.max_pool2d",
    "tosa.reduce_max",
    "tosa.reduce_min",
];

/// The ops cim-quant-convert puts on their input's grid: [`KEEPS_VALUES`],
/// tosa.clamp (except right after an op that sets a new grid, which fuses
/// it), tosa.avg_pool2d and tosa.resize (whose averages and interpolations
/// stay within the input's range, rounded onto its grid); every other op
/// it converts sets a new output grid.
pub const KEEPS_GRID: &[&str] = &[
    "tosa.reshape",
    "tosa.transpose",
    "tosa.slice",
    "tosa.tile",
    "tosa.pad",
    "tosa.cast",
    "tosa.max_pool2d",
    "tosa.reduce_max",
    "tosa.reduce_min",
    "tosa.clamp",
    "tosa.avg_pool2d",
    "tosa.resize",
];

/// An activation grid: values in the signed `bits`-bit range, stored in i8
/// (up to 8 bits) or i16 (16 bits).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct ActGrid {
    pub(crate) scale: f64,
    pub(crate) zero_point: i32,
    pub(crate) bits: u32,
    /// Chosen symmetric (zero point 0 by construction).
    pub(crate) symmetric: bool,
}

impl ActGrid {
    /// [qmin, qmax] = [-2^(b-1), 2^(b-1) - 1].
    pub(crate) fn qrange(&self) -> (i64, i64) {
        let half = 1i64 << (self.bits - 1);
        (-half, half - 1)
    }

    /// The width of the tensor holding the values: 8, or 16.
    pub(crate) fn storage_bits(&self) -> u32 {
        storage_bits(self.bits)
    }

    /// The element type of the tensor holding the values.
    pub(crate) fn element(&self) -> &'static str {
        if self.storage_bits() == 16 {
            "i16"
        } else {
            "i8"
        }
    }
}

fn storage_bits(bits: u32) -> u32 {
    if bits > 8 {
        16
    } else {
        8
    }
}

/// How an activation is quantized: its width and whether its grid is
/// symmetric (zero point 0).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ActChoice {
    pub bits: u32,
    pub symmetric: bool,
}

impl ActChoice {
    /// `op`'s overrides (`cim.quant.activation_bits`,
    /// `cim.quant.activation_symmetric`) over `self`.
    pub fn at(self, op: RawOp) -> Result<ActChoice, String> {
        Ok(ActChoice {
            bits: bits_override(op, ACTIVATION_BITS_ATTR, ACTIVATION_BITS, "activations")?
                .unwrap_or(self.bits),
            symmetric: bool_override(op, ACTIVATION_SYMMETRIC_ATTR)?.unwrap_or(self.symmetric),
        })
    }

    /// The choice for the output of `op`, an op that sets a new grid: the
    /// overrides of the clamp it fuses with (if any) over its own.
    pub fn output(self, op: RawOp) -> Result<ActChoice, String> {
        let own = self.at(op)?;
        match fused_clamp(op) {
            Some(clamp) => own
                .at(clamp)
                .map_err(|m| format!("on the tosa.clamp it fuses with: {m}")),
            None => Ok(own),
        }
    }

    /// The choice a range recorded on `op` is read with: a tosa.clamp that
    /// its producer fuses with gives the range of the producer's output
    /// grid ([`ActChoice::output`]), any other op that of its own.
    pub fn of_range(self, op: RawOp) -> Result<ActChoice, String> {
        if crate::raw::op_name(op) == "tosa.clamp" {
            let fused_to = crate::ir::operand_producers(op).into_iter().find(|p| {
                fused_clamp(*p).is_some_and(|c| c.ptr == op.ptr)
                    && !KEEPS_GRID.contains(&crate::raw::op_name(*p).as_str())
            });
            if let Some(producer) = fused_to {
                return self.output(producer);
            }
        }
        self.at(op)
    }

    /// The spec of the grid: signed, asymmetric unless symmetric was asked
    /// for or the width is 16 (TOSA's int16 zero points are 0).
    pub(crate) fn spec(self) -> Result<QuantSpec, String> {
        let symmetric = self.symmetric || storage_bits(self.bits) == 16;
        QuantSpec::new(self.bits, true, symmetric, false).map_err(|e| e.to_string())
    }

    /// The grid of the real range [lo, hi] (widened to contain 0).
    pub(crate) fn grid(self, lo: f64, hi: f64) -> Result<ActGrid, String> {
        let spec = self.spec()?;
        let grid = Grid::from_range(&spec, lo as f32, hi as f32).map_err(|e| e.to_string())?;
        Ok(ActGrid {
            scale: f64::from(grid.scale[0]),
            zero_point: grid.zero_point[0],
            bits: self.bits,
            symmetric: spec.symmetric,
        })
    }
}

/// Output channels × fan-in view of a weight tensor, and the inverse map
/// back to its TOSA layout.
pub(crate) struct WeightLayout {
    pub(crate) matrix: Array2<f32>,
    /// `index[o][k]` = position in the original row-major tensor.
    pub(crate) index: Vec<Vec<usize>>,
}

/// Maps (output channel, fan-in index) to the position in the TOSA tensor.
type Position = Box<dyn Fn(usize, usize) -> usize>;

pub(crate) fn weight_layout(
    kind: &str,
    shape: &[i64],
    data: &[f32],
) -> Result<WeightLayout, String> {
    let dims: Vec<usize> = shape.iter().map(|d| *d as usize).collect();
    let (rows, cols, position): (usize, usize, Position) = match kind {
        // [O, KH, KW, I]
        "tosa.conv2d" => {
            let fan = dims[1] * dims[2] * dims[3];
            (dims[0], fan, Box::new(move |o, k| o * fan + k))
        }
        // [KH, KW, C, M]: channel c·M + m, taps kh·KW + kw.
        "tosa.depthwise_conv2d" => {
            let (kh, kw, c, m) = (dims[0], dims[1], dims[2], dims[3]);
            (
                c * m,
                kh * kw,
                Box::new(move |o, k| (k * c + o / m) * m + o % m),
            )
        }
        // [1, K, N]: column n.
        "tosa.matmul" => {
            let (k, n) = (dims[1], dims[2]);
            (n, k, Box::new(move |o, i| i * n + o))
        }
        _ => return Err(format!("no weight layout for '{kind}'")),
    };
    let mut matrix = Array2::zeros((rows, cols));
    let mut index = vec![vec![0; cols]; rows];
    for o in 0..rows {
        for k in 0..cols {
            let p = position(o, k);
            matrix[[o, k]] = data[p];
            index[o][k] = p;
        }
    }
    Ok(WeightLayout { matrix, index })
}

/// How a layer's weights are quantized: width, per channel or per
/// tensor, symmetric (zero point 0) or asymmetric.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WeightChoice {
    pub bits: i64,
    pub per_channel: bool,
    pub symmetric: bool,
}

impl WeightChoice {
    /// `op`'s overrides (`cim.quant.weight_bits`, `cim.quant.per_channel`,
    /// `cim.quant.weight_symmetric`) over `self`.
    /// The width is checked (an option out of range is an error here).
    pub(crate) fn at(self, op: RawOp) -> Result<WeightChoice, String> {
        let choice = WeightChoice {
            bits: bits_override(op, WEIGHT_BITS_ATTR, WEIGHT_BITS, "weights")?
                .map_or(self.bits, i64::from),
            per_channel: bool_override(op, PER_CHANNEL_ATTR)?.unwrap_or(self.per_channel),
            symmetric: bool_override(op, WEIGHT_SYMMETRIC_ATTR)?.unwrap_or(self.symmetric),
        };
        choice.check()?;
        Ok(choice)
    }

    fn check(self) -> Result<(), String> {
        if WEIGHT_BITS.contains(&self.bits) {
            Ok(())
        } else {
            Err(format!(
                "weight-bits = {} is out of range: cimc quantizes weights to {} bits",
                self.bits,
                WEIGHT_BITS.describe()
            ))
        }
    }

    /// The grid spec: symmetric in [-(2^(b-1)-1), 2^(b-1)-1], or
    /// asymmetric in [-2^(b-1), 2^(b-1)-1] with a zero point, per tensor
    /// only (a TOSA convolution or matmul has one weight zero point).
    pub(crate) fn spec(self) -> Result<QuantSpec, String> {
        self.check()?;
        if !self.symmetric && self.per_channel {
            return Err(format!(
                "asymmetric weights are per tensor: a TOSA convolution or matmul has one weight zero point (per-channel=false, or '{PER_CHANNEL_ATTR}' = false on the op)"
            ));
        }
        QuantSpec::new(self.bits as u32, true, self.symmetric, self.per_channel)
            .map_err(|e| e.to_string())
    }
}

/// The grid `choice` gives the weights `matrix` (output channels x fan-in)
/// of `op`: over the range cim-quant-weight-range recorded on the op
/// (`cim.quant.weight_range`), else over the range `method` chooses.
pub(crate) fn weight_grid(
    op: RawOp,
    matrix: ndarray::ArrayView2<f32>,
    choice: WeightChoice,
    method: WeightRange,
) -> Result<Grid, String> {
    let spec = choice.spec()?;
    let Some(pairs) = f64_array_override(op, WEIGHT_RANGE_ATTR)? else {
        return cimc_quant::weight_grid(matrix, &spec, method).map_err(|e| e.to_string());
    };
    let expected = if spec.per_channel { matrix.nrows() } else { 1 };
    if pairs.len() != 2 * expected {
        return Err(format!(
            "'{WEIGHT_RANGE_ATTR}' holds {} values: a {} grid needs {expected} (lo, hi) pair(s); run cim-quant-weight-range with the same per-channel choice",
            pairs.len(),
            if spec.per_channel { "per-channel" } else { "per-tensor" }
        ));
    }
    let (mins, maxs): (Vec<f32>, Vec<f32>) = pairs
        .chunks(2)
        .map(|pair| (pair[0] as f32, pair[1] as f32))
        .unzip();
    Grid::from_ranges(&spec, &mins, &maxs).map_err(|e| format!("'{WEIGHT_RANGE_ATTR}': {e}"))
}

/// A layer's integer weights (output channels x fan-in) and their grid.
pub(crate) struct Weights {
    pub(crate) q: Array2<i32>,
    /// One scale, or one per output channel.
    pub(crate) scales: Vec<f64>,
    pub(crate) zero_point: i32,
    pub(crate) bits: u32,
    /// In [-(2^(b-1)-1), 2^(b-1)-1] with zero point 0 (else in
    /// [-2^(b-1), 2^(b-1)-1], whatever the zero point).
    pub(crate) symmetric: bool,
}

impl Weights {
    pub(crate) fn scale(&self, channel: usize) -> f64 {
        self.scales[if self.scales.len() == 1 { 0 } else { channel }]
    }

    /// Weight `[o, k]` dequantized.
    pub(crate) fn real(&self, o: usize, k: usize) -> f32 {
        (f64::from(self.q[[o, k]] - self.zero_point) * self.scale(o)) as f32
    }
}

/// The weights of the weighted op `op` on the grid `defaults`, `op`'s
/// overrides and `range` give it, or, when a pass already put them on a
/// grid (`cim.quant.weight_scale`, `cim.quant.weight_zero_point`), on that
/// grid exactly.
pub(crate) fn quantize_weights(
    op: RawOp,
    layout: &WeightLayout,
    defaults: WeightChoice,
    range: WeightRange,
) -> Result<Weights, String> {
    let choice = defaults.at(op)?;
    let (rows, cols) = layout.matrix.dim();
    if let Some(scales) = f64_array_override(op, WEIGHT_SCALE_ATTR)? {
        if scales.len() != 1 && scales.len() != rows {
            return Err(format!(
                "'{WEIGHT_SCALE_ATTR}' gives {} scales: give one, or one per output channel ({rows})",
                scales.len()
            ));
        }
        if scales.len() > 1 && bool_override(op, PER_CHANNEL_ATTR)? == Some(false) {
            return Err(format!(
                "'{WEIGHT_SCALE_ATTR}' gives one scale per output channel but '{PER_CHANNEL_ATTR}' = false"
            ));
        }
        if let Some(s) = scales.iter().find(|s| !(s.is_finite() && **s > 0.0)) {
            return Err(format!(
                "'{WEIGHT_SCALE_ATTR}' holds {s}: scales must be finite and > 0"
            ));
        }
        // A zero point (even 0) makes the grid asymmetric: [-2^(b-1),
        // 2^(b-1) - 1]; without one it is [-(2^(b-1) - 1), 2^(b-1) - 1].
        let given = int_override(op, WEIGHT_ZERO_POINT_ATTR)?;
        if given.is_some() && scales.len() > 1 {
            return Err(format!(
                "'{WEIGHT_ZERO_POINT_ATTR}' with one scale per output channel: asymmetric weights are per tensor"
            ));
        }
        let zero_point = given.unwrap_or(0);
        let half = 1i64 << (choice.bits - 1);
        let (qmin, qmax) = if given.is_some() {
            (-half, half - 1)
        } else {
            (1 - half, half - 1)
        };
        if !(qmin..=qmax).contains(&zero_point) {
            return Err(format!(
                "'{WEIGHT_ZERO_POINT_ATTR}' = {zero_point} is outside the {}-bit range [{qmin}, {qmax}]",
                choice.bits
            ));
        }
        let mut q = Array2::zeros((rows, cols));
        for o in 0..rows {
            let s = scales[if scales.len() == 1 { 0 } else { o }];
            for k in 0..cols {
                let w = layout.matrix[[o, k]];
                if !w.is_finite() {
                    return Err(format!(
                        "weight {w} of output channel {o} is not finite: it has no place on the grid of '{WEIGHT_SCALE_ATTR}'"
                    ));
                }
                let steps = f64::from(w) / s;
                let v = steps.round() + zero_point as f64;
                if v < qmin as f64 || v > qmax as f64 {
                    return Err(format!(
                        "weight {w} of output channel {o} is {v} on the grid of '{WEIGHT_SCALE_ATTR}' (scale {s}, zero point {zero_point}): outside the {}-bit range [{qmin}, {qmax}]",
                        choice.bits
                    ));
                }
                if (steps - steps.round()).abs() > 1e-3 {
                    return Err(format!(
                        "weight {w} of output channel {o} is not on the grid of '{WEIGHT_SCALE_ATTR}': w / s = {steps} with s = {s}"
                    ));
                }
                q[[o, k]] = v as i32;
            }
        }
        return Ok(Weights {
            q,
            scales,
            zero_point: zero_point as i32,
            bits: choice.bits as u32,
            symmetric: given.is_none(),
        });
    }
    let grid = weight_grid(op, layout.matrix.view(), choice, range)?;
    let q = Array2::from_shape_fn((rows, cols), |(o, k)| {
        grid.quantize_value(
            layout.matrix[[o, k]],
            if grid.scale.len() == 1 { 0 } else { o },
        )
    });
    Ok(Weights {
        q,
        scales: grid.scale.iter().map(|s| f64::from(*s)).collect(),
        zero_point: grid.zero_point[0],
        bits: choice.bits as u32,
        symmetric: choice.symmetric,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_that_keep_values_keep_the_grid() {
        assert!(KEEPS_VALUES.iter().all(|op| KEEPS_GRID.contains(op)));
    }
}
