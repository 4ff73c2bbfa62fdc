//! The ids the simulator hands out and the trace shows: arrays, completion
//! tokens, and the trace's processes and threads.
//!
//! They are leaves: errors, stats, the trace and the simulator all name
//! arrays, so the ids live here rather than in [`crate::sim`].
//!
//! Trace processes and threads (see [`crate::trace`]): each core is a
//! process whose threads are its arrays (`macro · arrays_per_macro +
//! array`), then its buffer port, then its network port; the host is the
//! process after the last core.

use std::fmt;

use cimc_target::Target;

/// An array's place in the hierarchy: core, macro within the core, array
/// within the macro (`cim.core`, `cim.macro`, `cim.array`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ArrayId {
    pub core: u32,
    pub macro_: u32,
    pub array: u32,
}

impl ArrayId {
    pub fn new(core: u32, macro_: u32, array: u32) -> ArrayId {
        ArrayId {
            core,
            macro_,
            array,
        }
    }
}

impl fmt::Display for ArrayId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "array (core {}, macro {}, array {})",
            self.core, self.macro_, self.array
        )
    }
}

/// A completion token: issued by [`Simulator::mvm`], [`Simulator::host_op`]
/// and [`Simulator::transfer`], starting at 1. 0 is never issued and means
/// "no dependency" in a dependency list.
pub type Token = u64;

/// The trace thread of an array within its core's process.
pub(crate) fn array_tid(target: &Target, id: ArrayId) -> u32 {
    id.macro_ * target.macro_.arrays + id.array
}

/// The trace thread of a core's buffer port (after its arrays).
pub(crate) fn buffer_port_tid(target: &Target) -> u32 {
    target.core.macros * target.macro_.arrays
}

/// The trace thread of a core's network port (after its buffer port).
pub(crate) fn network_port_tid(target: &Target) -> u32 {
    target.core.macros * target.macro_.arrays + 1
}

/// The trace thread of a core's vector unit (after its network port).
pub(crate) fn vector_unit_tid(target: &Target) -> u32 {
    target.core.macros * target.macro_.arrays + 2
}

/// The trace process of the host (after the cores).
pub(crate) fn host_pid(target: &Target) -> u32 {
    target.chip.cores
}

/// The trace's process and thread names: (pid, tid) → name.
pub(crate) fn thread_name(target: &Target, pid: u32, tid: u32) -> (String, String) {
    let cores = target.chip.cores;
    if pid >= cores {
        let thread = if tid == 1 { "global memory" } else { "host" };
        return ("host".into(), thread.into());
    }
    let arrays = target.macro_.arrays;
    let per_core = target.core.macros * arrays;
    let thread = if tid == per_core {
        "buffer port".to_string()
    } else if tid == per_core + 1 {
        "network port".to_string()
    } else if tid == per_core + 2 {
        "vector unit".to_string()
    } else {
        format!("macro {} array {}", tid / arrays, tid % arrays)
    };
    (format!("core {pid}"), thread)
}
