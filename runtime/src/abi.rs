//! The runtime ABI: `extern "C"` functions that compiled programs and C code
//! call to drive the simulator. `include/cimc_runtime.h` is generated from
//! this file by cbindgen (a test keeps the committed header in step); the
//! crate README is the reference.
//!
//! Conventions:
//! - every function that can fail returns an `int32_t` status: `CIMC_RT_OK`
//!   (0) or one of the error codes below; on error nothing changed, and
//!   `cimc_rt_last_error` says why;
//! - misuse never crashes: null pointers, unknown arrays, shapes that
//!   disagree, unknown tokens, issuing after `cimc_rt_finish` are errors;
//!   a panic inside the library is caught and returned as
//!   `CIMC_RT_INTERNAL`, after which every call on that simulator returns
//!   `CIMC_RT_INTERNAL` (it can still be destroyed);
//! - a `CimcRtSim` is used by one thread at a time (no internal locking);
//!   different simulators are independent;
//! - pointers are borrowed for the duration of the call only; text
//!   arguments are (pointer, length) pairs, need not be NUL-terminated and
//!   must be UTF-8.
//!
//! Non-idealities come from the target's `[non_idealities]` table (earlier
//! builds answered `CIMC_RT_UNSUPPORTED` when one was enabled); replication needs no new call (a replica is another array
//! programmed with the same levels, and the issuing code picks the array);
//! `CimcRtStats::reserved` and `CimcRtArrayStats::reserved` are zero and
//! will carry new totals.

use std::cell::RefCell;
use std::ffi::{c_char, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use crate::error::{Result, SimError, Status};
use crate::ids::{ArrayId, Token};
use crate::layer::{self, Layer};
use crate::mvm::{KernelChoice, MvmParams};
use crate::sim::{HostOp, MvmIssue, Schedule, Simulator, VectorOp};
use crate::tile::Tile;
use cimc_target::cost::OpClass;

mod host;
pub use host::*;

/// The ABI version of this header and library; pass it to `cimc_rt_create`.
pub const CIMC_RT_ABI_VERSION: u32 = 5;

/// Success.
pub const CIMC_RT_OK: i32 = 0;
/// The caller was built against another CIMC_RT_ABI_VERSION.
pub const CIMC_RT_BAD_VERSION: i32 = 1;
/// A required pointer argument was null (or misaligned for its type).
pub const CIMC_RT_NULL_POINTER: i32 = 2;
/// The target TOML is not UTF-8, not TOML, or not a valid target.
pub const CIMC_RT_BAD_TARGET: i32 = 3;
/// The core, macro or array index is outside the target's hierarchy.
pub const CIMC_RT_UNKNOWN_ARRAY: i32 = 4;
/// An mvm on an array and phase that was never programmed.
pub const CIMC_RT_UNPROGRAMMED_ARRAY: i32 = 5;
/// Rows/columns disagree with the programmed tile or exceed the array.
pub const CIMC_RT_SHAPE_MISMATCH: i32 = 6;
/// An argument outside its documented range.
pub const CIMC_RT_BAD_ARGUMENT: i32 = 7;
/// A dependency token that this simulator never issued.
pub const CIMC_RT_UNKNOWN_TOKEN: i32 = 8;
/// An operation issued after cimc_rt_finish.
pub const CIMC_RT_AFTER_FINISH: i32 = 9;
/// Writing the trace file failed.
pub const CIMC_RT_IO_ERROR: i32 = 10;
/// The target enables something this version does not model.
pub const CIMC_RT_UNSUPPORTED: i32 = 11;
/// A bug in the library (a caught panic); the simulator is unusable.
pub const CIMC_RT_INTERNAL: i32 = 12;

/// Op classes of `cimc_rt_vector_op` (`cimc_target::cost::OpClass::code`).
pub const CIMC_RT_OP_REQUANTIZE: u32 = 0;
pub const CIMC_RT_OP_ACTIVATION: u32 = 1;
pub const CIMC_RT_OP_POOL: u32 = 2;
pub const CIMC_RT_OP_ELEMENTWISE: u32 = 3;
pub const CIMC_RT_OP_COPY: u32 = 4;
/// No unit of the chip runs it: the host does.
pub const CIMC_RT_OP_HOST: u32 = 5;

/// Schedules of `cimc_rt_begin_sample`.
pub const CIMC_RT_SCHEDULE_LAYER_SEQUENTIAL: u32 = 0;
pub const CIMC_RT_SCHEDULE_HT: u32 = 1;
/// [`Schedule::Ll`]: samples one after the other, a layer starting on the
/// first rows it reads.
pub const CIMC_RT_SCHEDULE_LL: u32 = 2;

/// The simulator handle (opaque). Create with `cimc_rt_create`, free with
/// `cimc_rt_destroy`.
pub struct CimcRtSim {
    sim: Simulator,
    last_error: CString,
    poisoned: bool,
    /// The first failure of a host entry point (see `host`).
    host_status: i32,
    host_error: CString,
    /// The layers of the loaded program tables (`None` before loading).
    layers: Option<Vec<Layer>>,
}

impl CimcRtSim {
    /// A handle around `sim`, for Rust code that hands compiled code a
    /// `*mut CimcRtSim` (`Box::into_raw`, freed by `cimc_rt_destroy`).
    pub fn new(sim: Simulator) -> Box<CimcRtSim> {
        Box::new(CimcRtSim {
            sim,
            last_error: CString::default(),
            poisoned: false,
            host_status: CIMC_RT_OK,
            host_error: CString::default(),
            layers: None,
        })
    }

    pub fn simulator(&self) -> &Simulator {
        &self.sim
    }

    pub fn simulator_mut(&mut self) -> &mut Simulator {
        &mut self.sim
    }

    /// The first failure of a host entry point, with its message.
    pub fn host_failure(&self) -> Option<(i32, String)> {
        (self.host_status != CIMC_RT_OK).then(|| {
            (
                self.host_status,
                self.host_error.to_string_lossy().into_owned(),
            )
        })
    }
}

/// Totals of a simulation (see the README for each formula). Filled by
/// `cimc_rt_stats`; cycles are clock cycles of the target, energies pJ.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CimcRtStats {
    /// CIMC_RT_ABI_VERSION of the library that filled the struct.
    pub abi_version: u32,
    /// 1 after cimc_rt_finish, else 0.
    pub finished: u32,
    /// The target's clock.
    pub clock_mhz: f64,
    /// Initial weight programming (programs issued before the first other op).
    pub init_cycles: u64,
    /// From the end of the initial programming to the last event.
    pub run_cycles: u64,
    /// init_cycles + run_cycles.
    pub total_cycles: u64,
    /// run_cycles in ns.
    pub latency_ns: f64,
    /// total_cycles in ns.
    pub total_ns: f64,
    /// Inferences in the run (cimc_rt_set_batch; default 1).
    pub batch: u64,
    /// batch / latency.
    pub throughput_per_s: f64,
    /// Busy cycles of the busiest resource in the run.
    pub bottleneck_cycles: u64,
    /// batch / bottleneck time.
    pub pipelined_throughput_per_s: f64,
    /// Σ over mvms of n · ceil(input_bits / dac_bits) · ceil(rows / max_active_rows).
    pub array_steps: u64,
    pub mvms: u64,
    /// Tile writes, initial and reprogramming.
    pub programs: u64,
    /// Tile writes caused by phase switches.
    pub reprograms: u64,
    pub host_ops: u64,
    pub transfers: u64,
    /// Σ over mvms of 2 · n · rows · cols.
    pub ops: u64,
    /// ops / run time / 1e12.
    pub tops: f64,
    /// ops / run energy in pJ.
    pub tops_per_w: f64,
    pub energy_program_pj: f64,
    pub energy_array_pj: f64,
    pub energy_dac_pj: f64,
    pub energy_adc_pj: f64,
    pub energy_shift_add_pj: f64,
    pub energy_buffer_pj: f64,
    pub energy_network_pj: f64,
    pub energy_host_pj: f64,
    /// The sum of the eight components above, energy_vector_pj and
    /// energy_memory_pj.
    pub energy_total_pj: f64,
    /// Energy of the initial programming.
    pub energy_init_pj: f64,
    /// energy_total_pj − energy_init_pj.
    pub energy_run_pj: f64,
    /// Arrays written or read.
    pub arrays_used: u32,
    pub _pad: u32,
    /// Mean and largest array utilization (read cycles / run cycles).
    pub mean_utilization: f64,
    pub max_utilization: f64,
    /// Vector units and global-memory spills (in energy_total_pj).
    pub energy_vector_pj: f64,
    pub energy_memory_pj: f64,
    /// Samples begun (`cimc_rt_begin_sample`).
    pub samples: u64,
    /// Cycles between consecutive samples' ends (one sample: its latency).
    pub period_cycles: f64,
    /// Mean cycles from a sample's first start to its end.
    pub sample_latency_cycles: f64,
    /// Mean over the arrays used of read cycles per sample / period.
    pub period_utilization: f64,
    pub vector_ops: u64,
    pub spilled_bytes: u64,
    /// Zero in version 1; reserved for new totals (e.g. non-ideality counts).
    pub reserved: [u64; 8],
}

/// Activity of one array, filled by `cimc_rt_array_stats`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CimcRtArrayStats {
    pub mvms: u64,
    pub steps: u64,
    /// Cycles reading (mvms).
    pub read_cycles: u64,
    /// Tile writes and their cycles.
    pub programs: u64,
    pub program_cycles: u64,
    /// read_cycles / run cycles.
    pub utilization: f64,
    /// Zero in version 1; reserved (e.g. replica index).
    pub reserved: [u64; 4],
}

thread_local! {
    /// The error of the last call without a usable simulator, per thread.
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

fn c_string(message: String) -> CString {
    CString::new(message.replace('\0', "\\0")).unwrap_or_default()
}

fn set_thread_error(message: String) {
    LAST_ERROR.with(|e| *e.borrow_mut() = c_string(message));
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".to_string()
    }
}

/// Runs `f` on the simulator behind `sim`: null and poisoned handles,
/// errors and panics become status codes and messages.
///
/// # Safety
/// `sim` is null or a live pointer from `cimc_rt_create`.
unsafe fn with_sim(sim: *mut CimcRtSim, f: impl FnOnce(&mut Simulator) -> Result<()>) -> i32 {
    // SAFETY: forwarded from the caller.
    unsafe { with_program(sim, |s, _| f(s)) }
}

/// [`with_sim`] with the layers of the loaded program tables as well.
///
/// # Safety
/// As for [`with_sim`].
unsafe fn with_program(
    sim: *mut CimcRtSim,
    f: impl FnOnce(&mut Simulator, &mut Option<Vec<Layer>>) -> Result<()>,
) -> i32 {
    // SAFETY: the caller passes null or a live handle, used by one thread at a time.
    let Some(handle) = (unsafe { sim.as_mut() }) else {
        set_thread_error(SimError::NullPointer("sim").to_string());
        return CIMC_RT_NULL_POINTER;
    };
    if handle.poisoned {
        handle.last_error =
            c_string("the simulator is unusable after an internal error; destroy it".to_string());
        return CIMC_RT_INTERNAL;
    }
    let result = catch_unwind(AssertUnwindSafe(|| f(&mut handle.sim, &mut handle.layers)));
    match result {
        Ok(Ok(())) => {
            handle.last_error = CString::default();
            CIMC_RT_OK
        }
        Ok(Err(e)) => {
            handle.last_error = c_string(e.to_string());
            e.status() as i32
        }
        Err(payload) => {
            handle.poisoned = true;
            handle.last_error =
                c_string(SimError::Internal(panic_message(payload.as_ref())).to_string());
            CIMC_RT_INTERNAL
        }
    }
}

/// A slice from a (pointer, count) pair: null is allowed only for 0 elements.
///
/// # Safety
/// A non-null `ptr` points to `len` valid, initialized elements.
unsafe fn slice<'a, T>(ptr: *const T, len: usize, what: &'static str) -> Result<&'a [T]> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() || !ptr.is_aligned() {
        return Err(SimError::NullPointer(what));
    }
    // SAFETY: non-null, aligned, and the caller guarantees `len` elements.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// # Safety
/// A non-null `ptr` points to `len` writable elements.
unsafe fn slice_mut<'a, T>(ptr: *mut T, len: usize, what: &'static str) -> Result<&'a mut [T]> {
    if len == 0 {
        return Ok(&mut []);
    }
    if ptr.is_null() || !ptr.is_aligned() {
        return Err(SimError::NullPointer(what));
    }
    // SAFETY: non-null, aligned, and the caller guarantees `len` writable elements.
    Ok(unsafe { std::slice::from_raw_parts_mut(ptr, len) })
}

/// # Safety
/// As for [`slice`].
unsafe fn text<'a>(ptr: *const c_char, len: usize, what: &'static str) -> Result<&'a str> {
    // SAFETY: forwarded from the caller.
    let bytes = unsafe { slice(ptr.cast::<u8>(), len, what)? };
    std::str::from_utf8(bytes)
        .map_err(|e| SimError::BadArgument(format!("`{what}` is not UTF-8: {e}")))
}

fn count(a: u32, b: u32, what: &str) -> Result<usize> {
    (a as usize)
        .checked_mul(b as usize)
        .ok_or_else(|| SimError::BadArgument(format!("{what}: {a} × {b} overflows")))
}

/// # Safety
/// `out_token` is null or writable.
unsafe fn put_token(out_token: *mut u64, token: Token) -> Result<()> {
    if out_token.is_null() {
        return Ok(());
    }
    if !out_token.is_aligned() {
        return Err(SimError::NullPointer("out_token"));
    }
    // SAFETY: non-null, aligned and writable per the caller.
    unsafe { out_token.write(token) };
    Ok(())
}

/// The ABI version the library implements (CIMC_RT_ABI_VERSION).
#[no_mangle]
pub extern "C" fn cimc_rt_abi_version() -> u32 {
    CIMC_RT_ABI_VERSION
}

/// The name of a status code ("CIMC_RT_SHAPE_MISMATCH"), or
/// "CIMC_RT_UNKNOWN_STATUS". The string is static.
#[no_mangle]
pub extern "C" fn cimc_rt_status_name(status: i32) -> *const c_char {
    let name: &'static [u8] = match Status::from_code(status) {
        Some(Status::Ok) => b"CIMC_RT_OK\0",
        Some(Status::BadVersion) => b"CIMC_RT_BAD_VERSION\0",
        Some(Status::NullPointer) => b"CIMC_RT_NULL_POINTER\0",
        Some(Status::BadTarget) => b"CIMC_RT_BAD_TARGET\0",
        Some(Status::UnknownArray) => b"CIMC_RT_UNKNOWN_ARRAY\0",
        Some(Status::UnprogrammedArray) => b"CIMC_RT_UNPROGRAMMED_ARRAY\0",
        Some(Status::ShapeMismatch) => b"CIMC_RT_SHAPE_MISMATCH\0",
        Some(Status::BadArgument) => b"CIMC_RT_BAD_ARGUMENT\0",
        Some(Status::UnknownToken) => b"CIMC_RT_UNKNOWN_TOKEN\0",
        Some(Status::AfterFinish) => b"CIMC_RT_AFTER_FINISH\0",
        Some(Status::IoError) => b"CIMC_RT_IO_ERROR\0",
        Some(Status::Unsupported) => b"CIMC_RT_UNSUPPORTED\0",
        Some(Status::Internal) => b"CIMC_RT_INTERNAL\0",
        None => b"CIMC_RT_UNKNOWN_STATUS\0",
    };
    name.as_ptr().cast()
}

/// Creates a simulator of the target described by `toml_len` bytes of TOML
/// at `toml` (a full target, or one starting from a preset: `base =
/// "isaac"`). `version` must be CIMC_RT_ABI_VERSION. On success `*out` is
/// the new handle (owned by the caller: free it with `cimc_rt_destroy`); on
/// error `*out` is set to null (when `out` is not null) and
/// `cimc_rt_last_error(NULL)` says why.
///
/// # Safety
/// `toml` points to `toml_len` readable bytes; `out` is null or writable.
#[no_mangle]
pub unsafe extern "C" fn cimc_rt_create(
    version: u32,
    toml: *const c_char,
    toml_len: usize,
    out: *mut *mut CimcRtSim,
) -> i32 {
    let result = catch_unwind(AssertUnwindSafe(|| -> Result<Box<CimcRtSim>> {
        if version != CIMC_RT_ABI_VERSION {
            return Err(SimError::BadVersion {
                got: version,
                expected: CIMC_RT_ABI_VERSION,
            });
        }
        if out.is_null() || !out.is_aligned() {
            return Err(SimError::NullPointer("out"));
        }
        if toml.is_null() {
            return Err(SimError::NullPointer("toml"));
        }
        // SAFETY: forwarded from the caller.
        let text = unsafe { self::text(toml, toml_len, "toml") }
            .map_err(|e| SimError::BadTarget(e.to_string()))?;
        Ok(CimcRtSim::new(Simulator::from_toml(text)?))
    }));
    let result = result.unwrap_or_else(|p| Err(SimError::Internal(panic_message(p.as_ref()))));
    if !out.is_null() && out.is_aligned() {
        // SAFETY: non-null, aligned, writable per the caller.
        unsafe { out.write(std::ptr::null_mut()) };
    }
    match result {
        Ok(handle) => {
            // SAFETY: checked non-null and aligned inside the closure.
            unsafe { out.write(Box::into_raw(handle)) };
            set_thread_error(String::new());
            CIMC_RT_OK
        }
        Err(e) => {
            set_thread_error(e.to_string());
            e.status() as i32
        }
    }
}

/// Frees a simulator. Null is ignored. The handle must not be used again.
///
/// # Safety
/// `sim` is null or a handle from `cimc_rt_create` not yet destroyed.
#[no_mangle]
pub unsafe extern "C" fn cimc_rt_destroy(sim: *mut CimcRtSim) {
    if sim.is_null() {
        return;
    }
    // SAFETY: a live handle from Box::into_raw, destroyed once.
    let handle = unsafe { Box::from_raw(sim) };
    // Dropping cannot reasonably panic; never unwind across the boundary.
    let _ = catch_unwind(AssertUnwindSafe(move || drop(handle)));
}

/// The message of the last failed call on `sim` ("" after a success), or,
/// for `sim` null, of the calling thread's last call that had no usable
/// simulator (`cimc_rt_create`, or any call given a null handle). The
/// string is owned by the library and valid until the next call on the
/// same simulator (or thread).
///
/// # Safety
/// `sim` is null or a live handle.
#[no_mangle]
pub unsafe extern "C" fn cimc_rt_last_error(sim: *const CimcRtSim) -> *const c_char {
    // SAFETY: null or a live handle per the caller.
    match unsafe { sim.as_ref() } {
        Some(handle) => handle.last_error.as_ptr(),
        None => LAST_ERROR.with(|e| e.borrow().as_ptr()),
    }
}

/// Programs a tile (`cim.program`) onto array (`core`, `macro_`, `array`)
/// for reprogramming phase `phase`: `rows × cols` cell levels (row-major,
/// each in [0, 2^cell_bits − 1]) at `levels`, and `flipped`: null, or
/// `cols` bytes, non-zero for a column stored complemented (`cim.flipped`).
/// The tile must fit the target's array and cell_bits. If the array holds
/// another phase, the tile is written when its phase's first mvm is issued.
///
/// # Safety
/// `levels` points to `rows × cols` bytes; `flipped` is null or points to
/// `cols` bytes.
#[no_mangle]
pub unsafe extern "C" fn cimc_rt_program(
    sim: *mut CimcRtSim,
    core: u32,
    macro_: u32,
    array: u32,
    phase: u32,
    levels: *const u8,
    rows: u32,
    cols: u32,
    cell_bits: u32,
    flipped: *const u8,
) -> i32 {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_sim(sim, |s| {
            let id = ArrayId::new(core, macro_, array);
            s.check_program(id, rows, cols, cell_bits)?;
            let cells = count(rows, cols, "rows × cols")?;
            if cells == 0 {
                return Err(SimError::ShapeMismatch(format!(
                    "a tile needs at least one row and one column, got {rows} × {cols}"
                )));
            }
            let levels = slice(levels, cells, "levels")?.to_vec();
            let flipped = if flipped.is_null() {
                Vec::new()
            } else {
                slice(flipped, cols as usize, "flipped")?
                    .iter()
                    .map(|&f| f != 0)
                    .collect()
            };
            let tile = Tile::new(rows, cols, cell_bits, levels, flipped)?;
            s.program(id, phase, tile)
        })
    }
}

/// Names the tile of an array and phase (e.g. its layer) in the trace.
///
/// # Safety
/// `name` points to `name_len` bytes of UTF-8.
#[no_mangle]
pub unsafe extern "C" fn cimc_rt_set_label(
    sim: *mut CimcRtSim,
    core: u32,
    macro_: u32,
    array: u32,
    phase: u32,
    name: *const c_char,
    name_len: usize,
) -> i32 {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_sim(sim, |s| {
            let name = text(name, name_len, "name")?;
            s.set_label(ArrayId::new(core, macro_, array), phase, name)
        })
    }
}

/// Issues an mvm (`cim.mvm`) on the tile programmed onto array (`core`,
/// `macro_`, `array`) for `phase`: `n` input vectors of `rows` i8 values
/// (`input`, row-major), results `n × cols` int32 into `output`, with
/// `input_bits` (1..=32), `dac_bits` (1..=8), `adc_bits` (0..=30, 0: no ADC),
/// `adc_shift` (0..=30: one ADC LSB is 2^adc_shift sum units, `cim.adc_shift`)
/// and `max_active_rows` (≥ 1); `stage` is `cim.stage`. The operation
/// starts after the `n_deps` tokens at `deps` are done (0 entries are
/// ignored). The result is written before the call returns; `*out_token`
/// (if not null) receives the operation's token.
///
/// # Safety
/// `input` points to `n × rows` bytes, `output` to `n × cols` writable
/// int32, `deps` to `n_deps` uint64 (or is null when `n_deps` is 0);
/// `out_token` is null or writable.
#[no_mangle]
pub unsafe extern "C" fn cimc_rt_mvm(
    sim: *mut CimcRtSim,
    core: u32,
    macro_: u32,
    array: u32,
    phase: u32,
    input: *const i8,
    n: u32,
    rows: u32,
    output: *mut i32,
    cols: u32,
    input_bits: u32,
    dac_bits: u32,
    adc_bits: u32,
    adc_shift: u32,
    max_active_rows: u32,
    stage: u32,
    deps: *const u64,
    n_deps: usize,
    out_token: *mut u64,
) -> i32 {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_sim(sim, |s| {
            if n == 0 {
                return Err(SimError::BadArgument("n must be at least 1".into()));
            }
            let input = slice(input, count(n, rows, "n × rows")?, "input")?;
            let output = slice_mut(output, count(n, cols, "n × cols")?, "output")?;
            let deps = slice(deps, n_deps, "deps")?;
            let params = MvmParams {
                input_bits,
                dac_bits,
                adc_bits,
                adc_shift,
                max_active_rows,
            };
            let token = s.mvm(
                &MvmIssue {
                    array: ArrayId::new(core, macro_, array),
                    phase,
                    input,
                    n: n as usize,
                    rows,
                    cols,
                    params,
                    stage,
                    deps,
                },
                output,
            )?;
            put_token(out_token, token)
        })
    }
}

/// Issues a host operation of `elements` elements costing
/// `cycles_per_element` cycles and `pj_per_element` pJ each (a negative
/// `pj_per_element` means the target's `energy.host_op_per_element`);
/// `name` (may be null with `name_len` 0) labels it in the trace.
///
/// # Safety
/// As for `cimc_rt_mvm`; `name` points to `name_len` bytes of UTF-8.
#[no_mangle]
pub unsafe extern "C" fn cimc_rt_host_op(
    sim: *mut CimcRtSim,
    elements: u64,
    cycles_per_element: f64,
    pj_per_element: f64,
    name: *const c_char,
    name_len: usize,
    deps: *const u64,
    n_deps: usize,
    out_token: *mut u64,
) -> i32 {
    let pj = if pj_per_element.is_sign_negative() && !pj_per_element.is_nan() {
        None
    } else {
        Some(pj_per_element)
    };
    // SAFETY: forwarded from the caller.
    unsafe {
        named_op(
            sim,
            name,
            name_len,
            deps,
            n_deps,
            out_token,
            |s, name, deps| {
                s.host_op(
                    &HostOp {
                        name,
                        elements,
                        cycles_per_element,
                        pj_per_element: pj,
                    },
                    deps,
                )
            },
        )
    }
}

/// The body of an op call that has a name and dependencies: reads them,
/// issues the op (`f`) and writes its token.
///
/// # Safety
/// As for `cimc_rt_host_op`.
unsafe fn named_op(
    sim: *mut CimcRtSim,
    name: *const c_char,
    name_len: usize,
    deps: *const u64,
    n_deps: usize,
    out_token: *mut u64,
    f: impl FnOnce(&mut Simulator, &str, &[Token]) -> Result<Token>,
) -> i32 {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_sim(sim, |s| {
            let name = text(name, name_len, "name")?;
            let deps = slice(deps, n_deps, "deps")?;
            let token = f(s, name, deps)?;
            put_token(out_token, token)
        })
    }
}

/// Issues an op between crossbar layers of class `class` (`CIMC_RT_OP_*`):
/// `elements` elements on the vector units of the cores its first on-chip
/// dependency lives on, or on the host for `CIMC_RT_OP_HOST` (the target's
/// host model); operands living elsewhere move there first, at
/// `element_bytes` per element. `name` (may be null with `name_len` 0)
/// labels it in the trace.
///
/// # Safety
/// As for `cimc_rt_host_op`.
#[no_mangle]
pub unsafe extern "C" fn cimc_rt_vector_op(
    sim: *mut CimcRtSim,
    class: u32,
    elements: u64,
    element_bytes: u32,
    name: *const c_char,
    name_len: usize,
    deps: *const u64,
    n_deps: usize,
    out_token: *mut u64,
) -> i32 {
    // SAFETY: forwarded from the caller.
    unsafe {
        named_op(
            sim,
            name,
            name_len,
            deps,
            n_deps,
            out_token,
            |s, name, deps| {
                let class = OpClass::from_code(class).ok_or_else(|| {
                    SimError::BadArgument(format!("op class {class} is not 0..=5"))
                })?;
                s.vector_op(
                    &VectorOp {
                        name,
                        class,
                        elements,
                        element_bytes: u64::from(element_bytes),
                    },
                    deps,
                )
            },
        )
    }
}

/// Starts a sample (one inference, or one call of a compiled entry) under
/// schedule `schedule` (`CIMC_RT_SCHEDULE_*`): under layer-sequential it
/// starts when everything issued before is done; under ht it overlaps the
/// samples before it as the resources allow.
///
/// # Safety
/// `sim` is null or a live handle.
#[no_mangle]
pub unsafe extern "C" fn cimc_rt_begin_sample(sim: *mut CimcRtSim, schedule: u32) -> i32 {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_sim(sim, |s| {
            let schedule = Schedule::from_code(schedule).ok_or_else(|| {
                SimError::BadArgument(format!("schedule {schedule} is not 0 or 1"))
            })?;
            s.begin_sample(schedule)
        })
    }
}

/// Loads program tables (`cimc_target::tables`: the blob `cim-lower-to-runtime`
/// embeds, `len` bytes at `tables`): programs every tile, with its label,
/// and keeps the layers for `cimc_rt_layer`. Errors: a malformed blob
/// (`CIMC_RT_BAD_ARGUMENT`, with the byte offset), tables loaded before, a
/// tile that does not fit its array.
///
/// # Safety
/// `tables` points to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn cimc_rt_load_tables(
    sim: *mut CimcRtSim,
    tables: *const u8,
    len: usize,
) -> i32 {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_program(sim, |s, layers| {
            if layers.is_some() {
                return Err(SimError::BadArgument(
                    "program tables are already loaded on this simulator".into(),
                ));
            }
            if tables.is_null() {
                return Err(SimError::NullPointer("tables"));
            }
            let bytes = slice(tables, len, "tables")?;
            let tables = crate::ProgramTables::decode(bytes)
                .map_err(|e| SimError::BadArgument(e.to_string()))?;
            *layers = Some(layer::load_tables(s, &tables)?);
            Ok(())
        })
    }
}

/// Runs the crossbar part of layer `layer` of the loaded tables on `n`
/// input vectors of `k` i8 values (`input`, row-major): the tiles' mvms,
/// the row tiles' reduction and the shift-add, writing `n × cols` int32 to
/// `output`, after the `n_deps` tokens at `deps`. `k` and `cols` must be
/// the layer's. `*out_token` (if not null) receives the token of its last
/// operation.
///
/// # Safety
/// As for `cimc_rt_mvm`.
#[no_mangle]
pub unsafe extern "C" fn cimc_rt_layer(
    sim: *mut CimcRtSim,
    layer: u32,
    input: *const i8,
    n: u32,
    k: u32,
    output: *mut i32,
    cols: u32,
    deps: *const u64,
    n_deps: usize,
    out_token: *mut u64,
) -> i32 {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_program(sim, |s, layers| {
            let layers = layers.as_deref().ok_or_else(|| {
                SimError::BadArgument("no program tables are loaded (cimc_rt_load_tables)".into())
            })?;
            let loaded = layers.get(layer as usize).ok_or_else(|| {
                SimError::BadArgument(format!("layer {layer} of {} loaded layers", layers.len()))
            })?;
            if (k as usize, cols as usize) != (loaded.input_cols(), loaded.output_cols()) {
                return Err(SimError::ShapeMismatch(format!(
                    "layer {layer} ('{}') is {} → {} columns, the call says {k} → {cols}",
                    loaded.name(),
                    loaded.input_cols(),
                    loaded.output_cols()
                )));
            }
            if input.is_null() {
                return Err(SimError::NullPointer("input"));
            }
            if output.is_null() {
                return Err(SimError::NullPointer("output"));
            }
            let input = slice(input, count(n, k, "n × k")?, "input")?;
            let output = slice_mut(output, count(n, cols, "n × cols")?, "output")?;
            let deps = slice(deps, n_deps, "deps")?;
            let scale = s.view_scale(deps);
            let token = loaded.run(s, input, n as usize, output, deps, scale)?;
            put_token(out_token, token)
        })
    }
}

/// The window geometry of `cimc_rt_im2col` (`cim.im2col`'s attributes).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CimcRtWindow {
    pub kernel_h: u32,
    pub kernel_w: u32,
    pub stride_h: u32,
    pub stride_w: u32,
    pub dilation_h: u32,
    pub dilation_w: u32,
    pub pad_top: u32,
    pub pad_bottom: u32,
    pub pad_left: u32,
    pub pad_right: u32,
    /// The value of padded positions, −128..=127.
    pub pad_value: i32,
    /// Non-zero: each channel's window contiguous (`channel_major`).
    pub channel_major: u32,
}

/// Gathers the convolution windows of `input` (`n × h × w × c` i8,
/// row-major) into `output` (`out_len` bytes: `n·OH·OW` rows of
/// `kernel_h·kernel_w·c`), as `cim.im2col` defines them. On the chip the
/// gather is the buffer reads that feed the DACs (the mvms' loads), so it
/// takes no time of its own: its token is done with the `n_deps` tokens at
/// `deps`, and a layer reading it moves only the feature map
/// (`n·h·w·c / out_len` of its matrix) to its cores. `*out_token` (if not
/// null) receives its token.
///
/// # Safety
/// `input` points to `n·h·w·c` bytes, `output` to `out_len` writable bytes,
/// `window` to a `CimcRtWindow`; `deps` as for `cimc_rt_mvm`.
#[no_mangle]
pub unsafe extern "C" fn cimc_rt_im2col(
    sim: *mut CimcRtSim,
    input: *const i8,
    n: u32,
    h: u32,
    w: u32,
    c: u32,
    window: *const CimcRtWindow,
    output: *mut i8,
    out_len: usize,
    deps: *const u64,
    n_deps: usize,
    out_token: *mut u64,
) -> i32 {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_sim(sim, |s| {
            let win = window.as_ref().ok_or(SimError::NullPointer("window"))?;
            let pad_value = i8::try_from(win.pad_value).map_err(|_| {
                SimError::BadArgument(format!("im2col: pad value {} is not an i8", win.pad_value))
            })?;
            let u = |v: u32| v as usize;
            let window = crate::im2col::Window {
                kernel: [u(win.kernel_h), u(win.kernel_w)],
                stride: [u(win.stride_h), u(win.stride_w)],
                dilation: [u(win.dilation_h), u(win.dilation_w)],
                pad: [
                    u(win.pad_top),
                    u(win.pad_bottom),
                    u(win.pad_left),
                    u(win.pad_right),
                ],
                pad_value,
                channel_major: win.channel_major != 0,
            };
            let elements = (n as usize)
                .checked_mul(h as usize)
                .and_then(|v| v.checked_mul(w as usize))
                .and_then(|v| v.checked_mul(c as usize))
                .ok_or_else(|| SimError::BadArgument("im2col: the input size overflows".into()))?;
            if input.is_null() {
                return Err(SimError::NullPointer("input"));
            }
            if output.is_null() {
                return Err(SimError::NullPointer("output"));
            }
            let x = slice(input, elements, "input")?;
            let out = slice_mut(output, out_len, "output")?;
            let deps = slice(deps, n_deps, "deps")?;
            crate::im2col::im2col(x, [u(n), u(h), u(w), u(c)], &window, out)?;
            let scale = if out_len == 0 {
                1.0
            } else {
                (elements as f64 / out_len as f64).min(1.0)
            };
            // Line-buffer granularity (ll): the first output row of windows
            // reads the input's first kernel rows.
            let (kh, h) = (
                (u(win.kernel_h).max(1) - 1) * u(win.dilation_h).max(1) + 1,
                u(h),
            );
            let out_rows = (h + u(win.pad_top) + u(win.pad_bottom))
                .checked_sub(kh)
                .map_or(1, |v| v / u(win.stride_h).max(1) + 1);
            let first_rows = kh.saturating_sub(u(win.pad_top)).clamp(1, h.max(1)) as f64
                / (u(n).max(1) * h.max(1)) as f64;
            let bands = u32::try_from(out_rows.saturating_mul(u(n).max(1))).unwrap_or(u32::MAX);
            let token = s.view_rows(deps, scale, first_rows, bands)?;
            put_token(out_token, token)
        })
    }
}

/// Issues a transfer of `bytes` bytes from core `src_core` to core
/// `dst_core` over their network ports.
///
/// # Safety
/// As for `cimc_rt_mvm`.
#[no_mangle]
pub unsafe extern "C" fn cimc_rt_transfer(
    sim: *mut CimcRtSim,
    src_core: u32,
    dst_core: u32,
    bytes: u64,
    deps: *const u64,
    n_deps: usize,
    out_token: *mut u64,
) -> i32 {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_sim(sim, |s| {
            let deps = slice(deps, n_deps, "deps")?;
            let token = s.transfer(src_core, dst_core, bytes, deps)?;
            put_token(out_token, token)
        })
    }
}

/// Sets the inferences the run computes (for throughput; default 1, ≥ 1).
///
/// # Safety
/// `sim` is null or a live handle.
#[no_mangle]
pub unsafe extern "C" fn cimc_rt_set_batch(sim: *mut CimcRtSim, batch: u64) -> i32 {
    // SAFETY: forwarded from the caller.
    unsafe { with_sim(sim, |s| s.set_batch(batch)) }
}

/// Ends the simulation: later issues fail with CIMC_RT_AFTER_FINISH; stats
/// and the trace stay readable. Finishing twice is CIMC_RT_AFTER_FINISH.
///
/// # Safety
/// `sim` is null or a live handle.
#[no_mangle]
pub unsafe extern "C" fn cimc_rt_finish(sim: *mut CimcRtSim) -> i32 {
    // SAFETY: forwarded from the caller.
    unsafe { with_sim(sim, |s| s.finish()) }
}

/// Fills `*out` with the totals so far (final after cimc_rt_finish).
///
/// # Safety
/// `out` is null or writable.
#[no_mangle]
pub unsafe extern "C" fn cimc_rt_stats(sim: *mut CimcRtSim, out: *mut CimcRtStats) -> i32 {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_sim(sim, |s| {
            let out = slice_mut(out, 1, "out")?;
            let st = s.stats();
            let e = st.energy;
            out[0] = CimcRtStats {
                abi_version: CIMC_RT_ABI_VERSION,
                finished: u32::from(st.finished),
                clock_mhz: st.clock_mhz,
                init_cycles: st.init_cycles,
                run_cycles: st.run_cycles,
                total_cycles: st.total_cycles,
                latency_ns: st.latency_ns,
                total_ns: st.total_ns,
                batch: st.batch,
                throughput_per_s: st.throughput_per_s,
                bottleneck_cycles: st.bottleneck_cycles,
                pipelined_throughput_per_s: st.pipelined_throughput_per_s,
                array_steps: st.array_steps,
                mvms: st.mvms,
                programs: st.programs,
                reprograms: st.reprograms,
                host_ops: st.host_ops,
                transfers: st.transfers,
                ops: st.ops,
                tops: st.tops,
                tops_per_w: st.tops_per_w,
                energy_program_pj: e.program,
                energy_array_pj: e.array,
                energy_dac_pj: e.dac,
                energy_adc_pj: e.adc,
                energy_shift_add_pj: e.shift_add,
                energy_buffer_pj: e.buffer,
                energy_network_pj: e.network,
                energy_host_pj: e.host,
                energy_total_pj: e.total(),
                energy_init_pj: st.init_energy_pj,
                energy_run_pj: st.run_energy_pj,
                arrays_used: st.arrays_used,
                _pad: 0,
                mean_utilization: st.mean_utilization,
                max_utilization: st.max_utilization,
                energy_vector_pj: e.vector,
                energy_memory_pj: e.memory,
                samples: st.samples,
                period_cycles: st.period_cycles,
                sample_latency_cycles: st.sample_latency_cycles,
                period_utilization: st.period_utilization,
                vector_ops: st.vector_ops,
                spilled_bytes: st.spilled_bytes,
                reserved: [0; 8],
            };
            Ok(())
        })
    }
}

/// Fills `*out` with the activity of array (`core`, `macro_`, `array`)
/// (zeros for an array never used).
///
/// # Safety
/// `out` is null or writable.
#[no_mangle]
pub unsafe extern "C" fn cimc_rt_array_stats(
    sim: *mut CimcRtSim,
    core: u32,
    macro_: u32,
    array: u32,
    out: *mut CimcRtArrayStats,
) -> i32 {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_sim(sim, |s| {
            let out = slice_mut(out, 1, "out")?;
            let id = ArrayId::new(core, macro_, array);
            s.check_array(id)?;
            let stats = s.stats();
            out[0] = stats
                .arrays
                .iter()
                .find(|a| a.id == id)
                .map(|a| CimcRtArrayStats {
                    mvms: a.mvms,
                    steps: a.steps,
                    read_cycles: a.read_cycles,
                    programs: a.programs,
                    program_cycles: a.program_cycles,
                    utilization: a.utilization,
                    reserved: [0; 4],
                })
                .unwrap_or_default();
            Ok(())
        })
    }
}

/// Writes the Chrome/Perfetto trace JSON (see the README) to the file at
/// `path` (`path_len` bytes of UTF-8, not NUL-terminated necessarily).
///
/// # Safety
/// `path` points to `path_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn cimc_rt_write_trace(
    sim: *mut CimcRtSim,
    path: *const c_char,
    path_len: usize,
) -> i32 {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_sim(sim, |s| {
            if path.is_null() {
                return Err(SimError::NullPointer("path"));
            }
            let path = text(path, path_len, "path")?;
            s.write_trace(Path::new(path))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_constants_match_the_enum() {
        let consts = [
            CIMC_RT_OK,
            CIMC_RT_BAD_VERSION,
            CIMC_RT_NULL_POINTER,
            CIMC_RT_BAD_TARGET,
            CIMC_RT_UNKNOWN_ARRAY,
            CIMC_RT_UNPROGRAMMED_ARRAY,
            CIMC_RT_SHAPE_MISMATCH,
            CIMC_RT_BAD_ARGUMENT,
            CIMC_RT_UNKNOWN_TOKEN,
            CIMC_RT_AFTER_FINISH,
            CIMC_RT_IO_ERROR,
            CIMC_RT_UNSUPPORTED,
            CIMC_RT_INTERNAL,
        ];
        assert_eq!(consts.len(), Status::ALL.len());
        for (c, s) in consts.iter().zip(Status::ALL) {
            assert_eq!(*c, s as i32);
            // SAFETY: a static NUL-terminated string.
            let name = unsafe { std::ffi::CStr::from_ptr(cimc_rt_status_name(*c)) };
            assert_eq!(name.to_str().unwrap(), s.name());
        }
        assert_eq!(CIMC_RT_ABI_VERSION, crate::ABI_VERSION);
        let classes = [
            CIMC_RT_OP_REQUANTIZE,
            CIMC_RT_OP_ACTIVATION,
            CIMC_RT_OP_POOL,
            CIMC_RT_OP_ELEMENTWISE,
            CIMC_RT_OP_COPY,
            CIMC_RT_OP_HOST,
        ];
        for (c, class) in classes.iter().zip(OpClass::ALL) {
            assert_eq!(*c, class.code());
        }
        for (c, s) in [
            CIMC_RT_SCHEDULE_LAYER_SEQUENTIAL,
            CIMC_RT_SCHEDULE_HT,
            CIMC_RT_SCHEDULE_LL,
        ]
        .into_iter()
        .zip([Schedule::LayerSequential, Schedule::Ht, Schedule::Ll])
        {
            assert_eq!(Schedule::from_code(c), Some(s));
        }
    }

    #[test]
    fn panics_become_internal_errors() {
        let toml = "base = \"sram-digital\"\n";
        let mut sim = std::ptr::null_mut();
        // SAFETY: valid pointers and lengths.
        unsafe {
            assert_eq!(
                cimc_rt_create(
                    CIMC_RT_ABI_VERSION,
                    toml.as_ptr().cast(),
                    toml.len(),
                    &mut sim
                ),
                CIMC_RT_OK
            );
            assert_eq!(with_sim(sim, |_| panic!("boom")), CIMC_RT_INTERNAL);
            let message = std::ffi::CStr::from_ptr(cimc_rt_last_error(sim));
            assert!(message.to_str().unwrap().contains("boom"));
            // The simulator stays unusable, but destroying it is fine.
            assert_eq!(cimc_rt_finish(sim), CIMC_RT_INTERNAL);
            cimc_rt_destroy(sim);
        }
    }

    #[test]
    fn program_tables_and_layers_reject_misuse() {
        use cimc_target::tables::{LayerRecord, LayerTile, ProgramTables, TileRecord};
        let tables = ProgramTables {
            tiles: vec![TileRecord {
                core: 0,
                macro_: 0,
                array: 0,
                phase: 0,
                replicas: Vec::new(),
                rows: 2,
                cols: 2,
                cell_bits: 2,
                label: "fc".into(),
                flipped: vec![false, true],
                levels: vec![1, 2, 3, 0],
            }],
            layers: vec![LayerRecord {
                name: "fc".into(),
                k: 2,
                p: 2,
                input_bits: 8,
                dac_bits: 1,
                adc_bits: 8,
                adc_shift: 0,
                max_active_rows: 128,
                stage: 0,
                shift_add: None,
                tiles: vec![LayerTile {
                    tile: 0,
                    in_col: 0,
                    out_col: 0,
                }],
                input_sums: None,
                bias: Vec::new(),
            }],
        };
        let blob = tables.encode().unwrap();
        let toml = "base = \"isaac\"\n";
        let mut sim = std::ptr::null_mut();
        let x = [1i8, -1];
        let mut out = [0i32; 2];
        let token = std::cell::Cell::new(0u64);
        // SAFETY: valid pointers and lengths, except where a test says not.
        unsafe {
            assert_eq!(
                cimc_rt_create(
                    CIMC_RT_ABI_VERSION,
                    toml.as_ptr().cast(),
                    toml.len(),
                    &mut sim
                ),
                CIMC_RT_OK
            );
            let layer = |sim, index, input: *const i8, k, output: *mut i32, cols| {
                let mut t = 0;
                let status = cimc_rt_layer(
                    sim,
                    index,
                    input,
                    1,
                    k,
                    output,
                    cols,
                    std::ptr::null(),
                    0,
                    &mut t,
                );
                token.set(t);
                status
            };
            // Before loading.
            assert_eq!(
                layer(sim, 0, x.as_ptr(), 2, out.as_mut_ptr(), 2),
                CIMC_RT_BAD_ARGUMENT
            );
            assert_eq!(
                cimc_rt_load_tables(std::ptr::null_mut(), blob.as_ptr(), blob.len()),
                CIMC_RT_NULL_POINTER
            );
            assert_eq!(
                cimc_rt_load_tables(sim, std::ptr::null(), blob.len()),
                CIMC_RT_NULL_POINTER
            );
            assert_eq!(
                cimc_rt_load_tables(sim, blob.as_ptr(), blob.len() - 1),
                CIMC_RT_BAD_ARGUMENT
            );
            let message = std::ffi::CStr::from_ptr(cimc_rt_last_error(sim));
            assert!(
                message.to_str().unwrap().contains("program tables, byte"),
                "{message:?}"
            );
            assert_eq!(
                cimc_rt_load_tables(sim, blob.as_ptr(), blob.len()),
                CIMC_RT_OK
            );
            assert_eq!(
                cimc_rt_load_tables(sim, blob.as_ptr(), blob.len()),
                CIMC_RT_BAD_ARGUMENT
            );
            // Wrong layer, sizes and pointers.
            assert_eq!(
                layer(sim, 1, x.as_ptr(), 2, out.as_mut_ptr(), 2),
                CIMC_RT_BAD_ARGUMENT
            );
            assert_eq!(
                layer(sim, 0, x.as_ptr(), 3, out.as_mut_ptr(), 2),
                CIMC_RT_SHAPE_MISMATCH
            );
            assert_eq!(
                layer(sim, 0, x.as_ptr(), 2, out.as_mut_ptr(), 1),
                CIMC_RT_SHAPE_MISMATCH
            );
            assert_eq!(
                layer(sim, 0, std::ptr::null(), 2, out.as_mut_ptr(), 2),
                CIMC_RT_NULL_POINTER
            );
            assert_eq!(
                layer(sim, 0, x.as_ptr(), 2, std::ptr::null_mut(), 2),
                CIMC_RT_NULL_POINTER
            );
            let bad = [7u64];
            assert_eq!(
                cimc_rt_layer(
                    sim,
                    0,
                    x.as_ptr(),
                    1,
                    2,
                    out.as_mut_ptr(),
                    2,
                    bad.as_ptr(),
                    1,
                    std::ptr::null_mut()
                ),
                CIMC_RT_UNKNOWN_TOKEN
            );
            // And a correct call: [1, -1] · [[1, 2], [3, 0]] (column 1 flipped).
            assert_eq!(
                layer(sim, 0, x.as_ptr(), 2, out.as_mut_ptr(), 2),
                CIMC_RT_OK
            );
            assert_eq!(out, [-2, 2]);
            assert_ne!(token.get(), 0);
            assert_eq!(cimc_rt_finish(sim), CIMC_RT_OK);
            assert_eq!(
                layer(sim, 0, x.as_ptr(), 2, out.as_mut_ptr(), 2),
                CIMC_RT_AFTER_FINISH
            );
            cimc_rt_destroy(sim);
        }
    }

    #[test]
    fn im2col_rejects_misuse() {
        let toml = "base = \"isaac\"\n";
        let mut sim = std::ptr::null_mut();
        let x = [1i8, 2, 3, 4];
        let mut out = [0i8; 4];
        let window = CimcRtWindow {
            kernel_h: 2,
            kernel_w: 2,
            stride_h: 1,
            stride_w: 1,
            dilation_h: 1,
            dilation_w: 1,
            pad_value: -128,
            ..CimcRtWindow::default()
        };
        // SAFETY: valid pointers and lengths, except where a test says not.
        unsafe {
            assert_eq!(
                cimc_rt_create(
                    CIMC_RT_ABI_VERSION,
                    toml.as_ptr().cast(),
                    toml.len(),
                    &mut sim
                ),
                CIMC_RT_OK
            );
            let call = |input: *const i8, win: *const CimcRtWindow, output: *mut i8, len: usize| {
                let mut token = 0;
                let status = cimc_rt_im2col(
                    sim,
                    input,
                    1,
                    2,
                    2,
                    1,
                    win,
                    output,
                    len,
                    std::ptr::null(),
                    0,
                    &mut token,
                );
                (status, token)
            };
            let o = out.as_mut_ptr();
            assert_eq!(
                call(x.as_ptr(), std::ptr::null(), o, 4).0,
                CIMC_RT_NULL_POINTER
            );
            assert_eq!(
                call(std::ptr::null(), &window, o, 4).0,
                CIMC_RT_NULL_POINTER
            );
            assert_eq!(
                call(x.as_ptr(), &window, std::ptr::null_mut(), 4).0,
                CIMC_RT_NULL_POINTER
            );
            assert_eq!(call(x.as_ptr(), &window, o, 3).0, CIMC_RT_SHAPE_MISMATCH);
            let bad = CimcRtWindow {
                pad_value: 200,
                ..window
            };
            assert_eq!(call(x.as_ptr(), &bad, o, 4).0, CIMC_RT_BAD_ARGUMENT);
            let zero = CimcRtWindow {
                stride_h: 0,
                ..window
            };
            assert_eq!(call(x.as_ptr(), &zero, o, 4).0, CIMC_RT_BAD_ARGUMENT);
            let big = CimcRtWindow {
                kernel_h: 3,
                ..window
            };
            assert_eq!(call(x.as_ptr(), &big, o, 4).0, CIMC_RT_BAD_ARGUMENT);
            // One 2 x 2 window of a 2 x 2 image, and a host op's token.
            let (status, token) = call(x.as_ptr(), &window, o, 4);
            assert_eq!((status, out), (CIMC_RT_OK, [1, 2, 3, 4]));
            assert_ne!(token, 0);
            cimc_rt_destroy(sim);
        }
    }
}
