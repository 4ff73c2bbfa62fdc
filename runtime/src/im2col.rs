//! The window gather of a convolution (`cim.im2col`, `dialects/cim/README.md`)
//! for compiled code: one call per layer instead of the pads, slices and
//! concatenations upstream lowering would generate for it.

use crate::error::{Result, SimError};

/// The geometry of `cim.im2col`: kernel, stride and dilation (height, width),
/// padding (top, bottom, left, right), the value padded positions hold, and
/// the element order of a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub kernel: [usize; 2],
    pub stride: [usize; 2],
    pub dilation: [usize; 2],
    pub pad: [usize; 4],
    pub pad_value: i8,
    /// Element `c·KH·KW + kh·KW + kw` (each channel's window contiguous)
    /// instead of `(kh·KW + kw)·C + c`.
    pub channel_major: bool,
}

impl Window {
    /// Output positions (rows, columns) for an `h × w` image; an error when
    /// a parameter is 0 or the kernel does not fit the padded image.
    pub fn output(&self, h: usize, w: usize) -> Result<(usize, usize)> {
        let bad = |what: String| Err(SimError::BadArgument(format!("im2col: {what}")));
        if self.kernel.contains(&0) || self.stride.contains(&0) || self.dilation.contains(&0) {
            return bad(format!(
                "kernel {:?}, stride {:?} and dilation {:?} must be at least 1",
                self.kernel, self.stride, self.dilation
            ));
        }
        let mut out = [0usize; 2];
        for (axis, size) in [h, w].into_iter().enumerate() {
            let padded = size + self.pad[2 * axis] + self.pad[2 * axis + 1];
            let reach = (self.kernel[axis] - 1) * self.dilation[axis] + 1;
            if reach > padded {
                return bad(format!(
                    "a dilated kernel of {reach} does not fit {padded} padded positions"
                ));
            }
            out[axis] = (padded - reach) / self.stride[axis] + 1;
        }
        Ok((out[0], out[1]))
    }
}

/// Gathers the windows of `x` (`n × h × w × c`, row-major) into `out`
/// (`n·OH·OW` rows of `KH·KW·c` elements).
pub fn im2col(x: &[i8], [n, h, w, c]: [usize; 4], window: &Window, out: &mut [i8]) -> Result<()> {
    let (oh, ow) = window.output(h, w)?;
    let [kh, kw] = window.kernel;
    let row = kh * kw * c;
    if x.len() != n * h * w * c {
        return Err(SimError::ShapeMismatch(format!(
            "im2col: {} input elements for {n} × {h} × {w} × {c}",
            x.len()
        )));
    }
    if out.len() != n * oh * ow * row {
        return Err(SimError::ShapeMismatch(format!(
            "im2col: room for {} elements, the windows take {n}·{oh}·{ow} × {row}",
            out.len()
        )));
    }
    let [sh, sw] = window.stride;
    let [dh, dw] = window.dilation;
    let (top, left) = (window.pad[0], window.pad[2]);
    for (index, dst) in out.chunks_exact_mut(row.max(1)).enumerate() {
        let (image, pos) = (index / (oh * ow), index % (oh * ow));
        let (y0, x0) = (pos / ow * sh, pos % ow * sw);
        for i in 0..kh {
            for j in 0..kw {
                // Padded coordinates; inside the image when within the pad.
                let (y, xx) = (y0 + i * dh, x0 + j * dw);
                let inside = y >= top && y - top < h && xx >= left && xx - left < w;
                let tap = i * kw + j;
                let src = inside.then(|| ((image * h + y - top) * w + xx - left) * c);
                for ch in 0..c {
                    let v = src.map_or(window.pad_value, |s| x[s + ch]);
                    let at = if window.channel_major {
                        ch * kh * kw + tap
                    } else {
                        tap * c + ch
                    };
                    dst[at] = v;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README's formula, element by element.
    fn reference(x: &[i8], [n, h, w, c]: [usize; 4], win: &Window) -> Vec<i8> {
        let (oh, ow) = win.output(h, w).unwrap();
        let [kh, kw] = win.kernel;
        let mut out = vec![0; n * oh * ow * kh * kw * c];
        for img in 0..n {
            for y in 0..oh {
                for xo in 0..ow {
                    for i in 0..kh {
                        for j in 0..kw {
                            for ch in 0..c {
                                let yy = (y * win.stride[0] + i * win.dilation[0]) as i64
                                    - win.pad[0] as i64;
                                let xx = (xo * win.stride[1] + j * win.dilation[1]) as i64
                                    - win.pad[2] as i64;
                                let v = if yy < 0 || xx < 0 || yy >= h as i64 || xx >= w as i64 {
                                    win.pad_value
                                } else {
                                    x[((img * h + yy as usize) * w + xx as usize) * c + ch]
                                };
                                let e = if win.channel_major {
                                    ch * kh * kw + i * kw + j
                                } else {
                                    (i * kw + j) * c + ch
                                };
                                out[((img * oh + y) * ow + xo) * kh * kw * c + e] = v;
                            }
                        }
                    }
                }
            }
        }
        out
    }

    #[test]
    fn matches_the_definition_for_strides_dilations_pads_and_orders() {
        let dims = [2, 7, 6, 3];
        let x: Vec<i8> = (0..2 * 7 * 6 * 3).map(|i| (i * 37 % 251) as i8).collect();
        for (kernel, stride, dilation, pad, channel_major) in [
            ([3, 3], [1, 1], [1, 1], [1, 1, 1, 1], false),
            ([3, 2], [2, 3], [1, 1], [0, 1, 2, 0], false),
            ([2, 2], [1, 2], [2, 3], [1, 0, 0, 2], true),
            ([1, 1], [1, 1], [1, 1], [0, 0, 0, 0], true),
            ([7, 6], [1, 1], [1, 1], [0, 0, 0, 0], false),
        ] {
            let win = Window {
                kernel,
                stride,
                dilation,
                pad,
                pad_value: -128,
                channel_major,
            };
            let want = reference(&x, dims, &win);
            let mut got = vec![0; want.len()];
            im2col(&x, dims, &win, &mut got).unwrap();
            assert_eq!(got, want, "{win:?}");
        }
    }

    #[test]
    fn bad_geometry_and_sizes_are_errors() {
        let win = Window {
            kernel: [3, 3],
            stride: [1, 1],
            dilation: [1, 1],
            pad: [0; 4],
            pad_value: 0,
            channel_major: false,
        };
        assert!(win.output(2, 5).is_err()); // the kernel does not fit
        assert!(Window {
            stride: [0, 1],
            ..win
        }
        .output(5, 5)
        .is_err());
        let mut out = vec![0; 9];
        assert!(im2col(&[0; 8], [1, 3, 3, 1], &win, &mut out).is_err());
        assert!(im2col(&[0; 9], [1, 3, 3, 1], &win, &mut out[..8]).is_err());
        assert!(im2col(&[0; 9], [1, 3, 3, 1], &win, &mut out).is_ok());
    }
}
