//! # N-body — each lane moves its bodies, reading everyone's positions
//!
//! Every 4 input bytes make a body: its position `(x, y, z)` from the first
//! three, its mass `1 + the fourth`, at rest (trailing bytes are not
//! bodies). Each of [`STEPS`] steps accelerates every body towards all the
//! others (gravity with a softening term), then moves it, with a time step
//! of [`DT`]. Output: every body's position and velocity after the last
//! step, six little-endian `f64`s per body.
//!
//! Each step is one region. The bodies are a
//! [`DoubleBuffer`](grafos::cpu::DoubleBuffer): every lane reads the current
//! states whole and writes its own block of the next ones, as rayon's
//! `par_iter_mut` would. A body's sum runs over the others in index
//! order, so its floats are evaluated in one order on every lane count and
//! target: the bits are the same everywhere.

use grafos::prelude::*;

/// Steps per launch.
pub const STEPS: usize = 8;
/// The time step.
pub const DT: f64 = 0.01;
/// Added to every squared distance, so close bodies stay finite.
const SOFTENING: f64 = 0.01;

/// One body's state.
#[derive(Clone, Copy, Default, Debug, PartialEq)]
pub struct Body {
    pos: [f64; 3],
    vel: [f64; 3],
    mass: f64,
}

/// The bodies the input describes.
pub fn bodies(input: &[u8]) -> Vec<Body> {
    let body = |b: &[u8]| Body {
        pos: [f64::from(b[0]), f64::from(b[1]), f64::from(b[2])],
        vel: [0.0; 3],
        mass: 1.0 + f64::from(b[3]),
    };
    input.chunks_exact(4).map(body).collect()
}

/// Body `i` of `bodies` one step later.
pub fn advance(bodies: &[Body], i: usize) -> Body {
    let me = bodies[i];
    let mut acc = [0.0; 3];
    for other in bodies {
        let d: [f64; 3] = std::array::from_fn(|k| other.pos[k] - me.pos[k]);
        let r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2] + SOFTENING;
        let pull = other.mass / (r2 * r2.sqrt());
        for k in 0..3 {
            acc[k] += d[k] * pull;
        }
    }
    let vel: [f64; 3] = std::array::from_fn(|k| me.vel[k] + acc[k] * DT);
    let pos = std::array::from_fn(|k| me.pos[k] + vel[k] * DT);
    Body { pos, vel, ..me }
}

/// The output: positions and velocities, little-endian `f64`s.
pub fn output(bodies: &[Body]) -> Vec<u8> {
    let values = bodies.iter().flat_map(|b| b.pos.into_iter().chain(b.vel));
    values.flat_map(f64::to_le_bytes).collect()
}

#[grafos::tasklet(name = "nbody", workers = 4, shared = DoubleBuffer<Body>)]
pub mod tasklet {
    use super::*;

    #[coordinator]
    fn run(coord: &mut Coordinator) -> Result<Vec<u8>, TaskletError> {
        *coord.shared_mut() = DoubleBuffer::new(bodies(coord.input()));
        for _ in 0..STEPS {
            coord.parallel_for_workers(move_bodies)?;
            coord.shared_mut().flip();
        }
        Ok(output(coord.shared_mut().current_mut()))
    }

    #[worker]
    fn move_bodies(bodies: &DoubleBuffer<Body>, lane: Lane) -> Result<(), TaskletError> {
        let (now, mut next) = bodies.step(lane)?;
        for (i, body) in next.range().zip(next.iter_mut()) {
            *body = advance(&now, i);
        }
        Ok(())
    }
}

/// The sequential reference.
pub fn reference(input: &[u8]) -> Vec<u8> {
    let mut now = bodies(input);
    let mut next = now.clone();
    for _ in 0..STEPS {
        for (i, body) in next.iter_mut().enumerate() {
            *body = advance(&now, i);
        }
        std::mem::swap(&mut now, &mut next);
    }
    output(&now)
}
