//! The event model's timing, energy, stats and trace.

use super::*;

fn isaac() -> Simulator {
    Simulator::new(Target::preset("isaac").unwrap()).unwrap()
}

const P8: MvmParams = MvmParams {
    input_bits: 8,
    dac_bits: 1,
    adc_bits: 8,
    adc_shift: 0,
    max_active_rows: 128,
};

fn tile(rows: u32, cols: u32, seed: u32) -> Tile {
    let levels = (0..rows * cols)
        .map(|i| ((i.wrapping_mul(2654435761) ^ seed) >> 7) as u8 % 4)
        .collect();
    Tile::new(rows, cols, 2, levels, vec![]).unwrap()
}

fn issue(sim: &mut Simulator, id: ArrayId, n: usize, deps: &[Token]) -> Result<Token> {
    let rows = 128;
    let input: Vec<i8> = (0..n * rows).map(|i| (i % 7) as i8 - 3).collect();
    let mut out = vec![0; n * 128];
    sim.mvm(
        &MvmIssue {
            array: id,
            phase: 0,
            input: &input,
            n,
            rows: 128,
            cols: 128,
            params: P8,
            stage: 0,
            deps,
        },
        &mut out,
    )
}

#[test]
fn one_mvm_follows_the_formulas() {
    let mut sim = isaac();
    let t = sim.target().clone();
    let id = ArrayId::new(0, 0, 0);
    sim.program(id, 0, tile(128, 128, 1)).unwrap();
    let n = 10;
    issue(&mut sim, id, n, &[]).unwrap();
    sim.finish().unwrap();
    let s = sim.stats();
    // Programming: 128 rows × 1280 cycles.
    assert_eq!(s.init_cycles, 128 * t.latency.program_row);
    // Steps: n · ⌈8/1⌉ · ⌈128/128⌉.
    assert_eq!(s.array_steps, 80);
    // Load 2 + ⌈1280 B / 48⌉; read 80 steps × max(128, 128·1, 1) + (128 + 128 + 1 − 128);
    // store 2 + ⌈5120 B / 48⌉.
    let load = 2 + 1280u64.div_ceil(48);
    let read = 80 * 128 + 129;
    let store = 2 + 5120u64.div_ceil(48);
    assert_eq!(s.run_cycles, load + read + store);
    assert_eq!(s.total_cycles, s.init_cycles + s.run_cycles);
    assert!((s.latency_ns - s.run_cycles as f64 * 1000.0 / 1280.0).abs() < 1e-6);
    assert_eq!(s.ops, 2 * 10 * 128 * 128);
    let e = &t.energy;
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
    assert!(close(s.energy.program, 128.0 * 128.0 * e.program_cell));
    assert!(close(
        s.energy.array,
        (10 * 8 * 128) as f64 * e.array_step_per_row
    ));
    assert!(close(s.energy.dac, (10 * 8 * 128) as f64 * e.dac_per_row));
    assert!(close(s.energy.adc, (80 * 128) as f64 * e.adc_conversion));
    assert!(close(s.energy.shift_add, (80 * 128) as f64 * e.shift_add));
    assert!(close(
        s.energy.buffer,
        (1280 + 5120) as f64 * e.buffer_access_per_byte
    ));
    assert!(close(s.init_energy_pj, s.energy.program));
    assert!(close(s.run_energy_pj, s.energy.total() - s.energy.program));
    assert!(close(s.tops_per_w, s.ops as f64 / s.run_energy_pj));
    assert!(close(s.tops, s.ops as f64 / (s.latency_ns * 1e-9) / 1e12));
    assert_eq!(s.arrays_used, 1);
    assert!(close(
        s.arrays[0].utilization,
        read as f64 / s.run_cycles as f64
    ));
    assert!(close(s.throughput_per_s, 1e9 / s.latency_ns));
}

#[test]
fn arrays_work_in_parallel_and_dependencies_serialize() {
    let run = |dep: bool, same_array: bool| {
        let mut sim = isaac();
        let a = ArrayId::new(0, 0, 0);
        let b = if same_array { a } else { ArrayId::new(0, 1, 3) };
        sim.program(a, 0, tile(128, 128, 1)).unwrap();
        if !same_array {
            sim.program(b, 0, tile(128, 128, 2)).unwrap();
        }
        let t = issue(&mut sim, a, 20, &[]).unwrap();
        let deps = if dep { vec![t] } else { vec![] };
        issue(&mut sim, b, 20, &deps).unwrap();
        sim.finish().unwrap();
        sim.stats()
    };
    let alone = {
        let mut sim = isaac();
        let a = ArrayId::new(0, 0, 0);
        sim.program(a, 0, tile(128, 128, 1)).unwrap();
        issue(&mut sim, a, 20, &[]).unwrap();
        sim.stats().run_cycles
    };
    let parallel = run(false, false);
    // Only the loads (56 cycles) and stores (216) on the shared buffer port
    // are serialized.
    assert!(
        parallel.run_cycles <= alone + 56 + 216,
        "{} vs {alone}",
        parallel.run_cycles
    );
    assert_eq!(parallel.array_steps, 2 * 20 * 8);
    let chained = run(true, false);
    assert!(chained.run_cycles >= 2 * alone - 10);
    let same = run(false, true);
    assert!(same.run_cycles > 2 * (20 * 8 * 128));
    assert_eq!(same.arrays_used, 1);
    assert!(parallel.bottleneck_cycles < chained.run_cycles);
}

#[test]
fn phases_reprogram_an_array() {
    let mut sim = isaac();
    let id = ArrayId::new(2, 3, 4);
    let (t0, t1) = (tile(128, 128, 1), tile(128, 128, 9));
    sim.program(id, 0, t0.clone()).unwrap();
    sim.program(id, 1, t1.clone()).unwrap(); // kept: the array holds phase 0
    assert_eq!(sim.stats().programs, 1);
    let input = vec![1i8; 128];
    let mut out = vec![0; 128];
    let mut op = MvmIssue {
        array: id,
        phase: 1,
        input: &input,
        n: 1,
        rows: 128,
        cols: 128,
        params: P8,
        stage: 1,
        deps: &[],
    };
    sim.mvm(&op, &mut out).unwrap();
    assert_eq!(out, crate::mvm::mvm(&t1, P8, &input, 1).unwrap());
    op.phase = 0;
    sim.mvm(&op, &mut out).unwrap();
    assert_eq!(out, crate::mvm::mvm(&t0, P8, &input, 1).unwrap());
    sim.finish().unwrap();
    let s = sim.stats();
    assert_eq!((s.programs, s.reprograms), (3, 2));
    let reprograms = sim
        .events()
        .iter()
        .filter(|e| e.kind == EventKind::Reprogram)
        .count();
    assert_eq!(reprograms, 2);
    // Reprogramming is part of the run (2 × 128 rows × 1280 cycles).
    assert!(s.run_cycles > 2 * 128 * 1280);
    assert!((s.init_energy_pj - 128.0 * 128.0 * 10.0).abs() < 1e-6);
}

#[test]
fn host_ops_and_transfers() {
    let mut sim = isaac();
    let id = ArrayId::new(0, 0, 0);
    sim.program(id, 0, tile(128, 128, 1)).unwrap();
    let m = issue(&mut sim, id, 4, &[]).unwrap();
    let op = HostOp {
        name: "relu",
        elements: 1000,
        cycles_per_element: 0.5,
        pj_per_element: None,
    };
    let h = sim.host_op(&op, &[m]).unwrap();
    let x = sim.transfer(0, 5, 4800, &[h]).unwrap();
    let h2 = sim
        .host_op(
            &HostOp {
                pj_per_element: Some(2.0),
                ..op
            },
            &[0, x],
        )
        .unwrap();
    sim.finish().unwrap();
    let s = sim.stats();
    assert_eq!((s.host_ops, s.transfers), (2, 1));
    assert!((s.energy.host - (1000.0 + 2000.0)).abs() < 1e-9);
    // Read and written once, and 5 hops along the mesh's first row.
    assert!((s.energy.network - (2.0 * 4800.0 * 0.34 + 4800.0 * 5.0 * 0.1)).abs() < 1e-9);
    let ev = sim.events();
    let end = |kind, nth: usize| {
        let e = ev.iter().filter(|e| e.kind == kind).nth(nth).unwrap();
        (e.start, e.start + e.cycles)
    };
    let (_, store_end) = end(EventKind::Store, 0);
    let (h_start, h_end) = end(EventKind::Host, 0);
    assert_eq!(h_start, store_end);
    assert_eq!(h_end - h_start, 500);
    let (x_start, x_end) = end(EventKind::Transfer, 0);
    assert_eq!((x_start, x_end - x_start), (h_end, 4800 / 32));
    let (h2_start, h2_end) = end(EventKind::Host, 1);
    assert_eq!(h2_start, x_end + 5, "the data arrives 5 hops later");
    assert_eq!(s.run_cycles + s.init_cycles, h2_end);
    assert_eq!(h2, 4);
}

#[test]
fn ports_fill_gaps() {
    let mut p = Port::default();
    p.reserve(10, 5, true);
    p.reserve(30, 10, true);
    assert_eq!(p.earliest(0, 10), 0);
    assert_eq!(p.earliest(0, 11), 15);
    assert_eq!(p.earliest(12, 3), 15);
    assert_eq!(p.earliest(16, 15), 40);
    assert_eq!(p.earliest(35, 1), 40);
    p.reserve(15, 15, true); // fills the gap: merged into [10, 40)
    assert_eq!(p.busy.len(), 1);
    assert_eq!(p.earliest(0, 11), 40);
    assert_eq!(p.total, 30);
}

#[test]
fn trace_adds_up_to_the_totals() {
    let mut sim = isaac();
    for a in 0..4 {
        let id = ArrayId::new(a / 2, a % 2, a);
        sim.program(id, 0, tile(128, 128, a)).unwrap();
        sim.set_label(id, 0, &format!("layer{a}")).unwrap();
    }
    let mut prev = 0;
    for a in 0..4 {
        let id = ArrayId::new(a / 2, a % 2, a);
        let t = issue(&mut sim, id, 3 + a as usize, &[prev]).unwrap();
        if a == 1 {
            prev = t;
        }
    }
    let h = sim
        .host_op(
            &HostOp {
                name: "pool",
                elements: 77,
                cycles_per_element: 1.0,
                pj_per_element: None,
            },
            &[prev],
        )
        .unwrap();
    sim.transfer(0, 1, 1000, &[h]).unwrap();
    sim.finish().unwrap();
    let s = sim.stats();
    let trace = sim.trace_json();
    let events = trace["traceEvents"].as_array().unwrap();
    let xs: Vec<_> = events.iter().filter(|e| e["ph"] == "X").collect();
    // One per program, 3 per mvm (load, read, store), one per host op / transfer.
    assert_eq!(xs.len(), 4 + 3 * 4 + 2);
    let sum = |f: &dyn Fn(&Value) -> f64| xs.iter().map(|e| f(e)).sum::<f64>();
    let energy = sum(&|e| e["args"]["energy_pj"].as_f64().unwrap());
    assert!((energy - s.energy.total()).abs() < 1e-6 * s.energy.total());
    let steps = sum(&|e| e["args"]["steps"].as_f64().unwrap_or(0.0));
    assert_eq!(steps as u64, s.array_steps);
    let ops = sum(&|e| e["args"]["ops"].as_f64().unwrap_or(0.0));
    assert_eq!(ops as u64, s.ops);
    for a in &s.arrays {
        let busy: u64 = xs
            .iter()
            .filter(|e| {
                e["pid"] == a.id.core
                    && e["tid"] == a.id.macro_ * 8 + a.id.array
                    && (e["cat"] == "mvm" || e["cat"] == "program")
            })
            .map(|e| e["args"]["cycles"].as_u64().unwrap())
            .sum();
        assert_eq!(busy, a.read_cycles + a.program_cycles);
    }
    let us = 1000.0 / 1280.0 / 1000.0;
    let mut last = 0.0f64;
    for e in &xs {
        let (ts, dur) = (e["ts"].as_f64().unwrap(), e["dur"].as_f64().unwrap());
        let (start, cycles) = (
            e["args"]["start_cycle"].as_u64().unwrap(),
            e["args"]["cycles"].as_u64().unwrap(),
        );
        assert!((ts - start as f64 * us).abs() < 1e-9 && (dur - cycles as f64 * us).abs() < 1e-9);
        last = last.max(ts + dur);
    }
    assert!((last - s.total_ns / 1000.0).abs() < 1e-6);
    let names: Vec<_> = events
        .iter()
        .filter(|e| e["ph"] == "M" && e["name"] == "thread_name")
        .map(|e| e["args"]["name"].as_str().unwrap().to_string())
        .collect();
    assert!(names.contains(&"macro 1 array 3".to_string()), "{names:?}");
    assert!(names.contains(&"host".to_string()));
    assert!(xs.iter().any(|e| e["name"] == "layer2"));
    assert_eq!(trace["otherData"]["stats"]["array_steps"], s.array_steps);
    let dir = std::env::temp_dir().join(format!("cimc-rt-trace-{}.json", std::process::id()));
    sim.write_trace(&dir).unwrap();
    let back: Value = serde_json::from_str(&std::fs::read_to_string(&dir).unwrap()).unwrap();
    assert_eq!(back["traceEvents"].as_array().unwrap().len(), events.len());
    assert_eq!(back["otherData"]["stats"]["run_cycles"], s.run_cycles);
    std::fs::remove_file(&dir).ok();
}

#[test]
fn misuse_is_an_error_and_changes_nothing() {
    let mut sim = isaac();
    let id = ArrayId::new(0, 0, 0);
    let bad = ArrayId::new(168, 0, 0);
    assert!(matches!(
        sim.program(bad, 0, tile(4, 4, 0)),
        Err(SimError::UnknownArray { .. })
    ));
    assert!(matches!(
        sim.program(id, 0, tile(129, 4, 0)),
        Err(SimError::ShapeMismatch(_))
    ));
    let wide = Tile::new(1, 1, 3, vec![7], vec![]).unwrap();
    assert!(matches!(
        sim.program(id, 0, wide),
        Err(SimError::BadArgument(_))
    ));
    assert!(matches!(
        issue(&mut sim, id, 1, &[]),
        Err(SimError::UnprogrammedArray { .. })
    ));
    sim.program(id, 0, tile(128, 128, 0)).unwrap();
    assert!(matches!(
        issue(&mut sim, id, 1, &[5]),
        Err(SimError::UnknownToken(5))
    ));
    let mut out = vec![0; 64];
    let input = vec![0i8; 128];
    let op = MvmIssue {
        array: id,
        phase: 0,
        input: &input,
        n: 1,
        rows: 128,
        cols: 64,
        params: P8,
        stage: 0,
        deps: &[],
    };
    assert!(matches!(
        sim.mvm(&op, &mut out),
        Err(SimError::ShapeMismatch(_))
    ));
    assert!(matches!(
        sim.host_op(
            &HostOp {
                name: "",
                elements: 1,
                cycles_per_element: f64::NAN,
                pj_per_element: None
            },
            &[]
        ),
        Err(SimError::BadArgument(_))
    ));
    assert!(matches!(
        sim.transfer(0, 168, 1, &[]),
        Err(SimError::BadArgument(_))
    ));
    // Nothing was issued by the failed calls.
    let s = sim.stats();
    assert_eq!((s.mvms, s.host_ops, s.transfers, s.programs), (0, 0, 0, 1));
    assert_eq!(issue(&mut sim, id, 1, &[]).unwrap(), 1);
    sim.finish().unwrap();
    assert!(matches!(
        issue(&mut sim, id, 1, &[]),
        Err(SimError::AfterFinish(_))
    ));
    assert!(matches!(sim.finish(), Err(SimError::AfterFinish(_))));
    assert!(matches!(
        sim.program(id, 0, tile(4, 4, 0)),
        Err(SimError::AfterFinish(_))
    ));
}

#[test]
fn a_chip_without_an_adc_refuses_adc_errors() {
    let e =
        Simulator::from_toml("base = \"sram-digital\"\n[non_idealities]\nadc_offset_lsb = 0.5\n")
            .unwrap_err();
    assert!(matches!(e, SimError::BadTarget(_)));
    assert!(
        e.to_string()
            .contains("`non_idealities.adc_offset_lsb` = 0.5: the chip has no ADC"),
        "{e}"
    );
}

#[test]
fn vector_ops_run_where_their_operands_live() {
    let mut sim = isaac();
    // Core 1 (array 96 of 96 per core) and core 3.
    let (a, b) = (ArrayId::new(1, 0, 0), ArrayId::new(3, 0, 0));
    sim.program(a, 0, tile(128, 128, 1)).unwrap();
    sim.program(b, 0, tile(128, 128, 2)).unwrap();
    let ma = issue(&mut sim, a, 4, &[]).unwrap();
    let mb = issue(&mut sim, b, 4, &[]).unwrap();
    let op = |elements| VectorOp {
        name: "tosa.add",
        class: OpClass::Elementwise,
        elements,
        element_bytes: 4,
    };
    // Runs on core 1 (its first operand's); b's 32 × 4 bytes come over 2 hops.
    let add = sim.vector_op(&op(32), &[ma, mb]).unwrap();
    assert_eq!(sim.origin_of(&[add]), vec![1]);
    let s = sim.stats();
    assert_eq!((s.vector_ops, s.transfers), (1, 1));
    let e = sim
        .events()
        .iter()
        .find(|e| e.kind == EventKind::Vector)
        .unwrap();
    // ⌈32 / 16 lanes⌉ × 1 cycle on core 1, after the transfer arrived.
    assert_eq!((e.pid, e.cycles), (1, 2));
    let x = sim
        .events()
        .iter()
        .find(|e| e.kind == EventKind::Transfer)
        .unwrap();
    assert_eq!(e.start, x.start + x.cycles + 2);
    // A host-class op runs on the host with the target's host model.
    let host = VectorOp {
        class: OpClass::Host,
        ..op(10)
    };
    sim.vector_op(&host, &[add]).unwrap();
    assert_eq!(sim.stats().host_ops, 1);
    // An unknown token: an error that adds nothing.
    let before = (sim.events().len(), sim.stats().transfers);
    assert!(matches!(
        sim.vector_op(&op(8), &[ma, 999]),
        Err(SimError::UnknownToken(999))
    ));
    assert_eq!((sim.events().len(), sim.stats().transfers), before);
}

#[test]
fn samples_overlap_only_under_ht() {
    let run = |schedule| {
        let mut sim = isaac();
        let (a, b) = (ArrayId::new(0, 0, 0), ArrayId::new(0, 0, 1));
        sim.program(a, 0, tile(128, 128, 1)).unwrap();
        sim.program(b, 0, tile(128, 128, 2)).unwrap();
        for _ in 0..3 {
            sim.begin_sample(schedule).unwrap();
            let first = issue(&mut sim, a, 2, &[]).unwrap();
            issue(&mut sim, b, 2, &[first]).unwrap();
        }
        sim.finish().unwrap();
        sim.stats()
    };
    let seq = run(Schedule::LayerSequential);
    let ht = run(Schedule::Ht);
    assert_eq!(seq.samples, 3);
    // Two equal stages: sequentially the period is the latency; pipelined
    // it is one stage.
    assert!((seq.period_cycles - seq.sample_latency_cycles).abs() < 1.0);
    assert!(ht.period_cycles < 0.6 * seq.period_cycles, "{ht:?}");
    assert!(ht.throughput_per_s > 1.6 * seq.throughput_per_s);
    assert!(ht.period_utilization > seq.period_utilization);
}

#[test]
fn ll_starts_a_layer_on_the_first_rows_of_its_input() {
    let run = |schedule| {
        let mut sim = isaac();
        let (a, b) = (ArrayId::new(0, 0, 0), ArrayId::new(0, 0, 1));
        sim.program(a, 0, tile(128, 128, 1)).unwrap();
        sim.program(b, 0, tile(128, 128, 2)).unwrap();
        sim.begin_sample(schedule).unwrap();
        // Eight rows of windows; the first reads the first eighth of the input.
        let windows = sim.view_rows(&[], 1.0, 0.125, 8).unwrap();
        let first = issue(&mut sim, a, 8, &[windows]).unwrap();
        let op = VectorOp {
            name: "tosa.rescale",
            class: OpClass::Requantize,
            elements: 8 * 128,
            element_bytes: 4,
        };
        let requantized = sim.vector_op(&op, &[first]).unwrap();
        let last = issue(&mut sim, b, 8, &[requantized]).unwrap();
        sim.finish().unwrap();
        let mvms: Vec<(u64, u64)> = sim
            .events()
            .iter()
            .filter(|e| e.kind == EventKind::Mvm)
            .map(|e| (e.start, e.start + e.cycles))
            .collect();
        assert_eq!(mvms.len(), 2);
        assert!(first < last);
        (mvms[0], mvms[1], sim.stats())
    };
    let (a, b, seq) = run(Schedule::LayerSequential);
    assert!(b.0 >= a.1, "layer-sequential: {a:?} then {b:?}");
    let (a, b, ll) = run(Schedule::Ll);
    // The second layer starts once the first band is through the first
    // layer and the vector unit, long before the first layer ends; it
    // cannot end before the last band has passed.
    assert!(b.0 < a.0 + (a.1 - a.0) / 2, "ll: {a:?} then {b:?}");
    assert!(b.1 > a.1);
    assert!(ll.sample_latency_cycles < 0.7 * seq.sample_latency_cycles);
    // Busy work is the same; only the waiting differs.
    assert_eq!(ll.array_steps, seq.array_steps);
}
