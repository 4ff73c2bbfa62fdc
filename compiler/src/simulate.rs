//! Execution on the simulated chip: the module is compiled through cimc's
//! phases to the `host` phase (crossbar work as runtime ABI calls), JIT
//! compiled, and run against the runtime's simulator. `@cimc_init` programs
//! the tiles once; every call of the entry issues its mvms and host ops.

use crate::pipelines::OptLevel;
use crate::reference::{self, Executable, Lowering, ReferenceError, Tensor, TensorType};
use cimc_passes::PassContext;
use cimc_runtime::abi::{self, CimcRtSim};
use cimc_runtime::{KernelChoice, Simulator, Stats};
use melior::ir::Module;
use melior::Context;
use std::ffi::c_void;
use std::path::Path;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum SimulateError {
    #[error("{0}")]
    Compile(#[from] ReferenceError),
    #[error("the simulator rejected the target: {0}")]
    Target(cimc_runtime::SimError),
    #[error("{what} failed on the simulator: {message} ({status})")]
    Runtime {
        what: &'static str,
        status: &'static str,
        message: String,
    },
    #[error("{0}")]
    Sim(#[from] cimc_runtime::SimError),
}

/// The runtime functions compiled code calls, by the symbol it calls them by.
fn runtime_symbols() -> [(&'static str, *mut c_void); 6] {
    [
        (
            "_mlir_ciface_cimc_host_begin",
            abi::_mlir_ciface_cimc_host_begin as *mut c_void,
        ),
        (
            "_mlir_ciface_cimc_host_im2col",
            abi::_mlir_ciface_cimc_host_im2col as *mut c_void,
        ),
        (
            "_mlir_ciface_cimc_host_load",
            abi::_mlir_ciface_cimc_host_load as *mut c_void,
        ),
        (
            "_mlir_ciface_cimc_host_layer",
            abi::_mlir_ciface_cimc_host_layer as *mut c_void,
        ),
        (
            "_mlir_ciface_cimc_host_mvm",
            abi::_mlir_ciface_cimc_host_mvm as *mut c_void,
        ),
        (
            "_mlir_ciface_cimc_host_op",
            abi::_mlir_ciface_cimc_host_op as *mut c_void,
        ),
    ]
}

/// A model compiled for and bound to one simulated chip.
pub struct Simulation {
    exe: Executable,
    handle: *mut CimcRtSim,
}

impl Drop for Simulation {
    fn drop(&mut self) {
        // SAFETY: from Box::into_raw in `compile`, destroyed once.
        unsafe { abi::cimc_rt_destroy(self.handle) }
    }
}

fn status_name(status: i32) -> &'static str {
    cimc_runtime::Status::from_code(status).map_or("CIMC_RT_UNKNOWN_STATUS", |s| s.name())
}

impl Simulation {
    /// Compiles `entry` (or the only public function) of a TOSA module for
    /// `passes.target` through the phases at `opt` without the passes
    /// `skip` names (`pipelines::skipped`), creates the simulator and
    /// programs the tiles.
    pub fn compile(
        context: &Context,
        module: &Module,
        entry: Option<&str>,
        passes: &PassContext,
        (opt, skip): (OptLevel, &[&str]),
        kernel: KernelChoice,
    ) -> Result<Simulation, SimulateError> {
        let symbols = runtime_symbols();
        let exe = reference::compile_for(
            context,
            module,
            entry,
            &[],
            opt.0,
            Lowering::Host {
                passes,
                opt,
                skip,
                symbols: &symbols,
            },
        )?;
        let mut sim = Simulator::new((*passes.target).clone()).map_err(SimulateError::Target)?;
        sim.set_kernel_choice(kernel);
        let handle = Box::into_raw(CimcRtSim::new(sim));
        let simulation = Simulation { exe, handle };
        let status = simulation
            .exe
            .call_with_pointer(cimc_passes::host::lower_to_runtime::INIT, handle.cast())?;
        simulation.check("programming the tiles (@cimc_init)", status)?;
        Ok(simulation)
    }

    /// Binds the program to a fresh chip of `target` (another Monte-Carlo
    /// instance of an analog chip: usually another `non_idealities.seed`)
    /// and programs its tiles; the previous chip and its stats are dropped.
    pub fn reinstance(
        &mut self,
        target: cimc_target::Target,
        kernel: KernelChoice,
    ) -> Result<(), SimulateError> {
        let mut sim = Simulator::new(target).map_err(SimulateError::Target)?;
        sim.set_kernel_choice(kernel);
        let handle = Box::into_raw(CimcRtSim::new(sim));
        let old = std::mem::replace(&mut self.handle, handle);
        // SAFETY: from Box::into_raw, no longer referenced: @cimc_init
        // below stores the new handle where the compiled code reads it.
        unsafe { abi::cimc_rt_destroy(old) };
        let status = self
            .exe
            .call_with_pointer(cimc_passes::host::lower_to_runtime::INIT, handle.cast())?;
        self.check("programming the tiles (@cimc_init)", status)
    }

    fn handle(&self) -> &CimcRtSim {
        // SAFETY: live until drop; compiled code only runs inside our calls.
        unsafe { &*self.handle }
    }

    fn handle_mut(&mut self) -> &mut CimcRtSim {
        // SAFETY: as above, and `&mut self` excludes other borrows.
        unsafe { &mut *self.handle }
    }

    fn check(&self, what: &'static str, status: i32) -> Result<(), SimulateError> {
        let failure = self.handle().host_failure().or_else(|| {
            (status != 0).then(|| (status, "see the runtime's last error".to_string()))
        });
        match failure {
            None => Ok(()),
            Some((status, message)) => Err(SimulateError::Runtime {
                what,
                status: status_name(status),
                message,
            }),
        }
    }

    pub fn inputs(&self) -> &[TensorType] {
        &self.exe.inputs
    }

    pub fn outputs(&self) -> &[TensorType] {
        &self.exe.outputs
    }

    /// One call of the entry: its outputs, computed by the simulated arrays
    /// and the host code.
    pub fn run(&mut self, inputs: &[Tensor]) -> Result<Vec<Tensor>, SimulateError> {
        let outputs = self.exe.run(inputs)?;
        self.check("the compiled program", 0)?;
        Ok(outputs)
    }

    /// Ends the simulation of `batch` inferences and returns the totals.
    pub fn finish(&mut self, batch: u64) -> Result<Stats, SimulateError> {
        let sim = self.handle_mut().simulator_mut();
        sim.set_batch(batch.max(1))?;
        sim.finish()?;
        Ok(sim.stats())
    }

    /// Records the step sums every layer presents to its ADCs from now on
    /// (ADC range calibration: [`Simulator::adc_histograms`]).
    pub fn observe_adc(&mut self) {
        self.handle_mut().simulator_mut().set_adc_observation(true);
    }

    /// Records every layer's results against the exact product (per-layer
    /// SQNR in the stats), on an exact chip too.
    pub fn record_layer_errors(&mut self) {
        self.handle_mut().simulator_mut().set_layer_errors(true);
    }

    /// Switches the simulator's mvm kernels (results are identical).
    pub fn set_kernel(&mut self, kernel: KernelChoice) {
        self.handle_mut().simulator_mut().set_kernel_choice(kernel);
    }

    pub fn simulator(&self) -> &Simulator {
        self.handle().simulator()
    }

    pub fn write_trace(&self, path: &Path) -> Result<(), SimulateError> {
        Ok(self.simulator().write_trace(path)?)
    }
}
