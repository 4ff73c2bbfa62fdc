//! The `llvm` phase: the host module (LLVM dialect) translated to LLVM IR by
//! MLIR, optimized by LLVM's new pass manager at the -O level (through
//! inkwell), then printed (`--emit=llvm`) or written as an object file
//! (`-o FILE.o`) that links with the runtime library into a C program.

use inkwell::context::Context as LlvmContext;
use inkwell::module::Module as LlvmModule;
use inkwell::passes::PassBuilderOptions;
use inkwell::targets::{
    CodeModel, FileType, InitializationConfig, RelocMode, Target, TargetMachine,
};
use inkwell::OptimizationLevel;
use melior::ir::Module;
use mlir_sys::MlirOperation;
use thiserror::Error;

extern "C" {
    /// From `mlir-c/Target/LLVMIR.h`; mlir-sys links it but does not bind it.
    fn mlirTranslateModuleToLLVMIR(
        module: MlirOperation,
        context: llvm_sys::prelude::LLVMContextRef,
    ) -> llvm_sys::prelude::LLVMModuleRef;
}

#[derive(Debug, Error)]
pub enum LlvmError {
    #[error("the module cannot be translated to LLVM IR (is it in the LLVM dialect? compile it to the host phase first)")]
    Translate,
    #[error("LLVM: {0}")]
    Llvm(String),
}

/// What to produce from the LLVM IR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// LLVM IR text.
    Text,
    /// A relocatable object file for the host.
    Object,
}

/// Translates `module` (LLVM dialect), optimizes it at `opt` (0–3) and
/// returns the IR text or the object file's bytes.
pub fn emit(module: &Module, opt: u8, output: Output) -> Result<Vec<u8>, LlvmError> {
    crate::crash::set_phase("compiling the LLVM IR of");
    Target::initialize_native(&InitializationConfig::default()).map_err(LlvmError::Llvm)?;
    let context = LlvmContext::create();
    let raw = unsafe { mlirTranslateModuleToLLVMIR(module.as_operation().to_raw(), context.raw()) };
    if raw.is_null() {
        return Err(LlvmError::Translate);
    }
    // SAFETY: a fresh module owned by `context`, which outlives it here.
    let llvm = unsafe { LlvmModule::new(raw) };
    let triple = TargetMachine::get_default_triple();
    let target = Target::from_triple(&triple).map_err(|e| LlvmError::Llvm(e.to_string()))?;
    let level = match opt {
        0 => OptimizationLevel::None,
        1 => OptimizationLevel::Less,
        2 => OptimizationLevel::Default,
        _ => OptimizationLevel::Aggressive,
    };
    // A generic CPU: objects run on any machine of the architecture.
    let machine = target
        .create_target_machine(&triple, "", "", level, RelocMode::PIC, CodeModel::Default)
        .ok_or_else(|| LlvmError::Llvm(format!("no target machine for {triple}")))?;
    llvm.set_triple(&triple);
    llvm.set_data_layout(&machine.get_target_data().get_data_layout());
    llvm.verify().map_err(|e| LlvmError::Llvm(e.to_string()))?;
    llvm.run_passes(
        &format!("default<O{}>", opt.min(3)),
        &machine,
        PassBuilderOptions::create(),
    )
    .map_err(|e| LlvmError::Llvm(e.to_string()))?;
    let bytes = match output {
        Output::Text => llvm.print_to_string().to_bytes().to_vec(),
        Output::Object => machine
            .write_to_memory_buffer(&llvm, FileType::Object)
            .map_err(|e| LlvmError::Llvm(e.to_string()))?
            .as_slice()
            .to_vec(),
    };
    Ok(bytes)
}
