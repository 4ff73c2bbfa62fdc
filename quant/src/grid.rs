//! Uniform affine quantization grids: what integers a tensor is stored as and
//! how they map back to reals.
//!
//! Why: every other PTQ step (range setting, AdaRound, bias correction) is
//! phrased in terms of one grid, and the MLIR passes turn a grid into the
//! integer constants and `tosa.rescale` parameters of the quantized graph.
//! The definitions follow Nagel et al. 2021, "A White Paper on Neural Network
//! Quantization", §2.2:
//!
//! ```text
//! q      = clamp(round(x / s) + z, qmin, qmax)      (quantize)
//! x̂      = s · (q − z)                              (dequantize)
//! fq(x)  = x̂(q(x))                                  (fake quantization)
//! ```
//!
//! **Rounding** is round-half-away-from-zero (`f32::round`): ties are rare
//! for real data, and this is what TFLite/ONNX converters do for weights, so
//! imported and cimc-quantized weights agree. (`tosa.rescale` rounds ties
//! upwards; that is integer arithmetic at run time, see [`crate::rescale`].)
//!
//! **Integer ranges** (`b` = bits, 2..=16):
//!
//! | spec | range | zero point |
//! |---|---|---|
//! | signed, symmetric | [−(2^(b−1)−1), 2^(b−1)−1] (restricted: 4-bit = [−7, 7], 8-bit = [−127, 127]) | 0 |
//! | signed, asymmetric | [−2^(b−1), 2^(b−1)−1] | integer in the range |
//! | unsigned, symmetric | [0, 2^b−1] (negative reals clip to 0) | 0 |
//! | unsigned, asymmetric | [0, 2^b−1] | integer in the range |
//!
//! Weights are signed symmetric (TOSA's int4 weights must lie in [−7, 7] with
//! zero point 0). Activations live in i8/i16 tensors, so they are signed
//! asymmetric: a ReLU output in [0, a] gets zero point −2^(b−1) and uses the
//! whole signed range. Unsigned grids exist for inputs that really are
//! unsigned (uint8 images, `input_unsigned` rescales).
//!
//! **Per channel** grids have one (scale, zero point) per index of axis 0,
//! which for weights is the output channel: this crate handles every weight
//! as a 2-D matrix with rows = output channels, columns = fan-in (see the
//! crate documentation for how TOSA layouts map onto that).
//!
//! A grid made from a real range always represents 0 exactly (the range is
//! first widened to contain 0), so zero padding and ReLU zeros are exact.

use ndarray::{Array, ArrayBase, Axis, Data, Dimension, Zip};

use crate::error::{check_finite, QuantError, Result};

/// Smallest supported bit width.
pub const MIN_BITS: u32 = 2;
/// Largest supported bit width.
pub const MAX_BITS: u32 = 16;

/// How a tensor is to be quantized: bit width, signedness, symmetry and
/// granularity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct QuantSpec {
    /// Bit width, 2..=16.
    pub bits: u32,
    /// Signed integer storage (see the module table).
    pub signed: bool,
    /// Zero point fixed at 0.
    pub symmetric: bool,
    /// One grid per output channel (axis 0) instead of one per tensor.
    pub per_channel: bool,
}

impl QuantSpec {
    /// A validated spec.
    pub fn new(bits: u32, signed: bool, symmetric: bool, per_channel: bool) -> Result<Self> {
        let s = QuantSpec {
            bits,
            signed,
            symmetric,
            per_channel,
        };
        s.validate()?;
        Ok(s)
    }

    /// The usual weight spec: signed, symmetric (restricted range), per
    /// output channel.
    pub fn weights(bits: u32) -> Result<Self> {
        Self::new(bits, true, true, true)
    }

    /// The usual activation spec: signed storage, asymmetric, per tensor.
    pub fn activations(bits: u32) -> Result<Self> {
        Self::new(bits, true, false, false)
    }

    /// Checks the bit width.
    pub fn validate(&self) -> Result<()> {
        if (MIN_BITS..=MAX_BITS).contains(&self.bits) {
            Ok(())
        } else {
            Err(QuantError::BitWidth {
                what: "quantization spec".into(),
                bits: self.bits,
                min: MIN_BITS,
                max: MAX_BITS,
            })
        }
    }

    /// The integer range (qmin, qmax) of the module table. The spec must be
    /// valid (use [`QuantSpec::new`]); out-of-range widths are clamped.
    pub fn qrange(&self) -> (i32, i32) {
        let b = self.bits.clamp(MIN_BITS, MAX_BITS);
        match (self.signed, self.symmetric) {
            (true, true) => (-((1 << (b - 1)) - 1), (1 << (b - 1)) - 1),
            (true, false) => (-(1 << (b - 1)), (1 << (b - 1)) - 1),
            (false, _) => (0, (1 << b) - 1),
        }
    }
}

/// A quantization grid: per-tensor (one scale) or per-channel along axis 0.
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    /// Step sizes, all finite and > 0. Length 1 = per tensor.
    pub scale: Vec<f32>,
    /// Zero points, same length as `scale`, each in [qmin, qmax].
    pub zero_point: Vec<i32>,
    /// Smallest integer.
    pub qmin: i32,
    /// Largest integer.
    pub qmax: i32,
}

/// Quantize one value (the module's formula; `x` finite).
#[inline]
pub(crate) fn quantize_one(x: f32, scale: f32, zp: i32, qmin: i32, qmax: i32) -> i32 {
    // Clamp in the float domain first so huge x/scale never saturates the
    // integer conversion; the bounds are small integers, exact in f32.
    let r = (x / scale).round();
    let r = r.clamp((qmin - zp) as f32, (qmax - zp) as f32);
    r as i32 + zp
}

/// Dequantize one integer.
#[inline]
pub(crate) fn dequantize_one(q: i32, scale: f32, zp: i32) -> f32 {
    (q - zp) as f32 * scale
}

impl Grid {
    /// A validated grid from explicit parameters.
    pub fn new(scale: Vec<f32>, zero_point: Vec<i32>, qmin: i32, qmax: i32) -> Result<Self> {
        let g = Grid {
            scale,
            zero_point,
            qmin,
            qmax,
        };
        g.validate()?;
        Ok(g)
    }

    /// Checks the invariants [`Grid::new`] establishes (the fields are public,
    /// so every array-level operation re-checks them): at least one
    /// channel, as many zero points as scales, scales finite and > 0,
    /// qmin < qmax, zero points in [qmin, qmax].
    pub fn validate(&self) -> Result<()> {
        let (scale, zero_point, qmin, qmax) = (&self.scale, &self.zero_point, self.qmin, self.qmax);
        if scale.is_empty() {
            return Err(QuantError::empty("grid scale"));
        }
        if zero_point.len() != scale.len() {
            return Err(QuantError::mismatch(
                "grid zero_point",
                format!("length {} (one per scale)", scale.len()),
                format!("length {}", zero_point.len()),
            ));
        }
        if qmin >= qmax {
            return Err(QuantError::invalid(
                "grid integer range",
                format!("[{qmin}, {qmax}]"),
                "qmin must be < qmax",
            ));
        }
        if let Some((c, s)) = scale
            .iter()
            .enumerate()
            .find(|(_, s)| !(s.is_finite() && **s > 0.0))
        {
            return Err(QuantError::invalid(
                &format!("grid scale[{c}]"),
                s,
                "must be finite and > 0",
            ));
        }
        if let Some((c, z)) = zero_point
            .iter()
            .enumerate()
            .find(|(_, z)| !(qmin..=qmax).contains(*z))
        {
            return Err(QuantError::invalid(
                &format!("grid zero_point[{c}]"),
                z,
                format!("must lie in [{qmin}, {qmax}]"),
            ));
        }
        Ok(())
    }

    /// A per-tensor grid covering the real range [min, max] (widened to
    /// contain 0).
    ///
    /// Symmetric signed: s = max(|min|, |max|) / qmax, z = 0. Symmetric
    /// unsigned: s = max / qmax, z = 0. Asymmetric: s = (max − min) / (qmax −
    /// qmin), z = qmin − round(min / s), which lies in [qmin, qmax] because
    /// min ≤ 0 ≤ max. A zero-width range (all zeros) gets s = 1.
    pub fn from_range(spec: &QuantSpec, min: f32, max: f32) -> Result<Self> {
        spec.validate()?;
        let (s, z) = range_params(spec, min, max, "range")?;
        let (qmin, qmax) = spec.qrange();
        Grid::new(vec![s], vec![z], qmin, qmax)
    }

    /// A grid from per-channel ranges (`mins[c]`, `maxs[c]`). With a
    /// per-tensor spec exactly one range must be given.
    pub fn from_ranges(spec: &QuantSpec, mins: &[f32], maxs: &[f32]) -> Result<Self> {
        spec.validate()?;
        if mins.is_empty() {
            return Err(QuantError::empty("channel ranges"));
        }
        if mins.len() != maxs.len() {
            return Err(QuantError::mismatch(
                "channel range maxima",
                format!("length {} (one per minimum)", mins.len()),
                format!("length {}", maxs.len()),
            ));
        }
        if !spec.per_channel && mins.len() != 1 {
            return Err(QuantError::mismatch(
                "per-tensor ranges",
                "1 range",
                format!("{} ranges", mins.len()),
            ));
        }
        let mut scale = Vec::with_capacity(mins.len());
        let mut zero_point = Vec::with_capacity(mins.len());
        for (c, (&lo, &hi)) in mins.iter().zip(maxs).enumerate() {
            let (s, z) = range_params(spec, lo, hi, &format!("range of channel {c}"))?;
            scale.push(s);
            zero_point.push(z);
        }
        let (qmin, qmax) = spec.qrange();
        Grid::new(scale, zero_point, qmin, qmax)
    }

    /// Number of (scale, zero point) pairs: 1 for a per-tensor grid.
    pub fn channels(&self) -> usize {
        self.scale.len()
    }

    /// More than one channel.
    pub fn is_per_channel(&self) -> bool {
        self.scale.len() > 1
    }

    /// All zero points are 0.
    pub fn is_symmetric(&self) -> bool {
        self.zero_point.iter().all(|&z| z == 0)
    }

    /// The (scale, zero point) of channel `c` (channel 0 of a per-tensor grid
    /// serves every index). The scalar methods below assume a valid grid
    /// and, for a per-channel grid, `c < channels()` (like slice indexing,
    /// they panic otherwise); the array methods check everything.
    #[inline]
    pub fn params(&self, c: usize) -> (f32, i32) {
        let c = if self.scale.len() == 1 { 0 } else { c };
        (self.scale[c], self.zero_point[c])
    }

    /// The single-channel grid of channel `c`.
    pub fn channel(&self, c: usize) -> Result<Grid> {
        self.validate()?;
        if self.scale.len() > 1 && c >= self.scale.len() {
            return Err(QuantError::invalid(
                "grid channel",
                c,
                format!("grid has {} channels", self.scale.len()),
            ));
        }
        let (s, z) = self.params(c);
        Ok(Grid {
            scale: vec![s],
            zero_point: vec![z],
            qmin: self.qmin,
            qmax: self.qmax,
        })
    }

    /// The smallest and largest representable reals of channel `c`.
    pub fn bounds(&self, c: usize) -> (f32, f32) {
        let (s, z) = self.params(c);
        (
            dequantize_one(self.qmin, s, z),
            dequantize_one(self.qmax, s, z),
        )
    }

    /// Quantize one finite value of channel `c`.
    #[inline]
    pub fn quantize_value(&self, x: f32, c: usize) -> i32 {
        let (s, z) = self.params(c);
        quantize_one(x, s, z, self.qmin, self.qmax)
    }

    /// Dequantize one integer of channel `c`.
    #[inline]
    pub fn dequantize_value(&self, q: i32, c: usize) -> f32 {
        let (s, z) = self.params(c);
        dequantize_one(q, s, z)
    }

    /// Fake-quantize one finite value of channel `c`.
    #[inline]
    pub fn fake_quant_value(&self, x: f32, c: usize) -> f32 {
        let (s, z) = self.params(c);
        dequantize_one(quantize_one(x, s, z, self.qmin, self.qmax), s, z)
    }

    fn check_shape(&self, what: &str, shape: &[usize]) -> Result<()> {
        self.validate()?;
        if self.scale.len() > 1 {
            match shape.first() {
                Some(&n) if n == self.scale.len() => {}
                _ => {
                    return Err(QuantError::mismatch(
                        what,
                        format!(
                            "axis 0 of length {} (one per grid channel)",
                            self.scale.len()
                        ),
                        format!("shape {shape:?}"),
                    ))
                }
            }
        }
        Ok(())
    }

    /// Quantize an array (per channel along axis 0). Errors on non-finite
    /// values or an axis 0 that does not match a per-channel grid.
    pub fn quantize<S, D>(&self, x: &ArrayBase<S, D>) -> Result<Array<i32, D>>
    where
        S: Data<Elem = f32>,
        D: Dimension,
    {
        check_finite("quantize input", x)?;
        self.check_shape("quantize input", x.shape())?;
        let mut out = Array::<i32, D>::zeros(x.raw_dim());
        self.map_channels(x, &mut out, |v, s, z, qmin, qmax| {
            quantize_one(v, s, z, qmin, qmax)
        });
        Ok(out)
    }

    /// Dequantize an integer array (per channel along axis 0).
    pub fn dequantize<S, D>(&self, q: &ArrayBase<S, D>) -> Result<Array<f32, D>>
    where
        S: Data<Elem = i32>,
        D: Dimension,
    {
        self.check_shape("dequantize input", q.shape())?;
        let mut out = Array::<f32, D>::zeros(q.raw_dim());
        if self.scale.len() == 1 {
            let (s, z) = self.params(0);
            Zip::from(&mut out)
                .and(q)
                .for_each(|o, &v| *o = dequantize_one(v, s, z));
        } else {
            // check_shape guarantees axis 0 exists; iterate dynamically so
            // any dimensionality works.
            let mut od = out.view_mut().into_dyn();
            let qd = q.view().into_dyn();
            for (c, (mut o, qi)) in od
                .axis_iter_mut(Axis(0))
                .zip(qd.axis_iter(Axis(0)))
                .enumerate()
            {
                let (s, z) = self.params(c);
                Zip::from(&mut o)
                    .and(&qi)
                    .for_each(|o, &v| *o = dequantize_one(v, s, z));
            }
        }
        Ok(out)
    }

    /// Fake-quantize an array: dequantize(quantize(x)), per channel along
    /// axis 0.
    pub fn fake_quant<S, D>(&self, x: &ArrayBase<S, D>) -> Result<Array<f32, D>>
    where
        S: Data<Elem = f32>,
        D: Dimension,
    {
        check_finite("fake_quant input", x)?;
        self.check_shape("fake_quant input", x.shape())?;
        let mut out = Array::<f32, D>::zeros(x.raw_dim());
        self.map_channels(x, &mut out, |v, s, z, qmin, qmax| {
            dequantize_one(quantize_one(v, s, z, qmin, qmax), s, z)
        });
        Ok(out)
    }

    fn map_channels<S, D, T>(
        &self,
        x: &ArrayBase<S, D>,
        out: &mut Array<T, D>,
        f: impl Fn(f32, f32, i32, i32, i32) -> T,
    ) where
        S: Data<Elem = f32>,
        D: Dimension,
    {
        let (qmin, qmax) = (self.qmin, self.qmax);
        if self.scale.len() == 1 {
            let (s, z) = self.params(0);
            Zip::from(out)
                .and(x)
                .for_each(|o, &v| *o = f(v, s, z, qmin, qmax));
        } else {
            let mut od = out.view_mut().into_dyn();
            let xd = x.view().into_dyn();
            for (c, (mut o, xi)) in od
                .axis_iter_mut(Axis(0))
                .zip(xd.axis_iter(Axis(0)))
                .enumerate()
            {
                let (s, z) = self.params(c);
                Zip::from(&mut o)
                    .and(&xi)
                    .for_each(|o, &v| *o = f(v, s, z, qmin, qmax));
            }
        }
    }
}

/// (scale, zero point) for one range; see [`Grid::from_range`].
pub(crate) fn range_params(spec: &QuantSpec, min: f32, max: f32, what: &str) -> Result<(f32, i32)> {
    if !min.is_finite() || !max.is_finite() {
        return Err(QuantError::invalid(
            what,
            format!("[{min}, {max}]"),
            "bounds must be finite",
        ));
    }
    if min > max {
        return Err(QuantError::invalid(
            what,
            format!("[{min}, {max}]"),
            "min must be <= max",
        ));
    }
    let (qmin, qmax) = spec.qrange();
    let lo = min.min(0.0) as f64;
    let hi = max.max(0.0) as f64;
    let (width, steps) = if spec.symmetric {
        if spec.signed {
            (lo.abs().max(hi), qmax as f64)
        } else {
            (hi, qmax as f64)
        }
    } else {
        (hi - lo, (qmax - qmin) as f64)
    };
    let mut s = (width / steps) as f32;
    if s == 0.0 {
        // All-zero range: any scale represents it; 1 keeps later rescale
        // arithmetic well inside TOSA's limits.
        s = 1.0;
    }
    let s = s.max(f32::MIN_POSITIVE);
    let z = if spec.symmetric {
        0
    } else {
        let z = qmin as f64 - (lo / s as f64).round();
        z.clamp(qmin as f64, qmax as f64) as i32
    };
    Ok((s, z))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, Array1, Array2};
    use proptest::prelude::*;

    #[test]
    fn integer_ranges() {
        assert_eq!(QuantSpec::weights(4).unwrap().qrange(), (-7, 7));
        assert_eq!(QuantSpec::weights(8).unwrap().qrange(), (-127, 127));
        assert_eq!(QuantSpec::weights(2).unwrap().qrange(), (-1, 1));
        assert_eq!(QuantSpec::activations(8).unwrap().qrange(), (-128, 127));
        assert_eq!(QuantSpec::activations(4).unwrap().qrange(), (-8, 7));
        assert_eq!(
            QuantSpec::new(8, false, false, false).unwrap().qrange(),
            (0, 255)
        );
        assert_eq!(
            QuantSpec::new(16, false, true, false).unwrap().qrange(),
            (0, 65535)
        );
        assert_eq!(
            QuantSpec::activations(16).unwrap().qrange(),
            (-32768, 32767)
        );
    }

    #[test]
    fn bad_bit_widths_are_errors() {
        for bits in [0, 1, 17, 32] {
            let e = QuantSpec::weights(bits).unwrap_err();
            assert!(matches!(e, QuantError::BitWidth { bits: b, .. } if b == bits));
        }
        let spec = QuantSpec {
            bits: 1,
            signed: true,
            symmetric: true,
            per_channel: false,
        };
        assert!(Grid::from_range(&spec, -1.0, 1.0).is_err());
    }

    #[test]
    fn symmetric_grid_from_range() {
        let spec = QuantSpec::new(4, true, true, false).unwrap();
        let g = Grid::from_range(&spec, -0.5, 1.4).unwrap();
        assert_eq!(g.zero_point, vec![0]);
        assert!((g.scale[0] - 0.2).abs() < 1e-7);
        assert_eq!(g.quantize_value(1.4, 0), 7);
        assert_eq!(g.quantize_value(-5.0, 0), -7);
        assert_eq!(g.quantize_value(0.1, 0), 1); // 0.5 rounds away from zero
        assert_eq!(g.quantize_value(-0.1, 0), -1);
        assert_eq!(g.quantize_value(0.29, 0), 1);
        assert_eq!(g.bounds(0), (-7.0 * g.scale[0], 7.0 * g.scale[0]));
    }

    #[test]
    fn asymmetric_grid_from_relu_range_uses_whole_signed_range() {
        let spec = QuantSpec::activations(8).unwrap();
        let g = Grid::from_range(&spec, 0.0, 2.55).unwrap();
        assert_eq!(g.zero_point, vec![-128]);
        assert!((g.scale[0] - 0.01).abs() < 1e-8);
        assert_eq!(g.quantize_value(0.0, 0), -128);
        assert_eq!(g.quantize_value(2.55, 0), 127);
        assert_eq!(g.fake_quant_value(0.0, 0), 0.0);
    }

    #[test]
    fn range_excluding_zero_is_widened() {
        let spec = QuantSpec::activations(8).unwrap();
        let g = Grid::from_range(&spec, 1.0, 3.0).unwrap();
        let (lo, hi) = g.bounds(0);
        assert!(lo <= 0.0 && hi >= 2.99);
        assert_eq!(g.fake_quant_value(0.0, 0), 0.0);
        let g = Grid::from_range(&spec, -3.0, -1.0).unwrap();
        assert_eq!(g.zero_point, vec![127]);
        assert_eq!(g.fake_quant_value(0.0, 0), 0.0);
    }

    #[test]
    fn zero_range_gets_unit_scale() {
        let g = Grid::from_range(&QuantSpec::weights(8).unwrap(), 0.0, 0.0).unwrap();
        assert_eq!(g.scale, vec![1.0]);
        let g = Grid::from_range(&QuantSpec::activations(8).unwrap(), 0.0, 0.0).unwrap();
        assert_eq!(g.scale, vec![1.0]);
        assert_eq!(g.fake_quant_value(0.0, 0), 0.0);
    }

    #[test]
    fn bad_ranges_and_grids_are_errors() {
        let spec = QuantSpec::weights(8).unwrap();
        assert!(Grid::from_range(&spec, 1.0, -1.0).is_err());
        assert!(Grid::from_range(&spec, f32::NAN, 1.0).is_err());
        assert!(Grid::from_range(&spec, 0.0, f32::INFINITY).is_err());
        assert!(Grid::new(vec![], vec![], -1, 1).is_err());
        assert!(Grid::new(vec![1.0], vec![0, 0], -1, 1).is_err());
        assert!(Grid::new(vec![0.0], vec![0], -1, 1).is_err());
        assert!(Grid::new(vec![-1.0], vec![0], -1, 1).is_err());
        assert!(Grid::new(vec![1.0], vec![2], -1, 1).is_err());
        assert!(Grid::new(vec![1.0], vec![0], 1, 1).is_err());
        let per_tensor = QuantSpec::activations(8).unwrap();
        assert!(Grid::from_ranges(&per_tensor, &[0.0, 0.0], &[1.0, 1.0]).is_err());
        assert!(Grid::from_ranges(&spec, &[0.0, 0.0], &[1.0]).is_err());
        assert!(Grid::from_ranges(&spec, &[], &[]).is_err());
    }

    #[test]
    fn hand_built_invalid_grids_are_caught_by_array_operations() {
        let g = Grid {
            scale: vec![1.0, 0.5],
            zero_point: vec![0],
            qmin: -7,
            qmax: 7,
        };
        let x = Array2::<f32>::zeros((2, 2));
        assert!(matches!(
            g.quantize(&x),
            Err(QuantError::ShapeMismatch { .. })
        ));
        assert!(g.fake_quant(&x).is_err());
        assert!(g.dequantize(&Array2::<i32>::zeros((2, 2))).is_err());
        assert!(g.channel(0).is_err());
    }

    #[test]
    fn per_channel_along_axis_0() {
        let spec = QuantSpec::weights(8).unwrap();
        let w = array![[1.0f32, -0.5, 0.25], [10.0, 5.0, -10.0]];
        let g = Grid::from_ranges(&spec, &[-1.0, -10.0], &[1.0, 10.0]).unwrap();
        assert!(g.is_per_channel() && g.is_symmetric());
        let q = g.quantize(&w).unwrap();
        assert_eq!(q.row(0).to_vec(), vec![127, -64, 32]);
        assert_eq!(q.row(1).to_vec(), vec![127, 64, -127]);
        let d = g.dequantize(&q).unwrap();
        let f = g.fake_quant(&w).unwrap();
        assert_eq!(d, f);
        // Axis 0 must match the channel count.
        let bad = Array2::<f32>::zeros((3, 3));
        assert!(matches!(
            g.quantize(&bad),
            Err(QuantError::ShapeMismatch { .. })
        ));
        assert!(g.dequantize(&Array2::<i32>::zeros((1, 3))).is_err());
        // 4-D per channel (conv weights [O, KH, KW, I]).
        let w4 = ndarray::Array4::<f32>::from_elem((2, 3, 3, 4), 0.5);
        let q4 = g.quantize(&w4).unwrap();
        assert!(q4.index_axis(Axis(0), 0).iter().all(|&v| v == 64));
        assert!(q4.index_axis(Axis(0), 1).iter().all(|&v| v == 6));
    }

    #[test]
    fn non_finite_inputs_are_errors() {
        let g = Grid::from_range(&QuantSpec::weights(8).unwrap(), -1.0, 1.0).unwrap();
        let x: Array1<f32> = array![0.0, f32::NAN];
        assert!(matches!(
            g.quantize(&x),
            Err(QuantError::NonFinite { index: 1, .. })
        ));
        assert!(g.fake_quant(&x).is_err());
    }

    fn spec_strategy() -> impl Strategy<Value = QuantSpec> {
        (2u32..=16, any::<bool>(), any::<bool>()).prop_map(|(bits, signed, symmetric)| QuantSpec {
            bits,
            signed,
            symmetric,
            per_channel: false,
        })
    }

    proptest! {
        #[test]
        fn grid_from_any_range_is_valid_and_exact_at_zero(
            spec in spec_strategy(),
            a in -1e4f32..1e4,
            b in -1e4f32..1e4,
        ) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            let g = Grid::from_range(&spec, lo, hi).unwrap();
            let (qmin, qmax) = spec.qrange();
            prop_assert!(g.zero_point[0] >= qmin && g.zero_point[0] <= qmax);
            prop_assert!(g.scale[0] > 0.0);
            prop_assert_eq!(g.fake_quant_value(0.0, 0), 0.0);
            if spec.symmetric {
                prop_assert_eq!(g.zero_point[0], 0);
            }
            // The representable range covers the requested one, up to one
            // step lost to rounding the zero point (and negatives for
            // unsigned symmetric grids, which clip to 0 by definition).
            let (blo, bhi) = g.bounds(0);
            let s = g.scale[0];
            prop_assert!(bhi >= hi.max(0.0) - s * 0.51);
            if spec.signed || !spec.symmetric {
                prop_assert!(blo <= lo.min(0.0) + s * 0.51);
            }
        }

        #[test]
        fn fake_quant_error_is_half_a_step_inside_the_range(
            spec in spec_strategy(),
            lo in -100f32..0.0,
            hi in 0.001f32..100.0,
            xs in proptest::collection::vec(-1.0f32..1.0, 1..50),
        ) {
            let g = Grid::from_range(&spec, lo, hi).unwrap();
            let (blo, bhi) = g.bounds(0);
            let s = g.scale[0];
            for u in xs {
                // Map u into the representable range.
                let x = if u >= 0.0 { u * bhi } else { -u * blo };
                let q = g.quantize_value(x, 0);
                prop_assert!(q >= g.qmin && q <= g.qmax);
                let fq = g.fake_quant_value(x, 0);
                prop_assert!((fq - x).abs() <= 0.5 * s * 1.0001 + x.abs() * 2e-7, "x={x} fq={fq} s={s}");
                // Idempotent.
                prop_assert_eq!(g.fake_quant_value(fq, 0), fq);
                prop_assert_eq!(g.quantize_value(fq, 0), q);
            }
        }

        #[test]
        fn quantize_saturates_outside_the_range(
            spec in spec_strategy(),
            hi in 0.01f32..10.0,
            x in prop_oneof![-1e30f32..-1e3, 1e3f32..1e30],
        ) {
            let g = Grid::from_range(&spec, -hi, hi).unwrap();
            let q = g.quantize_value(x, 0);
            if x > 0.0 { prop_assert_eq!(q, g.qmax) } else { prop_assert_eq!(q, g.qmin) }
        }
    }
}
