//! Host tensors of the element types TOSA models use at their boundaries,
//! with `.npy` input and output.

use half::f16;
use ndarray::{ArrayD, Axis, IxDyn};
use npyz::{TypeChar, WriterBuilder};
use std::fmt;
use std::path::Path;
use thiserror::Error;

/// An element type at a function boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DType {
    Bool,
    I8,
    I16,
    I32,
    I64,
    F16,
    F32,
}

impl DType {
    /// The MLIR spelling (`i8`, `f32`, ...).
    pub fn mlir(self) -> &'static str {
        match self {
            DType::Bool => "i1",
            DType::I8 => "i8",
            DType::I16 => "i16",
            DType::I32 => "i32",
            DType::I64 => "i64",
            DType::F16 => "f16",
            DType::F32 => "f32",
        }
    }

    /// The NumPy spelling (`int8`, `float32`, ...).
    pub fn numpy(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::I8 => "int8",
            DType::I16 => "int16",
            DType::I32 => "int32",
            DType::I64 => "int64",
            DType::F16 => "float16",
            DType::F32 => "float32",
        }
    }

    /// Bytes per element in memory (an i1 occupies a byte).
    pub fn size(self) -> usize {
        match self {
            DType::Bool | DType::I8 => 1,
            DType::I16 | DType::F16 => 2,
            DType::I32 | DType::F32 => 4,
            DType::I64 => 8,
        }
    }

    /// From an MLIR element type's spelling.
    pub fn from_mlir(name: &str) -> Option<DType> {
        Some(match name {
            "i1" => DType::Bool,
            "i8" => DType::I8,
            "i16" => DType::I16,
            "i32" => DType::I32,
            "i64" => DType::I64,
            "f16" => DType::F16,
            "f32" => DType::F32,
            _ => return None,
        })
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.mlir())
    }
}

/// A tensor's type: element type and static shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorType {
    pub dtype: DType,
    pub shape: Vec<usize>,
}

impl fmt::Display for TensorType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tensor<")?;
        for dim in &self.shape {
            write!(f, "{dim}x")?;
        }
        write!(f, "{}>", self.dtype)
    }
}

/// A host tensor.
#[derive(Debug, Clone, PartialEq)]
pub enum Tensor {
    Bool(ArrayD<bool>),
    I8(ArrayD<i8>),
    I16(ArrayD<i16>),
    I32(ArrayD<i32>),
    I64(ArrayD<i64>),
    F16(ArrayD<f16>),
    F32(ArrayD<f32>),
}

/// Applies `$body` to the array inside any variant, binding it as `$a`.
macro_rules! each {
    ($tensor:expr, $a:ident => $body:expr) => {
        match $tensor {
            Tensor::Bool($a) => $body,
            Tensor::I8($a) => $body,
            Tensor::I16($a) => $body,
            Tensor::I32($a) => $body,
            Tensor::I64($a) => $body,
            Tensor::F16($a) => $body,
            Tensor::F32($a) => $body,
        }
    };
}

/// Like `each!`, rebuilding the same variant from `$body`.
macro_rules! map_each {
    ($tensor:expr, $a:ident => $body:expr) => {
        match $tensor {
            Tensor::Bool($a) => Tensor::Bool($body),
            Tensor::I8($a) => Tensor::I8($body),
            Tensor::I16($a) => Tensor::I16($body),
            Tensor::I32($a) => Tensor::I32($body),
            Tensor::I64($a) => Tensor::I64($body),
            Tensor::F16($a) => Tensor::F16($body),
            Tensor::F32($a) => Tensor::F32($body),
        }
    };
}

/// A `.npy` file that cannot be used.
#[derive(Debug, Error)]
pub enum NpyError {
    #[error("{path}: cannot read: {reason}")]
    Read { path: String, reason: String },
    #[error("{path}: not a valid .npy file: {reason}")]
    Corrupt { path: String, reason: String },
    #[error("{path}: element type {dtype} is not supported (cimc reads bool, int8, int16, int32, int64, float16, float32)")]
    DType { path: String, dtype: String },
    #[error("{path}: Fortran-ordered arrays are not supported; save with numpy.ascontiguousarray")]
    Fortran { path: String },
    #[error("{path}: cannot write: {reason}")]
    Write { path: String, reason: String },
}

impl Tensor {
    pub fn dtype(&self) -> DType {
        match self {
            Tensor::Bool(_) => DType::Bool,
            Tensor::I8(_) => DType::I8,
            Tensor::I16(_) => DType::I16,
            Tensor::I32(_) => DType::I32,
            Tensor::I64(_) => DType::I64,
            Tensor::F16(_) => DType::F16,
            Tensor::F32(_) => DType::F32,
        }
    }

    pub fn shape(&self) -> &[usize] {
        each!(self, a => a.shape())
    }

    pub fn ty(&self) -> TensorType {
        TensorType {
            dtype: self.dtype(),
            shape: self.shape().to_vec(),
        }
    }

    /// A zero tensor of a type.
    pub fn zeros(ty: &TensorType) -> Tensor {
        let shape = IxDyn(&ty.shape);
        match ty.dtype {
            DType::Bool => Tensor::Bool(ArrayD::from_elem(shape, false)),
            DType::I8 => Tensor::I8(ArrayD::zeros(shape)),
            DType::I16 => Tensor::I16(ArrayD::zeros(shape)),
            DType::I32 => Tensor::I32(ArrayD::zeros(shape)),
            DType::I64 => Tensor::I64(ArrayD::zeros(shape)),
            DType::F16 => Tensor::F16(ArrayD::from_elem(shape, f16::ZERO)),
            DType::F32 => Tensor::F32(ArrayD::zeros(shape)),
        }
    }

    /// The same data in row-major (C) layout, as the compiled code expects.
    pub fn into_standard_layout(self) -> Tensor {
        map_each!(self, a => if a.is_standard_layout() { a } else { a.as_standard_layout().into_owned() })
    }

    /// Pointer to the first element; valid while `self` lives and is not moved.
    /// Only meaningful for standard-layout tensors.
    pub fn data_ptr(&mut self) -> *mut u8 {
        each!(self, a => a.as_mut_ptr().cast::<u8>())
    }

    /// Sample `index` along the first axis, keeping that axis (length 1).
    pub fn sample(&self, index: usize) -> Tensor {
        self.rows(index, 1)
    }

    /// `count` samples from `start` along the first axis.
    pub fn rows(&self, start: usize, count: usize) -> Tensor {
        map_each!(self, a => a.slice_axis(Axis(0), (start..start + count).into()).to_owned())
    }

    /// The tensor as one batch entry: unchanged when its first axis is
    /// already 1, else with a new leading axis of length 1.
    pub fn with_batch_axis(self) -> Tensor {
        if self.shape().first() == Some(&1) {
            return self;
        }
        map_each!(self, a => a.insert_axis(Axis(0)))
    }

    /// Concatenates tensors of one type along the first axis.
    pub fn concat(parts: &[Tensor]) -> Option<Tensor> {
        macro_rules! cat {
            ($variant:ident) => {{
                let views: Option<Vec<_>> = parts
                    .iter()
                    .map(|t| match t {
                        Tensor::$variant(a) => Some(a.view()),
                        _ => None,
                    })
                    .collect();
                ndarray::concatenate(Axis(0), &views?)
                    .ok()
                    .map(Tensor::$variant)
            }};
        }
        match parts.first()?.dtype() {
            DType::Bool => cat!(Bool),
            DType::I8 => cat!(I8),
            DType::I16 => cat!(I16),
            DType::I32 => cat!(I32),
            DType::I64 => cat!(I64),
            DType::F16 => cat!(F16),
            DType::F32 => cat!(F32),
        }
    }

    /// Values as f64, in row-major order (for accuracy and error measures).
    pub fn to_f64(&self) -> Vec<f64> {
        match self {
            Tensor::Bool(a) => a.iter().map(|v| f64::from(u8::from(*v))).collect(),
            Tensor::I8(a) => a.iter().map(|v| f64::from(*v)).collect(),
            Tensor::I16(a) => a.iter().map(|v| f64::from(*v)).collect(),
            Tensor::I32(a) => a.iter().map(|v| f64::from(*v)).collect(),
            Tensor::I64(a) => a.iter().map(|v| *v as f64).collect(),
            Tensor::F16(a) => a.iter().map(|v| f64::from(*v)).collect(),
            Tensor::F32(a) => a.iter().map(|v| f64::from(*v)).collect(),
        }
    }

    /// How many elements differ from `other`'s (compared as f64, row-major);
    /// every element counts when the types differ.
    pub fn mismatches(&self, other: &Tensor) -> usize {
        if self.ty() != other.ty() {
            return self
                .shape()
                .iter()
                .product::<usize>()
                .max(other.shape().iter().product());
        }
        self.to_f64()
            .iter()
            .zip(other.to_f64())
            .filter(|(a, b)| **a != *b)
            .count()
    }

    /// Reads a `.npy` file of any supported element type.
    pub fn read_npy(path: &Path) -> Result<Tensor, NpyError> {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|err| NpyError::Read {
            path: name.clone(),
            reason: crate::source::io_reason(&err),
        })?;
        Self::from_npy_bytes(&bytes, &name)
    }

    /// Parses `.npy` bytes; `name` is used in errors.
    pub fn from_npy_bytes(bytes: &[u8], name: &str) -> Result<Tensor, NpyError> {
        let corrupt = |err: std::io::Error| NpyError::Corrupt {
            path: name.to_string(),
            reason: err.to_string(),
        };
        check_npy_header(bytes).map_err(|reason| NpyError::Corrupt {
            path: name.to_string(),
            reason,
        })?;
        let file = npyz::NpyFile::new(bytes).map_err(corrupt)?;
        if file.order() == npyz::Order::Fortran {
            return Err(NpyError::Fortran { path: name.into() });
        }
        let shape: Vec<usize> = file.shape().iter().map(|d| *d as usize).collect();
        let unsupported = || NpyError::DType {
            path: name.to_string(),
            dtype: file.dtype().descr(),
        };
        let npyz::DType::Plain(ty) = file.dtype() else {
            return Err(unsupported());
        };
        let size = ty.size_field();
        let dtype = match (ty.type_char(), size) {
            (TypeChar::Bool, 1) => DType::Bool,
            (TypeChar::Int, 1) => DType::I8,
            (TypeChar::Int, 2) => DType::I16,
            (TypeChar::Int, 4) => DType::I32,
            (TypeChar::Int, 8) => DType::I64,
            (TypeChar::Float, 2) => DType::F16,
            (TypeChar::Float, 4) => DType::F32,
            _ => return Err(unsupported()),
        };
        let elements: usize = shape.iter().product();
        if file.len() != elements as u64 {
            return Err(NpyError::Corrupt {
                path: name.into(),
                reason: "header shape and element count disagree".into(),
            });
        }
        macro_rules! load {
            ($variant:ident, $t:ty) => {{
                let data: Vec<$t> = file.into_vec().map_err(corrupt)?;
                let array = ArrayD::from_shape_vec(IxDyn(&shape), data).map_err(|err| {
                    NpyError::Corrupt {
                        path: name.into(),
                        reason: err.to_string(),
                    }
                })?;
                Tensor::$variant(array)
            }};
        }
        Ok(match dtype {
            DType::Bool => load!(Bool, bool),
            DType::I8 => load!(I8, i8),
            DType::I16 => load!(I16, i16),
            DType::I32 => load!(I32, i32),
            DType::I64 => load!(I64, i64),
            DType::F16 => load!(F16, f16),
            DType::F32 => load!(F32, f32),
        })
    }

    /// Writes a `.npy` file (little-endian, C order).
    pub fn write_npy(&self, path: &Path) -> Result<(), NpyError> {
        let name = path.display().to_string();
        let fail = |err: std::io::Error| NpyError::Write {
            path: name.clone(),
            reason: crate::source::io_reason(&err),
        };
        let shape: Vec<u64> = self.shape().iter().map(|d| *d as u64).collect();
        let mut bytes: Vec<u8> = Vec::new();
        each!(self, a => {
            let mut writer = npyz::WriteOptions::new()
                .default_dtype()
                .shape(&shape)
                .writer(&mut bytes)
                .begin_nd()
                .map_err(fail)?;
            writer.extend(a.iter().copied()).map_err(fail)?;
            writer.finish().map_err(fail)?;
        });
        standard_shape_text(&mut bytes, &shape);
        std::fs::write(path, &bytes).map_err(fail)
    }
}

/// npyz writes a shape as `(61, 25, )`; numpy reads that, but Arm's TOSA
/// tools parse the header strictly and want numpy's own `(61, 25)` (`(5,)`
/// for one axis). The header keeps its length: the text is padded with
/// spaces before its closing newline, as numpy pads it.
fn standard_shape_text(bytes: &mut [u8], shape: &[u64]) {
    // Magic, version, then the header length: u16 (v1) or u32 (v2, v3).
    let (start, len) = match bytes.get(6) {
        Some(1) if bytes.len() >= 10 => (10, u16::from_le_bytes([bytes[8], bytes[9]]) as usize),
        Some(2 | 3) if bytes.len() >= 12 => (
            12,
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
        ),
        _ => return,
    };
    let Some(header) = bytes.get_mut(start..start + len) else {
        return;
    };
    let text = String::from_utf8_lossy(header).into_owned();
    let (Some(open), Some(newline)) = (text.find("'shape': ("), text.rfind('\n')) else {
        return;
    };
    let Some(close) = text[open..].find(')').map(|i| open + i) else {
        return;
    };
    let dims: Vec<String> = shape.iter().map(u64::to_string).collect();
    let standard = match dims.len() {
        1 => format!("({},)", dims[0]),
        _ => format!("({})", dims.join(", ")),
    };
    let rebuilt = format!(
        "{}{standard}{}",
        &text[..open + "'shape': ".len()],
        text[close + 1..newline].trim_end()
    );
    if rebuilt.len() > newline {
        return; // cannot happen: the standard text is never longer
    }
    let padded = format!("{rebuilt:<newline$}\n");
    header.copy_from_slice(padded.as_bytes());
}

/// The deepest bracket nesting a `.npy` header may have: numpy writes a
/// flat dict with a shape tuple (structured dtypes nest a few levels).
const NPY_HEADER_NESTING: usize = 8;

/// Refuses a header the npy parser would take exponential time on (a
/// fuzzing finding: some dozens of nested `[` or `{` hung it): one nested
/// past [`NPY_HEADER_NESTING`] brackets. The parser reads the header to its
/// newline, whatever its length field says, and so does this check.
fn check_npy_header(bytes: &[u8]) -> Result<(), String> {
    let Some(rest) = bytes.strip_prefix(b"\x93NUMPY") else {
        return Ok(()); // npyz reports the missing magic
    };
    let start = match rest.first() {
        Some(1) => 4,
        Some(2 | 3) => 6,
        _ => return Ok(()),
    };
    let header = rest.get(start..).unwrap_or_default();
    let header = &header[..header
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(header.len())];
    let mut depth = 0usize;
    for &b in header {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > NPY_HEADER_NESTING {
                    return Err(format!(
                        "its header nests brackets more than {NPY_HEADER_NESTING} deep; numpy writes a flat dict"
                    ));
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    // npyz multiplies the shape's dimensions unchecked (a panic in debug
    // builds, a wrapped count in release ones): a shape must not claim more
    // elements than the file has bytes.
    if let Some(elements) = header_elements(header) {
        match elements {
            Some(n) if n <= bytes.len() as u64 => {}
            Some(n) => {
                return Err(format!(
                    "its header's shape has {n} elements, more than the file's {} bytes can hold",
                    bytes.len()
                ))
            }
            None => return Err("its header's shape has more elements than 2^64".into()),
        }
    }
    Ok(())
}

/// The element count of the `shape` tuple in an `.npy` header dict, `None`
/// inside when it overflows u64; `None` when there is no readable shape
/// (npyz then reports the header).
fn header_elements(header: &[u8]) -> Option<Option<u64>> {
    let text = std::str::from_utf8(header).ok()?;
    let key = text.find("'shape'").or_else(|| text.find("\"shape\""))?;
    let rest = text[key + 7..].trim_start().strip_prefix(':')?.trim_start();
    let tuple = rest.strip_prefix('(')?;
    let tuple = &tuple[..tuple.find(')')?];
    let mut elements = Some(1u64);
    for dim in tuple.split(',').map(str::trim).filter(|d| !d.is_empty()) {
        let dim: u64 = dim.trim_end_matches('L').parse().ok()?;
        elements = elements.and_then(|n| n.checked_mul(dim));
    }
    Some(elements)
}

#[cfg(test)]
mod tests {
    use super::standard_shape_text;
    use npyz::WriterBuilder;

    fn header(shape: &[u64]) -> (Vec<u8>, String) {
        let mut bytes = Vec::new();
        let n: u64 = shape.iter().product();
        let mut writer = npyz::WriteOptions::<i8>::new()
            .default_dtype()
            .shape(shape)
            .writer(&mut bytes)
            .begin_nd()
            .unwrap();
        writer.extend((0..n).map(|v| v as i8)).unwrap();
        writer.finish().unwrap();
        standard_shape_text(&mut bytes, shape);
        let len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
        let text = String::from_utf8_lossy(&bytes[10..10 + len]).into_owned();
        (bytes, text)
    }

    #[test]
    fn shapes_as_numpy_writes_them() {
        for (shape, text) in [
            (&[450u64, 10][..], "'shape': (450, 10), }"),
            (&[5][..], "'shape': (5,), }"),
            (&[1, 8, 8, 1][..], "'shape': (1, 8, 8, 1), }"),
        ] {
            let (bytes, header) = header(shape);
            assert!(header.contains(text), "{header}");
            assert!(
                header.ends_with('\n') && (10 + header.len()) % 64 == 0,
                "{header:?}"
            );
            let back = npyz::NpyFile::new(&bytes[..]).unwrap();
            assert_eq!(back.shape(), shape);
            assert_eq!(
                back.into_vec::<i8>().unwrap().len() as u64,
                shape.iter().product::<u64>()
            );
        }
    }
}
