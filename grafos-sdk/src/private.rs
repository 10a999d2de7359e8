//! Items the code `#[grafos::tasklet]` generates refers to. Not a public API:
//! it changes without notice.

pub use std::borrow::Cow;

#[cfg(target_arch = "wasm32")]
pub use crate::guest::{debug_log, run_entry};

pub use crate::cpu::collective::WorkerValue;

/// The launch input as `T`s, for a `#[worker]` fn's `&[T]` parameter: what
/// `WorkerCtx::input_as` gives. `T: Pod` is required here, so that a type
/// that is not is reported at the parameter.
pub fn input_view<T: bytemuck::Pod>(input: &[u8]) -> &[T] {
    crate::cpu::input_view(input)
}

use crate::TaskletInfo;
use crate::cpu::{CoordinatorCtx, SharedTaskletBuilder, SharedTaskletResult, TaskletError};

/// What a tasklet's shared type must be: created once per launch with
/// `Default::default()` and read by every lane at once.
#[diagnostic::on_unimplemented(
    message = "the tasklet's shared type `{Self}` must be `Default + Sync`",
    label = "the shared type",
    note = "every lane reads the one shared value at the same time (`Sync`; update it through \
            atomics), and each launch creates it with `Default::default()`"
)]
pub trait SharedValue: Default + Sync {}

impl<T: Default + Sync> SharedValue for T {}

/// What a tasklet's scratch type must be: one per lane, created with
/// `Default::default()` and used on that lane's thread.
#[diagnostic::on_unimplemented(
    message = "the tasklet's scratch type `{Self}` must be `Default + Send`",
    label = "the scratch type",
    note = "each data lane gets its own scratch value (created with `Default::default()`), \
            used on that lane's thread on the host mock (`Send`)"
)]
pub trait ScratchValue: Default + Send {}

impl<T: Default + Send> ScratchValue for T {}

/// What a `#[coordinator]` fn may return.
#[diagnostic::on_unimplemented(
    message = "a `#[coordinator]` fn cannot return `{Self}`",
    label = "this return type",
    note = "a `#[coordinator]` fn returns `Result<(), TaskletError>` (after `coord.set_output(..)`), \
            or the output as `Vec<T>` or `Result<Vec<T>, TaskletError>` with `T` a `bytemuck::Pod` \
            type (`u8`, `u32`, `f64`, ...: its little-endian bytes)"
)]
pub trait CoordinatorOutput {
    /// Sets the output, if the coordinator returned it, and ends the launch.
    fn finish<S, W>(self, coord: &mut CoordinatorCtx<S, W>) -> Result<(), TaskletError>;
}

impl CoordinatorOutput for Result<(), TaskletError> {
    fn finish<S, W>(self, _: &mut CoordinatorCtx<S, W>) -> Result<(), TaskletError> {
        self
    }
}

impl<T: bytemuck::Pod> CoordinatorOutput for Vec<T> {
    fn finish<S, W>(self, coord: &mut CoordinatorCtx<S, W>) -> Result<(), TaskletError> {
        coord.set_output_as(&self);
        Ok(())
    }
}

impl<T: bytemuck::Pod> CoordinatorOutput for Result<Vec<T>, TaskletError> {
    fn finish<S, W>(self, coord: &mut CoordinatorCtx<S, W>) -> Result<(), TaskletError> {
        coord.set_output_as(&self?);
        Ok(())
    }
}

/// A builder preset from a tasklet's `INFO` and `cores`. Nothing is checked
/// here: the launch checks the configuration, as for any builder.
pub fn tasklet_builder<S, W>(
    info: &TaskletInfo,
    cores: u32,
) -> SharedTaskletBuilder<'static, S, W> {
    // Sizes beyond the address space cannot be allocated; the launch says so.
    let bytes = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
    SharedTaskletBuilder::new(cores as usize)
        .cores(cores as usize)
        .workers(info.workers as usize)
        .shared_bytes(bytes(info.shared_bytes))
        .scratch_bytes_per_worker(bytes(info.scratch_bytes))
        .fuel(info.fuel)
        .named(info.name.clone())
}

/// Launches a tasklet's coordinator on `builder`. The bounds are stated with
/// the marker traits so that an unfit shared or scratch type is reported
/// once, in the tasklet's words, at the type in the attribute.
pub fn launch<S, W, O, F>(
    builder: SharedTaskletBuilder<'_, S, W>,
    coordinator: F,
) -> Result<SharedTaskletResult, TaskletError>
where
    S: SharedValue,
    W: ScratchValue,
    O: CoordinatorOutput,
    F: FnOnce(&mut CoordinatorCtx<S, W>) -> O,
{
    builder.launch(|coord| coordinator(coord).finish(coord))
}

/// The generated cross-target test.
#[cfg(not(target_arch = "wasm32"))]
pub use crate::cross_target::{Suite, run as cross_target_test};

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn info() -> TaskletInfo {
        TaskletInfo::new("sum", 3, 8, 0, 100, &[])
    }

    #[test]
    fn the_builder_is_preset_from_info() {
        let info = TaskletInfo::new("t", 3, 64, 8, 7, &[]);
        let result = launch(tasklet_builder::<u64, u32>(&info, 1), |coord| {
            coord.parallel_for_workers(|w| assert_eq!(w.data_worker_count(), 2))?;
            assert_eq!(coord.shared_region().arena_len_bytes(), 48);
            Ok::<_, TaskletError>(())
        })
        .unwrap();
        assert_eq!(result.regions(), 1);
        let too_small = TaskletInfo::new("t", 3, 4, 8, 7, &[]);
        let error = launch(tasklet_builder::<u64, u32>(&too_small, 1), |_| {
            Vec::<u8>::new()
        });
        assert_eq!(
            error,
            Err(TaskletError::SharedTooSmall { need: 8, have: 4 })
        );
    }

    #[test]
    fn coordinator_outputs_set_the_output() {
        let info = info();
        let run = |out: fn() -> Result<Vec<u8>, TaskletError>| {
            launch(tasklet_builder::<(), ()>(&info, 1), move |_| out())
        };
        assert_eq!(run(|| Ok(b"out".to_vec())).unwrap().output(), b"out");
        assert_eq!(
            run(|| Err(TaskletError::Cancelled)),
            Err(TaskletError::Cancelled)
        );
        let bytes = launch(tasklet_builder::<(), ()>(&info, 1), |_| b"v".to_vec());
        assert_eq!(bytes.unwrap().output(), b"v");
        let typed = launch(tasklet_builder::<(), ()>(&info, 1), |_| {
            vec![1u32, 0x0504_0302]
        });
        assert_eq!(typed.unwrap().output(), [1, 0, 0, 0, 2, 3, 4, 5]);
        let typed = launch(tasklet_builder::<(), ()>(&info, 1), |_| {
            Ok::<_, TaskletError>(vec![-1.5f64])
        });
        assert_eq!(typed.unwrap().output(), (-1.5f64).to_le_bytes());
    }
}
