//! Host entry points: the functions that code compiled by cimc calls
//! (`cim-lower-to-runtime` declares them with `llvm.emit_c_interface`, so
//! MLIR passes memref descriptors by pointer and calls `_mlir_ciface_<name>`).
//!
//! They wrap `cimc_rt_program`, `cimc_rt_mvm` and `cimc_rt_host_op`. Compiled
//! code cannot branch on a status, so a failure is *deferred*: the first one
//! is kept (`cimc_rt_host_status`, `cimc_rt_host_error`), later host calls on
//! that simulator do nothing (an mvm then writes zeros), and the caller
//! checks the status after the compiled function returns.

use super::*;

/// A rank-1 MLIR memref descriptor of bytes (`memref<?xi8, strided<[?], offset: ?>>`).
#[repr(C)]
pub struct CimcMemRef1I8 {
    pub allocated: *mut i8,
    pub aligned: *mut i8,
    pub offset: i64,
    pub sizes: [i64; 1],
    pub strides: [i64; 1],
}

/// A rank-1 MLIR memref descriptor of tokens (`memref<?xi64, strided<[?], offset: ?>>`).
#[repr(C)]
pub struct CimcMemRef1I64 {
    pub allocated: *mut i64,
    pub aligned: *mut i64,
    pub offset: i64,
    pub sizes: [i64; 1],
    pub strides: [i64; 1],
}

/// A rank-2 MLIR memref descriptor of bytes (`memref<?x?xi8, strided<[?, ?], offset: ?>>`).
#[repr(C)]
pub struct CimcMemRef2I8 {
    pub allocated: *mut i8,
    pub aligned: *mut i8,
    pub offset: i64,
    pub sizes: [i64; 2],
    pub strides: [i64; 2],
}

/// A rank-4 MLIR memref descriptor of bytes (`memref<?x?x?x?xi8, strided<[?, ?, ?, ?], offset: ?>>`).
#[repr(C)]
pub struct CimcMemRef4I8 {
    pub allocated: *mut i8,
    pub aligned: *mut i8,
    pub offset: i64,
    pub sizes: [i64; 4],
    pub strides: [i64; 4],
}

/// A rank-2 MLIR memref descriptor of i32 (`memref<?x?xi32>`, row-major).
#[repr(C)]
pub struct CimcMemRef2I32 {
    pub allocated: *mut i32,
    pub aligned: *mut i32,
    pub offset: i64,
    pub sizes: [i64; 2],
    pub strides: [i64; 2],
}

/// The elements of a strided view, row-major (copied: views of im2col
/// columns are not contiguous).
///
/// # Safety
/// `base` + `offset` addresses a live buffer covering every index the sizes
/// and strides reach.
unsafe fn gather<T: Copy>(
    base: *const T,
    offset: i64,
    sizes: &[i64],
    strides: &[i64],
) -> Result<Vec<T>> {
    if base.is_null() {
        return Err(SimError::NullPointer("memref"));
    }
    if sizes.iter().any(|s| *s < 0) {
        return Err(SimError::BadArgument(format!(
            "negative memref size {sizes:?}"
        )));
    }
    let total: i64 = sizes.iter().product();
    let mut out = Vec::with_capacity(total as usize);
    let mut index = vec![0i64; sizes.len()];
    for _ in 0..total {
        let at = offset + index.iter().zip(strides).map(|(i, s)| i * s).sum::<i64>();
        // SAFETY: within the view per the caller.
        out.push(unsafe { *base.offset(at as isize) });
        for d in (0..sizes.len()).rev() {
            index[d] += 1;
            if index[d] < sizes[d] {
                break;
            }
            index[d] = 0;
        }
    }
    Ok(out)
}

fn dim(value: i64, what: &'static str) -> Result<u32> {
    u32::try_from(value)
        .map_err(|_| SimError::BadArgument(format!("{what} = {value} is out of range")))
}

fn nonneg(value: i32, what: &'static str) -> Result<u32> {
    u32::try_from(value).map_err(|_| SimError::BadArgument(format!("{what} = {value} is negative")))
}

/// The operands of a host call from an `n × k` i8 view to a row-major
/// `n × cols` i32 buffer: the input gathered row-major, where the output
/// starts, and the dependency tokens.
struct MatrixCall {
    x: Vec<i8>,
    n: u32,
    k: u32,
    out: *mut i32,
    cols: u32,
    tokens: Vec<i64>,
}

/// Checks and reads the descriptors of an mvm or layer call (`what`).
///
/// # Safety
/// Each pointer is null or describes a live buffer.
unsafe fn matrix_call(
    input: *const CimcMemRef2I8,
    output: *const CimcMemRef2I32,
    deps: *const CimcMemRef1I64,
    what: &str,
) -> Result<MatrixCall> {
    // SAFETY: null or live per the caller.
    let (input, output, deps) = unsafe {
        (
            input.as_ref().ok_or(SimError::NullPointer("input"))?,
            output.as_ref().ok_or(SimError::NullPointer("output"))?,
            deps.as_ref().ok_or(SimError::NullPointer("deps"))?,
        )
    };
    let n = dim(input.sizes[0], "n")?;
    if output.sizes[0] != input.sizes[0] {
        return Err(SimError::ShapeMismatch(format!(
            "{} input vectors but {} output rows",
            input.sizes[0], output.sizes[0]
        )));
    }
    if output.strides != [output.sizes[1], 1] && n > 1 {
        return Err(SimError::BadArgument(format!(
            "the {what} output must be row-major"
        )));
    }
    // SAFETY: the descriptors describe live buffers per the caller.
    let (x, tokens) = unsafe {
        (
            gather(input.aligned, input.offset, &input.sizes, &input.strides)?,
            gather(deps.aligned, deps.offset, &deps.sizes, &deps.strides)?,
        )
    };
    Ok(MatrixCall {
        x,
        n,
        k: dim(input.sizes[1], "k")?,
        out: output.aligned.wrapping_offset(output.offset as isize),
        cols: dim(output.sizes[1], "cols")?,
        tokens,
    })
}

/// Runs one host entry point: nothing once a failure is deferred; records
/// the first failure.
///
/// # Safety
/// `sim` is null or a live handle.
unsafe fn deferred(sim: *mut CimcRtSim, f: impl FnOnce(*mut CimcRtSim) -> Result<i32>) -> i32 {
    // SAFETY: null or live per the caller.
    let Some(handle) = (unsafe { sim.as_mut() }) else {
        set_thread_error(SimError::NullPointer("sim").to_string());
        return CIMC_RT_NULL_POINTER;
    };
    if handle.host_status != CIMC_RT_OK {
        return handle.host_status;
    }
    let status = match f(sim) {
        Ok(status) => status,
        Err(e) => {
            handle.last_error = c_string(e.to_string());
            e.status() as i32
        }
    };
    if status != CIMC_RT_OK {
        handle.host_status = status;
        handle.host_error = handle.last_error.clone();
    }
    status
}

/// [`deferred`] for an entry point that issues an operation: `f` gets the
/// slot for the operation's token; `None` when the call failed (the failure
/// is deferred).
///
/// # Safety
/// `sim` is null or a live handle.
unsafe fn deferred_token(
    sim: *mut CimcRtSim,
    f: impl FnOnce(*mut CimcRtSim, &mut u64) -> Result<i32>,
) -> Option<u64> {
    let mut token = 0u64;
    // SAFETY: forwarded from the caller.
    let status = unsafe { deferred(sim, |sim| f(sim, &mut token)) };
    (status == CIMC_RT_OK).then_some(token)
}

/// `cim.program` from compiled code: the levels as a `rows × cols` byte view,
/// the flipped flags (one byte per column), the placement, `cell_bits` and
/// the layer name (`label_len` bytes of UTF-8, may be 0). Returns the status
/// (also deferred).
///
/// # Safety
/// The descriptors describe live buffers; `label` points to `label_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn _mlir_ciface_cimc_host_program(
    sim: *mut CimcRtSim,
    levels: *const CimcMemRef2I8,
    flipped: *const CimcMemRef1I8,
    core: i32,
    macro_: i32,
    array: i32,
    phase: i32,
    cell_bits: i32,
    label: *const c_char,
    label_len: i64,
) -> i32 {
    // SAFETY: forwarded from the caller.
    unsafe {
        deferred(sim, |sim| {
            let levels = levels.as_ref().ok_or(SimError::NullPointer("levels"))?;
            let flipped = flipped.as_ref().ok_or(SimError::NullPointer("flipped"))?;
            let rows = dim(levels.sizes[0], "rows")?;
            let cols = dim(levels.sizes[1], "cols")?;
            if flipped.sizes[0] != levels.sizes[1] {
                return Err(SimError::ShapeMismatch(format!(
                    "{} flipped flags for {cols} columns",
                    flipped.sizes[0]
                )));
            }
            let cells = gather(
                levels.aligned,
                levels.offset,
                &levels.sizes,
                &levels.strides,
            )?;
            let flags = gather(
                flipped.aligned,
                flipped.offset,
                &flipped.sizes,
                &flipped.strides,
            )?;
            let (core, macro_, array, phase) = (
                nonneg(core, "core")?,
                nonneg(macro_, "macro")?,
                nonneg(array, "array")?,
                nonneg(phase, "phase")?,
            );
            let status = cimc_rt_program(
                sim,
                core,
                macro_,
                array,
                phase,
                cells.as_ptr().cast(),
                rows,
                cols,
                nonneg(cell_bits, "cell_bits")?,
                flags.as_ptr().cast(),
            );
            if status != CIMC_RT_OK || label_len == 0 {
                return Ok(status);
            }
            let len = usize::try_from(label_len)
                .map_err(|_| SimError::BadArgument("negative label length".into()))?;
            Ok(cimc_rt_set_label(
                sim, core, macro_, array, phase, label, len,
            ))
        })
    }
}

/// `cim.mvm` from compiled code: `input` is `n × rows` i8 (any strides),
/// `output` a row-major `n × cols` i32 buffer, then the placement, the
/// widths, the stage and the dependency tokens. Returns the mvm's token, or
/// 0 when the call failed (the failure is deferred; `output` is zeroed).
///
/// # Safety
/// The descriptors describe live buffers.
#[no_mangle]
pub unsafe extern "C" fn _mlir_ciface_cimc_host_mvm(
    sim: *mut CimcRtSim,
    input: *const CimcMemRef2I8,
    output: *const CimcMemRef2I32,
    core: i32,
    macro_: i32,
    array: i32,
    phase: i32,
    input_bits: i32,
    dac_bits: i32,
    adc_bits: i32,
    adc_shift: i32,
    max_active_rows: i32,
    stage: i32,
    deps: *const CimcMemRef1I64,
) -> u64 {
    // SAFETY: forwarded from the caller.
    let token = unsafe {
        deferred_token(sim, |sim, token| {
            let MatrixCall {
                x,
                n,
                k: rows,
                out,
                cols,
                tokens,
            } = matrix_call(input, output, deps, "mvm")?;
            Ok(cimc_rt_mvm(
                sim,
                nonneg(core, "core")?,
                nonneg(macro_, "macro")?,
                nonneg(array, "array")?,
                nonneg(phase, "phase")?,
                x.as_ptr(),
                n,
                rows,
                out,
                cols,
                nonneg(input_bits, "input_bits")?,
                nonneg(dac_bits, "dac_bits")?,
                nonneg(adc_bits, "adc_bits")?,
                nonneg(adc_shift, "adc_shift")?,
                nonneg(max_active_rows, "max_active_rows")?,
                nonneg(stage, "stage")?,
                tokens.as_ptr().cast(),
                tokens.len(),
                token,
            ))
        })
    };
    token.unwrap_or_else(|| {
        // SAFETY: a non-null output describes a live row-major buffer.
        unsafe { zero_output(output) };
        0
    })
}

/// Zeroes a failed call's row-major i32 output.
///
/// # Safety
/// `output` is null or describes a live row-major buffer.
unsafe fn zero_output(output: *const CimcMemRef2I32) {
    // SAFETY: per the caller.
    unsafe {
        if let Some(out) = output.as_ref() {
            if !out.aligned.is_null() && out.sizes.iter().all(|s| *s >= 0) {
                let len = (out.sizes[0] * out.sizes[1]) as usize;
                std::ptr::write_bytes(out.aligned.offset(out.offset as isize), 0, len);
            }
        }
    }
}

/// Program tables from compiled code (`@cimc_init`): `len` bytes at
/// `tables`, as `cimc_rt_load_tables`. Returns the status (also deferred).
///
/// # Safety
/// `tables` points to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn _mlir_ciface_cimc_host_load(
    sim: *mut CimcRtSim,
    tables: *const u8,
    len: i64,
) -> i32 {
    // SAFETY: forwarded from the caller.
    unsafe {
        deferred(sim, |sim| {
            let len = usize::try_from(len)
                .map_err(|_| SimError::BadArgument(format!("table length {len} is negative")))?;
            Ok(cimc_rt_load_tables(sim, tables, len))
        })
    }
}

/// A crossbar layer from compiled code: `input` is the layer's `n × k` i8
/// matrix (any strides), `output` a row-major `n × cols` i32 buffer, then
/// the dependency tokens; as `cimc_rt_layer`. Returns the token of the
/// layer's last operation, or 0 when the call failed (the failure is
/// deferred; `output` is zeroed).
///
/// # Safety
/// The descriptors describe live buffers.
#[no_mangle]
pub unsafe extern "C" fn _mlir_ciface_cimc_host_layer(
    sim: *mut CimcRtSim,
    layer: i32,
    input: *const CimcMemRef2I8,
    output: *const CimcMemRef2I32,
    deps: *const CimcMemRef1I64,
) -> u64 {
    // SAFETY: forwarded from the caller.
    let token = unsafe {
        deferred_token(sim, |sim, token| {
            let MatrixCall {
                x,
                n,
                k,
                out,
                cols,
                tokens,
            } = matrix_call(input, output, deps, "layer")?;
            Ok(cimc_rt_layer(
                sim,
                nonneg(layer, "layer")?,
                x.as_ptr(),
                n,
                k,
                out,
                cols,
                tokens.as_ptr().cast(),
                tokens.len(),
                token,
            ))
        })
    };
    token.unwrap_or_else(|| {
        // SAFETY: a non-null output describes a live row-major buffer.
        unsafe { zero_output(output) };
        0
    })
}

/// `cim.im2col` from compiled code: `input` an `n × h × w × c` byte view
/// (any strides), `output` a row-major byte buffer of the windows, then the
/// geometry (as `CimcRtWindow`, each a value) and the dependency tokens; as
/// `cimc_rt_im2col`. Returns its token, or 0 (failure deferred; `output`
/// is left as it was).
///
/// # Safety
/// The descriptors describe live buffers.
#[no_mangle]
pub unsafe extern "C" fn _mlir_ciface_cimc_host_im2col(
    sim: *mut CimcRtSim,
    input: *const CimcMemRef4I8,
    output: *const CimcMemRef2I8,
    kernel_h: i32,
    kernel_w: i32,
    stride_h: i32,
    stride_w: i32,
    dilation_h: i32,
    dilation_w: i32,
    pad_top: i32,
    pad_bottom: i32,
    pad_left: i32,
    pad_right: i32,
    pad_value: i32,
    channel_major: i32,
    deps: *const CimcMemRef1I64,
) -> u64 {
    // SAFETY: forwarded from the caller.
    let token = unsafe {
        deferred_token(sim, |sim, token| {
            let input = input.as_ref().ok_or(SimError::NullPointer("input"))?;
            let output = output.as_ref().ok_or(SimError::NullPointer("output"))?;
            let deps = deps.as_ref().ok_or(SimError::NullPointer("deps"))?;
            if output.aligned.is_null() {
                return Err(SimError::NullPointer("output"));
            }
            if output.strides != [output.sizes[1], 1] && output.sizes[0] > 1 {
                return Err(SimError::BadArgument(
                    "the im2col output must be row-major".into(),
                ));
            }
            let rows = usize::try_from(output.sizes[0]);
            let cols = usize::try_from(output.sizes[1]);
            let (Ok(rows), Ok(cols)) = (rows, cols) else {
                return Err(SimError::BadArgument("negative im2col output size".into()));
            };
            let x = gather(input.aligned, input.offset, &input.sizes, &input.strides)?;
            let tokens = gather(deps.aligned, deps.offset, &deps.sizes, &deps.strides)?;
            let window = CimcRtWindow {
                kernel_h: nonneg(kernel_h, "kernel_h")?,
                kernel_w: nonneg(kernel_w, "kernel_w")?,
                stride_h: nonneg(stride_h, "stride_h")?,
                stride_w: nonneg(stride_w, "stride_w")?,
                dilation_h: nonneg(dilation_h, "dilation_h")?,
                dilation_w: nonneg(dilation_w, "dilation_w")?,
                pad_top: nonneg(pad_top, "pad_top")?,
                pad_bottom: nonneg(pad_bottom, "pad_bottom")?,
                pad_left: nonneg(pad_left, "pad_left")?,
                pad_right: nonneg(pad_right, "pad_right")?,
                pad_value,
                channel_major: nonneg(channel_major, "channel_major")?,
            };
            let out = output.aligned.wrapping_offset(output.offset as isize);
            Ok(cimc_rt_im2col(
                sim,
                x.as_ptr(),
                dim(input.sizes[0], "n")?,
                dim(input.sizes[1], "h")?,
                dim(input.sizes[2], "w")?,
                dim(input.sizes[3], "c")?,
                &window,
                out,
                rows.saturating_mul(cols),
                tokens.as_ptr().cast(),
                tokens.len(),
                token,
            ))
        })
    };
    token.unwrap_or(0)
}

/// An op between crossbar layers from compiled code: `elements` elements of
/// class `class` (`CIMC_RT_OP_*`, the compiler's choice of unit) at
/// `element_bytes` bytes each, named `name` in the trace, after the
/// dependency tokens (`cimc_rt_vector_op`). Returns its token, or 0
/// (failure deferred).
///
/// # Safety
/// `name` points to `name_len` bytes; `deps` describes a live buffer.
#[no_mangle]
pub unsafe extern "C" fn _mlir_ciface_cimc_host_op(
    sim: *mut CimcRtSim,
    class: i32,
    elements: i64,
    element_bytes: i32,
    name: *const c_char,
    name_len: i64,
    deps: *const CimcMemRef1I64,
) -> u64 {
    // SAFETY: forwarded from the caller.
    let token = unsafe {
        deferred_token(sim, |sim, token| {
            let deps = deps.as_ref().ok_or(SimError::NullPointer("deps"))?;
            let tokens = gather(deps.aligned, deps.offset, &deps.sizes, &deps.strides)?;
            let elements = u64::try_from(elements)
                .map_err(|_| SimError::BadArgument("negative element count".into()))?;
            let len = usize::try_from(name_len)
                .map_err(|_| SimError::BadArgument("negative name length".into()))?;
            Ok(cimc_rt_vector_op(
                sim,
                nonneg(class, "class")?,
                elements,
                nonneg(element_bytes, "element_bytes")?,
                name,
                len,
                tokens.as_ptr().cast(),
                tokens.len(),
                token,
            ))
        })
    };
    token.unwrap_or(0)
}

/// Starts a sample under `schedule` (`cimc_rt_begin_sample`): compiled
/// code calls it at the top of every public entry. Returns 0 (a failure is
/// deferred).
///
/// # Safety
/// `sim` is null or a live handle.
#[no_mangle]
pub unsafe extern "C" fn _mlir_ciface_cimc_host_begin(sim: *mut CimcRtSim, schedule: i32) -> u64 {
    // SAFETY: forwarded from the caller.
    unsafe {
        deferred_token(sim, |sim, _| {
            Ok(cimc_rt_begin_sample(sim, nonneg(schedule, "schedule")?))
        })
    };
    0
}

/// The first failure of a host entry point on this simulator (CIMC_RT_OK if
/// none); `cimc_rt_host_error` says why. Check it after compiled code ran.
///
/// # Safety
/// `sim` is null or a live handle.
#[no_mangle]
pub unsafe extern "C" fn cimc_rt_host_status(sim: *const CimcRtSim) -> i32 {
    // SAFETY: null or live per the caller.
    match unsafe { sim.as_ref() } {
        Some(handle) => handle.host_status,
        None => CIMC_RT_NULL_POINTER,
    }
}

/// The message of the deferred host failure ("" if none). Static for the
/// handle's lifetime.
///
/// # Safety
/// `sim` is null or a live handle.
#[no_mangle]
pub unsafe extern "C" fn cimc_rt_host_error(sim: *const CimcRtSim) -> *const c_char {
    // SAFETY: null or live per the caller.
    match unsafe { sim.as_ref() } {
        Some(handle) => handle.host_error.as_ptr(),
        None => c"sim is null".as_ptr(),
    }
}

/// Selects the mvm kernels: 0 = automatic (the direct kernel where the ADC
/// is provably ideal), 1 = the bit-plane kernel everywhere (proves the
/// bit-sliced path exact; slower). Results are identical either way.
///
/// # Safety
/// `sim` is null or a live handle.
#[no_mangle]
pub unsafe extern "C" fn cimc_rt_set_kernel(sim: *mut CimcRtSim, kernel: u32) -> i32 {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_sim(sim, |s| {
            let choice = match kernel {
                0 => KernelChoice::Auto,
                1 => KernelChoice::BitPlane,
                other => {
                    return Err(SimError::BadArgument(format!(
                        "kernel must be 0 (auto) or 1 (bit-plane), got {other}"
                    )))
                }
            };
            s.set_kernel_choice(choice);
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sim() -> *mut CimcRtSim {
        Box::into_raw(CimcRtSim::new(
            Simulator::new(cimc_target::Target::default()).unwrap(),
        ))
    }

    fn view2(data: &mut [i8], rows: i64, cols: i64, row_stride: i64) -> CimcMemRef2I8 {
        CimcMemRef2I8 {
            allocated: data.as_mut_ptr(),
            aligned: data.as_mut_ptr(),
            offset: 0,
            sizes: [rows, cols],
            strides: [row_stride, 1],
        }
    }

    fn tokens(data: &mut [i64]) -> CimcMemRef1I64 {
        CimcMemRef1I64 {
            allocated: data.as_mut_ptr(),
            aligned: data.as_mut_ptr(),
            offset: 0,
            sizes: [data.len() as i64],
            strides: [1],
        }
    }

    #[test]
    fn strided_views_program_and_compute_exactly() {
        let s = sim();
        // A 2 × 2 tile read from a 2 × 3 buffer (row stride 3).
        let mut levels = [1i8, 2, 99, 3, 0, 99];
        let mut flags = [0i8, 0];
        let flipped = CimcMemRef1I8 {
            allocated: flags.as_mut_ptr(),
            aligned: flags.as_mut_ptr(),
            offset: 0,
            sizes: [2],
            strides: [1],
        };
        let label = "fc";
        let status = unsafe {
            _mlir_ciface_cimc_host_program(
                s,
                &view2(&mut levels, 2, 2, 3),
                &flipped,
                0,
                0,
                0,
                0,
                2,
                label.as_ptr().cast(),
                label.len() as i64,
            )
        };
        assert_eq!(status, CIMC_RT_OK);
        // Inputs: a column view (stride 2) of [[5, x], [-3, x]] → one vector [5, -3].
        let mut x = [5i8, 7, -3, 7];
        let input = CimcMemRef2I8 {
            allocated: x.as_mut_ptr(),
            aligned: x.as_mut_ptr(),
            offset: 0,
            sizes: [1, 2],
            strides: [4, 2],
        };
        let mut out = [0i32; 2];
        let output = CimcMemRef2I32 {
            allocated: out.as_mut_ptr(),
            aligned: out.as_mut_ptr(),
            offset: 0,
            sizes: [1, 2],
            strides: [2, 1],
        };
        let mut deps = [0i64];
        let token = unsafe {
            _mlir_ciface_cimc_host_mvm(
                s,
                &input,
                &output,
                0,
                0,
                0,
                0,
                8,
                1,
                0,
                0,
                128,
                0,
                &tokens(&mut deps),
            )
        };
        assert_ne!(token, 0);
        assert_eq!(out, [5 - 9, 10]);
        unsafe { cimc_rt_destroy(s) };
    }

    #[test]
    fn failures_are_deferred_and_sticky() {
        let s = sim();
        let mut x = [1i8, 2];
        let mut out = [7i32; 2];
        let output = CimcMemRef2I32 {
            allocated: out.as_mut_ptr(),
            aligned: out.as_mut_ptr(),
            offset: 0,
            sizes: [1, 2],
            strides: [2, 1],
        };
        let mut deps = [0i64];
        // Array 0 was never programmed.
        let token = unsafe {
            _mlir_ciface_cimc_host_mvm(
                s,
                &view2(&mut x, 1, 2, 2),
                &output,
                0,
                0,
                0,
                0,
                8,
                1,
                8,
                0,
                128,
                0,
                &tokens(&mut deps),
            )
        };
        assert_eq!(token, 0);
        assert_eq!(out, [0, 0], "a failed mvm writes zeros");
        assert_eq!(
            unsafe { cimc_rt_host_status(s) },
            CIMC_RT_UNPROGRAMMED_ARRAY
        );
        let message = unsafe { std::ffi::CStr::from_ptr(cimc_rt_host_error(s)) };
        assert!(
            message.to_string_lossy().contains("array"),
            "the message names the array: {message:?}"
        );
        // Later calls do nothing and keep the first failure.
        let name = "tosa.add";
        let mut deps = [12345i64];
        let op = unsafe {
            _mlir_ciface_cimc_host_op(s, 3, 10, 4, name.as_ptr().cast(), 8, &tokens(&mut deps))
        };
        assert_eq!(op, 0);
        assert_eq!(
            unsafe { cimc_rt_host_status(s) },
            CIMC_RT_UNPROGRAMMED_ARRAY
        );
        let stats = unsafe { (*s).simulator().stats() };
        assert_eq!((stats.host_ops, stats.vector_ops), (0, 0));
        assert_eq!(unsafe { cimc_rt_set_kernel(s, 2) }, CIMC_RT_BAD_ARGUMENT);
        unsafe { cimc_rt_destroy(s) };
        assert_eq!(
            unsafe { cimc_rt_host_status(std::ptr::null()) },
            CIMC_RT_NULL_POINTER
        );
    }
}
