//! Floating-point functions that give the same bits on both targets.
//!
//! std's transcendental methods (`f64::sin`, `f32::exp`, `powf`, ..) call
//! the platform's math library on the host (glibc's libm, Apple's, MSVC's)
//! and a Rust port of musl's libm on `wasm32-unknown-unknown`. Both are
//! accurate to about one ulp, but not always to the *same* ulp, so a tasklet
//! that uses them can produce output that differs in the last bit between
//! the host mock and the runtime. The functions here call the
//! [`libm`](https://docs.rs/libm) crate on both targets, so they agree bit
//! for bit; `#[grafos::tasklet]` warns at std's methods and names the
//! function to use instead.
//!
//! f64 functions have std's method names (`math::sin(x)` for `x.sin()`);
//! their f32 versions add libm's `f` suffix (`math::sinf`, `math::powff`
//! for `f32::powf`). Functions that IEEE 754 requires to be correctly
//! rounded, or that are exact (`sqrt`, `floor`, `ceil`, `round`, `trunc`),
//! give the same bits everywhere already; they are here so that a tasklet
//! can take all its math from one place, and simply forward to std.

macro_rules! unary {
    ($($(#[$doc:meta])* $name:ident, $namef:ident => $libm:ident, $libmf:ident;)*) => {$(
        $(#[$doc])*
        #[inline]
        pub fn $name(x: f64) -> f64 {
            libm::$libm(x)
        }

        $(#[$doc])*
        /// (f32.)
        #[inline]
        pub fn $namef(x: f32) -> f32 {
            libm::$libmf(x)
        }
    )*};
}

macro_rules! binary {
    ($($(#[$doc:meta])* $name:ident, $namef:ident => $libm:ident, $libmf:ident;)*) => {$(
        $(#[$doc])*
        #[inline]
        pub fn $name(x: f64, y: f64) -> f64 {
            libm::$libm(x, y)
        }

        $(#[$doc])*
        /// (f32.)
        #[inline]
        pub fn $namef(x: f32, y: f32) -> f32 {
            libm::$libmf(x, y)
        }
    )*};
}

macro_rules! exact {
    ($($(#[$doc:meta])* $name:ident, $namef:ident;)*) => {$(
        $(#[$doc])*
        /// Correctly rounded by IEEE 754: forwards to std.
        #[inline]
        pub fn $name(x: f64) -> f64 {
            x.$name()
        }

        $(#[$doc])*
        /// Correctly rounded by IEEE 754: forwards to std. (f32.)
        #[inline]
        pub fn $namef(x: f32) -> f32 {
            x.$name()
        }
    )*};
}

unary! {
    /// Sine of `x` radians, as `x.sin()`.
    sin, sinf => sin, sinf;
    /// Cosine of `x` radians, as `x.cos()`.
    cos, cosf => cos, cosf;
    /// Tangent of `x` radians, as `x.tan()`.
    tan, tanf => tan, tanf;
    /// Arcsine in radians, as `x.asin()`.
    asin, asinf => asin, asinf;
    /// Arccosine in radians, as `x.acos()`.
    acos, acosf => acos, acosf;
    /// Arctangent in radians, as `x.atan()`.
    atan, atanf => atan, atanf;
    /// Hyperbolic sine, as `x.sinh()`.
    sinh, sinhf => sinh, sinhf;
    /// Hyperbolic cosine, as `x.cosh()`.
    cosh, coshf => cosh, coshf;
    /// Hyperbolic tangent, as `x.tanh()`.
    tanh, tanhf => tanh, tanhf;
    /// Inverse hyperbolic sine, as `x.asinh()`.
    asinh, asinhf => asinh, asinhf;
    /// Inverse hyperbolic cosine, as `x.acosh()`.
    acosh, acoshf => acosh, acoshf;
    /// Inverse hyperbolic tangent, as `x.atanh()`.
    atanh, atanhf => atanh, atanhf;
    /// `e^x`, as `x.exp()`.
    exp, expf => exp, expf;
    /// `2^x`, as `x.exp2()`.
    exp2, exp2f => exp2, exp2f;
    /// `e^x - 1`, accurate near zero, as `x.exp_m1()`.
    exp_m1, exp_m1f => expm1, expm1f;
    /// Natural logarithm, as `x.ln()`.
    ln, lnf => log, logf;
    /// Base-2 logarithm, as `x.log2()`.
    log2, log2f => log2, log2f;
    /// Base-10 logarithm, as `x.log10()`.
    log10, log10f => log10, log10f;
    /// `ln(1 + x)`, accurate near zero, as `x.ln_1p()`.
    ln_1p, ln_1pf => log1p, log1pf;
    /// Cube root, as `x.cbrt()`.
    cbrt, cbrtf => cbrt, cbrtf;
}

binary! {
    /// Four-quadrant arctangent of `y / x` in radians, as `y.atan2(x)`.
    atan2, atan2f => atan2, atan2f;
    /// `x^y`, as `x.powf(y)`.
    powf, powff => pow, powf;
    /// `sqrt(x² + y²)` without undue overflow, as `x.hypot(y)`.
    hypot, hypotf => hypot, hypotf;
}

exact! {
    /// Square root, as `x.sqrt()`.
    sqrt, sqrtf;
    /// Largest integer not above `x`, as `x.floor()`.
    floor, floorf;
    /// Smallest integer not below `x`, as `x.ceil()`.
    ceil, ceilf;
    /// Nearest integer, half-way cases away from zero, as `x.round()`.
    round, roundf;
    /// Integer part, as `x.trunc()`.
    trunc, truncf;
}

/// Logarithm of `x` in base `base`, as `x.log(base)`: `ln(x) / ln(base)`.
#[inline]
pub fn log(x: f64, base: f64) -> f64 {
    ln(x) / ln(base)
}

/// Logarithm of `x` in base `base`, as `x.log(base)`: `ln(x) / ln(base)`. (f32.)
#[inline]
pub fn logf(x: f32, base: f32) -> f32 {
    lnf(x) / lnf(base)
}

/// `x^n`, as `x.powi(n)`, computed as libm's `pow(x, n as f64)`. std's
/// `powi` multiplies repeatedly in an order the compiler chooses per
/// target; `pow` with an integral exponent is as accurate and the same
/// everywhere.
#[inline]
pub fn powi(x: f64, n: i32) -> f64 {
    libm::pow(x, f64::from(n))
}

/// `x^n`, as `x.powi(n)`, computed as libm's `powf(x, n as f32)`; see
/// [`powi`]. (f32; `n` beyond ±2^24 is rounded to an f32.)
#[inline]
pub fn powif(x: f32, n: i32) -> f32 {
    libm::powf(x, n as f32)
}

/// `x * y + z` with one rounding, as `x.mul_add(y, z)`.
#[inline]
pub fn fma(x: f64, y: f64, z: f64) -> f64 {
    libm::fma(x, y, z)
}

/// `x * y + z` with one rounding, as `x.mul_add(y, z)`. (f32.)
#[inline]
pub fn fmaf(x: f32, y: f32, z: f32) -> f32 {
    libm::fmaf(x, y, z)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_functions_are_libm_s_bit_for_bit() {
        for x in [0.0, 0.5, 1.0, 2.5, -3.75, 1e-8, 123.456] {
            assert_eq!(sin(x).to_bits(), libm::sin(x).to_bits(), "sin {x}");
            assert_eq!(exp(x).to_bits(), libm::exp(x).to_bits(), "exp {x}");
            assert_eq!(exp_m1(x).to_bits(), libm::expm1(x).to_bits(), "exp_m1 {x}");
            assert_eq!(atan2(x, 2.0).to_bits(), libm::atan2(x, 2.0).to_bits());
            assert_eq!(powf(2.0, x).to_bits(), libm::pow(2.0, x).to_bits());
            let xf = x as f32;
            assert_eq!(cosf(xf).to_bits(), libm::cosf(xf).to_bits(), "cosf {xf}");
            assert_eq!(powff(2.0, xf).to_bits(), libm::powf(2.0, xf).to_bits());
        }
        for x in [0.5, 1.0, 2.5, 1e-8, 123.456] {
            assert_eq!(ln(x).to_bits(), libm::log(x).to_bits(), "ln {x}");
            assert_eq!(ln_1p(x).to_bits(), libm::log1p(x).to_bits(), "ln_1p {x}");
        }
    }

    #[test]
    fn values_are_right() {
        assert_eq!(sqrt(2.0), 2f64.sqrt());
        assert_eq!(powi(3.0, 4), 81.0);
        assert_eq!(powi(2.0, -1), 0.5);
        assert_eq!(powif(2.0, 10), 1024.0);
        assert_eq!(log(8.0, 2.0), 3.0);
        assert_eq!(fma(2.0, 3.0, 1.0), 7.0);
        assert_eq!(floorf(-1.5), -2.0);
        assert!((sin(core::f64::consts::FRAC_PI_2) - 1.0).abs() < 1e-15);
    }
}
