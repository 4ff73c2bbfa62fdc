//! Tensor types and the shape rules of the modelled ops.
//!
//! Every e-class has one type: equal values have equal types. The rules
//! build only nodes whose inferred type is the type of the class they join
//! ([`crate::saturate`] checks), and the importer models an op only when
//! [`infer`] agrees with the type MLIR gave it.

use crate::lang::Op;

/// A ranked, static tensor type: dimensions and the element spelling
/// (`i8`, `i32`, `i48`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ty {
    pub shape: Vec<i64>,
    pub element: String,
}

impl Ty {
    pub fn new(shape: &[i64], element: &str) -> Ty {
        Ty {
            shape: shape.to_vec(),
            element: element.to_string(),
        }
    }

    /// Elements (1 for a scalar).
    pub fn elements(&self) -> u64 {
        self.shape
            .iter()
            .fold(1u64, |n, d| n.saturating_mul((*d).max(0) as u64))
    }

    /// The width of a signless integer element (`i8` → 8).
    pub fn int_bits(&self) -> Option<u32> {
        self.element.strip_prefix('i')?.parse().ok()
    }

    /// The signed range of the integer element.
    pub fn int_range(&self) -> Option<(i64, i64)> {
        let bits = self.int_bits()?;
        if bits == 0 || bits > 63 {
            return None;
        }
        Some((-(1i64 << (bits - 1)), (1i64 << (bits - 1)) - 1))
    }
}

/// What [`infer`] needs of a convolution besides its operands: stride and
/// dilation (from its origin) and the accumulator element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConvGeometry {
    pub stride: [i64; 2],
    pub dilation: [i64; 2],
}

/// One output dimension of a convolution or pooling: `(in − 1 + pads −
/// (k − 1)·d) / s + 1`, which TOSA requires to divide exactly.
pub fn window_dim(input: i64, pads: i64, kernel: i64, stride: i64, dilation: i64) -> Option<i64> {
    if stride < 1 || dilation < 1 || kernel < 1 {
        return None;
    }
    let span = input - 1 + pads - (kernel - 1) * dilation;
    (span >= 0 && span % stride == 0).then_some(span / stride + 1)
}

/// The type of `op` applied to operands of types `children`, or `None`
/// when the op is not well typed. Leaves and opaque ops have no rule (their
/// types come from the import). `conv` and `accumulator` describe a
/// convolution's origin.
pub fn infer(
    op: &Op,
    children: &[&Ty],
    conv: Option<ConvGeometry>,
    accumulator: Option<&str>,
) -> Option<Ty> {
    let first = children.first()?;
    match op {
        Op::Arg(_) | Op::Const(_) | Op::Opaque(_) => None,
        Op::Conv2d { pad, .. } => {
            let [x, w, b, _, _] = children else {
                return None;
            };
            let geometry = conv?;
            let (&[n, h, wd, c], &[o, kh, kw, i]) = (x.shape.as_slice(), w.shape.as_slice()) else {
                return None;
            };
            if i != c || b.shape.len() != 1 || (b.shape[0] != o && b.shape[0] != 1) {
                return None;
            }
            let oh = window_dim(
                h,
                pad[0] + pad[1],
                kh,
                geometry.stride[0],
                geometry.dilation[0],
            )?;
            let ow = window_dim(
                wd,
                pad[2] + pad[3],
                kw,
                geometry.stride[1],
                geometry.dilation[1],
            )?;
            let accumulator = accumulator?;
            pad.iter()
                .all(|p| *p >= 0)
                .then(|| Ty::new(&[n, oh, ow, o], accumulator))
        }
        Op::Transpose { perms } => {
            let rank = first.shape.len();
            let mut seen = vec![false; rank];
            let mut shape = Vec::with_capacity(rank);
            for p in perms {
                let p = usize::try_from(*p).ok().filter(|p| *p < rank)?;
                if std::mem::replace(&mut seen[p], true) {
                    return None;
                }
                shape.push(first.shape[p]);
            }
            (perms.len() == rank).then(|| Ty::new(&shape, &first.element))
        }
        Op::Reshape { shape } => (shape.iter().all(|d| *d >= 0)
            && Ty::new(shape, "").elements() == first.elements())
        .then(|| Ty::new(shape, &first.element)),
        Op::Clamp { min, max, .. } => (min <= max).then(|| (*first).clone()),
        Op::Pad { padding } => {
            if padding.len() != 2 * first.shape.len() || padding.iter().any(|p| *p < 0) {
                return None;
            }
            let shape: Vec<i64> = first
                .shape
                .iter()
                .enumerate()
                .map(|(i, d)| d + padding[2 * i] + padding[2 * i + 1])
                .collect();
            Some(Ty::new(&shape, &first.element))
        }
        Op::Slice { start, size } => {
            let ok = start.len() == first.shape.len()
                && size.len() == first.shape.len()
                && first
                    .shape
                    .iter()
                    .zip(start.iter().zip(size))
                    .all(|(d, (s, n))| *s >= 0 && *n >= 1 && s + n <= *d);
            ok.then(|| Ty::new(size, &first.element))
        }
        Op::Concat { axis } => {
            let axis = usize::try_from(*axis)
                .ok()
                .filter(|a| *a < first.shape.len())?;
            let mut shape = first.shape.clone();
            shape[axis] = 0;
            for c in children {
                let same = c.element == first.element
                    && c.shape.len() == shape.len()
                    && c.shape
                        .iter()
                        .enumerate()
                        .all(|(i, d)| i == axis || *d == first.shape[i]);
                if !same {
                    return None;
                }
                shape[axis] += c.shape[axis];
            }
            Some(Ty::new(&shape, &first.element))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_of_the_modelled_ops() {
        let x = Ty::new(&[1, 8, 8, 4], "i8");
        let w = Ty::new(&[6, 3, 3, 4], "i8");
        let b = Ty::new(&[6], "i32");
        let z = Ty::new(&[1], "i8");
        let g = ConvGeometry {
            stride: [1, 1],
            dilation: [1, 1],
        };
        let conv = Op::Conv2d {
            origins: vec![0],
            pad: [1, 1, 1, 1],
        };
        assert_eq!(
            infer(&conv, &[&x, &w, &b, &z, &z], Some(g), Some("i32")),
            Some(Ty::new(&[1, 8, 8, 6], "i32"))
        );
        let strided = ConvGeometry {
            stride: [2, 2],
            ..g
        };
        // (8 − 1 + 2 − 2) = 7 is not a multiple of 2: TOSA refuses it.
        assert_eq!(
            infer(&conv, &[&x, &w, &b, &z, &z], Some(strided), Some("i32")),
            None
        );
        let t = Op::Transpose {
            perms: vec![0, 3, 1, 2],
        };
        assert_eq!(infer(&t, &[&x], None, None).unwrap().shape, [1, 4, 8, 8]);
        assert_eq!(
            infer(
                &Op::Transpose {
                    perms: vec![0, 0, 1, 2]
                },
                &[&x],
                None,
                None
            ),
            None
        );
        let c = Op::Concat { axis: 3 };
        assert_eq!(
            infer(&c, &[&x, &x], None, None).unwrap().shape,
            [1, 8, 8, 8]
        );
        let s = Op::Slice {
            start: vec![0, 0, 0, 2],
            size: vec![1, 8, 8, 2],
        };
        assert_eq!(infer(&s, &[&x], None, None).unwrap().shape, [1, 8, 8, 2]);
        let s = Op::Slice {
            start: vec![0, 0, 0, 3],
            size: vec![1, 8, 8, 2],
        };
        assert_eq!(infer(&s, &[&x], None, None), None);
    }
}
