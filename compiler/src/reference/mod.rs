//! Reference execution: run a TOSA function on the host through upstream
//! MLIR lowering (tosa-to-linalg … convert-to-llvm) and MLIR's LLVM JIT.
//!
//! It is the real compiler path, not an interpreter: calibration, semantic
//! checks and end-to-end tests all execute models this way. Intermediate
//! tensors are observed through *taps*: the function is cloned with the
//! tapped values appended to its results.

pub mod tensor;

pub use tensor::{DType, NpyError, Tensor, TensorType};

use crate::diagnostics::{Collector, Diag};
use crate::pipeline;
use crate::pipelines;
use cimc_dialects::handle::{string_ref, AttrRef, BlockRef, OpRef, TypeRef};
use melior::ir::operation::{OperationLike, WalkOrder, WalkResult};
use melior::ir::{BlockLike, Module, Type, TypeLike};
use melior::pass::PassManager;
use melior::Context;
use mlir_sys as sys;
use std::ffi::c_void;
use thiserror::Error;

/// Where MLIR's runtime support library lives (for `memrefCopy`).
const C_RUNNER_UTILS: &str = "/usr/lib/llvm-22/lib/libmlir_c_runner_utils.so";

#[derive(Debug, Error)]
pub enum ReferenceError {
    #[error("no function '{0}' in the module")]
    NoFunction(String),
    #[error("the module has {0} public functions; name the one to run")]
    AmbiguousFunction(usize),
    #[error("function '{func}' {which} {index} has type '{ty}'; reference execution takes static tensors of i1, i4, i8, i16, i32, i48, i64, f16 or f32")]
    Signature {
        func: String,
        which: &'static str,
        index: usize,
        ty: String,
    },
    #[error("{}", render(.0))]
    Diagnosed(Vec<Diag>),
    #[error("the LLVM JIT could not compile the lowered module")]
    Jit,
    #[error("expected {expected} inputs, got {got}")]
    InputCount { expected: usize, got: usize },
    #[error("input {index}: expected {expected}, got {got}")]
    InputType {
        index: usize,
        expected: TensorType,
        got: TensorType,
    },
    #[error("tap {0}: no op at that index in the function body, or it has no such result")]
    Tap(usize),
    #[error("the compiled function failed to run")]
    Invoke,
}

fn render(diags: &[Diag]) -> String {
    let renderer = crate::diagnostics::Renderer { sources: vec![] };
    diags
        .iter()
        .map(|d| renderer.render(d))
        .collect::<String>()
        .trim_end()
        .to_string()
}

/// A value to observe: result `result` of the `op`-th op (pre-order, counting
/// from 0) inside the function body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tap {
    pub op: usize,
    pub result: usize,
}

/// A TOSA function compiled for the host.
pub struct Executable {
    engine: sys::MlirExecutionEngine,
    entry: String,
    /// The function's arguments.
    pub inputs: Vec<TensorType>,
    /// Its results, then one per tap.
    pub outputs: Vec<TensorType>,
}

impl Drop for Executable {
    fn drop(&mut self) {
        unsafe { sys::mlirExecutionEngineDestroy(self.engine) }
    }
}

/// The argument and result types of `func` (or the module's only public
/// function), without compiling anything.
pub fn signature_of(
    module: &Module,
    func: Option<&str>,
) -> Result<(Vec<TensorType>, Vec<TensorType>), ReferenceError> {
    let target = entry_func(module, func)?;
    signature(target, &symbol_name(target))
}

/// For each argument of `func` (or the module's only public function): the
/// bit width of its elements when it crosses the boundary in a wider type
/// (i48 as i64, i4 as i8), whose values its caller must keep in range.
pub fn narrow_arguments(
    module: &Module,
    func: Option<&str>,
) -> Result<Vec<Option<u32>>, ReferenceError> {
    let target = entry_func(module, func)?;
    let Some((inputs, _)) = OpRef::new(target).and_then(OpRef::function_signature) else {
        return Ok(vec![]);
    };
    Ok(inputs
        .into_iter()
        .map(|ty| {
            let (_, element) = ty.ranked_shape()?;
            cimc_passes::host::widen_boundaries::boundary_element(&element.text())?;
            element.integer_width()
        })
        .collect())
}

/// How a module reaches the LLVM dialect before the JIT compiles it.
#[derive(Clone, Copy)]
pub enum Lowering<'a> {
    /// Upstream lowering of the TOSA input on the host (reference execution).
    Reference,
    /// cimc's phases up to `host` for `passes.target`: crossbar work becomes
    /// runtime ABI calls; `symbols` are the runtime functions the JIT maps.
    Host {
        passes: &'a cimc_passes::PassContext,
        opt: pipelines::OptLevel,
        /// Passes of the phases left out (`--no-graph`: `cim-graph`).
        skip: &'a [&'a str],
        symbols: &'a [(&'static str, *mut c_void)],
    },
}

/// The name of `func`, or of the module's only public function.
pub fn entry_name(module: &Module, func: Option<&str>) -> Result<String, ReferenceError> {
    Ok(symbol_name(entry_func(module, func)?))
}

/// Compiles `func` (or the module's only public function) of a TOSA module.
/// The module itself is left untouched: the work happens on a clone.
pub fn compile(
    context: &Context,
    module: &Module,
    func: Option<&str>,
    taps: &[Tap],
    opt_level: u8,
) -> Result<Executable, ReferenceError> {
    compile_for(context, module, func, taps, opt_level, Lowering::Reference)
}

/// Like [`compile`], through the given lowering.
pub fn compile_for(
    context: &Context,
    module: &Module,
    func: Option<&str>,
    taps: &[Tap],
    opt_level: u8,
    lowering: Lowering<'_>,
) -> Result<Executable, ReferenceError> {
    let collector = Collector::default();
    let handler = collector.attach(context);
    let result = compile_collecting(context, module, func, taps, opt_level, lowering, &collector);
    context.detach_diagnostic_handler(handler);
    result
}

fn compile_collecting(
    context: &Context,
    module: &Module,
    func: Option<&str>,
    taps: &[Tap],
    opt_level: u8,
    lowering: Lowering<'_>,
    collector: &Collector,
) -> Result<Executable, ReferenceError> {
    let mut clone = unsafe {
        let op = sys::mlirOperationClone(module.as_operation().to_raw());
        Module::from_raw(sys::mlirModuleFromOperation(op))
    };
    let target = entry_func(&clone, func)?;
    let name = symbol_name(target);
    add_taps(context, target, taps)?;
    let (inputs, outputs) = signature(target, &name)?;
    unsafe {
        let attr = sys::mlirUnitAttrGet(context.to_raw());
        sys::mlirOperationSetAttributeByName(target, string_ref("llvm.emit_c_interface"), attr);
    }
    reject_inexact_round(&clone, collector);
    let diags = collector.take();
    if !diags.is_empty() {
        return Err(ReferenceError::Diagnosed(diags));
    }

    let default_passes = cimc_passes::PassContext::default();
    let (text, passes, symbols, name) = match lowering {
        Lowering::Reference => (
            pipelines::reference_lowering(),
            &default_passes,
            &[][..],
            name,
        ),
        Lowering::Host {
            passes,
            opt,
            skip,
            symbols,
        } => (
            pipelines::compile_pipeline(pipelines::Phase::Host, opt, 1, skip),
            passes,
            symbols,
            format!(
                "{}{name}",
                cimc_passes::host::lower_to_runtime::ENTRY_PREFIX
            ),
        ),
    };
    let elements = pipeline::parse(&text).map_err(|err| {
        ReferenceError::Diagnosed(vec![Diag::error(
            crate::diagnostics::Where::Nowhere,
            format!("internal error: reference lowering pipeline: {err}"),
        )])
    })?;
    let pm = PassManager::new(context);
    pipeline::build(&pm, &elements, passes).map_err(|err| {
        ReferenceError::Diagnosed(vec![Diag::error(
            crate::diagnostics::Where::Nowhere,
            format!("internal error: reference lowering pipeline: {err}"),
        )])
    })?;
    crate::crash::set_phase("lowering for execution");
    if pm.run(&mut clone).is_err() {
        return Err(ReferenceError::Diagnosed(collector.take()));
    }
    crate::crash::set_phase("JIT-compiling");

    // MLIR reads these paths as C strings: keep a terminating NUL after them.
    let lib = std::ffi::CString::new(C_RUNNER_UTILS).expect("no NUL in the path");
    let libs = [string_ref(lib.to_str().unwrap_or(C_RUNNER_UTILS))];
    let engine = unsafe {
        sys::mlirExecutionEngineCreate(
            clone.to_raw(),
            i32::from(opt_level.min(3)),
            1,
            libs.as_ptr(),
            false,
            false,
        )
    };
    if engine.ptr.is_null() {
        let diags = collector.take();
        return Err(if diags.is_empty() {
            ReferenceError::Jit
        } else {
            ReferenceError::Diagnosed(diags)
        });
    }
    for (name, address) in symbols {
        unsafe { sys::mlirExecutionEngineRegisterSymbol(engine, string_ref(name), *address) };
    }
    // Looking the entry up materializes it: the JIT compiles here, once,
    // rather than inside the first call.
    let wrapper = format!("_mlir_ciface_{name}");
    let found = unsafe { sys::mlirExecutionEngineLookupPacked(engine, string_ref(&wrapper)) };
    if found.is_null() {
        unsafe { sys::mlirExecutionEngineDestroy(engine) };
        return Err(ReferenceError::Jit);
    }
    Ok(Executable {
        engine,
        // The C API prefixes `_mlir_ciface_` itself.
        entry: name,
        inputs,
        outputs,
    })
}

impl Executable {
    /// Calls `name(ptr) -> i32`, a function compiled with
    /// `llvm.emit_c_interface` (`@cimc_init`).
    pub fn call_with_pointer(&self, name: &str, ptr: *mut c_void) -> Result<i32, ReferenceError> {
        let mut arg = ptr;
        let mut result: i32 = 0;
        let mut packed: [*mut c_void; 2] = [
            (&mut arg as *mut *mut c_void).cast(),
            (&mut result as *mut i32).cast(),
        ];
        let found = unsafe {
            sys::mlirExecutionEngineInvokePacked(self.engine, string_ref(name), packed.as_mut_ptr())
        };
        if found.value == 0 {
            return Err(ReferenceError::Invoke);
        }
        Ok(result)
    }

    /// Runs the function once. Inputs must match [`Executable::inputs`].
    pub fn run(&self, inputs: &[Tensor]) -> Result<Vec<Tensor>, ReferenceError> {
        if inputs.len() != self.inputs.len() {
            return Err(ReferenceError::InputCount {
                expected: self.inputs.len(),
                got: inputs.len(),
            });
        }
        for (index, (given, expected)) in inputs.iter().zip(&self.inputs).enumerate() {
            if given.ty() != *expected {
                return Err(ReferenceError::InputType {
                    index,
                    expected: expected.clone(),
                    got: given.ty(),
                });
            }
        }
        // The compiled code reads and writes through raw pointers: inputs are
        // copied into row-major buffers we own, outputs are ours to fill.
        let mut args: Vec<Tensor> = inputs
            .iter()
            .map(|t| t.clone().into_standard_layout())
            .collect();
        args.extend(self.outputs.iter().map(Tensor::zeros));
        let mut descriptors: Vec<Vec<i64>> = args.iter_mut().map(descriptor).collect();
        let mut pointers: Vec<*mut i64> = descriptors.iter_mut().map(|d| d.as_mut_ptr()).collect();
        let mut packed: Vec<*mut c_void> = pointers
            .iter_mut()
            .map(|p| (p as *mut *mut i64).cast())
            .collect();
        crate::crash::set_phase("executing");
        let result = unsafe {
            sys::mlirExecutionEngineInvokePacked(
                self.engine,
                string_ref(&self.entry),
                packed.as_mut_ptr(),
            )
        };
        if result.value == 0 {
            return Err(ReferenceError::Invoke);
        }
        Ok(args.split_off(self.inputs.len()))
    }
}

/// A memref descriptor for a row-major tensor: allocated and aligned
/// pointers, offset, sizes, strides.
fn descriptor(tensor: &mut Tensor) -> Vec<i64> {
    let ptr = tensor.data_ptr() as i64;
    let shape: Vec<i64> = tensor.shape().iter().map(|d| *d as i64).collect();
    let mut strides = vec![1i64; shape.len()];
    for i in (0..shape.len().saturating_sub(1)).rev() {
        strides[i] = strides[i + 1] * shape[i + 1].max(1);
    }
    let mut d = vec![ptr, ptr, 0];
    d.extend(shape);
    d.extend(strides);
    d
}

fn symbol_name(func: sys::MlirOperation) -> String {
    OpRef::new(func)
        .and_then(|f| f.attribute("sym_name"))
        .and_then(AttrRef::as_string)
        .unwrap_or_default()
}

/// The entry function of `module`: the `func.func` named `name`, or the
/// module's only public one.
pub fn entry_func(
    module: &Module,
    name: Option<&str>,
) -> Result<sys::MlirOperation, ReferenceError> {
    let mut public = Vec::new();
    let mut named = None;
    let body = module.body().to_raw();
    for op in BlockRef::new(body).map_or_else(Vec::new, BlockRef::ops) {
        if op.is("func.func") {
            if Some(symbol_name(op.raw()).as_str()) == name {
                named = Some(op.raw());
            }
            if !op.has_attr("sym_visibility") {
                public.push(op.raw());
            }
        }
    }
    match name {
        Some(name) => named.ok_or_else(|| ReferenceError::NoFunction(name.into())),
        None if public.len() == 1 => Ok(public[0]),
        None => Err(ReferenceError::AmbiguousFunction(public.len())),
    }
}

fn tensor_type(ty: Type) -> Option<TensorType> {
    let ty = TypeRef::new(ty.to_raw())?;
    if !ty.has_static_shape() {
        return None;
    }
    let (dims, element) = ty.ranked_shape()?;
    // i48 and i4 cross the boundary as i64 and i8 (cim-widen-boundaries).
    let element = element.text();
    let element =
        cimc_passes::host::widen_boundaries::boundary_element(&element).unwrap_or(&element);
    let dtype = DType::from_mlir(element)?;
    let shape = dims.into_iter().map(|d| d as usize).collect();
    Some(TensorType { dtype, shape })
}

fn signature(
    func: sys::MlirOperation,
    name: &str,
) -> Result<(Vec<TensorType>, Vec<TensorType>), ReferenceError> {
    let fty = unsafe {
        sys::mlirTypeAttrGetValue(sys::mlirOperationGetAttributeByName(
            func,
            string_ref("function_type"),
        ))
    };
    let side = |which: &'static str,
                count: isize,
                get: unsafe extern "C" fn(sys::MlirType, isize) -> sys::MlirType| {
        (0..count)
            .map(|i| {
                let ty = unsafe { Type::from_raw(get(fty, i)) };
                tensor_type(ty).ok_or_else(|| {
                    // Located at the function, as the other input errors are.
                    let problem = ReferenceError::Signature {
                        func: name.into(),
                        which,
                        index: i as usize,
                        ty: ty.to_string(),
                    };
                    let at = crate::diagnostics::resolve(unsafe {
                        melior::ir::Location::from_raw(sys::mlirOperationGetLocation(func))
                    });
                    ReferenceError::Diagnosed(vec![Diag::error(at, problem.to_string())])
                })
            })
            .collect::<Result<Vec<_>, _>>()
    };
    let inputs = side(
        "argument",
        unsafe { sys::mlirFunctionTypeGetNumInputs(fty) },
        sys::mlirFunctionTypeGetInput,
    )?;
    let outputs = side(
        "result",
        unsafe { sys::mlirFunctionTypeGetNumResults(fty) },
        sys::mlirFunctionTypeGetResult,
    )?;
    Ok((inputs, outputs))
}

/// Appends the tapped values to the function's results.
fn add_taps(
    context: &Context,
    func: sys::MlirOperation,
    taps: &[Tap],
) -> Result<(), ReferenceError> {
    if taps.is_empty() {
        return Ok(());
    }
    let func_ref = unsafe { melior::ir::OperationRef::from_raw(func) };
    let mut ops = Vec::new();
    let mut ret = None;
    func_ref.walk(WalkOrder::PreOrder, |op| {
        if op.to_raw().ptr != func.ptr {
            if op.name().as_string_ref().as_str() == Ok("func.return")
                && op.parent_operation().map(|p| p.to_raw().ptr) == Some(func.ptr)
            {
                ret = Some(op.to_raw());
            }
            ops.push(op.to_raw());
        }
        WalkResult::Advance
    });
    let ret = ret.ok_or(ReferenceError::Tap(0))?;
    let mut values: Vec<sys::MlirValue> = unsafe {
        (0..sys::mlirOperationGetNumOperands(ret))
            .map(|i| sys::mlirOperationGetOperand(ret, i))
            .collect()
    };
    for tap in taps {
        let op = *ops.get(tap.op).ok_or(ReferenceError::Tap(tap.op))?;
        let count = unsafe { sys::mlirOperationGetNumResults(op) } as usize;
        if tap.result >= count {
            return Err(ReferenceError::Tap(tap.op));
        }
        values.push(unsafe { sys::mlirOperationGetResult(op, tap.result as isize) });
    }
    unsafe {
        sys::mlirOperationSetOperands(ret, values.len() as isize, values.as_ptr());
        let fty = sys::mlirTypeAttrGetValue(sys::mlirOperationGetAttributeByName(
            func,
            string_ref("function_type"),
        ));
        let inputs: Vec<sys::MlirType> = (0..sys::mlirFunctionTypeGetNumInputs(fty))
            .map(|i| sys::mlirFunctionTypeGetInput(fty, i))
            .collect();
        let results: Vec<sys::MlirType> =
            values.iter().map(|v| sys::mlirValueGetType(*v)).collect();
        let new = sys::mlirFunctionTypeGet(
            context.to_raw(),
            inputs.len() as isize,
            inputs.as_ptr(),
            results.len() as isize,
            results.as_ptr(),
        );
        sys::mlirOperationSetAttributeByName(
            func,
            string_ref("function_type"),
            sys::mlirTypeAttrGet(new),
        );
        // Result attributes describe the original results only (TFLite's
        // index paths): the clone with taps has more results.
        sys::mlirOperationRemoveAttributeByName(func, string_ref("res_attrs"));
    }
    Ok(())
}

/// INEXACT_ROUND is implementation-defined and MLIR 22 cannot lower it.
fn reject_inexact_round(module: &Module, collector: &Collector) {
    module.as_operation().walk(WalkOrder::PreOrder, |op| {
        if op.name().as_string_ref().as_str() == Ok("tosa.rescale") {
            if let Ok(mode) = op.attribute("rounding_mode") {
                if mode.to_string().contains("INEXACT_ROUND") {
                    collector.push(Diag {
                        severity: crate::diagnostics::Severity::Error,
                        at: crate::diagnostics::resolve(op.location()),
                        message: "'tosa.rescale' op uses INEXACT_ROUND, whose result TOSA leaves to the implementation; reference execution needs SINGLE_ROUND or DOUBLE_ROUND".into(),
                        notes: vec![],
                    });
                }
            }
        }
        WalkResult::Advance
    });
}
