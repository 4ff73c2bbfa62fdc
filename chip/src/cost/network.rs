//! Moving data: the mesh between cores and the global memory.
//!
//! The mesh has W = ⌈√cores⌉ columns; core c sits in row ⌊c / W⌋ and, along
//! a snake, column c mod W on even rows and W − 1 − c mod W on odd rows, so
//! consecutive cores are neighbours and a placement in program order keeps
//! producers next to consumers. A transfer of b bytes from core s to core d
//! over h = Manhattan distance hops occupies both cores' ports ⌈b /
//! `interconnect.core_bandwidth_bytes_per_cycle`⌉ cycles, arrives h ×
//! `interconnect.hop_cycles` later, and costs 2b ×
//! `energy.buffer_access_per_byte` (read out of one buffer, written into the
//! other) + b·h × `energy.network_per_byte_hop` pJ. Within a core it is free.
//!
//! A spill of b bytes to the global memory and back takes
//! 2 × (`global_memory.latency` + ⌈b / bandwidth⌉) cycles of the shared
//! memory and 2b × `global_memory.pj_per_byte` pJ.

use crate::Target;

/// The mesh's columns: ⌈√cores⌉.
pub fn mesh_columns(target: &Target) -> u32 {
    let cores = target.chip.cores.max(1);
    let mut w = (cores as f64).sqrt() as u32;
    while w * w < cores {
        w += 1;
    }
    while w > 1 && (w - 1) * (w - 1) >= cores {
        w -= 1;
    }
    w
}

/// `(column, row)` of a core on the mesh.
pub fn mesh_position(target: &Target, core: u32) -> (u32, u32) {
    let w = mesh_columns(target);
    let (row, i) = (core / w, core % w);
    (if row % 2 == 0 { i } else { w - 1 - i }, row)
}

/// Router hops between two cores (Manhattan distance on the mesh).
pub fn hops(target: &Target, a: u32, b: u32) -> u64 {
    let ((ax, ay), (bx, by)) = (mesh_position(target, a), mesh_position(target, b));
    u64::from(ax.abs_diff(bx) + ay.abs_diff(by))
}

/// What one transfer between cores costs.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Transfer {
    /// Cycles on each of the two cores' network ports.
    pub port_cycles: u64,
    /// Router hops.
    pub hops: u64,
    /// Cycles from the end of the port occupation to arrival.
    pub hop_latency: u64,
    pub energy_pj: f64,
}

/// A transfer of `bytes` from core `src` to core `dst` (free within a core).
pub fn transfer(target: &Target, bytes: u64, src: u32, dst: u32) -> Transfer {
    if src == dst || bytes == 0 {
        return Transfer::default();
    }
    let bw = u64::from(target.interconnect.core_bandwidth_bytes_per_cycle.max(1));
    let hops = hops(target, src, dst);
    Transfer {
        port_cycles: bytes.div_ceil(bw),
        hops,
        hop_latency: hops.saturating_mul(target.interconnect.hop_cycles),
        energy_pj: 2.0 * bytes as f64 * target.energy.buffer_access_per_byte
            + (bytes * hops) as f64 * target.energy.network_per_byte_hop,
    }
}

/// Cycles and pJ of spilling `bytes` to the global memory and reading them
/// back.
pub fn spill(target: &Target, bytes: u64) -> (u64, f64) {
    if bytes == 0 {
        return (0, 0.0);
    }
    let g = &target.global_memory;
    let one_way = g.latency + bytes.div_ceil(u64::from(g.bandwidth_bytes_per_cycle.max(1)));
    (2 * one_way, 2.0 * bytes as f64 * g.pj_per_byte)
}
