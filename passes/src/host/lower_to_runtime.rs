//! `cim-lower-to-runtime`: turns placed and scheduled `cim` ops into calls of
//! the runtime ABI, so the compiled host program drives the simulated chip.

use super::crossbar_layers::{self, CrossbarLayer};
use crate::emit::{self, Emitter};
use crate::raw::RawValue;
use crate::{OptionInfo, Pass, PassFailed, PassInfo};
use cimc_dialects::cim::{self, attrs, Im2col, MalformedOp, Matmul, Mvm, Program};
use cimc_dialects::handle::{AttrRef, BlockRef, OpRef, TypeRef, ValueRef};
use cimc_target::tables::{self, LayerRecord, ProgramTables, TilePlacement, TileRecord};
use melior::ir::operation::OperationRefMut;
use mlir_sys as sys;
use std::collections::{HashMap, HashSet};

pub static INFO: PassInfo = PassInfo {
    argument: "cim-lower-to-runtime",
    summary: "Replace cim.program/cim.mvm by runtime ABI calls and account host ops",
    description: "\
The host phase's first step: the module stops describing crossbar work and
starts issuing it to the runtime (runtime/README.md, \"Host entry points\").
  * every `cim.program` becomes a tile of the program tables
    (`cimc_target::tables`: placement, flipped columns, layer name, levels
    packed at `cell_bits` bits), one private constant `@cimc_tables` that
    the public `func.func @cimc_init(%sim: !llvm.ptr) -> i32` hands to
    `@cimc_host_load`; `@cimc_init` also stores the simulator handle in the
    private global `@cimc_sim` and returns a non-zero value if loading
    failed;
  * the crossbar part of each layer (the mvms of its tiles, the column
    slices they read, the concatenations and `cim.accumulate` of their
    partial sums, the `cim.shift_add` after them, the weight zero point's
    correction and the constant bias add after that, which go into the
    tables; see
    `crossbar_layers`) becomes one call of `@cimc_host_layer` with the
    layer's index in the tables, its input matrix, a new i32 result buffer
    and the tokens of the input; the call returns the layer's token;
  * every `cim.im2col` becomes a call of `@cimc_host_im2col` (the window
    gather in the runtime: on the chip, the buffer reads that feed the
    DACs, so it takes no time of its own) with its input
    buffer, a new i8 result buffer, its geometry and the tokens of its
    input; the call returns its token;
  * a `cim.mvm` outside such a layer becomes a call of `@cimc_host_mvm`
    with its input buffer, a new i32 result buffer, its placement, widths
    and `cim.stage`, and the completion tokens of the ops that produced its
    input; the call returns the mvm's token;
  * every other op with tensor results that does work (all but constants and
    `tosa.reshape`, a view) is accounted by a `@cimc_host_op` call: its
    unit (`op_class`: requantize, activation, pool, elementwise or copy on
    the vector units of the cores its operands live on; the host for what
    no unit runs), its element count (the largest of its non-constant
    operands and results), its element width in bytes, its name and the
    tokens of its operands; the call returns its token;
  * every public function starts with a `@cimc_host_begin` call: a new
    sample under the function's `cim.schedule` (cim-schedule);
  * public functions are renamed `@net_<name>` (a model's `@main` must not
    become the C program's `main`) and get `llvm.emit_c_interface`, so C
    code calls `_mlir_ciface_net_<name>` with memref descriptors.
The remaining `cim` host ops (shift_add, accumulate) keep their
meaning: `cim-lower-to-tosa` runs next in the host phase. Tokens are i64
SSA values, so the schedule the simulator sees is the dataflow of the
function: independent mvms may overlap in time.

The generated code grows with the layers, not the tiles: the cell levels
are data, and one call runs all tiles of a layer. The runtime wrappers are
`noinline`.

Example: `cimc --emit=cim net.mlir | cimc - --pass-pipeline='builtin.module(
cim-lower-to-runtime)'`.",
    anchor: Some("builtin.module"),
    options: &[] as &[OptionInfo],
    create: |_, _| Box::new(LowerToRuntime),
};

/// Symbols this pass adds to the module.
pub const INIT: &str = "cimc_init";
pub const SIM_GLOBAL: &str = "cimc_sim";
pub const TABLES_GLOBAL: &str = "cimc_tables";
pub const LOAD_FN: &str = "cimc_host_load";
pub const LAYER_FN: &str = "cimc_host_layer";
pub const MVM_FN: &str = "cimc_host_mvm";
pub const IM2COL_FN: &str = "cimc_host_im2col";
pub const HOST_OP_FN: &str = "cimc_host_op";
pub const BEGIN_FN: &str = "cimc_host_begin";
/// Public functions of the model are exported as `net_<name>`.
pub const ENTRY_PREFIX: &str = "net_";

const DYN2: &str = "memref<?x?xi8, strided<[?, ?], offset: ?>>";
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

/// Bytes per element of an element type's spelling (`i8`, `i32`, `f32`…;
/// 1 for `i1` and anything unknown).
fn element_bytes(element: &str) -> i64 {
    element
        .trim_start_matches(['i', 'f', 'u', 's'])
        .trim_start_matches("bf")
        .parse::<i64>()
        .map_or(1, |bits| (bits.max(8) + 7) / 8)
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
    tables: ProgramTables,
    /// Each lowered `cim.program` (by op) → its index in `tables.tiles`.
    tile_index: HashMap<usize, u32>,
}

impl Lowering {
    /// Adds `program`'s tile to the program tables.
    fn program(&mut self, program: &Program) -> Result<(), String> {
        let levels = program.levels();
        ValueRef::new(levels)
            .and_then(ValueRef::producer)
            .filter(|op| op.is("tosa.const"))
            .ok_or("the levels of a cim.program must be a tosa.const")?;
        let [rows, cols] = program.levels_shape();
        // Levels of up to 7 bits are i8, read as bytes (a negative one is
        // above 127, so out of range); 8-bit levels are i16.
        let bits = program.cell_bits();
        let bytes = (bits <= 7).then(|| emit::const_i8_bytes(levels)).flatten();
        let max = (1i64 << bits) - 1;
        let out_of_range = |level: i64| format!("level {level} does not fit {bits} cell bits");
        let levels: Vec<u8> = match bytes {
            Some(bytes) => {
                if let Some(level) = bytes.iter().find(|l| i64::from(**l) > max) {
                    return Err(out_of_range(i64::from(*level as i8)));
                }
                bytes
            }
            None => emit::const_ints(levels)
                .ok_or("the levels are not dense integers")?
                .into_iter()
                .map(|l| {
                    u8::try_from(l)
                        .ok()
                        .filter(|b| i64::from(*b) <= max)
                        .ok_or_else(|| out_of_range(l))
                })
                .collect::<Result<_, _>>()?,
        };
        let placement = program.placement().ok_or_else(|| {
            let absent = program
                .placement_parts()
                .into_iter()
                .find(|(_, v)| v.is_none())
                .map_or("cim.core", |(name, _)| name);
            missing(absent)
        })?;
        // The view checked that the flags, if any, cover every column.
        let flipped = program
            .flipped()
            .unwrap_or_else(|| vec![false; cols as usize]);
        let fits = |v: i64, what: &str| {
            u32::try_from(v).map_err(|_| format!("{what} = {v} does not fit the runtime ABI"))
        };
        self.tile_index.insert(
            program.op().ptr as usize,
            tables_len(self.tables.tiles.len())?,
        );
        let replicas = program
            .replica_placements()
            .into_iter()
            .map(|p| TilePlacement {
                core: p.core,
                macro_: p.macro_,
                array: p.array,
                phase: p.phase,
            })
            .collect();
        self.tables.tiles.push(TileRecord {
            core: placement.core,
            macro_: placement.macro_,
            array: placement.array,
            phase: placement.phase,
            replicas,
            rows: fits(rows, "rows")?,
            cols: fits(cols, "cols")?,
            cell_bits: program.cell_bits(),
            label: program.layer().to_string(),
            flipped,
            levels,
        });
        Ok(())
    }

    /// Adds `layer` to the program tables; returns its index.
    fn layer(&mut self, layer: &CrossbarLayer) -> Result<u32, String> {
        let first = &layer.tiles[0].mvm;
        let stage = first.stage().ok_or_else(|| missing(attrs::STAGE))?;
        let mut tiles = Vec::new();
        for t in &layer.tiles {
            let tile = *self
                .tile_index
                .get(&(t.mvm.tile().op().ptr as usize))
                .ok_or("internal error: an mvm reads a tile that was not lowered")?;
            tiles.push(tables::LayerTile {
                tile,
                in_col: t.in_col,
                out_col: t.out_col,
            });
        }
        let index = tables_len(self.tables.layers.len())?;
        self.tables.layers.push(LayerRecord {
            name: first.layer().to_string(),
            k: layer.k,
            p: layer.p,
            input_bits: first.input_bits(),
            dac_bits: first.dac_bits(),
            adc_bits: first.adc_bits(),
            adc_shift: first.adc_shift(),
            max_active_rows: first.max_active_rows(),
            stage: u32::try_from(stage).map_err(|_| format!("stage {stage} is out of range"))?,
            shift_add: layer.shift_add,
            tiles,
            input_sums: layer.input_sums,
            bias: layer.bias.clone(),
        });
        Ok(index)
    }
}

fn tables_len(n: usize) -> Result<u32, String> {
    u32::try_from(n).map_err(|_| "more than 2^32 tiles or layers".to_string())
}

/// Per function: the simulator handle, the zero token and each value's token.
struct FuncState {
    sim: RawValue,
    zero: RawValue,
    tokens: HashMap<usize, RawValue>,
    /// Values replaced by a runtime call's result (by the replaced value),
    /// for the layers found before the replacement.
    renamed: HashMap<usize, RawValue>,
    /// Replaced ops, erased once the function is lowered.
    dead: Vec<OpRef>,
}

impl FuncState {
    fn deps(&self, op: OpRef) -> Vec<RawValue> {
        self.deps_of(&op.operands())
    }

    fn deps_of(&self, values: &[ValueRef]) -> Vec<RawValue> {
        let mut deps: Vec<RawValue> = Vec::new();
        for value in values {
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

/// A new row-major buffer for a runtime call's result, and its dynamic
/// view (`memref<?x?xT>`) to pass.
fn result_buffer(at: &Emitter, shape: &[i64], element: &str) -> (RawValue, RawValue) {
    let dims: Vec<String> = shape.iter().map(i64::to_string).collect();
    let buffer = at.value(
        "memref.alloc",
        &[],
        at.ty(&format!("memref<{}x{element}>", dims.join("x"))),
        &[("operandSegmentSizes", at.attr("array<i32: 0, 0>"))],
    );
    let dynamic = vec!["?"; shape.len()].join("x");
    let view = at.value(
        "memref.cast",
        &[buffer],
        at.ty(&format!("memref<{dynamic}x{element}>")),
        &[],
    );
    (buffer, view)
}

/// The filled `buffer` as the tensor that replaces `old`, ready at `token`.
fn bind_result(
    state: &mut FuncState,
    at: &Emitter,
    buffer: RawValue,
    shape: &[i64],
    element: &str,
    old: RawValue,
    token: RawValue,
) -> RawValue {
    let tensor = at.value(
        "bufferization.to_tensor",
        &[buffer],
        at.tensor(shape, element),
        &[("restrict", at.attr("unit"))],
    );
    emit::replace_uses(old, tensor);
    state.tokens.insert(tensor.ptr as usize, token);
    tensor
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
    let (output, view) = result_buffer(&at, &shape, "i32");
    let mut args = vec![state.sim, dynamic_buffer(&at, input, 2)?, view];
    args.extend(placement_args(&at, mvm.tile())?);
    for (name, value) in [
        (attrs::INPUT_BITS, mvm.input_bits()),
        (attrs::DAC_BITS, mvm.dac_bits()),
        (attrs::ADC_BITS, mvm.adc_bits()),
        (attrs::ADC_SHIFT, mvm.adc_shift()),
        (attrs::MAX_ACTIVE_ROWS, mvm.max_active_rows()),
    ] {
        args.push(i32_const(&at, i64::from(value), name)?);
    }
    let stage = mvm.stage().ok_or_else(|| missing(attrs::STAGE))?;
    args.push(i32_const(&at, stage, attrs::STAGE)?);
    args.push(token_buffer(&at, &deps, state.zero));
    let token = call(&at, MVM_FN, &args, "i64");
    bind_result(state, &at, output, &shape, "i32", result, token);
    op.erase();
    Ok(())
}

/// `cim.im2col` as a runtime call (a view on the chip: no time of its own).
fn im2col(state: &mut FuncState, view: &Im2col) -> Result<(), String> {
    let op = OpRef::new(view.op()).ok_or("internal error: a null cim.im2col")?;
    let (shape, element) =
        emit::tensor_info(view.result()).ok_or("the im2col result is not a tensor")?;
    let (_, input_element) =
        emit::tensor_info(view.input()).ok_or("the im2col input is not a tensor")?;
    if element != "i8" || input_element != "i8" || shape.len() != 2 {
        return Err("the runtime gathers i8 windows into a 2-D i8 tensor".into());
    }
    let at = Emitter::before(op.raw());
    let deps = state.deps(op);
    let (output, result) = result_buffer(&at, &shape, "i8");
    let mut args = vec![state.sim, dynamic_buffer(&at, view.input(), 4)?, result];
    let [kh, kw] = view.kernel();
    let [sh, sw] = view.stride();
    let [dh, dw] = view.dilation();
    let [top, bottom, left, right] = view.pad();
    for (what, value) in [
        ("kernel", kh),
        ("kernel", kw),
        ("stride", sh),
        ("stride", sw),
        ("dilation", dh),
        ("dilation", dw),
        ("pad", top),
        ("pad", bottom),
        ("pad", left),
        ("pad", right),
        ("pad_value", view.pad_value()),
        ("channel_major", i64::from(view.channel_major())),
    ] {
        args.push(i32_const(&at, value, what)?);
    }
    args.push(token_buffer(&at, &deps, state.zero));
    let token = call(&at, IM2COL_FN, &args, "i64");
    let tensor = bind_result(state, &at, output, &shape, "i8", view.result(), token);
    state.renamed.insert(view.result().ptr as usize, tensor);
    state.dead.push(op);
    Ok(())
}

/// The runtime call of crossbar layer `index` of the tables, before its
/// anchor; its result replaces the layer's.
fn layer_call(state: &mut FuncState, layer: &CrossbarLayer, index: u32) -> Result<(), String> {
    let at = Emitter::before(layer.anchor.raw());
    let input = state
        .renamed
        .get(&(layer.input.raw().ptr as usize))
        .copied()
        .unwrap_or(layer.input.raw());
    let input = ValueRef::new(input).ok_or("internal error: a null layer input")?;
    let deps = state.deps_of(&[input]);
    let shape = [layer.n, layer.out_cols];
    let (output, view) = result_buffer(&at, &shape, "i32");
    let args = [
        state.sim,
        i32_const(&at, i64::from(index), "the layer index")?,
        dynamic_buffer(&at, input.raw(), 2)?,
        view,
        token_buffer(&at, &deps, state.zero),
    ];
    let token = call(&at, LAYER_FN, &args, "i64");
    bind_result(state, &at, output, &shape, "i32", layer.result.raw(), token);
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
    let bytes = op
        .results()
        .first()
        .and_then(|r| emit::tensor_info(r.raw()))
        .map_or(1, |(_, element)| element_bytes(&element));
    let at = Emitter::before(next.raw());
    let deps = state.deps(op);
    let class = int_const(&at, i64::from(crate::op_class::of(&name).code()), "i32");
    let count = int_const(&at, elements, "i64");
    let width = int_const(&at, bytes, "i32");
    let (ptr, len) = strings.emit(&at, &name)?;
    let buffer = token_buffer(&at, &deps, state.zero);
    let token = call(
        &at,
        HOST_OP_FN,
        &[state.sim, class, count, width, ptr, len, buffer],
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
            if [
                INIT,
                SIM_GLOBAL,
                TABLES_GLOBAL,
                LOAD_FN,
                LAYER_FN,
                MVM_FN,
                IM2COL_FN,
                HOST_OP_FN,
                BEGIN_FN,
            ]
            .contains(&name.as_str())
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
        format!("func.func private @{LOAD_FN}(!llvm.ptr, !llvm.ptr, i64) -> i32 attributes {{llvm.emit_c_interface, passthrough = [\"noinline\"]}}"),
        format!("func.func private @{LAYER_FN}(!llvm.ptr, i32, {DYN2}, memref<?x?xi32>, {DYN1_I64}) -> i64 attributes {{llvm.emit_c_interface, passthrough = [\"noinline\"]}}"),
        format!("func.func private @{MVM_FN}(!llvm.ptr, {DYN2}, memref<?x?xi32>, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, {DYN1_I64}) -> i64 attributes {{llvm.emit_c_interface, passthrough = [\"noinline\"]}}"),
        format!("func.func private @{IM2COL_FN}(!llvm.ptr, memref<?x?x?x?xi8, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?xi8>, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, {DYN1_I64}) -> i64 attributes {{llvm.emit_c_interface, passthrough = [\"noinline\"]}}"),
        format!("func.func private @{HOST_OP_FN}(!llvm.ptr, i32, i64, i32, !llvm.ptr, i64, {DYN1_I64}) -> i64 attributes {{llvm.emit_c_interface, passthrough = [\"noinline\"]}}"),
        format!("func.func private @{BEGIN_FN}(!llvm.ptr, i32) -> i64 attributes {{llvm.emit_c_interface, passthrough = [\"noinline\"]}}"),
        format!("func.func @{INIT}(%sim: !llvm.ptr) -> i32 attributes {{llvm.emit_c_interface, passthrough = [\"noinline\"]}} {{\n  %0 = arith.constant 0 : i32\n  return %0 : i32\n}}"),
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
        tables: ProgramTables::default(),
        tile_index: HashMap::new(),
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
        if is_public(func) {
            let schedule = match cim::schedule(func.raw()).as_deref() {
                Some("ht") => 1,
                Some("ll") => 2,
                _ => 0,
            };
            let code = int_const(&at, schedule, "i32");
            call(&at, BEGIN_FN, &[sim, code], "i64");
        }
        let mut state = FuncState {
            sim,
            zero,
            tokens: HashMap::new(),
            renamed: HashMap::new(),
            dead: Vec::new(),
        };
        let (layers, slices) = crossbar_layers::find(&ops).map_err(malformed)?;
        let ptr = |op: OpRef| op.raw().ptr as usize;
        let mut replaced: HashSet<usize> = slices.iter().map(|op| ptr(*op)).collect();
        let mut anchors: HashMap<usize, usize> = HashMap::new();
        for (i, layer) in layers.iter().enumerate() {
            replaced.extend(layer.members.iter().map(|op| ptr(*op)));
            anchors.insert(ptr(layer.anchor), i);
        }
        let mut programs = Vec::new();
        for (index, op) in ops.iter().copied().enumerate() {
            let name = op.name();
            if name == Program::NAME {
                let program = Program::from_op(op.raw()).map_err(malformed)?;
                lowering.program(&program).map_err(at_op(op))?;
                programs.push(program);
            } else if let Some(i) = anchors.get(&ptr(op)) {
                let layer = &layers[*i];
                let index = lowering.layer(layer).map_err(at_op(op))?;
                layer_call(&mut state, layer, index).map_err(at_op(op))?;
            } else if replaced.contains(&ptr(op)) {
                // Part of a crossbar layer: the layer call does its work.
            } else if name == Mvm::NAME {
                let view = Mvm::from_op(op.raw()).map_err(malformed)?;
                mvm(&mut state, &view).map_err(at_op(op))?;
            } else if name == Im2col::NAME {
                let view = Im2col::from_op(op.raw()).map_err(malformed)?;
                im2col(&mut state, &view).map_err(at_op(op))?;
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
        // Users before producers: each layer's members are listed after
        // the ops they read, and its slices are read only by its mvms.
        for layer in &layers {
            for op in layer.members.iter().rev() {
                op.erase();
            }
        }
        for slice in slices {
            slice.erase();
        }
        for op in std::mem::take(&mut state.dead) {
            op.erase();
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

    // `@cimc_init` loads the tables and returns the status.
    if lowering.tables.tiles.is_empty() {
        return Ok(());
    }
    let blob = lowering
        .tables
        .encode()
        .map_err(|e| fail(format!("internal error: {e}")))?;
    let global = parse_op(
        context,
        &format!(
            "llvm.mlir.global internal constant @{TABLES_GLOBAL}(dense<0> : tensor<{n}xi8>) {{addr_space = 0 : i32}} : !llvm.array<{n} x i8>",
            n = blob.len()
        ),
    )
    .map_err(fail)?;
    let bytes: Vec<i8> = blob.iter().map(|b| *b as i8).collect();
    let data = TypeRef::parse(context, &format!("tensor<{}xi8>", blob.len()))
        .and_then(|ty| AttrRef::dense_ints(ty, &bytes))
        .ok_or_else(|| fail("internal error: cannot build the tables constant".into()))?;
    global.set_attr("value", data.raw());
    block.append(global);
    let at = Emitter::before(init_return.raw());
    let tables = at.value(
        "llvm.mlir.addressof",
        &[],
        at.ty("!llvm.ptr"),
        &[("global_name", at.attr(&format!("@{TABLES_GLOBAL}")))],
    );
    let len = int_const(&at, blob.len() as i64, "i64");
    let status = call(&at, LOAD_FN, &[sim_arg, tables, len], "i32");
    let status = ValueRef::new(status).ok_or_else(|| fail("internal error: no status".into()))?;
    if !init_return.set_operand(0, status) {
        return Err(fail(
            "internal error: @cimc_init's return has no operand".into(),
        ));
    }
    Ok(())
}
