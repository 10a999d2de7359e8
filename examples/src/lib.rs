//! Example tasklets, each tested on the host mock and on the wasm runtime.
