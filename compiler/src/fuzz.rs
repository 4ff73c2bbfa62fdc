//! The fuzz targets' bodies (`fuzz/`, run by `scripts/dev fuzz`): each
//! takes arbitrary bytes through the path the driver takes them and must
//! return, whatever they are. An error is an answer; a panic, a signal or
//! a hang is a finding. The suite runs each over the malformed-input corpus
//! and the bundled models (`compiler/tests/suite/fuzz_smoke.rs`).

use std::cell::RefCell;

use melior::ir::operation::OperationLike;
use melior::Context;

use crate::diagnostics::Collector;
use crate::reference::{DType, Tensor, TensorType};
use cimc_passes::PassContext;

/// A context is reused for this many inputs, then made afresh (MLIR keeps
/// every attribute and type it ever uniqued).
const REUSE: usize = 500;

thread_local! {
    static CONTEXT: RefCell<(usize, Option<Context>)> = const { RefCell::new((0, None)) };
}

fn with_context(f: impl FnOnce(&Context)) {
    CONTEXT.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.1.is_none() || slot.0 >= REUSE {
            *slot = (0, crate::context::new_context().ok());
        }
        slot.0 += 1;
        if let Some(context) = &slot.1 {
            f(context);
        }
    });
}

/// MLIR text or bytecode: read as the driver reads an input file, parsed,
/// verified, then the input checks every path runs (`cim-verify-tosa-input`,
/// `tosa-validate`, `cim-verify-tosa-spec`, with the batch specialisation
/// and resource materialisation before them).
pub fn mlir(data: &[u8]) {
    let input = crate::source::Input {
        name: "fuzz.mlir".into(),
        bytes: data.to_vec(),
        max_nesting: crate::source::DEFAULT_MAX_NESTING,
    };
    if input.source_text().is_err() {
        return;
    }
    with_context(|context| {
        let collector = Collector::default();
        let handler = collector.attach(context);
        if let Some(mut module) = crate::source::parse(context, data, "fuzz.mlir", &collector) {
            if module.as_operation().verify() {
                let _ = crate::pipeline::run(
                    context,
                    &mut module,
                    &crate::pipelines::tosa_checks(1),
                    &PassContext::default(),
                    &collector,
                );
            }
        }
        context.detach_diagnostic_handler(handler);
    });
}

/// A target file, then (after a line `%%`) one `--target-opt` per line;
/// a target that loads has its derived figures computed.
pub fn target(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (toml, overrides) = text.split_once("\n%%\n").unwrap_or((text, ""));
    let Ok(mut target) = cimc_target::Target::from_toml_str(toml, "fuzz.toml") else {
        return;
    };
    let overrides: Vec<&str> = overrides.lines().collect();
    if target.apply_overrides(&overrides).is_err() {
        return;
    }
    let _ = target.chip_area_mm2();
    let _ = target.step_cycles().interval();
    let _ = target.total_arrays();
    let _ = target.adc_loss();
}

/// The signature [`npy`] checks against: the digits CNN's one input.
fn digits_input() -> TensorType {
    TensorType {
        dtype: DType::I8,
        shape: vec![1, 8, 8, 1],
    }
}

/// A `.npy` file decoded, then checked against a signature as `--input`
/// is (and split into samples when it is a batch of them).
pub fn npy(data: &[u8]) {
    let Ok(tensor) = Tensor::from_npy_bytes(data, "fuzz.npy") else {
        return;
    };
    let _ = tensor.to_f64();
    let name = ["fuzz.npy".to_string()];
    if let Ok(Some(batch)) =
        crate::run::batch_size(&name, std::slice::from_ref(&tensor), &[digits_input()])
    {
        if batch.samples() > 0 {
            let _ = tensor.rows(0, 1);
        }
    }
}

/// A `--pass-pipeline` string: parsed and built into a pass manager, as the
/// driver does before running it.
pub fn pipeline(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(elements) = crate::pipeline::parse(text) else {
        return;
    };
    with_context(|context| {
        let pm = melior::pass::PassManager::new(context);
        let _ = crate::pipeline::build(&pm, &elements, &PassContext::default());
    });
}

/// A per-layer quantization config (`cimc quantize --config`).
pub fn quant_config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = crate::quant_config::Config::parse("fuzz.toml", text);
}

/// Bytes read one at a time, then zeros: any input decodes.
struct Bytes<'a>(std::slice::Iter<'a, u8>);

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        self.0.next().copied().unwrap_or(0)
    }
    /// A value in `lo..=hi`.
    fn pick(&mut self, lo: i64, hi: i64) -> i64 {
        lo + i64::from(self.byte()) % (hi - lo + 1)
    }
    fn i8s(&mut self, n: usize) -> Vec<i8> {
        (0..n).map(|_| self.byte() as i8).collect()
    }
}

/// A valid integer TOSA layer drawn from bytes: an int8 conv2d, depthwise
/// conv2d or matmul with constant weights, zero points and bias, whose i32
/// sums a rescale brings back to int8 and a clamp bounds; and its input.
/// `None` when the drawn window leaves no output.
pub fn differential_case(data: &[u8]) -> Option<(String, Tensor)> {
    let mut b = Bytes(data.iter());
    let kind = b.pick(0, 2);
    let (h, w, c) = (b.pick(1, 9), b.pick(1, 9), b.pick(1, 6));
    let (kh, kw) = (b.pick(1, 3), b.pick(1, 3));
    let (sy, sx, dy, dx) = (b.pick(1, 2), b.pick(1, 2), b.pick(1, 2), b.pick(1, 2));
    let mut pad = [b.pick(0, 1), b.pick(0, 1), b.pick(0, 1), b.pick(0, 1)];
    let oc = b.pick(1, 6);
    let (xzp, wzp) = (b.byte() as i8 as i64, b.pick(-8, 8));
    let (multiplier, shift) = (b.pick(1 << 14, 1 << 15) << 15, b.pick(30, 40));
    let (ozp, round) = (b.byte() as i8 as i64, b.pick(0, 1));
    let (lo, hi) = (b.pick(-128, 0), b.pick(0, 127));
    let input_shape = [1, h, w, c];
    // The output size along an axis, the end padding grown until the
    // stride divides the span (TOSA requires it); `None` when the dilated
    // kernel is larger than the padded input.
    let windowed = |i: i64, k: i64, p0: i64, p1: &mut i64, s: i64, d: i64| {
        let span = i - 1 + p0 + *p1 - (k - 1) * d;
        *p1 += (s - span.rem_euclid(s)) % s;
        (span >= 0).then(|| (i - 1 + p0 + *p1 - (k - 1) * d) / s + 1)
    };
    let dims = |v: &[i64]| v.iter().map(i64::to_string).collect::<Vec<_>>().join("x");
    // A constant as a flat list, reshaped when it has more than one axis.
    let consts = |name: &str, shape: &[i64], element: &str, values: &[i64]| {
        let list = values
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let n = values.len();
        let flat = format!("tensor<{n}x{element}>");
        if shape.len() == 1 {
            return format!(
                "  %{name} = \"tosa.const\"() <{{values = dense<[{list}]> : {flat}}}> : () -> {flat}\n"
            );
        }
        let rank = shape.len();
        let axes = shape
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            "  %{name}_flat = \"tosa.const\"() <{{values = dense<[{list}]> : {flat}}}> : () -> {flat}\n  \
             %{name}_shape = tosa.const_shape {{values = dense<[{axes}]> : tensor<{rank}xindex>}} : () -> !tosa.shape<{rank}>\n  \
             %{name} = tosa.reshape %{name}_flat, %{name}_shape : ({flat}, !tosa.shape<{rank}>) -> tensor<{}x{element}>\n",
            dims(shape)
        )
    };
    let mut body = String::new();
    let (sums_shape, op) = match kind {
        0 | 1 => {
            let [top, mut bottom, left, mut right] = pad;
            let oh = windowed(h, kh, top, &mut bottom, sy, dy)?;
            let ow = windowed(w, kw, left, &mut right, sx, dx)?;
            pad = [top, bottom, left, right];
            let (w_shape, outc) = if kind == 0 {
                (vec![oc, kh, kw, c], oc)
            } else {
                let m = oc.min(2);
                (vec![kh, kw, c, m], c * m)
            };
            let weights: Vec<i64> = b
                .i8s(w_shape.iter().product::<i64>() as usize)
                .into_iter()
                .map(i64::from)
                .collect();
            let bias: Vec<i64> = (0..outc).map(|_| b.pick(-2000, 2000)).collect();
            body += &consts("w", &w_shape, "i8", &weights);
            body += &consts("bias", &[outc], "i32", &bias);
            let name = if kind == 0 {
                "conv2d"
            } else {
                "depthwise_conv2d"
            };
            let sums = [1, oh, ow, outc];
            let op = format!(
                "  %sums = tosa.{name} %x, %w, %bias, %xz, %wz {{acc_type = i32, dilation = array<i64: {dy}, {dx}>, pad = array<i64: {}, {}, {}, {}>, stride = array<i64: {sy}, {sx}>}} : (tensor<{}xi8>, tensor<{}xi8>, tensor<{outc}xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<{}xi32>\n",
                pad[0], pad[1], pad[2], pad[3], dims(&input_shape), dims(&w_shape), dims(&sums)
            );
            (sums.to_vec(), op)
        }
        _ => {
            let rows = h * w;
            let weights: Vec<i64> = b
                .i8s((c * oc) as usize)
                .into_iter()
                .map(i64::from)
                .collect();
            body += &consts("w", &[1, c, oc], "i8", &weights);
            body += "  %s3 = tosa.const_shape {values = dense<[1, ";
            body += &format!("{rows}, {c}]> : tensor<3xindex>}} : () -> !tosa.shape<3>\n");
            body += &format!(
                "  %x3 = tosa.reshape %x, %s3 : (tensor<{}xi8>, !tosa.shape<3>) -> tensor<1x{rows}x{c}xi8>\n",
                dims(&input_shape)
            );
            let sums = [1, rows, oc];
            let op = format!(
                "  %sums = tosa.matmul %x3, %w, %xz, %wz : (tensor<1x{rows}x{c}xi8>, tensor<1x{c}x{oc}xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<{}xi32>\n",
                dims(&sums)
            );
            (sums.to_vec(), op)
        }
    };
    let out_ty = format!("tensor<{}xi8>", dims(&sums_shape));
    let sums_ty = format!("tensor<{}xi32>", dims(&sums_shape));
    let rounding = if round == 0 {
        "SINGLE_ROUND"
    } else {
        "DOUBLE_ROUND"
    };
    let text = format!(
        "func.func @main(%x: tensor<{}xi8>) -> {out_ty} {{\n{}{}{}{}{}{}{}{op}  %y = tosa.rescale %sums, %m, %sh, %rz, %oz {{input_unsigned = false, output_unsigned = false, per_channel = false, rounding_mode = {rounding}, scale32 = true}} : ({sums_ty}, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> {out_ty}\n  %z = tosa.clamp %y {{min_val = {lo} : i8, max_val = {hi} : i8}} : ({out_ty}) -> {out_ty}\n  return %z : {out_ty}\n}}\n",
        dims(&input_shape),
        body,
        consts("xz", &[1], "i8", &[xzp]),
        consts("wz", &[1], "i8", &[wzp]),
        consts("m", &[1], "i32", &[multiplier]),
        consts("sh", &[1], "i8", &[shift]),
        consts("rz", &[1], "i32", &[0]),
        consts("oz", &[1], "i8", &[ozp]),
    );
    let values = b.i8s((h * w * c) as usize);
    let shape: Vec<usize> = input_shape.iter().map(|d| *d as usize).collect();
    let input = ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&shape), values).ok()?;
    Some((text, Tensor::I8(input)))
}

/// Differential: a valid integer TOSA layer drawn from the bytes
/// ([`differential_case`]) through reference execution and through the
/// compiled program on the simulated chip (default target, -O2): the layer
/// must reach the crossbars and the outputs must be identical. A mismatch
/// panics, which libFuzzer reports.
pub fn differential(data: &[u8]) {
    let Some((text, input)) = differential_case(data) else {
        return;
    };
    with_context(|context| {
        let collector = Collector::default();
        let handler = collector.attach(context);
        let module = crate::source::parse(context, text.as_bytes(), "case.mlir", &collector);
        let Some(module) = module.filter(|m| m.as_operation().verify()) else {
            panic!(
                "the generated case does not parse:\n{text}\n{:?}",
                collector.take()
            );
        };
        let reference = crate::reference::compile(context, &module, None, &[], 0)
            .and_then(|exe| exe.run(std::slice::from_ref(&input)))
            .unwrap_or_else(|e| panic!("reference execution failed: {e}\n{text}"));
        let passes = PassContext::default();
        let mut sim = crate::simulate::Simulation::compile(
            context,
            &module,
            None,
            &passes,
            (crate::pipelines::OptLevel(2), &[]),
            cimc_runtime::KernelChoice::Auto,
        )
        .unwrap_or_else(|e| panic!("compiling for the chip failed: {e}\n{text}"));
        let simulated = sim
            .run(std::slice::from_ref(&input))
            .unwrap_or_else(|e| panic!("the simulation failed: {e}\n{text}"));
        let stats = sim
            .finish(1)
            .unwrap_or_else(|e| panic!("the simulation failed: {e}\n{text}"));
        assert!(
            stats.mvms > 0,
            "the layer did not reach the crossbars:\n{text}"
        );
        assert!(
            reference == simulated,
            "the simulated chip and reference execution differ on\n{text}\ninput {input:?}\nreference {reference:?}\nsimulated {simulated:?}"
        );
        context.detach_diagnostic_handler(handler);
    });
}
