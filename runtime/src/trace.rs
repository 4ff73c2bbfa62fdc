//! Aggregated events and their Chrome/Perfetto trace JSON.
//!
//! One event per tile write, per mvm (its read steps on the array, plus
//! its input load and output store on the core's buffer port), per host op,
//! per core of a vector op and per transfer — never one per array step. The JSON is the Trace Event
//! Format: `{"traceEvents": [...], "displayTimeUnit": "ns", "otherData":
//! {...}}` with complete events (`"ph": "X"`, `ts` and `dur` in µs) and
//! metadata events naming processes and threads:
//!
//! | pid | tid | what |
//! |---|---|---|
//! | core c | macro · arrays_per_macro + array | that array (writes, mvms) |
//! | core c | macros · arrays_per_macro | the core's buffer port (loads, stores) |
//! | core c | macros · arrays_per_macro + 1 | the core's network port (transfers, on the source core) |
//! | core c | macros · arrays_per_macro + 2 | the core's vector unit (ops between crossbar layers) |
//! | chip.cores | 0 | the host (host ops) |
//! | chip.cores | 1 | the global memory (spills) |
//!
//! Every event's `args` carry `start_cycle`, `cycles` and `energy_pj` (and
//! its components); they add up to the totals of [`crate::Stats`].

use std::collections::BTreeMap;

use cimc_target::Target;
use serde_json::{json, Value};

use crate::ids::thread_name;
use crate::stats::{Energy, Stats};

/// What an event is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// A tile written before the run or issued by a program call in the run.
    Program,
    /// A tile written because an mvm needed another phase.
    Reprogram,
    /// The read steps of an mvm on its array.
    Mvm,
    /// An mvm's inputs read from the core buffer.
    Load,
    /// An mvm's partial sums written to the core buffer.
    Store,
    /// A host op.
    Host,
    /// A transfer between cores (or a spill through the global memory).
    Transfer,
    /// An op between crossbar layers on a core's vector unit.
    Vector,
}

impl EventKind {
    /// The trace category.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Program => "program",
            EventKind::Reprogram => "reprogram",
            EventKind::Mvm => "mvm",
            EventKind::Load => "load",
            EventKind::Store => "store",
            EventKind::Host => "host",
            EventKind::Transfer => "transfer",
            EventKind::Vector => "vector",
        }
    }
}

/// One aggregated event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub kind: EventKind,
    pub name: String,
    pub pid: u32,
    pub tid: u32,
    /// Start and duration in clock cycles.
    pub start: u64,
    pub cycles: u64,
    pub energy: Energy,
    /// Details shown in the trace viewer.
    pub args: Value,
}

/// The trace JSON of `events` (see the module docs) of a run on `target`
/// that reported `stats`.
pub fn to_json(target: &Target, stats: &Stats, events: &[Event]) -> Value {
    let us_per_cycle = target.cycle_ns() / 1000.0;
    let mut threads: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for e in events {
        let t = threads.entry(e.pid).or_default();
        if !t.contains(&e.tid) {
            t.push(e.tid);
        }
    }
    let mut out = Vec::with_capacity(events.len() + 2 * threads.len());
    for (&pid, tids) in &threads {
        let (process, _) = thread_name(target, pid, 0);
        out.push(json!({
            "name": "process_name", "ph": "M", "pid": pid, "tid": 0,
            "args": { "name": process },
        }));
        out.push(json!({
            "name": "process_sort_index", "ph": "M", "pid": pid, "tid": 0,
            "args": { "sort_index": pid },
        }));
        for &tid in tids {
            let (_, thread) = thread_name(target, pid, tid);
            out.push(json!({
                "name": "thread_name", "ph": "M", "pid": pid, "tid": tid,
                "args": { "name": thread },
            }));
        }
    }
    for e in events {
        let mut args = json!({
            "start_cycle": e.start,
            "cycles": e.cycles,
            "energy_pj": e.energy.total(),
        });
        let components = e.energy.to_json();
        if let (Some(a), Some(c)) = (args.as_object_mut(), components.as_object()) {
            for (k, v) in c {
                if k != "total" && v.as_f64() != Some(0.0) {
                    a.insert(format!("energy_{k}_pj"), v.clone());
                }
            }
            if let Some(extra) = e.args.as_object() {
                a.extend(extra.clone());
            }
        }
        out.push(json!({
            "name": e.name,
            "cat": e.kind.as_str(),
            "ph": "X",
            "ts": e.start as f64 * us_per_cycle,
            "dur": e.cycles as f64 * us_per_cycle,
            "pid": e.pid,
            "tid": e.tid,
            "args": args,
        }));
    }
    json!({
        "traceEvents": out,
        "displayTimeUnit": "ns",
        "otherData": {
            "generator": "cimc-runtime",
            "abi_version": crate::ABI_VERSION,
            "target": target.name,
            "clock_mhz": target.clock_mhz,
            "stats": stats.to_json(false),
        },
    })
}
