//! Building TOSA test cases as MLIR text: element and tensor types, constants,
//! ops, and the module that batches many cases into one function.

use std::fmt;

/// An integer element type (`i1` is TOSA's bool).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Elem {
    I1,
    I4,
    I8,
    I16,
    I32,
    I48,
}

impl Elem {
    pub fn bits(self) -> u32 {
        match self {
            Elem::I1 => 1,
            Elem::I4 => 4,
            Elem::I8 => 8,
            Elem::I16 => 16,
            Elem::I32 => 32,
            Elem::I48 => 48,
        }
    }

    pub fn min(self) -> i64 {
        match self {
            Elem::I1 => 0,
            _ => -(1i64 << (self.bits() - 1)),
        }
    }

    pub fn max(self) -> i64 {
        match self {
            Elem::I1 => 1,
            _ => (1i64 << (self.bits() - 1)) - 1,
        }
    }

    /// The largest unsigned value of the same width (`u8`'s 255 for i8).
    pub fn umax(self) -> i64 {
        (1i64 << self.bits()) - 1
    }

    /// Wraps `value` to this width, two's complement (what storing the low
    /// bits of an unsigned value does).
    pub fn wrap(self, value: i64) -> i64 {
        if self == Elem::I1 {
            return value & 1;
        }
        let shift = 64 - self.bits();
        (value << shift) >> shift
    }

    /// Reads the stored (signed) `value` as this width's unsigned value.
    pub fn unsigned(self, value: i64) -> i64 {
        value & self.umax()
    }
}

impl fmt::Display for Elem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "i{}", self.bits())
    }
}

/// The type of an SSA value: a ranked tensor, or TOSA's `!tosa.shape<rank>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ty {
    Tensor(Vec<usize>, Elem),
    Shape(usize),
}

impl Ty {
    pub fn tensor(shape: &[usize], elem: Elem) -> Ty {
        Ty::Tensor(shape.to_vec(), elem)
    }

    pub fn shape(&self) -> &[usize] {
        match self {
            Ty::Tensor(shape, _) => shape,
            Ty::Shape(_) => &[],
        }
    }

    pub fn elem(&self) -> Elem {
        match self {
            Ty::Tensor(_, elem) => *elem,
            Ty::Shape(_) => panic!("!tosa.shape has no element type"),
        }
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Tensor(shape, elem) => {
                write!(f, "tensor<")?;
                for dim in shape {
                    write!(f, "{dim}x")?;
                }
                write!(f, "{elem}>")
            }
            Ty::Shape(rank) => write!(f, "!tosa.shape<{rank}>"),
        }
    }
}

/// `array<i64: ...>` attribute text.
pub fn i64_array<T: ToString>(values: &[T]) -> String {
    let list: Vec<String> = values.iter().map(T::to_string).collect();
    format!("array<i64: {}>", list.join(", "))
}

/// The number of elements of a shape.
pub fn numel(shape: &[usize]) -> usize {
    shape.iter().product()
}

/// An SSA value of a case.
#[derive(Clone, Debug)]
pub struct V {
    pub name: String,
    pub ty: Ty,
}

impl V {
    pub fn shape(&self) -> &[usize] {
        self.ty.shape()
    }

    pub fn elem(&self) -> Elem {
        self.ty.elem()
    }
}

/// `dense<...>` element text for `values` laid out row-major in `shape`.
fn dense_text(shape: &[usize], elem: Elem, values: &[i64]) -> String {
    fn scalar(elem: Elem, value: i64) -> String {
        if elem == Elem::I1 {
            (if value != 0 { "true" } else { "false" }).to_string()
        } else {
            value.to_string()
        }
    }
    fn nest(shape: &[usize], elem: Elem, values: &[i64], out: &mut String) {
        match shape.split_first() {
            None => out.push_str(&scalar(elem, values[0])),
            Some((&dim, rest)) => {
                let stride = numel(rest);
                out.push('[');
                for i in 0..dim {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    nest(rest, elem, &values[i * stride..(i + 1) * stride], out);
                }
                out.push(']');
            }
        }
    }
    assert_eq!(values.len(), numel(shape), "constant size");
    if values.len() > 1 && values.iter().all(|v| *v == values[0]) {
        return scalar(elem, values[0]);
    }
    let mut out = String::new();
    nest(shape, elem, values, &mut out);
    out
}

/// One test case: ops appended to a function body, and the values it returns.
/// SSA names carry the case id, so any set of cases can share one function.
#[derive(Clone, Debug)]
pub struct Case {
    pub label: String,
    id: usize,
    lines: Vec<String>,
    results: Vec<V>,
    count: usize,
}

impl Case {
    pub fn new(id: usize, label: impl Into<String>) -> Case {
        Case {
            label: label.into(),
            id,
            lines: Vec::new(),
            results: Vec::new(),
            count: 0,
        }
    }

    pub fn results(&self) -> &[V] {
        &self.results
    }

    fn fresh(&mut self) -> String {
        self.count += 1;
        format!("%c{}_{}", self.id, self.count - 1)
    }

    /// `tosa.const` holding `values` (row-major) of type `shape` x `elem`.
    pub fn konst(&mut self, shape: &[usize], elem: Elem, values: &[i64]) -> V {
        let ty = Ty::tensor(shape, elem);
        for value in values {
            assert!(
                (elem.min()..=elem.max()).contains(value),
                "{value} does not fit {elem}"
            );
        }
        let name = self.fresh();
        self.lines.push(format!(
            "{name} = \"tosa.const\"() <{{values = dense<{}> : {ty}}}> : () -> {ty}",
            dense_text(shape, elem, values)
        ));
        V { name, ty }
    }

    /// A one-element tensor, as zero points, shifts and pad values are.
    pub fn scalar(&mut self, elem: Elem, value: i64) -> V {
        self.konst(&[1], elem, &[value])
    }

    /// `tosa.const_shape`.
    pub fn shape(&mut self, dims: &[i64]) -> V {
        let name = self.fresh();
        let ty = Ty::Shape(dims.len());
        let list: Vec<String> = dims.iter().map(i64::to_string).collect();
        self.lines.push(format!(
            "{name} = tosa.const_shape {{values = dense<[{}]> : tensor<{}xindex>}} : () -> {ty}",
            list.join(", "),
            dims.len()
        ));
        V { name, ty }
    }

    /// `%r = <op> <operands> <attrs> : (<operand types>) -> <result>`.
    /// `attrs` is the text of the attribute dictionary, `{...}`, or empty.
    pub fn op(&mut self, op: &str, operands: &[&V], attrs: &str, result: Ty) -> V {
        let name = self.fresh();
        let names: Vec<&str> = operands.iter().map(|v| v.name.as_str()).collect();
        let types: Vec<String> = operands.iter().map(|v| v.ty.to_string()).collect();
        let attrs = if attrs.is_empty() {
            String::new()
        } else {
            format!(" {attrs}")
        };
        self.lines.push(format!(
            "{name} = {op} {}{attrs} : ({}) -> {result}",
            names.join(", "),
            types.join(", ")
        ));
        V { name, ty: result }
    }

    /// Returns `value` from the function (i48 values go through
    /// [`Case::output_i48`]).
    pub fn output(&mut self, value: V) {
        assert_ne!(value.elem(), Elem::I48, "use output_i48");
        self.results.push(value);
    }

    /// Returns an i48 `value` as i32 (reference execution returns at most i64
    /// tensors, and TOSA cannot cast i48) through `tosa.rescale` by 4 / 2^s
    /// (scale16: TOSA's apply_scale_16 has no input range limit). With s = 2
    /// this is exactly the identity, used when `bound` (the largest magnitude
    /// `value` can have) fits i32; otherwise s is the smallest shift that
    /// makes the result fit, and the low bits are rounded away.
    pub fn output_i48(&mut self, value: V, bound: i64) {
        assert_eq!(value.elem(), Elem::I48);
        // (v * 4 + 2^(s-1)) >> s must fit i32 for |v| <= bound.
        let mut shift = 2;
        while ((bound * 4 + (1 << (shift - 1))) >> shift) >= (1i64 << 31) - 1 {
            shift += 1;
        }
        let rescaled = self.rescale(
            &value,
            Elem::I32,
            &Rescale {
                multiplier: vec![4],
                shift: vec![shift],
                scale32: false,
                double_round: false,
                per_channel: false,
                input_zp: 0,
                output_zp: 0,
                input_unsigned: false,
                output_unsigned: false,
            },
        );
        self.results.push(rescaled);
    }

    /// `tosa.rescale` of `input` to `out` elements.
    pub fn rescale(&mut self, input: &V, out: Elem, r: &Rescale) -> V {
        let in_elem = input.elem();
        let m_elem = if r.scale32 { Elem::I32 } else { Elem::I16 };
        let n = r.multiplier.len();
        let multiplier = self.konst(&[n], m_elem, &r.multiplier);
        let shift = self.konst(&[n], Elem::I8, &r.shift);
        let input_zp = self.scalar(in_elem, r.input_zp);
        let output_zp = self.scalar(out, r.output_zp);
        let attrs = format!(
            "{{scale32 = {}, rounding_mode = {}, per_channel = {}, input_unsigned = {}, output_unsigned = {}}}",
            r.scale32,
            if r.double_round {
                "DOUBLE_ROUND"
            } else {
                "SINGLE_ROUND"
            },
            r.per_channel,
            r.input_unsigned,
            r.output_unsigned
        );
        self.op(
            "tosa.rescale",
            &[input, &multiplier, &shift, &input_zp, &output_zp],
            &attrs,
            Ty::tensor(input.shape(), out),
        )
    }
}

/// The parameters of a `tosa.rescale`. Zero points are the stored (signed)
/// values of the input and output element types.
#[derive(Clone, Debug)]
pub struct Rescale {
    pub multiplier: Vec<i64>,
    pub shift: Vec<i64>,
    pub scale32: bool,
    pub double_round: bool,
    pub per_channel: bool,
    pub input_zp: i64,
    pub output_zp: i64,
    pub input_unsigned: bool,
    pub output_unsigned: bool,
}

/// One function `@main` without arguments that runs all `cases` and returns
/// all their results, in order.
pub fn module_text(cases: &[&Case]) -> String {
    let results: Vec<&V> = cases.iter().flat_map(|c| c.results.iter()).collect();
    let types: Vec<String> = results.iter().map(|v| v.ty.to_string()).collect();
    let names: Vec<&str> = results.iter().map(|v| v.name.as_str()).collect();
    let mut text = format!("func.func @main() -> ({}) {{\n", types.join(", "));
    for case in cases {
        text.push_str(&format!("  // {}\n", case.label));
        for line in &case.lines {
            text.push_str("  ");
            text.push_str(line);
            text.push('\n');
        }
    }
    text.push_str(&format!(
        "  return {} : {}\n}}\n",
        names.join(", "),
        types.join(", ")
    ));
    text
}

/// The flat index into an operand of shape `operand` (same rank as `out`,
/// each dim equal or 1) that TOSA broadcasting reads for output element
/// `flat`.
pub fn broadcast_index(out: &[usize], operand: &[usize], flat: usize) -> usize {
    let mut rest = flat;
    let mut index = 0;
    let mut stride = 1;
    for axis in (0..out.len()).rev() {
        let coord = rest % out[axis];
        rest /= out[axis];
        if operand[axis] != 1 {
            index += coord * stride;
        }
        stride *= operand[axis];
    }
    index
}
