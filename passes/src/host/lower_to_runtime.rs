//! `cim-lower-to-runtime`: turns placed and scheduled `cim` ops into calls of
//! the runtime ABI, so the compiled host program drives the simulated chip.

use crate::emit::{self, Emitter};
use crate::raw::RawValue;
use crate::{OptionInfo, Pass, PassFailed, PassInfo};
use cimc_dialects::cim::{self, attrs, MalformedOp, Matmul, Mvm, Program};
use cimc_dialects::handle::{AttrRef, BlockRef, OpRef, ValueRef};
use melior::ir::operation::OperationRefMut;
use mlir_sys as sys;
use std::collections::HashMap;

pub static INFO: PassInfo = PassInfo {
    argument: "cim-lower-to-runtime",
    summary: "Replace cim.program/cim.mvm by runtime ABI calls and account host ops",
    description: "\
The host phase's first step: the module stops describing crossbar work and
starts issuing it to the runtime (runtime/README.md, \"Host entry points\").
  * every `cim.program` moves into one public `func.func @cimc_init(%sim:
    !llvm.ptr) -> i32`: its constant levels become a constant buffer passed
    to `@cimc_host_program` with the placement (core, macro, array, phase),
    the flipped columns and the layer name; `@cimc_init` also stores the
    simulator handle in the private global `@cimc_sim`; it returns a non-zero
    value if any programming failed;
  * every `cim.mvm` becomes a call of `@cimc_host_mvm` with its input buffer,
    a new i32 result buffer, its placement, widths and `cim.stage`, and the
    completion tokens of the ops that produced its input; the call returns
    the mvm's token;
  * every other op with tensor results that does work (all but constants and
    `tosa.reshape`, a view) is accounted by a `@cimc_host_op` call: its
    name, its element count (the largest of its non-constant operands and
    results) and the tokens of its operands; the call returns its token;
  * public functions are renamed `@net_<name>` (a model's `@main` must not
    become the C program's `main`) and get `llvm.emit_c_interface`, so C
    code calls `_mlir_ciface_net_<name>` with memref descriptors.
The remaining `cim` host ops (im2col, shift_add, accumulate) keep their
meaning: `cim-lower-to-tosa` runs next in the host phase. Tokens are i64
SSA values, so the schedule the simulator sees is the dataflow of the
function: independent mvms may overlap in time.

The runtime wrappers are `noinline` and `@cimc_init` is `optnone`: inlining
thousands of call sites made LLVM's optimizer (SLP vectorizer) dominate the
compile time of ResNet-sized models, for no gain in straight-line calls.

Example: `cimc --emit=cim net.mlir | cimc - --pass-pipeline='builtin.module(
cim-lower-to-runtime)'`.",
    anchor: Some("builtin.module"),
    options: &[] as &[OptionInfo],
    create: |_, _| Box::new(LowerToRuntime),
};

/// Symbols this pass adds to the module.
pub const INIT: &str = "cimc_init";
pub const SIM_GLOBAL: &str = "cimc_sim";
pub const PROGRAM_FN: &str = "cimc_host_program";
pub const MVM_FN: &str = "cimc_host_mvm";
pub const HOST_OP_FN: &str = "cimc_host_op";
/// Public functions of the model are exported as `net_<name>`.
pub const ENTRY_PREFIX: &str = "net_";

const DYN2: &str = "memref<?x?xi8, strided<[?, ?], offset: ?>>";
const DYN1_I8: &str = "memref<?xi8, strided<[?], offset: ?>>";
const DYN1_I64: &str = "memref<?xi64, strided<[?], offset: ?>>";

struct LowerToRuntime;

/// Parses one op from `text` (cimc's own fixed snippets).
fn parse_op(context: sys::MlirContext, text: &str) -> Result<OpRef, String> {
    OpRef::parse(context, text, "cim-lower-to-runtime")
        .ok_or_else(|| format!("internal error: cannot parse `{text}`"))
}

fn symbol(op: OpRef) -> Option<String> {
    op.attribute("sym_name")?.as_string()
}

fn is_declaration(func: OpRef) -> bool {
    func.body().is_none()
}

fn is_public(func: OpRef) -> bool {
    func.attribute("sym_visibility")
        .and_then(AttrRef::as_string)
        .is_none_or(|v| v == "public")
}

/// An MLIR string literal holding `text` (every byte outside plain ASCII
/// letters, digits and a few marks is hex-escaped).
fn mlir_string(text: &str) -> String {
    let mut out = String::from("\"");
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"_.-:/ ".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("\\{byte:02X}"));
        }
    }
    out.push('"');
    out
}

/// Private constant byte strings, one global per distinct text.
struct Strings {
    context: sys::MlirContext,
    block: BlockRef,
    globals: HashMap<String, String>,
}

impl Strings {
    fn global(&mut self, text: &str) -> Result<String, String> {
        if let Some(name) = self.globals.get(text) {
            return Ok(name.clone());
        }
        let name = format!("cimc_str_{}", self.globals.len());
        let op = parse_op(
            self.context,
            &format!(
                "llvm.mlir.global private constant @{name}({}) {{addr_space = 0 : i32}} : !llvm.array<{} x i8>",
                mlir_string(text),
                text.len()
            ),
        )?;
        self.block.append(op);
        self.globals.insert(text.to_string(), name.clone());
        Ok(name)
    }

    /// (pointer, length) values of `text` before `at`.
    fn emit(&mut self, at: &Emitter, text: &str) -> Result<(RawValue, RawValue), String> {
        let name = self.global(text)?;
        let ptr = at.value(
            "llvm.mlir.addressof",
            &[],
            at.ty("!llvm.ptr"),
            &[("global_name", at.attr(&format!("@{name}")))],
        );
        Ok((ptr, int_const(at, text.len() as i64, "i64")))
    }
}

fn int_const(at: &Emitter, value: i64, ty: &str) -> RawValue {
    at.value(
        "arith.constant",
        &[],
        at.ty(ty),
        &[("value", at.attr(&format!("{value} : {ty}")))],
    )
}

/// `tensor` as a read-only buffer of fully dynamic shape and layout.
fn dynamic_buffer(at: &Emitter, tensor: RawValue, rank: usize) -> Result<RawValue, String> {
    let (shape, element) =
        emit::tensor_info(tensor).ok_or("internal error: not a ranked tensor")?;
    let strided = |dims: &str| {
        let layout = vec!["?"; rank].join(", ");
        format!("memref<{dims}x{element}, strided<[{layout}], offset: ?>>")
    };
    let dims: Vec<String> = shape.iter().map(i64::to_string).collect();
    let static_ty = at.ty(&strided(&dims.join("x")));
    let buffer = at.value(
        "bufferization.to_buffer",
        &[tensor],
        static_ty,
        &[("read_only", at.attr("unit"))],
    );
    let dynamic = strided(&vec!["?"; rank].join("x"));
    Ok(at.value("memref.cast", &[buffer], at.ty(&dynamic), &[]))
}

/// A stack `memref<?xi64>` holding `tokens` (a single 0 when there are
/// none). Stack buffers keep the deallocation passes out of it: a heap
/// buffer per call made them quadratic on ResNet-sized functions.
fn token_buffer(at: &Emitter, tokens: &[RawValue], zero: RawValue) -> RawValue {
    let values: Vec<RawValue> = if tokens.is_empty() {
        vec![zero]
    } else {
        tokens.to_vec()
    };
    let buffer = at.value(
        "memref.alloca",
        &[],
        at.ty(&format!("memref<{}xi64>", values.len())),
        &[("operandSegmentSizes", at.attr("array<i32: 0, 0>"))],
    );
    for (i, token) in values.iter().enumerate() {
        let index = at.value(
            "arith.constant",
            &[],
            at.ty("index"),
            &[("value", at.attr(&format!("{i} : index")))],
        );
        at.op("memref.store", &[*token, buffer, index], &[], &[]);
    }
    at.value("memref.cast", &[buffer], at.ty(DYN1_I64), &[])
}

fn call(at: &Emitter, callee: &str, args: &[RawValue], result: &str) -> RawValue {
    at.value(
        "func.call",
        args,
        at.ty(result),
        &[("callee", at.attr(&format!("@{callee}")))],
    )
}

/// A discardable attribute the mapping passes add is missing.
fn missing(name: &str) -> String {
    format!(
        "'{name}' is missing: run cim-tile, cim-place and cim-schedule before cim-lower-to-runtime"
    )
}

/// The placement of `program`, in ABI order, as i32 constants.
fn placement_args(at: &Emitter, program: &Program) -> Result<Vec<RawValue>, String> {
    program
        .placement_parts()
        .into_iter()
        .map(|(name, value)| i32_const(at, i64::from(value.ok_or_else(|| missing(name))?), name))
        .collect()
}

fn i32_const(at: &Emitter, value: i64, what: &str) -> Result<RawValue, String> {
    i32::try_from(value).map_err(|_| format!("{what} = {value} does not fit the runtime ABI"))?;
    Ok(int_const(at, value, "i32"))
}

fn element_count(value: RawValue) -> i64 {
    emit::tensor_info(value).map_or(0, |(shape, _)| shape.iter().product::<i64>().max(0))
}

fn is_constant(value: ValueRef) -> bool {
    value.producer().is_some_and(|op| {
        matches!(
            op.name().as_str(),
            "tosa.const" | "tosa.const_shape" | "arith.constant"
        )
    })
}

/// Ops that cost nothing on the host: constants and views.
fn is_free(name: &str) -> bool {
    matches!(
        name,
        "tosa.const" | "tosa.const_shape" | "arith.constant" | "tosa.reshape" | "func.return"
    ) || name == Program::NAME
}

struct Lowering {
    strings: Strings,
    /// Before `@cimc_init`'s return.
    init_at: OpRef,
    statuses: Vec<RawValue>,
    sim_arg: RawValue,
}

impl Lowering {
    /// Programs `program`'s tile in `@cimc_init`.
    fn program(&mut self, program: &Program) -> Result<(), String> {
        let at = Emitter::before(self.init_at.raw());
        let levels = program.levels();
        let producer = ValueRef::new(levels)
            .and_then(ValueRef::producer)
            .filter(|op| op.is("tosa.const"))
            .ok_or("the levels of a cim.program must be a tosa.const")?;
        let (shape, element) = emit::tensor_info(levels).ok_or("levels are not a tensor")?;
        let clone = producer.deep_clone();
        if !self.init_at.insert_before(clone) {
            return Err("internal error: @cimc_init's return is in no block".into());
        }
        let mut cells = emit::result_of(clone.raw(), 0);
        if element != "i8" {
            // 8-bit levels are held in i16: the runtime reads bytes, and the
            // truncating cast keeps the bit pattern (255 → 0xFF).
            cells = at.cast(cells, &shape, "i8");
        }
        // The view checked that the flags, if any, cover every column.
        let flipped: Vec<i8> = match program.flipped() {
            Some(flags) => flags.iter().map(|f| i8::from(*f)).collect(),
            None => vec![0; shape[1] as usize],
        };
        let flipped = at.const_i8(&[shape[1]], &flipped);
        let mut args = vec![
            self.sim_arg,
            dynamic_buffer(&at, cells, 2)?,
            dynamic_buffer(&at, flipped, 1)?,
        ];
        args.extend(placement_args(&at, program)?);
        args.push(i32_const(
            &at,
            i64::from(program.cell_bits()),
            attrs::CELL_BITS,
        )?);
        let (ptr, len) = self.strings.emit(&at, program.layer())?;
        args.extend([ptr, len]);
        self.statuses.push(call(&at, PROGRAM_FN, &args, "i32"));
        Ok(())
    }
}

/// Per function: the simulator handle, the zero token and each value's token.
struct FuncState {
    sim: RawValue,
    zero: RawValue,
    tokens: HashMap<usize, RawValue>,
}

impl FuncState {
    fn deps(&self, op: OpRef) -> Vec<RawValue> {
        let mut deps: Vec<RawValue> = Vec::new();
        for value in op.operands() {
            if let Some(token) = self.tokens.get(&(value.raw().ptr as usize)) {
                if !deps.iter().any(|d| d.ptr == token.ptr) {
                    deps.push(*token);
                }
            }
        }
        deps
    }

    fn set_results(&mut self, op: OpRef, token: RawValue) {
        for result in op.results() {
            self.tokens.insert(result.raw().ptr as usize, token);
        }
    }
}

fn mvm(state: &mut FuncState, mvm: &Mvm) -> Result<(), String> {
    let op = OpRef::new(mvm.op()).ok_or("internal error: a null cim.mvm")?;
    let input = mvm.input();
    let result = mvm.result();
    let (shape, element) = emit::tensor_info(result).ok_or("the mvm result is not a tensor")?;
    if element != "i32" || shape.len() != 2 {
        return Err("a cim.mvm result must be a 2-D i32 tensor".into());
    }
    let at = Emitter::before(op.raw());
    let deps = state.deps(op);
    let mut args = vec![state.sim, dynamic_buffer(&at, input, 2)?];
    let output = at.value(
        "memref.alloc",
        &[],
        at.ty(&format!("memref<{}x{}xi32>", shape[0], shape[1])),
        &[("operandSegmentSizes", at.attr("array<i32: 0, 0>"))],
    );
    args.push(at.value("memref.cast", &[output], at.ty("memref<?x?xi32>"), &[]));
    args.extend(placement_args(&at, mvm.tile())?);
    for (name, value) in [
        (attrs::INPUT_BITS, mvm.input_bits()),
        (attrs::DAC_BITS, mvm.dac_bits()),
        (attrs::ADC_BITS, mvm.adc_bits()),
        (attrs::MAX_ACTIVE_ROWS, mvm.max_active_rows()),
    ] {
        args.push(i32_const(&at, i64::from(value), name)?);
    }
    let stage = mvm.stage().ok_or_else(|| missing(attrs::STAGE))?;
    args.push(i32_const(&at, stage, attrs::STAGE)?);
    args.push(token_buffer(&at, &deps, state.zero));
    let token = call(&at, MVM_FN, &args, "i64");
    let tensor = at.value(
        "bufferization.to_tensor",
        &[output],
        at.tensor(&shape, "i32"),
        &[("restrict", at.attr("unit"))],
    );
    emit::replace_uses(result, tensor);
    op.erase();
    state.tokens.insert(tensor.ptr as usize, token);
    Ok(())
}

fn host_op(
    state: &mut FuncState,
    strings: &mut Strings,
    op: OpRef,
    next: OpRef,
) -> Result<(), String> {
    let name = op.name();
    let mut elements = 0;
    for value in op.operands() {
        if !is_constant(value) {
            elements = elements.max(element_count(value.raw()));
        }
    }
    for value in op.results() {
        elements = elements.max(element_count(value.raw()));
    }
    let at = Emitter::before(next.raw());
    let deps = state.deps(op);
    let count = int_const(&at, elements, "i64");
    let (ptr, len) = strings.emit(&at, &name)?;
    let buffer = token_buffer(&at, &deps, state.zero);
    let token = call(
        &at,
        HOST_OP_FN,
        &[state.sim, count, ptr, len, buffer],
        "i64",
    );
    state.set_results(op, token);
    Ok(())
}

impl Pass for LowerToRuntime {
    fn run(&self, module: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        let raw = module.to_raw();
        let Some(module) = OpRef::new(raw) else {
            return Err(PassFailed);
        };
        lower_module(module).map_err(|(op, message)| {
            crate::diag::raw_op_error(op.unwrap_or(module).raw(), &message);
            PassFailed
        })
    }
}

type Failure = (Option<OpRef>, String);

/// A malformed cim op fails the lowering, reported at that op.
fn malformed(err: MalformedOp) -> Failure {
    (OpRef::new(err.op()), err.reason().to_string())
}

fn sim_address(at: &Emitter) -> RawValue {
    at.value(
        "llvm.mlir.addressof",
        &[],
        at.ty("!llvm.ptr"),
        &[("global_name", at.attr(&format!("@{SIM_GLOBAL}")))],
    )
}

fn lower_module(module: OpRef) -> Result<(), Failure> {
    let context = module.context();
    let block = module
        .body()
        .ok_or_else(|| (Some(module), "the module has no body".to_string()))?;
    let top = block.ops();
    for op in &top {
        if let Some(name) = symbol(*op) {
            if [INIT, SIM_GLOBAL, PROGRAM_FN, MVM_FN, HOST_OP_FN].contains(&name.as_str())
                || name.starts_with("cimc_str_")
            {
                return Err((
                    Some(*op),
                    format!("the symbol '@{name}' is reserved for the runtime calls cim-lower-to-runtime adds"),
                ));
            }
        }
    }
    let funcs: Vec<OpRef> = top
        .iter()
        .copied()
        .filter(|op| op.is("func.func") && !is_declaration(*op))
        .collect();

    let fail = |message: String| (None, message);
    for text in [
        format!("llvm.mlir.global private @{SIM_GLOBAL}() {{addr_space = 0 : i32}} : !llvm.ptr {{\n  %0 = llvm.mlir.zero : !llvm.ptr\n  llvm.return %0 : !llvm.ptr\n}}"),
        format!("func.func private @{PROGRAM_FN}(!llvm.ptr, {DYN2}, {DYN1_I8}, i32, i32, i32, i32, i32, !llvm.ptr, i64) -> i32 attributes {{llvm.emit_c_interface, passthrough = [\"noinline\"]}}"),
        format!("func.func private @{MVM_FN}(!llvm.ptr, {DYN2}, memref<?x?xi32>, i32, i32, i32, i32, i32, i32, i32, i32, i32, {DYN1_I64}) -> i64 attributes {{llvm.emit_c_interface, passthrough = [\"noinline\"]}}"),
        format!("func.func private @{HOST_OP_FN}(!llvm.ptr, i64, !llvm.ptr, i64, {DYN1_I64}) -> i64 attributes {{llvm.emit_c_interface, passthrough = [\"noinline\"]}}"),
        format!("func.func @{INIT}(%sim: !llvm.ptr) -> i32 attributes {{llvm.emit_c_interface, passthrough = [\"noinline\", \"optnone\"]}} {{\n  %0 = arith.constant 0 : i32\n  return %0 : i32\n}}"),
    ] {
        block.append(parse_op(context, &text).map_err(fail)?);
    }
    let init_snippet = || fail("internal error: @cimc_init is not the snippet cimc added".into());
    let init = block
        .ops()
        .into_iter()
        .find(|op| symbol(*op).as_deref() == Some(INIT))
        .ok_or_else(init_snippet)?;
    let init_body = init.body().ok_or_else(init_snippet)?;
    let init_return = *init_body.ops().last().ok_or_else(init_snippet)?;
    let sim_arg = init_body.argument(0).ok_or_else(init_snippet)?.raw();
    // A standalone snippet cannot name the global: store the handle here.
    let at = Emitter::before(init_return.raw());
    let address = sim_address(&at);
    at.op("llvm.store", &[sim_arg, address], &[], &[]);
    let mut lowering = Lowering {
        strings: Strings {
            context,
            block,
            globals: HashMap::new(),
        },
        init_at: init_return,
        statuses: Vec::new(),
        sim_arg,
    };

    for func in funcs {
        let at_op = |op: OpRef| move |message: String| (Some(op), message);
        if is_public(func) {
            func.set_attr("llvm.emit_c_interface", AttrRef::unit(context).raw());
            let name = symbol(func).unwrap_or_default();
            let renamed = format!("{ENTRY_PREFIX}{name}");
            if top
                .iter()
                .any(|op| symbol(*op).as_deref() == Some(renamed.as_str()))
            {
                return Err((
                    Some(func),
                    format!("cannot export '@{name}' as '@{renamed}': the module already has that symbol"),
                ));
            }
            func.set_attr("sym_name", AttrRef::string(context, &renamed).raw());
            // Calls of the function inside the module follow the rename.
            if !module.replace_symbol_uses(&name, &renamed) {
                return Err((Some(func), format!("cannot rename the uses of '@{name}'")));
            }
        }
        // Declarations were filtered out: every function here has a body.
        let Some(body) = func.body() else {
            continue;
        };
        let ops = body.ops();
        let Some(first) = ops.first().copied() else {
            continue;
        };
        // cim ops must sit at the top level of the function: the token
        // dataflow below follows one block.
        for op in func.nested_ops() {
            let name = op.name();
            if cim::OPS.contains(&name.as_str()) && op.block() != Some(body) {
                return Err((
                    Some(op),
                    format!(
                        "'{name}' inside a nested region is not supported by the runtime lowering"
                    ),
                ));
            }
            if name == Matmul::NAME {
                return Err((
                    Some(op),
                    "a cim.matmul must be bit-sliced, tiled and placed (cim-bit-slice, cim-tile, cim-place) before cim-lower-to-runtime".into(),
                ));
            }
        }
        let at = Emitter::before(first.raw());
        let address = sim_address(&at);
        let sim = at.value("llvm.load", &[address], at.ty("!llvm.ptr"), &[]);
        let zero = int_const(&at, 0, "i64");
        let mut state = FuncState {
            sim,
            zero,
            tokens: HashMap::new(),
        };
        let mut programs = Vec::new();
        for (index, op) in ops.iter().copied().enumerate() {
            let name = op.name();
            if name == Program::NAME {
                let program = Program::from_op(op.raw()).map_err(malformed)?;
                lowering.program(&program).map_err(at_op(op))?;
                programs.push(program);
            } else if name == Mvm::NAME {
                let view = Mvm::from_op(op.raw()).map_err(malformed)?;
                mvm(&mut state, &view).map_err(at_op(op))?;
            } else if name == "tosa.reshape" {
                // A view: its result is ready when its operand is.
                let deps = state.deps(op);
                if let Some(token) = deps.first() {
                    state.set_results(op, *token);
                }
            } else if !is_free(&name) {
                let next = ops[index + 1..].first().copied().ok_or_else(|| {
                    (
                        Some(op),
                        "internal error: no terminator after an op".to_string(),
                    )
                })?;
                host_op(&mut state, &mut lowering.strings, op, next).map_err(at_op(op))?;
            }
        }
        for program in programs {
            let levels = program.levels();
            emit::erase(program.op());
            // Lowering checked that the levels come from a `tosa.const`.
            if let Some(producer) = ValueRef::new(levels).and_then(ValueRef::producer) {
                if producer.results_unused() {
                    producer.erase();
                }
            }
        }
    }

    // `@cimc_init` returns the bitwise or of every programming status.
    let at = Emitter::before(init_return.raw());
    let mut status = emit::operand(init_return.raw(), 0);
    for each in std::mem::take(&mut lowering.statuses) {
        status = at.value("arith.ori", &[status, each], at.ty("i32"), &[]);
    }
    let status = ValueRef::new(status).ok_or_else(|| fail("internal error: no status".into()))?;
    if !init_return.set_operand(0, status) {
        return Err(fail(
            "internal error: @cimc_init's return has no operand".into(),
        ));
    }
    Ok(())
}
