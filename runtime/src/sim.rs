//! The simulator: arrays that hold programmed tiles, the resources that
//! operations occupy, and the event model that times them.
//!
//! Operations are issued in program order, each with the tokens of the
//! operations it depends on; its functional result is computed when it is
//! issued, and its events are placed on the resources it occupies:
//!
//! - an **array** works on one thing at a time, in issue order: writing a
//!   tile, or an mvm's read steps;
//! - each core's **buffer port** carries mvm inputs in and partial sums out,
//!   at `buffer.bandwidth_bytes_per_cycle`; each core's **network port**
//!   carries transfers between cores at
//!   `interconnect.core_bandwidth_bytes_per_cycle`; both take a transfer at
//!   the earliest gap that fits it (not necessarily in issue order);
//! - each core's **vector unit** runs the integer ops between crossbar
//!   layers (`OpClass`: requantize, activation, pool, elementwise, copy) on
//!   the cores where their operands live, split evenly over them, at the
//!   earliest gap that fits; operands that live elsewhere come over the
//!   network first;
//! - the **global memory** takes what does not fit a core's input buffer;
//! - the **host** runs what no unit can (host ops) one at a time, in issue
//!   order.
//!
//! Every token remembers the cores its result lives on (an mvm's core, the
//! cores a vector op ran on; none for the host and the program's inputs,
//! which enter at core 0, the I/O core).
//!
//! Samples: [`Simulator::begin_sample`] starts one inference (compiled code
//! calls it at the top of every entry). Under the `layer-sequential`
//! schedule no op of a sample starts before everything issued for the
//! previous one is done; under `ht` samples overlap as the resources allow,
//! so each layer's arrays work on a later sample while the next layer works
//! on an earlier one: a pipeline whose period is the slowest stage.
//!
//! An operation starts when its dependencies are done and its resources are
//! free, so arrays (and macros and cores) work in parallel and a pipelined
//! schedule shows as overlapping events. Tiles written before the first mvm,
//! host op or transfer are the initial programming: the run starts when it
//! is done, and every later operation starts no earlier.

use std::collections::BTreeMap;
use std::path::Path;

use cimc_target::cost::{self, MvmCost, OpClass};
use cimc_target::Target;
use serde_json::{json, Value};

use crate::adc_range::SumHistogram;
use crate::error::{Result, SimError};
use crate::ids;
use crate::mvm::{KernelChoice, MvmKernel, MvmParams};
use crate::noise::Analog;
use crate::stats::{AnalogStats, ArrayStats, Energy, LayerError, Stats};
use crate::tile::Tile;
use crate::trace::{self, Event, EventKind};

// The ids live in their own module, below this one, so that errors, stats
// and the trace need not import the simulator; `sim::ArrayId` keeps working.
pub use crate::ids::{ArrayId, Token};

/// One mvm to issue (the operands and attributes of a placed and scheduled
/// `cim.mvm`).
#[derive(Debug, Clone, Copy)]
pub struct MvmIssue<'a> {
    pub array: ArrayId,
    /// The reprogramming phase of the tile to read (`cim.phase`).
    pub phase: u32,
    /// `n × rows` input elements, row-major.
    pub input: &'a [i8],
    pub n: usize,
    /// Must equal the programmed tile's rows and columns.
    pub rows: u32,
    pub cols: u32,
    pub params: MvmParams,
    /// `cim.stage` (reported in the trace).
    pub stage: u32,
    pub deps: &'a [Token],
}

/// A host operation: a simple model in which the caller gives the cost per
/// element.
#[derive(Debug, Clone, Copy)]
pub struct HostOp<'a> {
    /// Shown in the trace.
    pub name: &'a str,
    pub elements: u64,
    /// Host cycles per element (the op takes ⌈elements × this⌉ cycles).
    pub cycles_per_element: f64,
    /// pJ per element; `None`: the target's `energy.host_op_per_element`.
    pub pj_per_element: Option<f64>,
}

/// An op between crossbar layers (`OpClass`), run where its operands live.
#[derive(Debug, Clone, Copy)]
pub struct VectorOp<'a> {
    /// Shown in the trace.
    pub name: &'a str,
    pub class: OpClass,
    pub elements: u64,
    /// Bytes per element of its operands (what moves when one comes from
    /// another core).
    pub element_bytes: u64,
}

/// How consecutive samples share the chip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Schedule {
    /// A sample starts when the previous one is done.
    #[default]
    LayerSequential,
    /// High throughput: samples overlap, each stage on its own arrays.
    Ht,
    /// Low latency: samples one after the other, and inside a sample an op
    /// starts once the first rows it reads exist (line-buffer granularity):
    /// results arrive in bands of rows ([`Simulator::view_rows`]).
    Ll,
}

impl Schedule {
    /// The ABI number (`CIMC_RT_SCHEDULE_*`).
    pub fn from_code(code: u32) -> Option<Schedule> {
        match code {
            0 => Some(Schedule::LayerSequential),
            1 => Some(Schedule::Ht),
            2 => Some(Schedule::Ll),
            _ => None,
        }
    }

    /// The `cim.schedule` spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Schedule::LayerSequential => "layer-sequential",
            Schedule::Ht => "ht",
            Schedule::Ll => "ll",
        }
    }
}

/// When one sample's work started and ended.
#[derive(Debug, Clone, Copy)]
struct SampleSpan {
    first_start: u64,
    end: u64,
}

/// How an op's inputs arrive: the first of `bands` bands of rows at
/// `first`, the last at `last` (all at once: one band, `first == last`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Flow {
    first: u64,
    last: u64,
    bands: u32,
}

impl Flow {
    /// The end of `cycles` of work started at `start` on this flow: the
    /// work goes band by band, so its last band cannot start before the
    /// last input band is there.
    fn end(&self, start: u64, cycles: u64) -> u64 {
        let band = cycles.div_ceil(u64::from(self.bands.max(1)));
        start
            .saturating_add(cycles)
            .max(self.last.saturating_add(band))
    }

    /// When the first band of the work's result is out.
    fn first_out(&self, start: u64, cycles: u64) -> u64 {
        start.saturating_add(cycles.div_ceil(u64::from(self.bands.max(1))))
    }
}

/// Work placed band by band ([`Simulator::place`]): its contiguous runs
/// `[start, end)` in order, and when its first band is done.
#[derive(Debug, Clone, Default)]
struct Placed {
    runs: Vec<(u64, u64)>,
    first_end: u64,
}

impl Placed {
    fn start(&self) -> u64 {
        self.runs.first().map_or(0, |r| r.0)
    }

    fn end(&self) -> u64 {
        self.runs.last().map_or(0, |r| r.1)
    }

    /// Each run's share of `total` (energy split by cycles).
    fn shares(&self, total: f64) -> impl Iterator<Item = ((u64, u64), f64)> + '_ {
        let cycles: u64 = self.runs.iter().map(|r| r.1 - r.0).sum();
        self.runs.iter().map(move |r| {
            let f = if cycles == 0 {
                1.0 / self.runs.len() as f64
            } else {
                (r.1 - r.0) as f64 / cycles as f64
            };
            (*r, total * f)
        })
    }
}

/// A time line of busy intervals `[start, end)`, disjoint and merged.
#[derive(Debug, Clone, Default)]
struct Port {
    busy: BTreeMap<u64, u64>,
    total: u64,
    run_total: u64,
}

impl Port {
    /// The earliest start ≥ `ready` of a gap of `len` cycles.
    fn earliest(&self, ready: u64, len: u64) -> u64 {
        if len == 0 {
            return ready;
        }
        let mut t = ready;
        let before = self.busy.range(..=ready).next_back();
        for (&s, &e) in before
            .into_iter()
            .chain(self.busy.range(ready.saturating_add(1)..))
        {
            if e <= t {
                continue;
            }
            if s >= t.saturating_add(len) {
                break;
            }
            t = t.max(e);
        }
        t
    }

    fn reserve(&mut self, start: u64, len: u64, run: bool) {
        if len == 0 {
            return;
        }
        self.total += len;
        if run {
            self.run_total += len;
        }
        let (mut s, mut e) = (start, start + len);
        if let Some((&ps, &pe)) = self.busy.range(..=s).next_back() {
            if pe >= s {
                s = ps;
                e = e.max(pe);
                self.busy.remove(&ps);
            }
        }
        if let Some((&ns, &ne)) = self.busy.range(s..).next() {
            if ns <= e {
                e = e.max(ne);
                self.busy.remove(&ns);
            }
        }
        self.busy.insert(s, e);
    }
}

/// One tile stored for an array and a phase.
#[derive(Debug, Clone)]
struct Slot {
    tile: Tile,
    label: Option<String>,
    kernel: Option<MvmKernel>,
    /// mvms read from the slot so far (keys the analog kernel's read noise).
    reads: u64,
    /// With non-idealities: the exact kernel, for the ideal chip's results.
    ideal: Option<MvmKernel>,
    /// For layer errors: the exact kernel with an ideal ADC (Σ x·W).
    exact: Option<MvmKernel>,
    /// ADC range calibration: the bit-plane kernel that shows the sums.
    observer: Option<MvmKernel>,
}

#[derive(Debug, Clone, Default)]
struct ArrayState {
    /// The phase whose tile the cells hold.
    loaded: Option<u32>,
    slots: BTreeMap<u32, Slot>,
    free: u64,
    mvms: u64,
    steps: u64,
    read_cycles: u64,
    programs: u64,
    program_cycles: u64,
    run_busy: u64,
    used: bool,
}

/// The cycle-level crossbar simulator of one target.
#[derive(Debug)]
pub struct Simulator {
    target: Target,
    kernel_choice: KernelChoice,
    /// The analog model when the target turns a non-ideality on.
    analog: Option<Analog>,
    /// Per layer label: its results against the ideal chip's and the exact
    /// product's.
    layer_errors: BTreeMap<String, LayerError>,
    /// Record layer errors on an exact chip too.
    record_errors: bool,
    /// ADC range calibration: per layer, the step sums its reads presented.
    adc_sums: Option<BTreeMap<String, SumHistogram>>,
    arrays: Vec<ArrayState>,
    buffers: Vec<Port>,
    network: Vec<Port>,
    vector: Vec<Port>,
    global: Port,
    host_free: u64,
    host_run_busy: u64,
    /// `done[token − 1]`: the cycle the operation completes.
    done: Vec<u64>,
    /// `origin[token − 1]`: the cores its result lives on (sorted; empty:
    /// the host or outside the chip).
    origin: Vec<Vec<u32>>,
    /// `first[token − 1]`, `bands[token − 1]`: under the ll schedule, the
    /// result comes in `bands` bands of rows, the first at `first`, the
    /// last at `done` (evenly between); one band otherwise.
    first: Vec<u64>,
    bands: Vec<u32>,
    /// The schedule of the current sample.
    schedule: Schedule,
    /// Views of a smaller source ([`Simulator::view`]): token → source size
    /// over view size.
    scales: std::collections::HashMap<Token, f64>,
    /// The earliest start of the current sample's ops.
    floor: u64,
    samples: Vec<SampleSpan>,
    init_end: u64,
    run_start: Option<u64>,
    end: u64,
    finished: bool,
    batch: u64,
    events: Vec<Event>,
    energy: Energy,
    init_energy: f64,
    counts: Counts,
}

#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    steps: u64,
    mvms: u64,
    programs: u64,
    reprograms: u64,
    host_ops: u64,
    vector_ops: u64,
    transfers: u64,
    spilled_bytes: u64,
    ops: u64,
}

impl Simulator {
    /// A simulator of `target`: an exact chip, or with the target's
    /// non-idealities one instance of an analog chip (its seed is
    /// `non_idealities.seed`; see [`crate::noise`]).
    pub fn new(target: Target) -> Result<Simulator> {
        let arrays = target.total_arrays();
        if arrays > 1 << 24 {
            return Err(SimError::BadTarget(format!(
                "{arrays} arrays: the simulator handles at most 2^24"
            )));
        }
        let cores = target.chip.cores as usize;
        Ok(Simulator {
            arrays: vec![ArrayState::default(); arrays as usize],
            buffers: vec![Port::default(); cores],
            network: vec![Port::default(); cores],
            vector: vec![Port::default(); cores],
            global: Port::default(),
            analog: Analog::of(&target),
            layer_errors: BTreeMap::new(),
            record_errors: false,
            adc_sums: None,
            target,
            kernel_choice: KernelChoice::Auto,
            host_free: 0,
            host_run_busy: 0,
            done: Vec::new(),
            origin: Vec::new(),
            first: Vec::new(),
            bands: Vec::new(),
            schedule: Schedule::LayerSequential,
            scales: std::collections::HashMap::new(),
            floor: 0,
            samples: Vec::new(),
            init_end: 0,
            run_start: None,
            end: 0,
            finished: false,
            batch: 1,
            events: Vec::new(),
            energy: Energy::default(),
            init_energy: 0.0,
            counts: Counts::default(),
        })
    }

    /// A simulator of the target in TOML text (see `cimc-target`; it may
    /// start from a preset with `base = "isaac"`).
    pub fn from_toml(text: &str) -> Result<Simulator> {
        let target = Target::from_toml_str(text, "<runtime target>")
            .map_err(|e| SimError::BadTarget(e.to_string()))?;
        Simulator::new(target)
    }

    /// The target.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Forces a kernel for every later mvm (the results are the same; for
    /// tests and benchmarks).
    pub fn set_kernel_choice(&mut self, choice: KernelChoice) {
        self.kernel_choice = choice;
        for a in &mut self.arrays {
            for slot in a.slots.values_mut() {
                slot.kernel = None;
                slot.ideal = None;
                slot.exact = None;
                slot.observer = None;
            }
        }
    }

    /// Whether the chip is analog (the target turns a non-ideality on).
    pub fn is_analog(&self) -> bool {
        self.analog.is_some()
    }

    /// Also records each layer's results against the exact product on an
    /// exact chip (an analog chip always does): per-layer SQNR in
    /// [`Stats::layers`], what the ADC loses.
    pub fn set_layer_errors(&mut self, on: bool) {
        self.record_errors = on;
    }

    /// Whether layers record their results against the ideal chip's and
    /// the exact product.
    pub fn records_layer_errors(&self) -> bool {
        self.record_errors || self.analog.is_some()
    }

    /// Records a layer's results against the ideal chip's (`ideal`, on an
    /// analog chip) and the exact product's for the same inputs.
    pub fn record_layer_error(
        &mut self,
        label: &str,
        ideal: Option<&[i32]>,
        exact: &[i32],
        result: &[i32],
    ) {
        let energy = |reference: &[i32]| {
            reference
                .iter()
                .zip(result)
                .fold((0.0, 0.0), |(s, e), (&i, &r)| {
                    let (i, r) = (f64::from(i), f64::from(r));
                    (s + i * i, e + (r - i) * (r - i))
                })
        };
        let (exact_signal, exact_noise) = energy(exact);
        let (signal, noise) = ideal.map_or((exact_signal, 0.0), energy);
        self.layer_errors
            .entry(label.to_string())
            .or_insert_with(|| LayerError {
                layer: label.to_string(),
                ..LayerError::default()
            })
            .merge(&LayerError {
                layer: String::new(),
                signal,
                noise,
                exact_signal,
                exact_noise,
            });
    }

    /// Starts (or stops) recording the step sums layers present to their
    /// ADCs ([`Simulator::observe_sums`], for ADC range calibration).
    pub fn set_adc_observation(&mut self, on: bool) {
        self.adc_sums = on.then(BTreeMap::new);
    }

    /// Per layer, the step sums recorded so far (`None` when not recording).
    pub fn adc_histograms(&self) -> Option<&BTreeMap<String, SumHistogram>> {
        self.adc_sums.as_ref()
    }

    /// Records the step sums `op` presents to the ADC (no timing, no
    /// events) under `layer`; the tile's column i weighs
    /// 2^`significance[i]` in the layer's result. A no-op unless recording.
    pub fn observe_sums(
        &mut self,
        op: &MvmIssue<'_>,
        layer: &str,
        significance: &[u32],
    ) -> Result<()> {
        if self.adc_sums.is_none() {
            return Ok(());
        }
        let index = self.index(op.array)?;
        let slot = Self::slot_in(&mut self.arrays, index, op.array, op.phase)?;
        if slot.observer.as_ref().map(|k| k.params()) != Some(op.params) {
            slot.observer = Some(MvmKernel::new(
                &slot.tile,
                op.params,
                KernelChoice::BitPlane,
            )?);
        }
        let kernel = slot.observer.as_ref().expect("kernel built above");
        let mut scratch = vec![0; op.n * kernel.cols()];
        let histogram = self
            .adc_sums
            .as_mut()
            .expect("recording")
            .entry(layer.to_string())
            .or_default();
        let (digits, dac_bits) = (op.params.digits(), op.params.dac_bits);
        kernel.run_observed(op.input, op.n, &mut scratch, &mut |t, sums| {
            histogram.add(t, digits, dac_bits, sums, significance)
        })
    }

    /// What the ideal chip computes for `op` (no timing, no events): the
    /// exact kernels on the tile the slot holds; with `exact_product`, with
    /// an ideal ADC too (Σ x·W).
    pub fn mvm_ideal(
        &mut self,
        op: &MvmIssue<'_>,
        exact_product: bool,
        out: &mut [i32],
    ) -> Result<()> {
        let choice = self.kernel_choice;
        let params = if exact_product {
            MvmParams {
                adc_bits: 0,
                adc_shift: 0,
                ..op.params
            }
        } else {
            op.params
        };
        let slot = self.slot_mut(op.array, op.phase)?;
        let kernel = if exact_product {
            &mut slot.exact
        } else {
            &mut slot.ideal
        };
        if kernel.as_ref().map(|k| k.params()) != Some(params) {
            *kernel = Some(MvmKernel::new(&slot.tile, params, choice)?);
        }
        kernel
            .as_ref()
            .expect("kernel built above")
            .run(op.input, op.n, out)
    }

    /// Inferences the run computes (for throughput); default 1.
    pub fn set_batch(&mut self, batch: u64) -> Result<()> {
        if batch == 0 {
            return Err(SimError::BadArgument("batch must be at least 1".into()));
        }
        self.batch = batch;
        Ok(())
    }

    /// Whether [`Simulator::finish`] was called.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    fn index(&self, id: ArrayId) -> Result<usize> {
        let (c, m, a) = (
            self.target.chip.cores,
            self.target.core.macros,
            self.target.macro_.arrays,
        );
        if id.core >= c || id.macro_ >= m || id.array >= a {
            return Err(SimError::UnknownArray {
                id,
                cores: c,
                macros: m,
                arrays: a,
            });
        }
        Ok(((id.core as usize * m as usize) + id.macro_ as usize) * a as usize + id.array as usize)
    }

    /// Whether `id` exists in the target (else [`SimError::UnknownArray`]).
    pub fn check_array(&self, id: ArrayId) -> Result<()> {
        self.index(id).map(|_| ())
    }

    fn id_of(&self, index: usize) -> ArrayId {
        let (m, a) = (
            self.target.core.macros as usize,
            self.target.macro_.arrays as usize,
        );
        ArrayId::new(
            (index / (m * a)) as u32,
            (index / a % m) as u32,
            (index % a) as u32,
        )
    }

    /// The trace's thread of an array within its core's process.
    fn tid(&self, id: ArrayId) -> u32 {
        ids::array_tid(&self.target, id)
    }

    fn check_open(&self, what: &'static str) -> Result<()> {
        if self.finished {
            Err(SimError::AfterFinish(what))
        } else {
            Ok(())
        }
    }

    /// The cycle all `deps` are done (0 for none). Errors on a token that
    /// was never issued.
    fn ready(&self, deps: &[Token]) -> Result<u64> {
        let mut t = 0;
        for &d in deps {
            if d == 0 {
                continue;
            }
            let done = self
                .done
                .get((d - 1) as usize)
                .ok_or(SimError::UnknownToken(d))?;
            t = t.max(*done);
        }
        Ok(t)
    }

    /// When the first `fraction` (in (0, 1]) of token `d`'s rows exist:
    /// its first band's time plus an even share of the rest, band by band.
    fn rows_ready(&self, d: Token, fraction: f64) -> u64 {
        let i = (d - 1) as usize;
        let done = self.done[i];
        let (first, bands) = (self.first[i], u64::from(self.bands[i]));
        if bands <= 1 || first >= done {
            return done;
        }
        let k = ((fraction * bands as f64).ceil() as u64).clamp(1, bands);
        first + (done - first) * (k - 1) / (bands - 1)
    }

    /// How the rows `[lo, hi)` (fractions of each value) of `deps` arrive.
    /// Outside the ll schedule: all at once, when every dependency is done.
    fn flow(&self, deps: &[Token], lo: f64, hi: f64) -> Result<Flow> {
        let ready = self.ready(deps)?;
        let live: Vec<Token> = deps.iter().copied().filter(|d| *d != 0).collect();
        if self.schedule != Schedule::Ll || live.is_empty() {
            return Ok(Flow {
                first: ready,
                last: ready,
                bands: 1,
            });
        }
        let bands = live
            .iter()
            .map(|d| self.bands[(d - 1) as usize])
            .max()
            .unwrap_or(1);
        let (lo, hi) = (lo.clamp(0.0, 1.0), hi.clamp(0.0, 1.0).max(lo));
        let at = |f: f64| {
            live.iter()
                .map(|d| self.rows_ready(*d, f))
                .max()
                .unwrap_or(0)
        };
        let first = at((lo + 1.0 / f64::from(bands)).min(hi.max(f64::MIN_POSITIVE)));
        let last = at(hi.max(f64::MIN_POSITIVE));
        let part = (((hi - lo) * f64::from(bands)).round() as u32).clamp(1, bands);
        Ok(Flow {
            first: first.min(last),
            last,
            bands: part,
        })
    }

    /// `cycles` of work on `flow`, placed band by band on every port of
    /// `ports` at once: band j (an even share of the cycles) starts once
    /// its input band is there, `ready` has passed and the band before is
    /// done, in the first gap all ports share. Outside ll: one band, the
    /// earliest gap from `ready`. The ports' other work interleaves.
    fn place(ports: &mut [&mut Port], ready: u64, cycles: u64, flow: &Flow) -> Placed {
        let b = u64::from(flow.bands.max(1));
        let mut placed = Placed::default();
        let mut t = ready;
        for j in 0..b {
            let arrive = if b == 1 {
                ready
            } else {
                flow.first + (flow.last - flow.first) * j / (b - 1)
            };
            let share = |k: u64| (u128::from(cycles) * u128::from(k) / u128::from(b)) as u64;
            let len = share(j + 1) - share(j);
            if len == 0 && j + 1 < b {
                continue;
            }
            let mut start = arrive.max(t);
            loop {
                let next = ports
                    .iter()
                    .map(|p| p.earliest(start, len))
                    .max()
                    .unwrap_or(start);
                if next == start {
                    break;
                }
                start = next;
            }
            for p in ports.iter_mut() {
                p.reserve(start, len, true);
            }
            t = start + len;
            if placed.runs.is_empty() {
                placed.first_end = t;
            }
            match placed.runs.last_mut() {
                Some(run) if run.1 == start => run.1 = t,
                _ => placed.runs.push((start, t)),
            }
        }
        placed
    }

    /// Starts the run (ends the initial programming) if it has not started.
    fn start_run(&mut self) -> u64 {
        *self.run_start.get_or_insert(self.init_end)
    }

    /// The earliest an op with these dependencies may start: after them,
    /// the initial programming and the current sample's floor.
    fn earliest(&mut self, deps: &[Token]) -> Result<u64> {
        let ready = self.ready(deps)?;
        Ok(self.after(ready))
    }

    /// `ready`, or later: after the initial programming and the current
    /// sample's floor (starts the run).
    fn after(&mut self, ready: u64) -> u64 {
        ready.max(self.start_run()).max(self.floor)
    }

    /// Notes that the current sample has work starting at `start`.
    fn started(&mut self, start: u64) {
        if let Some(s) = self.samples.last_mut() {
            s.first_start = s.first_start.min(start);
        }
    }

    fn token(&mut self, done: u64) -> Token {
        self.token_at(done, Vec::new())
    }

    fn token_at(&mut self, done: u64, origin: Vec<u32>) -> Token {
        self.token_flow(
            done,
            Flow {
                first: done,
                last: done,
                bands: 1,
            },
            origin,
        )
    }

    /// A token done at `done` whose result arrives as `flow` says (its
    /// `last` is ignored: the last band is out at `done`).
    fn token_flow(&mut self, done: u64, flow: Flow, origin: Vec<u32>) -> Token {
        self.done.push(done);
        self.first.push(flow.first.min(done));
        self.bands.push(flow.bands.max(1));
        self.origin.push(origin);
        self.end = self.end.max(done);
        if let Some(s) = self.samples.last_mut() {
            s.end = s.end.max(done);
        }
        self.done.len() as Token
    }

    /// The cores the results of `deps` live on (sorted, distinct).
    pub fn origin_of(&self, deps: &[Token]) -> Vec<u32> {
        let mut cores: Vec<u32> = deps
            .iter()
            .filter(|d| **d != 0)
            .filter_map(|d| self.origin.get((*d - 1) as usize))
            .flatten()
            .copied()
            .collect();
        cores.sort_unstable();
        cores.dedup();
        cores
    }

    /// Starts a sample (one call of the compiled entry) under `schedule`.
    pub fn begin_sample(&mut self, schedule: Schedule) -> Result<()> {
        self.check_open("begin_sample")?;
        if schedule != Schedule::Ht && !self.samples.is_empty() {
            self.floor = self.end;
        }
        self.schedule = schedule;
        self.samples.push(SampleSpan {
            first_start: u64::MAX,
            end: 0,
        });
        Ok(())
    }

    /// Programs `tile` onto an array for `phase` (`cim.program`).
    ///
    /// If the array holds this phase (or nothing yet) the cells are written
    /// now: `rows × latency.program_row` cycles once the array is free. If
    /// it holds another phase, the tile is kept and written when the first
    /// mvm of its phase is issued to the array (a reprogramming).
    pub fn program(&mut self, array: ArrayId, phase: u32, tile: Tile) -> Result<()> {
        self.check_program(array, tile.rows(), tile.cols(), tile.cell_bits())?;
        let index = self.index(array)?;
        let state = &mut self.arrays[index];
        let label = state.slots.get(&phase).and_then(|s| s.label.clone());
        state.slots.insert(
            phase,
            Slot {
                tile,
                label,
                kernel: None,
                reads: 0,
                ideal: None,
                exact: None,
                observer: None,
            },
        );
        state.used = true;
        if state.loaded.is_none() || state.loaded == Some(phase) {
            self.write(index, phase, false);
        }
        Ok(())
    }

    /// The checks of [`Simulator::program`] that need no levels: the
    /// simulation is open, the array exists, and a `rows × cols` tile of
    /// `cell_bits` fits it.
    pub fn check_program(
        &self,
        array: ArrayId,
        rows: u32,
        cols: u32,
        cell_bits: u32,
    ) -> Result<()> {
        self.check_open("program")?;
        self.index(array)?;
        let a = &self.target.array;
        if rows > a.rows || cols > a.cols {
            return Err(SimError::ShapeMismatch(format!(
                "a {rows} × {cols} tile does not fit the target's {} × {} arrays",
                a.rows, a.cols
            )));
        }
        if cell_bits > a.cell_bits {
            return Err(SimError::BadArgument(format!(
                "cell_bits {cell_bits} exceeds the target's array.cell_bits = {}",
                a.cell_bits
            )));
        }
        Ok(())
    }

    /// Names the tile of an array and phase in the trace (e.g. its layer).
    pub fn set_label(&mut self, array: ArrayId, phase: u32, label: &str) -> Result<()> {
        self.slot_mut(array, phase)?.label = Some(label.to_string());
        Ok(())
    }

    /// The tile stored for `array` and `phase`.
    fn slot_mut(&mut self, array: ArrayId, phase: u32) -> Result<&mut Slot> {
        let index = self.index(array)?;
        Self::slot_in(&mut self.arrays, index, array, phase)
    }

    /// The tile stored for `phase` on `arrays[index]` (the array `id`).
    fn slot_in(
        arrays: &mut [ArrayState],
        index: usize,
        id: ArrayId,
        phase: u32,
    ) -> Result<&mut Slot> {
        arrays[index]
            .slots
            .get_mut(&phase)
            .ok_or(SimError::UnprogrammedArray { id, phase })
    }

    /// Writes the slot of `phase` into the array's cells: an event on the array.
    fn write(&mut self, index: usize, phase: u32, reprogram: bool) {
        let id = self.id_of(index);
        let tid = self.tid(id);
        let state = &self.arrays[index];
        let slot = &state.slots[&phase];
        let (rows, cols) = (slot.tile.rows(), slot.tile.cols());
        let (cycles, energy) = cost::program(&self.target, rows, cols);
        let in_run = self.run_start.is_some();
        let start = state.free.max(self.run_start.unwrap_or(0));
        let name = match &slot.label {
            Some(l) => format!("program {l}"),
            None => "program".to_string(),
        };
        let state = &mut self.arrays[index];
        state.free = start + cycles;
        state.loaded = Some(phase);
        state.programs += 1;
        state.program_cycles += cycles;
        if in_run {
            state.run_busy += cycles;
        } else {
            self.init_end = self.init_end.max(start + cycles);
            self.init_energy += energy;
        }
        self.energy.program += energy;
        self.counts.programs += 1;
        if reprogram {
            self.counts.reprograms += 1;
        }
        self.end = self.end.max(start + cycles);
        self.events.push(Event {
            kind: if reprogram {
                EventKind::Reprogram
            } else {
                EventKind::Program
            },
            name,
            pid: id.core,
            tid,
            start,
            cycles,
            energy: Energy {
                program: energy,
                ..Energy::default()
            },
            args: json!({
                "macro": id.macro_, "array": id.array, "phase": phase,
                "rows": rows, "cols": cols, "cells": u64::from(rows) * u64::from(cols),
                "initial": !in_run,
            }),
        });
    }

    /// Issues an mvm: computes `out` (`n × cols` i32, row-major) now and
    /// schedules its events; returns its token.
    ///
    /// Timing: the inputs are read from the core's buffer (`load`), the
    /// array runs its read steps once the load is done and the array is
    /// free (after a reprogramming if it holds another phase), and the
    /// partial sums are written back (`store`); the token is done when the
    /// store is.
    pub fn mvm(&mut self, op: &MvmIssue<'_>, out: &mut [i32]) -> Result<Token> {
        self.check_open("mvm")?;
        let index = self.index(op.array)?;
        op.params.validate()?;
        let flow = self.flow(op.deps, 0.0, 1.0)?;
        let ready = flow.first;
        let choice = self.kernel_choice;
        let analog = self.analog.as_ref();
        let slot = Self::slot_in(&mut self.arrays, index, op.array, op.phase)?;
        if slot.tile.rows() != op.rows || slot.tile.cols() != op.cols {
            return Err(SimError::ShapeMismatch(format!(
                "the mvm reads {} rows × {} columns but {} phase {} holds a {} × {} tile",
                op.rows,
                op.cols,
                op.array,
                op.phase,
                slot.tile.rows(),
                slot.tile.cols()
            )));
        }
        if slot.kernel.as_ref().map(|k| k.params()) != Some(op.params) {
            slot.kernel = Some(match analog {
                Some(model) => {
                    let key = model.slot_key(index as u64, op.phase);
                    MvmKernel::analog(&slot.tile, op.params, model, key)?
                }
                None => MvmKernel::new(&slot.tile, op.params, choice)?,
            });
        }
        let kernel = slot.kernel.as_ref().expect("kernel built above");
        kernel.run_read(op.input, op.n, out, slot.reads)?;
        slot.reads += 1;
        let label = slot.label.clone();

        // Timing.
        let id = op.array;
        let c = op
            .params
            .read(op.n as u64, op.rows, op.cols)
            .cost(&self.target);
        let ready = self.after(ready);
        if self.arrays[index].loaded != Some(op.phase) {
            self.write(index, op.phase, true);
        }
        let load_start = self.buffers[id.core as usize].earliest(ready, c.load_cycles);
        self.buffers[id.core as usize].reserve(load_start, c.load_cycles, true);
        let load_end = load_start + c.load_cycles;
        let start = load_end.max(self.arrays[index].free);
        // Streaming (ll): the last band is read after its inputs are loaded.
        let band_load = c.load_cycles.div_ceil(u64::from(flow.bands));
        let end = Flow {
            last: flow.last.saturating_add(band_load),
            ..flow
        }
        .end(start, c.array_cycles);
        let store_start = self.buffers[id.core as usize].earliest(end, c.store_cycles);
        self.buffers[id.core as usize].reserve(store_start, c.store_cycles, true);
        let done = store_start + c.store_cycles;
        let first_out = flow
            .first_out(start, c.array_cycles)
            .saturating_add(c.store_cycles.div_ceil(u64::from(flow.bands)));

        let state = &mut self.arrays[index];
        state.free = end;
        state.mvms += 1;
        state.steps += c.steps;
        state.read_cycles += c.array_cycles;
        state.run_busy += c.array_cycles;
        self.counts.mvms += 1;
        self.counts.steps += c.steps;
        self.counts.ops += c.ops;
        self.energy += Energy::from(c.read_energy);
        self.energy.buffer += c.load_energy_pj + c.store_energy_pj;
        self.started(load_start);
        let out = Flow {
            first: first_out,
            ..flow
        };
        let token = self.token_flow(done, out, vec![id.core]);
        self.mvm_events(op, &c, label, token, [load_start, start, end, store_start]);
        Ok(token)
    }

    fn mvm_events(
        &mut self,
        op: &MvmIssue<'_>,
        c: &MvmCost,
        label: Option<String>,
        token: Token,
        [load, start, end, store]: [u64; 4],
    ) {
        let id = op.array;
        let name = label.unwrap_or_else(|| "mvm".to_string());
        let buffer_tid = ids::buffer_port_tid(&self.target);
        let base = json!({
            "token": token, "macro": id.macro_, "array": id.array, "phase": op.phase,
            "stage": op.stage,
        });
        let with = |extra: Value| {
            let mut v = base.clone();
            if let (Some(v), Value::Object(e)) = (v.as_object_mut(), extra) {
                v.extend(e);
            }
            v
        };
        let buffer = |energy: f64| Energy {
            buffer: energy,
            ..Energy::default()
        };
        self.events.push(Event {
            kind: EventKind::Load,
            name: format!("load {name}"),
            pid: id.core,
            tid: buffer_tid,
            start: load,
            cycles: c.load_cycles,
            energy: buffer(c.load_energy_pj),
            args: with(json!({ "bytes": c.load_bytes })),
        });
        self.events.push(Event {
            kind: EventKind::Mvm,
            name,
            pid: id.core,
            tid: self.tid(id),
            start,
            cycles: end - start,
            energy: Energy::from(c.read_energy),
            args: with(json!({
                "n": op.n, "rows": op.rows, "cols": op.cols,
                "input_bits": op.params.input_bits, "dac_bits": op.params.dac_bits,
                "adc_bits": op.params.adc_bits, "max_active_rows": op.params.max_active_rows,
                "steps": c.steps, "step_interval": c.step.interval(),
                "busy_cycles": c.array_cycles,
                "conversions": c.conversions, "ops": c.ops,
            })),
        });
        self.events.push(Event {
            kind: EventKind::Store,
            name: format!("store {}", self.events.last().map_or("", |e| &e.name)),
            pid: id.core,
            tid: buffer_tid,
            start: store,
            cycles: c.store_cycles,
            energy: buffer(c.store_energy_pj),
            args: with(json!({ "bytes": c.store_bytes })),
        });
    }

    /// A token done when all `deps` are: no work, no event.
    pub fn join(&mut self, deps: &[Token]) -> Result<Token> {
        let origin = self.origin_of(deps);
        self.join_at(deps, origin)
    }

    /// A token done when the pieces are, whose result is the pieces' rows
    /// in order (a layer's copies, each a share of its windows): under ll
    /// its first band is the first piece's.
    pub fn concat(&mut self, pieces: &[Vec<Token>]) -> Result<Token> {
        self.check_open("join")?;
        let all: Vec<Token> = pieces.iter().flatten().copied().collect();
        let origin = self.origin_of(&all);
        let mut flow: Option<Flow> = None;
        for piece in pieces.iter().filter(|p| !p.is_empty()) {
            let f = self.flow(piece, 0.0, 1.0)?;
            flow = Some(match flow {
                None => f,
                Some(acc) => Flow {
                    first: acc.first,
                    last: acc.last.max(f.last),
                    bands: acc.bands.saturating_add(f.bands),
                },
            });
        }
        let flow = flow.unwrap_or(Flow {
            first: 0,
            last: 0,
            bands: 1,
        });
        Ok(self.token_flow(flow.last, flow, origin))
    }

    /// A token done when all `deps` are, whose result lives on `cores`
    /// (sorted): a view of data that does no work (a window gather feeding
    /// the DACs from the buffer, a reshape).
    pub fn join_at(&mut self, deps: &[Token], cores: Vec<u32>) -> Result<Token> {
        self.part_at(deps, 0.0, 1.0, cores)
    }

    /// Rows `[lo, hi)` (fractions) of the results of `deps`: done when those
    /// rows are (under ll; when `deps` are otherwise).
    pub fn part(&mut self, deps: &[Token], lo: f64, hi: f64) -> Result<Token> {
        let origin = self.origin_of(deps);
        self.part_at(deps, lo, hi, origin)
    }

    /// [`Simulator::part`] whose result lives on `cores`.
    fn part_at(&mut self, deps: &[Token], lo: f64, hi: f64, cores: Vec<u32>) -> Result<Token> {
        self.check_open("join")?;
        let flow = self.flow(deps, lo, hi)?;
        Ok(self.token_flow(flow.last, flow, cores))
    }

    /// A view of the results of `deps` that does no work (a window gather
    /// feeding the DACs from the buffer) and is `1 / scale` times the size
    /// of what it views; layers reading it move only `scale` of their
    /// matrix ([`Simulator::view_scale`]).
    pub fn view(&mut self, deps: &[Token], scale: f64) -> Result<Token> {
        if !(scale > 0.0 && scale <= 1.0) {
            return Err(SimError::BadArgument(format!(
                "a view's scale must be in (0, 1], got {scale}"
            )));
        }
        let token = self.join(deps)?;
        self.scales.insert(token, scale);
        Ok(token)
    }

    /// [`Simulator::view`] of a window gather whose result has `bands` rows
    /// of windows, the first of which reads the first `first_rows` (a
    /// fraction) of the input's rows: under ll it is ready band by band as
    /// its input rows are (a line buffer).
    pub fn view_rows(
        &mut self,
        deps: &[Token],
        scale: f64,
        first_rows: f64,
        bands: u32,
    ) -> Result<Token> {
        let token = self.view(deps, scale)?;
        if self.schedule == Schedule::Ll && bands > 1 {
            let live: Vec<Token> = deps.iter().copied().filter(|d| *d != 0).collect();
            let first = live
                .iter()
                .map(|d| self.rows_ready(*d, first_rows.clamp(f64::MIN_POSITIVE, 1.0)))
                .max()
                .unwrap_or(0);
            let i = (token - 1) as usize;
            self.first[i] = first.min(self.done[i]);
            self.bands[i] = bands;
        }
        Ok(token)
    }

    /// The smallest scale of the views among `deps` (1 when none is one).
    pub fn view_scale(&self, deps: &[Token]) -> f64 {
        deps.iter()
            .filter_map(|d| self.scales.get(d))
            .fold(1.0, |a, b| a.min(*b))
    }

    /// Brings `bytes` of the results of `deps` to each core of `dst` that
    /// does not hold them: transfers from their cores (or the I/O core 0
    /// for data off the chip), split evenly over the sources; what exceeds
    /// a core's input buffer spills through the global memory. Returns a
    /// token done when everything arrived (and `deps` are done).
    pub fn bring(&mut self, deps: &[Token], dst: &[(u32, u64)]) -> Result<Token> {
        self.bring_part(deps, dst, 0.0, 1.0)
    }

    /// [`Simulator::bring`] of rows `[lo, hi)` (fractions) of the results of
    /// `deps`: under ll the transfer starts with the first of those rows.
    pub fn bring_part(
        &mut self,
        deps: &[Token],
        dst: &[(u32, u64)],
        lo: f64,
        hi: f64,
    ) -> Result<Token> {
        self.check_open("bring")?;
        let held = self.origin_of(deps);
        let src = if held.is_empty() {
            vec![0]
        } else {
            held.clone()
        };
        let mut tokens = vec![self.part(deps, lo, hi)?];
        let capacity = u64::from(self.target.buffer.input_kib) * 1024;
        for &(d, bytes) in dst {
            if src.contains(&d) || bytes == 0 {
                continue;
            }
            let spilled = bytes.saturating_sub(capacity);
            let mut deps_d = vec![tokens[0]];
            if spilled > 0 {
                deps_d = vec![self.spill(spilled, &deps_d)?];
            }
            let share = bytes.div_ceil(src.len() as u64);
            for &s in &src {
                tokens.push(self.transfer(s, d, share, &deps_d)?);
            }
        }
        let mut all = held;
        all.extend(dst.iter().map(|(c, _)| *c));
        all.sort_unstable();
        all.dedup();
        self.join_at(&tokens, all)
    }

    /// Writes `bytes` to the global memory and reads them back.
    fn spill(&mut self, bytes: u64, deps: &[Token]) -> Result<Token> {
        let (cycles, energy) = cost::spill(&self.target, bytes);
        let flow = self.flow(deps, 0.0, 1.0)?;
        let ready = self.after(flow.first);
        let placed = Self::place(&mut [&mut self.global], ready, cycles, &flow);
        self.energy.memory += energy;
        self.counts.spilled_bytes += bytes;
        self.started(placed.start());
        let out = Flow {
            first: placed.first_end,
            ..flow
        };
        let token = self.token_flow(placed.end(), out, Vec::new());
        for ((start, end), energy) in placed.shares(energy) {
            self.events.push(Event {
                kind: EventKind::Transfer,
                name: "spill".to_string(),
                pid: ids::host_pid(&self.target),
                tid: 1,
                start,
                cycles: end - start,
                energy: Energy {
                    memory: energy,
                    ..Energy::default()
                },
                args: json!({ "token": token, "bytes": bytes }),
            });
        }
        Ok(token)
    }

    /// Issues an op between crossbar layers. An on-chip class runs on the
    /// vector units of the cores its first on-chip operand lives on (the
    /// I/O core 0 when none does), split evenly; the other operands are
    /// brought there first. [`OpClass::Host`] runs on the host with the
    /// target's host model.
    pub fn vector_op(&mut self, op: &VectorOp<'_>, deps: &[Token]) -> Result<Token> {
        self.check_open("vector_op")?;
        if !op.class.on_chip() {
            return self.host_op(
                &HostOp {
                    name: op.name,
                    elements: op.elements,
                    cycles_per_element: self.target.host.cycles_per_element,
                    pj_per_element: None,
                },
                deps,
            );
        }
        let origins: Vec<Vec<u32>> = deps.iter().map(|d| self.origin_of(&[*d])).collect();
        let cores = origins
            .iter()
            .find(|c| !c.is_empty())
            .cloned()
            .unwrap_or_else(|| vec![0]);
        let share = op.elements.div_ceil(cores.len() as u64);
        let (cycles, energy) = cost::vector_op(&self.target, op.class, share);
        if cycles >= 1 << 62 {
            return Err(SimError::BadArgument(format!(
                "a vector op of {cycles} cycles is too long"
            )));
        }
        self.ready(deps)?;
        let moved = share.saturating_mul(op.element_bytes);
        let others: Vec<Token> = deps
            .iter()
            .zip(&origins)
            .filter(|(d, o)| **d != 0 && !o.iter().all(|c| cores.contains(c)))
            .map(|(d, _)| *d)
            .collect();
        let mut ready_deps = deps.to_vec();
        if !others.is_empty() {
            let dst: Vec<(u32, u64)> = cores.iter().map(|c| (*c, moved)).collect();
            ready_deps.push(self.bring(&others, &dst)?);
        }
        let flow = self.flow(&ready_deps, 0.0, 1.0)?;
        let ready = self.after(flow.first);
        let mut done = ready;
        let mut first_out = 0;
        let token = self.done.len() as Token + 1;
        let vector_tid = ids::vector_unit_tid(&self.target);
        for &core in &cores {
            let placed = Self::place(&mut [&mut self.vector[core as usize]], ready, cycles, &flow);
            done = done.max(placed.end());
            first_out = first_out.max(placed.first_end);
            self.started(placed.start());
            for ((start, end), energy) in placed.shares(energy) {
                self.events.push(Event {
                    kind: EventKind::Vector,
                    name: op.name.to_string(),
                    pid: core,
                    tid: vector_tid,
                    start,
                    cycles: end - start,
                    energy: Energy {
                        vector: energy,
                        ..Energy::default()
                    },
                    args: json!({
                        "token": token, "class": op.class.as_str(), "elements": share,
                        "cores": cores.len(),
                    }),
                });
            }
        }
        self.energy.vector += energy * cores.len() as f64;
        self.counts.vector_ops += 1;
        let out = Flow {
            first: first_out,
            ..flow
        };
        Ok(self.token_flow(done, out, cores))
    }

    /// Issues a host operation: ⌈elements × cycles_per_element⌉ cycles on
    /// the host once its dependencies are done and the host is free.
    pub fn host_op(&mut self, op: &HostOp<'_>, deps: &[Token]) -> Result<Token> {
        self.check_open("host_op")?;
        let pj = op
            .pj_per_element
            .unwrap_or(self.target.energy.host_op_per_element);
        for (what, v) in [
            ("cycles_per_element", op.cycles_per_element),
            ("pj_per_element", pj),
        ] {
            if !v.is_finite() || v < 0.0 {
                return Err(SimError::BadArgument(format!(
                    "{what} must be finite and ≥ 0, got {v}"
                )));
            }
        }
        let cycles = (op.elements as f64 * op.cycles_per_element).ceil();
        if cycles >= (1u64 << 62) as f64 {
            return Err(SimError::BadArgument(format!(
                "a host op of {cycles} cycles is too long"
            )));
        }
        let cycles = cycles as u64;
        let start = self.earliest(deps)?.max(self.host_free);
        self.host_free = start + cycles;
        self.started(start);
        self.host_run_busy += cycles;
        let energy = op.elements as f64 * pj;
        self.energy.host += energy;
        self.counts.host_ops += 1;
        let token = self.token(start + cycles);
        self.events.push(Event {
            kind: EventKind::Host,
            name: if op.name.is_empty() {
                "host op".to_string()
            } else {
                op.name.to_string()
            },
            pid: ids::host_pid(&self.target),
            tid: 0,
            start,
            cycles,
            energy: Energy {
                host: energy,
                ..Energy::default()
            },
            args: json!({
                "token": token, "elements": op.elements,
                "cycles_per_element": op.cycles_per_element, "pj_per_element": pj,
            }),
        });
        Ok(token)
    }

    /// Issues a transfer of `bytes` from core `src` to core `dst`: it
    /// occupies both cores' network ports at the earliest gap that fits.
    pub fn transfer(&mut self, src: u32, dst: u32, bytes: u64, deps: &[Token]) -> Result<Token> {
        self.check_open("transfer")?;
        let cores = self.target.chip.cores;
        for core in [src, dst] {
            if core >= cores {
                return Err(SimError::BadArgument(format!(
                    "core {core} does not exist: the target has {cores} core(s)"
                )));
            }
        }
        let c = cost::transfer(&self.target, bytes, src, dst);
        let (cycles, energy) = (c.port_cycles, c.energy_pj);
        let (s, d) = (src as usize, dst as usize);
        let flow = self.flow(deps, 0.0, 1.0)?;
        let ready = self.after(flow.first);
        // Both ports free at once, band by band.
        let placed = if s == d {
            Self::place(&mut [&mut self.network[s]], ready, cycles, &flow)
        } else {
            let (lo, hi) = self.network.split_at_mut(s.max(d));
            let (a, b) = (&mut lo[s.min(d)], &mut hi[0]);
            Self::place(&mut [a, b], ready, cycles, &flow)
        };
        self.energy.network += energy;
        self.counts.transfers += 1;
        self.started(placed.start());
        let out = Flow {
            first: placed.first_end + c.hop_latency,
            ..flow
        };
        let token = self.token_flow(placed.end() + c.hop_latency, out, vec![dst]);
        let tid = ids::network_port_tid(&self.target);
        for ((start, end), energy) in placed.shares(energy) {
            self.events.push(Event {
                kind: EventKind::Transfer,
                name: format!("transfer {src}→{dst}"),
                pid: src,
                tid,
                start,
                cycles: end - start,
                energy: Energy {
                    network: energy,
                    ..Energy::default()
                },
                args: json!({
                    "token": token, "src": src, "dst": dst, "bytes": bytes, "hops": c.hops,
                }),
            });
        }
        Ok(token)
    }

    /// Ends the simulation: later issues are errors; stats and the trace
    /// stay readable.
    pub fn finish(&mut self) -> Result<()> {
        self.check_open("finish")?;
        self.start_run();
        self.finished = true;
        Ok(())
    }

    /// The results so far (final after [`Simulator::finish`]).
    pub fn stats(&self) -> Stats {
        let init = self.run_start.unwrap_or(self.init_end);
        let end = self.end.max(init);
        let run = if self.run_start.is_some() {
            end - init
        } else {
            0
        };
        let cycle_ns = self.target.cycle_ns();
        let latency_ns = run as f64 * cycle_ns;
        let per_s = |cycles: u64| {
            if cycles == 0 {
                0.0
            } else {
                self.batch as f64 / (cycles as f64 * cycle_ns * 1e-9)
            }
        };
        let arrays: Vec<ArrayStats> = self
            .arrays
            .iter()
            .enumerate()
            .filter(|(_, a)| a.used)
            .map(|(i, a)| ArrayStats {
                id: self.id_of(i),
                mvms: a.mvms,
                steps: a.steps,
                read_cycles: a.read_cycles,
                programs: a.programs,
                program_cycles: a.program_cycles,
                run_busy_cycles: a.run_busy,
                utilization: if run == 0 {
                    0.0
                } else {
                    a.read_cycles as f64 / run as f64
                },
            })
            .collect();
        let bottleneck = arrays
            .iter()
            .map(|a| a.run_busy_cycles)
            .chain(self.buffers.iter().map(|p| p.run_total))
            .chain(self.network.iter().map(|p| p.run_total))
            .chain(self.vector.iter().map(|p| p.run_total))
            .chain([self.host_run_busy, self.global.run_total])
            .max()
            .unwrap_or(0);
        let total_energy = self.energy.total();
        let run_energy = total_energy - self.init_energy;
        let spans: Vec<SampleSpan> = self
            .samples
            .iter()
            .copied()
            .filter(|s| s.first_start != u64::MAX)
            .collect();
        let sample_latency = if spans.is_empty() {
            run as f64
        } else {
            spans
                .iter()
                .map(|s| (s.end - s.first_start) as f64)
                .sum::<f64>()
                / spans.len() as f64
        };
        let period = match (spans.first(), spans.last()) {
            (Some(a), Some(b)) if spans.len() >= 2 => {
                b.end.saturating_sub(a.end) as f64 / (spans.len() - 1) as f64
            }
            _ => sample_latency,
        };
        let per_sample = self.batch as f64 / spans.len().max(1) as f64;
        let throughput = if spans.len() >= 2 && period > 0.0 {
            per_sample / (period * cycle_ns * 1e-9)
        } else {
            per_s(run)
        };
        let period_utilization = if arrays.is_empty() || period <= 0.0 {
            0.0
        } else {
            let per = spans.len().max(1) as f64;
            arrays
                .iter()
                .map(|a| (a.read_cycles as f64 / per / period).min(1.0))
                .sum::<f64>()
                / arrays.len() as f64
        };
        let ops = self.counts.ops;
        let mean = if arrays.is_empty() {
            0.0
        } else {
            arrays.iter().map(|a| a.utilization).sum::<f64>() / arrays.len() as f64
        };
        Stats {
            target: self.target.name.clone(),
            clock_mhz: self.target.clock_mhz,
            finished: self.finished,
            init_cycles: init,
            run_cycles: run,
            total_cycles: init + run,
            latency_ns,
            total_ns: (init + run) as f64 * cycle_ns,
            batch: self.batch,
            throughput_per_s: throughput,
            samples: spans.len() as u64,
            period_cycles: period,
            sample_latency_cycles: sample_latency,
            period_utilization,
            bottleneck_cycles: bottleneck,
            pipelined_throughput_per_s: per_s(bottleneck),
            array_steps: self.counts.steps,
            mvms: self.counts.mvms,
            programs: self.counts.programs,
            reprograms: self.counts.reprograms,
            host_ops: self.counts.host_ops,
            vector_ops: self.counts.vector_ops,
            transfers: self.counts.transfers,
            spilled_bytes: self.counts.spilled_bytes,
            ops,
            tops: if run == 0 {
                0.0
            } else {
                ops as f64 / (latency_ns * 1e-9) / 1e12
            },
            tops_per_w: if run_energy > 0.0 {
                ops as f64 / run_energy
            } else {
                0.0
            },
            energy: self.energy,
            init_energy_pj: self.init_energy,
            run_energy_pj: run_energy,
            arrays_used: arrays.len() as u32,
            mean_utilization: mean,
            max_utilization: arrays.iter().map(|a| a.utilization).fold(0.0, f64::max),
            arrays,
            analog: self.analog_stats(),
            layers: self.layer_errors.values().cloned().collect(),
        }
    }

    fn analog_stats(&self) -> Option<AnalogStats> {
        let model = self.analog.as_ref()?;
        let (mut cells, mut stuck_on, mut stuck_off) = (0, 0, 0);
        for slot in self.arrays.iter().flat_map(|a| a.slots.values()) {
            if let Some(k) = slot.kernel.as_ref().filter(|k| k.is_analog()) {
                let (on, off) = k.stuck_cells();
                cells += slot.tile.cells();
                stuck_on += on;
                stuck_off += off;
            }
        }
        Some(AnalogStats {
            enabled: model.n.enabled().iter().map(|k| k.to_string()).collect(),
            seed: model.n.seed,
            cells,
            stuck_on,
            stuck_off,
        })
    }

    /// The aggregated events so far, in issue order.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The Chrome/Perfetto trace (see [`crate::trace`]).
    pub fn trace_json(&self) -> Value {
        trace::to_json(&self.target, &self.stats(), &self.events)
    }

    /// Writes [`Simulator::trace_json`] to `path`.
    pub fn write_trace(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string(&self.trace_json())
            .map_err(|e| SimError::Internal(e.to_string()))?;
        std::fs::write(path, text).map_err(|e| SimError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })
    }
}

#[cfg(test)]
#[path = "sim_tests.rs"]
mod tests;
